// Website settings page: assembles the details, snippet, API keys, team, alerts, integrations, exclusions and delete sections.

import { h, mount } from "./dom.js";
import { sitePage, viewOnlyNote } from "./sitepage.js";
import { canWrite } from "./sites.js";
import { detailsCard, snippetCard, exclusionsCard, deleteCard } from "./settings-general.js";
import { apiKeysCard } from "./settings-keys.js";
import { teamCard } from "./settings-team.js";
import { alertsCard } from "./settings-alerts.js";
import { integrationsCard } from "./settings-integrations.js";

const SECTIONS = [
  ["details", "Details"],
  ["snippet", "Snippet"],
  ["keys", "API keys"],
  ["team", "Team"],
  ["alerts", "Alerts"],
  ["integrations", "Integrations"],
  ["exclusions", "Exclusions"],
];

export const settingsPage = (ctx) =>
  sitePage(ctx, "Settings", (site, el) => {
    const writable = canWrite(site);
    const snippetBox = h("div", { id: "snippet" }, snippetCard(site));
    const wrap = (id, node) => h("div", { id }, node);
    const owner = site.role === "owner";
    mount(
      el,
      h(
        "nav",
        { class: "toc", "aria-label": "Settings sections" },
        h("ul", { class: "btn-row list-plain-inline" }, [...SECTIONS, ...(owner ? [["delete", "Delete"]] : [])].map(([id, label]) => h("li", null, h("a", { href: `#${id}` }, label)))),
      ),
      writable ? null : viewOnlyNote(),
      wrap("details", detailsCard(site, writable, () => mount(snippetBox, snippetCard(site)))),
      snippetBox,
      wrap("keys", apiKeysCard(site, writable, ctx.signal)),
      wrap("team", teamCard(site, ctx.signal)),
      wrap("alerts", alertsCard(site, writable, ctx.signal)),
      wrap("integrations", integrationsCard(site, writable, ctx.signal)),
      wrap("exclusions", exclusionsCard(site, writable)),
      owner ? wrap("delete", deleteCard(site)) : null,
    );
  });
