#!/usr/bin/env bash
# The Account API benchmark: builds the release server and the load tool, then runs every
# phase against one fresh server. Extra arguments go to datafast-bench (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p datafast-server -p datafast-bench
./target/release/datafast-bench --server target/release/datafast-server "$@"
