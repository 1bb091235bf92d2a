//! Visit contexts: each distinct one stored once in `event_contexts`, keyed by a digest of
//! every field, and referenced from event rows by id.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use datafast_domain::event::{DeviceKind, VisitContext};

use crate::codec::decoded;
use crate::error::Failure;

/// The context's key in `event_contexts`: the first 8 bytes of a SHA-256 over every field,
/// each length-prefixed and marked present or absent, so distinct contexts never share an
/// encoding. A collision of two of them would need about 2^32 distinct contexts to become
/// likely, far beyond what one installation sees. The versions (added later) are hashed only
/// when one is present, so a context without them keeps the digest it was first stored under.
pub(super) fn context_digest(context: &VisitContext) -> i64 {
    let others: [Option<&str>; 6] = [
        Some(&context.browser),
        Some(&context.os),
        Some(context.device.as_str()),
        context.country.as_deref(),
        context.region.as_deref(),
        context.city.as_deref(),
    ];
    let versions = [
        context.browser_version.as_deref(),
        context.os_version.as_deref(),
    ];
    let with_versions = versions.iter().any(Option::is_some);
    let mut hasher = Sha256::new();
    // The order is part of the stored digests: acquisition, software and place, versions.
    let all = context
        .acquisition_fields()
        .into_iter()
        .chain(others)
        .chain(versions.into_iter().filter(|_| with_versions));
    for field in all {
        match field {
            None => hasher.update([0]),
            Some(text) => {
                hasher.update([1]);
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
        }
    }
    let digest = hasher.finalize();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The id of the context stored under `digest`, if any.
pub(super) fn find_context(db: &Connection, digest: i64) -> Result<Option<i64>, Failure> {
    Ok(db
        .prepare_cached("SELECT id FROM event_contexts WHERE digest = ?1")?
        .query_row([digest], |row| row.get(0))
        .optional()?)
}

/// Stores `context` under `digest` and returns its id.
pub(super) fn insert_context(
    db: &Connection,
    digest: i64,
    context: &VisitContext,
) -> Result<i64, Failure> {
    db.prepare_cached(
        "INSERT INTO event_contexts (digest, referrer, source, utm_source,
             utm_medium, utm_campaign, utm_term, utm_content, ref_param,
             source_param, via, browser, os, device, country, region, city,
             browser_version, os_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                 ?15, ?16, ?17, ?18, ?19)",
    )?
    .execute(params![
        digest,
        context.referrer,
        context.source,
        context.utm_source,
        context.utm_medium,
        context.utm_campaign,
        context.utm_term,
        context.utm_content,
        context.ref_param,
        context.source_param,
        context.via,
        context.browser,
        context.os,
        context.device.as_str(),
        context.country,
        context.region,
        context.city,
        context.browser_version,
        context.os_version,
    ])?;
    Ok(db.last_insert_rowid())
}

/// The context stored under `id`.
pub(super) fn read_context(db: &Connection, id: i64) -> Result<VisitContext, Failure> {
    let (mut context, device): (VisitContext, String) = db
        .prepare_cached(
            "SELECT referrer, source, utm_source, utm_medium, utm_campaign, utm_term,
                    utm_content, ref_param, source_param, via, browser, os, device,
                    country, region, city, browser_version, os_version
             FROM event_contexts WHERE id = ?1",
        )?
        .query_row([id], |row| {
            let context = VisitContext {
                referrer: row.get(0)?,
                source: row.get(1)?,
                utm_source: row.get(2)?,
                utm_medium: row.get(3)?,
                utm_campaign: row.get(4)?,
                utm_term: row.get(5)?,
                utm_content: row.get(6)?,
                ref_param: row.get(7)?,
                source_param: row.get(8)?,
                via: row.get(9)?,
                browser: row.get(10)?,
                browser_version: row.get(16)?,
                os: row.get(11)?,
                os_version: row.get(17)?,
                device: DeviceKind::default(),
                country: row.get(13)?,
                region: row.get(14)?,
                city: row.get(15)?,
            };
            Ok((context, row.get(12)?))
        })?;
    context.device = decoded(DeviceKind::parse(&device), "device", &device)?;
    Ok(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_change_the_digest_only_when_present() {
        let plain = VisitContext::unknown();
        let mut versioned = plain.clone();
        versioned.browser_version = Some("131.0".into());
        let mut other_version = plain.clone();
        other_version.os_version = Some("131.0".into());
        let digests = [
            context_digest(&plain),
            context_digest(&versioned),
            context_digest(&other_version),
        ];
        assert_ne!(digests[0], digests[1]);
        assert_ne!(digests[1], digests[2]);
        // Contexts stored before versions existed keep their digest (computed independently
        // from the documented encoding: 16 fields, each absent or length-prefixed).
        assert_eq!(digests[0], 3_318_979_313_007_841_890);
    }
}
