// DOM building: the h() helper and small DOM utilities. Nothing here parses HTML, so data can never become markup.

const SVG_NS = "http://www.w3.org/2000/svg";
const SVG_TAGS = new Set(["svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "text", "title", "desc"]);
// Properties, not attributes: a form control's live state must follow them after creation.
const PROPS = new Set(["value", "checked", "selected", "indeterminate"]);

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false || c === true) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** h("button", {class: "x", onClick: fn}, "Label") builds an element; SVG tags get the SVG namespace. */
export function h(tag, attrs, ...children) {
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  const later = [];
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (k === "class") el.setAttribute("class", Array.isArray(v) ? v.filter(Boolean).join(" ") : v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (PROPS.has(k) && !svg) later.push([k, v]);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  // A <select>'s value only sticks once its options exist.
  for (const [k, v] of later) el[k] = v;
  return el;
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let counter = 0;
/** A page-unique id, to tie labels, descriptions and controls together. */
export const uid = (prefix = "id") => `${prefix}-${++counter}`;

/** A labelled form field: returns the wrapper; the control is reachable as wrapper.control. */
export function field(label, control, hint) {
  const id = control.id || (control.id = uid("f"));
  const hintEl = hint ? h("small", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  const isCheck = control.type === "checkbox" || control.type === "radio";
  const wrap = isCheck
    ? h("div", { class: "field field-check" }, control, h("label", { for: id }, label), hintEl)
    : h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
  wrap.control = control;
  return wrap;
}

/** Text for screen readers only. */
export const srOnly = (text) => h("span", { class: "visually-hidden" }, text);
