// The reporting period: presets computed in the website's time zone, the previous period to compare with, and the picker.

import { h, uid } from "./dom.js";
import { navigate, withQuery } from "./router.js";

export const PRESETS = [
  ["today", "Today"],
  ["yesterday", "Yesterday"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["12m", "Last 12 months"],
  ["all", "All time"],
  ["custom", "Custom range"],
];
const DEFAULT = "30d";
const YMD = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date (YYYY-MM-DD) on the wall clock of time zone tz. */
export function todayIn(tz) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  } catch {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  }
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

// Date-only arithmetic on UTC midnights: no time zone can shift a calendar date here.
const toDate = (ymd) => new Date(`${ymd}T00:00:00Z`);
const fromDate = (d) => d.toISOString().slice(0, 10);
export function addDays(ymd, n) {
  const d = toDate(ymd);
  d.setUTCDate(d.getUTCDate() + n);
  return fromDate(d);
}
function monthStart(ymd, monthsBack) {
  const d = toDate(ymd);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - monthsBack);
  return fromDate(d);
}
export const daysBetween = (a, b) => Math.round((toDate(b) - toDate(a)) / 86400000);

function intervalFor(start, end) {
  const days = daysBetween(start, end) + 1;
  if (days <= 1) return "hour";
  if (days <= 92) return "day";
  if (days <= 732) return "week";
  return "month";
}

/**
 * Reads ?period= (and ?from=&to= for custom) and returns
 * {key, label, startAt, endAt, timezone, interval, previous: {startAt, endAt} | null}.
 * Dates are local dates of the website's zone; the API reads a date as that whole local day.
 * "All time" sends no range (the API's all time) and charts from `since` (the website's creation).
 */
export function resolvePeriod(query, timezone = "UTC", since) {
  let key = query.get("period") || DEFAULT;
  const today = todayIn(timezone);
  let start;
  let end = today;
  let interval;
  switch (key) {
    case "today":
      start = today;
      break;
    case "yesterday":
      start = end = addDays(today, -1);
      break;
    case "7d":
      start = addDays(today, -6);
      break;
    case "12m":
      start = monthStart(today, 11);
      interval = "month";
      break;
    case "all": {
      const from = since && YMD.test(since) ? since : addDays(today, -364);
      const chartStart = from < today ? from : today;
      return {
        key,
        label: "All time",
        startAt: null,
        endAt: null,
        timezone,
        chart: { startAt: chartStart, endAt: today, interval: intervalFor(chartStart, today) },
        previous: null,
      };
    }
    case "custom": {
      const from = query.get("from");
      const to = query.get("to");
      if (YMD.test(from || "") && YMD.test(to || "") && from <= to) {
        start = from;
        end = to;
        break;
      }
      key = DEFAULT;
      start = addDays(today, -29);
      break;
    }
    default:
      key = DEFAULT;
      start = addDays(today, -29);
  }
  interval ||= intervalFor(start, end);
  const length = daysBetween(start, end) + 1;
  const previous =
    key === "12m"
      ? { startAt: monthStart(start, 12), endAt: addDays(start, -1) }
      : { startAt: addDays(start, -length), endAt: addDays(start, -1) };
  const label = key === "custom" ? `${start} – ${end}` : PRESETS.find(([k]) => k === key)[1];
  return { key, label, startAt: start, endAt: end, timezone, chart: { startAt: start, endAt: end, interval }, previous };
}

/** The query parameters the analytics routes take for a period (or its previous one). */
export const rangeQuery = (p, which = "current") => {
  const r = which === "previous" ? p.previous : p;
  return { startAt: r?.startAt, endAt: r?.endAt, timezone: p.timezone };
};

/** The picker: a select of presets; "Custom range" reveals two date inputs. Changes go to the URL. */
export function periodPicker(period) {
  const id = uid("period");
  const select = h(
    "select",
    { id, value: period.key, dataset: { focus: "period" } },
    PRESETS.map(([k, label]) => h("option", { value: k }, label)),
  );
  const from = h("input", { type: "date", name: "from", value: period.key === "custom" ? period.startAt : period.startAt || "", required: true });
  const to = h("input", { type: "date", name: "to", value: period.key === "custom" ? period.endAt : period.endAt || "", required: true });
  const fromId = uid("from");
  const toId = uid("to");
  from.id = fromId;
  to.id = toId;
  const custom = h(
    "form",
    { class: "custom-range", hidden: period.key !== "custom" },
    h("label", { for: fromId }, "From"),
    from,
    h("label", { for: toId }, "To"),
    to,
    h("button", { type: "submit", class: "btn btn-small", dataset: { focus: "period-apply" } }, "Apply"),
  );
  select.addEventListener("change", () => {
    if (select.value === "custom") {
      custom.hidden = false;
      from.focus();
      return;
    }
    navigate(withQuery({ period: select.value === DEFAULT ? null : select.value, from: null, to: null }));
  });
  custom.addEventListener("submit", (e) => {
    e.preventDefault();
    if (from.value > to.value) {
      to.setCustomValidity("The end date must not be before the start date.");
      to.reportValidity();
      return;
    }
    to.setCustomValidity("");
    navigate(withQuery({ period: "custom", from: from.value, to: to.value }));
  });
  return h("div", { class: "period-picker" }, h("label", { for: id }, "Period"), select, custom);
}
