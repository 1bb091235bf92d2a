// The world map on a website's page: each country shaded by its visitors in the period, from the countries report; a click filters the view by that country.

import { h } from "./dom.js";
import { addFilters } from "./filters.js";
import { num } from "./format.js";

let shapes = null;

/** The country shapes (dashboard/world-map.json), fetched once per page load. */
function loadShapes() {
  shapes ??= fetch("/dashboard/world-map.json").then((response) => {
    if (!response.ok) throw new Error(`The world map could not be loaded (${response.status})`);
    return response.json();
  });
  return shapes;
}

// The countries report names a country and links its flag by ISO code (`.../US.svg`).
const codeOf = (row) => (row.image || "").match(/\/([A-Z]{2})\.svg$/)?.[1];

/** An SVG map of `rows` (the countries report's rows); the list beside it is the accessible view. */
export async function worldMap(rows) {
  const map = await loadShapes();
  const byCode = new Map(rows.filter(codeOf).map((row) => [codeOf(row), row]));
  const most = Math.max(1, ...rows.map((row) => row.visitors || 0));
  const paths = Object.entries(map.countries).map(([code, d]) => {
    const row = byCode.get(code);
    if (!row) return h("path", { d, class: "map-country map-empty" });
    // Shade by share of the busiest country, never so faint that a country with visitors
    // looks like one without.
    const share = 0.2 + (0.8 * (row.visitors || 0)) / most;
    const path = h(
      "path",
      { d, class: "map-country map-visited", "fill-opacity": share.toFixed(2) },
      h("title", null, `${row.country}: ${num(row.visitors || 0)} visitors`),
    );
    if (row.country) path.addEventListener("click", () => addFilters([["country", row.country]]));
    return path;
  });
  return h(
    "svg",
    {
      class: "world-map",
      viewBox: map.viewBox,
      role: "img",
      "aria-label": "World map of visitors by country; the Countries list has the same figures",
    },
    ...paths,
  );
}
