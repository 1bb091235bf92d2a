// Number, money, percent, duration and date formatting with Intl, in the viewer's locale.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const compactFmt = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const moneyCache = new Map();

export const num = (n) => (n == null || Number.isNaN(n) ? "—" : integer.format(n));
export const dec = (n) => (n == null || Number.isNaN(n) ? "—" : decimal.format(n));
export const compact = (n) => (n == null ? "—" : compactFmt.format(n));

/** Money in major units, in the website's ISO currency. */
export function money(n, currency = "USD", { compact: short = false } = {}) {
  if (n == null || Number.isNaN(n)) return "—";
  const key = `${currency}|${short}`;
  let f = moneyCache.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, {
        style: "currency",
        currency,
        ...(short ? { notation: "compact", maximumFractionDigits: 1 } : {}),
      });
    } catch {
      // An unknown code: plain number with the code after it.
      f = { format: (v) => `${decimal.format(v)} ${currency}` };
    }
    moneyCache.set(key, f);
  }
  return f.format(n);
}

/** A percentage given as 0–100 (the API's unit for rates). */
export const pct = (n) =>
  n == null || Number.isNaN(n)
    ? "—"
    : new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 }).format(n / 100);

/** Milliseconds as "1h 2m", "3m 12s" or "45s". */
export function duration(ms) {
  if (ms == null || Number.isNaN(ms)) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** An ISO instant shown as a date and time, in the given time zone (default: the viewer's). */
export function dateTime(iso, timeZone) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone }).format(d);
  } catch {
    return d.toLocaleString();
  }
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
/** "3 minutes ago" style text for an ISO instant. */
export function ago(iso) {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "—";
  const s = Math.round((t - Date.now()) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, "second");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}
