//! `datafast-bench seed-demo`: writes N realistic events (and their payments) for one website
//! straight into a server's SQLite file, over a chosen period, so that anyone can reproduce the
//! analytics benchmark or try the analytics endpoints on data that looks like traffic. What
//! the traffic looks like is [`traffic`]'s; this module writes it, in large batches.

mod traffic;

use std::path::Path;
use std::time::Instant;

use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::website::Website;
use datafast_ports::store::{EventStore, PaymentStore, WebsiteStore};
use datafast_sqlite::SqliteStore;

use traffic::Generator;

/// Events handed to the store at once: large batches are what makes bulk writing fast.
const BATCH: usize = 50_000;

/// What a seeding run wrote.
#[derive(Debug)]
pub struct SeedSummary {
    pub events: u64,
    pub visitors: u64,
    pub sessions: u64,
    pub payments: u64,
    pub seconds: f64,
    /// Growth of the database file and its log.
    pub added_bytes: u64,
}

/// Fills the website `website_id` of the database at `database` with `events` events spread
/// over the `days` days before now.
///
/// # Errors
/// When the database cannot be opened, the website does not exist, or a write fails.
pub async fn seed_demo(
    database: &Path,
    website_id: &str,
    events: u64,
    days: u32,
    seed: u64,
) -> Result<SeedSummary, String> {
    let started = Instant::now();
    let bytes_before = database_bytes(database);
    let store = SqliteStore::open(database).map_err(|e| e.to_string())?;
    let website = find_website(&store, database, website_id).await?;
    let mut generator = Generator::new(&website, days, seed)?;
    let written = write_events(&store, &mut generator, events, started).await?;
    drop(store);
    Ok(SeedSummary {
        events: written,
        visitors: generator.visitors,
        sessions: generator.sessions,
        payments: generator.payments,
        seconds: started.elapsed().as_secs_f64(),
        added_bytes: database_bytes(database).saturating_sub(bytes_before),
    })
}

/// The website `website_id` of the database at `database`, which must exist.
async fn find_website(
    store: &SqliteStore,
    database: &Path,
    website_id: &str,
) -> Result<Website, String> {
    let id =
        WebsiteId::parse(website_id).map_err(|_| format!("{website_id} is not a website id"))?;
    store
        .website(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no website {website_id} in {}", database.display()))
}

/// Has `generator` make visitors until `events` events are written, recording payments as they
/// come and events a batch at a time, with a progress line every five seconds or more; returns
/// how many events were written.
async fn write_events(
    store: &SqliteStore,
    generator: &mut Generator,
    events: u64,
    started: Instant,
) -> Result<u64, String> {
    let mut batch: Vec<Event> = Vec::with_capacity(BATCH);
    let mut written = 0_u64;
    let mut last_report = Instant::now();
    while written + (batch.len() as u64) < events {
        for (payment, goal) in generator.visitor(&mut batch, events - written) {
            store
                .record_payment(&payment, Some(goal))
                .await
                .map_err(|e| e.to_string())?;
        }
        if batch.len() >= BATCH {
            written += batch.len() as u64;
            store
                .append_events(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                .await
                .map_err(|e| e.to_string())?;
            if last_report.elapsed().as_secs() >= 5 {
                eprintln!(
                    "  {written} events, {:.0} events/s",
                    written as f64 / started.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
        }
    }
    written += batch.len() as u64;
    store
        .append_events(batch)
        .await
        .map_err(|e| e.to_string())?;
    Ok(written)
}

/// The database file and its write-ahead log.
pub fn database_bytes(database: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut path = database.as_os_str().to_owned();
            path.push(suffix);
            std::fs::metadata(path).ok().map(|m| m.len())
        })
        .sum()
}
