// Website API keys (df_): list, create (the key is shown once), roll and revoke.

import { h, mount, field } from "./dom.js";
import { get, post, put, del, one, ADMIN } from "./api.js";
import { card, load, table, empty, onSubmit, actionButton, copyBlock } from "./ui.js";
import { dateTime } from "./format.js";

/** The one moment a raw secret is visible: say so, and offer to copy it. */
export function secretBox(title, value) {
  return h(
    "div",
    { class: "secret", role: "alert" },
    h("strong", null, title),
    h("p", null, "Copy it now: it will not be shown again."),
    copyBlock(value, "Copy key"),
  );
}

export function apiKeysCard(site, writable, signal) {
  const base = `${ADMIN}/websites/${site.id}/apikeys`;
  const list = h("div");
  const reveal = h("div", { "aria-live": "polite" });
  function refresh() {
    load(
      list,
      () => get(base, null, { signal }),
      (json) => {
        const keys = json.data || [];
        if (!keys.length) return empty(h("p", null, "No API keys."));
        return table(
          [
            { label: "Name", key: "name" },
            { label: "Key", render: (k) => h("code", null, k.displayKey) },
            { label: "Created", render: (k) => dateTime(k.createdAt, site.timezone) },
            ...(writable
              ? [
                  {
                    label: "Actions",
                    render: (k) =>
                      h(
                        "div",
                        { class: "btn-row" },
                        actionButton("Roll", async () => {
                          const rolled = one(await put(`${base}/${k.id}`));
                          mount(reveal, secretBox(`New value of “${k.name}”`, rolled.key));
                          refresh();
                        }, { cls: "btn btn-small", confirmText: `Roll “${k.name}”? The current value stops working at once.` }),
                        actionButton("Revoke", async () => {
                          await del(`${base}/${k.id}`);
                          refresh();
                          return "Key revoked.";
                        }, { cls: "btn btn-small btn-ghost", confirmText: `Revoke “${k.name}”? Anything using it stops working.` }),
                      ),
                  },
                ]
              : []),
          ],
          keys,
          "API keys",
        );
      },
    );
  }
  const form = writable
    ? h("form", { class: "inline-form" }, field("New key name", h("input", { name: "keyname", maxlength: "100", placeholder: "API key" })), h("button", { type: "submit", class: "btn btn-primary" }, "Create key"))
    : null;
  if (form)
    onSubmit(form, async (f) => {
      const name = f.keyname.value.trim();
      const created = one(await post(base, name ? { name } : {}));
      f.reset();
      mount(reveal, secretBox(`Key “${created.name}” created`, created.key));
      refresh();
    });
  refresh();
  return card(
    "API keys",
    h("p", { class: "hint" }, "A df_ key lets a backend call the Website API (goals, payments, identify) for this website only."),
    reveal,
    list,
    form,
  );
}
