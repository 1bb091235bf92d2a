// Signed-out pages: sign in, the owner's first-password setup link, and accepting a team invitation.

import { h, mount, field } from "./dom.js";
import { signIn, setupInfo, completeSetup, joinInfo, completeJoin } from "./session.js";
import { navigate } from "./router.js";
import { onSubmit, load, errorBox, setTitle, focusHeading } from "./ui.js";
import { renderPublicHeader } from "./layout.js";
import { invalidate } from "./sites.js";

/** Only a same-origin path may be a post-sign-in destination (no "//evil.example"). */
function safeNext(query) {
  const next = query.get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

const passwordInput = (autocomplete, name = "password") =>
  h("input", { type: "password", name, required: true, minlength: "10", maxlength: "128", autocomplete });

function authShell(main, title, ...children) {
  renderPublicHeader();
  setTitle(title);
  mount(main, h("div", { class: "auth" }, h("h1", null, title), ...children));
  focusHeading(main);
}

export function signInPage({ main, query }) {
  const form = h(
    "form",
    { class: "stack", novalidate: false },
    field("Email", h("input", { type: "email", name: "email", required: true, autocomplete: "username" })),
    field("Password", h("input", { type: "password", name: "password", required: true, autocomplete: "current-password" })),
    h("button", { type: "submit", class: "btn btn-primary" }, "Sign in"),
  );
  onSubmit(form, async (f) => {
    await signIn(f.email.value.trim(), f.password.value);
    invalidate();
    navigate(safeNext(query), { replace: true });
  });
  authShell(main, "Sign in", form);
  form.email.focus();
}

const MISSING_CODE = "This link is incomplete: it has no code. Open the full link you were given.";
const notFoundText = (e, text) => (e.status === 404 ? new Error(text) : e);

function confirmMatch(form) {
  if (form.password.value !== form.confirm.value) throw new Error("The two passwords differ.");
}

export function setupPage({ main, query }) {
  const code = query.get("code");
  const body = h("div");
  authShell(main, "Set your password", body);
  if (!code) return mount(body, errorBox(new Error(MISSING_CODE)));
  load(
    body,
    () => setupInfo(code).catch((e) => Promise.reject(notFoundText(e, "This setup link was already used or has expired."))),
    (info) => {
      const form = h(
        "form",
        { class: "stack" },
        h("p", null, "Choose the password for ", h("strong", null, info?.email || "your account"), "."),
        h("input", { type: "email", name: "username", value: info?.email || "", autocomplete: "username", hidden: true, readonly: true }),
        field("New password", passwordInput("new-password"), "10 to 128 characters."),
        field("Repeat the password", passwordInput("new-password", "confirm")),
        h("button", { type: "submit", class: "btn btn-primary" }, "Save and sign in"),
      );
      onSubmit(form, async (f) => {
        confirmMatch(f);
        await completeSetup(code, f.password.value);
        invalidate();
        navigate("/", { replace: true });
      });
      return form;
    },
  );
}

export function joinPage({ main, query }) {
  const code = query.get("code");
  const body = h("div");
  authShell(main, "Join a team", body);
  if (!code) return mount(body, errorBox(new Error(MISSING_CODE)));
  load(
    body,
    () => joinInfo(code).catch((e) => Promise.reject(notFoundText(e, "This invitation was already used or has expired."))),
    (info) => {
      const exists = !!info?.accountExists;
      const form = h(
        "form",
        { class: "stack" },
        h(
          "p",
          null,
          "You are invited to ",
          h("strong", null, info?.domain || "a website"),
          ` as ${info?.role === "member" ? "a member" : "a viewer"}, with the email `,
          h("strong", null, info?.email || ""),
          ".",
        ),
        h("input", { type: "email", name: "username", value: info?.email || "", autocomplete: "username", hidden: true, readonly: true }),
        exists
          ? h("p", { class: "hint" }, "You already have an account: enter its password to accept.")
          : field("Your name", h("input", { type: "text", name: "name", required: true, maxlength: "100", autocomplete: "name" })),
        exists
          ? field("Password", h("input", { type: "password", name: "password", required: true, autocomplete: "current-password" }))
          : field("Choose a password", passwordInput("new-password"), "10 to 128 characters."),
        exists ? null : field("Repeat the password", passwordInput("new-password", "confirm")),
        h("button", { type: "submit", class: "btn btn-primary" }, exists ? "Accept and sign in" : "Create account and join"),
      );
      onSubmit(form, async (f) => {
        if (!exists) confirmMatch(f);
        await completeJoin(code, exists ? undefined : f.name.value.trim(), f.password.value);
        invalidate();
        navigate("/", { replace: true });
      });
      return form;
    },
  );
}
