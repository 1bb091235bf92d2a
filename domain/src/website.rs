//! Websites and their settings: the domain, the tracking id, the time zone and currency, the
//! KPI, and the hostname, IP, path and country rules that ingestion applies. Every settable field
//! has a parser here; a `WebsiteSettings` that exists is valid.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

use crate::ValidationError;
use crate::goal::GoalName;
use crate::id::{AccountId, WebsiteId};
use crate::text;
use crate::time::TimeZoneName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website {
    pub id: WebsiteId,
    pub owner_id: AccountId,
    pub domain: Domain,
    pub tracking_id: TrackingId,
    pub created_at: Timestamp,
    pub settings: WebsiteSettings,
}

/// Everything about a website that `PUT /websites/{id}` may change, apart from the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebsiteSettings {
    pub name: String,
    pub timezone: TimeZoneName,
    pub currency: Currency,
    pub kpi: Option<GoalName>,
    pub kpi_color_scheme: ColorScheme,
    pub revenue_metric: RevenueMetric,
    pub send_weekly_reports: bool,
    pub send_viral_traffic_alerts: bool,
    pub is_public_dashboard_enabled: bool,
    pub is_public_data_enabled: bool,
    pub is_cookieless: bool,
    pub is_attack_mode_enabled: bool,
    pub include_renewal_revenue: bool,
    pub allowed_hostnames: Vec<Hostname>,
    pub is_all_hostnames_allowed: bool,
    pub excluded_ips: Vec<IpRule>,
    pub excluded_paths: Vec<PathRule>,
    pub excluded_countries: Vec<CountryCode>,
    pub excluded_hostnames: Vec<Hostname>,
}

impl WebsiteSettings {
    /// The settings of a website just created.
    pub fn new(name: String, timezone: TimeZoneName) -> Self {
        Self {
            name,
            timezone,
            currency: Currency::default(),
            kpi: None,
            kpi_color_scheme: ColorScheme::Orange,
            revenue_metric: RevenueMetric::Revenue,
            send_weekly_reports: false,
            send_viral_traffic_alerts: false,
            is_public_dashboard_enabled: false,
            is_public_data_enabled: false,
            is_cookieless: false,
            is_attack_mode_enabled: false,
            include_renewal_revenue: true,
            allowed_hostnames: Vec::new(),
            is_all_hostnames_allowed: false,
            excluded_ips: Vec::new(),
            excluded_paths: Vec::new(),
            excluded_countries: Vec::new(),
            excluded_hostnames: Vec::new(),
        }
    }
}

/// A partial update: `None` keeps a field; for `kpi`, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebsitePatch {
    pub domain: Option<Domain>,
    pub name: Option<String>,
    pub timezone: Option<TimeZoneName>,
    pub currency: Option<Currency>,
    pub kpi: Option<Option<GoalName>>,
    pub kpi_color_scheme: Option<ColorScheme>,
    pub revenue_metric: Option<RevenueMetric>,
    pub send_weekly_reports: Option<bool>,
    pub send_viral_traffic_alerts: Option<bool>,
    pub is_public_dashboard_enabled: Option<bool>,
    pub is_public_data_enabled: Option<bool>,
    pub is_cookieless: Option<bool>,
    pub is_attack_mode_enabled: Option<bool>,
    pub include_renewal_revenue: Option<bool>,
    pub allowed_hostnames: Option<Vec<Hostname>>,
    pub is_all_hostnames_allowed: Option<bool>,
    pub excluded_ips: Option<Vec<IpRule>>,
    pub excluded_paths: Option<Vec<PathRule>>,
    pub excluded_countries: Option<Vec<CountryCode>>,
    pub excluded_hostnames: Option<Vec<Hostname>>,
}

impl WebsitePatch {
    /// Applies the patch to `website` in place.
    pub fn apply_to(self, website: &mut Website) {
        let s = &mut website.settings;
        if let Some(domain) = self.domain {
            website.domain = domain;
        }
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(value) = self.$field { s.$field = value; } )* };
        }
        set!(
            name,
            timezone,
            currency,
            kpi,
            kpi_color_scheme,
            revenue_metric,
            send_weekly_reports,
            send_viral_traffic_alerts,
            is_public_dashboard_enabled,
            is_public_data_enabled,
            is_cookieless,
            is_attack_mode_enabled,
            include_renewal_revenue,
            allowed_hostnames,
            is_all_hostnames_allowed,
            excluded_ips,
            excluded_paths,
            excluded_countries,
            excluded_hostnames
        );
    }
}

/// A website's display name: 1 to 100 characters.
pub fn parse_website_name(input: &str) -> Result<String, ValidationError> {
    text::bounded("name", input, 1, 100)
}

/// The most entries any one list setting holds.
pub const MAX_LIST_ENTRIES: usize = 100;

/// Parses every entry of a list setting with `parse`, naming the entry that fails.
pub fn parse_list<T>(
    field: &str,
    items: &[String],
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<Vec<T>, ValidationError>
where
    T: PartialEq,
{
    if items.len() > MAX_LIST_ENTRIES {
        return Err(ValidationError::new(
            field,
            format!("holds at most {MAX_LIST_ENTRIES} entries"),
        ));
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let value = parse(item).map_err(|e| e.within(format!("{field}[{index}]")))?;
        if !parsed.contains(&value) {
            parsed.push(value);
        }
    }
    Ok(parsed)
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Strips what people paste around a host name: a scheme, a path, a port, a trailing dot.
fn bare_host(input: &str) -> String {
    let lowered = input.trim().to_lowercase();
    let without_scheme = lowered
        .strip_prefix("https://")
        .or_else(|| lowered.strip_prefix("http://"))
        .unwrap_or(&lowered);
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    host.trim_end_matches('.').to_owned()
}

/// A website's registrable host name (`example.com`, `app.example.co.uk`): ASCII labels,
/// at least two of them, the last alphabetic. Pasted schemes and paths are removed; a leading
/// `www.` is kept, since it is a distinct host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

impl Domain {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let host = bare_host(input);
        let labels: Vec<&str> = host.split('.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()));
        if host.len() > 253 || labels.len() < 2 || !tld_ok || !labels.iter().all(|l| valid_label(l))
        {
            return Err(ValidationError::new(
                "domain",
                "must be a domain name such as example.com (internationalised names in punycode)",
            ));
        }
        Ok(Self(host))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `host` is this domain or one of its subdomains.
    pub fn covers(&self, host: &str) -> bool {
        host == self.0
            || host
                .strip_suffix(&self.0)
                .is_some_and(|prefix| prefix.ends_with('.'))
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Domain {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Domain> for String {
    fn from(value: Domain) -> Self {
        value.0
    }
}

/// A host name in an allow or exclude list: like a domain, but single labels (`localhost`) and
/// a leading wildcard (`*.example.com`) are allowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hostname(String);

impl Hostname {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let host = bare_host(input);
        let rest = host.strip_prefix("*.").unwrap_or(&host);
        if host.len() > 253 || !rest.split('.').all(valid_label) {
            return Err(ValidationError::new(
                "hostname",
                format!(
                    "'{}' is not a host name",
                    input.chars().take(60).collect::<String>()
                ),
            ));
        }
        Ok(Self(host))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `host` matches this entry (a wildcard matches any subdomain).
    pub fn matches(&self, host: &str) -> bool {
        match self.0.strip_prefix("*.") {
            Some(base) => host
                .strip_suffix(base)
                .is_some_and(|prefix| prefix.ends_with('.')),
            None => host == self.0,
        }
    }
}

impl TryFrom<String> for Hostname {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Hostname> for String {
    fn from(value: Hostname) -> Self {
        value.0
    }
}

/// The id put in the script tag and in ingestion payloads: `dfid_` and 20 lowercase
/// alphanumerics, unique per website.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackingId(String);

impl TrackingId {
    const ALPHABET: &'static [u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

    /// Builds a tracking id from random bytes supplied by the caller.
    pub fn from_random(random: [u8; 20]) -> Self {
        let body: String = random
            .iter()
            .map(|b| Self::ALPHABET[usize::from(*b) % Self::ALPHABET.len()] as char)
            .collect();
        Self(format!("dfid_{body}"))
    }

    /// Accepts a stored or presented tracking id of the right shape.
    pub fn parse(input: &str) -> Option<Self> {
        let body = input.strip_prefix("dfid_")?;
        let ok = !body.is_empty()
            && body.len() <= 64
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 4217 currency code, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = input.trim().to_ascii_uppercase();
        match iso_currency::Currency::from_code(&code) {
            Some(_) => Ok(Self(code)),
            None => Err(ValidationError::new(
                "currency",
                "must be an ISO 4217 currency code such as USD or EUR",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The symbol analytics responses show (`$`, `€`).
    pub fn symbol(&self) -> String {
        iso_currency::Currency::from_code(&self.0)
            .map(|c| c.symbol().to_string())
            .unwrap_or_else(|| self.0.clone())
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self("USD".to_owned())
    }
}

impl TryFrom<String> for Currency {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.0
    }
}

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                match input.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)*
                    _ => Err(ValidationError::new(
                        $field,
                        format!("must be one of: {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }
    };
}

string_enum!(
    /// The colour family of a website's KPI.
    ColorScheme, "kpiColorScheme" {
        Red => "red",
        Orange => "orange",
        Yellow => "yellow",
        Green => "green",
        Purple => "purple",
        Pink => "pink",
        Gray => "gray",
        Blue => "blue",
        Teal => "teal",
        Indigo => "indigo",
    }
);

string_enum!(
    /// Which revenue figure the dashboard leads with.
    RevenueMetric, "revenueMetric" {
        Revenue => "revenue",
        Mrr => "mrr",
    }
);

/// An excluded IP: a single address or a CIDR block, kept in canonical text form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpRule {
    network: IpAddr,
    prefix: u8,
}

impl IpRule {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                "excludedIps",
                format!(
                    "'{}' is not an IP address or CIDR block",
                    input.chars().take(60).collect::<String>()
                ),
            )
        };
        let text = input.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| invalid())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(invalid)?,
            None => max,
        };
        Ok(Self { network, prefix })
    }

    /// Whether `ip` falls in this rule.
    pub fn matches(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for IpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = if self.network.is_ipv4() { 32 } else { 128 };
        if self.prefix == full {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl TryFrom<String> for IpRule {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IpRule> for String {
    fn from(value: IpRule) -> Self {
        value.to_string()
    }
}

/// An excluded path: starts with `/`, may use `*` as a wildcard, at most 256 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PathRule(String);

impl PathRule {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let path = input.trim();
        if !path.starts_with('/')
            || path.chars().count() > 256
            || path.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ValidationError::new(
                "excludedPaths",
                "each path starts with / and has no spaces (use * as a wildcard)",
            ));
        }
        Ok(Self(path.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `path` matches, with `*` matching any run of characters.
    pub fn matches(&self, path: &str) -> bool {
        wildcard_match(&self.0, path)
    }
}

impl TryFrom<String> for PathRule {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PathRule> for String {
    fn from(value: PathRule) -> Self {
        value.0
    }
}

/// Matches `text` against `pattern`, where `*` stands for any run of characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// An ISO 3166-1 alpha-2 country code, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ValidationError::new(
                "excludedCountries",
                "each country is a two-letter ISO 3166 code such as US or FR",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CountryCode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domains_are_normalised_and_checked() {
        assert_eq!(
            Domain::parse("https://Example.com/pricing")
                .unwrap()
                .as_str(),
            "example.com"
        );
        assert_eq!(
            Domain::parse("app.example.co.uk").unwrap().as_str(),
            "app.example.co.uk"
        );
        for bad in [
            "",
            "localhost",
            "exa mple.com",
            "-bad.com",
            "example.c0m",
            "ex_ample.com",
            "例え.jp",
        ] {
            assert!(Domain::parse(bad).is_err(), "{bad} should be refused");
        }
        let domain = Domain::parse("example.com").unwrap();
        assert!(domain.covers("example.com"));
        assert!(domain.covers("www.example.com"));
        assert!(!domain.covers("badexample.com"));
    }

    #[test]
    fn ip_rules_match_cidr_blocks() {
        let rule = IpRule::parse("10.1.0.0/16").unwrap();
        assert!(rule.matches("10.1.200.3".parse().unwrap()));
        assert!(!rule.matches("10.2.0.1".parse().unwrap()));
        assert_eq!(
            IpRule::parse("2001:db8::1").unwrap().to_string(),
            "2001:db8::1"
        );
        assert!(IpRule::parse("10.0.0.0/33").is_err());
        assert!(IpRule::parse("not-an-ip").is_err());
        assert!(
            IpRule::parse("0.0.0.0/0")
                .unwrap()
                .matches("8.8.8.8".parse().unwrap())
        );
    }

    #[test]
    fn wildcards_match_runs() {
        assert!(wildcard_match("/blog/*", "/blog/post"));
        assert!(wildcard_match("/a*c*e", "/abcde"));
        assert!(!wildcard_match("/a*c*e", "/abde"));
        assert!(wildcard_match("/exact", "/exact"));
        assert!(!wildcard_match("/ab*ba", "/aba"));
    }

    #[test]
    fn wildcard_hostnames_match_subdomains_only() {
        let rule = Hostname::parse("*.example.com").unwrap();
        assert!(rule.matches("app.example.com"));
        assert!(!rule.matches("example.com"));
        assert!(Hostname::parse("localhost").is_ok());
    }

    #[test]
    fn currencies_and_schemes_parse() {
        assert_eq!(Currency::parse("eur").unwrap().as_str(), "EUR");
        assert!(Currency::parse("XYZ1").is_err());
        assert_eq!(ColorScheme::parse("Green").unwrap(), ColorScheme::Green);
        assert!(ColorScheme::parse("mauve").is_err());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(input in "\\PC{0,80}") {
            let _ = Domain::parse(&input);
            let _ = Hostname::parse(&input);
            let _ = IpRule::parse(&input);
            let _ = PathRule::parse(&input);
            let _ = CountryCode::parse(&input);
            let _ = Currency::parse(&input);
        }

        #[test]
        fn parsed_domains_reparse_to_themselves(input in "[a-z]{1,10}\\.[a-z]{2,5}") {
            let domain = Domain::parse(&input).unwrap();
            prop_assert_eq!(Domain::parse(domain.as_str()).unwrap(), domain);
        }
    }
}
