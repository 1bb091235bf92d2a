// Funnels: each funnel's steps with visitors, conversion and drop-off for the period; create, edit, disable and delete.

import { h, mount, field, uid } from "./dom.js";
import { post, put, del, one, ADMIN } from "./api.js";
import { sitePage, viewOnlyNote } from "./sitepage.js";
import { websiteSource } from "./source.js";
import { resolvePeriod, rangeQuery, periodPicker } from "./period.js";
import { num, money, pct } from "./format.js";
import { card, load, empty, onSubmit, actionButton, badge } from "./ui.js";
import { canWrite } from "./sites.js";

function stepEditor(step = { type: "pageview" }) {
  const id = uid("step");
  const type = h("select", { id: `${id}-t`, name: "type", value: step.type }, h("option", { value: "pageview" }, "Page view"), h("option", { value: "goal" }, "Goal"));
  const target = h("input", { id: `${id}-v`, name: "target", required: true, value: step.type === "goal" ? step.goalName || "" : step.url || "" });
  const targetLabel = h("label", { for: target.id });
  const name = h("input", { id: `${id}-n`, name: "stepName", maxlength: "100", value: step.name && step.name !== (step.url || step.goalName) ? step.name : "" });
  const sync = () => {
    const goal = type.value === "goal";
    targetLabel.textContent = goal ? "Goal name" : "Page path (* matches anything)";
    target.placeholder = goal ? "signup" : "/pricing";
  };
  type.addEventListener("change", sync);
  sync();
  const remove = h("button", { type: "button", class: "btn btn-small btn-ghost" }, "Remove step");
  const row = h(
    "fieldset",
    { class: "step-row" },
    h("legend", { class: "step-legend" }, "Step"),
    h("div", { class: "field" }, h("label", { for: type.id }, "Type"), type),
    h("div", { class: "field" }, targetLabel, target),
    h("div", { class: "field" }, h("label", { for: name.id }, "Label (optional)"), name),
    remove,
  );
  row.read = () => {
    const s = { type: type.value };
    if (type.value === "goal") s.goalName = target.value.trim();
    else s.url = target.value.trim();
    if (name.value.trim()) s.name = name.value.trim();
    return s;
  };
  remove.addEventListener("click", () => {
    const list = row.parentElement;
    if (list.children.length <= 2) return;
    row.remove();
    renumber(list);
  });
  return row;
}

function renumber(list) {
  [...list.children].forEach((row, i) => {
    row.querySelector(".step-legend").textContent = `Step ${i + 1}`;
    row.querySelector("button").disabled = list.children.length <= 2;
  });
}

/** The create/edit form; funnel is null for a new one. Resolves through onDone after a save. */
function funnelForm(site, funnel, onDone) {
  const steps = h("div", { class: "stack steps" });
  (funnel?.steps?.length ? funnel.steps : [{ type: "pageview", url: "/" }, { type: "pageview", url: "" }]).forEach((s) => steps.append(stepEditor(s)));
  renumber(steps);
  const add = h("button", { type: "button", class: "btn btn-small" }, "Add step");
  add.addEventListener("click", () => {
    if (steps.children.length >= 8) return;
    steps.append(stepEditor());
    renumber(steps);
    steps.lastElementChild.querySelector("select").focus();
  });
  const form = h(
    "form",
    { class: "stack" },
    field("Funnel name", h("input", { name: "fname", required: true, maxlength: "100", value: funnel?.name || "" })),
    steps,
    h("p", { class: "hint" }, "2 to 8 steps, in order."),
    h("div", { class: "btn-row" }, add, h("button", { type: "submit", class: "btn btn-primary" }, funnel ? "Save funnel" : "Create funnel")),
  );
  onSubmit(form, async (f) => {
    const body = { name: f.fname.value.trim(), steps: [...steps.children].map((r) => r.read()) };
    const base = `${ADMIN}/websites/${site.id}/funnels`;
    const saved = one(funnel ? await put(`${base}/${funnel.id}`, body) : await post(base, body));
    onDone(saved);
    return funnel ? "Funnel saved." : "Funnel created.";
  });
  return form;
}

function results(res, currency) {
  const steps = res.steps || [];
  const first = Math.max(1, steps[0]?.visitors || 0);
  return [
    h("p", null, "Overall conversion: ", h("strong", null, pct(res.conversionRate))),
    h(
      "ol",
      { class: "funnel-steps" },
      steps.map((s, i) => {
        const fill = h("div", { class: "funnel-fill" });
        fill.style.width = `${(s.visitors / first) * 100}%`;
        return h(
          "li",
          { class: "funnel-step" },
          h("div", null, h("strong", null, `${i + 1}. ${s.name}`), h("br"), h("small", { class: "hint" }, s.type === "goal" ? `goal: ${s.goalName}` : `page: ${s.url}`)),
          h("div", { class: "funnel-bar", "aria-hidden": "true" }, fill),
          h(
            "p",
            { class: "funnel-figures" },
            `${num(s.visitors)} visitors`,
            i > 0 ? ` · ${pct(s.conversionRate)} of the previous step · ${num(s.dropoff)} dropped off` : "",
            s.revenue ? ` · ${money(s.revenue, currency)} revenue` : "",
          ),
        );
      }),
    ),
  ];
}

function funnelCard(site, funnel, range, signal, refresh) {
  const source = websiteSource(site);
  const body = h("div");
  const editBox = h("div");
  const writable = canWrite(site);
  const base = `${ADMIN}/websites/${site.id}/funnels/${funnel.id}`;
  const controls = writable
    ? h(
        "div",
        { class: "btn-row" },
        (() => {
          const b = h("button", { type: "button", class: "btn btn-small", "aria-expanded": "false" }, "Edit");
          b.addEventListener("click", () => {
            const open = !editBox.firstChild;
            mount(editBox, open ? funnelForm(site, funnel, refresh) : null);
            b.setAttribute("aria-expanded", String(open));
            if (open) editBox.querySelector("input").focus();
          });
          return b;
        })(),
        actionButton(funnel.isActive ? "Disable" : "Enable", async () => {
          await put(base, { isActive: !funnel.isActive });
          refresh();
        }, { cls: "btn btn-small" }),
        actionButton("Delete", async () => {
          await del(base);
          refresh();
        }, { cls: "btn btn-small btn-ghost", confirmText: `Delete the funnel "${funnel.name}"?` }),
      )
    : null;
  if (funnel.isActive) {
    load(body, () => source.get(`analytics/funnels/${funnel.id}`, range, { signal }), (json) => results(one(json) || {}, site.currency));
  } else mount(body, h("p", { class: "hint" }, "This funnel is disabled: enable it to see its results."));
  return card(h("span", null, funnel.name, " ", funnel.isActive ? null : badge("disabled")), body, controls, editBox);
}

export const funnelsPage = (ctx) =>
  sitePage(ctx, "Funnels", (site, el) => {
    const period = resolvePeriod(ctx.query, site.timezone || "UTC", site.createdAt?.slice(0, 10));
    const range = rangeQuery(period);
    const list = h("div", { class: "page-body" });
    const writable = canWrite(site);
    const newBox = h("div", { id: "new-funnel", hidden: true });
    const toggle = writable ? h("button", { type: "button", class: "btn btn-primary", "aria-expanded": "false", "aria-controls": "new-funnel" }, "New funnel") : null;
    function refresh() {
      load(
        list,
        () => websiteSource(site).admin("/funnels", { includeInactive: "true" }, { signal: ctx.signal }),
        (json) => {
          const funnels = json.data || [];
          if (!funnels.length) return empty(h("p", null, "No funnels yet."), writable ? h("p", null, "Create one to see where visitors drop off.") : null);
          return funnels.map((f) => funnelCard(site, f, range, ctx.signal, refresh));
        },
      );
    }
    toggle?.addEventListener("click", () => {
      const open = newBox.hidden;
      mount(
        newBox,
        open
          ? card("New funnel", funnelForm(site, null, () => {
              newBox.hidden = true;
              toggle.setAttribute("aria-expanded", "false");
              refresh();
            }))
          : null,
      );
      newBox.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) newBox.querySelector("input").focus();
    });
    mount(el, h("div", { class: "toolbar" }, periodPicker(period), toggle), writable ? null : viewOnlyNote(), newBox, list);
    refresh();
  });
