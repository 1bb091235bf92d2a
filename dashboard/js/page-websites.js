// The websites list: each site's visitors, revenue and trend for the last 30 days, and the "New website" form with its snippet.

import { h, mount, field } from "./dom.js";
import { post, get, one, ADMIN } from "./api.js";
import { websites, invalidate, rememberSnippet } from "./sites.js";
import { renderHeader } from "./layout.js";
import { resolvePeriod, rangeQuery } from "./period.js";
import { num, money } from "./format.js";
import { sparkline } from "./chart.js";
import { load, card, copyBlock, onSubmit, empty, setTitle, focusHeading, errorBox, timezoneList } from "./ui.js";

const THIRTY_DAYS = new URLSearchParams("period=30d");

function siteStats(site, signal) {
  const box = h("div", { class: "site-stats" });
  const period = resolvePeriod(THIRTY_DAYS, site.timezone || "UTC");
  const q = { websiteId: site.id, ...rangeQuery(period) };
  load(
    box,
    async () => {
      const [ov, ts] = await Promise.all([
        get("/api/v1/analytics/overview", { ...q, fields: "visitors,revenue" }, { signal }),
        get("/api/v1/analytics/timeseries", { ...q, interval: "day", fields: "visitors" }, { signal }),
      ]);
      return { o: one(ov) || {}, series: (ts.data || []).map((b) => b.visitors || 0) };
    },
    ({ o, series }) => [
      h(
        "dl",
        { class: "site-figures" },
        h("div", null, h("dt", null, "Visitors"), h("dd", null, num(o.visitors))),
        "revenue" in o ? h("div", null, h("dt", null, "Revenue"), h("dd", null, money(o.revenue, site.currency))) : null,
      ),
      sparkline(series),
    ],
  );
  return box;
}

function siteCard(site, signal) {
  return h(
    "li",
    { class: "site-card" },
    h(
      "div",
      { class: "site-card-head" },
      h("h2", null, h("a", { href: `/websites/${site.id}` }, site.name || site.domain)),
      h("p", { class: "page-sub" }, site.domain, site.role && site.role !== "owner" ? ` · ${site.role}` : ""),
    ),
    siteStats(site, signal),
  );
}

function newSiteForm(onCreated) {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const result = h("div", { class: "created", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "stack" },
    field("Domain", h("input", { name: "domain", required: true, placeholder: "example.com", autocomplete: "off", inputmode: "url" }), "The site's root domain, without https://."),
    field("Name", h("input", { name: "name", maxlength: "100", placeholder: "My site" }), "Optional: defaults to the domain."),
    field("Time zone", h("input", { name: "timezone", list: "tz-list", value: tz, autocomplete: "off" }), "Days and hours of the reports start in this zone."),
    timezoneList("tz-list"),
    h("button", { type: "submit", class: "btn btn-primary" }, "Create website"),
  );
  onSubmit(form, async (f) => {
    const body = { domain: f.domain.value.trim() };
    if (f.name.value.trim()) body.name = f.name.value.trim();
    if (f.timezone.value.trim()) body.timezone = f.timezone.value.trim();
    const created = one(await post(`${ADMIN}/websites`, body));
    rememberSnippet(created.id, created.snippet);
    invalidate();
    form.reset();
    mount(
      result,
      h("h3", null, `${created.name || created.domain} is ready`),
      h("p", null, "Paste this tag into the <head> of every page of your site:"),
      copyBlock(created.snippet, "Copy snippet"),
      h("p", null, h("a", { href: `/websites/${created.id}`, class: "btn" }, "Open its dashboard")),
    );
    result.querySelector("h3").tabIndex = -1;
    result.querySelector("h3").focus();
    onCreated();
    return "Website created.";
  });
  return h("div", null, form, result);
}

export function websitesPage({ main, signal }) {
  renderHeader(null);
  setTitle("Websites");
  const listBox = h("div");
  const formBox = h("div", { id: "new-site", hidden: true });
  const toggle = h("button", { type: "button", class: "btn btn-primary", "aria-expanded": "false", "aria-controls": "new-site" }, "New website");
  let formBuilt = false;
  const openForm = (open) => {
    if (open && !formBuilt) {
      formBox.append(card("New website", newSiteForm(refresh)));
      formBuilt = true;
    }
    formBox.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) formBox.querySelector("input")?.focus();
  };
  toggle.addEventListener("click", () => openForm(formBox.hidden));

  function refresh() {
    load(
      listBox,
      () => websites(true),
      (list) => {
        if (!list.length) {
          queueMicrotask(() => openForm(true));
          return empty(h("p", null, "No websites yet — add one."));
        }
        return h("ul", { class: "site-list" }, list.map((s) => siteCard(s, signal)));
      },
    ).catch((e) => mount(listBox, errorBox(e)));
  }

  mount(
    main,
    h("div", { class: "page-head row" }, h("h1", null, "Websites"), toggle),
    h("p", { class: "page-sub" }, "Last 30 days, in each website's time zone."),
    formBox,
    listBox,
  );
  focusHeading(main);
  refresh();
}
