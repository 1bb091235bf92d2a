// A small Chrome DevTools Protocol client over Chromium's pipe (--remote-debugging-pipe): no
// browser download, no npm dependency, no debugging port. It launches a headless Chromium,
// makes isolated browser contexts (each its own cookies and storage, like a separate profile)
// and pages in them, and drives a page as a person would: navigate and wait for the load, click
// at an element's centre with the mouse, type through the keyboard's text input, wait for a
// selector or a text, evaluate script, take PNG screenshots at a given viewport. Each page
// records what went wrong on it: uncaught exceptions, console errors, failed requests and
// answers with an error status.
//
// const browser = await launch({ chromium, userAgent, mapHosts: ["shop.test"] });
// const context = await browser.newContext();
// const page = await context.newPage();
// await page.goto("http://127.0.0.1:8080/signin");
// await page.type("input[name=email]", "owner@example.com");
// await page.click("button[type=submit]");
// await page.waitForText("Websites");
// await browser.close();
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const DEFAULT_TIMEOUT_MS = 15000;

// Unreferenced: a pending grace period must not keep Node alive once all else is done.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The protocol over the pipe: fd 3 carries commands, fd 4 replies and events, each a JSON text ended by NUL. */
class Connection {
  constructor(child) {
    this.input = child.stdio[3];
    // A browser that died closes the pipe; the failure then surfaces as a timeout or a
    // rejected command, not as an unhandled stream error.
    this.input.on("error", () => {});
    child.stdio[4].on("error", () => {});
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.closed = false;
    let buffered = "";
    child.stdio[4].on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      let end;
      while ((end = buffered.indexOf("\0")) >= 0) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        this.dispatch(JSON.parse(text));
      }
    });
    child.stdio[4].on("close", () => {
      this.closed = true;
      for (const { reject, method } of this.pending.values()) reject(new Error(`${method}: the browser is gone`));
      this.pending.clear();
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
    for (const listener of [...this.listeners]) listener(message);
  }

  send(method, params = {}, sessionId) {
    if (this.closed) return Promise.reject(new Error(`${method}: the browser is gone`));
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    this.input.write(JSON.stringify(message) + "\0");
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  /** Calls listener(message) for every event; returns the function that stops it. */
  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Polls `check` (sync or async; a truthy answer ends the wait and is returned) until `timeout`.
 * On timeout the error names `what` and adds `explain()` when given.
 */
async function poll(what, check, { timeout = DEFAULT_TIMEOUT_MS, interval = 100, explain } = {}) {
  const deadline = Date.now() + timeout;
  let lastError = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const extra = explain ? await Promise.resolve().then(explain).catch((e) => `(explain failed: ${e})`) : "";
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}${lastError ? `; last error: ${lastError.message}` : ""}${extra ? `; ${extra}` : ""}`,
      );
    }
    await sleep(interval);
  }
}

/** The expression that calls fn with args, for Runtime.evaluate (args go as JSON). */
function callExpression(fn, args) {
  return `(${fn.toString()})(${args.map((a) => JSON.stringify(a === undefined ? null : a)).join(", ")})`;
}

class Page {
  constructor(browser, targetId, sessionId, context) {
    this.browser = browser;
    this.connection = browser.connection;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.context = context;
    this.timeout = DEFAULT_TIMEOUT_MS;
    /** Uncaught exceptions in the page's scripts. */
    this.exceptions = [];
    /** console.error/console.assert calls and the browser's own error log lines (CSP, network). */
    this.consoleErrors = [];
    /** Requests that got no answer (refused, blocked, cancelled): {url, method, error}. */
    this.failedRequests = [];
    /** Every answer: {url, method, status, type}, in order. */
    this.responses = [];
    /** Every request sent: {url, method, type, postData}, in order. */
    this.requests = [];
    this.loads = 0;
    this.documentStatus = null;
    this.viewport = null;
    this.requestsById = new Map();
    /** Requests sent and not yet finished or failed, by id. */
    this.inflight = new Set();
    this.mainFrameId = null;
    this.stop = this.connection.on((message) => {
      if (message.sessionId === this.sessionId) this.handle(message.method, message.params || {});
    });
  }

  handle(method, params) {
    switch (method) {
      case "Runtime.exceptionThrown": {
        const d = params.exceptionDetails || {};
        this.exceptions.push({
          text: (d.exception && (d.exception.description || d.exception.value)) || d.text,
          url: d.url,
          line: d.lineNumber,
        });
        break;
      }
      case "Runtime.consoleAPICalled":
        if (params.type === "error" || params.type === "assert") {
          this.consoleErrors.push({
            source: "console",
            text: params.args.map((a) => (a.value !== undefined ? String(a.value) : a.description || a.type)).join(" "),
          });
        }
        break;
      case "Log.entryAdded":
        if (params.entry.level === "error") {
          this.consoleErrors.push({ source: params.entry.source, text: params.entry.text, url: params.entry.url });
        }
        break;
      case "Network.requestWillBeSent": {
        const request = {
          url: params.request.url,
          method: params.request.method,
          type: params.type,
          postData: params.request.postData,
          loaderId: params.loaderId,
        };
        this.requestsById.set(params.requestId, request);
        this.requests.push(request);
        this.inflight.add(params.requestId);
        break;
      }
      case "Network.responseReceived": {
        const request = this.requestsById.get(params.requestId) || {};
        this.responses.push({
          url: params.response.url,
          method: request.method,
          status: params.response.status,
          type: params.type,
          postData: request.postData,
        });
        if (params.type === "Document" && (!this.mainFrameId || params.frameId === this.mainFrameId)) {
          this.documentStatus = params.response.status;
        }
        break;
      }
      case "Network.loadingFailed": {
        const request = this.requestsById.get(params.requestId) || {};
        this.failedRequests.push({ url: request.url, method: request.method, error: params.errorText, canceled: !!params.canceled });
        this.inflight.delete(params.requestId);
        break;
      }
      case "Network.loadingFinished":
        this.inflight.delete(params.requestId);
        break;
      case "Page.frameNavigated":
        // A new document in the main frame: the old one's requests end without an event.
        if (!params.frame.parentId) {
          for (const id of this.inflight) {
            if (this.requestsById.get(id)?.loaderId !== params.frame.loaderId) this.inflight.delete(id);
          }
        }
        break;
      case "Page.loadEventFired":
        this.loads += 1;
        break;
      default:
    }
  }

  /**
   * Holds back, by `ms`, every request whose URL contains `fragment` (a slow server, on
   * purpose), until the returned function is called.
   */
  async delayRequests(fragment, ms) {
    await this.call("Fetch.enable", { patterns: [{ urlPattern: `*${fragment}*`, requestStage: "Request" }] });
    const stop = this.connection.on((message) => {
      if (message.sessionId !== this.sessionId || message.method !== "Fetch.requestPaused") return;
      const { requestId } = message.params;
      setTimeout(() => this.call("Fetch.continueRequest", { requestId }).catch(() => {}), ms);
    });
    return async () => {
      stop();
      await this.call("Fetch.disable");
    };
  }

  /** A protocol command on this page's session. */
  call(method, params) {
    return this.connection.send(method, params, this.sessionId);
  }

  async enable() {
    await Promise.all([this.call("Page.enable"), this.call("Runtime.enable"), this.call("Network.enable"), this.call("Log.enable")]);
    const { frameTree } = await this.call("Page.getFrameTree");
    this.mainFrameId = frameTree.frame.id;
  }

  /** Navigates and waits for the load event; resolves to the document's HTTP status. */
  async goto(url, { timeout = this.timeout } = {}) {
    const before = this.loads;
    this.documentStatus = null;
    const { errorText } = await this.call("Page.navigate", { url });
    if (errorText) throw new Error(`navigating to ${url}: ${errorText}`);
    await poll(`the load of ${url}`, () => this.loads > before, { timeout, interval: 25 });
    return this.documentStatus;
  }

  /** Evaluates an expression (awaiting a promise) and returns its value as JSON. */
  async evaluate(expression, ...args) {
    const source = typeof expression === "function" ? callExpression(expression, args) : expression;
    const { result, exceptionDetails } = await this.call("Runtime.evaluate", {
      expression: source,
      returnByValue: true,
      awaitPromise: true,
      userGesture: true,
    });
    if (exceptionDetails) {
      const text = (exceptionDetails.exception && exceptionDetails.exception.description) || exceptionDetails.text;
      throw new Error(`evaluation failed: ${text}\n  in: ${source.slice(0, 300)}`);
    }
    return result.value;
  }

  url() {
    return this.evaluate("location.href");
  }

  /**
   * Waits until `fn(...args)` evaluated in the page is truthy; returns that value. `what` names
   * the wait in the timeout error, which also gives the page's address and visible text.
   */
  waitFor(what, fn, args = [], { timeout = this.timeout } = {}) {
    return poll(what, () => this.evaluate(fn, ...args), { timeout, explain: () => this.describe() });
  }

  /** Waits for an element matching `selector` (with `text` in its text, when given) that is visible. */
  waitForSelector(selector, { text, timeout = this.timeout, visible = true } = {}) {
    return this.waitFor(
      `${selector}${text ? ` with the text ${JSON.stringify(text)}` : ""}`,
      (sel, wanted, mustShow) =>
        [...document.querySelectorAll(sel)].some(
          (el) =>
            (!wanted || el.textContent.includes(wanted)) &&
            (!mustShow || !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)),
        ),
      [selector, text || null, visible],
      { timeout },
    );
  }

  /** Waits until `text` is in the page's visible text. */
  waitForText(text, { timeout = this.timeout } = {}) {
    return this.waitFor(`the text ${JSON.stringify(text)}`, (t) => document.body.innerText.includes(t), [text], { timeout });
  }

  /** Where the page is and what it shows, for failure messages. */
  async describe() {
    try {
      const seen = await this.evaluate(() => ({ href: location.href, text: document.body ? document.body.innerText.slice(0, 1500) : "" }));
      return `page ${seen.href} shows: ${JSON.stringify(seen.text)}; exceptions: ${JSON.stringify(this.exceptions)}`;
    } catch (error) {
      return `(the page cannot be read: ${error.message})`;
    }
  }

  /**
   * The centre of the first visible element matching `selector` (and holding `text`), scrolled
   * into view; fails when there is none or it is disabled.
   */
  async locate(selector, { text, timeout = this.timeout } = {}) {
    const box = await this.waitFor(
      `a visible ${selector}${text ? ` with the text ${JSON.stringify(text)}` : ""} to act on`,
      (sel, wanted) => {
        const el = [...document.querySelectorAll(sel)].find(
          (e) => (!wanted || e.textContent.includes(wanted)) && (e.offsetWidth || e.offsetHeight || e.getClientRects().length),
        );
        if (!el) return null;
        el.scrollIntoView({ block: "center", inline: "center" });
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, disabled: !!el.disabled };
      },
      [selector, text || null],
      { timeout },
    );
    if (box.disabled) throw new Error(`${selector} is disabled`);
    return box;
  }

  /** A real click: the mouse moves to the element's centre, presses and releases. */
  async click(selector, options = {}) {
    const { x, y } = await this.locate(selector, options);
    for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
      await this.call("Input.dispatchMouseEvent", { type, x, y, button: "left", clickCount: 1 });
    }
  }

  /** Focuses an input by clicking it, replaces its content, and types `text` as keyboard input. */
  async type(selector, text, options = {}) {
    await this.click(selector, options);
    await this.evaluate(
      (sel, wanted) => {
        const el = [...document.querySelectorAll(sel)].find((e) => !wanted || e.textContent.includes(wanted));
        el.focus();
        if (typeof el.select === "function") el.select();
      },
      selector,
      options.text || null,
    );
    // insertText replaces the selection and fires the input events a keyboard would.
    await this.call("Input.insertText", { text });
    const value = await this.evaluate((sel) => document.activeElement && document.activeElement.value, selector);
    if (value !== text) throw new Error(`typing into ${selector}: it holds ${JSON.stringify(value)}, not ${JSON.stringify(text)}`);
  }

  /** Chooses an option of a <select> by value, as picking it from the list would (input and change events). */
  async select(selector, value) {
    await this.locate(selector);
    const ok = await this.evaluate(
      (sel, v) => {
        const el = document.querySelector(sel);
        if (![...el.options].some((o) => o.value === v)) return false;
        el.focus();
        el.value = v;
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
        return true;
      },
      selector,
      value,
    );
    if (!ok) throw new Error(`${selector} has no option ${JSON.stringify(value)}`);
  }

  /**
   * Sets the viewport (CSS pixels; mobile turns on touch and the mobile meta viewport) and
   * waits two frames for the layout to follow.
   */
  async setViewport({ width, height, mobile = false, deviceScaleFactor = 1 }) {
    await this.call("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor, mobile });
    await this.call("Emulation.setTouchEmulationEnabled", { enabled: mobile });
    this.viewport = { width, height, mobile, deviceScaleFactor };
    await this.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }

  /** A PNG of the viewport, written to `file` when given; resolves to the bytes. */
  async screenshot(file) {
    const { data } = await this.call("Page.captureScreenshot", { format: "png", fromSurface: true });
    const bytes = Buffer.from(data, "base64");
    if (file) fs.writeFileSync(file, bytes);
    return bytes;
  }

  /**
   * Waits until the page has settled: no request in flight for `quietMs`, and nothing in the
   * document still loading (an element with aria-busy="true" or the class "loading").
   */
  async settle({ quietMs = 250, timeout = this.timeout } = {}) {
    let quietSince = null;
    await poll(
      "the page to settle (no request in flight, nothing loading)",
      async () => {
        const busy = await this.evaluate(
          () => document.readyState === "complete" && !document.querySelector('[aria-busy="true"], .loading') ? 0 : 1,
        );
        if (busy || this.inflight.size) {
          quietSince = null;
          return false;
        }
        quietSince ??= Date.now();
        return Date.now() - quietSince >= quietMs;
      },
      {
        timeout,
        interval: 50,
        explain: async () =>
          `in flight: ${JSON.stringify([...this.inflight].map((id) => this.requestsById.get(id)?.url))}; ${await this.describe()}`,
      },
    );
  }

  /** Waits until a response for which `predicate(response)` holds was received; returns it. */
  waitForResponse(what, predicate, { timeout = this.timeout, after = 0 } = {}) {
    return poll(what, () => this.responses.slice(after).find(predicate), {
      timeout,
      interval: 25,
      explain: () => `responses: ${JSON.stringify(this.responses.slice(after).map((r) => `${r.method} ${r.url} ${r.status}`))}`,
    });
  }

  async close() {
    this.stop();
    await this.browser.connection.send("Target.closeTarget", { targetId: this.targetId }).catch(() => {});
  }
}

class Context {
  constructor(browser, id) {
    this.browser = browser;
    this.id = id;
    this.pages = [];
  }

  /** A new tab in this context, attached, with its events on. */
  async newPage() {
    const connection = this.browser.connection;
    const params = { url: "about:blank" };
    if (this.id) params.browserContextId = this.id;
    const { targetId } = await connection.send("Target.createTarget", params);
    const { sessionId } = await connection.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this.browser, targetId, sessionId, this);
    await page.enable();
    this.pages.push(page);
    return page;
  }

  /** The cookies this context holds for `urls`. */
  async cookies(urls) {
    const { cookies } = await this.browser.connection.send("Storage.getCookies", this.id ? { browserContextId: this.id } : {});
    if (!urls) return cookies;
    const hosts = urls.map((u) => new URL(u).hostname);
    return cookies.filter((c) => hosts.some((host) => host === c.domain.replace(/^\./, "") || host.endsWith(c.domain)));
  }

  async close() {
    for (const page of this.pages) page.stop();
    if (this.id) await this.browser.connection.send("Target.disposeBrowserContext", { browserContextId: this.id }).catch(() => {});
  }
}

class Browser {
  constructor(child, connection, profile, exited) {
    this.child = child;
    this.connection = connection;
    this.profile = profile;
    this.exited = exited;
    this.contexts = [];
    this.stderr = "";
  }

  /** An isolated context: its own cookies, storage and cache, as a fresh profile has. */
  async newContext() {
    const { browserContextId } = await this.connection.send("Target.createBrowserContext", { disposeOnDetach: true });
    const context = new Context(this, browserContextId);
    this.contexts.push(context);
    return context;
  }

  /** Closes the browser (killing it if it does not go) and removes its profile. */
  async close() {
    if (!this.connection.closed) await Promise.race([this.connection.send("Browser.close").catch(() => {}), sleep(2000)]);
    const gone = await Promise.race([this.exited.then(() => true), sleep(5000)]);
    if (!gone) {
      this.child.kill("SIGKILL");
      await Promise.race([this.exited, sleep(5000)]);
    }
    // The profile goes only once the browser is gone: it writes there until it exits.
    fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }

  /** Ends the browser at once (from a give-up timer). */
  kill() {
    this.child.kill("SIGKILL");
    fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 2, retryDelay: 100 });
  }
}

/**
 * Starts headless Chromium. Options: chromium (the binary), userAgent (a visitor's browser
 * rather than "HeadlessChrome"), mapHosts (host names resolved to 127.0.0.1, nothing else),
 * windowSize ("1280,800"), extraFlags.
 */
async function launch({ chromium, userAgent, mapHosts = [], windowSize = "1280,800", extraFlags = [] }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "datafast-chromium-"));
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-proxy-server",
    "--remote-debugging-pipe",
    `--user-data-dir=${profile}`,
    // Not flagged as automation-controlled: a browser driven over DevTools otherwise reports
    // navigator.webdriver = true, which the tracker rightly treats as a bot.
    "--disable-blink-features=AutomationControlled",
    `--window-size=${windowSize}`,
    ...(userAgent ? [`--user-agent=${userAgent}`] : []),
    ...(mapHosts.length ? [`--host-resolver-rules=${mapHosts.map((h) => `MAP ${h} 127.0.0.1`).join(", ")}`] : []),
    ...extraFlags,
    "about:blank",
  ];
  const child = spawn(chromium, flags, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const started = new Promise((resolve, reject) => {
    child.on("error", (error) => reject(new Error(`cannot start ${chromium}: ${error.message}`)));
    child.on("spawn", resolve);
  });
  const connection = new Connection(child);
  const browser = new Browser(child, connection, profile, exited);
  child.stderr.on("data", (chunk) => {
    browser.stderr = (browser.stderr + chunk.toString("utf8")).slice(-4000);
  });
  try {
    await started;
    await Promise.race([
      connection.send("Browser.getVersion"),
      sleep(20000).then(() => Promise.reject(new Error(`Chromium did not answer; stderr:\n${browser.stderr}`))),
    ]);
  } catch (error) {
    child.kill("SIGKILL");
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return browser;
}

module.exports = { launch, poll, sleep, DEFAULT_TIMEOUT_MS };
