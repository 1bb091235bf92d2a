// Builds dashboard/world-map.json: one SVG path per country, keyed by ISO 3166-1 alpha-2 code,
// in an equirectangular projection (x = longitude + 180, y = 90 - latitude, one unit a degree,
// a tenth of a degree kept), without Antarctica. The source is Natural Earth's 1:110m
// countries (public domain) as TopoJSON from the world-atlas package (ISC), and the numeric to
// alpha-2 table from i18n-iso-countries (MIT).
//
//   npm ci --prefix scripts/world-map && node scripts/world-map/build.js
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;
const topology = require(path.join(here, "node_modules/world-atlas/countries-110m.json"));
const codes = require(path.join(here, "node_modules/i18n-iso-countries/codes.json"));
const out = path.join(here, "../../dashboard/world-map.json");

const alpha2 = new Map(codes.map(([a2, , numeric]) => [numeric, a2]));
// Natural Earth gives no ISO number to a few places; name them by hand.
const unnumbered = { Kosovo: "XK", "N. Cyprus": "CY", Somaliland: "SO" };

const [scaleX, scaleY] = topology.transform.scale;
const [shiftX, shiftY] = topology.transform.translate;

// TopoJSON arcs are delta-encoded, quantized positions.
const arcs = topology.arcs.map((arc) => {
  let x = 0;
  let y = 0;
  return arc.map(([dx, dy]) => {
    x += dx;
    y += dy;
    return [x * scaleX + shiftX, y * scaleY + shiftY];
  });
});

function arcPoints(index) {
  return index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
}

function ring(indexes) {
  const points = [];
  for (const index of indexes) {
    const part = arcPoints(index);
    points.push(...(points.length ? part.slice(1) : part));
  }
  return points;
}

const round = (n) => Math.round(n * 10) / 10;

// A ring that crosses the antimeridian (Russia, Fiji) jumps by about 360 degrees there;
// unwrapping keeps it whole, and the part past the edge is cut by the view box.
function unwrap(points) {
  let previous = null;
  return points.map(([lon, lat]) => {
    let x = lon;
    if (previous !== null) {
      while (x - previous > 180) x -= 360;
      while (x - previous < -180) x += 360;
    }
    previous = x;
    return [x, lat];
  });
}

function ringPath(points) {
  let d = "";
  let last = "";
  for (const [lon, lat] of unwrap(points)) {
    const step = `${round(lon + 180)} ${round(90 - lat)}`;
    if (step === last) continue;
    d += (d ? "L" : "M") + step;
    last = step;
  }
  return d + "Z";
}

const shapes = {};
for (const geometry of topology.objects.countries.geometries) {
  const code = alpha2.get(geometry.id) || unnumbered[geometry.properties.name];
  if (!code || code === "AQ") continue;
  const polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.arcs;
  const d = polygons.map((rings) => rings.map((r) => ringPath(ring(r))).join("")).join("");
  shapes[code] = (shapes[code] || "") + d;
}

const map = { viewBox: "0 0 360 150", source: "Natural Earth 1:110m via world-atlas 2.0.2", countries: shapes };
fs.writeFileSync(out, JSON.stringify(map) + "\n");
console.log(`${Object.keys(shapes).length} countries, ${fs.statSync(out).size} bytes -> ${path.relative(process.cwd(), out)}`);
