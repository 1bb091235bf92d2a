//! How the Paddle fake lists: the query (comma-separated filters, date operators, `order_by`,
//! `per_page`, `include`, `after`) and the list page with `meta.pagination` and its `next` link.

use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Value, json};

use super::REQUEST_ID;
use super::time::{nanos, parse_nanos};

/// A list request's query, as pairs.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A comma-separated list parameter, `None` when absent.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<&str>> {
        Some(self.get(name)?.split(',').map(str::trim).collect())
    }

    /// Whether `value` passes the list filter `name` (any value when absent).
    pub(crate) fn allows(&self, name: &str, value: Option<&str>) -> bool {
        self.list(name)
            .is_none_or(|allowed| value.is_some_and(|v| allowed.contains(&v)))
    }

    /// `per_page`, defaulting to `default`; Paddle answers at most `max` whatever is asked.
    pub(crate) fn per_page(&self, default: usize, max: usize) -> Option<usize> {
        match self.get("per_page") {
            None => Some(default),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| n.min(max)),
        }
    }

    /// The date filter `field` (`field`, `field[LT]`, `[LTE]`, `[GT]`, `[GTE]`) on `seconds`;
    /// `Err` names a parameter that is not an RFC 3339 date-time.
    pub(crate) fn date_allows(&self, field: &str, seconds: i64) -> Result<bool, String> {
        let at = nanos(seconds);
        let mut allowed = true;
        for (key, value) in &self.0 {
            let Some(operator) = key.strip_prefix(field) else {
                continue;
            };
            let bound = parse_nanos(value).ok_or_else(|| key.clone())?;
            allowed &= match operator {
                "" => at == bound,
                "[LT]" => at < bound,
                "[LTE]" => at <= bound,
                "[GT]" => at > bound,
                "[GTE]" => at >= bound,
                _ => return Err(key.clone()),
            };
        }
        Ok(allowed)
    }

    pub(crate) fn includes(&self, entity: &str) -> bool {
        self.list("include")
            .is_some_and(|all| all.contains(&entity))
    }

    /// The query with `after` set to `id`, for the `next` link.
    pub(crate) fn after(&self, id: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .0
            .iter()
            .filter(|(key, _)| key != "after")
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        pairs.push(("after", id));
        pairs
            .iter()
            .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes what a query value may not hold as is.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `order_by` as `field[ASC]` or `field[DESC]` over one of `fields`; `id[DESC]` by default.
pub(crate) fn order_by<'q>(query: &'q Query, fields: &[&str]) -> Option<(&'q str, bool)> {
    let Some(order) = query.get("order_by") else {
        return Some(("id", true));
    };
    let (field, direction) = order.strip_suffix(']')?.split_once('[')?;
    let descending = match direction {
        "ASC" => false,
        "DESC" => true,
        _ => return None,
    };
    fields.contains(&field).then_some((field, descending))
}

/// A Paddle list: the entities after `after` in their order, at most `per_page`, and the link
/// to the page after them. An `after` naming no listed entity leaves nothing after it.
pub(crate) fn list(
    entities: &[(String, Value)],
    query: &Query,
    per_page: usize,
    request: &HttpRequest,
) -> HttpResponse {
    let start = match query.get("after") {
        None => 0,
        Some(after) => entities
            .iter()
            .position(|(id, _)| id == after)
            .map_or(entities.len(), |at| at + 1),
    };
    let rest = &entities[start..];
    let page = &rest[..per_page.min(rest.len())];
    let last = page
        .last()
        .map(|(id, _)| id.as_str())
        .or(query.get("after"))
        .unwrap_or_default();
    let info = request.connection_info();
    let next = format!(
        "{}://{}{}?{}",
        info.scheme(),
        info.host(),
        request.path(),
        query.after(last)
    );
    HttpResponse::Ok().json(json!({
        "data": page.iter().map(|(_, entity)| entity).collect::<Vec<_>>(),
        "meta": {
            "request_id": REQUEST_ID,
            "pagination": {
                "per_page": per_page,
                "next": next,
                "has_more": rest.len() > page.len(),
                "estimated_total": entities.len()
            }
        }
    }))
}
