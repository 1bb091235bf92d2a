//! Delivery against real servers on loopback: an embedded SMTP server and a one-shot HTTP
//! listener, so the bytes lettre and reqwest put on the wire are what gets checked.
// A failed setup step should abort the test loudly.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener as StdListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use datafast_domain::alert::Alert;
use datafast_domain::goal::GoalName;
use datafast_domain::id::{AlertId, WebsiteId};
use datafast_domain::website::IpRule;
use datafast_notify::{
    AlertDelivery, Notifier, NotifyError, SmtpConfig, SmtpNotifier, TlsMode, WebhookNotifier,
};
use mailin_embedded::{Handler, Response, Server, response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn delivery(webhook_url: Option<String>) -> AlertDelivery {
    let now = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    AlertDelivery {
        alert: Alert {
            id: AlertId::from_parts(1_767_225_600, [1; 8]),
            website_id: WebsiteId::from_parts(1_767_225_600, [2; 8]),
            name: "Signups".into(),
            goal_name: GoalName::parse("signup").unwrap(),
            subject: "New signup on shop".into(),
            message: "A visitor just signed up.".into(),
            webhook_url,
            is_enabled: true,
            created_at: now,
            updated_at: now,
        },
        domain: "shop.example.com".into(),
        recipients: vec!["owner@example.com".into(), "team@example.com".into()],
        goal_name: "signup".into(),
        visitor_id: Some("visitor-42".into()),
        triggered_at: now,
    }
}

#[derive(Debug, Clone, Default)]
struct Mail {
    to: Vec<String>,
    data: String,
}

#[derive(Clone, Default)]
struct Inbox {
    current: Mail,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Mail {
            to: to.to_vec(),
            data: String::new(),
        };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = std::mem::take(&mut self.current);
        self.received.lock().unwrap().push(mail);
        response::OK
    }
}

/// Starts an SMTP server on a free loopback port; it runs until the test process exits.
fn start_smtp() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let received = inbox.received.clone();
    let mut server = Server::new(inbox);
    server.with_name("test.local").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, received)
}

fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        sender: "Analytics <alerts@example.com>".into(),
        tls: TlsMode::None,
        timeout: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn smtp_delivers_subject_and_body_to_each_recipient() {
    let (port, received) = start_smtp();
    let notifier = SmtpNotifier::new(&smtp_config(port)).unwrap();
    notifier.send(&delivery(None)).await.unwrap();

    let mails = received.lock().unwrap();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].to, vec!["owner@example.com".to_string()]);
    assert_eq!(mails[1].to, vec!["team@example.com".to_string()]);
    let data = &mails[0].data;
    assert!(data.contains("Subject: New signup on shop"), "{data}");
    assert!(
        data.contains("From: Analytics <alerts@example.com>"),
        "{data}"
    );
    assert!(data.contains("A visitor just signed up."), "{data}");
    assert!(data.contains("Website: shop.example.com"), "{data}");
    assert!(data.contains("Visitor: visitor-42"), "{data}");
}

#[tokio::test]
async fn smtp_refused_connection_is_unreachable() {
    // Bind then drop to get a port nobody listens on.
    let port = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let notifier = SmtpNotifier::new(&smtp_config(port)).unwrap();
    let error = notifier.send(&delivery(None)).await.unwrap_err();
    assert!(
        matches!(error, NotifyError::Unreachable { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn smtp_password_never_reaches_the_error() {
    let port = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = smtp_config(port);
    config.username = Some("alerts".into());
    config.password = Some("hunter2-secret".into());
    let error = SmtpNotifier::new(&config)
        .unwrap()
        .send(&delivery(None))
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("hunter2"));
}

/// Serves one HTTP request with `status`, handing back the raw request.
async fn one_shot_http(status: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/alert", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&raw);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if raw.len() >= end + 4 + length {
                    break;
                }
            }
        }
        let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        socket.write_all(reply.as_bytes()).await.unwrap();
        String::from_utf8(raw).unwrap()
    });
    (url, handle)
}

fn json_body(raw: &str) -> serde_json::Value {
    let (_, body) = raw.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(body).unwrap()
}

/// The test servers listen on loopback, which webhooks reach only when allowed.
fn loopback_webhooks() -> WebhookNotifier {
    WebhookNotifier::new(
        Duration::from_secs(5),
        vec![IpRule::parse("127.0.0.1").unwrap()],
    )
    .unwrap()
}

#[tokio::test]
async fn webhook_posts_the_alert_as_json() {
    let (url, server) = one_shot_http("204 No Content").await;
    let notifier = loopback_webhooks();
    let d = delivery(Some(url));
    notifier.send(&d).await.unwrap();

    let raw = server.await.unwrap();
    assert!(raw.starts_with("POST /hooks/alert HTTP/1.1"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains("content-type: application/json")
    );
    let body = json_body(&raw);
    assert_eq!(body["alertId"], d.alert.id.to_string());
    assert_eq!(body["alertName"], "Signups");
    assert_eq!(body["goalName"], "signup");
    assert_eq!(body["websiteId"], d.alert.website_id.to_string());
    assert_eq!(body["domain"], "shop.example.com");
    assert_eq!(body["visitorId"], "visitor-42");
    assert_eq!(body["triggeredAt"], "2026-01-01T00:00:00Z");
    assert_eq!(body["subject"], "New signup on shop");
    assert_eq!(body["message"], "A visitor just signed up.");
}

#[tokio::test]
async fn webhook_500_is_rejected_without_the_url() {
    let (url, server) = one_shot_http("500 Internal Server Error").await;
    let notifier = loopback_webhooks();
    let error = notifier.send(&delivery(Some(url))).await.unwrap_err();
    server.await.unwrap();
    assert_eq!(
        error,
        NotifyError::Rejected {
            target: "webhook".into(),
            reason: "HTTP 500".into()
        }
    );
    assert!(!error.to_string().contains("/hooks/"));
}

#[tokio::test]
async fn webhook_refused_connection_is_unreachable() {
    let port = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let notifier = loopback_webhooks();
    let error = notifier
        .send(&delivery(Some(format!("http://127.0.0.1:{port}/x"))))
        .await
        .unwrap_err();
    assert!(
        matches!(error, NotifyError::Unreachable { .. }),
        "{error:?}"
    );
}

#[test]
fn each_channel_applies_only_when_it_has_somewhere_to_send() {
    let email = SmtpNotifier::new(&smtp_config(25)).unwrap();
    let webhook = loopback_webhooks();
    assert_eq!(email.channel(), "email");
    assert_eq!(webhook.channel(), "webhook");
    let without_webhook = delivery(None);
    assert!(email.applies_to(&without_webhook));
    assert!(!webhook.applies_to(&without_webhook));
    let with_webhook = delivery(Some("http://127.0.0.1:9/hook".into()));
    assert!(webhook.applies_to(&with_webhook));
    let mut nobody = delivery(None);
    nobody.recipients.clear();
    assert!(!email.applies_to(&nobody));
}
