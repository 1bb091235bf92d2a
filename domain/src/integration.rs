//! Payment-provider integrations: which providers exist, what a connect request must look like,
//! what a provider says about the account a credential opens, and the status the API shows.
//! Credentials are checked for form here; the payment-provider port checks them live, the vault
//! port encrypts them, and they are never shown again.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;
use crate::provider_payment::SyncState;
use crate::website::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    Stripe,
    LemonSqueezy,
    Polar,
    Paddle,
    Shopify,
    WooCommerce,
}

impl Provider {
    pub const ALL: &'static [Provider] = &[
        Provider::Stripe,
        Provider::LemonSqueezy,
        Provider::Polar,
        Provider::Paddle,
        Provider::Shopify,
        Provider::WooCommerce,
    ];

    /// The path segment and status key.
    pub fn slug(self) -> &'static str {
        match self {
            Provider::Stripe => "stripe",
            Provider::LemonSqueezy => "lemonsqueezy",
            Provider::Polar => "polar",
            Provider::Paddle => "paddle",
            Provider::Shopify => "shopify",
            Provider::WooCommerce => "woocommerce",
        }
    }

    /// The name used in messages.
    pub fn title(self) -> &'static str {
        match self {
            Provider::Stripe => "Stripe",
            Provider::LemonSqueezy => "Lemon Squeezy",
            Provider::Polar => "Polar",
            Provider::Paddle => "Paddle",
            Provider::Shopify => "Shopify",
            Provider::WooCommerce => "WooCommerce",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.slug() == slug)
    }

    /// Shopify and WooCommerce connect through their own install flows, never through the API.
    pub fn connects_through_api(self) -> bool {
        !matches!(self, Provider::Shopify | Provider::WooCommerce)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// Provider credentials, checked for form. Serialized only to be sealed by the vault.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum ProviderCredentials {
    Stripe {
        restricted_key: String,
    },
    #[serde(rename = "lemonsqueezy")]
    LemonSqueezy {
        api_key: String,
        store_id: String,
    },
    Polar {
        access_token: String,
        organization_id: String,
    },
    Paddle {
        api_key: String,
    },
}

impl fmt::Debug for ProviderCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderCredentials({}, <redacted>)", self.provider())
    }
}

/// A credential as sent: trimmed, and printable ASCII only, since it travels to the provider
/// in an HTTP header (no provider issues any other kind).
fn secret_text(field: &str, input: &str, max: usize) -> Result<String, ValidationError> {
    let value = input.trim();
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ValidationError::new(field, "is missing or malformed"));
    }
    Ok(value.to_owned())
}

impl ProviderCredentials {
    pub fn provider(&self) -> Provider {
        match self {
            ProviderCredentials::Stripe { .. } => Provider::Stripe,
            ProviderCredentials::LemonSqueezy { .. } => Provider::LemonSqueezy,
            ProviderCredentials::Polar { .. } => Provider::Polar,
            ProviderCredentials::Paddle { .. } => Provider::Paddle,
        }
    }

    /// The request field the credential came in, for messages about it.
    pub fn credential_field(&self) -> &'static str {
        match self {
            ProviderCredentials::Stripe { .. } => "stripeRak",
            ProviderCredentials::LemonSqueezy { .. } => "lemonsqueezyApiKey",
            ProviderCredentials::Polar { .. } => "polarAccessToken",
            ProviderCredentials::Paddle { .. } => "paddleApiKey",
        }
    }

    /// Whether the credential's own form says it is for the provider's test mode or sandbox
    /// (Stripe `rk_test_`, Paddle `pdl_sdbx_`). Lemon Squeezy and Polar keys do not say; the
    /// provider's answer to the credential check does ([`AccountFacts::test_mode`]).
    pub fn is_test_key(&self) -> bool {
        match self {
            ProviderCredentials::Stripe { restricted_key } => {
                restricted_key.starts_with("rk_test_")
            }
            ProviderCredentials::Paddle { api_key } => api_key.starts_with("pdl_sdbx_"),
            ProviderCredentials::LemonSqueezy { .. } | ProviderCredentials::Polar { .. } => false,
        }
    }

    /// A Stripe restricted key (`rk_live_…` or `rk_test_…`); secret and publishable keys are
    /// refused, since this product needs read access only.
    pub fn stripe(restricted_key: &str) -> Result<Self, ValidationError> {
        let key = secret_text("stripeRak", restricted_key, 512)?;
        if key.starts_with("sk_") || key.starts_with("pk_") {
            return Err(ValidationError::new(
                "stripeRak",
                "must be a restricted key (rk_live_... or rk_test_...), not a secret or publishable key",
            ));
        }
        let body = key
            .strip_prefix("rk_live_")
            .or_else(|| key.strip_prefix("rk_test_"));
        if !body.is_some_and(|b| b.len() >= 8 && b.bytes().all(|c| c.is_ascii_alphanumeric())) {
            return Err(ValidationError::new(
                "stripeRak",
                "must be a restricted key (rk_live_... or rk_test_...)",
            ));
        }
        Ok(ProviderCredentials::Stripe {
            restricted_key: key,
        })
    }

    /// A Lemon Squeezy API key and the numeric id of the store.
    pub fn lemon_squeezy(api_key: &str, store_id: &str) -> Result<Self, ValidationError> {
        let api_key = secret_text("lemonsqueezyApiKey", api_key, 4096)?;
        let store_id = store_id.trim();
        if store_id.is_empty()
            || store_id.len() > 20
            || !store_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ValidationError::new(
                "lemonsqueezyStoreId",
                "must be the numeric id of your store",
            ));
        }
        Ok(ProviderCredentials::LemonSqueezy {
            api_key,
            store_id: store_id.to_owned(),
        })
    }

    /// A Polar organization access token and the organization's UUID.
    pub fn polar(access_token: &str, organization_id: &str) -> Result<Self, ValidationError> {
        let access_token = secret_text("polarAccessToken", access_token, 1024)?;
        let org = organization_id.trim().to_ascii_lowercase();
        let groups: Vec<&str> = org.split('-').collect();
        let uuid_shape = groups.len() == 5
            && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups
                .iter()
                .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
        if !uuid_shape {
            return Err(ValidationError::new(
                "polarOrgId",
                "must be your Polar organization id (a UUID)",
            ));
        }
        Ok(ProviderCredentials::Polar {
            access_token,
            organization_id: org,
        })
    }

    /// A Paddle Billing API key (`pdl_live_…` or `pdl_sdbx_…`).
    pub fn paddle(api_key: &str) -> Result<Self, ValidationError> {
        let key = secret_text("paddleApiKey", api_key, 512)?;
        if !(key.starts_with("pdl_live_") || key.starts_with("pdl_sdbx_")) || key.len() < 20 {
            return Err(ValidationError::new(
                "paddleApiKey",
                "must be a Paddle API key (pdl_live_... or pdl_sdbx_...)",
            ));
        }
        Ok(ProviderCredentials::Paddle { api_key: key })
    }
}

/// A webhook signing secret, checked for form: the provider shows it once when the user adds
/// our webhook URL at the provider, and the user hands it to us. Sealed at rest like the
/// credentials; never shown again.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    provider: Provider,
    secret: String,
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecret({}, <redacted>)", self.provider)
    }
}

impl WebhookSecret {
    /// The request field a secret comes in.
    pub const FIELD: &'static str = "signingSecret";

    /// `input` as `provider`'s signing secret: Stripe's start `whsec_`, Paddle's
    /// `pdl_ntfset_`; Lemon Squeezy's is whatever the user typed at the provider (6 to 40
    /// characters there), Polar's whatever Polar generated.
    pub fn parse(provider: Provider, input: &str) -> Result<Self, ValidationError> {
        if !provider.connects_through_api() {
            return Err(ValidationError::new(
                "provider",
                format!("{} webhooks are not supported", provider.title()),
            ));
        }
        let secret = secret_text(Self::FIELD, input, 512)?;
        let prefix = match provider {
            Provider::Stripe => Some("whsec_"),
            Provider::Paddle => Some("pdl_ntfset_"),
            _ => None,
        };
        if let Some(prefix) = prefix.filter(|p| !secret.starts_with(p)) {
            return Err(ValidationError::new(
                Self::FIELD,
                format!(
                    "must be the {} webhook signing secret ({prefix}...)",
                    provider.title()
                ),
            ));
        }
        if secret.len() < 6 {
            return Err(ValidationError::new(Self::FIELD, "is too short"));
        }
        Ok(Self { provider, secret })
    }

    /// The secret as stored bytes, opened from the vault: refuses bytes that are not a secret
    /// of `provider`.
    pub fn from_opened(provider: Provider, bytes: &[u8]) -> Result<Self, ValidationError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| ValidationError::new(Self::FIELD, "is not text"))?;
        Self::parse(provider, text)
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The secret itself, for the vault and for checking one delivery.
    pub fn expose(&self) -> &str {
        &self.secret
    }
}

/// What a provider says about the account a credential opens, when the credential is checked
/// before it is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    /// The account's, store's or organisation's name, when the provider gives one.
    pub name: Option<String>,
    /// The account's default or settlement currency, when the provider gives one.
    pub currency: Option<Currency>,
    /// The provider reports the credential as one of its test mode or sandbox.
    pub test_mode: bool,
}

/// A stored connection: the sealed credentials (opaque bytes from the vault), when it was made,
/// and how far its revenue import has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub provider: Provider,
    pub sealed_credentials: Vec<u8>,
    pub connected_at: Timestamp,
    pub key_expires_at: Option<Timestamp>,
    pub sync: SyncState,
    /// The webhook signing secret, sealed as the credentials are; `None` until the user sets
    /// one, and polling alone brings the revenue in.
    pub sealed_webhook_secret: Option<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_secrets_have_their_providers_form() {
        let stripe = WebhookSecret::parse(Provider::Stripe, " whsec_abc123XYZ ").unwrap();
        assert_eq!(stripe.expose(), "whsec_abc123XYZ");
        assert!(!format!("{stripe:?}").contains("abc123"), "never printed");
        assert!(WebhookSecret::parse(Provider::Stripe, "rk_live_abc123").is_err());
        assert!(WebhookSecret::parse(Provider::Paddle, "pdl_ntfset_01abc").is_ok());
        assert!(WebhookSecret::parse(Provider::Paddle, "whsec_abc123").is_err());
        assert!(WebhookSecret::parse(Provider::LemonSqueezy, "my-secret").is_ok());
        assert!(WebhookSecret::parse(Provider::LemonSqueezy, "short").is_err());
        assert!(WebhookSecret::parse(Provider::Polar, "polar_whs_abcdef").is_ok());
        assert!(WebhookSecret::parse(Provider::Polar, "has space").is_err());
        assert!(WebhookSecret::parse(Provider::Polar, "").is_err());
        assert!(WebhookSecret::parse(Provider::Shopify, "whsec_abc123").is_err());
        let opened = WebhookSecret::from_opened(Provider::Stripe, b"whsec_abc123XYZ").unwrap();
        assert_eq!(opened, stripe);
        assert!(WebhookSecret::from_opened(Provider::Stripe, &[0xff, 0xfe]).is_err());
    }

    #[test]
    fn stripe_wants_restricted_keys() {
        assert!(ProviderCredentials::stripe("rk_live_51Habcdefghijkl").is_ok());
        assert!(ProviderCredentials::stripe("rk_test_51Habcdefghijkl").is_ok());
        let sk = ProviderCredentials::stripe("sk_live_51Habcdefghijkl").unwrap_err();
        assert!(sk.message.contains("restricted"));
        assert!(ProviderCredentials::stripe("pk_live_51Habcdefghijkl").is_err());
        assert!(ProviderCredentials::stripe("").is_err());
    }

    #[test]
    fn other_providers_check_form() {
        assert!(ProviderCredentials::lemon_squeezy("eyJ0eXAiOiJKV1Qi", "12345").is_ok());
        assert!(ProviderCredentials::lemon_squeezy("eyJ0eXAiOiJKV1Qi", "store").is_err());
        assert!(
            ProviderCredentials::polar("polar_oat_abc", "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60")
                .is_ok()
        );
        assert!(ProviderCredentials::polar("polar_oat_abc", "org").is_err());
        assert!(ProviderCredentials::paddle("pdl_live_apikey_01abcdef").is_ok());
        assert!(ProviderCredentials::paddle("live_123").is_err());
        // A credential goes in an HTTP header: printable ASCII only.
        let organization = "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60";
        assert!(ProviderCredentials::lemon_squeezy("eyJ0eXAiOiJKV1Qi\u{e9}", "12345").is_err());
        assert!(ProviderCredentials::polar("polar_oat_\u{3b1}", organization).is_err());
        assert!(ProviderCredentials::paddle("pdl_live_apikey_01ab\u{e9}cdef").is_err());
    }

    #[test]
    fn test_keys_are_told_apart_where_the_key_says_so() {
        let stripe = |key| ProviderCredentials::stripe(key).unwrap().is_test_key();
        assert!(stripe("rk_test_51Habcdefghijkl"));
        assert!(!stripe("rk_live_51Habcdefghijkl"));
        let paddle = |key| ProviderCredentials::paddle(key).unwrap().is_test_key();
        assert!(paddle("pdl_sdbx_apikey_01abcdef"));
        assert!(!paddle("pdl_live_apikey_01abcdef"));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let creds = ProviderCredentials::stripe("rk_live_51Habcdefghijkl").unwrap();
        assert!(!format!("{creds:?}").contains("51Habcdefghijkl"));
    }
}
