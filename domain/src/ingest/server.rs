//! The Website API's write bodies (`POST /api/v1/goals`, `/payments`, `/identify`) and the
//! delete filters of `DELETE /api/v1/goals` and `/payments`, with every alias spelling the
//! DataFast docs have used, checked into typed values.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::ValidationError;
use crate::event::GoalEventFilter;
use crate::goal::GoalName;
use crate::ingest::payload::{MAX_IDENTIFIER, VisitorId, param_key, value_text};
use crate::ingest::sanitize::{MAX_VALUE_CHARS, sanitize_value};
use crate::payment::{PaymentFilter, to_minor_units};
use crate::time::parse_bound;
use crate::website::Currency;

/// Most metadata entries on a server-side goal, as documented.
pub const MAX_GOAL_METADATA: usize = 10;
/// Most profile metadata entries kept from one identify call.
pub const MAX_PROFILE_METADATA: usize = 20;
/// Longest server-side goal description.
pub const MAX_DESCRIPTION: usize = 255;

fn invalid(field: &str, message: &str) -> ValidationError {
    ValidationError::new(field, message)
}

/// The fields of each body, aliases included. None of them is documented as taking null, so
/// an explicit null is refused rather than read as absent (identify's other fields are profile
/// properties, where a null one is simply left out of the profile identify replaces).
const GOAL_FIELDS: [&str; 5] = [
    "datafast_visitor_id",
    "visitorId",
    "name",
    "description",
    "metadata",
];
const PAYMENT_FIELDS: [&str; 14] = [
    "amount",
    "currency",
    "transaction_id",
    "datafast_visitor_id",
    "visitorId",
    "email",
    "customer_email",
    "name",
    "customer_name",
    "customer_id",
    "renewal",
    "refunded",
    "is_free_trial",
    "timestamp",
];
const IDENTIFY_FIELDS: [&str; 3] = ["user_id", "datafast_visitor_id", "visitorId"];

/// The first of `keys` that the body sends as null, refused naming it.
fn refuse_null(fields: &Map<String, Value>, keys: &[&str]) -> Result<(), ValidationError> {
    match keys
        .iter()
        .find(|key| fields.get(**key).is_some_and(Value::is_null))
    {
        Some(key) => Err(invalid(key, "must not be null")),
        None => Ok(()),
    }
}

/// The visitor id under either of its names; `datafast_visitor_id` wins when both are given.
fn visitor_id(
    primary: Option<&Value>,
    alias: Option<&Value>,
    required: bool,
) -> Result<Option<VisitorId>, ValidationError> {
    let Some(value) = primary.or(alias).filter(|v| !v.is_null()) else {
        return if required {
            Err(invalid("datafast_visitor_id", "is required"))
        } else {
            Ok(None)
        };
    };
    value
        .as_str()
        .and_then(VisitorId::parse)
        .map(Some)
        .ok_or_else(|| invalid("datafast_visitor_id", "must be a UUID v4"))
}

/// A body's required visitor id, under either of its names.
fn required_visitor(fields: &Map<String, Value>) -> Result<VisitorId, ValidationError> {
    visitor_id(
        fields.get("datafast_visitor_id"),
        fields.get("visitorId"),
        true,
    )?
    .ok_or_else(|| invalid("datafast_visitor_id", "is required"))
}

/// A delete's optional visitor id from the query, under either of its names.
fn query_visitor(
    primary: Option<&str>,
    alias: Option<&str>,
) -> Result<Option<VisitorId>, ValidationError> {
    primary
        .or(alias)
        .map(|id| {
            VisitorId::parse(id).ok_or_else(|| invalid("datafast_visitor_id", "must be a UUID v4"))
        })
        .transpose()
}

/// A bounded identifier field (user id, transaction id, customer id, email).
fn identifier(field: &str, value: Option<&Value>) -> Result<Option<String>, ValidationError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err(invalid(field, "must be a string")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_IDENTIFIER || text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            "must be at most 255 characters without control characters",
        ));
    }
    Ok(Some(text))
}

fn flag(field: &str, value: Option<&Value>) -> Result<bool, ValidationError> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(field, "must be true or false")),
    }
}

/// Metadata of a server-side goal: keys `[a-z0-9_-]` up to 64 characters, scalar values up to
/// 255 characters with markup removed. Unlike the tracker, which silently drops what it cannot
/// send, a backend gets told what is wrong.
fn goal_metadata(value: Option<&Value>) -> Result<BTreeMap<String, String>, ValidationError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(BTreeMap::new());
    };
    let Value::Object(entries) = value else {
        return Err(invalid("metadata", "must be an object"));
    };
    if entries.len() > MAX_GOAL_METADATA {
        return Err(invalid("metadata", "must have at most 10 keys"));
    }
    let mut out = BTreeMap::new();
    for (key, value) in entries {
        let clean_key = param_key(key).filter(|k| k == key).ok_or_else(|| {
            invalid(
                "metadata",
                "keys must be 1 to 64 characters of a-z, 0-9, _ and -",
            )
        })?;
        let text = value_text(value)
            .ok_or_else(|| invalid("metadata", "values must be strings, numbers or booleans"))?;
        if text.chars().count() > MAX_VALUE_CHARS {
            return Err(invalid("metadata", "values must be at most 255 characters"));
        }
        out.insert(clean_key, sanitize_value(&text));
    }
    Ok(out)
}

/// `POST /api/v1/goals`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerGoal {
    pub visitor_id: VisitorId,
    pub name: GoalName,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
}

/// Reads a `POST /api/v1/goals` body.
///
/// # Errors
/// A missing or malformed visitor id or name, a reserved name, or invalid metadata.
pub fn server_goal(body: &Value) -> Result<ServerGoal, ValidationError> {
    let Value::Object(fields) = body else {
        return Err(invalid("body", "must be a JSON object"));
    };
    refuse_null(fields, &GOAL_FIELDS)?;
    let visitor_id = required_visitor(fields)?;
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("name", "is required"))?;
    let name = GoalName::parse_custom(name).map_err(|e| e.within("name"))?;
    let description = match fields.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.chars().count() <= MAX_DESCRIPTION => {
            Some(sanitize_value(text)).filter(|t| !t.is_empty())
        }
        Some(_) => {
            return Err(invalid(
                "description",
                "must be a string of at most 255 characters",
            ));
        }
    };
    Ok(ServerGoal {
        visitor_id,
        name,
        description,
        metadata: goal_metadata(fields.get("metadata"))?,
    })
}

/// `POST /api/v1/payments`, before it is bound to a website.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerPayment {
    pub transaction_id: String,
    pub amount_minor: i64,
    pub currency: Currency,
    pub visitor_id: Option<VisitorId>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub customer_id: Option<String>,
    pub renewal: bool,
    pub refunded: bool,
    pub free_trial: bool,
    pub timestamp: Option<Timestamp>,
}

/// Reads a `POST /api/v1/payments` body; `email`/`customer_email` and `name`/`customer_name`
/// are the same field (the first spelling wins), and an amount of 0 is a free trial.
///
/// # Errors
/// A missing or malformed amount, currency or transaction id, or a malformed optional field.
pub fn server_payment(body: &Value) -> Result<ServerPayment, ValidationError> {
    let Value::Object(fields) = body else {
        return Err(invalid("body", "must be a JSON object"));
    };
    refuse_null(fields, &PAYMENT_FIELDS)?;
    let transaction_id = identifier("transaction_id", fields.get("transaction_id"))?
        .ok_or_else(|| invalid("transaction_id", "is required"))?;
    let currency = fields
        .get("currency")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("currency", "is required"))
        .and_then(Currency::parse)?;
    let amount = match fields.get("amount") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        None | Some(Value::Null) => return Err(invalid("amount", "is required")),
        Some(_) => None,
    }
    .ok_or_else(|| invalid("amount", "must be a number"))?;
    let amount_minor = to_minor_units(amount, &currency)?;
    let email = identifier(
        "email",
        fields.get("email").or_else(|| fields.get("customer_email")),
    )?;
    if let Some(email) = &email
        && !email_address::EmailAddress::is_valid(email)
    {
        return Err(invalid("email", "must be an email address"));
    }
    let name = identifier(
        "name",
        fields.get("name").or_else(|| fields.get("customer_name")),
    )?
    .map(|n| sanitize_value(&n))
    .filter(|n| !n.is_empty());
    let timestamp = match fields.get("timestamp") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
            text.trim()
                .parse::<Timestamp>()
                .map_err(|_| invalid("timestamp", "must be an ISO 8601 timestamp"))?,
        ),
        Some(_) => return Err(invalid("timestamp", "must be an ISO 8601 timestamp")),
    };
    Ok(ServerPayment {
        transaction_id,
        amount_minor,
        visitor_id: visitor_id(
            fields.get("datafast_visitor_id"),
            fields.get("visitorId"),
            false,
        )?,
        email,
        name,
        customer_id: identifier("customer_id", fields.get("customer_id"))?,
        renewal: flag("renewal", fields.get("renewal"))?,
        refunded: flag("refunded", fields.get("refunded"))?,
        free_trial: flag("is_free_trial", fields.get("is_free_trial"))? || amount_minor == 0,
        currency,
        timestamp,
    })
}

/// `POST /api/v1/identify`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerIdentify {
    pub visitor_id: VisitorId,
    pub user_id: String,
    /// Every other top-level field, as profile metadata.
    pub metadata: BTreeMap<String, String>,
}

/// Reads a `POST /api/v1/identify` body.
///
/// # Errors
/// A missing or malformed visitor id or user id, or too many extra fields.
pub fn server_identify(body: &Value) -> Result<ServerIdentify, ValidationError> {
    let Value::Object(fields) = body else {
        return Err(invalid("body", "must be a JSON object"));
    };
    refuse_null(fields, &IDENTIFY_FIELDS)?;
    let visitor_id = required_visitor(fields)?;
    let user_id = identifier("user_id", fields.get("user_id"))?
        .ok_or_else(|| invalid("user_id", "is required"))?;
    let mut metadata = BTreeMap::new();
    for (key, value) in fields {
        if matches!(
            key.as_str(),
            "user_id" | "datafast_visitor_id" | "visitorId" | "websiteId"
        ) {
            continue;
        }
        let (Some(key), Some(text)) = (param_key(key), value_text(value)) else {
            continue;
        };
        let clean = sanitize_value(&text);
        if !clean.is_empty() {
            metadata.insert(key, clean);
        }
    }
    if metadata.len() > MAX_PROFILE_METADATA {
        return Err(invalid("body", "at most 20 profile properties"));
    }
    Ok(ServerIdentify {
        visitor_id,
        user_id,
        metadata,
    })
}

/// The query of `DELETE /api/v1/goals`, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct GoalDeleteQuery {
    pub datafast_visitor_id: Option<String>,
    #[serde(rename = "visitorId")]
    pub visitor_id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "startAt")]
    pub start_at: Option<String>,
    #[serde(rename = "endAt")]
    pub end_at: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// Reads a range given as `startAt`/`endAt` or, failing that, `start`/`end`: both ends or
/// neither.
fn range(
    primary: (&Option<String>, &Option<String>),
    alias: (&Option<String>, &Option<String>),
) -> Result<Option<(Timestamp, Timestamp)>, ValidationError> {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
    let (start, end, names) = if present(primary.0) || present(primary.1) {
        (primary.0, primary.1, ("startAt", "endAt"))
    } else {
        (alias.0, alias.1, ("start", "end"))
    };
    match (start.as_deref(), end.as_deref()) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) => {
            let from = parse_bound(names.0, start, false)?;
            let to = parse_bound(names.1, end, true)?;
            if from > to {
                return Err(invalid(names.0, "must not be after the end of the range"));
            }
            Ok(Some((from, to)))
        }
        _ => Err(invalid(
            "startAt",
            "startAt and endAt must be given together",
        )),
    }
}

/// Checks a goal delete: at least one condition, and a time range when no visitor is named.
///
/// # Errors
/// Malformed values, a half range, or a bulk delete without a range.
pub fn goal_delete_filter(query: &GoalDeleteQuery) -> Result<GoalEventFilter, ValidationError> {
    let visitor = query_visitor(
        query.datafast_visitor_id.as_deref(),
        query.visitor_id.as_deref(),
    )?;
    let name = query
        .name
        .as_deref()
        .map(|n| GoalName::parse(n).map_err(|e| e.within("name")))
        .transpose()?;
    let range = range((&query.start_at, &query.end_at), (&query.start, &query.end))?;
    if visitor.is_none() && range.is_none() {
        return Err(invalid(
            "startAt",
            "a delete without datafast_visitor_id needs startAt and endAt",
        ));
    }
    Ok(GoalEventFilter {
        visitor_id: visitor.map(|v| v.as_str().to_owned()),
        goal_name: name.map(|n| n.as_str().to_owned()),
        from: range.map(|r| r.0),
        to: range.map(|r| r.1),
    })
}

/// The query of `DELETE /api/v1/payments`, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PaymentDeleteQuery {
    pub transaction_id: Option<String>,
    pub tx_id: Option<String>,
    pub datafast_visitor_id: Option<String>,
    #[serde(rename = "visitorId")]
    pub visitor_id: Option<String>,
    #[serde(rename = "startAt")]
    pub start_at: Option<String>,
    #[serde(rename = "endAt")]
    pub end_at: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// Checks a payment delete: a transaction id alone, or a visitor and/or a range.
///
/// # Errors
/// Malformed values, a half range, or no condition at all.
pub fn payment_delete_filter(query: &PaymentDeleteQuery) -> Result<PaymentFilter, ValidationError> {
    if let Some(id) = query.transaction_id.as_deref().or(query.tx_id.as_deref()) {
        let id = identifier("transaction_id", Some(&Value::String(id.to_owned())))?
            .ok_or_else(|| invalid("transaction_id", "must not be empty"))?;
        return Ok(PaymentFilter {
            transaction_id: Some(id),
            ..PaymentFilter::default()
        });
    }
    let visitor = query_visitor(
        query.datafast_visitor_id.as_deref(),
        query.visitor_id.as_deref(),
    )?;
    let range = range((&query.start_at, &query.end_at), (&query.start, &query.end))?;
    if visitor.is_none() && range.is_none() {
        return Err(invalid(
            "transaction_id",
            "give transaction_id, or datafast_visitor_id and/or startAt and endAt",
        ));
    }
    Ok(PaymentFilter {
        transaction_id: None,
        visitor_id: visitor.map(|v| v.as_str().to_owned()),
        from: range.map(|r| r.0),
        to: range.map(|r| r.1),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";

    #[test]
    fn goals_accept_both_visitor_spellings_and_refuse_reserved_names() {
        let goal = server_goal(&json!({"visitorId": VISITOR, "name": "Newsletter Signup",
            "metadata": {"plan": "<b>pro</b>"}}))
        .unwrap();
        assert_eq!(goal.name.as_str(), "newsletter_signup");
        assert_eq!(goal.metadata["plan"], "bpro/b");
        assert!(server_goal(&json!({"datafast_visitor_id": VISITOR, "name": "identify"})).is_err());
        assert!(server_goal(&json!({"name": "signup"})).is_err());
        assert!(server_goal(&json!({"datafast_visitor_id": "nope", "name": "signup"})).is_err());
        let eleven: serde_json::Map<String, Value> =
            (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
        assert!(
            server_goal(&json!({"datafast_visitor_id": VISITOR, "name": "a", "metadata": eleven}))
                .is_err()
        );
        assert!(
            server_goal(&json!({"datafast_visitor_id": VISITOR, "name": "a",
                "metadata": {"Bad Key": "v"}}))
            .is_err()
        );
    }

    #[test]
    fn payments_read_aliases_and_infer_free_trials() {
        let payment = server_payment(&json!({"amount": 29.99, "currency": "usd",
            "transaction_id": "tx_1", "customer_email": "a@b.co", "customer_name": "Ann"}))
        .unwrap();
        assert_eq!(payment.amount_minor, 2999);
        assert_eq!(payment.currency.as_str(), "USD");
        assert_eq!(payment.email.as_deref(), Some("a@b.co"));
        assert_eq!(payment.name.as_deref(), Some("Ann"));
        assert!(!payment.free_trial);
        let trial = server_payment(&json!({"amount": 0, "currency": "EUR", "transaction_id": "t"}))
            .unwrap();
        assert!(trial.free_trial);
        for bad in [
            json!({"currency": "USD", "transaction_id": "t"}),
            json!({"amount": 1, "transaction_id": "t"}),
            json!({"amount": 1, "currency": "USD"}),
            json!({"amount": -1, "currency": "USD", "transaction_id": "t"}),
            json!({"amount": 1, "currency": "XYZ", "transaction_id": "t"}),
            json!({"amount": 1, "currency": "USD", "transaction_id": "t", "renewal": "yes"}),
            json!({"amount": 1, "currency": "USD", "transaction_id": "t", "timestamp": "soon"}),
        ] {
            assert!(server_payment(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identify_keeps_other_fields_as_metadata() {
        let identify = server_identify(&json!({"datafast_visitor_id": VISITOR, "user_id": "u1",
            "name": "Ann", "plan": "pro", "nested": {"x": 1}}))
        .unwrap();
        assert_eq!(identify.user_id, "u1");
        assert_eq!(identify.metadata.len(), 2);
        assert!(server_identify(&json!({"datafast_visitor_id": VISITOR})).is_err());
        let long = "x".repeat(256);
        assert!(
            server_identify(&json!({"datafast_visitor_id": VISITOR, "user_id": long})).is_err()
        );
    }

    #[test]
    fn a_null_field_is_refused_naming_it() {
        let goal = json!({"datafast_visitor_id": VISITOR, "visitorId": null, "name": "a"});
        assert_eq!(
            server_goal(&goal).unwrap_err().to_string(),
            "Invalid visitorId: must not be null"
        );
        let payment = json!({"amount": 1, "currency": "USD", "transaction_id": "t",
            "email": "a@b.co", "customer_email": null});
        assert!(
            server_payment(&payment)
                .unwrap_err()
                .to_string()
                .contains("customer_email")
        );
        for field in PAYMENT_FIELDS {
            let mut body = json!({"amount": 1, "currency": "USD", "transaction_id": "t"});
            body[field] = Value::Null;
            assert!(server_payment(&body).is_err(), "{field}");
        }
        let identify = json!({"datafast_visitor_id": VISITOR, "user_id": null});
        assert!(server_identify(&identify).is_err());
        // Other identify fields are profile properties: a null one is left out.
        let identify = json!({"datafast_visitor_id": VISITOR, "user_id": "u", "plan": null});
        assert!(server_identify(&identify).unwrap().metadata.is_empty());
    }

    #[test]
    fn deletes_need_a_condition_and_whole_ranges() {
        let by_visitor = GoalDeleteQuery {
            datafast_visitor_id: Some(VISITOR.into()),
            ..GoalDeleteQuery::default()
        };
        assert!(goal_delete_filter(&by_visitor).is_ok());
        let bulk = GoalDeleteQuery {
            name: Some("signup".into()),
            ..GoalDeleteQuery::default()
        };
        assert!(goal_delete_filter(&bulk).is_err());
        let old_names = GoalDeleteQuery {
            start: Some("2023-01-01".into()),
            end: Some("2023-01-31".into()),
            ..GoalDeleteQuery::default()
        };
        let filter = goal_delete_filter(&old_names).unwrap();
        assert_eq!(filter.to.unwrap().to_string(), "2023-01-31T23:59:59.999Z");
        let half = GoalDeleteQuery {
            start_at: Some("2023-01-01".into()),
            ..GoalDeleteQuery::default()
        };
        assert!(goal_delete_filter(&half).is_err());
        let reversed = GoalDeleteQuery {
            start_at: Some("2023-02-01".into()),
            end_at: Some("2023-01-01".into()),
            ..GoalDeleteQuery::default()
        };
        assert!(goal_delete_filter(&reversed).is_err());
        let tx = PaymentDeleteQuery {
            tx_id: Some("tx_1".into()),
            start_at: Some("garbage".into()),
            ..PaymentDeleteQuery::default()
        };
        assert_eq!(
            payment_delete_filter(&tx)
                .unwrap()
                .transaction_id
                .as_deref(),
            Some("tx_1")
        );
        assert!(payment_delete_filter(&PaymentDeleteQuery::default()).is_err());
    }
}
