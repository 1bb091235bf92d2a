//! Revenue imported from payment providers: one payment as any provider reports it, normalised,
//! how it becomes a stored [`Payment`], and the sync state that lets an import resume after a
//! restart with no gap and no double.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::id::WebsiteId;
use crate::integration::Provider;
use crate::payment::Payment;
use crate::profile::VisitorProfile;
use crate::website::Currency;

/// How much of a payment was given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refund {
    #[default]
    None,
    /// Part of it, in the payment's minor units.
    Partial {
        amount_minor: i64,
    },
    Full,
}

/// Who paid, as far as the provider says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Customer {
    pub id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// The subscription a payment belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    /// The payment opened a trial (usually of amount zero).
    pub trial: bool,
}

/// One payment as a provider reports it, in the same terms for every provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    pub provider: Provider,
    /// The provider's own id for the payment: the one a user would also send to the Payments
    /// API, so that both ways in meet on the same idempotency key.
    pub transaction_id: String,
    /// What the customer paid, in the currency's minor units.
    pub amount_minor: i64,
    pub currency: Currency,
    /// The amount in the account's settlement currency, where the provider gives it.
    pub settlement: Option<(i64, Currency)>,
    pub customer: Customer,
    /// A subscription's later payment, not its first.
    pub renewal: bool,
    pub refund: Refund,
    pub subscription: Option<Subscription>,
    pub occurred_at: Timestamp,
    /// `datafast_visitor_id` from the checkout's metadata.
    pub visitor_id: Option<String>,
    /// `datafast_session_id` from the checkout's metadata.
    pub session_id: Option<String>,
}

impl ProviderPayment {
    /// What the payment still brings in after refunds, in minor units.
    pub fn net_amount_minor(&self) -> i64 {
        match self.refund {
            Refund::None => self.amount_minor,
            Refund::Partial { amount_minor } => (self.amount_minor - amount_minor).max(0),
            Refund::Full => 0,
        }
    }

    /// Whether it opened a free trial: nothing paid, on a trialing subscription.
    pub fn is_free_trial(&self) -> bool {
        self.amount_minor == 0 && self.subscription.as_ref().is_some_and(|s| s.trial)
    }

    /// The payment as stored for `website`. A partial refund lowers the amount; a full one
    /// marks it refunded, which takes it out of revenue while keeping it on record. The
    /// visitor is `visitor_id` when the metadata named none and another way found one.
    pub fn into_payment(self, website_id: WebsiteId, visitor_id: Option<String>) -> Payment {
        Payment {
            website_id,
            amount_minor: self.net_amount_minor(),
            refunded: self.refund == Refund::Full,
            free_trial: self.is_free_trial(),
            renewal: self.renewal,
            visitor_id: self.visitor_id.or(visitor_id),
            email: self.customer.email,
            name: self.customer.name,
            customer_id: self.customer.id,
            currency: self.currency,
            transaction_id: self.transaction_id,
            occurred_at: self.occurred_at,
        }
    }
}

/// Identified visitors by the email they were identified with, for attributing a payment
/// whose checkout named no visitor: DataFast falls back to the customer's email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorsByEmail(HashMap<String, (Timestamp, String)>);

impl VisitorsByEmail {
    /// The book of `profiles`: each profile's `email` property (identify stores every extra
    /// field in the metadata), else its user id when that is an email. When several visitors
    /// share an email, the one identified last wins.
    pub fn of(profiles: &[VisitorProfile]) -> Self {
        let mut book: HashMap<String, (Timestamp, String)> = HashMap::new();
        for profile in profiles {
            let Some(email) = email_of(profile) else {
                continue;
            };
            let entry = (profile.identified_at, profile.visitor_id.clone());
            match book.get(&email) {
                Some(known) if known.0 > entry.0 => {}
                _ => {
                    book.insert(email, entry);
                }
            }
        }
        Self(book)
    }

    /// The book with the emails tracker `payment` events carried: a visitor who sent one at
    /// checkout is matched as an identified one is, the latest of either winning.
    #[must_use]
    pub fn with_checkouts(mut self, checkouts: &[CheckoutEmail]) -> Self {
        for checkout in checkouts {
            let Some(email) = normalised_email(&checkout.email) else {
                continue;
            };
            let entry = (checkout.seen_at, checkout.visitor_id.clone());
            match self.0.get(&email) {
                Some(known) if known.0 > entry.0 => {}
                _ => {
                    self.0.insert(email, entry);
                }
            }
        }
        self
    }

    /// The visitor identified with `email`, compared without case or surrounding spaces.
    pub fn visitor(&self, email: &str) -> Option<&str> {
        self.0
            .get(&normalised_email(email)?)
            .map(|(_, visitor)| visitor.as_str())
    }
}

/// The email a tracker `payment` event carried, and the visitor who sent it: DataFast matches
/// a payment whose checkout named no visitor to such an event by the customer's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutEmail {
    pub website_id: WebsiteId,
    pub email: String,
    pub visitor_id: String,
    pub seen_at: Timestamp,
}

impl CheckoutEmail {
    /// The checkout of `visitor` with `email`, the address kept as compared (trimmed and
    /// lowercased); `None` for text that is no address.
    pub fn new(
        website_id: WebsiteId,
        email: &str,
        visitor_id: &str,
        seen_at: Timestamp,
    ) -> Option<Self> {
        Some(Self {
            website_id,
            email: normalised_email(email)?,
            visitor_id: visitor_id.to_owned(),
            seen_at,
        })
    }
}

fn email_of(profile: &VisitorProfile) -> Option<String> {
    profile
        .metadata
        .get("email")
        .and_then(|email| normalised_email(email))
        .or_else(|| normalised_email(&profile.user_id))
}

/// An address as compared: trimmed and lowercased; `None` for anything without an `@`
/// between two non-empty parts.
fn normalised_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then_some(email)
}

/// The span of provider history one sync pass reads, inclusive of `from`, exclusive of `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncWindow {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// How far an import has got with one connection, kept with the connection.
///
/// A pass reads one [`SyncWindow`] a page at a time. The page cursor moves only after its
/// payments are stored, and `synced_through` only after the window's last page, so a pass cut
/// short resumes where it stopped and a finished one is never read again (but for a small
/// overlap that catches late arrivals; payments are idempotent, so the overlap doubles nothing).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    /// Every payment before this instant has been imported.
    pub synced_through: Option<Timestamp>,
    /// The pass under way, if one was cut short.
    pub window: Option<SyncWindow>,
    /// The provider's cursor for the next page of `window`; `None` for its first page.
    pub page: Option<String>,
    pub last_sync_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Payments this connection brought in that were new.
    pub imported_payments: u64,
    /// The provider refused the credential: the import stops calling it until the user
    /// connects again.
    pub halted: bool,
}

/// How far back a pass starts before the instant the previous one finished: providers make a
/// payment listable a little after its creation time.
pub const SYNC_OVERLAP: SignedDuration = SignedDuration::from_mins(10);

impl SyncState {
    /// The window the next pass reads: the one cut short, else from where the last pass
    /// finished (less the overlap), else `backfill` before `now`.
    pub fn next_window(&self, now: Timestamp, backfill: SignedDuration) -> SyncWindow {
        if let Some(window) = self.window {
            return window;
        }
        let from = self.synced_through.map_or_else(
            || now.saturating_sub(backfill),
            |through| through.saturating_sub(SYNC_OVERLAP),
        );
        SyncWindow {
            from: from.unwrap_or(Timestamp::UNIX_EPOCH),
            to: now,
        }
    }

    /// A page of `window` was stored, in a pass that began at `pass_started`; `next` is the
    /// provider's cursor after it. The provider answered, so the connection is not halted;
    /// the window's last page ends the pass, clearing its error. (The store counts the
    /// page's new payments into `imported_payments` as it writes them.)
    pub fn page_stored(
        &mut self,
        window: SyncWindow,
        next: Option<String>,
        pass_started: Timestamp,
    ) {
        self.halted = false;
        match next {
            Some(page) => {
                self.window = Some(window);
                self.page = Some(page);
            }
            None => {
                self.window = None;
                self.page = None;
                self.synced_through = Some(window.to);
                self.last_sync_at = Some(pass_started);
                self.last_error = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    fn payment(refund: Refund) -> ProviderPayment {
        ProviderPayment {
            provider: Provider::Stripe,
            transaction_id: "pi_1".into(),
            amount_minor: 5000,
            currency: Currency::parse("EUR").unwrap(),
            settlement: None,
            customer: Customer::default(),
            renewal: false,
            refund,
            subscription: None,
            occurred_at: at(1_700_000_000),
            visitor_id: None,
            session_id: None,
        }
    }

    #[test]
    fn refunds_lower_or_void_the_stored_amount() {
        let website = WebsiteId::parse("0123456789abcdef01234567").unwrap();
        let whole = payment(Refund::None).into_payment(website, None);
        assert_eq!((whole.amount_minor, whole.refunded), (5000, false));
        let part = payment(Refund::Partial { amount_minor: 1500 }).into_payment(website, None);
        assert_eq!((part.amount_minor, part.refunded), (3500, false));
        let full = payment(Refund::Full).into_payment(website, None);
        assert_eq!((full.amount_minor, full.refunded), (0, true));
    }

    #[test]
    fn the_metadata_visitor_wins_over_one_found_otherwise() {
        let website = WebsiteId::parse("0123456789abcdef01234567").unwrap();
        let mut tagged = payment(Refund::None);
        tagged.visitor_id = Some("from-metadata".into());
        let stored = tagged.into_payment(website, Some("by-email".into()));
        assert_eq!(stored.visitor_id.as_deref(), Some("from-metadata"));
        let stored = payment(Refund::None).into_payment(website, Some("by-email".into()));
        assert_eq!(stored.visitor_id.as_deref(), Some("by-email"));
    }

    fn profile(visitor: &str, user_id: &str, email: Option<&str>, second: i64) -> VisitorProfile {
        VisitorProfile {
            profile_id: format!("p-{visitor}"),
            website_id: WebsiteId::parse("0123456789abcdef01234567").unwrap(),
            visitor_id: visitor.to_owned(),
            user_id: user_id.to_owned(),
            metadata: email
                .map(|e| [("email".to_owned(), e.to_owned())].into_iter().collect())
                .unwrap_or_default(),
            identified_at: at(second),
        }
    }

    #[test]
    fn identified_visitors_are_found_by_email_without_case() {
        let book = VisitorsByEmail::of(&[
            profile("ann", "user-1", Some("Ann@Example.com "), 10),
            profile("bob", "bob@example.com", None, 10),
            profile("old", "user-3", Some("cat@example.com"), 5),
            profile("cat", "user-4", Some("cat@example.com"), 20),
            profile("nobody", "user-5", Some("not an address"), 10),
        ]);
        assert_eq!(book.visitor("ann@example.com"), Some("ann"));
        assert_eq!(book.visitor("  BOB@example.com"), Some("bob"));
        assert_eq!(
            book.visitor("cat@example.com"),
            Some("cat"),
            "the latest wins"
        );
        assert_eq!(book.visitor("not an address"), None);
        assert_eq!(book.visitor("eve@example.com"), None);
    }

    #[test]
    fn checkout_emails_match_like_identified_ones_and_the_latest_wins() {
        let checkout = |email: &str, visitor: &str, second| CheckoutEmail {
            website_id: WebsiteId::parse("0123456789abcdef01234567").unwrap(),
            email: email.to_owned(),
            visitor_id: visitor.to_owned(),
            seen_at: at(second),
        };
        let book = VisitorsByEmail::of(&[profile("ann", "user-1", Some("ann@example.com"), 10)])
            .with_checkouts(&[
                checkout(" DAN@example.com", "dan", 10),
                checkout("ann@example.com", "ann-at-checkout", 5),
                checkout("eve@example.com", "eve-later", 30),
                checkout("eve@example.com", "eve-earlier", 20),
                checkout("no address", "x", 40),
            ]);
        assert_eq!(book.visitor("dan@example.com"), Some("dan"));
        assert_eq!(
            book.visitor("ann@example.com"),
            Some("ann"),
            "identified later"
        );
        assert_eq!(book.visitor("eve@example.com"), Some("eve-later"));
        assert_eq!(book.visitor("no address"), None);
    }

    #[test]
    fn a_pass_resumes_its_window_and_the_next_starts_where_it_ended() {
        let backfill = SignedDuration::from_hours(24);
        let mut state = SyncState::default();
        let first = state.next_window(at(100_000), backfill);
        assert_eq!(first.from, at(100_000 - 86_400));
        state.last_error = Some("HTTP 500".into());
        state.halted = true;
        state.page_stored(first, Some("p2".into()), at(100_000));
        assert!(!state.halted, "the provider answered");
        assert_eq!(
            state.last_error.as_deref(),
            Some("HTTP 500"),
            "not finished yet"
        );
        // Cut short: the same window again, later.
        assert_eq!(state.next_window(at(200_000), backfill), first);
        state.page_stored(first, None, at(200_000));
        assert_eq!(state.last_sync_at, Some(at(200_000)));
        assert_eq!(state.last_error, None);
        let second = state.next_window(at(200_000), backfill);
        assert_eq!(second.from, at(100_000 - 600));
        assert_eq!(second.to, at(200_000));
        assert_eq!(state.page, None);
    }
}
