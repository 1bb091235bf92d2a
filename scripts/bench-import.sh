#!/usr/bin/env bash
# The revenue import benchmark: builds the release server and the bench tool, fills a local fake
# of Stripe's API with 100,000 payments, and measures on a fresh server how fast one import pass
# brings them into the store and the server's resident memory before and at its peak; then it
# kills a second server with kill -9 in the middle of an import, restarts it, and counts the
# payments stored (exactly 100,000, each once, must be the answer).
# Extra arguments go to datafast-bench (see --help), e.g. --payments 10000 for a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p datafast-server -p datafast-bench
./target/release/datafast-bench --suite import --server target/release/datafast-server "$@"
