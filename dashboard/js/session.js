// The signed-in account and its CSRF token: load, sign in and out, first-password setup and invitation join.

import { get, post, put, del, one, setCsrfToken } from "./api.js";

let current = null; // {account: {id, name, email}, csrfToken}
let loaded = false;

function remember(json) {
  const data = one(json) || null;
  current = data && data.account ? data : null;
  setCsrfToken(current?.csrfToken);
  loaded = true;
  return current;
}

export const account = () => current?.account || null;

/** The session, fetched once; null when signed out. Other errors propagate. */
export async function loadSession(force = false) {
  if (loaded && !force) return current;
  try {
    return remember(await get("/api/session", null, { quiet401: true }));
  } catch (e) {
    if (e.status === 401) return remember(null);
    throw e;
  }
}

export function forget() {
  current = null;
  loaded = true;
  setCsrfToken(null);
}

export const signIn = async (email, password) =>
  remember(await post("/api/session", { email, password }, { quiet401: true }));

export async function signOut() {
  try {
    await del("/api/session", undefined, { quiet401: true });
  } finally {
    forget();
  }
}

export const setupInfo = (code) => get("/api/setup", { code }, { quiet401: true }).then(one);
export const completeSetup = async (code, password) =>
  remember(await post("/api/setup", { code, password }, { quiet401: true }));

export const joinInfo = (code) => get("/api/join", { code }, { quiet401: true }).then(one);
export const completeJoin = async (code, name, password) =>
  remember(await post("/api/join", { code, name, password }, { quiet401: true }));

export const changePassword = (currentPassword, newPassword) =>
  put("/api/session/password", { currentPassword, newPassword }, { quiet401: true });

/** Keeps the header's name in step after a profile change. */
export function setAccountName(name) {
  if (current) current.account = { ...current.account, name };
}
