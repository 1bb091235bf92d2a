// Visitors: the list with its filters, and one visitor's profile and journey.

import { h, mount, field } from "./dom.js";
import { sitePage } from "./sitepage.js";
import { websiteSource } from "./source.js";
import { resolvePeriod, rangeQuery, periodPicker } from "./period.js";
import { navigate, withQuery } from "./router.js";
import { num, dateTime, ago, duration } from "./format.js";
import { card, load, table, empty, errorBox, loading, badge } from "./ui.js";

// The list's criteria, as the API names them (unprefixed, same value syntax as analytics filters).
const CRITERIA = [
  ["country", "Country", "United States or US"],
  ["region", "Region", ""],
  ["city", "City", ""],
  ["browser", "Browser", "Chrome"],
  ["os", "OS", "Mac OS"],
  ["device", "Device", "desktop, mobile…"],
  ["referrer", "Source", "Google or google.com"],
  ["utm_source", "UTM source", ""],
  ["utm_campaign", "UTM campaign", ""],
  ["visitedPage", "Visited page (exact path)", "/pricing"],
  ["visitedPageContains", "Visited page containing", "blog"],
  ["completedGoal", "Completed goal", "signup"],
];
const PAGE = 50;
// Long ids differ at both ends (uuids, hashes): show both.
const shortId = (id) => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

function criteriaForm(query) {
  const customer = h(
    "select",
    { name: "isCustomer", value: query.get("isCustomer") || "" },
    h("option", { value: "" }, "Anyone"),
    h("option", { value: "true" }, "Customers only"),
    h("option", { value: "false" }, "Non-customers only"),
  );
  const form = h(
    "form",
    { class: "inline-form", role: "search", "aria-label": "Filter visitors" },
    CRITERIA.map(([k, label, ph]) => field(label, h("input", { name: k, value: query.get(k) || "", placeholder: ph, autocomplete: "off" }))),
    field("Customer", customer),
    h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn btn-primary", dataset: { focus: "visitor-filters" } }, "Apply"), h("a", { class: "btn btn-ghost", href: location.pathname + (query.get("period") ? `?period=${encodeURIComponent(query.get("period"))}` : "") }, "Reset")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const changes = {};
    for (const [k] of CRITERIA) changes[k] = form[k].value.trim() || null;
    changes.isCustomer = customer.value || null;
    navigate(withQuery(changes));
  });
  return h("details", { class: "card", open: CRITERIA.some(([k]) => query.get(k)) || query.get("isCustomer") ? true : null }, h("summary", null, "Filters"), form);
}

function visitorRows(site, rows) {
  const base = `/websites/${site.id}/visitors/`;
  return table(
    [
      { label: "Visitor", render: (v) => h("a", { href: base + encodeURIComponent(v.visitorId), title: v.visitorId }, shortId(v.visitorId)) },
      { label: "Last seen", render: (v) => h("time", { datetime: v.lastSeenAt, title: dateTime(v.lastSeenAt, site.timezone) }, ago(v.lastSeenAt)) },
      { label: "Current page", render: (v) => v.currentUrl || "—" },
      { label: "Location", render: (v) => [v.identity?.city, v.identity?.region, v.identity?.country].filter(Boolean).join(", ") || "Unknown" },
      { label: "Device", render: (v) => [v.identity?.browser, v.identity?.os, v.identity?.device].filter(Boolean).join(" · ") || "Unknown" },
      { label: "First source", render: (v) => [v.acquisition?.referrer || "Direct", v.acquisition?.params?.utm_source].filter(Boolean).join(" · ") },
      { label: "Customer", render: (v) => (v.isCustomer ? badge("Customer", "ok") : "No") },
    ],
    rows,
    "Visitors",
  );
}

export const visitorsPage = (ctx) =>
  sitePage(ctx, "Visitors", (site, el) => {
    const source = websiteSource(site);
    const period = resolvePeriod(ctx.query, site.timezone || "UTC");
    const criteria = {};
    for (const [k] of CRITERIA) if (ctx.query.get(k)) criteria[k] = ctx.query.get(k);
    if (ctx.query.get("isCustomer")) criteria.isCustomer = ctx.query.get("isCustomer");
    const listBox = h("div");
    mount(el, h("div", { class: "toolbar" }, periodPicker(period)), criteriaForm(ctx.query), card("Visitors", listBox));

    const rows = [];
    async function page(offset) {
      const json = await source.get("visitors", { ...rangeQuery(period), ...criteria, limit: PAGE, offset }, { signal: ctx.signal });
      rows.push(...(json.data || []));
      return json.pagination?.hasMore;
    }
    function render(hasMore) {
      if (!rows.length) return empty(h("p", null, "No visitors match."));
      const more = hasMore ? h("button", { type: "button", class: "btn more" }, "Load more") : null;
      more?.addEventListener("click", async () => {
        more.disabled = true;
        more.textContent = "Loading…";
        const before = rows.length;
        try {
          const again = await page(before);
          mount(listBox, render(again));
          // Keep the keyboard where the new rows begin.
          listBox.querySelector(`tbody tr:nth-child(${before + 1}) a`)?.focus();
        } catch (e) {
          more.replaceWith(errorBox(e));
        }
      });
      return [h("p", { class: "hint" }, `${num(rows.length)} shown, most recent first.`), visitorRows(site, rows), more];
    }
    load(listBox, () => page(0), render);
  });

function journey(activity, tz) {
  const items = [
    ...(activity.visitedPages || []).map((p) => ({ t: p.timestamp, kind: "page", text: p.url })),
    ...(activity.completedGoals || []).map((g) => ({ t: g.timestamp, kind: "goal", text: `Goal: ${g.name}${g.origin === "payment_provider" ? " (payment provider)" : ""}${g.isServer ? " (server)" : ""}` })),
  ].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  if (!items.length) return empty(h("p", null, "No page views recorded."));
  return h(
    "ol",
    { class: "timeline" },
    items.map((i) => h("li", { class: i.kind }, h("time", { datetime: i.t }, dateTime(i.t, tz)), h("span", { class: "visually-hidden" }, i.kind === "goal" ? "Goal completed: " : "Page view: "), i.text)),
  );
}

const facts = (pairs) =>
  h(
    "dl",
    { class: "facts" },
    pairs.filter(([, v]) => v != null && v !== "").map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
  );

export const visitorPage = (ctx) =>
  sitePage(ctx, "Visitor", (site, el) => {
    const source = websiteSource(site);
    const id = ctx.params.visitorId;
    const body = h("div", { class: "page-body" }, loading());
    mount(el, h("p", null, h("a", { href: `/websites/${site.id}/visitors` }, "← All visitors")), body);
    load(
      body,
      () =>
        source.get(`visitors/${encodeURIComponent(id)}`, null, { signal: ctx.signal }).catch((e) =>
          Promise.reject(e.status === 404 ? new Error("No such visitor on this website (visitors appear after their first page view).") : e),
        ),
      (json) => {
        const v = json.data || {};
        const idn = v.identity || {};
        const act = v.activity || {};
        const params = Object.entries(idn.params || {}).filter(([, x]) => x);
        return [
          h("h2", null, v.profile?.metadata?.name || v.profile?.userId || v.visitorId),
          h(
            "div",
            { class: "grid-2" },
            card(
              "Profile",
              facts([
                ["Visitor id", v.visitorId],
                ["User id", v.profile?.userId],
                ["Identified", v.profile?.identifiedAt && dateTime(v.profile.identifiedAt, site.timezone)],
                ["Location", [idn.city, idn.region, idn.country].filter(Boolean).join(", ") || "Unknown"],
                ["Browser", [idn.browser?.name, idn.browser?.version].filter(Boolean).join(" ")],
                ["OS", [idn.os?.name, idn.os?.version].filter(Boolean).join(" ")],
                ["Device", idn.device?.type],
                ...params.map(([k, x]) => [`First touch ${k}`, x]),
                ...Object.entries(v.profile?.metadata || {}).map(([k, x]) => [k, String(x)]),
              ]),
            ),
            card(
              "Activity",
              facts([
                ["Visits", num(act.visitCount)],
                ["Page views", num(act.pageViewCount)],
                ["First visit", dateTime(act.firstVisitAt, site.timezone)],
                ["Latest visit", dateTime(act.lastVisitAt, site.timezone)],
                ["Known for", duration(act.timeSinceFirstVisit)],
                ["Current page", act.currentUrl],
              ]),
            ),
          ),
          card("Journey", journey(act, site.timezone)),
        ];
      },
    );
  });
