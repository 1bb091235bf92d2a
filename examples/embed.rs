//! Embedding the core without HTTP: the domain, the application's use cases and the in-memory
//! store, wired by hand. It creates an account, a token, a website, records a few pageviews
//! and reads the overview as typed values, the same steps a service embedding the analytics would take.
//!
//! Run it with `cargo run -p datafast-examples --example embed`.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use datafast_analytics::{OverviewRequest, Scope};
use datafast_application::{
    IngestOutcome, IngestRequest, NewAccount, NewToken, NewWebsite, Services,
};
use datafast_domain::account::Email;
use datafast_domain::ingest::{EventDraft, validate};
use datafast_domain::website::Domain;
use datafast_memory::MemoryStore;
use datafast_ports::Clock;
use datafast_secrets::{AeadVault, HmacHasher, OsRandom};

/// The wall clock: the one place real time enters this program.
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the adapter that the Clock port exists for
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

type Failure = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let services = wire();
    let (account, _) = services
        .accounts()
        .ensure(NewAccount {
            email: Email::parse("owner@example.com")?,
            name: None,
        })
        .await?;
    let token = services
        .tokens()
        .issue_for(&account, NewToken::default())
        .await?;
    let owner = services
        .auth()
        .authenticate(Some(token.raw.expose()))
        .await?;
    let website = services
        .websites()
        .create(
            &owner,
            NewWebsite {
                domain: Domain::parse("shop.example.com")?,
                name: None,
                timezone: None,
            },
        )
        .await?;
    for (visitor, page) in VISITS {
        let event = pageview(website.tracking_id.as_str(), visitor, page)?;
        let outcome = services.ingestion().ingest(event).await?;
        assert!(
            matches!(outcome, IngestOutcome::Stored { .. }),
            "not stored: {outcome:?}"
        );
    }
    let view = services.analytics().view(&owner, Some(website.id)).await?;
    // All time, unfiltered, in the website's time zone and currency.
    let request = OverviewRequest {
        scope: Scope::of_website(&view.request_context()),
    };
    let overview = view.overview(&request);
    println!(
        "visitors {}, sessions {}, bounce rate {}%",
        overview.visitors, overview.sessions, overview.bounce_rate
    );
    // CI runs this program: a wrong answer must fail it, not just print.
    if (overview.visitors, overview.sessions) != (3, 3) {
        return Err("the overview should count three visitors in three sessions".into());
    }
    Ok(())
}

/// Three visitors: two read the pricing page after the home page.
const VISITS: [(&str, &str); 5] = [
    ("6f1c4d2a-8b3e-4f5a-9c7d-1e2f3a4b5c6d", "/"),
    ("6f1c4d2a-8b3e-4f5a-9c7d-1e2f3a4b5c6d", "/pricing"),
    ("0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d", "/"),
    ("0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d", "/pricing"),
    ("5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b", "/blog"),
];

/// The application over the in-memory store, with the real hashing and sealing and fixed keys
/// (a real embedding loads its keys from its own secret store).
fn wire() -> Services {
    Services::new(
        Arc::new(MemoryStore::new()),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        Arc::new(HmacHasher::new([7; 32])),
        Arc::new(AeadVault::new([9; 32])),
    )
}

/// One pageview as a tracker would describe it, checked by the domain's ingestion rules.
fn pageview(tracking_id: &str, visitor: &str, path: &str) -> Result<IngestRequest, Failure> {
    let href = format!("https://shop.example.com{path}");
    let draft = EventDraft {
        website_id: Some(tracking_id.into()),
        domain: Some("shop.example.com".into()),
        visitor_id: Some(visitor.into()),
        session_id: Some(format!("s{visitor}").into()),
        href: Some(href.into()),
        kind: Some("pageview".into()),
        ..EventDraft::default()
    };
    Ok(IngestRequest {
        event: validate(draft)?,
        client_ip: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0".to_owned()),
    })
}
