// The web dashboard end to end in a real headless Chromium (driven with ./cdp.js), against a
// server on a fresh database whose owner has only the one-time setup link:
//
//  1. the setup link: the owner chooses a password and lands signed in on the websites list;
//  2. a website is created through the form, and its snippet read off the page;
//  3. a visitor (another browser context) follows a link on a news site to a page of that site
//     embedding the snippet, then goes on to its sign-up page: two pageviews with a referrer;
//  4. the website's dashboard shows 1 visitor, the referrer and the page;
//  5. a click on the referrer row filters: the URL, a chip, and every panel reloaded filtered;
//  6. a two-step funnel is created on the funnels page and shows each step's visitors;
//  7. a viewer is invited from the team settings, opens the link in a third context, creates
//     an account; sees the website, no write controls, and a write refused by the server;
//  8. the public dashboard is turned on in the settings and shown signed out, then turned off:
//     the share address answers 404;
//  9. a cookie-authenticated write without the CSRF header is refused;
// 10. signing out through the header: the session answers 401, app pages go to /signin;
// 11. axe-core on every main page (at both viewports): no serious or critical violation;
// 12. a PNG of every main page at 1280x800 and 375x812 in DATAFAST_SCREENSHOTS;
// 13. no uncaught exception, CSP violation or 5xx answer on any dashboard page.
//
// A step that fails is recorded and the steps that do not depend on it still run, so one run
// tells every failure. Input (environment): DATAFAST_SERVER (the server's origin),
// DATAFAST_SETUP_CODE, DATAFAST_OWNER_EMAIL, CHROMIUM, DATAFAST_SCREENSHOTS (a folder that
// exists); optional DATAFAST_USER_AGENT. Output: one JSON line on stdout (every step's outcome
// and what it saw, the axe results, the screenshots, each page's console errors and failed
// requests), also written indented to report.json in DATAFAST_SCREENSHOTS; exit 1 when a step
// failed, with the reasons on stderr.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { launch, poll, sleep } = require("./cdp.js");

const GIVE_UP_MS = 300000;
const WINDOWS_CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`dashboard: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const server = required("DATAFAST_SERVER").replace(/\/$/, "");
const setupCode = required("DATAFAST_SETUP_CODE");
const ownerEmail = required("DATAFAST_OWNER_EMAIL");
const chromium = required("CHROMIUM");
const screenshots = required("DATAFAST_SCREENSHOTS");
const userAgent = process.env.DATAFAST_USER_AGENT || WINDOWS_CHROME;
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const axeVersion = require("axe-core/package.json").version;

const DOMAIN = "shop.example.test";
const NEWS = "news.example.test";
const OWNER_PASSWORD = "correct horse battery staple";
const VIEWER_EMAIL = "viewer@example.com";
const VIEWER_NAME = "Vera Viewer";
const VIEWER_PASSWORD = "viewer's long passphrase";
const FUNNEL = "Pricing to sign-up";
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800, mobile: false },
  { name: "mobile", width: 375, height: 812, mobile: true },
];
const DESKTOP = VIEWPORTS[0];

const escape = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The visitor's web: a news site linking to the shop's pricing page, which embeds the snippet
 * pasted as the dashboard showed it and links on to the sign-up page. Each host name is
 * mapped to loopback by Chromium, so each is its own origin and site.
 */
function serveSites(snippet) {
  const sites = http.createServer((request, response) => {
    const host = (request.headers.host || "").split(":")[0];
    const port = sites.address().port;
    const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${
      host === DOMAIN ? snippet : ""
    }</head><body>${body}</body></html>`;
    let html = null;
    if (host === NEWS && request.url === "/") {
      html = page("News", `<h1>Today's news</h1><p><a id="to-shop" href="http://${DOMAIN}:${port}/pricing">A shop worth a look</a></p>`);
    } else if (host === DOMAIN && request.url === "/pricing") {
      html = page("Pricing", `<h1>Pricing</h1><p><a id="to-signup" href="/signup">Sign up</a></p>`);
    } else if (host === DOMAIN && request.url === "/signup") {
      html = page("Sign up", `<h1>Sign up</h1>`);
    }
    response.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    response.end(html || "");
  });
  return new Promise((resolve) => sites.listen(0, "127.0.0.1", () => resolve(sites)));
}

const result = {
  server,
  domain: DOMAIN,
  steps: {},
  axe: { version: axeVersion, pages: {} },
  screenshots: [],
  pages: {},
};
const failures = [];

/**
 * Runs one step: records ok/failed with its duration and what it returned. A step needing an
 * earlier one that failed is skipped, naming it.
 */
async function step(id, title, needs, action) {
  const started = Date.now();
  const missing = needs.filter((n) => !result.steps[n] || !result.steps[n].ok);
  if (missing.length) {
    result.steps[id] = { title, ok: false, skipped: `needs step ${missing.join(", ")}` };
    failures.push(`step ${id} (${title}): skipped, it needs step ${missing.join(", ")}`);
    return;
  }
  try {
    const seen = await action();
    result.steps[id] = { title, ok: true, ms: Date.now() - started, ...(seen || {}) };
  } catch (error) {
    result.steps[id] = { title, ok: false, ms: Date.now() - started, error: error.message };
    failures.push(`step ${id} (${title}): ${error.stack || error.message}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** The path and query the page is at. */
const where = (page) => page.evaluate(() => location.pathname + location.search);

async function waitForPath(page, pathname) {
  return page.waitFor(`the address ${pathname}`, (p) => location.pathname === p, [pathname]);
}

/** The value shown in the KPI card `label`, or null. */
const kpi = (page, label) =>
  page.evaluate(
    (l) => {
      const card = [...document.querySelectorAll(".kpi")].find((k) => k.querySelector(".kpi-label")?.textContent === l);
      return card ? card.querySelector(".kpi-value").textContent : null;
    },
    label,
  );

/** Waits until the KPI card `label` shows `value`. */
const waitForKpi = (page, label, value) =>
  poll(`the ${label} KPI to show ${value}`, async () => (await kpi(page, label)) === value, {
    explain: async () => `it shows ${JSON.stringify(await kpi(page, label))}; ${await page.describe()}`,
  });

/** A breakdown panel's rows as [name, visitors] once loaded (null while loading). */
const panelRows = (page, panel) =>
  page.evaluate(
    (title) => {
      const section = document.querySelector(`section.panel[aria-label="${title}"]`);
      if (!section || section.querySelector('[aria-busy="true"], .loading')) return null;
      const error = section.querySelector(".error");
      if (error) return { error: error.textContent };
      const empty = section.querySelector(".tab-panel .empty");
      if (empty) return { empty: empty.textContent };
      return [...section.querySelectorAll("table.breakdown tbody tr")].map((tr) => [
        tr.querySelector(".name-cell").textContent.replace(" (add as filter)", "").trim(),
        tr.querySelector("td.num").textContent.trim(),
      ]);
    },
    panel,
  );

async function waitForPanelRow(page, panel, name, visitors) {
  return page.waitFor(
    `the ${panel} panel to list ${name}${visitors ? ` with ${visitors} visitor(s)` : ""}`,
    (title, wanted, count) => {
      const section = document.querySelector(`section.panel[aria-label="${title}"]`);
      if (!section || section.querySelector('[aria-busy="true"], .loading')) return null;
      const rows = [...section.querySelectorAll("table.breakdown tbody tr")].map((tr) => [
        tr.querySelector(".name-cell").textContent.replace(" (add as filter)", "").trim(),
        tr.querySelector("td.num").textContent.trim(),
      ]);
      return rows.some(([n, v]) => n.startsWith(wanted) && (!count || v === count)) ? rows : null;
    },
    [panel, name, visitors || null],
  );
}

/** Injects axe-core (once per document) and runs it; violations summarised. */
async function runAxe(page) {
  const present = await page.evaluate(() => typeof window.axe === "object");
  if (!present) await page.evaluate(`${axeSource};void 0`);
  return page.evaluate(async () => {
    const run = await window.axe.run(document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      summary: v.nodes[0]?.failureSummary?.split("\n").slice(0, 3).join(" "),
    }));
  });
}

/**
 * Steps 11 and 12 for one page already open and settled: at each viewport a screenshot, then
 * axe; then axe once more at the desktop size in the dark theme. Serious and critical
 * violations are collected in result.axe.pages[name].blocking, once per rule and viewport.
 */
async function audit(page, name) {
  const entry = { url: await where(page), viewports: {}, blocking: [] };
  result.axe.pages[name] = entry;
  try {
    for (const viewport of VIEWPORTS) {
      await page.setViewport(viewport);
      await page.settle();
      await sleep(150);
      const file = path.join(screenshots, `${name}-${viewport.width}x${viewport.height}.png`);
      await page.screenshot(file);
      result.screenshots.push(file);
      const violations = await runAxe(page);
      entry.viewports[viewport.name] = violations;
    }
    // The dashboard has a dark theme (prefers-color-scheme): its colours are audited too.
    await page.setViewport(DESKTOP);
    await page.call("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: "dark" }] });
    await sleep(100);
    entry.viewports["desktop-dark"] = await runAxe(page);
    for (const [viewport, violations] of Object.entries(entry.viewports)) {
      for (const v of violations) {
        if ((v.impact === "serious" || v.impact === "critical") && !entry.blocking.some((b) => b.id === v.id && b.viewport === viewport)) {
          entry.blocking.push({ ...v, viewport });
        }
      }
    }
  } catch (error) {
    entry.error = error.message;
  } finally {
    await page.call("Emulation.setEmulatedMedia", { features: [] }).catch(() => {});
    await page.setViewport(DESKTOP).catch(() => {});
  }
}

/** Opens `url` in `page`, waits for its heading and for it to settle, and audits it. */
async function openAndAudit(page, name, url, heading) {
  await page.goto(url);
  if (heading) await page.waitForSelector("#main h1", { text: heading });
  await page.settle();
  await audit(page, name);
}

async function main() {
  const started = Date.now();
  const browser = await launch({ chromium, userAgent, mapHosts: [DOMAIN, NEWS] });
  const giveUp = setTimeout(() => {
    console.error(`dashboard: gave up after ${GIVE_UP_MS} ms; steps so far: ${JSON.stringify(result.steps)}`);
    browser.kill();
    process.exit(1);
  }, GIVE_UP_MS);
  giveUp.unref();
  let sites = null;
  const owned = {};
  try {
    const ownerContext = await browser.newContext();
    const owner = await ownerContext.newPage();
    await owner.setViewport(DESKTOP);
    owned.owner = owner;
    let website = null;
    let snippet = null;
    let unfiltered = null;
    let visitorId = null;

    await step(1, "setup link: password, signed in on the websites list", [], async () => {
      const status = await owner.goto(`${server}/setup?code=${encodeURIComponent(setupCode)}`);
      check(status === 200, `/setup answered ${status}`);
      await owner.waitForSelector("#main h1", { text: "Set your password" });
      await owner.waitForText(ownerEmail);
      await owner.type("input[name=password]", OWNER_PASSWORD);
      await owner.type("input[name=confirm]", OWNER_PASSWORD);
      await owner.click("button[type=submit]", { text: "Save and sign in" });
      await waitForPath(owner, "/");
      await owner.waitForSelector("#main h1", { text: "Websites" });
      await owner.waitForSelector("header .account-link");
      const account = await owner.evaluate(() => document.querySelector("header .account-link").textContent);
      const cookies = await ownerContext.cookies([server]);
      const session = cookies.find((c) => c.name === "df_session");
      check(session, `no df_session cookie after setup: ${JSON.stringify(cookies.map((c) => c.name))}`);
      check(session.httpOnly, "df_session is not HttpOnly");
      check(session.sameSite === "Lax", `df_session is SameSite=${session.sameSite}`);
      check(
        !(await owner.evaluate(() => document.cookie.includes("df_session"))),
        "the page's script can read df_session",
      );
      return { account, cookie: { httpOnly: session.httpOnly, sameSite: session.sameSite, secure: session.secure } };
    });

    await step(2, "create a website through the form, read its snippet", [1], async () => {
      // With no website yet the form opens by itself; otherwise the button opens it.
      const open = await owner.evaluate(() => !document.getElementById("new-site").hidden);
      if (!open) await owner.click("button", { text: "New website" });
      await owner.type("#new-site input[name=domain]", DOMAIN);
      await owner.type("#new-site input[name=name]", "Example Shop");
      await owner.type("#new-site input[name=timezone]", "UTC");
      await owner.click("#new-site button[type=submit]", { text: "Create website" });
      await owner.waitForSelector("#new-site .created h3", { text: "is ready" });
      snippet = await owner.evaluate(() => document.querySelector("#new-site .created pre code").textContent);
      const href = await owner.evaluate(() => document.querySelector("#new-site .created a.btn").getAttribute("href"));
      const id = (href.match(/^\/websites\/([^/]+)$/) || [])[1];
      check(id, `no dashboard link for the new website: ${href}`);
      check(snippet.includes(`src="${server}/js/script.js"`), `the snippet does not load ${server}/js/script.js: ${snippet}`);
      check(snippet.includes(`data-domain="${DOMAIN}"`), `the snippet does not name ${DOMAIN}: ${snippet}`);
      const tracking = (snippet.match(/data-website-id="([^"]+)"/) || [])[1];
      check(tracking, `no data-website-id in the snippet: ${snippet}`);
      // The list below the form shows the new site.
      await owner.waitForSelector(".site-list .site-card h2 a", { text: "Example Shop" });
      website = { id, trackingId: tracking };
      result.websiteId = id;
      return { websiteId: id, trackingId: tracking, snippet };
    });

    await step(3, "a visit from a referring site to a page with the snippet", [2], async () => {
      sites = await serveSites(snippet);
      const port = sites.address().port;
      const visitorContext = await browser.newContext();
      const visitor = await visitorContext.newPage();
      owned.visitor = visitor;
      const newsUrl = `http://${NEWS}:${port}/`;
      check((await visitor.goto(newsUrl)) === 200, `${newsUrl} did not load`);
      const pageviews = () =>
        visitor.responses.filter((r) => r.method === "POST" && r.url === `${server}/api/events` && /"pageview"/.test(r.postData || ""));
      await visitor.click("#to-shop");
      await poll("the pageview of /pricing to be answered", () => pageviews().length >= 1, {
        explain: () => `responses: ${JSON.stringify(visitor.responses.map((r) => `${r.method} ${r.url} ${r.status}`))}; failed: ${JSON.stringify(visitor.failedRequests)}; console: ${JSON.stringify(visitor.consoleErrors)}`,
      });
      const first = pageviews()[0];
      check(first.status === 200, `POST /api/events for /pricing answered ${first.status}`);
      const landed = await visitor.evaluate(() => ({ href: location.href, referrer: document.referrer }));
      check(landed.referrer.startsWith(`http://${NEWS}`), `the pricing page has no referrer from ${NEWS}: ${JSON.stringify(landed)}`);
      const sentReferrer = JSON.parse(first.postData).referrer;
      check(sentReferrer && sentReferrer.includes(NEWS), `the pageview carried no referrer: ${first.postData}`);
      await visitor.click("#to-signup");
      await poll("the pageview of /signup to be answered", () => pageviews().length >= 2);
      const second = pageviews()[1];
      check(second.status === 200, `POST /api/events for /signup answered ${second.status}`);
      const cookies = await visitorContext.cookies([`http://${DOMAIN}:${port}/pricing`]);
      visitorId = (cookies.find((c) => c.name === "datafast_visitor_id") || {}).value;
      check(visitorId, `the tracker set no datafast_visitor_id: ${JSON.stringify(cookies.map((c) => c.name))}`);
      return { page: landed.href, referrer: landed.referrer, events: pageviews().map((r) => r.status), visitorId };
    });

    await step("3b", "the site's backend reports the visitor's payment", [3], async () => {
      // As a site's backend would, through the Payments API; here with the owner's session
      // (and its CSRF token), which stands in for a token.
      const answer = await owner.evaluate(
        async ({ websiteId, visitor }) => {
          const session = await (await fetch("/api/session")).json();
          const response = await fetch(`/api/v1/payments?websiteId=${websiteId}`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-csrf-token": session.data[0].csrfToken },
            body: JSON.stringify({ amount: 49, currency: "USD", transaction_id: "e2e_txn_1", datafast_visitor_id: visitor }),
          });
          return { status: response.status, body: await response.text() };
        },
        { websiteId: website.id, visitor: visitorId },
      );
      check(answer.status === 200, `POST /api/v1/payments answered ${answer.status}: ${answer.body}`);
      return answer;
    });

    await step(4, "the dashboard shows the visitor, its revenue, the referrer and the page", [3, "3b"], async () => {
      await owner.goto(`${server}/websites/${website.id}`);
      await owner.waitForSelector("#main h1", { text: "Example Shop" });
      await waitForKpi(owner, "Visitors", "1");
      await waitForKpi(owner, "Revenue", "$49.00");
      // The tab first shown answers slowly, on purpose: its late answer must not replace
      // the tab chosen meanwhile.
      const undelay = await owner.delayRequests("analytics/channels", 1500);
      await owner.goto(`${server}/websites/${website.id}`);
      await owner.click('section.panel[aria-label="Sources"] [role=tab]', { text: "Referrers" });
      const referrers = await waitForPanelRow(owner, "Sources", NEWS, "1");
      await sleep(2000);
      await undelay();
      const after = await panelRows(owner, "Sources");
      check(
        JSON.stringify(after).includes(NEWS),
        `the late Channels answer replaced the chosen Referrers tab: ${JSON.stringify(after)}`,
      );
      const pages = await waitForPanelRow(owner, "Pages", "/pricing", "1");
      await owner.settle();
      unfiltered = { locations: await panelRows(owner, "Locations"), technology: await panelRows(owner, "Technology") };
      return { visitors: 1, referrers, pages, ...unfiltered };
    });

    await step(5, "a click on the referrer row filters every panel", [4], async () => {
      await owner.evaluate(() => {
        window.__unfilteredPanels = document.querySelector(".panels");
      });
      const from = owner.requests.length;
      await owner.click('section.panel[aria-label="Sources"] .row-filter', { text: NEWS });
      await owner.waitFor("filter_referrer in the address", () => location.search.includes("filter_referrer="));
      const address = await where(owner);
      const filter = new URLSearchParams(address.split("?")[1]).get("filter_referrer");
      check(filter && filter.includes(NEWS), `the address filters on ${filter}, not ${NEWS}`);
      await owner.waitForSelector(".chips .chip", { text: `Referrer is ${NEWS}` });
      await owner.waitFor("the panels to be rebuilt", () => {
        const now = document.querySelector(".panels");
        return !!now && now !== window.__unfilteredPanels;
      });
      await owner.settle();
      check((await kpi(owner, "Visitors")) === "1", `filtered, the Visitors KPI shows ${await kpi(owner, "Visitors")}`);
      const pages = await waitForPanelRow(owner, "Pages", "/pricing", "1");
      const referrers = await waitForPanelRow(owner, "Sources", NEWS, "1");
      // Without a location database every visit's country is unknown: the panel shows what it
      // showed unfiltered, the same single visitor or the same empty state.
      const locations = await panelRows(owner, "Locations");
      check(locations && !locations.error, `the Locations panel shows ${JSON.stringify(locations)}`);
      check(
        JSON.stringify(locations) === JSON.stringify(unfiltered.locations),
        `filtered, the Locations panel shows ${JSON.stringify(locations)}; unfiltered it showed ${JSON.stringify(unfiltered.locations)}`,
      );
      const browsers = await waitForPanelRow(owner, "Technology", "Chrome", "1");
      check(browsers.length === 1, `the Browsers tab lists ${JSON.stringify(browsers)}`);
      // Every report the view shows was asked again with the filter.
      const asked = owner.requests.slice(from).filter((r) => r.url.includes("/api/v1/analytics/"));
      const reports = ["overview", "timeseries", "referrers", "pages", "countries", "browsers", "hostnames", "goals"];
      const notFiltered = reports.filter(
        (report) =>
          !asked.some((r) => {
            const url = new URL(r.url);
            return url.pathname === `/api/v1/analytics/${report}` && (url.searchParams.get("filter_referrer") || "").includes(NEWS);
          }),
      );
      check(!notFiltered.length, `not reloaded with the filter: ${notFiltered.join(", ")}; asked: ${JSON.stringify(asked.map((r) => r.url))}`);
      return { address, chip: `Referrer is ${NEWS}`, pages, referrers, locations, browsers, filteredReports: reports };
    });

    await step(6, "a two-step funnel created on the funnels page", [3], async () => {
      await owner.goto(`${server}/websites/${website.id}`);
      await owner.click("nav.section-tabs a", { text: "Funnels" });
      await owner.waitForSelector("#main h1", { text: "Funnels" });
      await owner.click("button", { text: "New funnel" });
      await owner.type("#new-funnel input[name=fname]", FUNNEL);
      await owner.type("#new-funnel .steps > fieldset:nth-child(1) input[name=target]", "/pricing");
      await owner.type("#new-funnel .steps > fieldset:nth-child(2) input[name=target]", "/signup");
      await owner.click("#new-funnel button[type=submit]", { text: "Create funnel" });
      const steps = await owner.waitFor(
        `the funnel "${FUNNEL}" with its two steps' results`,
        (name) => {
          const card = [...document.querySelectorAll("section.card")].find((c) => c.querySelector("h2")?.textContent.includes(name));
          const steps = card ? [...card.querySelectorAll(".funnel-step")] : [];
          return steps.length
            ? steps.map((s) => ({ name: s.querySelector("strong").textContent, figures: s.querySelector(".funnel-figures").textContent }))
            : null;
        },
        [FUNNEL],
      );
      check(steps.length === 2, `the funnel shows ${steps.length} steps: ${JSON.stringify(steps)}`);
      check(steps.every((s) => s.figures.startsWith("1 visitors")), `each step should have the 1 visitor: ${JSON.stringify(steps)}`);
      return { funnel: FUNNEL, steps };
    });

    let viewerPage = null;
    await step(7, "a viewer invited from the team settings joins and cannot write", [2], async () => {
      await owner.goto(`${server}/websites/${website.id}/settings`);
      await owner.waitForSelector("#main h1", { text: "Settings" });
      await owner.type("#team form input[name=email]", VIEWER_EMAIL);
      await owner.select("#team form select[name=role]", "viewer");
      await owner.click("#team form button[type=submit]", { text: "Invite" });
      await owner.waitFor("the invitation's outcome in the team card", () => {
        const form = document.querySelector("#team form");
        return !!document.querySelector("#team .secret") || !!form?.querySelector(".form-status.error")?.textContent;
      });
      const shown = await owner.evaluate(() => ({
        error: document.querySelector("#team form .form-status.error")?.textContent || null,
        secret: document.querySelector("#team .secret")?.innerText || null,
        link: document.querySelector("#team .secret pre code")?.textContent || null,
      }));
      check(!shown.error, `inviting failed: ${shown.error}`);
      check(shown.link, `the team card shows no invite link (the answer had no inviteUrl): ${JSON.stringify(shown.secret)}`);
      check(shown.link.startsWith(`${server}/join?code=`), `the invite link is ${shown.link}, not ${server}/join?code=...`);
      await owner.waitForSelector("#team table td", { text: VIEWER_EMAIL });

      const viewerContext = await browser.newContext();
      viewerPage = await viewerContext.newPage();
      owned.viewer = viewerPage;
      const status = await viewerPage.goto(shown.link);
      check(status === 200, `the invite link answered ${status}`);
      await viewerPage.waitForSelector("#main h1", { text: "Join a team" });
      await viewerPage.waitForText(DOMAIN);
      await viewerPage.type("input[name=name]", VIEWER_NAME);
      await viewerPage.type("input[name=password]", VIEWER_PASSWORD);
      await viewerPage.type("input[name=confirm]", VIEWER_PASSWORD);
      await viewerPage.click("button[type=submit]", { text: "Create account and join" });
      await waitForPath(viewerPage, "/");
      const card = await viewerPage.waitFor("the website in the viewer's list", (domain) => {
        const c = [...document.querySelectorAll(".site-card")].find((x) => x.textContent.includes(domain));
        return c ? c.querySelector(".page-sub").textContent : null;
      }, [DOMAIN]);
      check(card.includes("viewer"), `the viewer's list does not show the role: ${card}`);

      await viewerPage.goto(`${server}/websites/${website.id}/settings`);
      await viewerPage.waitForSelector("#main h1", { text: "Settings" });
      await viewerPage.settle();
      const controls = await viewerPage.evaluate(() => ({
        role: document.querySelector(".page-head .page-sub")?.textContent,
        viewOnlyNote: !!document.querySelector(".note") && document.querySelector(".note").textContent.includes("view-only"),
        saveButtons: [...document.querySelectorAll("button[type=submit]")].map((b) => b.textContent),
        inviteForm: !!document.querySelector("#team form"),
        enabledFields: [...document.querySelectorAll("#details input, #details select, #exclusions input, #exclusions textarea")].filter(
          (e) => !e.matches(":disabled"),
        ).length,
      }));
      check(controls.role && controls.role.includes("your role: viewer"), `the settings do not say the viewer's role: ${controls.role}`);
      check(controls.viewOnlyNote, "no view-only note on the viewer's settings page");
      check(!controls.inviteForm, "the viewer has an invite form");
      check(controls.enabledFields === 0, `${controls.enabledFields} settings fields are editable by the viewer`);
      const writable = controls.saveButtons.filter((t) => /Save|Invite|Create|Delete/.test(t));
      check(!writable.length, `write buttons shown to the viewer: ${JSON.stringify(writable)}`);
      // The server decides, not the page: a write with the viewer's own valid CSRF token is refused.
      const attempt = await viewerPage.evaluate(async (id) => {
        const session = await fetch("/api/session").then((r) => r.json());
        const csrf = session.data[0].csrfToken;
        const answer = await fetch(`/api/v1/admin/websites/${id}`, {
          method: "PUT",
          headers: { "content-type": "application/json", "x-csrf-token": csrf },
          body: JSON.stringify({ name: "Renamed by a viewer" }),
        });
        const body = await answer.json().catch(() => null);
        return { account: session.data[0].account, status: answer.status, message: body?.error?.message };
      }, website.id);
      check(attempt.account.email === VIEWER_EMAIL, `the viewer's session is ${JSON.stringify(attempt.account)}`);
      check(attempt.status === 403, `a viewer's PUT answered ${attempt.status}: ${attempt.message}`);
      check(!/csrf/i.test(attempt.message || ""), `refused for the CSRF token, not the role: ${attempt.message}`);
      return { inviteUrl: shown.link, viewerRole: card, controls, refusedWrite: attempt };
    });

    let sharePage = null;
    await step(8, "the public dashboard on, shown signed out, then off: 404", [3], async () => {
      await owner.goto(`${server}/websites/${website.id}/settings`);
      await owner.waitForSelector("#main h1", { text: "Settings" });
      await owner.settle();
      const toggle = async (on) => {
        const checked = await owner.evaluate(() => document.querySelector("#details input[name=isPublicDashboardEnabled]").checked);
        if (checked !== on) await owner.click("#details input[name=isPublicDashboardEnabled]");
        check(
          (await owner.evaluate(() => document.querySelector("#details input[name=isPublicDashboardEnabled]").checked)) === on,
          "the Public dashboard switch did not change",
        );
        await owner.click("#details button[type=submit]", { text: "Save settings" });
        await owner.waitFor("the settings to be saved", () => {
          const s = document.querySelector("#details .form-status");
          return s && (s.classList.contains("ok") || s.classList.contains("error")) ? s.textContent : null;
        });
        const status = await owner.evaluate(() => document.querySelector("#details .form-status").className + ": " + document.querySelector("#details .form-status").textContent);
        check(status.includes("ok"), `saving the settings failed: ${status}`);
      };
      await toggle(true);
      await owner.waitForSelector("#snippet h3", { text: "Public dashboard link" });
      const link = await owner.evaluate(() => document.querySelector("#snippet h3 + .copy-block code").textContent);
      check(link === `${server}/share/${DOMAIN}`, `the public link is ${link}`);

      const publicContext = await browser.newContext();
      sharePage = await publicContext.newPage();
      owned.share = sharePage;
      const shown = await sharePage.goto(link);
      check(shown === 200, `${link} answered ${shown} while shared`);
      await waitForKpi(sharePage, "Visitors", "1");
      await sharePage.waitForSelector("section.panel");
      await waitForPanelRow(sharePage, "Pages", "/pricing", "1");
      // The public view is read-only: no filter buttons, no header account link.
      const readOnly = await sharePage.evaluate(() => ({
        accountLink: !!document.querySelector("header .account-link"),
      }));
      check(!readOnly.accountLink, "the public page shows an account link");
      await sharePage.settle();
      await audit(sharePage, "share");

      await toggle(false);
      await owner.waitForText("Turn on “Public dashboard” below");
      const hidden = await sharePage.goto(link);
      check(hidden === 404, `${link} answered ${hidden} once no longer shared, not 404`);
      return { link, whileShared: shown, afterTurningOff: hidden };
    });

    await step(9, "a cookie-authenticated POST without the CSRF header is refused", [1], async () => {
      await owner.goto(`${server}/`);
      await owner.waitForSelector("#main h1", { text: "Websites" });
      const answer = await owner.evaluate(async () => {
        const r = await fetch("/api/v1/admin/websites", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"domain":"x.example.test"}',
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      });
      check(answer.status === 403, `answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      const message = answer.body?.error?.message || "";
      check(/Missing or invalid CSRF token/.test(message), `the refusal does not name the CSRF token: ${message}`);
      return { status: answer.status, message };
    });

    // Steps 11 and 12 on the signed-in pages, before signing out.
    await step("11a", "axe and screenshots of the signed-in pages", [2], async () => {
      const base = `${server}/websites/${website.id}`;
      await openAndAudit(owner, "websites", `${server}/`, "Websites");
      await openAndAudit(owner, "overview", base, "Example Shop");
      await openAndAudit(owner, "realtime", `${base}/realtime`, "Realtime");
      await openAndAudit(owner, "funnels", `${base}/funnels`, "Funnels");
      await openAndAudit(owner, "visitors", `${base}/visitors`, "Visitors");
      await openAndAudit(owner, "goals", `${base}/goals`, "Goals");
      await openAndAudit(owner, "settings", `${base}/settings`, "Settings");
      await openAndAudit(owner, "account", `${server}/account`, "Account");
    });

    await step(10, "sign out through the header", [1], async () => {
      await owner.goto(`${server}/`);
      await owner.waitForSelector("#main h1", { text: "Websites" });
      await owner.click("header button", { text: "Sign out" });
      await waitForPath(owner, "/signin");
      await owner.waitForSelector("#main h1", { text: "Sign in" });
      const session = await owner.evaluate(async () => (await fetch("/api/session")).status);
      check(session === 401, `GET /api/session answered ${session} after signing out`);
      const cookies = await ownerContext.cookies([server]);
      check(!cookies.some((c) => c.name === "df_session" && c.value), "the df_session cookie is still there");
      const redirects = {};
      for (const target of ["/", website ? `/websites/${website.id}` : "/account", "/account"]) {
        await owner.goto(`${server}${target}`);
        await owner.waitFor(`${target} to send to /signin`, () => location.pathname === "/signin");
        redirects[target] = await where(owner);
        check(
          redirects[target] === `/signin?next=${encodeURIComponent(target)}`,
          `${target} went to ${redirects[target]}, not /signin?next=${encodeURIComponent(target)}`,
        );
      }
      return { session, redirects };
    });

    await step("11b", "axe and screenshots of the sign-in page", [], async () => {
      await openAndAudit(owner, "signin", `${server}/signin`, "Sign in");
    });

    await step(11, "axe: no serious or critical violation on any main page", [], async () => {
      const expected = ["websites", "overview", "realtime", "funnels", "visitors", "goals", "settings", "account", "share", "signin"];
      const missing = expected.filter((p) => !result.axe.pages[p] || result.axe.pages[p].error);
      const blocking = Object.entries(result.axe.pages).flatMap(([page, entry]) =>
        entry.blocking.map((v) => `${page} (${v.viewport}): ${v.impact} ${v.id} — ${v.help} [${v.targets.join(" | ")}] ${v.summary || ""}`),
      );
      check(
        !missing.length && !blocking.length,
        [
          missing.length ? `not audited: ${missing.map((p) => `${p}${result.axe.pages[p]?.error ? ` (${result.axe.pages[p].error})` : ""}`).join(", ")}` : "",
          blocking.length ? `serious or critical violations:\n  ${blocking.join("\n  ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
      );
      return { pages: expected };
    });

    await step(12, "screenshots at 1280x800 and 375x812", [], async () => {
      const bad = result.screenshots.filter((file) => {
        const png = fs.readFileSync(file);
        const size = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
        return png.readUInt32BE(0) !== 0x89504e47 || !path.basename(file, ".png").endsWith(size);
      });
      check(result.screenshots.length === 20, `${result.screenshots.length} screenshots, not 20 (2 for each of 10 pages)`);
      check(!bad.length, `not PNGs of their viewport's size: ${bad.join(", ")}`);
      return { folder: screenshots, count: result.screenshots.length };
    });

    await step(13, "no uncaught exception, CSP violation or 5xx on the dashboard's pages", [], async () => {
      const problems = [];
      for (const [name, page] of Object.entries(owned)) {
        if (name === "visitor") continue; // the visited site is not the dashboard
        for (const e of page.exceptions) problems.push(`${name}: uncaught ${e.text} (${e.url}:${e.line})`);
        for (const c of page.consoleErrors) {
          if (/Content Security Policy|Refused to/i.test(c.text)) problems.push(`${name}: ${c.text}`);
        }
        for (const r of page.responses) if (r.status >= 500) problems.push(`${name}: ${r.method} ${r.url} answered ${r.status}`);
      }
      check(!problems.length, problems.join("\n  "));
    });
  } catch (error) {
    failures.push(`dashboard: ${error.stack || error.message}`);
  } finally {
    for (const [name, page] of Object.entries(owned)) {
      result.pages[name] = {
        exceptions: page.exceptions,
        consoleErrors: page.consoleErrors,
        failedRequests: page.failedRequests.filter((f) => !f.canceled),
        errorResponses: page.responses.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.url} ${r.status}`),
      };
    }
    result.ms = Date.now() - started;
    result.ok = failures.length === 0;
    console.log(JSON.stringify(result));
    // The same report beside the screenshots, to read after a run.
    try {
      fs.writeFileSync(path.join(screenshots, "report.json"), `${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      failures.push(`dashboard: cannot write report.json: ${error.message}`);
    }
    if (failures.length) {
      console.error(`dashboard: ${failures.length} failure(s):\n${failures.join("\n\n")}\nchromium stderr (tail):\n${browser.stderr.slice(-1500)}`);
      process.exitCode = 1;
    }
    if (sites) sites.close();
    await browser.close();
    clearTimeout(giveUp);
  }
}

main().catch((error) => {
  console.error(`dashboard: ${error.stack || error.message}`);
  process.exit(1);
});
