//! The JSON that clients send to ingestion and to the Website API's writes: field names, alias
//! spellings, what null means, unknown fields ignored. Each body is read here into the
//! domain's plain input, and the domain's rules check it.

pub mod events;
pub(crate) mod website_writes;
