// The website main view (also the public share page): period, filters, KPIs, the time chart and the breakdown panels.

import { h, mount } from "./dom.js";
import { resolvePeriod, rangeQuery, periodPicker } from "./period.js";
import { readFilters, filterQuery, filterChips } from "./filters.js";
import { kpiCards } from "./kpis.js";
import { timeChart } from "./chart.js";
import { breakdownPanels } from "./breakdowns.js";
import { load, card, copyBlock, empty, errorBox, loading } from "./ui.js";
import { snippetOf } from "./sites.js";
import { worldMap } from "./world-map.js";

function emptyState(source) {
  if (source.kind === "share") return empty(h("p", null, "No data yet."));
  return card(
    "No events yet — paste this snippet",
    h("p", null, "Add this tag to the <head> of every page of ", h("strong", null, source.domain), ". Visits show here within seconds."),
    copyBlock(snippetOf(source.site), "Copy snippet"),
  );
}

/** Renders the view into `root` (a container below the page heading). */
export async function renderOverview(root, source, query, signal) {
  const period = resolvePeriod(query, source.timezone, source.since);
  const filters = readFilters(query);
  const range = { ...rangeQuery(period), ...filterQuery(filters) };
  const opts = { signal };

  const kpiBox = h("div", { class: "kpi-box" }, loading());
  const chartBox = h("div", { class: "chart-box" });
  const mapBox = h("div", { class: "map-box" });
  const panelsBox = h("div");
  mount(
    root,
    h(
      "div",
      { class: "toolbar" },
      periodPicker(period),
      h("p", { class: "tz-note" }, `Dates in ${period.timezone}`),
    ),
    filterChips(filters),
    h("section", { class: "card", "aria-label": "Key figures" }, kpiBox),
    h("section", { class: "card", "aria-label": "Visitors and revenue over time" }, chartBox),
    h("section", { class: "card", "aria-label": "Visitors by country" }, mapBox),
    panelsBox,
  );

  // The KPIs first: they also tell whether revenue is visible (a share may hide it) and
  // whether the site has any events at all.
  let cur;
  let prev = null;
  try {
    const calls = [source.get("analytics/overview", range, opts)];
    if (period.previous) calls.push(source.get("analytics/overview", { ...rangeQuery(period, "previous"), ...filterQuery(filters) }, opts));
    const [a, b] = await Promise.all(calls);
    cur = a.data?.[0] || {};
    prev = b ? b.data?.[0] || {} : null;
  } catch (e) {
    if (e.name === "AbortError") return;
    mount(kpiBox, errorBox(e));
    mount(chartBox, errorBox(e));
    return;
  }
  const showRevenue = "revenue" in cur;
  const currency = source.currency;

  if (!filters.length && !cur.visitors) {
    // Nothing in this period: find out whether the site has ever had an event.
    try {
      const all = await source.get("analytics/overview", { fields: "visitors" }, opts);
      if (!all.data?.[0]?.visitors) {
        mount(root, h("div", { class: "toolbar" }, periodPicker(period)), emptyState(source));
        return;
      }
    } catch (e) {
      if (e.name === "AbortError") return;
      // Fall through: the panels below will show their own errors.
    }
  }

  mount(kpiBox, kpiCards(cur, prev, { currency, showRevenue }));

  const fields = showRevenue ? "visitors,revenue" : "visitors";
  load(
    chartBox,
    () =>
      source.get(
        "analytics/timeseries",
        { ...range, startAt: period.chart.startAt, endAt: period.chart.endAt, interval: period.chart.interval, fields, limit: 1000 },
        opts,
      ),
    (json) => {
      const buckets = json.data || [];
      const chartRevenue = showRevenue && buckets.some((b) => "revenue" in b);
      return timeChart(buckets, { currency, showRevenue: chartRevenue });
    },
  );

  load(
    mapBox,
    async () => worldMap((await source.get("analytics/countries", { ...range, fields: "country,image,visitors", limit: 300 }, opts)).data || []),
    (map) => map,
  );

  mount(panelsBox, breakdownPanels({ source, query: range, currency, showRevenue, signal, readOnlyFilters: false }));
}
