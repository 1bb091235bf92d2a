//! Alert delivery channels for the [`Notifier`] port: email over SMTP to the website's team,
//! and a JSON webhook for alerts that name one (public addresses only, unless allowed). The
//! delivery use case sends and retries each channel on its own.

mod address;
mod render;
mod resolver;
mod smtp;
mod webhook;

pub use datafast_ports::notify::{AlertDelivery, Notifier, NotifyError};
pub use render::{render_body, webhook_payload};
pub use smtp::{SmtpConfig, SmtpNotifier, TlsMode};
pub use webhook::WebhookNotifier;
