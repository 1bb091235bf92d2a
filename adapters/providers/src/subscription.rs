//! What the connectors share about subscriptions: the status vocabulary Stripe defined and
//! Polar adopted, in the domain's terms.

use datafast_domain::integration::Provider;
use datafast_domain::provider_subscription::SubscriptionStatus;
use datafast_ports::providers::ProviderError;

/// A Stripe-style status in the domain's terms, `None` for `incomplete` (a first payment never
/// made: no subscription yet). `unpaid` is past due whose retries ran out and which the
/// account chose to keep open, not ended. A status neither provider documents is an answer
/// this code cannot read, as an unknown currency is.
pub(crate) fn stripe_style_status(
    text: &str,
    provider: Provider,
) -> Result<Option<SubscriptionStatus>, ProviderError> {
    let status = match text {
        "incomplete" => return Ok(None),
        "trialing" => SubscriptionStatus::Trialing,
        "active" => SubscriptionStatus::Active,
        "past_due" | "unpaid" => SubscriptionStatus::PastDue,
        "paused" => SubscriptionStatus::Paused,
        "canceled" | "incomplete_expired" => SubscriptionStatus::Ended,
        other => {
            return Err(ProviderError::Unavailable(format!(
                "{} sent an unknown subscription status {other:?}",
                provider.title()
            )));
        }
    };
    Ok(Some(status))
}
