// The account's websites: the list and each website's settings, cached for the session and refreshed after changes.

import { get, one, ADMIN } from "./api.js";

let listPromise = null;
const byId = new Map();
// The API hands out the snippet on creation only; keep it so the new site's pages can show it.
const snippets = new Map();

export function websites(force = false) {
  if (!listPromise || force) {
    listPromise = get(`${ADMIN}/websites`).then((j) => j.data || []);
    listPromise.catch(() => (listPromise = null));
  }
  return listPromise;
}

export function website(id, force = false) {
  if (!byId.has(id) || force) {
    const p = get(`${ADMIN}/websites/${encodeURIComponent(id)}`).then(one);
    p.catch(() => byId.delete(id));
    byId.set(id, p);
  }
  return byId.get(id);
}

/** Drops cached copies after a change, so the next read is fresh. */
export function invalidate(id) {
  listPromise = null;
  if (id) byId.delete(id);
  else byId.clear();
}

export function rememberSnippet(id, snippet) {
  if (snippet) snippets.set(id, snippet);
}

/** Viewers may read everything and change nothing; the server still decides (403). */
export const canWrite = (site) => !!site && site.role !== "viewer";

/** The script tag to paste: the API's own when we have it, else built the same way from the tracking id. */
export function snippetOf(site) {
  return (
    site.snippet ||
    snippets.get(site.id) ||
    `<script defer data-website-id="${site.trackingId}" data-domain="${site.domain}" src="${location.origin}/js/script.js"></script>`
  );
}
