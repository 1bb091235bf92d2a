//! Failed sign-ins by email, kept in memory and bounded, so that guessing one account's
//! password is slow whichever addresses the guesses come from. The rule is the domain's
//! (`SignInFailures`); this holds the counts, and the stand-in hash unknown emails are checked
//! against.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;
use tokio::sync::OnceCell;

use datafast_domain::account::Email;
use datafast_domain::session::{PasswordHash, SignInFailures};
use datafast_ports::secrets::PasswordHasher;

use crate::error::{ServiceError, ServiceResult};
use crate::sign_in::stand_in_hash;

/// Beyond this many emails, records whose window is over are dropped, then the whole map if
/// that was not enough: a flood of made-up emails cannot grow it without bound.
const CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<Email, SignInFailures>>,
    stand_in: OnceCell<PasswordHash>,
}

impl SignInThrottle {
    /// # Errors
    /// [`ServiceError::Throttled`] while `email` has used up its failures.
    pub(crate) fn check(&self, email: &Email, now: Timestamp) -> ServiceResult<()> {
        let Ok(map) = self.failures.lock() else {
            return Ok(());
        };
        match map
            .get(email)
            .and_then(|failures| failures.retry_after(now))
        {
            Some(wait) => {
                let minutes = wait.as_secs().max(0).unsigned_abs().div_ceil(60);
                Err(ServiceError::Throttled(format!(
                    "Too many failed sign-ins for this email; try again in {minutes} minute{}",
                    if minutes == 1 { "" } else { "s" }
                )))
            }
            None => Ok(()),
        }
    }

    pub(crate) fn record(&self, email: &Email, now: Timestamp) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= CAPACITY && !map.contains_key(email) {
            map.retain(|_, failures| !failures.window_over(now));
            if map.len() >= CAPACITY {
                map.clear();
            }
        }
        let next = match map.get(email) {
            Some(failures) => failures.after_failure(now),
            None => SignInFailures::first(now),
        };
        map.insert(email.clone(), next);
    }

    pub(crate) fn forget(&self, email: &Email) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(email);
        }
    }

    pub(crate) async fn stand_in(
        &self,
        hasher: &dyn PasswordHasher,
    ) -> ServiceResult<PasswordHash> {
        self.stand_in
            .get_or_try_init(|| stand_in_hash(hasher))
            .await
            .cloned()
    }
}
