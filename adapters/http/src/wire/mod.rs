//! Every wire format of the API that is not an Account API view: the JSON bodies that clients
//! send to ingestion and to the Website API's writes (field names, alias spellings, what null
//! means; each read into the domain's plain input, which the domain's rules check), and the
//! Website API's analytics, funnel-result and visitors reads (query strings read into the
//! analytics engine's typed requests, `*_query`, and its typed results written as DataFast's
//! JSON answers, `*_answer`). The domain and the engine know none of it.

pub mod events;
pub(crate) mod website_writes;

pub(crate) mod analytics_answer;
pub(crate) mod analytics_query;
pub(crate) mod breakdown_answer;
pub(crate) mod filter_query;
pub(crate) mod query_params;
pub(crate) mod realtime_map_answer;
pub(crate) mod timeseries_answer;
pub(crate) mod visitor_answer;
pub(crate) mod visitors_query;

#[cfg(test)]
mod answer_tests;
#[cfg(test)]
mod query_tests;

use jiff::Timestamp;

use datafast_domain::time::iso_millis;

/// An instant in Unix milliseconds as the answers write it (`2026-03-02T10:00:00.000Z`).
pub(crate) fn iso(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(iso_millis)
        .unwrap_or_default()
}
