// Payment-provider integrations: status, connect and disconnect per provider, webhook secrets, and "sync now".

import { h, mount, field } from "./dom.js";
import { get, post, put, del, ADMIN } from "./api.js";
import { card, load, onSubmit, actionButton, badge, copyBlock, table } from "./ui.js";
import { dateTime, num } from "./format.js";

const PROVIDERS = [
  { id: "stripe", name: "Stripe", fields: [["stripeRak", "Restricted API key", "rk_live_… with read access to charges, customers, checkout sessions and subscriptions."]] },
  { id: "lemonsqueezy", name: "Lemon Squeezy", fields: [["lemonsqueezyApiKey", "API key", ""], ["lemonsqueezyStoreId", "Store id", "The numeric store id."]] },
  { id: "polar", name: "Polar", fields: [["polarAccessToken", "Access token", ""], ["polarOrgId", "Organization id", "A UUID."]] },
  { id: "paddle", name: "Paddle", fields: [["paddleApiKey", "API key", "pdl_live_…"]] },
  { id: "shopify", name: "Shopify", fields: null },
  { id: "woocommerce", name: "WooCommerce", fields: null },
];

function providerBlock(site, p, status, writable, refresh) {
  const base = `${ADMIN}/websites/${site.id}/integrations/${p.id}`;
  const s = status || {};
  const facts = [
    ["Connected since", s.connectedAt && dateTime(s.connectedAt, site.timezone)],
    ["Key expires", s.keyExpiresAt && dateTime(s.keyExpiresAt, site.timezone)],
    ["Last import", s.lastSyncAt && dateTime(s.lastSyncAt, site.timezone)],
    ["Imported payments", s.importedPayments != null && s.connected ? num(s.importedPayments) : null],
    ["Last error", s.lastError],
    ["Webhook", s.webhookUrl && s.connected ? (s.webhookConfigured ? "signing secret saved" : "no signing secret yet") : null],
  ].filter(([, v]) => v);
  let connect = null;
  if (writable && p.fields) {
    connect = h(
      "form",
      { class: "stack" },
      p.fields.map(([name, label, hint]) => field(label, h("input", { type: "password", name, required: true, autocomplete: "off", spellcheck: "false" }), hint || undefined)),
      h("button", { type: "submit", class: "btn btn-primary" }, s.connected ? "Replace connection" : `Connect ${p.name}`),
    );
    onSubmit(connect, async (f) => {
      const body = {};
      for (const [name] of p.fields) body[name] = f[name].value.trim();
      await post(base, body);
      f.reset();
      refresh();
      return `${p.name} connected.`;
    });
  }
  let webhook = null;
  if (s.connected && s.webhookUrl) {
    const secretForm = writable
      ? h("form", { class: "inline-form" }, field("Signing secret", h("input", { type: "password", name: "secret", required: true, autocomplete: "off" })), h("button", { type: "submit", class: "btn" }, "Save secret"))
      : null;
    if (secretForm)
      onSubmit(secretForm, async (f) => {
        await put(`${base}/webhook`, { signingSecret: f.secret.value.trim() });
        f.reset();
        refresh();
        return "Webhook secret saved.";
      });
    webhook = h(
      "div",
      null,
      h("h4", null, "Webhook"),
      h("p", { class: "hint" }, `Add this endpoint in ${p.name}, then paste the signing secret it shows.`),
      copyBlock(s.webhookUrl, "Copy URL"),
      secretForm,
      writable && s.webhookConfigured
        ? actionButton("Forget secret", async () => {
            await del(`${base}/webhook`);
            refresh();
          }, { cls: "btn btn-small btn-ghost" })
        : null,
    );
  }
  return h(
    "details",
    { class: "card", open: s.connected ? true : null },
    h("summary", null, h("strong", null, p.name), " ", s.connected ? badge("Connected", "ok") : badge("Not connected")),
    facts.length ? h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])) : null,
    p.fields ? null : h("p", { class: "hint" }, `${p.name} connects through its own install flow.`),
    connect,
    webhook,
    writable && s.connected
      ? actionButton(`Disconnect ${p.name}`, async () => {
          await del(base);
          refresh();
        }, { cls: "btn btn-ghost", confirmText: `Disconnect ${p.name}? Imported payments stay.` })
      : null,
  );
}

export function integrationsCard(site, writable, signal) {
  const box = h("div", { class: "stack-wide" });
  const syncResult = h("div", { "aria-live": "polite" });
  function refresh() {
    load(
      box,
      () => get(`${ADMIN}/websites/${site.id}/integrations`, null, { signal }),
      (json) => {
        const st = (json.data || [])[0] || {};
        return PROVIDERS.map((p) => providerBlock(site, p, st[p.id], writable, refresh));
      },
    );
  }
  const sync = writable
    ? actionButton("Import payments now", async () => {
        const json = await post(`${ADMIN}/websites/${site.id}/integrations/sync`);
        const rows = json.data || [];
        mount(
          syncResult,
          rows.length
            ? table(
                [
                  { label: "Provider", key: "provider" },
                  { label: "Result", key: "status" },
                  { label: "Imported", num: true, render: (r) => num(r.importedPayments) },
                  { label: "Error", render: (r) => r.error || "—" },
                ],
                rows,
                "Import results",
              )
            : h("p", null, "No provider is connected."),
        );
        refresh();
        return "Import finished.";
      })
    : null;
  refresh();
  return card("Integrations", h("p", { class: "hint" }, "Revenue comes from connected payment providers; credentials are checked with the provider and stored encrypted."), sync, syncResult, box);
}
