// The frame of every page about one website: header with switcher and tabs, the site heading, and loading the website first.

import { h, mount } from "./dom.js";
import { renderHeader } from "./layout.js";
import { website } from "./sites.js";
import { load, setTitle, focusHeading } from "./ui.js";

/**
 * Loads the website named by ctx.params.id, then calls render(site, body).
 * A 404 (unknown or not yours) reads as "not found" rather than a raw message.
 */
export function sitePage(ctx, section, render) {
  const id = ctx.params.id;
  renderHeader(id);
  const heading = h("h1", null, section);
  const sub = h("p", { class: "page-sub" });
  const body = h("div", { class: "page-body" });
  mount(ctx.main, h("div", { class: "page-head" }, heading, sub), body);
  // A new page moves focus to its heading; the same page with a new query (filters,
  // period) lets app.js put focus back on the control the user was on.
  if (!ctx.samePath) focusHeading(ctx.main);
  return load(
    body,
    () =>
      website(id).catch((e) =>
        Promise.reject(e.status === 404 ? new Error("Website not found: it does not exist or you have no access to it.") : e),
      ),
    (site) => {
      heading.textContent = `${site.name || site.domain}${section === "Overview" ? "" : ` — ${section}`}`;
      sub.replaceChildren(site.domain, site.role ? ` · your role: ${site.role}` : "");
      setTitle(section, site.name || site.domain);
      const inner = h("div");
      // Render after mounting, so the page can measure and focus what it builds.
      queueMicrotask(() => render(site, inner));
      return inner;
    },
  );
}

/** A note shown to viewers where write controls are hidden. */
export const viewOnlyNote = () =>
  h("p", { class: "note" }, "You have view-only access to this website: changes are not available.");
