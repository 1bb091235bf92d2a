// The main time chart: visitors as bars and revenue as a line in inline SVG, with a hover and keyboard tooltip and a data table.

import { h, uid } from "./dom.js";
import { num, money, compact } from "./format.js";

const COL = 10; // SVG units per bucket; the SVG stretches to its box (preserveAspectRatio="none").
const HEIGHT = 100;

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/**
 * buckets: [{name, visitors, revenue}]; options: {currency, showRevenue}.
 * Left/right arrows (Home/End) move through buckets when the chart has focus.
 */
export function timeChart(buckets, { currency = "USD", showRevenue = true } = {}) {
  const n = Math.max(buckets.length, 1);
  const vMax = niceMax(Math.max(0, ...buckets.map((b) => b.visitors || 0)));
  const rMax = niceMax(Math.max(0, ...buckets.map((b) => b.revenue || 0)));
  const W = n * COL;
  const y = (v, max) => HEIGHT - (v / max) * (HEIGHT - 4);

  const grid = [0.25, 0.5, 0.75].map((f) =>
    h("line", { x1: 0, x2: W, y1: HEIGHT * f, y2: HEIGHT * f, class: "grid", "vector-effect": "non-scaling-stroke" }),
  );
  const bars = buckets.map((b, i) => {
    const top = y(b.visitors || 0, vMax);
    return h("rect", { x: i * COL + 1.5, width: COL - 3, y: top, height: HEIGHT - top, class: "bar" });
  });
  const hover = h("rect", { x: 0, y: 0, width: COL, height: HEIGHT, class: "hover-col", visibility: "hidden" });
  const line = showRevenue
    ? h("polyline", {
        class: "revenue-line",
        fill: "none",
        "vector-effect": "non-scaling-stroke",
        points: buckets.map((b, i) => `${i * COL + COL / 2},${y(b.revenue || 0, rMax)}`).join(" "),
      })
    : null;
  const svg = h(
    "svg",
    { viewBox: `0 0 ${W} ${HEIGHT}`, preserveAspectRatio: "none", class: "chart-svg", "aria-hidden": "true", focusable: "false" },
    grid,
    hover,
    bars,
    line,
  );

  const tip = h("div", { class: "chart-tip", hidden: true });
  const live = h("p", { class: "visually-hidden", "aria-live": "polite", id: uid("chart-live") });
  const describe = (b) =>
    `${b.name}: ${num(b.visitors || 0)} visitors` + (showRevenue ? `, ${money(b.revenue || 0, currency)} revenue` : "");

  let active = -1;
  function show(i, speak) {
    if (!buckets.length) return;
    active = Math.max(0, Math.min(buckets.length - 1, i));
    const b = buckets[active];
    hover.setAttribute("x", active * COL);
    hover.setAttribute("visibility", "visible");
    tip.replaceChildren(
      h("strong", null, b.name),
      h("span", { class: "tip-row" }, h("i", { class: "key key-visitors", "aria-hidden": "true" }), `Visitors: ${num(b.visitors || 0)}`),
      showRevenue ? h("span", { class: "tip-row" }, h("i", { class: "key key-revenue", "aria-hidden": "true" }), `Revenue: ${money(b.revenue || 0, currency)}`) : null,
    );
    tip.hidden = false;
    // CSSOM positioning is allowed by the CSP (no style attribute strings).
    const pct = ((active + 0.5) / n) * 100;
    tip.style.left = `${pct}%`;
    tip.classList.toggle("flip", pct > 60);
    if (speak) live.textContent = describe(b);
  }
  function hide() {
    hover.setAttribute("visibility", "hidden");
    tip.hidden = true;
  }

  const plot = h(
    "div",
    {
      class: "chart-plot",
      tabindex: "0",
      role: "group",
      "aria-roledescription": "chart",
      "aria-label": `Visitors${showRevenue ? " and revenue" : ""} over time, ${buckets.length} points. Use the arrow keys to read each point.`,
      "aria-describedby": live.id,
    },
    svg,
    tip,
  );
  plot.addEventListener("pointermove", (e) => {
    const r = plot.getBoundingClientRect();
    show(Math.floor(((e.clientX - r.left) / r.width) * n), false);
  });
  plot.addEventListener("pointerleave", () => document.activeElement !== plot && hide());
  plot.addEventListener("focus", () => show(active < 0 ? buckets.length - 1 : active, true));
  plot.addEventListener("blur", hide);
  plot.addEventListener("keydown", (e) => {
    const next = { ArrowRight: active + 1, ArrowLeft: active - 1, Home: 0, End: buckets.length - 1 }[e.key];
    if (next == null) return;
    e.preventDefault();
    show(next, true);
  });

  // A few evenly spread bucket names under the plot.
  const ticks = Math.min(6, buckets.length);
  const xLabels = h(
    "div",
    { class: "x-axis", "aria-hidden": "true" },
    Array.from({ length: ticks }, (_, k) => {
      const i = ticks === 1 ? 0 : Math.round((k * (buckets.length - 1)) / (ticks - 1));
      const el = h("span", null, buckets[i].name);
      el.style.left = `${((i + 0.5) / n) * 100}%`;
      return el;
    }),
  );
  const yAxis = (max, fmt, cls) =>
    h("div", { class: `y-axis ${cls}`, "aria-hidden": "true" }, h("span", null, fmt(max)), h("span", null, fmt(max / 2)), h("span", null, fmt(0)));

  const legend = h(
    "ul",
    { class: "legend" },
    h("li", null, h("i", { class: "key key-visitors", "aria-hidden": "true" }), "Visitors (bars, left scale)"),
    showRevenue ? h("li", null, h("i", { class: "key key-revenue", "aria-hidden": "true" }), "Revenue (line, right scale)") : null,
  );

  const dataTable = h(
    "details",
    { class: "chart-table" },
    h("summary", null, "Show the data as a table"),
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Chart data" },
      h(
        "table",
        null,
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "Period"), h("th", { scope: "col", class: "num" }, "Visitors"), showRevenue ? h("th", { scope: "col", class: "num" }, "Revenue") : null)),
        h(
          "tbody",
          null,
          buckets.map((b) =>
            h("tr", null, h("th", { scope: "row" }, b.name), h("td", { class: "num" }, num(b.visitors || 0)), showRevenue ? h("td", { class: "num" }, money(b.revenue || 0, currency)) : null),
          ),
        ),
      ),
    ),
  );

  return h(
    "div",
    { class: "chart" },
    legend,
    h(
      "div",
      { class: ["chart-body", showRevenue && "has-right"] },
      yAxis(vMax, compact, "y-left"),
      plot,
      showRevenue ? yAxis(rMax, (v) => money(v, currency, { compact: true }), "y-right") : null,
    ),
    xLabels,
    live,
    dataTable,
  );
}

/** A small trend line for the websites list: decorative, the numbers beside it carry the meaning. */
export function sparkline(values) {
  const n = values.length;
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${n === 1 ? 50 : (i / (n - 1)) * 100},${28 - (v / max) * 26}`).join(" ");
  return h(
    "svg",
    { viewBox: "0 0 100 30", preserveAspectRatio: "none", class: "sparkline", "aria-hidden": "true", focusable: "false" },
    h("polyline", { points: pts, fill: "none", "vector-effect": "non-scaling-stroke" }),
  );
}
