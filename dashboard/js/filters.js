// Analytics filters: read from and written to the URL (filter_<dimension>=value, as the API names them), shown as removable chips.

import { h } from "./dom.js";
import { navigate, withQuery } from "./router.js";

/** The API's filter dimensions and how a chip names them. */
export const DIMENSIONS = {
  referrer: "Referrer",
  page: "Page",
  entry_page: "Entry page",
  hostname: "Hostname",
  country: "Country",
  region: "Region",
  city: "City",
  browser: "Browser",
  os: "OS",
  device: "Device",
  goal: "Goal",
  utm_source: "UTM source",
  utm_medium: "UTM medium",
  utm_campaign: "UTM campaign",
  utm_term: "UTM term",
  utm_content: "UTM content",
  ref: "ref",
  source: "source",
  via: "via",
  channel: "Channel",
};

const OPERATORS = [
  ["is_not:", "is not"],
  ["does_not_contain:", "does not contain"],
  ["contains:", "contains"],
  ["is:", "is"],
];

/** [{dim, value}] from the URL, in URL order; unknown filter_ names are dropped (the API would 400). */
export function readFilters(query) {
  const out = [];
  for (const [k, v] of query) {
    if (!k.startsWith("filter_") || !v) continue;
    const dim = k.slice(7);
    if (dim in DIMENSIONS) out.push({ dim, value: v });
  }
  return out;
}

/** The filters as API query parameters. */
export function filterQuery(filters) {
  const q = {};
  for (const f of filters) (q[`filter_${f.dim}`] ||= []).push(f.value);
  return q;
}

function split(value) {
  const op = OPERATORS.find(([p]) => value.startsWith(p));
  const rest = op ? value.slice(op[0].length) : value;
  return { prefix: op ? op[0] : "", words: op ? op[1] : "is", values: rest.split(",").map((s) => s.trim()).filter(Boolean) };
}

/**
 * The URL with each [dim, value] pair added: a second value of the same dimension widens it
 * ("Google or X", the API's comma list) rather than requiring both, which could never hold.
 * The API splits values on commas, so a value holding one cannot be expressed exactly.
 */
export function urlWithFilters(pairs) {
  const q = new URLSearchParams(location.search);
  for (const [dim, value] of pairs) {
    const key = `filter_${dim}`;
    const existing = q.get(key);
    const v = String(value);
    if (existing) {
      const { prefix, values } = split(existing);
      if (prefix === "" || prefix === "is:") {
        for (const one of v.split(",")) if (!values.includes(one)) values.push(one);
        q.set(key, values.join(","));
      } else q.set(key, v);
    } else q.set(key, v);
  }
  return withQuery({}, q.toString());
}

export const addFilters = (pairs) => navigate(urlWithFilters(pairs));

function chipText(f) {
  const { words, values } = split(f.value);
  return `${DIMENSIONS[f.dim]} ${words} ${values.join(" or ")}`;
}

/** The active filters as chips; each chip's button removes its filter. Returns null without filters. */
export function filterChips(filters) {
  if (!filters.length) return null;
  const remove = (dim) => {
    const q = new URLSearchParams(location.search);
    q.delete(`filter_${dim}`);
    navigate(withQuery({}, q.toString()));
  };
  return h(
    "div",
    { class: "chips", role: "group", "aria-label": "Active filters" },
    h("span", { class: "chips-label" }, "Filters:"),
    filters.map((f) => {
      const text = chipText(f);
      const btn = h("button", { type: "button", class: "chip-remove", "aria-label": `Remove filter: ${text}`, dataset: { focus: "chips" } }, "×");
      btn.addEventListener("click", () => remove(f.dim));
      return h("span", { class: "chip" }, h("span", null, text), btn);
    }),
    filters.length > 1
      ? (() => {
          const all = h("button", { type: "button", class: "btn btn-small btn-ghost" }, "Clear all");
          all.addEventListener("click", () => {
            const q = new URLSearchParams(location.search);
            for (const f of filters) q.delete(`filter_${f.dim}`);
            navigate(withQuery({}, q.toString()));
          });
          return all;
        })()
      : null,
  );
}
