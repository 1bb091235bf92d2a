//! Payments: revenue recorded through `POST /api/v1/payments` (and later by payment
//! providers), kept in the currency's minor units so that sums are exact, and the filter that
//! `DELETE /api/v1/payments` applies.

use jiff::Timestamp;

use crate::ValidationError;
use crate::goal::GoalName;
use crate::id::WebsiteId;
use crate::website::Currency;

/// Largest amount accepted, in major units: far above any real payment, and small enough that
/// sums of many of them stay exact in `i64` minor units.
pub const MAX_AMOUNT: f64 = 1_000_000_000.0;

/// One payment, attributed to a visitor when its id was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub website_id: WebsiteId,
    /// The idempotency key: one payment per transaction id and website.
    pub transaction_id: String,
    /// In the currency's minor units (cents for USD, yen for JPY).
    pub amount_minor: i64,
    pub currency: Currency,
    pub visitor_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub customer_id: Option<String>,
    pub renewal: bool,
    pub refunded: bool,
    pub free_trial: bool,
    pub occurred_at: Timestamp,
}

impl Payment {
    /// The automatic goal a payment completes for its visitor.
    pub fn goal_name(&self) -> GoalName {
        GoalName::of_payment(self.free_trial, self.renewal)
    }
}

/// Whether a payment was stored or its transaction id was already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentRecord {
    Recorded,
    Duplicate,
}

/// Which payments a delete removes. A transaction id, when given, selects that payment alone
/// and the other conditions are ignored, as the Payments API documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    pub transaction_id: Option<String>,
    pub visitor_id: Option<String>,
    /// Inclusive bounds.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl PaymentFilter {
    pub fn matches(&self, payment: &Payment) -> bool {
        if let Some(id) = &self.transaction_id {
            return *id == payment.transaction_id;
        }
        self.visitor_id
            .as_deref()
            .is_none_or(|v| Some(v) == payment.visitor_id.as_deref())
            && self.from.is_none_or(|from| payment.occurred_at >= from)
            && self.to.is_none_or(|to| payment.occurred_at <= to)
    }
}

/// The number of minor units in one major unit of `currency` (100 for USD, 1 for JPY).
pub fn minor_units_per_major(currency: &Currency) -> i64 {
    let exponent = iso_currency::Currency::from_code(currency.as_str())
        .and_then(|c| c.exponent())
        .unwrap_or(2);
    10_i64.pow(u32::from(exponent))
}

/// Converts an amount in major units, as clients send it (29.99), into minor units, rounding
/// to the nearest unit.
///
/// # Errors
/// Negative, non-finite and absurdly large amounts.
pub fn to_minor_units(amount: f64, currency: &Currency) -> Result<i64, ValidationError> {
    if !amount.is_finite() || !(0.0..=MAX_AMOUNT).contains(&amount) {
        return Err(ValidationError::new(
            "amount",
            "must be a number between 0 and 1000000000",
        ));
    }
    // Bounded above, so the product fits in i64 with room to spare.
    Ok((amount * minor_units_per_major(currency) as f64).round() as i64)
}

/// Converts minor units back into major units for responses.
pub fn to_major_units(amount_minor: i64, currency: &Currency) -> f64 {
    amount_minor as f64 / minor_units_per_major(currency) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_completes_the_goal_of_its_kind() {
        let payment = |free_trial, renewal| Payment {
            website_id: crate::id::WebsiteId::parse("0123456789abcdef01234567").unwrap(),
            transaction_id: "tx".into(),
            amount_minor: 100,
            currency: Currency::parse("USD").unwrap(),
            visitor_id: None,
            email: None,
            name: None,
            customer_id: None,
            renewal,
            refunded: false,
            free_trial,
            occurred_at: jiff::Timestamp::UNIX_EPOCH,
        };
        assert_eq!(payment(false, false).goal_name().as_str(), "payment");
        assert_eq!(
            payment(false, true).goal_name().as_str(),
            "subscription_renewed"
        );
        assert_eq!(payment(true, false).goal_name().as_str(), "free_trial");
    }

    #[test]
    fn amounts_convert_by_the_currency_exponent() {
        let usd = Currency::parse("usd").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(to_minor_units(29.99, &usd).unwrap(), 2999);
        assert_eq!(to_minor_units(0.1 + 0.2, &usd).unwrap(), 30);
        assert_eq!(to_minor_units(1500.0, &jpy).unwrap(), 1500);
        assert!((to_major_units(2999, &usd) - 29.99).abs() < 1e-9);
        assert!(to_minor_units(-1.0, &usd).is_err());
        assert!(to_minor_units(f64::NAN, &usd).is_err());
        assert!(to_minor_units(1e12, &usd).is_err());
    }

    #[test]
    fn a_transaction_id_filter_ignores_the_other_conditions() {
        let payment = Payment {
            website_id: WebsiteId::parse("0123456789abcdef01234567").unwrap(),
            transaction_id: "tx_1".into(),
            amount_minor: 100,
            currency: Currency::parse("USD").unwrap(),
            visitor_id: Some("v".into()),
            email: None,
            name: None,
            customer_id: None,
            renewal: false,
            refunded: false,
            free_trial: false,
            occurred_at: Timestamp::UNIX_EPOCH,
        };
        let by_id = PaymentFilter {
            transaction_id: Some("tx_1".into()),
            visitor_id: Some("other".into()),
            ..PaymentFilter::default()
        };
        assert!(by_id.matches(&payment));
        let by_visitor = PaymentFilter {
            visitor_id: Some("other".into()),
            ..PaymentFilter::default()
        };
        assert!(!by_visitor.matches(&payment));
        assert!(PaymentFilter::default().matches(&payment));
    }
}
