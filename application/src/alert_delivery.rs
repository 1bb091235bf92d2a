//! Alert delivery: goal completions matched against enabled alerts, delivered off the
//! ingestion path with retries, each attempt written to the alert history.
//!
//! [`AlertDispatcher`] is what ingestion talks to: it only puts the goal event on a bounded
//! queue and returns. [`AlertWorker`] drains that queue on a task of its own. Waiting between
//! attempts goes through a [`Pause`] the caller provides (the runtime's sleep in the server, a
//! recorder in tests), so this crate needs no async runtime.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use datafast_domain::ValidationError;
use datafast_domain::alert::{Alert, AlertLog, DeliveryStatus};
use datafast_domain::event::Event;
use datafast_domain::goal::GoalName;
use datafast_domain::id::{AlertId, AlertLogId, WebsiteId};
use datafast_domain::role::Role;

use crate::ids::{id_seconds, random_array};
use datafast_ports::notify::{
    AlertDelivery, GoalListener, Notifier, NotifyError, OWNER_NOTICE_GOAL, OwnerNotice, RetryPolicy,
};
use datafast_ports::store::{Storage, StoreError};
use datafast_ports::system::{Clock, RandomSource};

/// History rows keep at most this much of an error message.
const MAX_ERROR_CHARS: usize = 500;

/// Most (website, goal) pairs remembered as having no alert; past it the memory starts over.
const MAX_QUIET_GOALS: usize = 100_000;

/// Goals the worker found no enabled alert for, so that ingestion stops queueing their
/// completions: without this, every goal event of a busy site costs a database read on the
/// worker, and under load the queue fills with events that trigger nothing. The generation
/// changes whenever an alert changes, so a lookup that raced with a change is not remembered.
#[derive(Default)]
struct QuietGoals {
    generation: u64,
    pairs: HashSet<(WebsiteId, String)>,
}

impl QuietGoals {
    fn contains(&self, website: WebsiteId, goal: &str) -> bool {
        // Looking up with a borrowed goal would need a second key type; goal names are at
        // most 64 bytes, so the copy is cheap next to what it saves.
        self.pairs.contains(&(website, goal.to_owned()))
    }

    /// Remembers that `goal` of `website` has no alert, if no alert changed since the lookup
    /// that found none began at `generation`.
    fn remember(&mut self, website: WebsiteId, goal: &str, generation: u64) {
        if generation != self.generation {
            return;
        }
        if self.pairs.len() >= MAX_QUIET_GOALS {
            self.pairs.clear();
        }
        self.pairs.insert((website, goal.to_owned()));
    }

    fn forget_website(&mut self, website: WebsiteId) {
        self.generation = self.generation.wrapping_add(1);
        self.pairs.retain(|(w, _)| *w != website);
    }
}

fn lock_quiet(quiet: &Mutex<QuietGoals>) -> MutexGuard<'_, QuietGoals> {
    // Every change is a single insert, clear or retain: a panic cannot leave it half-done.
    quiet.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a [`Pause`] returns: a future that completes once the delay has passed.
pub type PauseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Waits for the given delay between delivery attempts.
pub type Pause = Arc<dyn Fn(Duration) -> PauseFuture + Send + Sync>;

/// The goal events waiting for delivery. One lock guards the events, the closed flag and the
/// worker's waker together, so a wake-up cannot be lost between a check and a wait.
struct Queue<T> {
    state: Mutex<QueueState<T>>,
    capacity: usize,
}

struct QueueState<T> {
    events: VecDeque<T>,
    closed: bool,
    waker: Option<Waker>,
}

impl<T> Default for QueueState<T> {
    fn default() -> Self {
        Self {
            events: VecDeque::new(),
            closed: false,
            waker: None,
        }
    }
}

/// What the worker delivers: a goal completion's alerts, or a notice to a website's owner.
enum Queued {
    // Boxed: goal events are most of the traffic, and an unboxed one would make every slot
    // of the queue as large as the largest event.
    Goal(Box<Event>),
    Notice(OwnerNotice),
}

/// Why a goal event was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Full,
    Closed,
}

impl<T> Queue<T> {
    fn lock(&self) -> MutexGuard<'_, QueueState<T>> {
        // The state stays consistent even if a holder panicked: every change is one push/pop.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn try_push(&self, event: T) -> Result<(), Refused> {
        let waker = {
            let mut state = self.lock();
            if state.closed {
                return Err(Refused::Closed);
            }
            if state.events.len() >= self.capacity {
                return Err(Refused::Full);
            }
            state.events.push_back(event);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    fn close(&self) {
        let waker = {
            let mut state = self.lock();
            state.closed = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The next event; `None` once the queue is closed and empty.
    async fn pop(&self) -> Option<T> {
        std::future::poll_fn(|cx| {
            let mut state = self.lock();
            if let Some(event) = state.events.pop_front() {
                return Poll::Ready(Some(event));
            }
            if state.closed {
                return Poll::Ready(None);
            }
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// The [`GoalListener`] ingestion calls: queues goal events for the [`AlertWorker`], never
/// waits, and drops (with a warning) what does not fit. Cheap to clone.
#[derive(Clone)]
pub struct AlertDispatcher {
    queue: Arc<Queue<Queued>>,
    quiet: Arc<Mutex<QuietGoals>>,
    /// Completions dropped because the queue was full; the warning is logged for the first
    /// and then every thousandth, so an overload does not also flood the log.
    dropped: Arc<AtomicU64>,
    /// The worker's channels, asked whether they would refuse an alert before it is saved.
    channels: Vec<Arc<dyn Notifier>>,
}

impl std::fmt::Debug for AlertDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertDispatcher")
            .field("capacity", &self.queue.capacity)
            .field("queued", &self.queued())
            .finish()
    }
}

/// What the worker needs to deliver alerts.
#[derive(Clone)]
pub struct AlertDeliveryPorts {
    pub store: Arc<dyn Storage>,
    /// Every channel alerts may go out on; each delivery uses those that apply to it.
    pub notifiers: Vec<Arc<dyn Notifier>>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn RandomSource>,
    pub retry: RetryPolicy,
    pub pause: Pause,
}

impl std::fmt::Debug for AlertDeliveryPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertDeliveryPorts")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl AlertDispatcher {
    /// A dispatcher holding at most `capacity` waiting goal events (at least one), and the
    /// worker that delivers them; spawn [`AlertWorker::run`] on the runtime.
    pub fn new(ports: AlertDeliveryPorts, capacity: usize) -> (Self, AlertWorker) {
        let queue = Arc::new(Queue {
            state: Mutex::new(QueueState::default()),
            capacity: capacity.max(1),
        });
        let quiet = Arc::new(Mutex::new(QuietGoals::default()));
        (
            Self {
                queue: Arc::clone(&queue),
                quiet: Arc::clone(&quiet),
                dropped: Arc::new(AtomicU64::new(0)),
                channels: ports.notifiers.clone(),
            },
            AlertWorker {
                queue,
                quiet,
                ports,
            },
        )
    }

    /// Queues `event` unless the queue is full or closed.
    ///
    /// # Errors
    /// Why the event was not queued.
    pub fn try_dispatch(&self, event: &Event) -> Result<(), Refused> {
        self.queue.try_push(Queued::Goal(Box::new(event.clone())))
    }

    /// Stops taking goal events; the worker delivers what is already queued, then returns.
    pub fn close(&self) {
        self.queue.close();
    }

    /// Goal events waiting for the worker.
    pub fn queued(&self) -> usize {
        self.queue.lock().events.len()
    }
}

impl GoalListener for AlertDispatcher {
    fn goal_completed(&self, event: &Event) {
        if let Some(goal) = &event.goal_name
            && lock_quiet(&self.quiet).contains(event.website_id, goal.as_str())
        {
            return;
        }
        match self.try_dispatch(event) {
            Ok(()) => {}
            Err(Refused::Full) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed);
                if dropped.is_multiple_of(1000) {
                    tracing::warn!(
                        website = %event.website_id,
                        capacity = self.queue.capacity,
                        dropped = dropped + 1,
                        "alert queue full: goal completions are triggering no alert"
                    );
                }
            }
            Err(Refused::Closed) => tracing::debug!(
                website = %event.website_id,
                "alert queue closed (shutting down): this goal completion triggers no alert"
            ),
        }
    }

    fn alerts_changed(&self, website: WebsiteId) {
        lock_quiet(&self.quiet).forget_website(website);
    }

    fn owner_notice(&self, notice: OwnerNotice) {
        let website = notice.website_id;
        if let Err(refused) = self.queue.try_push(Queued::Notice(notice)) {
            tracing::warn!(%website, ?refused, "alert queue refused a notice to the owner");
        }
    }

    fn check_destination(&self, alert: &Alert) -> Result<(), ValidationError> {
        self.channels
            .iter()
            .try_for_each(|channel| channel.check_destination(alert))
    }
}

/// Delivers the queued goal events' alerts, one event at a time.
pub struct AlertWorker {
    queue: Arc<Queue<Queued>>,
    quiet: Arc<Mutex<QuietGoals>>,
    ports: AlertDeliveryPorts,
}

impl std::fmt::Debug for AlertWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertWorker")
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

impl AlertWorker {
    /// Runs until the dispatcher is closed and every queued event has been handled.
    pub async fn run(self) {
        while let Some(queued) = self.queue.pop().await {
            match queued {
                Queued::Goal(event) => self.deliver_goal(&event).await,
                Queued::Notice(notice) => self.deliver_notice(&notice).await,
            }
        }
    }

    /// Sends `notice` by email to the website's owner and to each distinct webhook of the
    /// website's enabled alerts, each retried as alerts are. Nothing is written to the alert
    /// history, which lists the website's own alerts; a failure is logged.
    async fn deliver_notice(&self, notice: &OwnerNotice) {
        let website = notice.website_id;
        let (domain, owner, webhooks) = match self.notice_audience(website).await {
            Ok(audience) => audience,
            Err(reason) => {
                tracing::warn!(%website, reason, "cannot tell the owner: {}", notice.subject);
                return;
            }
        };
        let Ok(goal) = GoalName::parse(OWNER_NOTICE_GOAL) else {
            return;
        };
        let now = self.ports.clock.now();
        let alert = Alert {
            id: AlertId::from_parts(id_seconds(now), random_array(self.ports.random.as_ref())),
            website_id: website,
            name: notice.name.clone(),
            goal_name: goal,
            subject: notice.subject.clone(),
            message: notice.message.clone(),
            webhook_url: None,
            is_enabled: true,
            created_at: now,
            updated_at: now,
        };
        let by_email = AlertDelivery {
            alert: alert.clone(),
            domain: domain.clone(),
            recipients: owner.into_iter().collect(),
            goal_name: OWNER_NOTICE_GOAL.to_owned(),
            visitor_id: None,
            triggered_at: notice.at,
        };
        let by_webhook = webhooks.into_iter().map(|url| AlertDelivery {
            alert: Alert {
                webhook_url: Some(url),
                ..alert.clone()
            },
            recipients: Vec::new(),
            ..by_email.clone()
        });
        for delivery in std::iter::once(by_email.clone()).chain(by_webhook) {
            let sent = deliver_on_channels(
                &self.ports.notifiers,
                &delivery,
                self.ports.retry,
                &self.ports.pause,
            )
            .await;
            if let Err(reason) = sent {
                tracing::warn!(%website, reason, "a notice to the owner was not delivered");
            }
        }
    }

    /// The website's domain, its owner's email, and the webhooks of its enabled alerts.
    async fn notice_audience(
        &self,
        website: WebsiteId,
    ) -> Result<(String, Option<String>, BTreeSet<String>), String> {
        let store = &self.ports.store;
        let failed = |error: StoreError| error.to_string();
        let site = store
            .website(website)
            .await
            .map_err(failed)?
            .ok_or("the website no longer exists")?;
        let owner = store
            .members(website)
            .await
            .map_err(failed)?
            .into_iter()
            .find(|(membership, _)| membership.role == Role::Owner)
            .map(|(_, account)| account.email.as_str().to_owned());
        let webhooks = store
            .alerts(website)
            .await
            .map_err(failed)?
            .into_iter()
            .filter(|alert| alert.is_enabled)
            .filter_map(|alert| alert.webhook_url)
            .collect();
        Ok((site.domain.as_str().to_owned(), owner, webhooks))
    }

    /// Sends every enabled alert on `event`'s goal and writes one history row per alert.
    async fn deliver_goal(&self, event: &Event) {
        let Some(goal) = event.goal_name.clone() else {
            return;
        };
        let store = &self.ports.store;
        let generation = lock_quiet(&self.quiet).generation;
        let alerts = match store.alerts_for_goal(event.website_id, &goal).await {
            Ok(alerts) => alerts,
            Err(error) => {
                tracing::warn!(%error, website = %event.website_id, "cannot read alerts");
                return;
            }
        };
        if alerts.is_empty() {
            lock_quiet(&self.quiet).remember(event.website_id, goal.as_str(), generation);
            return;
        }
        let audience = self.audience(event).await;
        for alert in alerts {
            let outcome = match &audience {
                Ok((domain, recipients)) => {
                    let delivery = AlertDelivery {
                        alert: alert.clone(),
                        domain: domain.clone(),
                        recipients: recipients.clone(),
                        goal_name: goal.as_str().to_owned(),
                        visitor_id: Some(event.visitor_id.clone()),
                        triggered_at: event.occurred_at,
                    };
                    deliver_on_channels(
                        &self.ports.notifiers,
                        &delivery,
                        self.ports.retry,
                        &self.ports.pause,
                    )
                    .await
                }
                Err(reason) => Err(reason.clone()),
            };
            self.record(&alert, event, outcome).await;
        }
    }

    /// The website's domain and its team's email addresses, owner first.
    async fn audience(&self, event: &Event) -> Result<(String, Vec<String>), String> {
        let store = &self.ports.store;
        let website = match store.website(event.website_id).await {
            Ok(Some(website)) => website,
            Ok(None) => return Err("the website no longer exists".to_owned()),
            Err(error) => {
                tracing::warn!(%error, website = %event.website_id, "cannot read the website");
                return Err("could not read the website".to_owned());
            }
        };
        let members = match store.members(event.website_id).await {
            Ok(members) => members,
            Err(error) => {
                tracing::warn!(%error, website = %event.website_id, "cannot read the team");
                return Err("could not read the website's team".to_owned());
            }
        };
        let mut recipients: Vec<String> = Vec::with_capacity(members.len());
        for (_, account) in members {
            let email = account.email.as_str().to_owned();
            if !recipients.contains(&email) {
                recipients.push(email);
            }
        }
        Ok((website.domain.as_str().to_owned(), recipients))
    }

    async fn record(&self, alert: &Alert, event: &Event, outcome: Result<(), String>) {
        let (status, error) = match outcome {
            Ok(()) => (DeliveryStatus::Sent, None),
            Err(reason) => (
                DeliveryStatus::Failed,
                Some(reason.chars().take(MAX_ERROR_CHARS).collect::<String>()),
            ),
        };
        let now = self.ports.clock.now();
        let log = AlertLog {
            id: AlertLogId::from_parts(id_seconds(now), random_array(self.ports.random.as_ref())),
            alert_id: alert.id,
            website_id: alert.website_id,
            alert_name: alert.name.clone(),
            goal_name: alert.goal_name.as_str().to_owned(),
            status,
            error,
            visitor_id: Some(event.visitor_id.clone()),
            triggered_at: jiff::Timestamp::from_millisecond(event.occurred_at.as_millisecond())
                .unwrap_or(event.occurred_at),
        };
        if let Err(error) = self.ports.store.insert_alert_log(&log).await {
            tracing::warn!(%error, alert = %alert.id, "cannot write the alert history");
        }
    }
}

/// Sends `delivery` on every channel that applies to it, each retried on its own, so a
/// channel that failed never makes another one send its message twice.
///
/// # Errors
/// Every failed channel's last error, prefixed with the channel's name; or that no channel
/// applies.
pub async fn deliver_on_channels(
    notifiers: &[Arc<dyn Notifier>],
    delivery: &AlertDelivery,
    policy: RetryPolicy,
    pause: &Pause,
) -> Result<(), String> {
    let mut applied = false;
    let mut failures = Vec::new();
    for notifier in notifiers.iter().filter(|n| n.applies_to(delivery)) {
        applied = true;
        if let Err(error) = send_with_retries(notifier.as_ref(), delivery, policy, pause).await {
            failures.push(format!("{}: {error}", notifier.channel()));
        }
    }
    if !applied {
        return Err("no channel: no email configured or no recipients, and no webhook".into());
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Sends `delivery`, retrying on the schedule of `policy` with `pause` between attempts.
/// Unusable settings or data ([`NotifyError::Invalid`]) are not retried: they cannot get better.
///
/// # Errors
/// The last attempt's error.
pub async fn send_with_retries(
    notifier: &dyn Notifier,
    delivery: &AlertDelivery,
    policy: RetryPolicy,
    pause: &Pause,
) -> Result<(), NotifyError> {
    let mut failures = 0u32;
    loop {
        let error = match notifier.send(delivery).await {
            Ok(()) => return Ok(()),
            Err(error @ NotifyError::Invalid(_)) => return Err(error),
            Err(error) => error,
        };
        failures = failures.saturating_add(1);
        match policy.delay_for(failures) {
            Some(delay) => pause(delay).await,
            None => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use datafast_domain::event::{EventKind, EventOrigin, VisitContext};
    use datafast_domain::goal::GoalName;
    use datafast_domain::id::{AlertId, WebsiteId};

    /// Fails the first `failures` sends with `error`, then succeeds; counts every call.
    struct FlakyNotifier {
        failures: u32,
        error: NotifyError,
        calls: Mutex<u32>,
    }

    #[async_trait]
    impl Notifier for FlakyNotifier {
        fn channel(&self) -> &'static str {
            "flaky"
        }

        fn applies_to(&self, _delivery: &AlertDelivery) -> bool {
            true
        }

        async fn send(&self, _delivery: &AlertDelivery) -> Result<(), NotifyError> {
            let mut calls = self.calls.lock().unwrap();
            *calls += 1;
            if *calls <= self.failures {
                Err(self.error.clone())
            } else {
                Ok(())
            }
        }
    }

    fn unreachable() -> NotifyError {
        NotifyError::Unreachable {
            target: "SMTP server mail.example:25".into(),
            reason: "connection refused".into(),
        }
    }

    fn recording_pause() -> (Pause, Arc<Mutex<Vec<Duration>>>) {
        let waits = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&waits);
        let pause: Pause = Arc::new(move |delay| {
            seen.lock().unwrap().push(delay);
            Box::pin(async {})
        });
        (pause, waits)
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(100),
            factor: 2.0,
            max_delay: Duration::from_secs(1),
        }
    }

    fn delivery() -> AlertDelivery {
        let now = jiff::Timestamp::from_second(1_767_225_600).unwrap();
        AlertDelivery {
            alert: Alert {
                id: AlertId::from_parts(1, [1; 8]),
                website_id: WebsiteId::from_parts(1, [2; 8]),
                name: "Signups".into(),
                goal_name: GoalName::parse("signup").unwrap(),
                subject: "New signup".into(),
                message: "Someone signed up.".into(),
                webhook_url: None,
                is_enabled: true,
                created_at: now,
                updated_at: now,
            },
            domain: "shop.example".into(),
            recipients: vec!["owner@shop.example".into()],
            goal_name: "signup".into(),
            visitor_id: Some("v1".into()),
            triggered_at: now,
        }
    }

    fn goal_named(name: &str) -> Option<GoalName> {
        Some(GoalName::parse(name).unwrap())
    }

    fn goal_event(goal: &str) -> Event {
        Event {
            website_id: WebsiteId::from_parts(1, [2; 8]),
            kind: EventKind::Custom,
            occurred_at: jiff::Timestamp::from_second(1_767_225_600).unwrap(),
            visitor_id: "v1".into(),
            session_id: "s1".into(),
            goal_name: goal_named(goal),
            hostname: "shop.example".into(),
            path: "/".into(),
            context: VisitContext::default(),
            params: Default::default(),
            description: None,
            origin: EventOrigin::default(),
        }
    }

    #[tokio::test]
    async fn retries_with_backoff_until_a_send_succeeds() {
        let notifier = FlakyNotifier {
            failures: 2,
            error: unreachable(),
            calls: Mutex::new(0),
        };
        let (pause, waits) = recording_pause();
        let result = send_with_retries(&notifier, &delivery(), policy(), &pause).await;
        assert_eq!(result, Ok(()));
        assert_eq!(*notifier.calls.lock().unwrap(), 3);
        assert_eq!(
            *waits.lock().unwrap(),
            vec![Duration::from_millis(100), Duration::from_millis(200)]
        );
    }

    #[tokio::test]
    async fn gives_up_after_the_last_attempt_with_its_error() {
        let notifier = FlakyNotifier {
            failures: u32::MAX,
            error: unreachable(),
            calls: Mutex::new(0),
        };
        let (pause, waits) = recording_pause();
        let result = send_with_retries(&notifier, &delivery(), policy(), &pause).await;
        assert_eq!(result, Err(unreachable()));
        assert_eq!(*notifier.calls.lock().unwrap(), 3);
        assert_eq!(waits.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn invalid_deliveries_are_not_retried() {
        let notifier = FlakyNotifier {
            failures: u32::MAX,
            error: NotifyError::Invalid("the sender address is not valid".into()),
            calls: Mutex::new(0),
        };
        let (pause, waits) = recording_pause();
        let result = send_with_retries(&notifier, &delivery(), policy(), &pause).await;
        assert!(matches!(result, Err(NotifyError::Invalid(_))));
        assert_eq!(*notifier.calls.lock().unwrap(), 1);
        assert!(waits.lock().unwrap().is_empty());
    }

    /// A channel named `name` that fails its first `failures` sends and counts every call.
    struct Channel {
        name: &'static str,
        applies: bool,
        flaky: FlakyNotifier,
    }

    #[async_trait]
    impl Notifier for Channel {
        fn channel(&self) -> &'static str {
            self.name
        }

        fn applies_to(&self, _delivery: &AlertDelivery) -> bool {
            self.applies
        }

        async fn send(&self, delivery: &AlertDelivery) -> Result<(), NotifyError> {
            self.flaky.send(delivery).await
        }
    }

    fn channel(name: &'static str, applies: bool, failures: u32) -> Arc<Channel> {
        Arc::new(Channel {
            name,
            applies,
            flaky: FlakyNotifier {
                failures,
                error: unreachable(),
                calls: Mutex::new(0),
            },
        })
    }

    fn calls(channel: &Channel) -> u32 {
        *channel.flaky.calls.lock().unwrap()
    }

    #[tokio::test]
    async fn a_retried_webhook_does_not_send_the_email_again() {
        let email = channel("email", true, 0);
        let webhook = channel("webhook", true, 2);
        let notifiers: Vec<Arc<dyn Notifier>> = vec![email.clone(), webhook.clone()];
        let (pause, _) = recording_pause();
        let result = deliver_on_channels(&notifiers, &delivery(), policy(), &pause).await;
        assert_eq!(result, Ok(()));
        assert_eq!(calls(&email), 1);
        assert_eq!(calls(&webhook), 3);
    }

    #[tokio::test]
    async fn a_failed_channel_is_named_while_the_other_still_sends() {
        let email = channel("email", true, u32::MAX);
        let webhook = channel("webhook", true, 0);
        let notifiers: Vec<Arc<dyn Notifier>> = vec![email.clone(), webhook.clone()];
        let (pause, _) = recording_pause();
        let result = deliver_on_channels(&notifiers, &delivery(), policy(), &pause).await;
        let error = result.unwrap_err();
        assert!(error.starts_with("email: could not reach"), "{error}");
        assert!(!error.contains("webhook"), "{error}");
        assert_eq!(calls(&email), 3);
        assert_eq!(calls(&webhook), 1);
    }

    #[tokio::test]
    async fn channels_that_do_not_apply_are_skipped_and_none_is_an_error() {
        let email = channel("email", false, 0);
        let webhook = channel("webhook", true, 0);
        let notifiers: Vec<Arc<dyn Notifier>> = vec![email.clone(), webhook.clone()];
        let (pause, _) = recording_pause();
        assert_eq!(
            deliver_on_channels(&notifiers, &delivery(), policy(), &pause).await,
            Ok(())
        );
        assert_eq!(calls(&email), 0);
        let none: Vec<Arc<dyn Notifier>> = vec![email.clone()];
        let result = deliver_on_channels(&none, &delivery(), policy(), &pause).await;
        assert!(result.unwrap_err().starts_with("no channel"));
        assert_eq!(calls(&email), 0);
    }

    /// Refuses every destination, as the webhook channel does for internal addresses.
    struct Refusing;

    #[async_trait]
    impl Notifier for Refusing {
        fn channel(&self) -> &'static str {
            "webhook"
        }

        fn applies_to(&self, _delivery: &AlertDelivery) -> bool {
            true
        }

        async fn send(&self, _delivery: &AlertDelivery) -> Result<(), NotifyError> {
            Ok(())
        }

        fn check_destination(&self, _alert: &Alert) -> Result<(), ValidationError> {
            Err(ValidationError::new("destination.webhookUrl", "refused"))
        }
    }

    #[test]
    fn an_alert_is_refused_when_any_channel_would_refuse_it() {
        let dispatcher = |channels: Vec<Arc<dyn Notifier>>| AlertDispatcher {
            queue: queue(8),
            quiet: Arc::new(Mutex::new(QuietGoals::default())),
            dropped: Arc::new(AtomicU64::new(0)),
            channels,
        };
        let alert = delivery().alert;
        let accepting = dispatcher(vec![channel("email", true, 0)]);
        assert_eq!(accepting.check_destination(&alert), Ok(()));
        let refusing = dispatcher(vec![channel("email", true, 0), Arc::new(Refusing)]);
        let error = refusing.check_destination(&alert).unwrap_err();
        assert_eq!(error.field, "destination.webhookUrl");
    }

    #[test]
    fn quiet_goals_are_forgotten_when_their_website_changes_its_alerts() {
        let site = WebsiteId::from_parts(1, [2; 8]);
        let other = WebsiteId::from_parts(1, [3; 8]);
        let mut quiet = QuietGoals::default();
        quiet.remember(site, "signup", 0);
        quiet.remember(other, "signup", 0);
        assert!(quiet.contains(site, "signup"));
        assert!(!quiet.contains(site, "checkout"));
        quiet.forget_website(site);
        assert!(!quiet.contains(site, "signup"));
        assert!(quiet.contains(other, "signup"));
    }

    #[test]
    fn a_lookup_that_raced_with_an_alert_change_is_not_remembered() {
        let site = WebsiteId::from_parts(1, [2; 8]);
        let mut quiet = QuietGoals::default();
        let began = quiet.generation;
        quiet.forget_website(site);
        quiet.remember(site, "signup", began);
        assert!(!quiet.contains(site, "signup"));
    }

    #[test]
    fn the_dispatcher_does_not_queue_goals_known_to_have_no_alert() {
        let dispatcher = AlertDispatcher {
            queue: queue(8),
            quiet: Arc::new(Mutex::new(QuietGoals::default())),
            dropped: Arc::new(AtomicU64::new(0)),
            channels: Vec::new(),
        };
        let site = WebsiteId::from_parts(1, [2; 8]);
        lock_quiet(&dispatcher.quiet).remember(site, "signup", 0);
        dispatcher.goal_completed(&goal_event("signup"));
        assert_eq!(dispatcher.queued(), 0);
        dispatcher.goal_completed(&goal_event("checkout"));
        assert_eq!(dispatcher.queued(), 1);
        dispatcher.alerts_changed(site);
        dispatcher.goal_completed(&goal_event("signup"));
        assert_eq!(dispatcher.queued(), 2);
    }

    fn queue<T>(capacity: usize) -> Arc<Queue<T>> {
        Arc::new(Queue {
            state: Mutex::new(QueueState::default()),
            capacity,
        })
    }

    #[test]
    fn a_full_queue_refuses_instead_of_waiting() {
        let queue = queue(2);
        assert_eq!(queue.try_push(goal_event("a")), Ok(()));
        assert_eq!(queue.try_push(goal_event("b")), Ok(()));
        assert_eq!(queue.try_push(goal_event("c")), Err(Refused::Full));
        assert_eq!(queue.lock().events.len(), 2);
    }

    #[tokio::test]
    async fn a_closed_queue_drains_then_ends_and_refuses_new_events() {
        let queue = queue(8);
        queue.try_push(goal_event("a")).unwrap();
        queue.try_push(goal_event("b")).unwrap();
        queue.close();
        assert_eq!(queue.try_push(goal_event("c")), Err(Refused::Closed));
        assert_eq!(queue.pop().await.unwrap().goal_name, goal_named("a"));
        assert_eq!(queue.pop().await.unwrap().goal_name, goal_named("b"));
        assert!(queue.pop().await.is_none());
    }

    #[tokio::test]
    async fn a_waiting_worker_wakes_for_a_new_event() {
        let queue = queue(8);
        let reader = Arc::clone(&queue);
        let popped = tokio::spawn(async move { reader.pop().await });
        tokio::task::yield_now().await;
        queue.try_push(goal_event("late")).unwrap();
        let event = tokio::time::timeout(Duration::from_secs(5), popped)
            .await
            .expect("the worker was never woken")
            .unwrap();
        assert_eq!(event.unwrap().goal_name, goal_named("late"));
    }
}
