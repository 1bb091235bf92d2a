//! Alert delivery: goal completions matched against enabled alerts, delivered off the
//! ingestion path with retries, each attempt written to the alert history.
