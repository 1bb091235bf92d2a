// Goals: every tracked goal with completions, visitors and conversion, and its display name and colour (customizations).

import { h, mount, field } from "./dom.js";
import { patch, ADMIN } from "./api.js";
import { sitePage, viewOnlyNote } from "./sitepage.js";
import { websiteSource } from "./source.js";
import { num, pct, dateTime } from "./format.js";
import { card, load, empty, onSubmit, table } from "./ui.js";
import { canWrite } from "./sites.js";

function swatch(color) {
  if (!color) return null;
  const s = h("span", { class: "swatch", "aria-hidden": "true" });
  s.style.background = color;
  return s;
}

function editForm(site, goal, custom, colors, done) {
  const color = h(
    "select",
    { name: "color", value: custom?.color || "" },
    h("option", { value: "" }, "No colour"),
    colors.map((c) => h("option", { value: c.color }, c.label)),
  );
  const form = h(
    "form",
    { class: "inline-form" },
    field("Display name", h("input", { name: "displayName", maxlength: "80", value: custom?.displayName || "", placeholder: goal.name })),
    field("Colour", color),
    h("div", { class: "btn-row" }, h("button", { type: "submit", class: "btn btn-primary btn-small" }, "Save"), h("button", { type: "button", class: "btn btn-small btn-ghost reset-custom" }, "Reset to default")),
  );
  const url = `${ADMIN}/websites/${site.id}/goals/customizations`;
  onSubmit(form, async (f) => {
    await patch(url, { goalName: goal.name, displayName: f.displayName.value.trim() || null, color: color.value || null });
    done();
    return "Saved.";
  });
  const resetBtn = form.querySelector(".reset-custom");
  resetBtn.addEventListener("click", async () => {
    resetBtn.disabled = true;
    try {
      await patch(url, { goalName: goal.name, displayName: null, color: null });
      done();
    } catch (e) {
      form.querySelector(".form-status")?.fail?.(e);
      resetBtn.disabled = false;
    }
  });
  return form;
}

export const goalsPage = (ctx) =>
  sitePage(ctx, "Goals", (site, el) => {
    const source = websiteSource(site);
    const box = h("div");
    const writable = canWrite(site);
    mount(
      el,
      writable ? null : viewOnlyNote(),
      card(
        "Tracked goals",
        h("p", { class: "hint" }, "All time. Conversion is the share of the website's visitors who completed the goal. Send goals with window.datafast(\"name\") or the API."),
        box,
      ),
    );
    function refresh() {
      load(
        box,
        async () => {
          const [goals, custom] = await Promise.all([
            source.admin("/goals", null, { signal: ctx.signal }),
            source.admin("/goals/customizations", null, { signal: ctx.signal }),
          ]);
          return { goals: goals.data || [], custom: custom.data || [], colors: custom.colors || [] };
        },
        ({ goals, custom, colors }) => {
          if (!goals.length) return empty(h("p", null, "No goals tracked yet."));
          const byName = new Map(custom.map((c) => [c.goalName, c]));
          const label = (c) => colors.find((x) => x.color === c)?.label;
          const editRow = h("div");
          return [
            table(
              [
                {
                  label: "Goal",
                  render: (g) => {
                    const c = byName.get(g.name);
                    return h("span", null, swatch(c?.color), h("strong", null, c?.displayName || g.name), c?.displayName ? h("small", { class: "hint" }, g.name) : null, c?.color ? h("span", { class: "visually-hidden" }, ` (colour ${label(c.color) || c.color})`) : null);
                  },
                },
                { label: "Completions", num: true, render: (g) => num(g.total) },
                { label: "Visitors", num: true, render: (g) => num(g.uv) },
                { label: "Conversion", num: true, render: (g) => pct((g.conversionRate || 0) * 100) },
                { label: "Kind", render: (g) => (g.eventType === "payment" ? "Payment" : "Custom") },
                { label: "Updated", render: (g) => (byName.get(g.name)?.updatedAt ? dateTime(byName.get(g.name).updatedAt, site.timezone) : "—") },
                ...(writable
                  ? [
                      {
                        label: "Customize",
                        render: (g) => {
                          const b = h("button", { type: "button", class: "btn btn-small", "aria-label": `Edit ${g.name}` }, "Edit");
                          b.addEventListener("click", () => {
                            mount(editRow, card(`Customize “${g.name}”`, editForm(site, g, byName.get(g.name), colors, refresh)));
                            editRow.querySelector("input").focus();
                          });
                          return b;
                        },
                      },
                    ]
                  : []),
              ],
              goals,
              "Tracked goals",
            ),
            editRow,
          ];
        },
      );
    }
    refresh();
  });
