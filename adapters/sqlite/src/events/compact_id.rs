//! Visitor and session ids as stored: a lowercase UUID as 16 bytes, a tracker session id
//! (`s` + UUID) as 17, any other id as its text, so every id reads back exactly as written.

use rusqlite::ToSql;

use crate::error::Failure;

/// A visitor or session id as stored: 16 bytes for a lowercase UUID, a 17-byte `s` + UUID for
/// the tracker's session ids, and the text itself for anything else, so that every id reads
/// back exactly as it was written. Borrowed and fixed-size: two are made for every event
/// written, and allocating them showed in the writer's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CompactId<'a> {
    /// The first `len` bytes of the buffer.
    Bytes([u8; 17], usize),
    Text(&'a str),
}

impl CompactId<'_> {
    pub(super) fn value(&self) -> rusqlite::types::ValueRef<'_> {
        match self {
            CompactId::Bytes(bytes, len) => rusqlite::types::ValueRef::Blob(&bytes[..*len]),
            CompactId::Text(text) => rusqlite::types::ValueRef::Text(text.as_bytes()),
        }
    }
}

impl ToSql for CompactId<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(self.value()))
    }
}

/// Where each byte of a UUID starts in its hyphenated text.
const UUID_BYTE_AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// Each byte's value as a lowercase hexadecimal digit, or `NOT_HEX`: uppercase UUIDs are kept
/// as text, so that they read back as they were written.
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut digit = 0;
    while digit < 16 {
        table[b"0123456789abcdef"[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};
const NOT_HEX: u8 = 0xff;

/// The 16 bytes of a lowercase hyphenated UUID, or `None` for any other text. Reads each
/// byte's two digits at their fixed place through a table, and checks them all at once: this
/// runs for two ids of every event written.
fn uuid_bytes(text: &str) -> Option<[u8; 16]> {
    let bytes: &[u8; 36] = text.as_bytes().try_into().ok()?;
    if [8, 13, 18, 23].iter().any(|&i| bytes[i] != b'-') {
        return None;
    }
    let mut out = [0_u8; 16];
    let mut any_not_hex = 0;
    for (byte, at) in out.iter_mut().zip(UUID_BYTE_AT) {
        let high = HEX_VALUE[usize::from(bytes[at])];
        let low = HEX_VALUE[usize::from(bytes[at + 1])];
        any_not_hex |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (any_not_hex & 0xf0 == 0).then_some(out)
}

/// The lowercase hyphenated text of a 16-byte UUID. Each group is encoded straight into its
/// place in one buffer: this runs for two ids of every event read, and formatting through
/// `format!` was an eighth of the time to build the analytics index at start.
fn uuid_text(bytes: &[u8]) -> Result<String, Failure> {
    const GROUPS: [(usize, usize, usize); 5] =
        [(0, 4, 0), (4, 6, 9), (6, 8, 14), (8, 10, 19), (10, 16, 24)];
    let mut text = [b'-'; 36];
    for (from, to, at) in GROUPS {
        let (Some(group), Some(place)) =
            (bytes.get(from..to), text.get_mut(at..at + 2 * (to - from)))
        else {
            return Err(Failure::Corrupt(format!("a UUID of {} bytes", bytes.len())));
        };
        hex::encode_to_slice(group, place)
            .map_err(|e| Failure::Corrupt(format!("UUID bytes: {e}")))?;
    }
    String::from_utf8(text.to_vec()).map_err(|_| Failure::Corrupt("UUID text".to_owned()))
}

/// The marker byte of an `s` + UUID session id.
const SESSION_MARK: u8 = b's';

/// How `id` is stored.
pub(super) fn compact(id: &str) -> CompactId<'_> {
    let mut out = [0_u8; 17];
    if let Some(bytes) = uuid_bytes(id) {
        out[..16].copy_from_slice(&bytes);
        return CompactId::Bytes(out, 16);
    }
    if let Some(bytes) = id.strip_prefix('s').and_then(uuid_bytes) {
        out[0] = SESSION_MARK;
        out[1..].copy_from_slice(&bytes);
        return CompactId::Bytes(out, 17);
    }
    CompactId::Text(id)
}

/// The id a stored `visitor` or `session` column holds.
pub(super) fn expand(value: rusqlite::types::ValueRef<'_>) -> Result<String, Failure> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Text(text) => String::from_utf8(text.to_vec())
            .map_err(|_| Failure::Corrupt("id is not UTF-8".to_owned())),
        ValueRef::Blob(bytes) if bytes.len() == 16 => uuid_text(bytes),
        ValueRef::Blob(bytes) if bytes.len() == 17 && bytes[0] == SESSION_MARK => {
            let mut session = String::with_capacity(37);
            session.push('s');
            session.push_str(&uuid_text(&bytes[1..])?);
            Ok(session)
        }
        other => Err(Failure::Corrupt(format!("id column holds {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_id_reads_back_exactly(id in ".{0,40}") {
            proptest::prop_assert_eq!(expand(compact(&id).value()).unwrap(), id);
        }

        #[test]
        fn every_lowercase_uuid_is_stored_as_bytes(bytes in proptest::array::uniform16(0_u8..)) {
            let id = uuid_text(&bytes).unwrap();
            proptest::prop_assert_eq!(uuid_bytes(&id), Some(bytes));
            let session = format!("s{id}");
            proptest::prop_assert!(matches!(compact(&session), CompactId::Bytes(_, 17)));
            proptest::prop_assert_eq!(expand(compact(&session).value()).unwrap(), session);
        }
    }

    #[test]
    fn compact_ids_read_back_exactly() {
        for id in [
            "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
            "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
            "0C424A08-3676-4E3A-A7E0-4AC419BB8C6C",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8c6g",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8cC6",
            "visitor-1",
            "",
            "s",
            "session-0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
        ] {
            assert_eq!(expand(compact(id).value()).unwrap(), id);
        }
        assert!(matches!(
            compact("0c424a08-3676-4e3a-a7e0-4ac419bb8c6c"),
            CompactId::Bytes(_, 16)
        ));
        assert!(matches!(
            compact("s0c424a08-3676-4e3a-a7e0-4ac419bb8c6c"),
            CompactId::Bytes(_, 17)
        ));
        for not_lowercase_hex in [
            "0C424A08-3676-4E3A-A7E0-4AC419BB8C6C",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8c6g",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8cC6",
        ] {
            assert!(matches!(compact(not_lowercase_hex), CompactId::Text(_)));
        }
    }
}
