//! The driven ports: the traits the application needs from the outside world (storage split by
//! capability under one umbrella, the event store, a clock, randomness, the credential hasher
//! and vault, the location lookup, the alert notifier, the payment providers), the storage
//! error type, and, behind the `mocks` feature, mockall doubles of them. It depends on
//! `datafast-domain` alone, so a driven adapter compiles against it without the application or
//! the analytics engine.
//! No adapter type (rusqlite, actix, an HTTP client) appears here.

pub mod geo;
pub mod notify;
pub mod providers;
pub mod secrets;
pub mod store;
pub mod system;

pub use providers::{NoProviders, PaymentProviders, ProviderError};
pub use secrets::{CredentialHash, CredentialHasher, CredentialVault, VaultError};
pub use store::{Storage, StoreError};
pub use system::{Clock, RandomSource};
