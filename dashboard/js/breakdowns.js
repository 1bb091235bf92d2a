// The breakdown panels of a website view (sources, pages with entry and exit pages, hostnames, locations, technology, goals): tabs, rows with visitors and revenue, click to filter.

import { h } from "./dom.js";
import { num, money, pct } from "./format.js";
import { tabs, load, empty } from "./ui.js";
import { addFilters } from "./filters.js";

const CAMPAIGN_FIELDS = ["utm_source", "utm_medium", "utm_campaign"];

/**
 * Each tab: path (under analytics/), how a row is named, and which filter a click adds.
 * Channels come from the server's channels breakdown, where a visitor counts once per
 * channel (the rules are in docs/analytics.md).
 * `head` names the first column (the tab's label otherwise), `columns` adds numeric columns
 * after visitors, and `revenue: false` leaves revenue out (exit pages have none). `fields`
 * is the query's `fields`, or a function of ctx giving it (goals ask for revenue only when
 * it is shown).
 */
const PANELS = [
  {
    title: "Sources",
    tabs: [
      { id: "channels", label: "Channels", path: "channels", name: (r) => r.channel || "Direct", filters: (r) => (r.channel ? [["channel", r.channel]] : []) },
      { id: "referrers", label: "Referrers", path: "referrers", name: (r) => r.referrer || "Direct/None", filters: (r) => [["referrer", r.referrer || "Direct/None"]] },
      {
        id: "campaigns",
        label: "Campaigns",
        path: "campaigns",
        fields: [...CAMPAIGN_FIELDS, "visitors", "revenue", "payments"].join(","),
        name: (r) => CAMPAIGN_FIELDS.map((k) => r.campaign?.[k]).filter(Boolean).join(" / ") || "(none)",
        filters: (r) => CAMPAIGN_FIELDS.filter((k) => r.campaign?.[k]).map((k) => [k, r.campaign[k]]),
      },
    ],
  },
  {
    title: "Pages",
    tabs: [
      { id: "pages", label: "Top", head: "Page", path: "pages", name: (r) => r.path || "(unknown)", sub: (r) => r.hostname, filters: (r) => (r.path ? [["page", r.path]] : []) },
      {
        id: "entry-pages",
        label: "Entry",
        head: "Entry page",
        path: "entry-pages",
        columns: [{ head: "Entries", cell: (r) => num(r.entries) }],
        name: (r) => r.path || "(unknown)",
        sub: (r) => r.hostname,
        filters: (r) => (r.path ? [["entry_page", r.path]] : []),
      },
      {
        id: "exit-pages",
        label: "Exit",
        head: "Exit page",
        path: "exit-pages",
        revenue: false,
        columns: [
          { head: "Exits", cell: (r) => num(r.exits) },
          { head: "Exit rate", cell: (r) => pct(r.exitRate) },
        ],
        name: (r) => r.path || "(unknown)",
        sub: (r) => r.hostname,
        filters: (r) => (r.path ? [["page", r.path]] : []),
      },
    ],
  },
  {
    title: "Locations",
    tabs: [
      { id: "countries", label: "Countries", path: "countries", fields: "country,visitors,revenue,payments", name: (r) => r.country || "(unknown)", filters: (r) => (r.country ? [["country", r.country]] : []) },
      { id: "regions", label: "Regions", path: "regions", name: (r) => r.region || "(unknown)", filters: (r) => (r.region ? [["region", r.region]] : []) },
      { id: "cities", label: "Cities", path: "cities", name: (r) => r.city || "(unknown)", filters: (r) => (r.city ? [["city", r.city]] : []) },
    ],
  },
  {
    title: "Technology",
    tabs: [
      { id: "browsers", label: "Browsers", path: "browsers", name: (r) => r.browser || "Unknown", filters: (r) => [["browser", r.browser]] },
      { id: "os", label: "OS", path: "operating-systems", name: (r) => r.operating_system || "Unknown", filters: (r) => [["os", r.operating_system]] },
      { id: "devices", label: "Devices", path: "devices", name: (r) => r.device || "Unknown", filters: (r) => [["device", r.device]] },
    ],
  },
  {
    title: "Hostnames",
    tabs: [{ id: "hostnames", label: "Hostnames", path: "hostnames", name: (r) => r.hostname || "(unknown)", filters: (r) => (r.hostname ? [["hostname", r.hostname]] : []) }],
  },
  {
    title: "Goals",
    tabs: [
      {
        id: "goals",
        label: "Goals",
        path: "goals",
        // The server's goals answer leaves revenue out unless asked: a goal's revenue is that of the visitors who completed it.
        fields: (ctx) => (ctx.showRevenue ? "goal,completions,visitors,revenue,payments" : undefined),
        columns: [{ head: "Completions", cell: (r) => num(r.completions) }],
        name: (r) => r.goal,
        filters: (r) => [["goal", r.goal]],
      },
    ],
  },
];

// The chosen tab of each panel survives re-renders (a new filter, a new period).
const chosen = new Map();

function rowsView(tab, rows, total, ctx, more) {
  if (!rows.length) return empty(h("p", null, "No data for this period."));
  const showRevenue = ctx.showRevenue && tab.revenue !== false;
  const columns = tab.columns || [];
  const max = Math.max(1, ...rows.map((r) => r.visitors || 0));
  const list = h(
    "table",
    { class: "breakdown" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col" }, tab.head || tab.label),
        h("th", { scope: "col", class: "num" }, "Visitors"),
        columns.map((c) => h("th", { scope: "col", class: "num" }, c.head)),
        showRevenue ? h("th", { scope: "col", class: "num" }, "Revenue") : null,
      ),
    ),
    h(
      "tbody",
      null,
      rows.map((r) => {
        const label = tab.name(r);
        const pairs = ctx.readOnlyFilters ? [] : tab.filters(r).filter(([, v]) => v);
        const bar = h("span", { class: "row-bar", "aria-hidden": "true" });
        bar.style.width = `${((r.visitors || 0) / max) * 100}%`;
        const text = [label, tab.sub?.(r) ? h("small", null, ` ${tab.sub(r)}`) : null];
        const cell = pairs.length
          ? h("button", { type: "button", class: "row-filter", title: `Filter by ${label}`, dataset: { focus: "filter" } }, text, h("span", { class: "visually-hidden" }, " (add as filter)"))
          : h("span", { class: "row-name" }, text);
        if (pairs.length) cell.addEventListener("click", () => addFilters(pairs));
        return h(
          "tr",
          null,
          h("td", { class: "name-cell" }, bar, cell),
          h("td", { class: "num" }, num(r.visitors)),
          columns.map((c) => h("td", { class: "num" }, c.cell(r))),
          showRevenue ? h("td", { class: "num" }, money(r.revenue || 0, ctx.currency)) : null,
        );
      }),
    ),
  );
  const foot = more && total > rows.length ? more() : null;
  return [h("div", { class: "table-wrap" }, list), foot];
}

function loadTab(tab, panel, ctx, limit = 10) {
  const fields = typeof tab.fields === "function" ? tab.fields(ctx) : tab.fields;
  const query = { ...ctx.query, limit, fields };
  load(
    panel,
    () => ctx.source.get(`analytics/${tab.path}`, query, { signal: ctx.signal }),
    (json) => {
      const rows = json.data || [];
      const total = json.pagination?.total ?? rows.length;
      return rowsView(tab, rows, total, ctx, () => {
        const btn = h("button", { type: "button", class: "btn btn-small btn-ghost more" }, `Show all ${num(Math.min(total, 1000))}`);
        btn.addEventListener("click", () => loadTab(tab, panel, ctx, 1000));
        return btn;
      });
    },
  );
}

/**
 * The panels grid. ctx: {source, query (range and filters), currency, showRevenue, signal, readOnlyFilters}.
 */
export function breakdownPanels(ctx) {
  return h(
    "div",
    { class: "panels" },
    PANELS.map((p) => {
      const body =
        p.tabs.length > 1
          ? tabs(p.tabs, chosen.get(p.title), (id, panel) => {
              chosen.set(p.title, id);
              loadTab(p.tabs.find((t) => t.id === id), panel, ctx);
            }, p.title)
          : (() => {
              const panel = h("div", { class: "tab-panel" });
              loadTab(p.tabs[0], panel, ctx);
              return panel;
            })();
      return h("section", { class: "card panel", "aria-label": p.title }, h("h2", null, p.title), body);
    }),
  );
}
