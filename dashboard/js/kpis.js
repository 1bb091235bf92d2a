// The KPI cards of a website view: each metric with its change against the previous period, shown by sign and arrow, not colour alone.

import { h } from "./dom.js";
import { num, money, pct, duration } from "./format.js";

const METRICS = [
  { key: "visitors", label: "Visitors", fmt: num },
  { key: "revenue", label: "Revenue", money: true },
  { key: "conversion_rate", label: "Conversion rate", fmt: pct },
  { key: "revenue_per_visitor", label: "Revenue per visitor", money: true },
  { key: "bounce_rate", label: "Bounce rate", fmt: pct, lowerIsBetter: true },
  { key: "avg_session_duration", label: "Session time", fmt: duration },
];

function change(cur, prev, lowerIsBetter) {
  if (prev == null || cur == null) return null;
  let dir;
  let visible;
  let spoken;
  if (prev === 0) {
    dir = cur === 0 ? "flat" : "up";
    visible = cur === 0 ? "± 0%" : "▲ new";
    spoken = cur === 0 ? "unchanged" : "up from zero";
  } else {
    const d = ((cur - prev) / Math.abs(prev)) * 100;
    const size = `${Math.abs(d) >= 100 ? Math.round(Math.abs(d)) : Math.abs(d).toFixed(1)}%`;
    dir = Math.abs(d) < 0.05 ? "flat" : d > 0 ? "up" : "down";
    visible = { up: `▲ +${size}`, down: `▼ −${size}`, flat: "± 0%" }[dir];
    spoken = { up: `up ${size}`, down: `down ${size}`, flat: "unchanged" }[dir];
  }
  const good = dir === "flat" ? "" : (dir === "up") !== !!lowerIsBetter ? "good" : "bad";
  return h(
    "span",
    { class: `delta ${dir} ${good}` },
    h("span", { "aria-hidden": "true" }, visible),
    h("span", { class: "visually-hidden" }, `${spoken} versus the previous period`),
  );
}

/** cur/prev: overview rows; prev may be null (all time). Revenue cards are left out when showRevenue is false. */
export function kpiCards(cur, prev, { currency, showRevenue }) {
  return h(
    "ul",
    { class: "kpis" },
    METRICS.filter((m) => showRevenue || !m.money)
      .filter((m) => m.key in cur || m.money)
      .map((m) => {
        const fmt = m.money ? (v) => money(v, currency) : m.fmt;
        const value = cur[m.key];
        return h(
          "li",
          { class: "kpi" },
          h("span", { class: "kpi-label" }, m.label),
          h("span", { class: "kpi-value" }, fmt(value)),
          prev ? change(value, prev[m.key], m.lowerIsBetter) : null,
          prev ? h("span", { class: "kpi-prev" }, `previous: ${fmt(prev[m.key])}`) : null,
        );
      }),
  );
}
