// The npm SDK `datafast`, unchanged, as a web page would run it, pointed at our server.
//
// Node is not a browser, so this file gives the SDK the few browser globals it reads (window,
// document with a cookie jar, navigator, location, storage, screen, history) and makes fetch
// add the headers a browser adds on its own: the browser's User-Agent and the page's Origin.
// Nothing of the SDK is patched: its web entry point (`initDataFast`) does the rest.
//
// Input (environment): DATAFAST_API_URL (full events URL), DATAFAST_WEBSITE_ID (dfid_...),
// DATAFAST_DOMAIN, DATAFAST_PAGE_URL (the page the SDK believes it runs on), DATAFAST_USER_AGENT.
// Output: one JSON line on stdout with the ids the SDK used, its cookies and every response
// status; exit 1 when any event was not accepted with a 2xx.
"use strict";

const TIMEOUT_MS = 30000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`sdk-client: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const apiUrl = required("DATAFAST_API_URL");
const websiteId = required("DATAFAST_WEBSITE_ID");
const domain = required("DATAFAST_DOMAIN");
const pageUrl = new URL(required("DATAFAST_PAGE_URL"));
const userAgent = required("DATAFAST_USER_AGENT");

const timer = setTimeout(() => {
  console.error(`sdk-client: gave up after ${TIMEOUT_MS} ms`);
  process.exit(1);
}, TIMEOUT_MS);

// document.cookie semantics the SDK relies on: writing sets or (when expired) deletes one
// cookie; reading returns "name=value; ..." without attributes.
const cookies = new Map();
const cookieAttributes = new Map();
const document = {
  referrer: "",
  documentElement: { getAttribute: () => null },
  get cookie() {
    return [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  },
  set cookie(text) {
    const [pair, ...attributes] = text.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const expires = attributes.find((a) => /^expires=/i.test(a));
    if (expires && Date.parse(expires.slice(8)) <= Date.now()) {
      cookies.delete(name);
      cookieAttributes.delete(name);
      return;
    }
    cookies.set(name, pair.slice(eq + 1));
    cookieAttributes.set(name, attributes);
  },
};

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

const events = new EventTarget();
const history = {
  pushState() {},
  replaceState() {},
};
const browserGlobals = {
  window: globalThis,
  self: globalThis,
  parent: globalThis,
  top: globalThis,
  document,
  location: pageUrl,
  navigator: { userAgent, language: "en-US", webdriver: false },
  screen: { width: 1920, height: 1080 },
  innerWidth: 1280,
  innerHeight: 800,
  localStorage: memoryStorage(),
  sessionStorage: memoryStorage(),
  history,
  addEventListener: events.addEventListener.bind(events),
  removeEventListener: events.removeEventListener.bind(events),
};
for (const [name, value] of Object.entries(browserGlobals)) {
  // Newer Node versions define some of these (navigator) as getters: replace, not assign.
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

// A browser sends its own User-Agent and, on a cross-origin POST, the page's Origin; the web
// SDK leaves both to the browser.
const statuses = [];
const nodeFetch = globalThis.fetch;
globalThis.fetch = async (url, init = {}) => {
  const headers = { ...init.headers, "User-Agent": userAgent, Origin: pageUrl.origin };
  const response = await nodeFetch(url, { ...init, headers });
  let type = "unknown";
  try {
    type = JSON.parse(init.body).type;
  } catch {}
  statuses.push({ type, status: response.status });
  return response;
};

async function main() {
  const { initDataFast } = require("datafast");
  const client = await initDataFast({
    websiteId,
    domain,
    apiUrl,
    // Events are flushed explicitly below, in the order they were tracked.
    flushInterval: 60000,
    maxQueueSize: 100,
  });
  if (!client.isInitialized()) {
    throw new Error("the SDK returned its do-nothing client (bot, iframe or localhost check)");
  }
  await client.trackPageview();
  await client.flush();
  await client.track("signup", { plan: "pro", seats: 3 });
  await client.identify("user_42", { name: "Ada Lovelace", company: "Analytical Engines" });
  await client.trackPayment({ email: "ada@example.com", amount: 49, currency: "USD" });
  await client.trackExternalLink("https://github.com/datafast", "GitHub");
  await client.flush();
  const pending = JSON.parse(globalThis.localStorage.getItem("datafast_event_queue") || "[]");
  const result = {
    visitorId: client.getVisitorId(),
    sessionId: client.getSessionId(),
    cookies: Object.fromEntries(cookies),
    cookieAttributes: Object.fromEntries(cookieAttributes),
    statuses,
    pending: pending.length,
  };
  await client.shutdown();
  console.log(JSON.stringify(result));
  const failed = statuses.filter((s) => s.status < 200 || s.status > 299);
  if (failed.length || pending.length || statuses.length !== 5) {
    console.error(`sdk-client: not every event was accepted: ${JSON.stringify(result)}`);
    process.exitCode = 1;
  }
}

main()
  .catch((error) => {
    console.error(`sdk-client: ${error && error.stack ? error.stack : error}`);
    process.exitCode = 1;
  })
  .finally(() => clearTimeout(timer));
