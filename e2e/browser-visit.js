// A visit by a real headless Chromium to a page that embeds our tracker, driven over the Chrome
// DevTools Protocol on a pipe (--remote-debugging-pipe): no browser download, no npm
// dependency, no debugging port.
//
// The page is served here on loopback (http://localhost:<port>/pricing) and loads
// `<server>/js/script.js` with data-website-id, data-domain and data-allow-localhost, as a
// developer testing a site locally would. The visit: the pageview with a goal queued by the
// `window.datafast` stub before the script loaded, a `window.datafast("signup", {...})` goal,
// a real mouse click on a `data-fast-goal` button, then a `history.pushState` navigation.
// Each step waits until Chromium has seen the server answer that event's POST.
//
// Input (environment): DATAFAST_SERVER (origin of our server), DATAFAST_WEBSITE_ID,
// DATAFAST_DOMAIN, DATAFAST_USER_AGENT, CHROMIUM (the browser binary). Optional:
// DATAFAST_SNIPPET, a script tag to paste into the page as it is, in place of the one built
// here; DATAFAST_PAGE_HOST, a host name the page is served under instead of localhost (Chromium
// maps it to loopback), so the page's origin is a site's and not a developer's machine;
// DATAFAST_OTHER_HOST, a second site of the same owner: the visit is then the cross-domain one
// (below) instead.
//
// The cross-domain visit: a long page on DATAFAST_PAGE_HOST whose tag lists the other host in
// data-allowed-hostnames, with a scroll goal at its foot and a link to a page on the other host
// (whose tag lists the first). The browser scrolls to the foot, then clicks the link; the output
// adds the second page's URL once loaded and the cookies of both sites.
// Output: one JSON line on stdout with the cookies Chromium holds for the page and the status of
// every POST to /api/events; exit 1 on any failure, with the reason on stderr.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");

const TIMEOUT_MS = 60000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`browser-visit: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const server = required("DATAFAST_SERVER");
const websiteId = required("DATAFAST_WEBSITE_ID");
const domain = required("DATAFAST_DOMAIN");
const userAgent = required("DATAFAST_USER_AGENT");
const chromiumPath = required("CHROMIUM");
const pastedSnippet = process.env.DATAFAST_SNIPPET;
const pageHost = process.env.DATAFAST_PAGE_HOST || "localhost";
const otherHost = process.env.DATAFAST_OTHER_HOST;

const escape = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const page = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>Pricing</title>
<script>
  // The documented stub: calls made before the tracker loads are queued and replayed.
  window.datafast = window.datafast || function () {
    (window.datafast.q = window.datafast.q || []).push(arguments);
  };
  window.datafast("video_play", { position: "hero" });
</script>
${pastedSnippet || `<script defer data-website-id="${escape(websiteId)}" data-domain="${escape(domain)}"
        data-allow-localhost="true" src="${escape(server)}/js/script.js"></script>`}
</head>
<body>
<h1>Pricing</h1>
<button id="checkout" data-fast-goal="initiate_checkout" data-fast-goal-price="49"
        data-fast-goal-plan-type="pro" style="width:200px;height:60px">Buy</button>
</body>
</html>`;

// The cross-domain pages: each site's tag names the other one.
const tag = (allowed) => `<script defer data-website-id="${escape(websiteId)}" data-domain="${escape(domain)}"
        data-allowed-hostnames="${escape(allowed)}" src="${escape(server)}/js/script.js"></script>`;
const crossPages = (port) => ({
  [pageHost]: `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${tag(otherHost)}</head>
<body style="margin:0"><a id="other" href="http://${otherHost}:${port}/post" style="display:block;height:40px">Our blog</a>
<div style="height:3000px"></div>
<section data-fast-scroll="read_plans" data-fast-scroll-plan="pro" style="height:300px">Plans</section>
</body></html>`,
  [otherHost]: `<!doctype html><html><head><meta charset="utf-8"><title>Blog</title>${tag(pageHost)}</head>
<body><h1>Post</h1></body></html>`,
});

function servePage() {
  const pages = http.createServer((request, response) => {
    const host = (request.headers.host || "").split(":")[0];
    const cross = otherHost && crossPages(pages.address().port)[host];
    if (cross && /^\/(pricing|post)/.test(request.url)) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(cross);
    } else if (!otherHost && request.url.startsWith("/pricing")) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(page);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) => pages.listen(0, "127.0.0.1", () => resolve(pages)));
}

// The DevTools protocol over Chromium's pipe: fd 3 carries our commands, fd 4 its replies and
// events, each message a JSON text ended by a NUL byte.
class DevTools {
  constructor(child) {
    this.input = child.stdio[3];
    // A browser that died closes the pipe; the failure then surfaces as a timeout with its
    // stderr, not as an unhandled stream error.
    this.input.on("error", () => {});
    child.stdio[4].on("error", () => {});
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buffered = "";
    child.stdio[4].on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      let end;
      while ((end = buffered.indexOf("\0")) >= 0) {
        this.dispatch(JSON.parse(buffered.slice(0, end)));
        buffered = buffered.slice(end + 1);
      }
    });
  }

  dispatch(message) {
    if (message.id && this.pending.has(message.id)) {
      const { resolve, reject, method } = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
      else resolve(message.result);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    this.input.write(JSON.stringify(message) + "\0");
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  on(listener) {
    this.listeners.push(listener);
  }
}

// Resolves each wait once its predicate holds; `check` runs after every answered POST.
function waiter(explain) {
  const waiting = [];
  return {
    check() {
      for (const w of [...waiting]) {
        if (w.predicate()) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    until(what, predicate) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}; ${explain()}`)),
          20000
        );
        waiting.push({
          predicate,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        this.check();
      });
    },
  };
}

async function main() {
  const pages = await servePage();
  const pageUrl = `http://${pageHost}:${pages.address().port}/pricing`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "datafast-chromium-"));
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-proxy-server",
    "--remote-debugging-pipe",
    `--user-data-dir=${profile}`,
    // A visitor's browser: a desktop Chrome user agent (not "HeadlessChrome"), and not flagged
    // as automation-controlled (a browser driven over DevTools otherwise reports
    // navigator.webdriver = true, which the tracker rightly treats as a bot).
    `--user-agent=${userAgent}`,
    "--disable-blink-features=AutomationControlled",
    "--window-size=1280,800",
    // A page host other than localhost resolves to the loopback page server, nothing else.
    ...(pageHost === "localhost"
      ? []
      : [`--host-resolver-rules=${[pageHost, otherHost].filter(Boolean).map((h) => `MAP ${h} 127.0.0.1`).join(", ")}`]),
    "about:blank",
  ];
  const child = spawn(chromiumPath, flags, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  // Unreferenced: a pending grace period must not keep Node alive once all else is done.
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  const removeProfile = () =>
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  // The profile goes only once the browser is gone: it writes there until it exits.
  const cleanup = async (devtools) => {
    if (devtools) await Promise.race([devtools.send("Browser.close").catch(() => {}), sleep(2000)]);
    const gone = await Promise.race([exited.then(() => true), sleep(5000)]);
    if (!gone) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(5000)]);
    }
    pages.close();
    removeProfile();
  };
  const giveUp = setTimeout(() => {
    console.error(`browser-visit: gave up after ${TIMEOUT_MS} ms; chromium stderr:\n${stderr}`);
    child.kill("SIGKILL");
    setTimeout(() => {
      removeProfile();
      process.exit(1);
    }, 1000);
  }, TIMEOUT_MS);
  child.on("error", (error) => {
    console.error(`browser-visit: cannot start ${chromiumPath}: ${error.message}`);
    process.exit(1);
  });

  let devtools;
  try {
    devtools = new DevTools(child);
    const { targetInfos } = await devtools.send("Target.getTargets");
    const target = targetInfos.find((t) => t.type === "page");
    if (!target) throw new Error(`no page target: ${JSON.stringify(targetInfos)}`);
    const { sessionId } = await devtools.send("Target.attachToTarget", {
      targetId: target.targetId,
      flatten: true,
    });
    const call = (method, params) => devtools.send(method, params, sessionId);

    // Every POST to /api/events and the status the server gave it, in order. Preflights are
    // separate OPTIONS requests and are not counted.
    const methods = new Map();
    const answered = [];
    const consoleLines = [];
    const explain = () => `answered: ${JSON.stringify(answered)}; console: ${JSON.stringify(consoleLines)}`;
    const wait = waiter(explain);
    devtools.on((message) => {
      if (message.sessionId !== sessionId) return;
      const params = message.params || {};
      if (message.method === "Network.requestWillBeSent" && params.request.url.includes("/api/events")) {
        let type = "unknown";
        try {
          type = JSON.parse(params.request.postData || "{}").type;
        } catch {}
        methods.set(params.requestId, { method: params.request.method, type });
      } else if (message.method === "Network.responseReceived" && methods.has(params.requestId)) {
        const request = methods.get(params.requestId);
        if (request.method === "POST") {
          answered.push({ type: request.type, status: params.response.status });
          wait.check();
        }
      } else if (message.method === "Network.loadingFailed" && methods.has(params.requestId)) {
        answered.push({ type: methods.get(params.requestId).type, status: 0, error: params.errorText });
        wait.check();
      } else if (message.method === "Runtime.consoleAPICalled") {
        consoleLines.push(params.args.map((a) => a.value).join(" "));
      }
    });
    await call("Network.enable");
    await call("Runtime.enable");
    await call("Page.enable");
    const evaluate = async (expression) => {
      const { result, exceptionDetails } = await call("Runtime.evaluate", {
        expression,
        returnByValue: true,
        awaitPromise: true,
      });
      if (exceptionDetails) throw new Error(`${expression}: ${JSON.stringify(exceptionDetails)}`);
      return result.value;
    };
    const posts = (type) => answered.filter((a) => a.type === type);

    const click = async (selector) => {
      // A real click: mouse events at the element's centre, as a person would press it.
      const box = await evaluate(
        `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
                  return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`
      );
      for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
        await call("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", clickCount: 1 });
      }
    };

    await call("Page.navigate", { url: pageUrl });
    if (otherHost) {
      await wait.until("the first site's pageview", () => posts("pageview").length >= 1);
      await evaluate("window.scrollTo(0, document.body.scrollHeight)");
      await wait.until("the scroll goal", () => posts("custom").length >= 1);
      await evaluate("window.scrollTo(0, 0)");
      await click("#other");
      await wait.until("the other site's pageview", () => posts("pageview").length >= 2);
      const otherUrl = `http://${otherHost}:${pages.address().port}/post`;
      const cookiesOf = async (url) => (await call("Network.getCookies", { urls: [url] })).cookies;
      const result = {
        otherPageHref: await evaluate("location.href"),
        cookies: { [pageHost]: await cookiesOf(pageUrl), [otherHost]: await cookiesOf(otherUrl) },
        answered,
        console: consoleLines,
      };
      console.log(JSON.stringify(result));
      if (answered.some((a) => a.status !== 200)) throw new Error(`not every event got 200; ${explain()}`);
      return;
    }
    await wait.until(
      "the pageview and the goal queued by the stub",
      () => posts("pageview").length >= 1 && posts("custom").length >= 1
    );

    await evaluate(`window.datafast("signup", { plan: "pro", seats: 3 })`);
    await wait.until("the window.datafast goal", () => posts("custom").length >= 2);

    await click("#checkout");
    await wait.until("the data-fast-goal click", () => posts("custom").length >= 3);

    // A single-page app's navigation: a new path without a page load.
    await evaluate(`history.pushState({}, "", "/pricing/annual")`);
    await wait.until("the pageview after pushState", () => posts("pageview").length >= 2);

    const { cookies } = await call("Network.getCookies", { urls: [pageUrl] });
    const result = {
      pageUrl,
      userAgent: await evaluate("navigator.userAgent"),
      webdriver: await evaluate("navigator.webdriver"),
      documentCookie: await evaluate("document.cookie"),
      cookies: cookies.map(({ name, value, domain: host, path: cookiePath, expires, session }) => ({
        name,
        value,
        domain: host,
        path: cookiePath,
        expires,
        session,
      })),
      answered,
      console: consoleLines,
    };
    console.log(JSON.stringify(result));
    const failed = answered.filter((a) => a.status !== 200);
    if (failed.length) throw new Error(`the server did not answer every event with 200; ${explain()}`);
  } catch (error) {
    console.error(`browser-visit: ${error && error.stack ? error.stack : error}\nchromium stderr:\n${stderr}`);
    process.exitCode = 1;
  } finally {
    await cleanup(devtools);
    clearTimeout(giveUp);
  }
}

main();
