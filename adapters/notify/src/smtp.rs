//! Email delivery over SMTP with lettre: plain, STARTTLS or implicit TLS (rustls only).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use datafast_ports::notify::{AlertDelivery, Mail, Mailer, Notifier, NotifyError};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// No encryption: only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// SMTP settings. The password never shows in `Debug`, so settings can be logged.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The From address, e.g. `Analytics <alerts@example.com>`.
    pub sender: String,
    pub tls: TlsMode,
    pub timeout: Duration,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("sender", &self.sender)
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Sends the alert's subject and plain-text message to each recipient, and other mail (an
/// invitation link) through the same server.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: Mailbox,
    target: String,
}

impl fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpNotifier")
            .field("target", &self.target)
            .field("sender", &self.sender.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    /// Checks the settings and prepares the transport. It opens one connection per send (no
    /// pool: alerts are rare, and a pool would need a running runtime at construction).
    pub fn new(config: &SmtpConfig) -> Result<Self, NotifyError> {
        let sender: Mailbox = config
            .sender
            .parse()
            .map_err(|_| NotifyError::Invalid("the sender address is not valid".into()))?;
        let builder = match config.tls {
            TlsMode::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            }
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| NotifyError::Invalid(format!("SMTP TLS settings: {e}")))?,
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| NotifyError::Invalid(format!("SMTP TLS settings: {e}")))?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            sender,
            target: format!("SMTP server {}:{}", config.host, config.port),
        })
    }

    fn message(&self, to: &str, delivery: &AlertDelivery) -> Result<Message, NotifyError> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| NotifyError::Invalid(format!("recipient {to:?} is not an address")))?;
        Message::builder()
            .from(self.sender.clone())
            .to(to)
            .subject(delivery.alert.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(crate::render_body(delivery))
            .map_err(|e| NotifyError::Invalid(format!("email: {e}")))
    }

    fn map_error(&self, error: &lettre::transport::smtp::Error) -> NotifyError {
        // lettre's messages carry the server's reply or the IO cause, never the credentials.
        let reason = error.to_string();
        if error.is_permanent() || error.is_transient() {
            NotifyError::Rejected {
                target: self.target.clone(),
                reason,
            }
        } else {
            NotifyError::Unreachable {
                target: self.target.clone(),
                reason,
            }
        }
    }
}

#[async_trait]
impl Mailer for SmtpNotifier {
    async fn send_mail(&self, mail: &Mail) -> Result<(), NotifyError> {
        let to: Mailbox = mail
            .to
            .as_str()
            .parse()
            .map_err(|_| NotifyError::Invalid("the recipient is not an address".into()))?;
        let message = Message::builder()
            .from(self.sender.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|e| NotifyError::Invalid(format!("email: {e}")))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| self.map_error(&e))?;
        Ok(())
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    fn channel(&self) -> &'static str {
        "email"
    }

    fn applies_to(&self, delivery: &AlertDelivery) -> bool {
        !delivery.recipients.is_empty()
    }

    async fn send(&self, delivery: &AlertDelivery) -> Result<(), NotifyError> {
        if delivery.recipients.is_empty() {
            return Err(NotifyError::Invalid("no email recipients".into()));
        }
        for recipient in &delivery.recipients {
            let message = self.message(recipient, delivery)?;
            self.transport
                .send(message)
                .await
                .map_err(|e| self.map_error(&e))?;
        }
        tracing::debug!(alert = %delivery.alert.id, count = delivery.recipients.len(), "alert emailed");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "mail.example.com".into(),
            port: 587,
            username: Some("alerts".into()),
            password: Some("hunter2-secret".into()),
            sender: "Analytics <alerts@example.com>".into(),
            tls: TlsMode::StartTls,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let text = format!("{:?}", config());
        assert!(!text.contains("hunter2"));
        assert!(text.contains("<redacted>"));
        assert!(text.contains("alerts"));
    }

    #[test]
    fn a_bad_sender_is_refused() {
        let mut c = config();
        c.sender = "not an address".into();
        assert!(matches!(
            SmtpNotifier::new(&c),
            Err(NotifyError::Invalid(_))
        ));
        assert!(SmtpNotifier::new(&config()).is_ok());
    }
}
