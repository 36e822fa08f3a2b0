#!/usr/bin/env bash
# Benchmark a fresh embedded server end to end:
#   start `zhongtai serve` (all services, SQLite in a temp dir, a free port),
#   seed it, run bench/ghz/create_order.json and bench/ghz/get_order.json with
#   bench.ghz_runner, stop the server. Reports go to bench/results/run-<time>/.
#
#   bench/run.sh
#   CREATE_TOTAL=5000 GET_TOTAL=20000 CONCURRENCY=50 bench/run.sh
#
# Environment: CREATE_TOTAL (2000), GET_TOTAL (5000), CONCURRENCY (20),
# CONNECTIONS (1), PYTHON (.venv/bin/python), ZHONGTAI (.venv/bin/zhongtai),
# KEEP_DATA=1 keeps the SQLite files; ZHONGTAI_* variables reach the server
# (e.g. ZHONGTAI_LOG_LEVEL=WARNING stops the per-call log lines).
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
ZHONGTAI=${ZHONGTAI:-.venv/bin/zhongtai}
CREATE_TOTAL=${CREATE_TOTAL:-2000}
GET_TOTAL=${GET_TOTAL:-5000}
CONCURRENCY=${CONCURRENCY:-20}
CONNECTIONS=${CONNECTIONS:-1}

PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOST=127.0.0.1:$PORT
DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zhongtai-bench.XXXXXX")
OUT=bench/results/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"

{
  echo "date: $(date -Iseconds)"
  echo "host: $(uname -srm), $(nproc) CPUs"
  echo "python: $("$PYTHON" --version 2>&1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')"
  echo "server: $ZHONGTAI serve --data-dir $DATA_DIR --listen $HOST"
  echo "create: total=$CREATE_TOTAL concurrency=$CONCURRENCY connections=$CONNECTIONS"
  echo "get:    total=$GET_TOTAL concurrency=$CONCURRENCY connections=$CONNECTIONS"
} > "$OUT/env.txt"

# Payment's callback endpoint and in-process sandbox on ports of their own.
ZHONGTAI_PAYMENT_CALLBACK_LISTEN=${ZHONGTAI_PAYMENT_CALLBACK_LISTEN:-127.0.0.1:0} \
ZHONGTAI_PAYMENT_SANDBOX_LISTEN=${ZHONGTAI_PAYMENT_SANDBOX_LISTEN:-127.0.0.1:0} \
  "$ZHONGTAI" serve --data-dir "$DATA_DIR" --listen "$HOST" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!

cleanup() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  fi
  if [[ "${KEEP_DATA:-0}" == 1 ]]; then
    echo "run.sh: SQLite files kept in $DATA_DIR"
  else
    rm -rf "$DATA_DIR"
  fi
}
trap cleanup EXIT

echo "run.sh: server pid $SERVER_PID on $HOST (data $DATA_DIR, log $OUT/server.log)"
# The server checks credentials: seed and load as a service (a server-side
# front), with a token signed by the embedded development key.
until [[ -s "$DATA_DIR/dev-signing-key.pem" ]] || ! kill -0 "$SERVER_PID" 2>/dev/null; do
  sleep 0.2
done
TOKEN=$("$ZHONGTAI" token --data-dir "$DATA_DIR" --role service --subject bench --ttl 86400)
METADATA="{\"authorization\": \"Bearer $TOKEN\"}"
"$PYTHON" -m bench.seed --host "$HOST" --wait 30 --token "$TOKEN"
cp bench/results/get_order.data.json "$OUT/get_order.data.json"

run() {
  local config=$1 total=$2 name
  name=$(basename "$config" .json)
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run.sh: the server died; see $OUT/server.log" >&2; exit 1; }
  "$PYTHON" -m bench.ghz_runner --config "$config" --host "$HOST" --total "$total" \
    --concurrency "$CONCURRENCY" --connections "$CONNECTIONS" --metadata "$METADATA" \
    --output "$OUT/$name.json" \
    | tee "$OUT/$name.txt"
}

run bench/ghz/create_order.json "$CREATE_TOTAL"
run bench/ghz/get_order.json "$GET_TOTAL"

echo
echo "run.sh: reports in $OUT/ (create_order.json, get_order.json; summaries *.txt; env.txt; server.log)"
echo "run.sh: the Rerun lines above name this run's server, which is now stopped; rerun it all with:"
echo "  CREATE_TOTAL=$CREATE_TOTAL GET_TOTAL=$GET_TOTAL CONCURRENCY=$CONCURRENCY CONNECTIONS=$CONNECTIONS bench/run.sh"
