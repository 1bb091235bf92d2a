// HTTP to the server: the JSON envelope, errors carrying the server's own message, and the CSRF header on writes.

let csrfToken = null;
let onUnauthorized = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Called on a 401 from any route except the session ones, so an expired session goes back to sign-in. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Builds "?a=1&b=2", skipping null, undefined and "" (the server refuses an empty parameter). */
export function queryString(query) {
  if (!query) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v == null || v === "") continue;
    for (const one of Array.isArray(v) ? v : [v]) p.append(k, String(one));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

/**
 * Sends a request and resolves to the parsed envelope ({status, data, ...siblings}),
 * or null for 204. Rejects with ApiError(status, message) on any failure.
 */
export async function request(method, path, { query, body, signal, quiet401 = false } = {}) {
  const headers = { Accept: "application/json" };
  // Every write carries the CSRF token and a JSON body (an empty object when it has nothing to say).
  if (method !== "GET") {
    if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
    if (body === undefined) body = {};
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path + queryString(query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, "The server could not be reached. Check your connection and try again.");
  }
  if (res.status === 204) return null;
  let json = null;
  try {
    json = await res.json();
  } catch {
    // A non-JSON answer (a proxy's error page): fall through to the status text.
  }
  if (!res.ok || json?.status === "error") {
    let message = json?.error?.message || `Request failed: ${res.status} ${res.statusText}`.trim();
    const retry = res.headers.get("Retry-After");
    if (res.status === 429 && retry && !/\d+\s*s/.test(message)) message += ` (try again in ${retry} s)`;
    const err = new ApiError(res.status, message);
    if (res.status === 401 && !quiet401 && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  return json ?? {};
}

export const get = (path, query, opts = {}) => request("GET", path, { ...opts, query });
export const post = (path, body, opts = {}) => request("POST", path, { ...opts, body });
export const put = (path, body, opts = {}) => request("PUT", path, { ...opts, body });
export const patch = (path, body, opts = {}) => request("PATCH", path, { ...opts, body });
export const del = (path, body, opts = {}) => request("DELETE", path, { ...opts, body });

/** The Account API wraps single objects in an array; a few routes answer an object. */
export const one = (json) => (Array.isArray(json?.data) ? json.data[0] : json?.data);

export const ADMIN = "/api/v1/admin";
