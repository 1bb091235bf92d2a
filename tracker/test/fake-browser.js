// Owns a minimal hand-written browser fake (window, document, location, storage,
// navigator, fetch, sendBeacon, IntersectionObserver) and loads tracker/script.js into it with
// node:vm.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = fs.readFileSync(path.join(__dirname, "..", "script.js"), "utf8");

class FakeStorage {
  constructor() {
    this.map = new Map();
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

class FakeElement {
  constructor(tagName, attrs = {}, text = "") {
    this.tagName = tagName.toUpperCase();
    this.attrs = { ...attrs };
    this.textContent = text;
    this.parentNode = null;
  }
  get attributes() {
    return Object.entries(this.attrs).map(([name, value]) => ({ name, value }));
  }
  getAttribute(n) {
    return Object.prototype.hasOwnProperty.call(this.attrs, n) ? this.attrs[n] : null;
  }
  setAttribute(n, v) {
    this.attrs[n] = String(v);
  }
  append(child) {
    child.parentNode = this;
    return child;
  }
}

// Builds a page at `url`, with the tracker tag carrying `attrs` and loaded from `src`.
function makeBrowser({
  url = "https://www.example.com/pricing?x=1",
  src = "https://analytics.example.net/js/script.js",
  attrs = { "data-website-id": "dfid_test", "data-domain": "example.com" },
  status = 200,
  referrer = "",
  userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36",
  localStorage = new FakeStorage(),
  before,
} = {}) {
  const requests = [];
  const cookieWrites = [];
  const jar = new Map();
  const listeners = { window: {}, document: {} };
  const on = (bag) => (type, fn) => (bag[type] = bag[type] || []).push(fn);
  const location = new URL(url);

  // Elements the page holds besides the tag, for querySelectorAll("[attr]").
  const elements = [];
  // IntersectionObserver as the browser drives it: `intersect(el, ratio)` reports to every
  // observer watching `el`, as scrolling it into (or out of) view would.
  const observers = new Set();
  class IntersectionObserver {
    constructor(callback, options = {}) {
      this.callback = callback;
      this.options = options;
      this.targets = new Set();
      observers.add(this);
    }
    observe(el) {
      this.targets.add(el);
    }
    unobserve(el) {
      this.targets.delete(el);
    }
    disconnect() {
      this.targets.clear();
      observers.delete(this);
    }
  }
  const intersect = (el, ratio) => {
    for (const o of [...observers]) {
      if (o.targets.has(el)) o.callback([{ target: el, isIntersecting: ratio > 0, intersectionRatio: ratio }], o);
    }
  };

  const script = new FakeElement("script", attrs);
  script.src = src;
  const body = new FakeElement("body");
  const documentElement = new FakeElement("html");
  documentElement.scrollHeight = 2800; // 2,000 px to scroll past the 800 px window

  const document = {
    currentScript: script,
    referrer,
    documentElement,
    body,
    querySelector: () => script,
    querySelectorAll: (selector) => {
      const name = /^\[([\w-]+)\]$/.exec(selector);
      return name ? elements.filter((el) => el.getAttribute(name[1]) != null) : [];
    },
    addEventListener: on(listeners.document),
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    },
    set cookie(raw) {
      cookieWrites.push(raw);
      const [pair] = raw.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    },
  };

  const history = {
    pushState(_s, _t, to) {
      const next = new URL(to, location.href);
      location.href = next.href;
    },
    replaceState(_s, _t, to) {
      const next = new URL(to, location.href);
      location.href = next.href;
    },
  };

  const window = {
    document,
    location,
    history,
    localStorage,
    sessionStorage: new FakeStorage(),
    navigator: {
      userAgent,
      webdriver: false,
      sendBeacon: (u, b) => {
        requests.push({ url: u, via: "beacon", body: JSON.parse(b) });
        return true;
      },
    },
    innerWidth: 1280,
    innerHeight: 800,
    scrollY: 0,
    IntersectionObserver,
    crypto: globalThis.crypto,
    console: { log() {} },
    addEventListener: on(listeners.window),
    fetch: (u, init) => {
      requests.push({ url: u, via: "fetch", init, body: JSON.parse(init.body) });
      return Promise.resolve({ status });
    },
    setTimeout,
    clearTimeout,
    URL,
    URLSearchParams,
    Date,
    JSON,
    Math,
    Uint8Array,
  };
  window.window = window;
  window.self = window;
  window.top = window;
  if (before) before(window);

  const context = vm.createContext(window);
  const load = () => vm.runInContext(SOURCE, context, { filename: "script.js" });

  // Fires a DOM event on the document the way a bubbling browser event would reach it.
  const fire = (type, target, extra = {}) =>
    (listeners.document[type] || []).forEach((fn) => fn({ type, target, ...extra }));
  const fireWindow = (type) => (listeners.window[type] || []).forEach((fn) => fn({ type }));

  const add = (el) => elements.push(el) && el;
  return { window, document, location, script, body, requests, cookieWrites, jar, load, fire, fireWindow, FakeElement, add, intersect };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

module.exports = { makeBrowser, FakeElement, FakeStorage, tick };
