// The public share page /share/{domain}: the website view, signed out and read-only, from /api/share/{domain}/….

import { h, mount } from "./dom.js";
import { get, one } from "./api.js";
import { shareSource } from "./source.js";
import { renderOverview } from "./page-overview.js";
import { renderPublicHeader } from "./layout.js";
import { load, setTitle, focusHeading } from "./ui.js";

export function sharePage({ main, params, query, signal, samePath }) {
  const domain = params.domain;
  renderPublicHeader("Public dashboard");
  const heading = h("h1", null, domain);
  const body = h("div");
  mount(main, h("div", { class: "page-head" }, heading, h("p", { class: "page-sub" }, "Shared read-only analytics")), body);
  if (!samePath) focusHeading(main);
  setTitle(domain);
  load(
    body,
    () =>
      get(`/api/share/${encodeURIComponent(domain)}/analytics/metadata`, null, { signal, quiet401: true })
        .then(one)
        .catch((e) => Promise.reject(e.status === 404 ? new Error("This dashboard is not shared.") : e)),
    (meta) => {
      const source = shareSource(domain, meta);
      heading.textContent = source.name;
      setTitle(source.name);
      const inner = h("div");
      queueMicrotask(() => renderOverview(inner, source, query, signal));
      return inner;
    },
  );
}
