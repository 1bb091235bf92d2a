// Owns the behaviour tests of the tracker against the fake browser (node --test).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { makeBrowser, FakeElement, FakeStorage, tick } = require("./fake-browser.js");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a pageview is sent with the documented fields", async () => {
  const b = makeBrowser({ url: "https://www.example.com/pricing?gclid=abc&x=1", referrer: "https://google.com/" });
  b.load();
  assert.equal(b.requests.length, 1);
  const { url, init, body } = b.requests[0];
  assert.equal(url, "https://analytics.example.net/api/events");
  assert.equal(init.method, "POST");
  assert.equal(init.headers["Content-Type"], "application/json");
  assert.equal(body.type, "pageview");
  assert.equal(body.websiteId, "dfid_test");
  assert.equal(body.domain, "example.com");
  assert.equal(body.href, "https://www.example.com/pricing?gclid=abc&x=1");
  assert.equal(body.referrer, "https://google.com/");
  assert.deepEqual({ ...body.viewport }, { width: 1280, height: 800 });
  assert.match(body.visitorId, UUID);
  assert.equal(body.sessionId.length, 37);
  assert.match(body.sessionId.slice(1), UUID);
  assert.deepEqual({ ...body.adClickIds }, { gclid: "abc" });
  assert.equal(body.visitorSessionNumber, 1);
  assert.ok(!Number.isNaN(Date.parse(body.visitorFirstSeenAt)));
  assert.equal(body.extraData, undefined);
  assert.equal(body.cookieless, undefined);
});

test("referrer is null and adClickIds omitted when absent", () => {
  const b = makeBrowser();
  b.load();
  assert.equal(b.requests[0].body.referrer, null);
  assert.equal("adClickIds" in b.requests[0].body, false);
});

test("visitor and session cookies are set with their lifetimes and domain", async () => {
  const b = makeBrowser();
  b.load();
  const sent = b.requests[0].body;
  assert.equal(b.jar.get("datafast_visitor_id"), sent.visitorId);
  assert.equal(b.jar.get("datafast_session_id"), sent.sessionId);
  const visitor = b.cookieWrites.find((c) => c.startsWith("datafast_visitor_id="));
  assert.match(visitor, /max-age=31536000/);
  assert.match(visitor, /domain=\.example\.com/);
  assert.match(visitor, /path=\//);
  const session = b.cookieWrites.filter((c) => c.startsWith("datafast_session_id="));
  assert.match(session[0], /max-age=1800/);
  await tick();
  // HTTP 200 refreshes the session cookie once more.
  assert.equal(b.cookieWrites.filter((c) => c.startsWith("datafast_session_id=")).length, session.length + 1);
});

test("a non-200 answer does not refresh the session", async () => {
  const b = makeBrowser({ status: 202 });
  b.load();
  const before = b.cookieWrites.length;
  await tick();
  assert.equal(b.cookieWrites.length, before);
});

test("a corrupt session count cookie still sends a count of at least 1", () => {
  const b = makeBrowser();
  b.jar.set("datafast_visitor_id", "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c");
  b.jar.set("datafast_session_id", "s7a403e54-0983-4d84-bd9e-f82db331bb8e");
  b.jar.set("datafast_visitor_session_count", "%E0%A4%A");
  b.load();
  assert.equal(b.requests[0].body.visitorSessionNumber, 1);
});

test("a generic session_id parameter is not a Stripe payment", () => {
  const b = makeBrowser({ url: "https://example.com/?session_id=abc" });
  b.load();
  assert.deepEqual(b.requests.map((r) => r.body.type), ["pageview"]);
});

test("existing cookies are reused", () => {
  const b = makeBrowser();
  const vid = "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c";
  const sid = "s7a403e54-0983-4d84-bd9e-f82db331bb8e";
  b.jar.set("datafast_visitor_id", vid);
  b.jar.set("datafast_session_id", sid);
  b.jar.set("datafast_visitor_session_count", "4");
  b.load();
  assert.equal(b.requests[0].body.visitorId, vid);
  assert.equal(b.requests[0].body.sessionId, sid);
  assert.equal(b.requests[0].body.visitorSessionNumber, 4);
});

test("window.datafast(goal, params) sends a custom event", () => {
  const b = makeBrowser();
  b.load();
  b.window.datafast("signup", {
    plan: "pro",
    seats: 3,
    "Bad Key!": "x",
    evil: "<script>",
    Link: "javascript:alert(1)",
  });
  const last = b.requests.at(-1).body;
  assert.equal(last.type, "custom");
  assert.deepEqual({ ...last.extraData }, { eventName: "signup", plan: "pro", seats: "3", evil: "script", link: "alert(1)" });
  assert.equal(last.visitorId, b.requests[0].body.visitorId);
});

test("invalid goal names send nothing and never throw", () => {
  const b = makeBrowser();
  b.load();
  b.window.datafast("no spaces allowed");
  b.window.datafast(null, null);
  b.window.datafast("identify", {});
  b.window.datafast("payment", { name: "x" });
  assert.equal(b.requests.length, 1);
});

test("identify and payment calls", () => {
  const b = makeBrowser();
  b.load();
  b.window.datafast("identify", { user_id: "u1", name: "Ada", plan: "pro" });
  b.window.datafast("payment", { email: "a@b.co" });
  assert.deepEqual({ ...b.requests[1].body.extraData }, { user_id: "u1", name: "Ada", plan: "pro" });
  assert.equal(b.requests[1].body.type, "identify");
  assert.deepEqual({ ...b.requests[2].body.extraData }, { email: "a@b.co" });
  assert.equal(b.requests[2].body.type, "payment");
});

test("calls queued by the stub before load are sent after the pageview", () => {
  const b = makeBrowser({
    before(w) {
      w.datafast = function () {
        (w.datafast.q = w.datafast.q || []).push(arguments);
      };
      w.datafast("signup", { plan: "pro" });
      w.datafast("newsletter");
    },
  });
  b.load();
  assert.deepEqual(
    b.requests.map((r) => r.body.type + ":" + (r.body.extraData ? r.body.extraData.eventName : "")),
    ["pageview:", "custom:signup", "custom:newsletter"],
  );
  assert.equal(b.requests[1].body.extraData.plan, "pro");
});

test("datafast_ignore in localStorage sends nothing, even for API calls", () => {
  const storage = new FakeStorage();
  storage.setItem("datafast_ignore", "true");
  const b = makeBrowser({ localStorage: storage });
  b.load();
  b.window.datafast("signup");
  assert.equal(b.requests.length, 0);
  assert.equal(b.cookieWrites.length, 0);
});

test("the cookieless variant sets no cookie and flags its events", () => {
  const b = makeBrowser({ src: "https://analytics.example.net/js/script.cookieless.js" });
  b.load();
  b.window.datafast("signup");
  assert.equal(b.cookieWrites.length, 0);
  assert.equal(b.jar.size, 0);
  const [a, c] = b.requests.map((r) => r.body);
  assert.equal(a.cookieless, true);
  assert.equal(a.visitorSessionNumber, 0);
  assert.equal("visitorFirstSeenAt" in a, false);
  assert.match(a.visitorId, UUID);
  assert.notEqual(a.visitorId, c.visitorId, "a fresh visitor id on every event");
  assert.equal(a.sessionId, c.sessionId, "the session survives in sessionStorage");
});

test("a click on [data-fast-goal] sends its goal and params", () => {
  const b = makeBrowser();
  b.load();
  const button = b.body.append(
    new FakeElement("button", {
      "data-fast-goal": "initiate_checkout",
      "data-fast-goal-price": "49",
      "data-fast-goal-plan-type": "pro",
    }),
  );
  const icon = button.append(new FakeElement("span"));
  b.fire("click", icon);
  const last = b.requests.at(-1).body;
  assert.equal(last.type, "custom");
  assert.deepEqual({ ...last.extraData }, { eventName: "initiate_checkout", price: "49", plan_type: "pro" });
  // Enter on a real button becomes a click in browsers, so keydown alone must not double-count.
  b.fire("keydown", button, { key: "Enter" });
  assert.equal(b.requests.length, 2);
  const div = b.body.append(new FakeElement("div", { "data-fast-goal": "demo" }));
  b.fire("keydown", div, { key: " " });
  assert.equal(b.requests.at(-1).body.extraData.eventName, "demo");
});

test("a scroll goal is sent once, when enough of its element has stayed in view", async () => {
  const b = makeBrowser();
  const section = b.add(
    new FakeElement("section", {
      "data-fast-scroll": "read_pricing",
      "data-fast-scroll-threshold": "0.6",
      "data-fast-scroll-delay": "30",
      "data-fast-scroll-section-name": "plans",
    }),
  );
  b.load();
  assert.equal(b.requests.length, 1, "only the pageview so far");
  b.intersect(section, 0.4); // below the threshold
  await tick(50);
  b.intersect(section, 0.7);
  b.intersect(section, 0); // scrolled away before the delay ran out
  await tick(50);
  assert.equal(b.requests.length, 1, "not enough of it, or not long enough");
  b.window.scrollY = 1500;
  b.intersect(section, 0.7);
  await tick(50);
  assert.equal(b.requests.length, 2);
  const goal = b.requests.at(-1).body;
  assert.equal(goal.type, "custom");
  assert.deepEqual(
    { ...goal.extraData },
    { eventName: "read_pricing", scroll_percentage: "75", threshold: "0.6", delay: "30", section_name: "plans" },
  );
  b.intersect(section, 1);
  await tick(50);
  assert.equal(b.requests.length, 2, "once per element");
});

test("a scroll goal without threshold or delay fires at half in view, at once", async () => {
  const b = makeBrowser();
  const footer = b.add(new FakeElement("footer", { "data-fast-scroll": "reached_footer" }));
  b.load();
  b.intersect(footer, 0.5);
  await tick(5);
  const goal = b.requests.at(-1).body.extraData;
  assert.equal(goal.eventName, "reached_footer");
  assert.equal(goal.threshold, "0.5");
  assert.equal(goal.delay, "0");
  assert.equal(goal.scroll_percentage, "0");
});

test("a second copy of the tag does not double pageviews or clicks", () => {
  const b = makeBrowser();
  b.load();
  b.window.sessionStorage.removeItem("datafast_pageview_state");
  b.load();
  b.fire("click", b.body.append(new FakeElement("div", { "data-fast-goal": "demo" })));
  assert.deepEqual(b.requests.map((r) => r.body.type), ["pageview", "custom"]);
});

test("clicks on links to other hosts send external_link, same-host links do not", () => {
  const b = makeBrowser();
  b.load();
  b.fire("click", b.body.append(new FakeElement("a", { href: "/about" }, "About")));
  assert.equal(b.requests.length, 1);
  b.fire("click", b.body.append(new FakeElement("a", { href: "https://github.com/x" }, "  GitHub ")));
  const last = b.requests.at(-1).body;
  assert.equal(last.type, "external_link");
  assert.deepEqual({ ...last.extraData }, { url: "https://github.com/x", text: "GitHub" });
});

const CROSS = { "data-website-id": "dfid_test", "data-domain": "example.com", "data-allowed-hostnames": "shop.example.org, example.net" };
const VID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SID = "s7c9e6679-7425-40de-944b-e07fc1f90ae7";

test("ids handed over in the URL by an allowed site are taken over, then removed from it", () => {
  const handed = `_df_vid=${VID}&_df_sid=${SID}&_df_vfs=2026-01-02T03:04:05.000Z&_df_vsn=3`;
  const b = makeBrowser({ url: `https://www.example.com/pricing?x=1&${handed}#plans`, attrs: CROSS });
  b.load();
  const pageview = b.requests[0].body;
  assert.equal(pageview.visitorId, VID);
  assert.equal(pageview.sessionId, SID);
  assert.equal(pageview.visitorFirstSeenAt, "2026-01-02T03:04:05.000Z");
  assert.equal(pageview.visitorSessionNumber, 3);
  assert.equal(pageview.href, "https://www.example.com/pricing?x=1#plans");
  assert.equal(b.location.href, "https://www.example.com/pricing?x=1#plans");
  assert.equal(b.jar.get("datafast_visitor_id"), VID);
});

test("handed-over ids are ignored without data-allowed-hostnames, and malformed ones always", () => {
  const plain = makeBrowser({ url: `https://www.example.com/?_df_vid=${VID}&_df_sid=${SID}` });
  plain.load();
  assert.notEqual(plain.requests[0].body.visitorId, VID);
  const bad = makeBrowser({ url: "https://www.example.com/?_df_vid=nope&_df_sid=s1", attrs: CROSS });
  bad.load();
  assert.match(bad.requests[0].body.visitorId, UUID);
  assert.notEqual(bad.requests[0].body.sessionId, "s1");
  assert.equal(bad.requests[0].body.href, "https://www.example.com/", "removed all the same");
});

test("a page that may not rewrite its URL still tracks the handed-over visit", () => {
  const b = makeBrowser({
    url: `https://www.example.com/?_df_vid=${VID}&_df_sid=${SID}`,
    attrs: CROSS,
    before: (w) => {
      w.history.replaceState = () => {
        throw new Error("sandboxed");
      };
    },
  });
  b.load();
  assert.equal(b.requests.length, 1);
  assert.equal(b.requests[0].body.visitorId, VID);
});

test("links to an allowed site carry the ids and are no outbound click; others are", () => {
  const b = makeBrowser({ attrs: CROSS });
  b.load();
  const ours = b.body.append(new FakeElement("a", { href: "https://shop.example.org/cart?item=2" }, "Cart"));
  b.fire("click", ours);
  assert.equal(b.requests.length, 1, "no external_link for our own other site");
  const sent = new URL(ours.getAttribute("href"));
  const me = b.requests[0].body;
  assert.equal(sent.searchParams.get("item"), "2");
  assert.equal(sent.searchParams.get("_df_vid"), me.visitorId);
  assert.equal(sent.searchParams.get("_df_sid"), me.sessionId);
  assert.equal(sent.searchParams.get("_df_vfs"), me.visitorFirstSeenAt);
  assert.equal(sent.searchParams.get("_df_vsn"), String(me.visitorSessionNumber));
  const sub = b.body.append(new FakeElement("a", { href: "https://blog.example.net/" }, "Blog"));
  b.fire("click", sub);
  assert.ok(new URL(sub.getAttribute("href")).searchParams.has("_df_vid"), "subdomains of a listed host count");
  const other = b.body.append(new FakeElement("a", { href: "https://github.com/x" }, "GitHub"));
  b.fire("click", other);
  assert.equal(b.requests.at(-1).body.type, "external_link");
  assert.equal(other.getAttribute("href"), "https://github.com/x");
});

test("payment ids in the URL are sent once per browser session", () => {
  const b = makeBrowser({ url: "https://example.com/thanks?session_id=cs_test_123&order_id=77" });
  b.load();
  const payments = b.requests.filter((r) => r.body.type === "payment").map((r) => ({ ...r.body.extraData }));
  assert.deepEqual(payments, [{ stripe_session_id: "cs_test_123" }, { lemonsqueezy_order_id: "77" }]);
  assert.equal(b.window.sessionStorage.getItem("datafast_stripe_payment_sent_cs_test_123"), "1");
});

test("data-disable-payments turns detection off", () => {
  const b = makeBrowser({
    url: "https://example.com/thanks?checkout_id=p1",
    attrs: { "data-website-id": "dfid_test", "data-domain": "example.com", "data-disable-payments": "true" },
  });
  b.load();
  assert.deepEqual(b.requests.map((r) => r.body.type), ["pageview"]);
});

test("SPA navigation sends a debounced pageview when the path changes", async () => {
  const b = makeBrowser();
  b.load();
  b.window.history.pushState({}, "", "/docs");
  b.window.history.pushState({}, "", "/docs/a");
  await tick(150);
  assert.equal(b.requests.length, 2);
  assert.equal(b.requests[1].body.href, "https://www.example.com/docs/a");
  b.window.history.replaceState({}, "", "/docs/a?tab=2");
  await tick(150);
  assert.equal(b.requests.length, 2, "same pathname is not a new page");
  b.location.href = "https://www.example.com/back";
  b.fireWindow("popstate");
  await tick(150);
  assert.equal(b.requests.length, 3);
});

test("hash changes count only in the hash variant", async () => {
  for (const [file, expected] of [["script.js", 1], ["script.hash.js", 2]]) {
    const b = makeBrowser({ src: "https://analytics.example.net/js/" + file });
    b.load();
    b.location.hash = "#/settings";
    b.fireWindow("hashchange");
    b.fireWindow("popstate");
    await tick(150);
    assert.equal(b.requests.length, expected, file);
  }
});

test("data-api-url chooses the endpoint", () => {
  const cases = [
    ["https://a.example.com", "https://a.example.com/api/events"],
    ["https://a.example.com/api/events", "https://a.example.com/api/events"],
    ["/datafast-events", "https://www.example.com/datafast-events"],
  ];
  for (const [api, expected] of cases) {
    const b = makeBrowser({ attrs: { "data-website-id": "dfid_test", "data-domain": "example.com", "data-api-url": api } });
    b.load();
    assert.equal(b.requests[0].url, expected, api);
  }
});

test("tracking is off on localhost, for bots and without required attributes, and never throws", () => {
  const off = [
    makeBrowser({ url: "http://localhost:3000/" }),
    makeBrowser({ userAgent: "Mozilla/5.0 HeadlessChrome/120" }),
    makeBrowser({ attrs: { "data-website-id": "dfid_test" } }),
  ];
  for (const b of off) {
    b.load();
    b.window.datafast("signup");
    assert.equal(b.requests.length, 0);
  }
  const allowed = makeBrowser({
    url: "http://localhost:3000/",
    attrs: { "data-website-id": "dfid_test", "data-domain": "localhost", "data-allow-localhost": "true" },
  });
  allowed.load();
  assert.equal(allowed.requests.length, 1);
  assert.ok(!allowed.cookieWrites.some((c) => c.includes("domain=")), "no domain attribute on localhost");
});

test("falls back to sendBeacon without fetch", () => {
  const b = makeBrowser({ before: (w) => delete w.fetch });
  b.load();
  assert.equal(b.requests[0].via, "beacon");
  assert.equal(b.requests[0].body.type, "pageview");
});

test("a hostile page environment does not make the script throw", () => {
  const b = makeBrowser({
    before(w) {
      Object.defineProperty(w, "localStorage", { get() { throw new Error("blocked"); } });
      w.history = null;
    },
  });
  assert.doesNotThrow(() => b.load());
  assert.equal(b.requests.length, 1);
});
