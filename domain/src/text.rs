//! Bounded free-text fields (names, subjects, messages): trimmed, length-checked in Unicode
//! characters, and otherwise stored verbatim. Markup is data here, never interpreted.

use crate::ValidationError;

/// Trims `input` and checks that it has between `min` and `max` characters.
pub fn bounded(
    field: &str,
    input: &str,
    min: usize,
    max: usize,
) -> Result<String, ValidationError> {
    let trimmed = input.trim();
    let length = trimmed.chars().count();
    if length < min {
        return Err(if min <= 1 {
            ValidationError::new(field, "must not be empty")
        } else {
            ValidationError::new(field, format!("must be at least {min} characters"))
        });
    }
    if length > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_markup_and_unicode_verbatim() {
        let value = bounded("name", "  <b>'; DROP TABLE x;--</b> ✓  ", 1, 100).unwrap();
        assert_eq!(value, "<b>'; DROP TABLE x;--</b> ✓");
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(bounded("name", &"é".repeat(80), 1, 80).is_ok());
        assert!(bounded("name", &"é".repeat(81), 1, 80).is_err());
    }

    #[test]
    fn rejects_blank_and_control_characters() {
        assert!(bounded("name", "   ", 1, 10).is_err());
        assert!(bounded("name", "a\u{0}b", 1, 10).is_err());
    }
}
