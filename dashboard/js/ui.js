// Shared widgets: loading and error states, announcements, copy buttons, tabs, tables and form submission.

import { h, mount, uid } from "./dom.js";

/** Says something to screen readers through the page's polite live region. */
export function announce(text) {
  const el = document.getElementById("announcer");
  if (!el) return;
  el.textContent = "";
  // A fresh text node after a tick makes repeated messages be read again.
  setTimeout(() => (el.textContent = text), 30);
}

export const loading = (text = "Loading…") => h("p", { class: "loading", role: "status" }, text);

export const errorBox = (err) =>
  h("p", { class: "error", role: "alert" }, h("strong", null, "Error: "), err?.message || String(err));

export const empty = (...children) => h("div", { class: "empty" }, ...children);

/** The number of the latest load() of each element. */
const tickets = new WeakMap();

/**
 * Fills `el` with a loading state, then whatever render(result) returns, or the error's message.
 * Aborted loads (the user navigated away) leave the element alone.
 */
export async function load(el, fetcher, render) {
  // Only the latest load of an element may fill it: a slower answer to an earlier request
  // (the tab the user just left) must not overwrite the one now chosen.
  const ticket = (tickets.get(el) || 0) + 1;
  tickets.set(el, ticket);
  const current = () => tickets.get(el) === ticket;
  mount(el, loading());
  el.setAttribute("aria-busy", "true");
  try {
    const result = await fetcher();
    if (current()) mount(el, render(result));
  } catch (e) {
    if (e?.name === "AbortError" || !current()) return;
    mount(el, errorBox(e));
  } finally {
    if (current()) el.removeAttribute("aria-busy");
  }
}

/** A card with a heading; body is filled by the caller (often through load()). */
export function card(title, ...children) {
  const id = uid("card");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (insecure origin): fall back to a selected textarea.
    const ta = h("textarea", { class: "offscreen", "aria-hidden": "true" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function copyButton(getText, label = "Copy") {
  const btn = h("button", { type: "button", class: "btn btn-small" }, label);
  btn.addEventListener("click", async () => {
    const ok = await copyText(typeof getText === "function" ? getText() : getText);
    btn.textContent = ok ? "Copied" : "Copy failed: select the text";
    announce(ok ? "Copied to the clipboard" : "Copy failed; select the text and copy it by hand");
    setTimeout(() => (btn.textContent = label), 2000);
  });
  return btn;
}

/** Read-only text (snippet, key, link) with a copy button. */
export function copyBlock(text, label = "Copy") {
  const id = uid("copy");
  return h(
    "div",
    { class: "copy-block" },
    h("pre", { id, tabindex: "0" }, h("code", null, text)),
    copyButton(text, label),
  );
}

/**
 * Accessible tabs: arrow keys move between tabs, each tab controls one panel.
 * tabs: [{id, label}]; onSelect(id, panelEl) fills the panel.
 */
export function tabs(list, selected, onSelect, label) {
  const panel = h("div", { class: "tab-panel", role: "tabpanel", tabindex: "0" });
  const buttons = list.map((t) =>
    h("button", { type: "button", role: "tab", id: uid("tab"), class: "tab", dataset: { id: t.id } }, t.label),
  );
  const bar = h("div", { class: "tabs", role: "tablist", "aria-label": label }, buttons);
  function select(id, focus) {
    for (const b of buttons) {
      const on = b.dataset.id === id;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      if (on) {
        panel.setAttribute("aria-labelledby", b.id);
        if (focus) b.focus();
      }
    }
    onSelect(id, panel);
  }
  bar.addEventListener("click", (e) => {
    const b = e.target.closest("[role=tab]");
    if (b) select(b.dataset.id);
  });
  bar.addEventListener("keydown", (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next == null) return;
    e.preventDefault();
    select(buttons[(next + buttons.length) % buttons.length].dataset.id, true);
  });
  select(list.some((t) => t.id === selected) ? selected : list[0].id);
  return h("div", { class: "tabbed" }, bar, panel);
}

/** A table inside a horizontally scrolling region, so narrow screens keep every column. */
export function table(columns, rows, caption) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || "Table" },
    h(
      "table",
      null,
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", null, h("tr", null, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
      h(
        "tbody",
        null,
        rows.map((r) =>
          h("tr", null, columns.map((c) => h("td", { class: c.num ? "num" : null }, c.render ? c.render(r) : r[c.key] ?? "—"))),
        ),
      ),
    ),
  );
}

/** A status line for a form: role=status for success, role=alert for errors. */
export function statusLine() {
  const el = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  el.ok = (text) => {
    el.className = "form-status ok";
    el.textContent = text;
  };
  el.fail = (err) => {
    el.className = "form-status error";
    el.textContent = err?.message || String(err);
  };
  el.clear = () => {
    el.className = "form-status";
    el.textContent = "";
  };
  return el;
}

/**
 * Wires a form: on submit, disables its buttons, runs action(form), and shows the outcome
 * (a success text, or the server's message) in the form's status line.
 */
export function onSubmit(form, action, status = statusLine()) {
  if (!status.isConnected && !form.contains(status)) form.append(status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const buttons = [...form.querySelectorAll("button, input[type=submit]")];
    buttons.forEach((b) => (b.disabled = true));
    status.clear();
    form.setAttribute("aria-busy", "true");
    try {
      const text = await action(form);
      if (text) {
        status.ok(text);
        announce(text);
      }
    } catch (err) {
      if (err?.name !== "AbortError") status.fail(err);
    } finally {
      form.removeAttribute("aria-busy");
      buttons.forEach((b) => b.isConnected && (b.disabled = false));
    }
  });
  return form;
}

/** A button that runs an async action and shows its failure (a 403 message, say) next to it. */
export function actionButton(label, action, { cls = "btn", confirmText } = {}) {
  const status = statusLine();
  const btn = h("button", { type: "button", class: cls }, label);
  btn.addEventListener("click", async () => {
    if (confirmText && !confirm(confirmText)) return;
    btn.disabled = true;
    status.clear();
    try {
      const text = await action();
      if (text) {
        status.ok(text);
        announce(text);
      }
    } catch (err) {
      status.fail(err);
    } finally {
      if (btn.isConnected) btn.disabled = false;
    }
  });
  return h("span", { class: "action" }, btn, status);
}

export const badge = (text, kind = "") => h("span", { class: `badge ${kind}` }, text);

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), "Analytics"].join(" · ");
}

/** Moves focus to a page's heading after navigation, so screen readers hear the new page. */
export function focusHeading(root) {
  const h1 = root.querySelector("h1");
  if (!h1) return;
  h1.tabIndex = -1;
  h1.focus({ preventScroll: true });
}

/** A datalist of the browser's IANA time zones, for time zone inputs (list="id"). */
export function timezoneList(id) {
  let zones = ["UTC"];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    // Older browsers: free text only.
  }
  return h("datalist", { id }, zones.map((z) => h("option", { value: z })));
}
