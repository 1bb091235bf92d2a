//! Revenue import: each connected provider's payments read page by page into the store, on the
//! same idempotent path as the Payments API, with a cursor kept in the store so that a restart
//! resumes with no gap and no double.
//!
//! A pass over one connection reads the window its [`SyncState`] names. After each page is
//! stored the state is saved, so a pass cut short (a crash, a kill) starts again at that page;
//! payments already stored come back as duplicates and change nothing. A credential the
//! provider refuses halts the connection until the user connects again; a provider that is
//! rate limiting or failing is retried after a wait (its `Retry-After`, else an exponential
//! backoff with a cap), and otherwise left for the next pass.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jiff::SignedDuration;

use datafast_domain::access::Principal;
use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::payload::VisitorId;
use datafast_domain::integration::ProviderCredentials;
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::permission::Permission;
use datafast_domain::provider_payment::{ProviderPayment, SyncState, SyncWindow, VisitorsByEmail};
use datafast_domain::provider_subscription::ProviderSubscription;
use datafast_ports::notify::{OwnerNotice, RetryPolicy};
use datafast_ports::providers::{PaymentPage, PaymentProviders, ProviderError};
use datafast_ports::store::{ImportRecord, ImportedPayment, StoreError};

use crate::error::ServiceResult;
use crate::integrations::{connection_of, open_credentials};
use crate::website_data::{goal_event_of, goal_visit};
use crate::{Pause, PauseFuture, Services};

/// The longest `Retry-After` obeyed: a provider asking for more is tried again on the next pass.
const MAX_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(300);

/// The most pages one pass reads: a backlog past it is read by the next pass, from the page
/// this one stopped at, so no pass holds the import forever.
const MAX_PAGES_PER_PASS: usize = 2_000;

/// The longest error text kept on a connection.
const MAX_ERROR_CHARS: usize = 300;

/// How the import reads providers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportSettings {
    /// How far back the first pass of a new connection reads.
    pub backfill: SignedDuration,
    /// Waits between attempts at one page when the provider fails or rate limits; a
    /// `Retry-After` it sends replaces the computed wait (up to five minutes).
    pub retry: RetryPolicy,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            backfill: SignedDuration::from_hours(90 * 24),
            retry: RetryPolicy {
                attempts: 5,
                ..RetryPolicy::default()
            },
        }
    }
}

/// What the import shares across passes: its settings, how it waits, and which connections
/// have a pass running, so that two never run over the same one.
pub(crate) struct ImportRuntime {
    pub(crate) settings: ImportSettings,
    pub(crate) pause: Pause,
    running: Mutex<HashSet<(WebsiteId, Provider)>>,
}

impl ImportRuntime {
    pub(crate) fn new(settings: ImportSettings, pause: Pause) -> Self {
        Self {
            settings,
            pause,
            running: Mutex::new(HashSet::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashSet<(WebsiteId, Provider)>> {
        // Each change is one insert or remove: a panic cannot leave it half-done.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ImportRuntime {
    /// Retries without waiting: for embedding and tests, where no runtime timer is given.
    fn default() -> Self {
        Self::new(
            ImportSettings::default(),
            Arc::new(|_| -> PauseFuture { Box::pin(std::future::ready(())) }),
        )
    }
}

/// A claim on one connection for the length of a pass.
struct Running<'a> {
    runtime: &'a ImportRuntime,
    key: (WebsiteId, Provider),
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.runtime.lock().remove(&self.key);
    }
}

/// One pass under way: the connection, the window it reads, and how far it got.
struct Run {
    website: WebsiteId,
    provider: Provider,
    window: SyncWindow,
    state: SyncState,
    started: jiff::Timestamp,
    imported: u64,
    /// Identified visitors by email, read when a payment first needs them.
    emails: Option<VisitorsByEmail>,
}

/// How a pass over one connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassOutcome {
    /// The window was read to its end; `imported` payments were new.
    Finished { imported: u64 },
    /// The provider could not be read now (`error`); the next pass resumes where this stopped.
    Interrupted { imported: u64, error: String },
    /// The provider refused the credential: the connection is halted until reconnected.
    Halted { error: String },
    /// Another pass over the connection is running.
    AlreadyRunning,
    /// The connection is halted, or was removed; nothing was read.
    Skipped,
}

/// The revenue import use cases, reached through [`Services::revenue_import`].
#[derive(Debug, Clone, Copy)]
pub struct RevenueImport<'a> {
    pub(crate) services: &'a Services,
}

impl RevenueImport<'_> {
    /// One pass over every connection of every website that is not halted: what the server's
    /// import loop runs at each interval.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn sync_all(&self) -> ServiceResult<Vec<(WebsiteId, Provider, PassOutcome)>> {
        let mut outcomes = Vec::new();
        for (website, connection) in self.services.store.all_connections().await? {
            if connection.sync.halted {
                continue;
            }
            let outcome = self.pass(website, connection.provider, false).await?;
            outcomes.push((website, connection.provider, outcome));
        }
        Ok(outcomes)
    }

    /// `POST .../integrations/sync`: a pass over each of the website's connections now,
    /// halted ones included (the user may have fixed the key at the provider).
    ///
    /// # Errors
    /// Policy refusals; storage failures.
    pub async fn sync_now(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<Vec<(Provider, PassOutcome)>> {
        self.services
            .authorized_website(principal, website, Permission::SettingsWrite, false)
            .await?;
        let mut outcomes = Vec::new();
        for connection in self.services.store.connections(website).await? {
            let outcome = self.pass(website, connection.provider, true).await?;
            outcomes.push((connection.provider, outcome));
        }
        Ok(outcomes)
    }

    /// Reads the connection's current window to its end, or until the provider stops it.
    async fn pass(
        &self,
        website: WebsiteId,
        provider: Provider,
        even_halted: bool,
    ) -> ServiceResult<PassOutcome> {
        let Some(_running) = self.claim(website, provider) else {
            return Ok(PassOutcome::AlreadyRunning);
        };
        // Read after the claim: a pass that ended just before saw its state saved.
        let Some(connection) = connection_of(self.services, website, provider).await? else {
            return Ok(PassOutcome::Skipped);
        };
        if connection.sync.halted && !even_halted {
            return Ok(PassOutcome::Skipped);
        }
        let started = self.services.now();
        let mut run = Run {
            website,
            provider,
            window: connection
                .sync
                .next_window(started, self.runtime().settings.backfill),
            state: connection.sync.clone(),
            started,
            imported: 0,
            emails: None,
        };
        for _ in 0..MAX_PAGES_PER_PASS {
            let answer = self
                .page(&connection, &run.window, run.state.page.clone())
                .await?;
            match self.apply(&mut run, answer).await? {
                Some(finished @ PassOutcome::Finished { .. }) => {
                    let stopped = self.import_subscriptions(&connection, &mut run).await?;
                    return Ok(stopped.unwrap_or(finished));
                }
                Some(outcome) => return Ok(outcome),
                None => {}
            }
        }
        Ok(PassOutcome::Interrupted {
            imported: run.imported,
            error: "the backlog is read over several passes".to_owned(),
        })
    }

    /// Stores a page and saves how far the pass got, or records why the provider stopped it.
    /// Returns how the pass ended, if it did.
    async fn apply(
        &self,
        run: &mut Run,
        answer: Result<PaymentPage, ProviderError>,
    ) -> ServiceResult<Option<PassOutcome>> {
        let title = run.provider.title();
        let page = match answer {
            Err(ProviderError::Rejected(reason)) => {
                let error = bounded(&format!("{title} refused the credential: {reason}"));
                let newly_halted = !run.state.halted;
                run.state.halted = true;
                let outcome = self
                    .stop(run, error.clone(), PassOutcome::Halted { error })
                    .await?;
                if newly_halted {
                    self.services
                        .notify_owner(key_refused(run, &reason, self.services.now()));
                }
                return Ok(outcome);
            }
            Err(failure) => return self.interrupt(run, describe(run.provider, &failure)).await,
            Ok(page) if page.next.is_some() && page.next == run.state.page => {
                return self
                    .interrupt(run, format!("{title} answered the same page again"))
                    .await;
            }
            Ok(page) => page,
        };
        let finished = page.next.is_none();
        let mut after = run.state.clone();
        after.page_stored(run.window, page.next, run.started);
        let payments = self.prepare(run, page.payments).await?;
        let records = match self
            .services
            .store
            .store_import_page(
                run.website,
                run.provider,
                payments.clone(),
                Some(after.clone()),
            )
            .await
        {
            Ok(records) => records,
            Err(StoreError::NotFound) => return Ok(Some(PassOutcome::Skipped)),
            Err(error) => return Err(error.into()),
        };
        let new = self.announce(&payments, &records).await;
        after.imported_payments += new;
        run.state = after;
        run.imported += new;
        Ok(finished.then_some(PassOutcome::Finished {
            imported: run.imported,
        }))
    }

    async fn interrupt(&self, run: &mut Run, error: String) -> ServiceResult<Option<PassOutcome>> {
        let error = bounded(&error);
        let outcome = PassOutcome::Interrupted {
            imported: run.imported,
            error: error.clone(),
        };
        self.stop(run, error, outcome).await
    }

    /// Ends the pass with `error` shown on the connection.
    async fn stop(
        &self,
        run: &mut Run,
        error: String,
        outcome: PassOutcome,
    ) -> ServiceResult<Option<PassOutcome>> {
        run.state.last_error = Some(error);
        self.save(run.website, run.provider, &run.state).await?;
        Ok(Some(outcome))
    }

    fn runtime(&self) -> &ImportRuntime {
        &self.services.import
    }

    fn claim(&self, website: WebsiteId, provider: Provider) -> Option<Running<'_>> {
        let runtime = self.runtime();
        let key = (website, provider);
        runtime
            .lock()
            .insert(key)
            .then_some(Running { runtime, key })
    }

    /// Saves the state; false when the connection was removed while the pass ran.
    async fn save(
        &self,
        website: WebsiteId,
        provider: Provider,
        state: &SyncState,
    ) -> ServiceResult<bool> {
        match self
            .services
            .store
            .save_sync_state(website, provider, state)
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::NotFound) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Reads every subscription of the connection, as the provider has it now, and saves each
    /// page with the goals its changes fire. The listing is read whole at every pass (the
    /// providers list no "changed since"); returns how the pass ended if the provider stopped
    /// it.
    async fn import_subscriptions(
        &self,
        connection: &Connection,
        run: &mut Run,
    ) -> ServiceResult<Option<PassOutcome>> {
        let mut page: Option<String> = None;
        for _ in 0..MAX_PAGES_PER_PASS {
            let cursor = page.clone();
            let answer = with_retries(self.services, connection, |providers, credentials| {
                let cursor = cursor.clone();
                async move { providers.subscriptions(&credentials, cursor).await }
            })
            .await?;
            let listed = match answer {
                Ok(listed) => listed,
                Err(failure) => return self.apply(run, Err(failure)).await,
            };
            let prepared = self
                .prepare_subscriptions(run, listed.subscriptions)
                .await?;
            let saved = self
                .services
                .store
                .save_subscriptions(run.website, run.provider, prepared, self.services.now())
                .await;
            match saved {
                Ok(fired) => self.services.announce_goals(&fired),
                Err(StoreError::NotFound) => return Ok(Some(PassOutcome::Skipped)),
                Err(error) => return Err(error.into()),
            }
            match listed.next {
                None => return Ok(None),
                Some(next) if page.as_ref() == Some(&next) => {
                    let title = run.provider.title();
                    let error = format!("{title} answered the same page of subscriptions again");
                    return self.interrupt(run, error).await;
                }
                Some(next) => page = Some(next),
            }
        }
        Ok(None)
    }

    /// The subscriptions as saved, each with the visit its goals are recorded in: its
    /// visitor's, named by metadata or found by the customer's email.
    async fn prepare_subscriptions(
        &self,
        run: &mut Run,
        subscriptions: Vec<ProviderSubscription>,
    ) -> ServiceResult<Vec<(ProviderSubscription, Option<Event>)>> {
        let mut prepared = Vec::with_capacity(subscriptions.len());
        for mut subscription in subscriptions {
            let visitor = match checked_visitor(subscription.visitor_id.as_deref()) {
                Some(visitor) => Some(visitor),
                None => match &subscription.customer.email {
                    Some(email) => visitors_by_email(self.services, run.website, &mut run.emails)
                        .await?
                        .visitor(email)
                        .map(str::to_owned),
                    None => None,
                },
            };
            subscription.visitor_id = visitor;
            let visit = match &subscription.visitor_id {
                Some(visitor) => Some(
                    goal_visit(self.services, run.website, visitor, subscription.started_at)
                        .await?,
                ),
                None => None,
            };
            prepared.push((subscription, visit));
        }
        Ok(prepared)
    }

    /// One page from the provider, retried while it rate limits or fails.
    async fn page(
        &self,
        connection: &Connection,
        window: &SyncWindow,
        page: Option<String>,
    ) -> ServiceResult<Result<PaymentPage, ProviderError>> {
        with_retries(self.services, connection, |providers, credentials| {
            let page = page.clone();
            async move { providers.payments(&credentials, window, page).await }
        })
        .await
    }

    /// The page's payments as stored, each with the goal event it completes for its visitor.
    async fn prepare(
        &self,
        run: &mut Run,
        payments: Vec<ProviderPayment>,
    ) -> ServiceResult<Vec<ImportedPayment>> {
        let mut prepared = Vec::with_capacity(payments.len());
        for payment in payments {
            prepared
                .push(prepare_payment(self.services, run.website, payment, &mut run.emails).await?);
        }
        Ok(prepared)
    }

    async fn announce(&self, payments: &[ImportedPayment], records: &[ImportRecord]) -> u64 {
        announce_imported(self.services, payments, records).await
    }
}

/// Calls the provider with the connection's credentials, again while it rate limits or fails
/// (after its `Retry-After`, else the import's backoff), until it answers or the attempts run
/// out. The credentials are unsealed for each attempt and dropped with it.
pub(crate) async fn with_retries<T, Call, Answer>(
    services: &Services,
    connection: &Connection,
    mut call: Call,
) -> ServiceResult<Result<T, ProviderError>>
where
    Call: FnMut(Arc<dyn PaymentProviders>, ProviderCredentials) -> Answer,
    Answer: Future<Output = Result<T, ProviderError>>,
{
    let runtime = &services.import;
    let retry = runtime.settings.retry;
    let mut attempt = 0;
    loop {
        let credentials = open_credentials(services, connection)?;
        let answer = call(services.providers.clone(), credentials).await;
        let wait = match &answer {
            Err(ProviderError::RateLimited { retry_after }) => {
                attempt += 1;
                retry
                    .delay_for(attempt)
                    .map(|computed| retry_after.map_or(computed, |r| r.min(MAX_RETRY_AFTER)))
            }
            Err(ProviderError::Unavailable(_)) => {
                attempt += 1;
                retry.delay_for(attempt)
            }
            _ => None,
        };
        match wait {
            Some(delay) => (runtime.pause)(delay).await,
            None => return Ok(answer),
        }
    }
}

/// A provider's payment as stored for `website`, with the goal event it completes for its
/// visitor: the one its checkout's metadata names, else the one identified with its
/// customer's email. `emails` holds the website's identified visitors once read.
pub(crate) async fn prepare_payment(
    services: &Services,
    website: WebsiteId,
    mut provider_payment: ProviderPayment,
    emails: &mut Option<VisitorsByEmail>,
) -> ServiceResult<ImportedPayment> {
    provider_payment.visitor_id = checked_visitor(provider_payment.visitor_id.as_deref());
    let by_email = match (
        &provider_payment.visitor_id,
        &provider_payment.customer.email,
    ) {
        (None, Some(email)) => visitors_by_email(services, website, emails)
            .await?
            .visitor(email)
            .map(str::to_owned),
        _ => None,
    };
    let payment = provider_payment.into_payment(website, by_email);
    let goal_event = goal_event_of(services, &payment).await?;
    Ok(ImportedPayment {
        payment,
        goal_event,
    })
}

/// A visitor id from metadata, which is the customer's to write: only a well-formed one.
fn checked_visitor(metadata: Option<&str>) -> Option<String> {
    metadata
        .and_then(VisitorId::parse)
        .map(VisitorId::into_string)
}

/// The website's identified visitors, and those who sent an email at checkout, by email, read
/// once when first needed.
async fn visitors_by_email<'e>(
    services: &Services,
    website: WebsiteId,
    emails: &'e mut Option<VisitorsByEmail>,
) -> ServiceResult<&'e VisitorsByEmail> {
    if emails.is_none() {
        let profiles = services.store.profiles(website).await?;
        let checkouts = services.store.checkout_emails(website).await?;
        *emails = Some(VisitorsByEmail::of(&profiles).with_checkouts(&checkouts));
    }
    Ok(emails.get_or_insert_default())
}

/// Tells analytics and alerts what stored provider payments changed; returns how many were
/// new.
pub(crate) async fn announce_imported(
    services: &Services,
    payments: &[ImportedPayment],
    records: &[ImportRecord],
) -> u64 {
    let mut new = 0;
    for (imported, record) in payments.iter().zip(records) {
        if *record != ImportRecord::New {
            continue;
        }
        new += 1;
        services
            .analytics()
            .analytics_payment_recorded(&imported.payment)
            .await;
        if let Some(event) = &imported.goal_event {
            services.announce_goals(std::slice::from_ref(event));
        }
    }
    // A settled refund changes a payment the index holds: it reads them again.
    if records.contains(&ImportRecord::Settled) {
        services.analytics().analytics_invalidate().await;
    }
    new
}

/// The owner's one notice that the provider refused the connection's key: sent when the
/// connection halts, not again while it stays halted.
fn key_refused(run: &Run, reason: &str, at: jiff::Timestamp) -> OwnerNotice {
    let title = run.provider.title();
    let slug = run.provider.slug();
    OwnerNotice {
        website_id: run.website,
        name: format!("{title} key refused"),
        subject: format!("{title} refused this website's key: revenue import stopped"),
        message: bounded(&format!(
            "{title} refused the key this website's integration uses ({reason}). Its revenue \
             is no longer imported, and the server stops calling {title} until a working key \
             is connected: datafast integrations connect {slug} --website {}",
            run.website
        )),
        at,
    }
}

/// A failure that is the provider's, in words for the integration's status.
fn describe(provider: Provider, failure: &ProviderError) -> String {
    match failure {
        ProviderError::RateLimited { .. } => {
            format!("{} kept rate limiting the import", provider.title())
        }
        other => format!("{} could not be read: {other}", provider.title()),
    }
}

fn bounded(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}
