//! Browser and operating-system names as DataFast shows them. Ingestion stores what the user
//! agent parser (woothee) says (`Mac OSX`, `Windows 10`, `iPhone`, ...); the index shows the
//! names DataFast's answers use (`Mac OS`, `Windows`, `iOS`, `Mobile Safari`, ...), so stored
//! rows of any age read the same, and filters take the shown names.

/// The operating system's shown name for a stored one.
pub fn os_name(stored: &str) -> &str {
    match stored {
        "Mac OSX" => "Mac OS",
        "iPhone" | "iPad" | "iPod" => "iOS",
        "ChromeOS" => "Chrome OS",
        "Windows Phone OS" => "Windows Phone",
        "BlackBerry 10" => "BlackBerry",
        windows if windows.starts_with("Windows ") => "Windows",
        other => other,
    }
}

/// The operating system's shown version: the one in the stored name for Windows (`Windows 10`
/// shows `10`, where the parser's version says `NT 10.0`), the stored version otherwise.
pub fn os_version<'a>(stored_os: &'a str, stored_version: Option<&'a str>) -> Option<&'a str> {
    match stored_os.strip_prefix("Windows ") {
        Some(release) if release != "UNKNOWN Ver" && release != "Phone OS" => Some(release),
        _ => stored_version,
    }
}

/// The browser's shown name for a stored one; Safari on an Apple phone or tablet is
/// `Mobile Safari`, as DataFast tells them apart (and its Safari filter takes both).
pub fn browser_name<'a>(stored: &'a str, stored_os: &str) -> &'a str {
    match stored {
        "Safari" if matches!(stored_os, "iPhone" | "iPad" | "iPod" | "iOS") => "Mobile Safari",
        "Internet Explorer" => "IE",
        "SamsungBrowser" => "Samsung Internet",
        "Yandex Browser" => "Yandex",
        "Webview" => "WebView",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_parser_names_show_as_datafast_names() {
        assert_eq!(os_name("Mac OSX"), "Mac OS");
        assert_eq!(os_name("Windows 10"), "Windows");
        assert_eq!(os_name("Windows UNKNOWN Ver"), "Windows");
        assert_eq!(os_name("Windows Phone OS"), "Windows Phone");
        assert_eq!(os_name("iPhone"), "iOS");
        assert_eq!(os_name("iPad"), "iOS");
        assert_eq!(os_name("ChromeOS"), "Chrome OS");
        assert_eq!(os_name("Android"), "Android");
        assert_eq!(os_name("Linux"), "Linux");
        assert_eq!(os_name("Unknown"), "Unknown");
        assert_eq!(browser_name("Safari", "iPhone"), "Mobile Safari");
        assert_eq!(browser_name("Safari", "Mac OSX"), "Safari");
        assert_eq!(browser_name("Internet Explorer", "Windows 7"), "IE");
        assert_eq!(browser_name("Chrome", "Android"), "Chrome");
        assert_eq!(browser_name("App", "iOS"), "App");
        assert_eq!(os_version("Windows 10", Some("NT 10.0")), Some("10"));
        assert_eq!(os_version("Windows 8.1", None), Some("8.1"));
        assert_eq!(
            os_version("Windows UNKNOWN Ver", Some("NT 11.0")),
            Some("NT 11.0")
        );
        assert_eq!(os_version("Mac OSX", Some("10.15.7")), Some("10.15.7"));
        assert_eq!(os_version("Linux", None), None);
    }

    #[test]
    fn shown_names_are_left_as_they_are() {
        for os in ["Mac OS", "Windows", "iOS", "Chrome OS", "Android"] {
            assert_eq!(os_name(os), os);
        }
        for browser in ["Mobile Safari", "Chrome", "Firefox", "Edge", "IE"] {
            assert_eq!(browser_name(browser, "iOS"), browser);
        }
    }
}
