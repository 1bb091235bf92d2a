//! The Website API's writes checked into typed values: server-side goals, payments and
//! identify (`POST /api/v1/goals`, `/payments`, `/identify`), and the delete filters of
//! `DELETE /api/v1/goals` and `/payments`. Each reads its draft, the fields as sent under one
//! name each; the wire format and its alias spellings are the HTTP adapter's.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::ValidationError;
use crate::event::GoalEventFilter;
use crate::goal::GoalName;
use crate::ingest::draft::{
    GoalDeleteDraft, GoalDraft, IdentifyDraft, MetadataDraft, PaymentDeleteDraft, PaymentDraft,
    RangeDraft, Sent,
};
use crate::ingest::extra::{MAX_IDENTIFIER, param_key};
use crate::ingest::payload::VisitorId;
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

/// A value that was sent and is not null.
fn given<'s, 'a>(sent: Option<&'s Sent<'a>>) -> Option<&'s Sent<'a>> {
    sent.filter(|v| !matches!(v, Sent::Null))
}

/// The visitor id, named `datafast_visitor_id` in errors whichever spelling carried it.
fn visitor_id(
    sent: Option<&Sent<'_>>,
    required: bool,
) -> Result<Option<VisitorId>, ValidationError> {
    let Some(value) = given(sent) else {
        return if required {
            Err(invalid("datafast_visitor_id", "is required"))
        } else {
            Ok(None)
        };
    };
    // A value that is not a string gets the same answer as a malformed string.
    VisitorId::parse_at(value.as_str().unwrap_or_default(), "datafast_visitor_id").map(Some)
}

/// A body's required visitor id.
fn required_visitor(sent: Option<&Sent<'_>>) -> Result<VisitorId, ValidationError> {
    visitor_id(sent, true)?.ok_or_else(|| invalid("datafast_visitor_id", "is required"))
}

/// A delete's optional visitor id.
fn query_visitor(id: Option<&str>) -> Result<Option<VisitorId>, ValidationError> {
    id.map(|id| VisitorId::parse_at(id, "datafast_visitor_id"))
        .transpose()
}

/// A bounded identifier field (user id, transaction id, customer id, email).
fn identifier(field: &str, sent: Option<&Sent<'_>>) -> Result<Option<String>, ValidationError> {
    let Some(value) = given(sent) else {
        return Ok(None);
    };
    let text = match value {
        Sent::Text(s) => s.trim().to_owned(),
        Sent::Number(n) => n.clone(),
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

fn flag(field: &str, sent: Option<&Sent<'_>>) -> Result<bool, ValidationError> {
    match sent {
        None | Some(Sent::Null) => Ok(false),
        Some(Sent::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(field, "must be true or false")),
    }
}

/// Metadata of a server-side goal: keys `[a-z0-9_-]` up to 64 characters, scalar values up to
/// 255 characters with markup removed. Unlike the tracker, which silently drops what it cannot
/// send, a backend gets told what is wrong.
fn goal_metadata(
    sent: Option<MetadataDraft<'_>>,
) -> Result<BTreeMap<String, String>, ValidationError> {
    let entries = match sent {
        None => return Ok(BTreeMap::new()),
        Some(MetadataDraft::NotAnObject) => return Err(invalid("metadata", "must be an object")),
        Some(MetadataDraft::Object(entries)) => entries,
    };
    if entries.len() > MAX_GOAL_METADATA {
        return Err(invalid("metadata", "must have at most 10 keys"));
    }
    let mut out = BTreeMap::new();
    for (key, value) in &entries {
        let clean_key = param_key(key).filter(|k| k == key).ok_or_else(|| {
            invalid(
                "metadata",
                "keys must be 1 to 64 characters of a-z, 0-9, _ and -",
            )
        })?;
        let text = value
            .text()
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

/// Checks a `POST /api/v1/goals` body.
///
/// # Errors
/// A missing or malformed visitor id or name, a reserved name, or invalid metadata.
pub fn server_goal(draft: GoalDraft<'_>) -> Result<ServerGoal, ValidationError> {
    let visitor_id = required_visitor(draft.visitor_id.as_ref())?;
    let name = draft
        .name
        .as_ref()
        .and_then(Sent::as_str)
        .ok_or_else(|| invalid("name", "is required"))?;
    let name = GoalName::parse_custom(name).map_err(|e| e.within("name"))?;
    let description = match &draft.description {
        None | Some(Sent::Null) => None,
        Some(Sent::Text(text)) if text.chars().count() <= MAX_DESCRIPTION => {
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
        metadata: goal_metadata(draft.metadata)?,
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

/// Checks a `POST /api/v1/payments` body; an amount of 0 is a free trial.
///
/// # Errors
/// A missing or malformed amount, currency or transaction id, or a malformed optional field.
pub fn server_payment(draft: PaymentDraft<'_>) -> Result<ServerPayment, ValidationError> {
    let transaction_id = identifier("transaction_id", draft.transaction_id.as_ref())?
        .ok_or_else(|| invalid("transaction_id", "is required"))?;
    let currency = draft
        .currency
        .as_ref()
        .and_then(Sent::as_str)
        .ok_or_else(|| invalid("currency", "is required"))
        .and_then(Currency::parse)?;
    let amount_minor = to_minor_units(amount(draft.amount.as_ref())?, &currency)?;
    let email = identifier("email", draft.email.as_ref())?;
    if let Some(email) = &email
        && !email_address::EmailAddress::is_valid(email)
    {
        return Err(invalid("email", "must be an email address"));
    }
    let name = identifier("name", draft.name.as_ref())?
        .map(|n| sanitize_value(&n))
        .filter(|n| !n.is_empty());
    let timestamp = timestamp(draft.timestamp.as_ref())?;
    Ok(ServerPayment {
        transaction_id,
        amount_minor,
        visitor_id: visitor_id(draft.visitor_id.as_ref(), false)?,
        email,
        name,
        customer_id: identifier("customer_id", draft.customer_id.as_ref())?,
        renewal: flag("renewal", draft.renewal.as_ref())?,
        refunded: flag("refunded", draft.refunded.as_ref())?,
        free_trial: flag("is_free_trial", draft.free_trial.as_ref())? || amount_minor == 0,
        currency,
        timestamp,
    })
}

/// A payment's amount: a number, which may come as text.
fn amount(sent: Option<&Sent<'_>>) -> Result<f64, ValidationError> {
    match sent {
        Some(Sent::Number(n)) => n.parse::<f64>().ok(),
        Some(Sent::Text(s)) => s.trim().parse::<f64>().ok(),
        None | Some(Sent::Null) => return Err(invalid("amount", "is required")),
        Some(_) => None,
    }
    .ok_or_else(|| invalid("amount", "must be a number"))
}

fn timestamp(sent: Option<&Sent<'_>>) -> Result<Option<Timestamp>, ValidationError> {
    match sent {
        None | Some(Sent::Null) => Ok(None),
        Some(Sent::Text(text)) => text
            .trim()
            .parse::<Timestamp>()
            .map(Some)
            .map_err(|_| invalid("timestamp", "must be an ISO 8601 timestamp")),
        Some(_) => Err(invalid("timestamp", "must be an ISO 8601 timestamp")),
    }
}

/// `POST /api/v1/identify`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerIdentify {
    pub visitor_id: VisitorId,
    pub user_id: String,
    /// Every other top-level field, as profile metadata.
    pub metadata: BTreeMap<String, String>,
}

/// Checks a `POST /api/v1/identify` body. Properties with an invalid name or a value that is
/// not a scalar are left out of the profile.
///
/// # Errors
/// A missing or malformed visitor id or user id, or too many properties.
pub fn server_identify(draft: IdentifyDraft<'_>) -> Result<ServerIdentify, ValidationError> {
    let visitor_id = required_visitor(draft.visitor_id.as_ref())?;
    let user_id = identifier("user_id", draft.user_id.as_ref())?
        .ok_or_else(|| invalid("user_id", "is required"))?;
    let mut metadata = BTreeMap::new();
    for (key, value) in &draft.properties {
        let (Some(key), Some(text)) = (param_key(key), value.text()) else {
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

/// Reads a range: both ends or neither.
fn range(draft: RangeDraft<'_>) -> Result<Option<(Timestamp, Timestamp)>, ValidationError> {
    let (start_name, end_name) = draft.names;
    match (draft.start, draft.end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) => {
            let from = parse_bound(start_name, start, false)?;
            let to = parse_bound(end_name, end, true)?;
            if from > to {
                return Err(invalid(
                    start_name,
                    "must not be after the end of the range",
                ));
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
pub fn goal_delete_filter(draft: GoalDeleteDraft<'_>) -> Result<GoalEventFilter, ValidationError> {
    let visitor = query_visitor(draft.visitor_id)?;
    let name = draft
        .name
        .map(|n| GoalName::parse(n).map_err(|e| e.within("name")))
        .transpose()?;
    let range = range(draft.range)?;
    if visitor.is_none() && range.is_none() {
        return Err(invalid(
            "startAt",
            "a delete without datafast_visitor_id needs startAt and endAt",
        ));
    }
    Ok(GoalEventFilter {
        visitor_id: visitor.map(|v| v.as_str().to_owned()),
        goal_name: name,
        from: range.map(|r| r.0),
        to: range.map(|r| r.1),
    })
}

/// Checks a payment delete: a transaction id alone, or a visitor and/or a range.
///
/// # Errors
/// Malformed values, a half range, or no condition at all.
pub fn payment_delete_filter(
    draft: PaymentDeleteDraft<'_>,
) -> Result<PaymentFilter, ValidationError> {
    if let Some(id) = draft.transaction_id {
        let id = identifier("transaction_id", Some(&Sent::Text(id.into())))?
            .ok_or_else(|| invalid("transaction_id", "must not be empty"))?;
        return Ok(PaymentFilter {
            transaction_id: Some(id),
            ..PaymentFilter::default()
        });
    }
    let visitor = query_visitor(draft.visitor_id)?;
    let range = range(draft.range)?;
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
mod tests;
