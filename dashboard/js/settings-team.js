// Team: members and pending invitations, inviting (with the join link to copy when the server gives one) and removing.

import { h, mount, field } from "./dom.js";
import { get, post, del, one, ADMIN } from "./api.js";
import { card, load, table, empty, onSubmit, actionButton, copyBlock, badge } from "./ui.js";
import { dateTime } from "./format.js";

export function teamCard(site, signal) {
  const base = `${ADMIN}/websites/${site.id}/team`;
  const owner = site.role === "owner";
  const list = h("div");
  const invited = h("div", { "aria-live": "polite" });
  function refresh() {
    load(
      list,
      () => get(base, null, { signal }),
      (json) => {
        const rows = json.data || [];
        if (!rows.length) return empty(h("p", null, "Nobody else yet."));
        return table(
          [
            { label: "Person", render: (m) => h("span", null, m.name ? [h("strong", null, m.name), h("br")] : null, m.email) },
            { label: "Role", key: "role" },
            { label: "Status", render: (m) => (m.status === "pending" ? badge("Invitation pending", "warn") : badge("Active", "ok")) },
            { label: "Since", render: (m) => dateTime(m.joinedAt || m.invitedAt, site.timezone) },
            ...(owner
              ? [
                  {
                    label: "Actions",
                    render: (m) =>
                      m.role === "owner"
                        ? "—"
                        : actionButton(m.status === "pending" ? "Withdraw" : "Remove", async () => {
                            await del(base, m.status === "pending" ? { invitationId: m.invitationId } : { userId: m.userId });
                            refresh();
                            return m.status === "pending" ? "Invitation withdrawn." : "Member removed.";
                          }, { cls: "btn btn-small btn-ghost", confirmText: m.status === "pending" ? `Withdraw the invitation to ${m.email}?` : `Remove ${m.email} from this website?` }),
                  },
                ]
              : []),
          ],
          rows,
          "Team",
        );
      },
    );
  }
  let form = null;
  if (owner) {
    form = h(
      "form",
      { class: "inline-form" },
      field("Email", h("input", { type: "email", name: "email", required: true, autocomplete: "off" })),
      field("Role", h("select", { name: "role" }, h("option", { value: "viewer" }, "Viewer (read only)"), h("option", { value: "member" }, "Member (can change settings)"))),
      h("button", { type: "submit", class: "btn btn-primary" }, "Invite"),
    );
    onSubmit(form, async (f) => {
      const answer = one(await post(base, { email: f.email.value.trim(), role: f.role.value }));
      f.reset();
      const link = answer?.inviteUrl ? new URL(answer.inviteUrl, location.origin).href : null;
      mount(
        invited,
        h(
          "div",
          { class: "secret" },
          h("strong", null, `Invitation created for ${answer?.email}`),
          link
            ? [h("p", null, "No email is sent: share this link with them. It works once."), copyBlock(link, "Copy invite link")]
            : h("p", null, answer?.message || "They can accept it from their account."),
        ),
      );
      refresh();
    });
  }
  refresh();
  return card(
    "Team",
    owner ? null : h("p", { class: "note" }, "Only the owner can invite or remove people."),
    invited,
    list,
    form,
  );
}
