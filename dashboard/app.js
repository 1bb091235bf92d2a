// Entry point: the route table, the session gate for signed-in pages, and rendering on every navigation.

import { route, match, start, navigate } from "./js/router.js";
import { h, mount } from "./js/dom.js";
import { loadSession, forget } from "./js/session.js";
import { setUnauthorizedHandler } from "./js/api.js";
import { errorBox, setTitle } from "./js/ui.js";
import { renderPublicHeader } from "./js/layout.js";
import { signInPage, setupPage, joinPage } from "./js/page-auth.js";
import { websitesPage } from "./js/page-websites.js";
import { sitePage } from "./js/sitepage.js";
import { websiteSource } from "./js/source.js";
import { renderOverview } from "./js/page-overview.js";
import { sharePage } from "./js/page-share.js";
import { realtimePage } from "./js/page-realtime.js";
import { funnelsPage } from "./js/page-funnels.js";
import { visitorsPage, visitorPage } from "./js/page-visitors.js";
import { goalsPage } from "./js/page-goals.js";
import { settingsPage } from "./js/page-settings.js";
import { accountPage } from "./js/page-account.js";

const PUBLIC = { public: true };

route("/signin", signInPage, PUBLIC);
route("/setup", setupPage, PUBLIC);
route("/join", joinPage, PUBLIC);
route("/share/:domain", sharePage, PUBLIC);
route("/", websitesPage);
route("/account", accountPage);
route("/websites/:id", (ctx) => sitePage(ctx, "Overview", (site, el) => renderOverview(el, websiteSource(site), ctx.query, ctx.signal)));
route("/websites/:id/realtime", realtimePage);
route("/websites/:id/funnels", funnelsPage);
route("/websites/:id/visitors", visitorsPage);
route("/websites/:id/visitors/:visitorId", visitorPage);
route("/websites/:id/goals", goalsPage);
route("/websites/:id/settings", settingsPage);

let controller = null;
let cleanup = null;

const signInUrl = () => `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;

// A session that ends mid-visit (expired, signed out elsewhere) sends the user to sign in, then back.
setUnauthorizedHandler(() => {
  forget();
  if (!match(location.pathname)?.public) navigate(signInUrl(), { replace: true });
});

/**
 * A re-render of the same page (new filter, new period) rebuilds the DOM under the user's focus.
 * Controls carry data-focus="key"; the new control with the same key gets focus back.
 */
function restoreFocus(key) {
  setTimeout(() => {
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    // After adding or removing a filter, the chips are where the change shows.
    const wanted = key === "filter" || key === "chips" ? ".chip-remove" : key ? `[data-focus="${key}"]` : null;
    const target = (wanted && document.querySelector(wanted)) || document.querySelector("[data-focus=period]") || document.querySelector("#main h1");
    if (target) {
      if (target.tagName === "H1") target.tabIndex = -1;
      target.focus({ preventScroll: true });
    }
  }, 60);
}

async function render({ samePath = false } = {}) {
  const focusKey = samePath ? document.activeElement?.dataset?.focus || null : null;
  controller?.abort();
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const mine = (controller = new AbortController());
  const main = document.getElementById("main");
  const found = match(location.pathname);
  if (!samePath) scrollTo(0, 0);
  if (!found) {
    renderPublicHeader();
    setTitle("Not found");
    mount(main, h("h1", null, "Page not found"), h("p", null, h("a", { href: "/" }, "Back to your websites")));
    return;
  }
  if (!found.public) {
    let session;
    try {
      session = await loadSession();
    } catch (e) {
      renderPublicHeader();
      mount(main, h("h1", null, "Cannot reach the server"), errorBox(e));
      return;
    }
    if (mine.signal.aborted) return;
    if (!session) return navigate(signInUrl(), { replace: true });
  } else if (location.pathname === "/signin") {
    // Already signed in: skip the form.
    const session = await loadSession().catch(() => null);
    if (mine.signal.aborted) return;
    if (session) return navigate("/", { replace: true });
  }
  try {
    cleanup = await found.handler({
      main,
      params: found.params,
      query: new URLSearchParams(location.search),
      signal: mine.signal,
      samePath,
    });
    if (samePath) restoreFocus(focusKey);
  } catch (e) {
    if (e?.name === "AbortError") return;
    mount(main, h("h1", null, "Something went wrong"), errorBox(e));
  }
}

start(render);
