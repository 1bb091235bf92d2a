// Client-side routing with the History API: the route table, link interception and navigation.

const routes = [];
let renderFn = null;

/** Registers a path pattern such as "/websites/:id/visitors/:visitorId". */
export function route(pattern, handler, options = {}) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)"));
  routes.push({ re: new RegExp(`^${source}/?$`), names, handler, ...options });
}

export function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    const params = {};
    r.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]);
      } catch {
        params[n] = m[i + 1];
      }
    });
    return { ...r, params };
  }
  return null;
}

/** Goes to a same-origin URL without reloading; replace keeps the history entry. */
export function navigate(url, { replace = false } = {}) {
  const before = location.pathname;
  history[replace ? "replaceState" : "pushState"](null, "", url);
  renderFn?.({ samePath: before === location.pathname });
}

/** Paths the server answers itself, which a click must load for real. */
const SERVER_PATHS = /^\/(api|js|dashboard)\//;

function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest?.("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const href = a.getAttribute("href");
  if (href.startsWith("#")) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

export function start(render) {
  renderFn = render;
  document.addEventListener("click", onClick);
  addEventListener("popstate", () => render({ samePath: false, pop: true }));
  render({ samePath: false });
}

/** The current URL with some query parameters set (null removes one). */
export function withQuery(changes, base = location.search) {
  const p = new URLSearchParams(base);
  for (const [k, v] of Object.entries(changes)) {
    if (v == null || v === "") p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString();
  return location.pathname + (s ? `?${s}` : "");
}
