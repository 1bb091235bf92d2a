//! What every fake shares: its loopback server, the credentials it knows, the faults it has
//! been told to inject, the requests it has seen, and the payments it holds.

use std::collections::{HashMap, HashSet};
use std::future::{Ready, ready};
use std::sync::{Mutex, MutexGuard, PoisonError};

use actix_web::dev::Payload;
use actix_web::error::{ErrorInternalServerError, InternalError};
use actix_web::http::StatusCode;
use actix_web::web::{Data, ServiceConfig};
use actix_web::{App, FromRequest, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;

use datafast_domain::provider_subscription::SubscriptionStatus;

use crate::subscription::FakeSubscription;

/// What a credential opens at a fake provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    pub name: Option<String>,
    /// As the provider spells it: `usd` at Stripe and Polar, `USD` at Lemon Squeezy.
    pub currency: Option<String>,
    /// The provider reports the credential as one of its test mode.
    pub test_mode: bool,
    /// The store (Lemon Squeezy) or organization (Polar) the credential can see; `None` for
    /// every one.
    pub scope: Option<String>,
    /// Stripe: a restricted key that may not read the account itself (403), as many may not.
    pub account_hidden: bool,
}

impl Account {
    /// An account with a name and a currency, spelled as the provider spells it.
    pub fn named(name: &str, currency: &str) -> Self {
        Self {
            name: Some(name.to_owned()),
            currency: Some(currency.to_owned()),
            ..Self::default()
        }
    }

    /// Whether the credential can see the store or organization `id`.
    pub(crate) fn sees(&self, id: &str) -> bool {
        self.scope.as_deref().is_none_or(|scope| scope == id)
    }

    /// The same account, seeing only the store or organization `id`.
    #[must_use]
    pub fn seeing(mut self, id: &str) -> Self {
        self.scope = Some(id.to_owned());
        self
    }
}

/// A payment a fake provider holds, in neutral terms; each fake shows it in its provider's
/// own shape (a Stripe charge, a Lemon Squeezy order, a Polar order, a Paddle transaction).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakePayment {
    /// The provider's id for it: `pi_…` (Stripe, the charge's payment intent), a number
    /// (Lemon Squeezy order), a UUID (Polar order), `txn_…` (Paddle).
    pub id: String,
    pub amount_minor: i64,
    /// ISO 4217, any case; each fake spells it as its provider does.
    pub currency: String,
    /// Unix seconds.
    pub created: i64,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    /// The checkout's metadata or custom data (`datafast_visitor_id`, `datafast_session_id`).
    pub metadata: Vec<(String, String)>,
    /// A subscription's later payment.
    pub renewal: bool,
    pub subscription_id: Option<String>,
    /// Opened a trial.
    pub trial: bool,
    /// Given back so far, in minor units, and when (unix seconds).
    pub refunded_minor: i64,
    pub refunded_at: Option<i64>,
}

impl FakePayment {
    /// A one-off payment of `amount_minor` in `currency` at `created`.
    pub fn new(id: &str, amount_minor: i64, currency: &str, created: i64) -> Self {
        Self {
            id: id.to_owned(),
            amount_minor,
            currency: currency.to_owned(),
            created,
            ..Self::default()
        }
    }

    /// The same payment, made by the visitor `visitor_id` (in the checkout's metadata).
    #[must_use]
    pub fn by_visitor(mut self, visitor_id: &str) -> Self {
        self.metadata
            .push(("datafast_visitor_id".to_owned(), visitor_id.to_owned()));
        self
    }
}

/// A request a fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub path_and_query: String,
    /// The `Authorization` header as sent.
    pub authorization: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    keys: HashMap<String, Account>,
    /// What an unknown credential opens, when the fake accepts any.
    any_key: Option<Account>,
    revoked: HashSet<String>,
    throttled: u32,
    failing: u32,
    /// Requests still served before `failing_later` failures begin.
    healthy_for: Option<(u32, u32)>,
    requests: Vec<Recorded>,
    /// Oldest first, as added.
    pub(crate) payments: Vec<FakePayment>,
    /// Positions in `payments`, newest first (later-added first among equal times): the order
    /// the providers list in, kept so that a page is found without sorting every payment.
    pub(crate) newest_first: Vec<usize>,
    /// Position in `payments` by payment id.
    pub(crate) by_id: HashMap<String, usize>,
    /// Newest first (later-added first among equal times), the order the providers list in.
    pub(crate) subscriptions: Vec<FakeSubscription>,
}

impl State {
    fn add_payments(&mut self, payments: impl IntoIterator<Item = FakePayment>) {
        for payment in payments {
            self.by_id.insert(payment.id.clone(), self.payments.len());
            self.payments.push(payment);
        }
        let mut order: Vec<usize> = (0..self.payments.len()).rev().collect();
        order.sort_by_key(|&at| std::cmp::Reverse(self.payments[at].created));
        self.newest_first = order;
    }
}

/// Why a fake refuses a request before the route's own logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No credential, an unknown one, or a revoked one.
    Unauthorized,
    /// Answer 429, as told by [`Fake::throttle_next`].
    Throttled,
    /// Answer 500, as told by [`Fake::fail_next`].
    Failing,
}

pub(crate) type Shared = Data<Mutex<State>>;

/// A JSON answer with `status`.
pub(crate) fn respond(status: u16, body: &Value) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).json(body)
}

/// The bearer credential of `request`, if it has one.
pub(crate) fn bearer(request: &HttpRequest) -> Option<&str> {
    request
        .headers()
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How a fake words a refusal: its provider's answer to `request`, refused for that reason.
pub(crate) type Refusal = fn(Refused, &HttpRequest) -> HttpResponse;

/// A request the fake serves, once [`gate`] has let it through: the account its credential
/// opens, and the fake's state. A route that takes it is reached only then; a refused request
/// gets its fake's [`Refusal`] instead.
#[derive(Debug)]
pub(crate) struct Admitted {
    pub(crate) account: Account,
    pub(crate) state: Shared,
}

impl FromRequest for Admitted {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(admit(request))
    }
}

fn admit(request: &HttpRequest) -> Result<Admitted, actix_web::Error> {
    let (Some(state), Some(refusal)) =
        (request.app_data::<Shared>(), request.app_data::<Refusal>())
    else {
        return Err(ErrorInternalServerError(
            "a fake without its state or refusal",
        ));
    };
    match gate(state, request) {
        Ok(account) => Ok(Admitted {
            account,
            state: state.clone(),
        }),
        Err(refused) => {
            Err(InternalError::from_response("refused", refusal(refused, request)).into())
        }
    }
}

/// Records `request` and decides whether the fake serves it: the account its credential
/// opens, or why not.
fn gate(state: &Shared, request: &HttpRequest) -> Result<Account, Refused> {
    let mut state = lock(state);
    record(&mut state, request);
    if let Some(refused) = injected_fault(&mut state) {
        return Err(refused);
    }
    match bearer(request) {
        Some(key) if !state.revoked.contains(key) => state
            .keys
            .get(key)
            .or(state.any_key.as_ref())
            .cloned()
            .ok_or(Refused::Unauthorized),
        _ => Err(Refused::Unauthorized),
    }
}

fn record(state: &mut State, request: &HttpRequest) {
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    state.requests.push(Recorded {
        path_and_query: request
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_owned()),
        authorization,
    });
}

/// The fault the fake was told to answer this request with, if any, counting it off.
fn injected_fault(state: &mut State) -> Option<Refused> {
    match state.healthy_for {
        Some((0, failures)) => {
            state.failing = failures;
            state.healthy_for = None;
        }
        Some((left, failures)) => state.healthy_for = Some((left - 1, failures)),
        None => {}
    }
    if state.throttled > 0 {
        state.throttled -= 1;
        return Some(Refused::Throttled);
    }
    if state.failing > 0 {
        state.failing -= 1;
        return Some(Refused::Failing);
    }
    None
}

/// The held payments `keep` lets through, oldest first as added.
pub(crate) fn held(state: &Shared, keep: impl Fn(&FakePayment) -> bool) -> Vec<FakePayment> {
    lock(state)
        .payments
        .iter()
        .filter(|p| keep(p))
        .cloned()
        .collect()
}

/// One running fake provider.
#[derive(Debug, Clone)]
pub struct Fake {
    base_url: String,
    state: Shared,
}

impl Fake {
    /// Starts a fake serving `routes`, answering the requests it refuses with `refusal`.
    pub(crate) async fn start(
        routes: fn(&mut ServiceConfig),
        refusal: Refusal,
    ) -> std::io::Result<Self> {
        let state: Shared = Data::new(Mutex::new(State::default()));
        let shared = state.clone();
        let app = move || {
            App::new()
                .app_data(shared.clone())
                .app_data(refusal)
                .configure(routes)
        };
        let server = HttpServer::new(app)
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))?;
        let port = server
            .addrs()
            .first()
            .map(|address| address.port())
            .ok_or_else(|| std::io::Error::other("the fake bound no address"))?;
        tokio::spawn(server.run());
        Ok(Self {
            base_url: format!("http://127.0.0.1:{port}"),
            state,
        })
    }

    /// The provider's API root, to configure as its base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Makes `key` a valid credential opening `account`.
    pub fn add_key(&self, key: &str, account: Account) {
        lock(&self.state).keys.insert(key.to_owned(), account);
    }

    /// Makes every credential not revoked valid, opening `account` unless it was added with
    /// an account of its own.
    pub fn accept_any_key(&self, account: Account) {
        lock(&self.state).any_key = Some(account);
    }

    /// Revokes `key`: from now on the provider answers as for an unknown key.
    pub fn revoke(&self, key: &str) {
        lock(&self.state).revoked.insert(key.to_owned());
    }

    /// The next `count` requests are answered 429 with `Retry-After`.
    pub fn throttle_next(&self, count: u32) {
        lock(&self.state).throttled = count;
    }

    /// The next `count` requests are answered 500.
    pub fn fail_next(&self, count: u32) {
        lock(&self.state).failing = count;
    }

    /// Adds payments the provider then lists.
    pub fn add_payments(&self, payments: impl IntoIterator<Item = FakePayment>) {
        lock(&self.state).add_payments(payments);
    }

    /// Adds subscriptions the provider then lists.
    pub fn add_subscriptions(&self, subscriptions: impl IntoIterator<Item = FakeSubscription>) {
        let mut state = lock(&self.state);
        state.subscriptions.extend(subscriptions);
        state
            .subscriptions
            .sort_by_key(|subscription| std::cmp::Reverse(subscription.created));
    }

    /// Moves subscription `id` to `status` (ended at `at`, unix seconds, when it ends); false
    /// when there is no such subscription.
    pub fn set_subscription_status(&self, id: &str, status: SubscriptionStatus, at: i64) -> bool {
        let mut state = lock(&self.state);
        let Some(subscription) = state.subscriptions.iter_mut().find(|s| s.id == id) else {
            return false;
        };
        subscription.status = status;
        subscription.ended_at = (status == SubscriptionStatus::Ended).then_some(at);
        true
    }

    /// Cancels subscription `id` to end with its period at `at` (unix seconds): it stays in its
    /// status, and each fake shows the scheduled cancellation its provider's way. False when
    /// there is no such subscription.
    pub fn schedule_cancellation(&self, id: &str, at: i64) -> bool {
        let mut state = lock(&self.state);
        let Some(subscription) = state.subscriptions.iter_mut().find(|s| s.id == id) else {
            return false;
        };
        subscription.ended_at = Some(at);
        true
    }

    /// Refunds `amount_minor` more of payment `id` at `at` (unix seconds); false when there is
    /// no such payment.
    pub fn refund(&self, id: &str, amount_minor: i64, at: i64) -> bool {
        let mut state = lock(&self.state);
        let Some(&position) = state.by_id.get(id) else {
            return false;
        };
        let payment = &mut state.payments[position];
        payment.refunded_minor = (payment.refunded_minor + amount_minor).min(payment.amount_minor);
        payment.refunded_at = Some(at);
        true
    }

    /// Serves the next `served` requests, then answers the `failures` after them 500: an
    /// outage that starts in the middle of an import.
    pub fn fail_after(&self, served: u32, failures: u32) {
        lock(&self.state).healthy_for = Some((served, failures));
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// How many requests it received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.state).requests.len()
    }
}
