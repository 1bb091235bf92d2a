//! Cleaning of free text that visitors' browsers send (custom event parameters, link texts):
//! the same removals the tracking script makes, applied again on the server because any
//! client can post to the endpoint.

/// The longest value kept, in characters, as the script and SDK cut them.
pub const MAX_VALUE_CHARS: usize = 255;

/// How much of a raw value is looked at before cleaning: enough for any legitimate value, and
/// a bound on the work done for hostile input.
const MAX_RAW_CHARS: usize = 2048;

/// Schemes that would turn a value into script or inline content if it were ever rendered as
/// a link.
const SCHEMES: [&str; 3] = ["javascript:", "data:", "vbscript:"];

/// Removes `<>'"&`, control characters, `javascript:`, `data:`, `vbscript:` and `on...=`
/// (any case), trims, and cuts to 255 characters.
///
/// Removal repeats until nothing changes, since removing one piece can join the text around
/// it into a new one (`javajavascript:script:`).
pub fn sanitize_value(input: &str) -> String {
    // Printable ASCII without markup characters, the usual value, loses nothing to the
    // filter below: one copy instead of a character-by-character rebuild.
    let plain = input.len() <= MAX_RAW_CHARS
        && input
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'<' | b'>' | b'\'' | b'"' | b'&'));
    let mut text: String = if plain {
        input.to_owned()
    } else {
        input
            .chars()
            .take(MAX_RAW_CHARS)
            .filter(|c| !matches!(c, '<' | '>' | '\'' | '"' | '&') && !c.is_control())
            .collect()
    };
    while let Some(range) = find_dangerous(&text) {
        text.replace_range(range, "");
    }
    // At most 255 bytes is at most 255 characters: nothing to trim or cut, keep the buffer.
    if text.len() <= MAX_VALUE_CHARS && text.trim().len() == text.len() {
        return text;
    }
    text.trim().chars().take(MAX_VALUE_CHARS).collect()
}

/// Whether a value still contains anything `sanitize_value` removes.
pub fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| matches!(c, '<' | '>' | '\'' | '"' | '&') || c.is_control())
        && find_dangerous(text).is_none()
}

/// The byte range of the first scheme or `on<letters>=` handler in `text`, case-insensitive.
fn find_dangerous(text: &str) -> Option<std::ops::Range<usize>> {
    // Every scheme ends in `:` and every handler in `=`: most values have neither, and need
    // no lowercased copy and no searching.
    if !text.bytes().any(|b| b == b':' || b == b'=') {
        return None;
    }
    // ASCII lowercasing keeps every byte offset, so ranges found in `lower` apply to `text`.
    let lower = text.to_ascii_lowercase();
    let scheme = SCHEMES
        .iter()
        .filter_map(|s| lower.find(s).map(|at| at..at + s.len()))
        .min_by_key(|r| r.start);
    let handler = find_handler(lower.as_bytes());
    match (scheme, handler) {
        (Some(a), Some(b)) => Some(if a.start <= b.start { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Finds `on`, one or more word characters (`\w`, as the script's pattern), optional spaces,
/// then `=`: an inline event handler.
fn find_handler(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let mut start = 0;
    while start + 1 < bytes.len() {
        if bytes[start] == b'o' && bytes[start + 1] == b'n' {
            let mut end = start + 2;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            let letters = end - (start + 2);
            while end < bytes.len() && bytes[end] == b' ' {
                end += 1;
            }
            if letters > 0 && end < bytes.len() && bytes[end] == b'=' {
                return Some(start..end + 1);
            }
        }
        start += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_schemes_are_removed() {
        assert_eq!(
            sanitize_value("<script>alert(1)</script>"),
            "scriptalert(1)/script"
        );
        assert_eq!(sanitize_value("JavaScript:alert(1)"), "alert(1)");
        assert_eq!(sanitize_value("javajavascript:script:x"), "x");
        assert_eq!(sanitize_value("java<script:x"), "x");
        assert_eq!(sanitize_value("img onerror=alert(1)"), "img alert(1)");
        assert_eq!(sanitize_value("x ONLOAD = y"), "x  y");
        assert_eq!(sanitize_value("a on_click1=b"), "a b");
        assert_eq!(sanitize_value("data:text/html,hi"), "text/html,hi");
        assert_eq!(sanitize_value("VBScript:msgbox"), "msgbox");
        assert_eq!(sanitize_value("Tom & \"Jerry\""), "Tom  Jerry");
    }

    #[test]
    fn ordinary_values_are_kept() {
        assert_eq!(sanitize_value("pro"), "pro");
        assert_eq!(sanitize_value("  3 seats "), "3 seats");
        assert_eq!(sanitize_value("online"), "online");
        assert_eq!(sanitize_value("é–ü"), "é–ü");
    }

    #[test]
    fn values_are_cut_to_255_characters() {
        let long = "é".repeat(1000);
        assert_eq!(sanitize_value(&long).chars().count(), MAX_VALUE_CHARS);
    }

    #[test]
    fn cleanliness_check_agrees() {
        assert!(is_clean("plain"));
        assert!(!is_clean("a<b"));
        assert!(!is_clean("javascript:x"));
        assert!(!is_clean("onclick=x"));
    }
}
