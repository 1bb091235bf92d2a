#!/usr/bin/env bash
# The ingestion benchmark: builds the release server and the load tool, then, against one
# fresh server, measures GET /health and POST /api/events (SDK payloads), measures the events
# again on a second fresh server with durability = "machine" (an fsync per commit), fills the
# first database to a million events to measure bytes per event, and runs the kill -9 test.
# Extra arguments go to datafast-bench (see --help), e.g. --fill-to 200000 for a quicker run,
# or --seconds 5 --fill-to 0 for a run of about half a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p datafast-server -p datafast-bench
./target/release/datafast-bench --suite ingest --server target/release/datafast-server "$@"
