// The page header: brand, website switcher, section tabs, account link and sign-out.

import { h, mount } from "./dom.js";
import { account, signOut } from "./session.js";
import { websites } from "./sites.js";
import { navigate } from "./router.js";

const TABS = [
  ["", "Overview"],
  ["/realtime", "Realtime"],
  ["/funnels", "Funnels"],
  ["/visitors", "Visitors"],
  ["/goals", "Goals"],
  ["/settings", "Settings"],
];

function currentTab(siteId) {
  const rest = location.pathname.slice(`/websites/${siteId}`.length);
  const found = TABS.filter(([p]) => p && rest.startsWith(p)).pop();
  return found ? found[0] : "";
}

function switcher(siteId) {
  const select = h("select", { id: "site-switcher", class: "site-switcher" }, h("option", { value: "" }, "All websites"));
  websites()
    .then((list) => {
      for (const s of list) select.append(h("option", { value: s.id }, s.name || s.domain));
      select.value = siteId || "";
    })
    .catch(() => {
      // The page body shows the failure; the switcher just stays short.
    });
  select.addEventListener("change", () => {
    const id = select.value;
    navigate(id ? `/websites/${id}${siteId ? currentTab(siteId) : ""}` : "/");
  });
  return h("div", { class: "switcher" }, h("label", { for: "site-switcher", class: "visually-hidden" }, "Website"), select);
}

/** Renders the signed-in header; siteId adds the switcher selection and the section tabs. */
export function renderHeader(siteId) {
  const header = document.getElementById("header");
  const me = account();
  const signOutBtn = h("button", { type: "button", class: "btn btn-ghost" }, "Sign out");
  signOutBtn.addEventListener("click", async () => {
    signOutBtn.disabled = true;
    try {
      await signOut();
    } finally {
      navigate("/signin");
    }
  });
  const here = siteId ? currentTab(siteId) : null;
  mount(
    header,
    h(
      "div",
      { class: "bar" },
      h("a", { href: "/", class: "brand" }, "Analytics"),
      switcher(siteId),
      h(
        "div",
        { class: "bar-end" },
        h("a", { href: "/account", class: "account-link", "aria-current": location.pathname === "/account" ? "page" : null }, me?.name || me?.email || "Account"),
        signOutBtn,
      ),
    ),
    siteId
      ? h(
          "nav",
          { class: "section-tabs", "aria-label": "Website sections" },
          h(
            "ul",
            null,
            TABS.map(([p, label]) =>
              h("li", null, h("a", { href: `/websites/${siteId}${p}`, "aria-current": p === here ? "page" : null }, label)),
            ),
          ),
        )
      : null,
  );
}

/** A minimal header for signed-out pages (sign-in, setup, join, public share). */
export function renderPublicHeader(title) {
  mount(
    document.getElementById("header"),
    h("div", { class: "bar" }, h("span", { class: "brand" }, "Analytics"), title ? h("span", { class: "bar-title" }, title) : null),
  );
}
