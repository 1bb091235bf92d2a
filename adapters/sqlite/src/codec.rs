//! Conversions between column values and domain types: ids as 24-hex text, instants as integer
//! milliseconds since the epoch, and the few helpers every store module uses to read rows.

use std::str::FromStr;

use jiff::Timestamp;
use rusqlite::{Row, Rows};

use crate::error::Failure;

/// Instants are kept to the millisecond: the precision the API shows.
pub(crate) fn millis(instant: Timestamp) -> i64 {
    instant.as_millisecond()
}

pub(crate) fn instant(millis: i64) -> Result<Timestamp, Failure> {
    Timestamp::from_millisecond(millis)
        .map_err(|error| Failure::Corrupt(format!("instant {millis}: {error}")))
}

/// Counts and limits cross the SQL boundary as i64; a limit beyond i64 means "no limit".
pub(crate) fn sql_count(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

pub(crate) fn count_of(value: i64) -> Result<u64, Failure> {
    u64::try_from(value).map_err(|_| Failure::Corrupt(format!("negative count {value}")))
}

/// Typed access to one row's columns, decoding into domain types.
pub(crate) trait RowExt {
    fn text(&self, column: usize) -> Result<String, Failure>;
    fn optional_text(&self, column: usize) -> Result<Option<String>, Failure>;
    fn parsed<T: FromStr>(&self, column: usize) -> Result<T, Failure>;
    fn optional_parsed<T: FromStr>(&self, column: usize) -> Result<Option<T>, Failure>;
    fn instant(&self, column: usize) -> Result<Timestamp, Failure>;
    fn optional_instant(&self, column: usize) -> Result<Option<Timestamp>, Failure>;
    fn flag(&self, column: usize) -> Result<bool, Failure>;
}

impl RowExt for Row<'_> {
    fn text(&self, column: usize) -> Result<String, Failure> {
        Ok(self.get(column)?)
    }

    fn optional_text(&self, column: usize) -> Result<Option<String>, Failure> {
        Ok(self.get(column)?)
    }

    fn parsed<T: FromStr>(&self, column: usize) -> Result<T, Failure> {
        let text: String = self.get(column)?;
        text.parse()
            .map_err(|_| Failure::Corrupt(format!("column {column} holds {text:?}")))
    }

    fn optional_parsed<T: FromStr>(&self, column: usize) -> Result<Option<T>, Failure> {
        match self.get::<_, Option<String>>(column)? {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| Failure::Corrupt(format!("column {column} holds {text:?}"))),
        }
    }

    fn instant(&self, column: usize) -> Result<Timestamp, Failure> {
        instant(self.get(column)?)
    }

    fn optional_instant(&self, column: usize) -> Result<Option<Timestamp>, Failure> {
        self.get::<_, Option<i64>>(column)?.map(instant).transpose()
    }

    fn flag(&self, column: usize) -> Result<bool, Failure> {
        Ok(self.get(column)?)
    }
}

/// Decodes every row.
pub(crate) fn all<T>(
    mut rows: Rows<'_>,
    decode: impl Fn(&Row<'_>) -> Result<T, Failure>,
) -> Result<Vec<T>, Failure> {
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Decodes the first row, if there is one.
pub(crate) fn first<T>(
    mut rows: Rows<'_>,
    decode: impl Fn(&Row<'_>) -> Result<T, Failure>,
) -> Result<Option<T>, Failure> {
    rows.next()?.map(decode).transpose()
}

/// Parses a stored value with a domain parser that returns `Option`.
pub(crate) fn decoded<T>(value: Option<T>, what: &str, text: &str) -> Result<T, Failure> {
    value.ok_or_else(|| Failure::Corrupt(format!("{what} {text:?}")))
}
