//! The Website API's write bodies (`POST /api/v1/goals`, `/payments`, `/identify`) and the
//! delete queries of `DELETE /api/v1/goals` and `/payments` as clients send them, with every
//! alias spelling the DataFast docs have used: read into the domain's drafts, whose rules
//! check them.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::{Map, Value};

use datafast_domain::ValidationError;
use datafast_domain::event::GoalEventFilter;
use datafast_domain::ingest::draft::{
    GoalDeleteDraft, GoalDraft, IdentifyDraft, MetadataDraft, PaymentDeleteDraft, PaymentDraft,
    RangeDraft, Sent, SentFields,
};
use datafast_domain::ingest::server::{
    ServerGoal, ServerIdentify, ServerPayment, goal_delete_filter, payment_delete_filter,
    server_goal, server_identify, server_payment,
};
use datafast_domain::payment::PaymentFilter;

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
/// Fields of an identify body that are not profile properties.
const IDENTIFY_OWN_FIELDS: [&str; 4] = ["user_id", "datafast_visitor_id", "visitorId", "websiteId"];

fn invalid(field: &str, message: &str) -> ValidationError {
    ValidationError::new(field, message)
}

/// The body's fields, when it is a JSON object with none of `keys` sent as null.
fn fields<'v>(body: &'v Value, keys: &[&str]) -> Result<&'v Map<String, Value>, ValidationError> {
    let Value::Object(fields) = body else {
        return Err(invalid("body", "must be a JSON object"));
    };
    match keys
        .iter()
        .find(|key| fields.get(**key).is_some_and(Value::is_null))
    {
        Some(key) => Err(invalid(key, "must not be null")),
        None => Ok(fields),
    }
}

/// A JSON value as the domain's loosely typed value, its string borrowed from the body.
fn sent(value: &Value) -> Sent<'_> {
    match value {
        Value::Null => Sent::Null,
        Value::Bool(flag) => Sent::Bool(*flag),
        Value::Number(number) => Sent::Number(number.to_string()),
        Value::String(text) => Sent::Text(Cow::Borrowed(text)),
        Value::Array(_) | Value::Object(_) => Sent::Nested,
    }
}

/// The field named `key`, or else `alias`: the first spelling wins when both are sent.
fn either<'v>(fields: &'v Map<String, Value>, key: &str, alias: &str) -> Option<Sent<'v>> {
    fields.get(key).or_else(|| fields.get(alias)).map(sent)
}

fn field<'v>(fields: &'v Map<String, Value>, key: &str) -> Option<Sent<'v>> {
    fields.get(key).map(sent)
}

/// The visitor id, `datafast_visitor_id` or its alias `visitorId`.
fn visitor<'v>(fields: &'v Map<String, Value>) -> Option<Sent<'v>> {
    either(fields, "datafast_visitor_id", "visitorId")
}

/// A goal's `metadata`: an object's fields, or a value of another kind (null is no metadata).
fn metadata(value: &Value) -> Option<MetadataDraft<'_>> {
    match value {
        Value::Null => None,
        Value::Object(entries) => Some(MetadataDraft::Object(
            entries.iter().map(|(k, v)| (k.clone(), sent(v))).collect(),
        )),
        _ => Some(MetadataDraft::NotAnObject),
    }
}

/// Reads a `POST /api/v1/goals` body.
///
/// # Errors
/// A body that is not an object or sends a field as null, then the domain's rules.
pub(crate) fn read_goal(body: &Value) -> Result<ServerGoal, ValidationError> {
    let fields = fields(body, &GOAL_FIELDS)?;
    server_goal(GoalDraft {
        visitor_id: visitor(fields),
        name: field(fields, "name"),
        description: field(fields, "description"),
        metadata: fields.get("metadata").and_then(metadata),
    })
}

/// Reads a `POST /api/v1/payments` body; `email`/`customer_email` and `name`/`customer_name`
/// are the same field (the first spelling wins).
///
/// # Errors
/// A body that is not an object or sends a field as null, then the domain's rules.
pub(crate) fn read_payment(body: &Value) -> Result<ServerPayment, ValidationError> {
    let fields = fields(body, &PAYMENT_FIELDS)?;
    server_payment(PaymentDraft {
        transaction_id: field(fields, "transaction_id"),
        amount: field(fields, "amount"),
        currency: field(fields, "currency"),
        visitor_id: visitor(fields),
        email: either(fields, "email", "customer_email"),
        name: either(fields, "name", "customer_name"),
        customer_id: field(fields, "customer_id"),
        renewal: field(fields, "renewal"),
        refunded: field(fields, "refunded"),
        free_trial: field(fields, "is_free_trial"),
        timestamp: field(fields, "timestamp"),
    })
}

/// Reads a `POST /api/v1/identify` body: every field other than the ids (and a `websiteId`)
/// is a profile property.
///
/// # Errors
/// A body that is not an object or sends an id as null, then the domain's rules.
pub(crate) fn read_identify(body: &Value) -> Result<ServerIdentify, ValidationError> {
    let fields = fields(body, &IDENTIFY_FIELDS)?;
    let properties: SentFields<'_> = fields
        .iter()
        .filter(|(key, _)| !IDENTIFY_OWN_FIELDS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), sent(value)))
        .collect();
    server_identify(IdentifyDraft {
        visitor_id: visitor(fields),
        user_id: field(fields, "user_id"),
        properties,
    })
}

/// The query of `DELETE /api/v1/goals`, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct GoalDeleteQuery {
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

/// The query of `DELETE /api/v1/payments`, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub(crate) struct PaymentDeleteQuery {
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

/// A range given as `startAt`/`endAt` or, when neither of those has a value, `start`/`end`.
fn range<'q>(
    primary: (&'q Option<String>, &'q Option<String>),
    alias: (&'q Option<String>, &'q Option<String>),
) -> RangeDraft<'q> {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
    let ((start, end), names) = if present(primary.0) || present(primary.1) {
        (primary, ("startAt", "endAt"))
    } else {
        (alias, ("start", "end"))
    };
    RangeDraft {
        start: start.as_deref(),
        end: end.as_deref(),
        names,
    }
}

/// Reads the conditions of `DELETE /api/v1/goals`.
///
/// # Errors
/// The domain's rules: malformed values, a half range, or a bulk delete without a range.
pub(crate) fn read_goal_delete(
    query: &GoalDeleteQuery,
) -> Result<GoalEventFilter, ValidationError> {
    goal_delete_filter(GoalDeleteDraft {
        visitor_id: query
            .datafast_visitor_id
            .as_deref()
            .or(query.visitor_id.as_deref()),
        name: query.name.as_deref(),
        range: range((&query.start_at, &query.end_at), (&query.start, &query.end)),
    })
}

/// Reads the conditions of `DELETE /api/v1/payments`; `tx_id` is `transaction_id`.
///
/// # Errors
/// The domain's rules: malformed values, a half range, or no condition at all.
pub(crate) fn read_payment_delete(
    query: &PaymentDeleteQuery,
) -> Result<PaymentFilter, ValidationError> {
    payment_delete_filter(PaymentDeleteDraft {
        transaction_id: query.transaction_id.as_deref().or(query.tx_id.as_deref()),
        visitor_id: query
            .datafast_visitor_id
            .as_deref()
            .or(query.visitor_id.as_deref()),
        range: range((&query.start_at, &query.end_at), (&query.start, &query.end)),
    })
}

#[cfg(test)]
mod tests;
