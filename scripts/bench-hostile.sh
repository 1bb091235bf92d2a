#!/usr/bin/env bash
# The hostile-connections benchmark: builds the release server and the load tool, then opens
# thousands of stalled `POST /api/events` connections (head plus one byte of body) against a
# fresh server with its default settings, and reports the connections it holds, its resident
# memory before, during and after, how soon it closes them, and how long SIGTERM takes with
# such connections open. Extra arguments go to the subcommand, e.g. --connections 2000.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p datafast-server -p datafast-bench
./target/release/datafast-bench --server target/release/datafast-server hostile-connections "$@"
