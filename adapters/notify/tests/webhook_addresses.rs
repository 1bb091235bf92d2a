//! Webhooks must not reach the server's own network: loopback, private, link-local and other
//! internal addresses are refused before any connection is made, whether the URL names them
//! literally or through a host name, unless the operator's allowlist admits them. Every
//! listener here is on loopback, so a refused delivery is seen as "nothing connected".
// A failed setup step should abort the test loudly.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use datafast_domain::alert::Alert;
use datafast_domain::goal::GoalName;
use datafast_domain::id::{AlertId, WebsiteId};
use datafast_domain::website::IpRule;
use datafast_notify::{AlertDelivery, Notifier, NotifyError, WebhookNotifier};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What every refused delivery says, whatever the target and its state.
const REFUSED: &str = "no allowed address for the webhook host";

fn delivery(webhook_url: String) -> AlertDelivery {
    let now = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    AlertDelivery {
        alert: Alert {
            id: AlertId::from_parts(1_767_225_600, [1; 8]),
            website_id: WebsiteId::from_parts(1_767_225_600, [2; 8]),
            name: "Signups".into(),
            goal_name: GoalName::parse("signup").unwrap(),
            subject: "New signup on shop".into(),
            message: "A visitor just signed up.".into(),
            webhook_url: Some(webhook_url),
            is_enabled: true,
            created_at: now,
            updated_at: now,
        },
        domain: "shop.example.com".into(),
        recipients: vec![],
        goal_name: "signup".into(),
        visitor_id: Some("visitor-42".into()),
        triggered_at: now,
    }
}

fn notifier(allowed: &[&str]) -> WebhookNotifier {
    let rules = allowed.iter().map(|r| IpRule::parse(r).unwrap()).collect();
    WebhookNotifier::new(Duration::from_secs(5), rules).unwrap()
}

/// An HTTP server on `address` that answers every request with `reply` (a status line and
/// headers) and counts the connections it accepted.
async fn serve(address: &str, reply: String) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(address).await.unwrap();
    let local = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let reply = reply.clone();
            tokio::spawn(async move {
                read_request(&mut socket).await;
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (local, accepted)
}

/// Reads one request, headers and body, so the answer comes after it.
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = socket.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
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
                return;
            }
        }
    }
}

const NO_CONTENT: &str =
    "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

async fn serve_204(address: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    serve(address, NO_CONTENT.to_owned()).await
}

fn assert_refused(result: Result<(), NotifyError>) {
    let error = result.unwrap_err();
    assert!(error.to_string().ends_with(REFUSED), "{error}");
}

#[tokio::test]
async fn a_loopback_ipv4_webhook_is_refused_without_connecting() {
    let (address, accepted) = serve_204("127.0.0.1:0").await;
    let result = notifier(&[])
        .send(&delivery(format!("http://{address}/hook")))
        .await;
    assert_refused(result);
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_loopback_ipv6_webhook_is_refused_without_connecting() {
    let (address, accepted) = serve_204("[::1]:0").await;
    let result = notifier(&[])
        .send(&delivery(format!("http://{address}/hook")))
        .await;
    assert_refused(result);
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_ipv4_mapped_loopback_webhook_is_refused() {
    let (address, accepted) = serve_204("127.0.0.1:0").await;
    let url = format!("http://[::ffff:127.0.0.1]:{}/hook", address.port());
    assert_refused(notifier(&[]).send(&delivery(url)).await);
    // Other spellings the URL parser turns into 127.0.0.1.
    for host in ["127.1", "2130706433", "0x7f.0.0.1"] {
        let url = format!("http://{host}:{}/hook", address.port());
        assert_refused(notifier(&[]).send(&delivery(url)).await);
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_host_name_resolving_to_loopback_is_refused() {
    let (address, accepted) = serve_204("127.0.0.1:0").await;
    let url = format!("http://localhost:{}/hook", address.port());
    assert_refused(notifier(&[]).send(&delivery(url)).await);
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_cloud_metadata_address_is_refused_before_connecting() {
    // Refused from the address alone: no packet leaves for 169.254.169.254.
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://10.0.0.1/hook",
        "http://0.0.0.0/hook",
    ] {
        assert_refused(notifier(&[]).send(&delivery(url.to_owned())).await);
    }
}

#[tokio::test]
async fn an_allowed_network_is_delivered_to() {
    let (address, accepted) = serve_204("127.0.0.1:0").await;
    notifier(&["127.0.0.0/8"])
        .send(&delivery(format!("http://{address}/hook")))
        .await
        .unwrap();
    // The allowlist holds for names too: localhost resolves to an allowed address.
    let url = format!("http://localhost:{}/hook", address.port());
    notifier(&["127.0.0.1"]).send(&delivery(url)).await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_allowlist_admits_only_what_it_names() {
    let (address, accepted) = serve_204("127.0.0.1:0").await;
    let result = notifier(&["10.0.0.0/8", "127.0.0.2"])
        .send(&delivery(format!("http://{address}/hook")))
        .await;
    assert_refused(result);
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirect_to_a_refused_address_is_not_followed() {
    // The allowed server on 127.0.0.2 bounces the alert to 127.0.0.1, which is not allowed.
    let (target, reached) = serve_204("127.0.0.1:0").await;
    let reply = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://{target}/internal\r\n\
         content-length: 0\r\nconnection: close\r\n\r\n"
    );
    let (allowed, accepted) = serve("127.0.0.2:0", reply).await;
    let error = notifier(&["127.0.0.2/32"])
        .send(&delivery(format!("http://{allowed}/hook")))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        NotifyError::Rejected {
            target: "webhook".into(),
            reason: "HTTP 307".into()
        }
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert_eq!(reached.load(Ordering::SeqCst), 0);
}

#[test]
fn saving_an_alert_on_an_internal_address_is_refused_unless_allowed() {
    let alert = |url: &str| delivery(url.to_owned()).alert;
    let strict = notifier(&[]);
    for url in [
        "http://127.0.0.1/hook",
        "http://127.1:8080/hook",
        "http://[::1]/hook",
        "http://[::ffff:192.168.0.1]/hook",
        "http://localhost:9000/hook",
        "http://LOCALHOST./hook",
        "http://api.localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/hook",
    ] {
        let error = strict.check_destination(&alert(url)).unwrap_err();
        assert_eq!(error.field, "destination.webhookUrl", "{url}");
    }
    // Names are only checked when they are delivered to (they may resolve differently).
    assert!(
        strict
            .check_destination(&alert("https://hooks.example.com/x"))
            .is_ok()
    );
    assert!(
        strict
            .check_destination(&alert("https://8.8.8.8/x"))
            .is_ok()
    );
    let loopback = notifier(&["127.0.0.1"]);
    assert!(
        loopback
            .check_destination(&alert("http://127.0.0.1:8080/hook"))
            .is_ok()
    );
    assert!(
        loopback
            .check_destination(&alert("http://localhost:8080/hook"))
            .is_ok()
    );
    assert!(
        loopback
            .check_destination(&alert("http://127.0.0.2/hook"))
            .is_err()
    );
}
