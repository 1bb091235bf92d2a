#!/usr/bin/env bash
# The dashboard benchmark: how long each main page of the dashboard takes to show in a real
# headless Chromium on a large database. It builds the release server and the bench tool, fills
# a fresh database with the demo generator (10,000,000 events over 90 days unless told
# otherwise), starts the server, waits for its analytics index, signs in and opens each page
# several times, and reports the median and the slowest time from navigation until the page
# is settled (no request in flight, nothing loading).
#
#   bash scripts/bench-dashboard.sh [--events N] [--days N] [--runs N]
#
# Needs node and Chromium (CHROMIUM=/path/to/binary, else `chromium` on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

events=10000000
days=90
runs=5
while (($#)); do
    case "$1" in
        --events) events="$2"; shift 2 ;;
        --days) days="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}"

cargo build --release -p datafast-server -p datafast-bench
work=$(mktemp -d)
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
database="$work/datafast.db"
email=owner@example.com
password="bench password $RANDOM$RANDOM"

start_server() {
    ./target/release/datafast-server --database "$database" --bind "127.0.0.1:$port" \
        --owner-email "$email" --log warn >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        curl -fsS "$base/health" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

echo "==> a website on a fresh database"
start_server
token=$(grep -o 'dft_[0-9a-f]*' "$work/server.log" | head -1)
website=$(curl -fsS "$base/api/v1/admin/websites" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' \
    -d '{"domain":"demo.example.com","name":"Demo","timezone":"Europe/Paris"}' |
    sed -E 's/.*"websiteId":"([0-9a-f]{24})".*/\1/')
stop_server

echo "==> $events demo events over $days days"
./target/release/datafast-bench seed-demo --database "$database" --website-id "$website" \
    --events "$events" --days "$days"
printf '%s\n' "$password" |
    ./target/release/datafast-server set-password --database "$database" --email "$email" \
        --password-stdin

echo "==> the server on it"
started=$(date +%s%N)
start_server
# The first analytics answer waits for the index; the pages are timed after it.
curl -fsS "$base/api/v1/analytics/overview?websiteId=$website" -H "Authorization: Bearer $token" \
    >/dev/null
echo "index ready after $(( ($(date +%s%N) - started) / 1000000 )) ms"

DATAFAST_SERVER="$base" DATAFAST_WEBSITE_ID="$website" DATAFAST_EMAIL="$email" \
    DATAFAST_PASSWORD="$password" DATAFAST_RUNS="$runs" CHROMIUM="$chromium" \
    node e2e/dashboard-timing.js
