//! Payments a provider is asked about one at a time, between the import's passes: the one a
//! verified webhook delivery names, and the checkout a tracker `payment` event carries. Each is
//! looked up through the connected provider and stored on the import's idempotent path, so it
//! counts once however many ways it arrives.
//!
//! Tracker lookups come from an endpoint anyone can reach, so ingestion only puts them on a
//! bounded queue ([`LookupQueue`]) and returns; [`LookupWorker`] works through it one lookup at
//! a time, skipping a reference it looked up lately, so that no sender can make the server
//! call a provider faster than one lookup after another.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc;

use datafast_domain::access::Principal;
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::payload::VisitorId;
use datafast_domain::integration::{Provider, WebhookSecret};
use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::permission::Permission;
use datafast_domain::provider_payment::ProviderPayment;
use datafast_ports::providers::{ProviderError, WebhookDelivery, WebhookNotice};
use datafast_ports::store::{ImportRecord, StoreError};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::integrations::{connection_of, open_credentials};
use crate::revenue_import::{announce_imported, prepare_payment, with_retries};

/// How many tracker lookups may wait; past it new ones are dropped (the import's next pass
/// still brings their payments in, attributed by metadata or email).
pub const LOOKUP_QUEUE_CAPACITY: usize = 1_024;

/// How many recent references the worker remembers, so that a checkout reported again (a
/// reloaded thank-you page, or a sender replaying it) is not looked up again.
const RECENT_REFERENCES: usize = 4_096;

/// A tracker `payment` event's checkout, to be looked up and attributed to its visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupRequest {
    pub website: WebsiteId,
    pub reference: PaymentReference,
    /// The visitor the event was stored under.
    pub visitor_id: String,
}

/// What became of one lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupOutcome {
    /// The payment was stored: new, or an update of one already known.
    Stored(ImportRecord),
    /// The provider knows no paid payment by that reference (yet).
    NotPaid,
    /// The website has no working connection to that provider: nothing was asked.
    NotConnected,
    /// The same reference was looked up lately.
    Repeated,
    /// A webhook about something other than a payment: acknowledged, nothing to do.
    Ignored,
}

/// The queue ingestion puts tracker lookups on, shared through [`Services`].
#[derive(Debug)]
pub(crate) struct LookupQueue {
    sender: mpsc::Sender<LookupRequest>,
}

impl LookupQueue {
    /// A queue of `capacity`, and its receiving end for the worker.
    pub(crate) fn new(capacity: usize) -> (Self, mpsc::Receiver<LookupRequest>) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        (Self { sender }, receiver)
    }

    /// Queues `request` unless the queue is full; never waits.
    pub(crate) fn offer(&self, request: LookupRequest) {
        if self.sender.try_send(request).is_err() {
            tracing::warn!("payment lookup queue is full; a tracker payment waits for the import");
        }
    }
}

/// Works through the tracker lookups ingestion queued, one at a time.
#[derive(Debug)]
pub struct LookupWorker {
    services: Services,
    receiver: mpsc::Receiver<LookupRequest>,
}

impl LookupWorker {
    pub(crate) fn new(services: Services, receiver: mpsc::Receiver<LookupRequest>) -> Self {
        Self { services, receiver }
    }

    /// Runs until every sender is gone.
    pub async fn run(mut self) {
        while let Some(request) = self.receiver.recv().await {
            let website = request.website;
            let provider = request.reference.provider();
            match self.services.payment_lookups().resolve(request).await {
                Ok(outcome) => tracing::debug!(%website, %provider, ?outcome, "payment lookup"),
                Err(error) => tracing::warn!(%website, %provider, %error, "payment lookup failed"),
            }
        }
    }
}

type ReferenceKey = (WebsiteId, PaymentReference);

/// References looked up lately, the oldest forgotten first.
#[derive(Debug, Default)]
pub(crate) struct RecentReferences {
    entries: Mutex<Recent>,
}

#[derive(Debug, Default)]
struct Recent {
    known: HashSet<ReferenceKey>,
    order: VecDeque<ReferenceKey>,
}

impl RecentReferences {
    fn lock(&self) -> MutexGuard<'_, Recent> {
        // Each change is an insert with its push, or a pop with its remove: a panic between
        // them leaves at worst a reference remembered a little longer.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers the reference; false when it was already remembered.
    fn first_time(&self, website: WebsiteId, reference: &PaymentReference) -> bool {
        let key = (website, reference.clone());
        let mut recent = self.lock();
        if !recent.known.insert(key.clone()) {
            return false;
        }
        recent.order.push_back(key);
        if recent.order.len() > RECENT_REFERENCES
            && let Some(oldest) = recent.order.pop_front()
        {
            recent.known.remove(&oldest);
        }
        true
    }
}

/// The webhook and lookup use cases, reached through [`Services::payment_lookups`].
#[derive(Debug, Clone, Copy)]
pub struct PaymentLookups<'a> {
    pub(crate) services: &'a Services,
}

impl PaymentLookups<'_> {
    /// `PUT`/`DELETE .../integrations/{provider}/webhook`: seals and keeps the signing secret
    /// of the provider's webhook, or removes it.
    ///
    /// # Errors
    /// `NotFound` when the provider is not connected; policy refusals; storage failures.
    pub async fn set_webhook_secret(
        &self,
        principal: &Principal,
        website: WebsiteId,
        provider: Provider,
        secret: Option<WebhookSecret>,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::SettingsWrite, false)
            .await?;
        let sealed = match &secret {
            Some(secret) => Some(self.services.vault.seal(secret.expose().as_bytes())?),
            None => None,
        };
        match self
            .services
            .store
            .save_webhook_secret(website, provider, sealed)
            .await
        {
            Err(StoreError::NotFound) => Err(not_connected(provider)),
            other => Ok(other?),
        }
    }

    /// `POST /api/webhooks/{provider}/{websiteId}`: checks the delivery's signature with the
    /// secret the user set, then stores the payment it names as the provider has it now.
    ///
    /// # Errors
    /// `NotFound` when no webhook is set up for the provider on the website; `BadRequest` for
    /// an unsigned, forged or late delivery; `BadGateway` when the provider cannot be read
    /// (the provider sends the delivery again later); storage failures.
    pub async fn receive_webhook(
        &self,
        website: WebsiteId,
        provider: Provider,
        delivery: &WebhookDelivery,
    ) -> ServiceResult<LookupOutcome> {
        let connection = connection_of(self.services, website, provider).await?;
        let Some((connection, sealed)) = connection.and_then(|c| {
            let sealed = c.sealed_webhook_secret.clone()?;
            Some((c, sealed))
        }) else {
            return Err(ServiceError::NotFound(
                "no webhook is set up here for that provider".to_owned(),
            ));
        };
        let notice = {
            let opened = self.services.vault.open(&sealed)?;
            let secret = WebhookSecret::from_opened(provider, &opened)
                .map_err(|e| ServiceError::Internal(format!("webhook secret: {e}")))?;
            self.services
                .providers
                .read_webhook(provider, secret.expose(), delivery, self.services.now())
                .map_err(|refusal| ServiceError::BadRequest(refusal.to_string()))?
        };
        let reference = match notice {
            WebhookNotice::Payment(reference) if reference.provider() == provider => reference,
            WebhookNotice::Payment(_) | WebhookNotice::Ignored { .. } => {
                return Ok(LookupOutcome::Ignored);
            }
        };
        if !reference.is_well_formed() {
            return Err(ServiceError::BadRequest(
                "the delivery names a malformed id".to_owned(),
            ));
        }
        // No retries here: a failed delivery is sent again by the provider, later.
        let answer = {
            let credentials = open_credentials(self.services, &connection)?;
            self.services
                .providers
                .lookup(&credentials, &reference)
                .await
        };
        let found = answer.map_err(|failure| {
            ServiceError::BadGateway(format!("{} could not be read: {failure}", provider.title()))
        })?;
        self.store(website, provider, found, None).await
    }

    /// Looks up a tracker payment event's checkout and stores its payment, attributed to the
    /// event's visitor. Without a working connection to the provider nothing is asked, and the
    /// event stays what it was: a visit's record of a checkout.
    ///
    /// # Errors
    /// Storage failures; a provider failure after the import's retries.
    pub async fn resolve(&self, request: LookupRequest) -> ServiceResult<LookupOutcome> {
        let provider = request.reference.provider();
        if !request.reference.is_well_formed() {
            return Ok(LookupOutcome::NotPaid);
        }
        let connection = match connection_of(self.services, request.website, provider).await? {
            Some(connection) if !connection.sync.halted => connection,
            _ => return Ok(LookupOutcome::NotConnected),
        };
        if !self
            .services
            .recent_lookups
            .first_time(request.website, &request.reference)
        {
            return Ok(LookupOutcome::Repeated);
        }
        let reference = &request.reference;
        let found = with_retries(
            self.services,
            &connection,
            |providers, credentials| async move { providers.lookup(&credentials, reference).await },
        )
        .await?
        .map_err(|failure: ProviderError| {
            ServiceError::BadGateway(format!("{} could not be read: {failure}", provider.title()))
        })?;
        let visitor = VisitorId::parse(&request.visitor_id).map(VisitorId::into_string);
        self.store(request.website, provider, found, visitor).await
    }

    /// Stores a looked-up payment (attributed to `visitor` when given) like an import page
    /// that moves no cursor.
    async fn store(
        &self,
        website: WebsiteId,
        provider: Provider,
        found: Option<ProviderPayment>,
        visitor: Option<String>,
    ) -> ServiceResult<LookupOutcome> {
        let Some(mut payment) = found else {
            return Ok(LookupOutcome::NotPaid);
        };
        if visitor.is_some() {
            payment.visitor_id = visitor;
        }
        let prepared = prepare_payment(self.services, website, payment, &mut None).await?;
        let payments = vec![prepared];
        let records = match self
            .services
            .store
            .store_import_page(website, provider, payments.clone(), None)
            .await
        {
            Err(StoreError::NotFound) => return Ok(LookupOutcome::NotConnected),
            other => other?,
        };
        announce_imported(self.services, &payments, &records).await;
        Ok(records.first().map_or(LookupOutcome::NotPaid, |record| {
            LookupOutcome::Stored(*record)
        }))
    }
}

fn not_connected(provider: Provider) -> ServiceError {
    ServiceError::NotFound(format!("{} is not connected", provider.title()))
}
