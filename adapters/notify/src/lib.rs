//! Alert delivery adapters for the [`Notifier`] port: email over SMTP, a JSON webhook, and the
//! composite the server uses (email to the team, plus the alert's webhook when it has one).

mod composite;
mod render;
mod smtp;
mod webhook;

pub use composite::AlertNotifier;
pub use datafast_ports::notify::{AlertDelivery, Notifier, NotifyError};
pub use render::{render_body, webhook_payload};
pub use smtp::{SmtpConfig, SmtpNotifier, TlsMode};
pub use webhook::WebhookNotifier;
