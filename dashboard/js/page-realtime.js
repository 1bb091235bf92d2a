// Realtime: visitors in the last 10 minutes, where they come from, recent events and payments; refreshed every 10 seconds.

import { h, mount } from "./dom.js";
import { sitePage } from "./sitepage.js";
import { websiteSource } from "./source.js";
import { num, money, ago } from "./format.js";
import { card, table, empty, errorBox, loading } from "./ui.js";

const REFRESH_MS = 10_000;

function countBy(items, key) {
  const m = new Map();
  for (const it of items) {
    const k = key(it) || "Unknown";
    m.set(k, (m.get(k) || 0) + 1);
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
}

function tally(title, pairs) {
  return card(
    title,
    pairs.length
      ? table([{ label: title, key: 0 }, { label: "Visitors", num: true, render: (r) => num(r[1]) }], pairs, title)
      : empty(h("p", null, "Nobody right now.")),
  );
}

const EVENT_LABEL = { pageview: "Page view", custom: "Goal", identify: "Identify", external_link: "Outbound link", payment: "Payment" };

function eventText(e) {
  const params = Object.entries(e.extraData || {})
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  return [e.path, params].filter(Boolean).join(" · ");
}

function view(site, now, map) {
  const visitors = map.visitors || [];
  const base = `/websites/${site.id}/visitors/`;
  return [
    h(
      "section",
      { class: "card", "aria-label": "Visitors now" },
      h("p", { class: "big-number" }, h("span", { class: "live-dot", "aria-hidden": "true" }), num(now)),
      h("p", { class: "page-sub" }, `visitor${now === 1 ? "" : "s"} in the last 10 minutes · updated ${new Date().toLocaleTimeString()}`),
    ),
    h(
      "div",
      { class: "grid-2" },
      tally("Sources", countBy(visitors, (v) => v.referrer || "Direct/None")),
      tally("Countries", countBy(visitors, (v) => v.location?.countryCode)),
      tally("Pages", countBy(visitors, (v) => v.currentUrl)),
      tally("Devices", countBy(visitors, (v) => v.system?.device?.type)),
    ),
    card(
      "Visitors now",
      visitors.length
        ? table(
            [
              { label: "Visitor", render: (v) => h("a", { href: base + encodeURIComponent(v.visitorId) }, v.profileData?.displayName || v.customerName || v.visitorId.slice(0, 8)) },
              { label: "Page", key: "currentUrl" },
              { label: "Source", render: (v) => v.referrer || "Direct/None" },
              { label: "Location", render: (v) => [v.location?.city, v.location?.countryCode].filter(Boolean).join(", ") || "Unknown" },
              { label: "Device", render: (v) => [v.system?.browser?.name, v.system?.os?.name, v.system?.device?.type].filter(Boolean).join(" · ") },
              { label: "Visits", num: true, render: (v) => num(v.visitCount) },
              { label: "Customer", render: (v) => (v.isCustomer ? "Yes" : "No") },
            ],
            visitors,
            "Visitors now",
          )
        : empty(h("p", null, "No visitors in the last 10 minutes.")),
    ),
    card(
      "Recent events",
      map.recentEvents?.length
        ? table(
            [
              { label: "When", render: (e) => h("time", { datetime: e.timestamp }, ago(e.timestamp)) },
              { label: "Event", render: (e) => EVENT_LABEL[e.type] || e.type },
              { label: "Detail", render: eventText },
              { label: "Visitor", render: (e) => h("a", { href: base + encodeURIComponent(e.visitorId) }, e.displayName || e.visitorId.slice(0, 8)) },
              { label: "Source", render: (e) => e.referrer || "Direct/None" },
            ],
            map.recentEvents,
            "Recent events",
          )
        : empty(h("p", null, "No events in the last 10 minutes.")),
    ),
    map.recentPayments?.length
      ? card(
          "Recent payments",
          table(
            [
              { label: "When", render: (p) => h("time", { datetime: p.timestamp }, ago(p.timestamp)) },
              { label: "Customer", render: (p) => p.displayName || p.name || p.email || "—" },
              { label: "Amount", num: true, render: (p) => money(p.amount, p.currency || site.currency) },
              { label: "Kind", render: (p) => (p.renewal ? "Renewal" : "New") },
            ],
            map.recentPayments,
            "Recent payments",
          ),
        )
      : null,
  ];
}

export const realtimePage = (ctx) =>
  sitePage(ctx, "Realtime", (site, el) => {
    const source = websiteSource(site);
    const box = h("div", { class: "page-body" }, loading());
    const status = h("p", { class: "visually-hidden", role: "status" });
    mount(el, status, box);
    let last = null;
    async function refresh() {
      // Never pull the table from under a keyboard or screen reader user: wait until focus leaves it.
      if (last != null && box.contains(document.activeElement)) return;
      try {
        const [rt, map] = await Promise.all([
          source.get("analytics/realtime", { fields: "visitors" }, { signal: ctx.signal }),
          source.get("analytics/realtime/map", null, { signal: ctx.signal }),
        ]);
        // Keep the reader's place: replace contents, not the container.
        const now = rt.data?.[0]?.visitors ?? 0;
        mount(box, view(site, now, map.data || {}));
        // Announce only a change, not every refresh.
        if (last != null && now !== last) status.textContent = `${num(now)} visitors now`;
        last = now;
      } catch (e) {
        if (e.name === "AbortError") return;
        mount(box, errorBox(e), h("p", { class: "page-sub" }, "Retrying in 10 seconds."));
      }
    }
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    ctx.signal.addEventListener("abort", () => clearInterval(timer));
  });
