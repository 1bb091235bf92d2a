//! The application boundary. Driven ports are the traits the core needs from the outside
//! (storage split by capability under one umbrella, the event store, a clock, randomness, the
//! credential hasher and vault, the location lookup, the alert notifier); the driving side is [`usecases::Services`], whose methods are
//! the use cases: each checks the policy, calls driven ports, and returns domain results.
//! No adapter type (rusqlite, actix, an HTTP client) appears here.

pub mod error;
pub mod geo;
pub mod notify;
pub mod secrets;
pub mod store;
pub mod system;
pub mod usecases;

pub use error::ServiceError;
pub use secrets::{CredentialHash, CredentialHasher, CredentialVault, VaultError};
pub use store::{Storage, StoreError};
pub use system::{Clock, RandomSource};
pub use usecases::Services;
