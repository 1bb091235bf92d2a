// Alerts: goal alerts by email or webhook (create, edit, enable or disable, delete) and their delivery history.

import { h, mount, field } from "./dom.js";
import { get, post, put, del, one, ADMIN } from "./api.js";
import { card, load, table, empty, onSubmit, actionButton, badge } from "./ui.js";
import { dateTime, num } from "./format.js";

function alertForm(site, alert, done) {
  const form = h(
    "form",
    { class: "stack" },
    field("Name", h("input", { name: "alertname", required: true, maxlength: "100", value: alert?.name || "" })),
    field("Goal", h("input", { name: "goal", required: true, value: alert?.trigger?.goalName || "", placeholder: "signup" }), "The alert fires each time this goal is completed."),
    field("Email subject", h("input", { name: "subject", maxlength: "200", value: alert?.template?.subject || "" }), "Optional: defaults to the alert's name."),
    field("Message", h("textarea", { name: "message", required: true, minlength: "10", maxlength: "2000", value: alert?.template?.message || "" }), "10 to 2,000 characters."),
    field("Webhook URL", h("input", { type: "url", name: "webhook", value: alert?.destination?.webhookUrl || "", placeholder: "https://hooks.example.com/…" }), "Optional: a public http(s) address that also receives each alert."),
    field("Enabled", h("input", { type: "checkbox", name: "enabled", checked: alert ? alert.isEnabled : true })),
    h("button", { type: "submit", class: "btn btn-primary" }, alert ? "Save alert" : "Create alert"),
  );
  onSubmit(form, async (f) => {
    const template = { message: f.message.value.trim() };
    if (f.subject.value.trim()) template.subject = f.subject.value.trim();
    const body = {
      name: f.alertname.value.trim(),
      trigger: { type: "goal", goalName: f.goal.value.trim() },
      destination: { type: "email", webhookUrl: f.webhook.value.trim() || null },
      template,
      isEnabled: f.enabled.checked,
    };
    if (!alert && !body.destination.webhookUrl) delete body.destination.webhookUrl;
    const base = `${ADMIN}/websites/${site.id}/alerts`;
    one(alert ? await put(`${base}/${alert.id}`, body) : await post(base, body));
    done();
    return alert ? "Alert saved." : "Alert created.";
  });
  return form;
}

function historyTable(site, json) {
  const rows = json.data || [];
  const c = json.counts || {};
  return [
    h("p", null, `${num(c.total || 0)} deliveries: ${num(c.sent || 0)} sent, ${num(c.failed || 0)} failed.`),
    rows.length
      ? table(
          [
            { label: "When", render: (r) => dateTime(r.triggeredAt, site.timezone) },
            { label: "Alert", key: "alertName" },
            { label: "Goal", key: "goalName" },
            { label: "Status", render: (r) => (r.status === "sent" ? badge("Sent", "ok") : badge("Failed", "warn")) },
            { label: "Error", render: (r) => r.error || "—" },
          ],
          rows,
          "Alert history",
        )
      : empty(h("p", null, "No alert has fired yet.")),
  ];
}

export function alertsCard(site, writable, signal) {
  const base = `${ADMIN}/websites/${site.id}/alerts`;
  const list = h("div");
  const history = h("div");
  const editor = h("div");
  function refresh() {
    mount(editor);
    load(history, () => get(`${base}/history`, { limit: 50 }, { signal }), (json) => historyTable(site, json));
    load(
      list,
      () => get(base, null, { signal }),
      (json) => {
        const alerts = json.data || [];
        if (!alerts.length) return empty(h("p", null, "No alerts."));
        return h(
          "ul",
          { class: "list-plain" },
          alerts.map((a) =>
            h(
              "li",
              null,
              h("strong", null, a.name),
              " ",
              a.isEnabled ? badge("Enabled", "ok") : badge("Disabled"),
              h("p", { class: "hint" }, `When goal “${a.trigger?.goalName}” is completed → email${a.destination?.webhookUrl ? ` and webhook ${a.destination.webhookUrl}` : ""}`),
              writable
                ? h(
                    "div",
                    { class: "btn-row" },
                    (() => {
                      const b = h("button", { type: "button", class: "btn btn-small" }, "Edit");
                      b.addEventListener("click", () => {
                        mount(editor, card(`Edit “${a.name}”`, alertForm(site, a, refresh)));
                        editor.querySelector("input").focus();
                      });
                      return b;
                    })(),
                    actionButton(a.isEnabled ? "Disable" : "Enable", async () => {
                      await put(`${base}/${a.id}`, { isEnabled: !a.isEnabled });
                      refresh();
                    }, { cls: "btn btn-small" }),
                    actionButton("Delete", async () => {
                      await del(`${base}/${a.id}`);
                      refresh();
                    }, { cls: "btn btn-small btn-ghost", confirmText: `Delete the alert “${a.name}”?` }),
                  )
                : null,
            ),
          ),
        );
      },
    );
  }
  const newBtn = writable ? h("button", { type: "button", class: "btn btn-primary" }, "New alert") : null;
  newBtn?.addEventListener("click", () => {
    mount(editor, card("New alert", alertForm(site, null, refresh)));
    editor.querySelector("input").focus();
  });
  refresh();
  return card("Alerts", list, newBtn, editor, h("h3", null, "History"), history);
}
