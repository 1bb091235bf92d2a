//! Counts of the public, unauthenticated traffic (ingestion, the tracker script, the health
//! check, unknown paths, refused request heads), logged as one summary line at `info` per
//! interval that saw any, in place of a line per request: at one line per request, a flood of
//! events fills the disk through the log. The authenticated APIs keep their per-request lines.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::web;

/// The built-in ingestion path, as the route table spells it.
pub(crate) const EVENTS_PATH: &str = "/api/events";

/// Statuses counted one by one: 400 to 599.
const FIRST_COUNTED: u16 = 400;
const COUNTED: usize = 200;

/// How many answers had each error status.
#[derive(Debug)]
struct StatusCounts([AtomicU64; COUNTED]);

impl StatusCounts {
    fn new() -> Self {
        Self([const { AtomicU64::new(0) }; COUNTED])
    }

    fn add(&self, status: u16) {
        if let Some(slot) = status
            .checked_sub(FIRST_COUNTED)
            .and_then(|index| self.0.get(usize::from(index)))
        {
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `400=3, 404=1`, and resets the counts; `none` when there were none.
    fn take(&self) -> String {
        let mut text = String::new();
        for (status, slot) in (FIRST_COUNTED..).zip(&self.0) {
            let count = slot.swap(0, Ordering::Relaxed);
            if count > 0 {
                let separator = if text.is_empty() { "" } else { ", " };
                let _ = write!(text, "{separator}{status}={count}");
            }
        }
        if text.is_empty() {
            text.push_str("none");
        }
        text
    }
}

/// Which log a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// The Account API and the Website API: a line per request at `info`.
    Api,
    /// `POST` to an events path: counted, a line per request at `debug`.
    Event,
    /// Everything else: counted, a line per request at `debug`.
    Other,
}

/// The counters, shared by every worker.
#[derive(Debug)]
pub(crate) struct Traffic {
    events_paths: Vec<String>,
    events_accepted: AtomicU64,
    events_refused: StatusCounts,
    other_requests: AtomicU64,
    other_refused: StatusCounts,
    window_started: Mutex<Instant>,
}

impl Traffic {
    /// `events_paths`: `/api/events` and the configured second path, if any.
    pub(crate) fn new(events_paths: Vec<String>) -> Self {
        Self {
            events_paths,
            events_accepted: AtomicU64::new(0),
            events_refused: StatusCounts::new(),
            other_requests: AtomicU64::new(0),
            other_refused: StatusCounts::new(),
            window_started: Mutex::new(Instant::now()),
        }
    }

    /// The class of a request, from its method and raw path (before routing).
    pub(crate) fn classify(&self, method: &Method, path: &str) -> Class {
        if path == "/api/v1" || path.starts_with("/api/v1/") {
            Class::Api
        } else if method == Method::POST && self.events_paths.iter().any(|p| p == path) {
            Class::Event
        } else {
            Class::Other
        }
    }

    /// Counts one answered request of class `Event` or `Other`.
    pub(crate) fn count(&self, class: Class, status: u16) {
        match class {
            Class::Api => {}
            Class::Event if status < 400 => {
                self.events_accepted.fetch_add(1, Ordering::Relaxed);
            }
            Class::Event => self.events_refused.add(status),
            Class::Other => {
                self.other_requests.fetch_add(1, Ordering::Relaxed);
                self.other_refused.add(status);
            }
        }
    }

    /// Logs the counts since the last summary and resets them; nothing when there were none.
    pub(crate) fn log_summary(&self) {
        let elapsed = {
            let mut started = self
                .window_started
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let elapsed = started.elapsed();
            *started = Instant::now();
            elapsed
        };
        let events_accepted = self.events_accepted.swap(0, Ordering::Relaxed);
        let events_refused = self.events_refused.take();
        let other_requests = self.other_requests.swap(0, Ordering::Relaxed);
        let other_refused = self.other_refused.take();
        if events_accepted == 0 && events_refused == "none" && other_requests == 0 {
            return;
        }
        tracing::info!(
            seconds = elapsed.as_secs(),
            events_accepted,
            events_per_second = events_accepted as f64 / elapsed.as_secs_f64().max(0.001),
            events_refused = %events_refused,
            other_requests,
            other_refused = %other_refused,
            "traffic summary"
        );
    }
}

impl Drop for Traffic {
    /// The last, partial interval, when the server stops.
    fn drop(&mut self) {
        self.log_summary();
    }
}

/// Logs a summary every `interval` on the current Tokio runtime, for as long as the server
/// holds `traffic`.
pub(crate) fn spawn_summaries(traffic: &web::Data<Traffic>, interval: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: traffic summaries are off");
        return;
    };
    let traffic = Arc::downgrade(&traffic.clone().into_inner());
    let interval = interval.max(Duration::from_millis(1));
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let Some(traffic) = traffic.upgrade() else {
                return;
            };
            traffic.log_summary();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_path_is_the_routed_one() {
        assert!(
            crate::route_table()
                .iter()
                .any(|route| route.path == EVENTS_PATH && route.method == "POST")
        );
    }

    #[test]
    fn classes_and_counts() {
        let traffic = Traffic::new(vec!["/api/events".into(), "/e".into()]);
        assert_eq!(traffic.classify(&Method::POST, "/api/events"), Class::Event);
        assert_eq!(traffic.classify(&Method::POST, "/e"), Class::Event);
        assert_eq!(
            traffic.classify(&Method::OPTIONS, "/api/events"),
            Class::Other
        );
        assert_eq!(traffic.classify(&Method::GET, "/api/v1/admin"), Class::Api);
        assert_eq!(traffic.classify(&Method::GET, "/api/v1x"), Class::Other);
        for status in [200, 200, 204, 400, 404, 404, 700] {
            traffic.count(Class::Event, status);
        }
        assert_eq!(traffic.events_accepted.load(Ordering::Relaxed), 3);
        assert_eq!(traffic.events_refused.take(), "400=1, 404=2");
        assert_eq!(traffic.events_refused.take(), "none");
    }
}
