//! The import suite: how fast the release server imports payments from a local fake of
//! Stripe's API into its store, the memory it holds while it does, and a crash test: `kill -9`
//! in the middle of an import, a restart, and a check that the store then holds every payment
//! exactly once.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use datafast_domain::id::WebsiteId;
use datafast_ports::store::PaymentStore;
use datafast_provider_fakes::{Account, Fake, FakePayment, FakeProviders};
use datafast_sqlite::SqliteStore;
use serde_json::{Value, json};

use crate::client::Connection;
use crate::ingest::uuid;
use crate::server::{RunningServer, rss_kib_of};

const STRIPE_KEY: &str = "rk_live_51HbenchImportKey0000";
/// How long the restarted server may take to finish the import the kill cut short.
const RESUME_PATIENCE: Duration = Duration::from_secs(600);

/// What the suite measured.
#[derive(Debug)]
pub struct ImportReport {
    payments: u64,
    seconds: f64,
    rss_before_kib: u64,
    rss_peak_kib: u64,
    stored_at_kill: usize,
    stored_after_restart: usize,
    distinct_after_restart: usize,
    imported_after_restart: u64,
}

impl ImportReport {
    pub fn to_markdown(&self) -> String {
        format!(
            "| measure | value |\n|---|---:|\n\
             | payments imported | {} |\n\
             | seconds | {:.1} |\n\
             | payments per second | {:.0} |\n\
             | server RSS before the import (MiB) | {:.1} |\n\
             | server RSS peak during the import (MiB) | {:.1} |\n\
             | kill -9: payments stored when killed | {} |\n\
             | kill -9: payments stored after the restart finished | {} ({} distinct) |\n\
             | kill -9: `importedPayments` after the restart | {} |\n",
            self.payments,
            self.seconds,
            self.payments as f64 / self.seconds.max(f64::EPSILON),
            self.rss_before_kib as f64 / 1024.0,
            self.rss_peak_kib as f64 / 1024.0,
            self.stored_at_kill,
            self.stored_after_restart,
            self.distinct_after_restart,
            self.imported_after_restart,
        )
    }
}

/// `payments` one-off payments over the 80 days before now, each made by its own visitor
/// (named in its Checkout Session's metadata, as DataFast asks), in three currencies.
fn stock(stripe: &Fake, payments: u64) {
    #[allow(clippy::disallowed_methods)] // a benchmark: real time enters here
    let now = jiff::Timestamp::now().as_second();
    let span = 80 * 86_400;
    let currencies = ["usd", "eur", "gbp"];
    stripe.add_key(STRIPE_KEY, Account::named("Bench", "usd"));
    stripe.add_payments((0..payments).map(|n| {
        let at = now - 3_600 - (n as i64 * span) / payments.max(1) as i64;
        let currency = currencies[(n % 3) as usize];
        FakePayment::new(
            &format!("pi_bench{n:09}"),
            500 + (n % 97) as i64 * 100,
            currency,
            at,
        )
        .by_visitor(&uuid(n, 0x1e0))
    }));
}

pub async fn run(binary: &Path, payments: u64) -> Result<ImportReport, String> {
    let fakes = FakeProviders::start()
        .await
        .map_err(|e| format!("starting the provider fakes: {e}"))?;
    stock(&fakes.stripe, payments);
    let base = fakes.stripe.base_url().to_owned();
    let settings = [
        ("DATAFAST_STRIPE_API_BASE", base.as_str()),
        // The measured pass is the one the bench asks for, not the server's own loop.
        ("DATAFAST_IMPORT_INTERVAL_SECS", "86400"),
        ("DATAFAST_IMPORT_BACKFILL_DAYS", "90"),
    ];

    eprintln!("import: {payments} payments from the Stripe fake");
    let server = RunningServer::start_with(binary, &settings).await?;
    let website = connected_website(&server).await?;
    let rss_before_kib = server.rss_kib()?;
    let peak = RssPeak::watch(server.pid());
    let started = Instant::now();
    let reply = sync(&server, &website).await?;
    let seconds = started.elapsed().as_secs_f64();
    let rss_peak_kib = peak.stop();
    let imported = reply["data"][0]["importedPayments"].as_u64().unwrap_or(0);
    if imported != payments {
        return Err(format!(
            "the import brought {imported} payments, not {payments}: {reply}"
        ));
    }
    server.stop().await?;

    let crash = crash_test(binary, &settings, &fakes.stripe, payments).await?;
    Ok(ImportReport {
        payments,
        seconds,
        rss_before_kib,
        rss_peak_kib,
        stored_at_kill: crash.stored_at_kill,
        stored_after_restart: crash.stored_after,
        distinct_after_restart: crash.distinct_after,
        imported_after_restart: crash.imported_after,
    })
}

struct CrashOutcome {
    stored_at_kill: usize,
    stored_after: usize,
    distinct_after: usize,
    imported_after: u64,
}

/// Starts an import on a fresh server, kills it with SIGKILL once about 40 % of the payments
/// were read, restarts it (its import loop resumes at start), waits for the import to finish,
/// and counts what the store holds.
async fn crash_test(
    binary: &Path,
    settings: &[(&str, &str)],
    stripe: &Fake,
    payments: u64,
) -> Result<CrashOutcome, String> {
    let server = RunningServer::start_with(binary, settings).await?;
    let website = connected_website(&server).await?;
    let (address, token, id) = (server.address(), server.token().to_owned(), website.clone());
    let before = stripe.request_count() as u64;
    let pass = tokio::spawn(async move {
        let mut connection = Connection::open(address).await?;
        let path = format!("/api/v1/admin/websites/{id}/integrations/sync");
        connection.request("POST", &path, Some(&token), None).await
    });
    // One Checkout Session lookup per payment, one list call per hundred.
    let cut_at = before + payments * 2 / 5;
    while (stripe.request_count() as u64) < cut_at {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed = server.kill_hard().await?;
    let _ = pass.await;
    let stored_at_kill = stored(&killed.database(), &website).await?.len();
    eprintln!("kill -9 during the import: {stored_at_kill} payments stored; restarting");
    let restarted = killed.restart_with(binary, settings).await?;
    let imported_after = wait_for_import(&restarted, &website, payments).await?;
    let folder = restarted.stop_keeping_files().await?;
    let ids = stored(&folder.path().join("bench.db"), &website).await?;
    let distinct: HashSet<&String> = ids.iter().collect();
    Ok(CrashOutcome {
        stored_at_kill,
        stored_after: ids.len(),
        distinct_after: distinct.len(),
        imported_after,
    })
}

/// The transaction ids the database holds for `website`.
async fn stored(database: &Path, website: &str) -> Result<Vec<String>, String> {
    let store = SqliteStore::open(database).map_err(|e| e.to_string())?;
    let id = WebsiteId::parse(website).map_err(|e| e.to_string())?;
    let payments = store.payments(id).await.map_err(|e| e.to_string())?;
    Ok(payments.into_iter().map(|p| p.transaction_id).collect())
}

/// Polls the integration status until Stripe's `importedPayments` reaches `payments`.
async fn wait_for_import(
    server: &RunningServer,
    website: &str,
    payments: u64,
) -> Result<u64, String> {
    let deadline = Instant::now() + RESUME_PATIENCE;
    let mut connection = Connection::open(server.address()).await?;
    let path = format!("/api/v1/admin/websites/{website}/integrations");
    loop {
        let reply = connection
            .request("GET", &path, Some(server.token()), None)
            .await?;
        let stripe = reply.json.as_ref().map(|j| j["data"][0]["stripe"].clone());
        let imported = stripe
            .as_ref()
            .and_then(|s| s["importedPayments"].as_u64())
            .unwrap_or(0);
        let finished = stripe.as_ref().is_some_and(|s| s["lastSyncAt"].is_string());
        if finished && imported >= payments {
            return Ok(imported);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the resumed import stopped at {imported}: {stripe:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A new website with Stripe connected.
async fn connected_website(server: &RunningServer) -> Result<String, String> {
    let mut connection = Connection::open(server.address()).await?;
    let created = connection
        .request(
            "POST",
            "/api/v1/admin/websites",
            Some(server.token()),
            Some(json!({"domain": "import.example", "name": "Import bench"})),
        )
        .await?;
    let website = created
        .json
        .as_ref()
        .and_then(|j| j["data"][0]["websiteId"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("website creation failed: {:?}", created.json))?;
    let path = format!("/api/v1/admin/websites/{website}/integrations/stripe");
    let reply = connection
        .request(
            "POST",
            &path,
            Some(server.token()),
            Some(json!({"stripeRak": STRIPE_KEY})),
        )
        .await?;
    if reply.status != 200 {
        return Err(format!("connecting Stripe failed: {:?}", reply.json));
    }
    Ok(website)
}

async fn sync(server: &RunningServer, website: &str) -> Result<Value, String> {
    let mut connection = Connection::open(server.address()).await?;
    let path = format!("/api/v1/admin/websites/{website}/integrations/sync");
    let reply = connection
        .request("POST", &path, Some(server.token()), None)
        .await?;
    reply
        .json
        .filter(|_| reply.status == 200)
        .ok_or_else(|| format!("sync answered {}", reply.status))
}

/// The server's largest resident set while it is watched, sampled every 50 ms.
struct RssPeak {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    sampler: std::thread::JoinHandle<()>,
}

impl RssPeak {
    fn watch(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (stopping, highest) = (Arc::clone(&stop), Arc::clone(&peak));
        let sampler = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                if let Ok(kib) = rss_kib_of(pid) {
                    highest.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Self {
            stop,
            peak,
            sampler,
        }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.sampler.join();
        self.peak.load(Ordering::Relaxed)
    }
}
