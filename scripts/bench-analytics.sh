#!/usr/bin/env bash
# The analytics benchmark: builds the release server and the bench tool, fills a fresh
# database with the demo generator (10,000,000 events over 90 days unless told otherwise),
# starts the server on it and measures p50/p95 of the dashboard's queries over HTTP, each
# also with a country filter. Extra arguments go to datafast-bench (see --help), e.g.
# --events 1000000 for a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p datafast-server -p datafast-bench
./target/release/datafast-bench --suite analytics --server target/release/datafast-server "$@"
