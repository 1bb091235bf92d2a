//! How the Lemon Squeezy fake lists: the query (`page[number]`, `page[size]`, `filter[…]`,
//! `include`), the store a key's records belong to, and the JSON:API list page with
//! `meta.page` and `links`.

use actix_web::HttpResponse;
use serde_json::{Value, json};

use super::{CONTENT_TYPE, error};
use crate::list::numbered;
use crate::server::{Account, FakePayment, Shared, held};

/// Marks a query as Lemon Squeezy's.
#[derive(Debug)]
pub(crate) enum LemonSqueezy {}

/// A list request's query: `filter[…]`, `page[…]` and `include`.
pub(crate) type Query = crate::list::Query<LemonSqueezy>;

impl Query {
    /// `filter[name]`.
    pub(crate) fn filter(&self, name: &str) -> Option<&str> {
        self.get(&format!("filter[{name}]"))
    }

    /// `page[number]` from 1, and `page[size]` from 1 to 100 (10 by default); `None` when one
    /// is not a number.
    pub(crate) fn page(&self) -> Option<(usize, usize)> {
        let number = self.count("page[number]", 1)?.max(1);
        let size = self.count("page[size]", 10)?.clamp(1, 100);
        Some((number, size))
    }
}

/// The store the listed records belong to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Store {
    pub(crate) id: i64,
    pub(crate) test_mode: bool,
}

/// The store whose records a list shows: the one `filter[store_id]` names, if the key sees it
/// (else none), or the key's own.
pub(crate) fn listed_store(account: &Account, query: &Query) -> Option<Store> {
    let id = match query.filter("store_id") {
        Some(id) if !account.sees(id) => return None,
        Some(id) => id,
        None => account.scope.as_deref().unwrap_or("1"),
    };
    Some(Store {
        id: id.parse().unwrap_or(1),
        test_mode: account.test_mode,
    })
}

/// The held payments, newest first, as Lemon Squeezy lists.
pub(crate) fn newest_first(state: &Shared) -> Vec<FakePayment> {
    let mut payments = held(state, |_| true);
    payments.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
    payments
}

/// A JSON:API list: the page `query` asks for of `records`, with `meta.page` and `links`, and
/// `included` beside them when given.
pub(crate) fn list<T>(
    records: &[T],
    query: &Query,
    kind: &str,
    render: impl Fn(&[T]) -> (Vec<Value>, Option<Vec<Value>>),
) -> HttpResponse {
    let Some((number, size)) = query.page() else {
        return error(400, "Bad Request", "The page parameters must be integers.");
    };
    let total = records.len();
    let last = total.div_ceil(size).max(1);
    let shown = numbered(total, number, size);
    let (data, included) = render(&records[shown.clone()]);
    let shown = (!shown.is_empty()).then_some((shown.start + 1, shown.end));
    let mut body = json!({
        "meta": {"page": {
            "currentPage": number, "from": shown.map(|s| s.0), "lastPage": last,
            "perPage": size, "to": shown.map(|s| s.1), "total": total
        }},
        "jsonapi": {"version": "1.0"},
        "links": links(kind, number, last, size),
        "data": data
    });
    if let Some(included) = included {
        body["included"] = json!(included);
    }
    HttpResponse::Ok().content_type(CONTENT_TYPE).json(body)
}

/// The links to the first and last pages of `size`, and to those either side of `number`.
fn links(kind: &str, number: usize, last: usize, size: usize) -> Value {
    let link = |page: usize| {
        format!(
            "https://api.lemonsqueezy.com/v1/{kind}?page%5Bnumber%5D={page}&page%5Bsize%5D={size}&sort=-createdAt"
        )
    };
    let mut links = json!({"first": link(1), "last": link(last)});
    if number < last {
        links["next"] = json!(link(number + 1));
    }
    if number > 1 {
        links["prev"] = json!(link(number - 1));
    }
    links
}
