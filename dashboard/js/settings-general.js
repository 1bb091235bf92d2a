// Website settings: details, tracking snippet, public sharing, exclusions and deleting the website.

import { h, field } from "./dom.js";
import { put, del, one, ADMIN } from "./api.js";
import { card, copyBlock, onSubmit, timezoneList } from "./ui.js";
import { invalidate, snippetOf } from "./sites.js";
import { navigate } from "./router.js";

const SCHEMES = ["red", "orange", "yellow", "green", "purple", "pink", "gray", "blue", "teal", "indigo"];

const SWITCHES = [
  ["includeRenewalRevenue", "Count renewal revenue", "Subscription renewals add to revenue."],
  ["isCookieless", "Cookieless tracking", "Visitors are identified by a daily hash instead of a cookie."],
  ["isAttackModeEnabled", "Attack mode", "Drops events from unknown browsers and events from visitors without a page view."],
  ["isPublicDashboardEnabled", "Public dashboard", "Anyone with the link can see this website's analytics."],
  ["isPublicDataEnabled", "Public data", "Stored; not acted on by this server yet."],
  ["sendWeeklyReports", "Weekly reports by email", "Stored; not sent by this server yet."],
  ["sendViralTrafficAlerts", "Traffic spike alerts", "Stored; not sent by this server yet."],
];

const LISTS = [
  ["allowedHostnames", "Allowed hostnames", "Other hosts that may send events for this site, one per line (e.g. app.example.org)."],
  ["excludedHostnames", "Excluded hostnames", "One per line."],
  ["excludedIps", "Excluded IP addresses", "IPv4 or IPv6, CIDR blocks allowed, one per line."],
  ["excludedPaths", "Excluded paths", "Paths starting with /, one per line."],
  ["excludedCountries", "Excluded countries", "Two-letter country codes, one per line."],
];

const check = (name, on) => h("input", { type: "checkbox", name, checked: !!on });
const lines = (text) => text.split(/\n/).map((s) => s.trim()).filter(Boolean);

/** Saves the form's fields; the server validates each and names the field it refuses. */
async function save(site, body, onSaved) {
  const updated = one(await put(`${ADMIN}/websites/${site.id}`, body));
  invalidate(site.id);
  Object.assign(site, updated || body);
  onSaved?.();
  return "Settings saved.";
}

export function detailsCard(site, writable, onSaved) {
  const form = h(
    "form",
    { class: "stack" },
    h("fieldset", { disabled: !writable }, h("legend", null, "Website"),
      h("div", { class: "stack" },
        field("Domain", h("input", { name: "domain", required: true, value: site.domain })),
        field("Name", h("input", { name: "sitename", required: true, maxlength: "100", value: site.name || "" })),
        field("Time zone", h("input", { name: "timezone", list: "tz-list-settings", value: site.timezone || "UTC" }), "Reports count days and hours in this zone."),
        timezoneList("tz-list-settings"),
        field("Currency", h("input", { name: "currency", value: site.currency || "USD", maxlength: "3", pattern: "[A-Za-z]{3}", autocomplete: "off" }), "ISO 4217 code, e.g. USD, EUR."),
        field("Main goal (KPI)", h("input", { name: "kpi", value: site.kpi || "", placeholder: "signup" }), "Optional goal name to highlight."),
        field("Colour scheme", h("select", { name: "kpiColorScheme", value: site.kpiColorScheme || "orange" }, SCHEMES.map((s) => h("option", { value: s }, s)))),
        field("Revenue metric", h("select", { name: "revenueMetric", value: site.revenueMetric || "revenue" }, h("option", { value: "revenue" }, "Revenue"), h("option", { value: "mrr" }, "MRR"))),
      ),
    ),
    h("fieldset", { disabled: !writable }, h("legend", null, "Options"),
      h("div", { class: "stack" }, SWITCHES.map(([k, label, hint]) => field(label, check(k, site[k]), hint))),
    ),
    writable ? h("button", { type: "submit", class: "btn btn-primary" }, "Save settings") : null,
  );
  onSubmit(form, (f) => {
    const body = {
      domain: f.domain.value.trim(),
      name: f.sitename.value.trim(),
      timezone: f.timezone.value.trim(),
      currency: f.currency.value.trim().toUpperCase(),
      kpi: f.kpi.value.trim() || null,
      kpiColorScheme: f.kpiColorScheme.value,
      revenueMetric: f.revenueMetric.value,
    };
    for (const [k] of SWITCHES) body[k] = f[k].checked;
    return save(site, body, onSaved);
  });
  return card("Details", form);
}

export function snippetCard(site) {
  const share = `${location.origin}/share/${encodeURIComponent(site.domain)}`;
  return card(
    "Tracking snippet",
    h("p", null, "Paste into the <head> of every page. Tracking id: ", h("code", null, site.trackingId)),
    copyBlock(snippetOf(site), "Copy snippet"),
    site.isPublicDashboardEnabled
      ? [h("h3", null, "Public dashboard link"), copyBlock(share, "Copy link")]
      : h("p", { class: "hint" }, "Turn on “Public dashboard” below to get a read-only link to share."),
  );
}

export function exclusionsCard(site, writable) {
  const form = h(
    "form",
    { class: "stack" },
    h("fieldset", { disabled: !writable }, h("legend", null, "Hostnames and exclusions"),
      h("div", { class: "stack" },
        field("Allow every hostname", check("isAllHostnamesAllowed", site.isAllHostnamesAllowed), "Accept events from any host, not only the domain and its subdomains."),
        LISTS.map(([k, label, hint]) => field(label, h("textarea", { name: k, rows: "3", value: (site[k] || []).join("\n") }), hint)),
      ),
    ),
    writable ? h("button", { type: "submit", class: "btn btn-primary" }, "Save exclusions") : null,
  );
  onSubmit(form, (f) => {
    const body = { isAllHostnamesAllowed: f.isAllHostnamesAllowed.checked };
    for (const [k] of LISTS) body[k] = lines(f[k].value);
    return save(site, body);
  });
  return card("Exclusions", form);
}

export function deleteCard(site) {
  const input = h("input", { name: "confirm", autocomplete: "off", spellcheck: "false" });
  const button = h("button", { type: "submit", class: "btn btn-danger", disabled: true }, "Delete website");
  input.addEventListener("input", () => (button.disabled = input.value.trim() !== site.domain));
  const form = h(
    "form",
    { class: "stack" },
    h("p", null, "This removes the website and all its data. It cannot be undone."),
    field(`Type ${site.domain} to confirm`, input),
    button,
  );
  onSubmit(form, async () => {
    if (input.value.trim() !== site.domain) throw new Error("The domain you typed does not match.");
    await del(`${ADMIN}/websites/${site.id}`);
    invalidate();
    navigate("/");
    return "Website deleted.";
  });
  const c = card("Delete website", form);
  c.classList.add("danger-zone");
  return c;
}

