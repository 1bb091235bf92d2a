//! References to one payment at a provider: what a webhook names and what the tracker's
//! `payment` event carries, resolved through the provider into a [`ProviderPayment`].
//!
//! [`ProviderPayment`]: crate::provider_payment::ProviderPayment

use crate::integration::Provider;

/// The longest provider id accepted from a webhook or an event: the providers' own ids are
/// far shorter, and an id is sent back to the provider in a URL.
pub const MAX_REFERENCE_CHARS: usize = 255;

/// A provider's id for one payment, or for the checkout or order that made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentReference {
    /// A Checkout Session (`cs_…`), as Stripe's payment links return in `?session_id=`.
    StripeCheckoutSession(String),
    /// A charge (`ch_…`, `py_…`), as Stripe's charge webhooks name.
    StripeCharge(String),
    /// An order, as `?order_id=` and the order webhooks name.
    LemonSqueezyOrder(String),
    /// A subscription invoice: a subscription's first or later payment.
    LemonSqueezySubscriptionInvoice(String),
    /// A checkout, as `?checkout_id=` names.
    PolarCheckout(String),
    /// An order, as the order and refund webhooks name.
    PolarOrder(String),
    /// A transaction (`txn_…`).
    PaddleTransaction(String),
}

impl PaymentReference {
    /// The provider the reference is resolved with.
    pub fn provider(&self) -> Provider {
        match self {
            Self::StripeCheckoutSession(_) | Self::StripeCharge(_) => Provider::Stripe,
            Self::LemonSqueezyOrder(_) | Self::LemonSqueezySubscriptionInvoice(_) => {
                Provider::LemonSqueezy
            }
            Self::PolarCheckout(_) | Self::PolarOrder(_) => Provider::Polar,
            Self::PaddleTransaction(_) => Provider::Paddle,
        }
    }

    /// The provider's id.
    pub fn id(&self) -> &str {
        match self {
            Self::StripeCheckoutSession(id)
            | Self::StripeCharge(id)
            | Self::LemonSqueezyOrder(id)
            | Self::LemonSqueezySubscriptionInvoice(id)
            | Self::PolarCheckout(id)
            | Self::PolarOrder(id)
            | Self::PaddleTransaction(id) => id,
        }
    }

    /// Whether the id can be put in a provider's URL: ASCII letters, digits, `_` and `-`,
    /// within [`MAX_REFERENCE_CHARS`]. Every provider's ids have this form; anything else
    /// came from someone else and is not sent on.
    pub fn is_well_formed(&self) -> bool {
        let id = self.id();
        !id.is_empty()
            && id.len() <= MAX_REFERENCE_CHARS
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reference_names_its_provider() {
        let cases = [
            (
                PaymentReference::StripeCheckoutSession("cs_1".into()),
                Provider::Stripe,
            ),
            (
                PaymentReference::StripeCharge("ch_1".into()),
                Provider::Stripe,
            ),
            (
                PaymentReference::LemonSqueezyOrder("1".into()),
                Provider::LemonSqueezy,
            ),
            (
                PaymentReference::LemonSqueezySubscriptionInvoice("1".into()),
                Provider::LemonSqueezy,
            ),
            (
                PaymentReference::PolarCheckout("a-b".into()),
                Provider::Polar,
            ),
            (PaymentReference::PolarOrder("a-b".into()), Provider::Polar),
            (
                PaymentReference::PaddleTransaction("txn_1".into()),
                Provider::Paddle,
            ),
        ];
        for (reference, provider) in cases {
            assert_eq!(reference.provider(), provider, "{reference:?}");
        }
    }

    #[test]
    fn only_url_safe_ids_within_the_bound_are_well_formed() {
        let ok = |id: &str| PaymentReference::StripeCheckoutSession(id.to_owned()).is_well_formed();
        assert!(ok("cs_live_a1B2-c3"));
        assert!(ok(&"a".repeat(MAX_REFERENCE_CHARS)));
        assert!(!ok(""));
        assert!(!ok(&"a".repeat(MAX_REFERENCE_CHARS + 1)));
        assert!(!ok("cs_1/../../v1/account"));
        assert!(!ok("cs_1?expand=x"));
        assert!(!ok("cs 1"));
        assert!(!ok("cs_é"));
    }
}
