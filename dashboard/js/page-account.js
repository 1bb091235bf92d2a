// Account: profile name, password change, account tokens (dft_: create shows the value once, revoke) and invitations addressed to me.

import { h, mount, field } from "./dom.js";
import { get, post, put, del, one, ADMIN } from "./api.js";
import { renderHeader } from "./layout.js";
import { changePassword, setAccountName } from "./session.js";
import { websites, invalidate } from "./sites.js";
import { card, load, table, empty, onSubmit, actionButton, setTitle, focusHeading } from "./ui.js";
import { secretBox } from "./settings-keys.js";
import { dateTime } from "./format.js";

const PERMISSIONS = [
  "analytics:read", "websites:read", "websites:write", "api-keys:read", "api-keys:write", "team:read", "team:write",
  "alerts:read", "alerts:write", "settings:read", "settings:write", "funnels:read", "funnels:write", "goals:read",
  "goals:write", "payments:write", "identify:write",
];

function profileCard(signal) {
  const box = h("div");
  load(
    box,
    () => get(`${ADMIN}/account`, null, { signal }).then(one),
    (acct) => {
      const form = h(
        "form",
        { class: "stack" },
        field("Email", h("input", { type: "email", name: "email", value: acct.email, readonly: true }), "The sign-in email cannot be changed here."),
        field("Name", h("input", { name: "fullname", required: true, maxlength: "100", value: acct.name || "", autocomplete: "name" })),
        h("button", { type: "submit", class: "btn btn-primary" }, "Save name"),
      );
      onSubmit(form, async (f) => {
        const name = f.fullname.value.trim();
        await put(`${ADMIN}/account`, { name });
        setAccountName(name);
        renderHeader(null);
        return "Name saved.";
      });
      return form;
    },
  );
  return card("Profile", box);
}

function passwordCard() {
  const pw = (name, autocomplete) => h("input", { type: "password", name, required: true, autocomplete, maxlength: "128" });
  const form = h(
    "form",
    { class: "stack" },
    h("input", { type: "text", name: "username", autocomplete: "username", hidden: true }),
    field("Current password", pw("current", "current-password")),
    field("New password", Object.assign(pw("next", "new-password"), { minLength: 10 }), "10 to 128 characters."),
    field("Repeat the new password", Object.assign(pw("repeat", "new-password"), { minLength: 10 })),
    h("button", { type: "submit", class: "btn btn-primary" }, "Change password"),
  );
  onSubmit(form, async (f) => {
    if (f.next.value !== f.repeat.value) throw new Error("The two new passwords differ.");
    await changePassword(f.current.value, f.next.value);
    f.reset();
    return "Password changed.";
  });
  return card("Password", form);
}

function tokenForm(sites, onCreated) {
  const full = h("input", { type: "checkbox", name: "full", checked: true });
  const perms = h(
    "fieldset",
    { disabled: true },
    h("legend", null, "Permissions"),
    h("div", { class: "inline-form" }, PERMISSIONS.map((p) => field(p, h("input", { type: "checkbox", name: "perm", value: p })))),
  );
  full.addEventListener("change", () => (perms.disabled = full.checked));
  const siteBoxes = h(
    "fieldset",
    null,
    h("legend", null, "Websites"),
    h("p", { class: "hint" }, "None checked: every website, including future ones."),
    h("div", { class: "inline-form" }, sites.map((s) => field(s.name || s.domain, h("input", { type: "checkbox", name: "site", value: s.id })))),
  );
  const form = h(
    "form",
    { class: "stack" },
    field("Token name", h("input", { name: "tokenname", maxlength: "100", placeholder: "CLI on my laptop" })),
    field("Full access (*)", full),
    perms,
    siteBoxes,
    h("button", { type: "submit", class: "btn btn-primary" }, "Create token"),
  );
  onSubmit(form, async (f) => {
    const body = {};
    if (f.tokenname.value.trim()) body.name = f.tokenname.value.trim();
    body.permissions = full.checked ? ["*"] : [...form.querySelectorAll("input[name=perm]:checked")].map((i) => i.value);
    if (!body.permissions.length) throw new Error("Choose at least one permission, or full access.");
    body.websiteIds = [...form.querySelectorAll("input[name=site]:checked")].map((i) => i.value);
    const created = one(await post(`${ADMIN}/access-tokens`, body));
    form.reset();
    perms.disabled = true;
    onCreated(created);
  });
  return form;
}

function tokensCard(signal) {
  const list = h("div");
  const reveal = h("div", { "aria-live": "polite" });
  const formBox = h("div");
  function refresh() {
    load(
      list,
      () => get(`${ADMIN}/access-tokens`, null, { signal }),
      (json) => {
        const rows = json.data || [];
        if (!rows.length) return empty(h("p", null, "No tokens."));
        return table(
          [
            { label: "Name", render: (t) => t.name || "(unnamed)" },
            { label: "Token", render: (t) => h("code", null, t.displayKey) },
            { label: "Permissions", render: (t) => (t.permissions || []).join(", ") },
            { label: "Websites", render: (t) => (t.websiteIds?.length ? `${t.websiteIds.length} selected` : "All") },
            { label: "Last used", render: (t) => (t.lastUsedAt ? dateTime(t.lastUsedAt) : "Never") },
            { label: "Created", render: (t) => dateTime(t.createdAt) },
            {
              label: "Actions",
              render: (t) =>
                actionButton("Revoke", async () => {
                  await del(`${ADMIN}/access-tokens/${t.id}`);
                  refresh();
                  return "Token revoked.";
                }, { cls: "btn btn-small btn-ghost", confirmText: `Revoke ${t.name || t.displayKey}? Tokens, keys and invitations made with it stop working too.` }),
            },
          ],
          rows,
          "Access tokens",
        );
      },
    );
  }
  load(formBox, () => websites(), (sites) =>
    tokenForm(sites, (created) => {
      mount(reveal, secretBox(`Token “${created.name || "unnamed"}” created`, created.key));
      reveal.querySelector("button")?.focus();
      refresh();
    }),
  );
  refresh();
  return card("Access tokens", h("p", { class: "hint" }, "dft_ tokens let scripts, the CLI and agents use the Account API as you."), reveal, list, h("h3", null, "New token"), formBox);
}

function invitationsCard(signal) {
  const box = h("div");
  function refresh() {
    load(
      box,
      () => get(`${ADMIN}/invitations`, null, { signal }),
      (json) => {
        const rows = json.data || [];
        if (!rows.length) return empty(h("p", null, "No pending invitations."));
        return table(
          [
            { label: "Website id", render: (i) => h("code", null, i.websiteId) },
            { label: "Role", key: "role" },
            { label: "Invited", render: (i) => dateTime(i.invitedAt) },
            {
              label: "Accept",
              render: (i) =>
                actionButton("Accept", async () => {
                  await post(`${ADMIN}/invitations/${i.invitationId}/accept`);
                  invalidate();
                  refresh();
                  return "Invitation accepted.";
                }, { cls: "btn btn-small btn-primary" }),
            },
          ],
          rows,
          "Invitations",
        );
      },
    );
  }
  refresh();
  return card("Invitations to me", box);
}

export function accountPage({ main, signal }) {
  renderHeader(null);
  setTitle("Account");
  mount(
    main,
    h("div", { class: "page-head" }, h("h1", null, "Account")),
    h("div", { class: "page-body" }, h("div", { class: "grid-2" }, profileCard(signal), passwordCard()), tokensCard(signal), invitationsCard(signal)),
  );
  focusHeading(main);
}
