//! How the Paddle fake lists: the query (comma-separated filters, date operators, `order_by`,
//! `per_page`, `include`, `after`) and the list page with `meta.pagination` and its `next` link.

use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::REQUEST_ID;
use crate::list::{page_from, past};
use crate::time::{nanos, parse_nanos};

/// Marks a query as Paddle's.
#[derive(Debug)]
pub(crate) enum Paddle {}

/// A list request's query: filters as comma-separated lists, dates with operators.
pub(crate) type Query = crate::list::Query<Paddle>;

impl Query {
    /// Whether `value` passes the list filter `name` (any value when absent).
    pub(crate) fn allows(&self, name: &str, value: Option<&str>) -> bool {
        self.list(name)
            .is_none_or(|allowed| value.is_some_and(|v| allowed.contains(&v)))
    }

    /// `per_page`, defaulting to `default`; Paddle answers at most `max` whatever is asked.
    pub(crate) fn per_page(&self, default: usize, max: usize) -> Option<usize> {
        self.count("per_page", default)
            .filter(|n| *n > 0)
            .map(|n| n.min(max))
    }

    /// The date filter `field` (`field`, `field[LT]`, `[LTE]`, `[GT]`, `[GTE]`) on `seconds`;
    /// `Err` names a parameter that is not an RFC 3339 date-time.
    pub(crate) fn date_allows(&self, field: &str, seconds: i64) -> Result<bool, String> {
        let at = nanos(seconds);
        let mut allowed = true;
        for (key, value) in self.pairs() {
            let Some(operator) = key.strip_prefix(field) else {
                continue;
            };
            let bound = parse_nanos(value).ok_or_else(|| key.to_owned())?;
            allowed &= match operator {
                "" => at == bound,
                "[LT]" => at < bound,
                "[LTE]" => at <= bound,
                "[GT]" => at > bound,
                "[GTE]" => at >= bound,
                _ => return Err(key.to_owned()),
            };
        }
        Ok(allowed)
    }

    /// The query with `after` set to `id`, for the `next` link.
    pub(crate) fn after(&self, id: &str) -> String {
        let mut pairs: Vec<(&str, &str)> =
            self.pairs().filter(|(key, _)| *key != "after").collect();
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
        Some(after) => past(entities, after).unwrap_or(entities.len()),
    };
    let (page, has_more) = page_from(entities, start, per_page);
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
                "has_more": has_more,
                "estimated_total": entities.len()
            }
        }
    }))
}
