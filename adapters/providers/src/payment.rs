//! What every connector's normalised payments share: the metadata keys DataFast's checkout
//! integration writes, currency codes read strictly, and a refund told from what was given
//! back.

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::Refund;
use datafast_domain::website::Currency;
use datafast_ports::providers::ProviderError;

/// The checkout metadata that attributes a payment to a visitor.
pub(crate) const VISITOR: &str = "datafast_visitor_id";
/// The checkout metadata that attributes a payment to a session.
pub(crate) const SESSION: &str = "datafast_session_id";

/// `code` as a currency. One the domain does not know makes the answer unusable, rather than
/// the payment stored in a currency it was not made in.
pub(crate) fn currency(code: &str, provider: Provider) -> Result<Currency, ProviderError> {
    Currency::parse(code).map_err(|_| {
        ProviderError::Unavailable(format!(
            "{} sent an unknown currency {code}",
            provider.title()
        ))
    })
}

/// The refund of a payment of `amount` of which `given_back` was given back; `marked_refunded`
/// is the provider's own word that all of it was, which stands whatever the amounts say.
pub(crate) fn refund(amount: i64, given_back: i64, marked_refunded: bool) -> Refund {
    if marked_refunded || (amount > 0 && given_back >= amount) {
        Refund::Full
    } else if given_back > 0 {
        Refund::Partial {
            amount_minor: given_back,
        }
    } else {
        Refund::None
    }
}
