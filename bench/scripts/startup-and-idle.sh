#!/usr/bin/env bash
# bench/scripts/startup-and-idle.sh (after npm run build). Start-up time (spawn → first 200 from /healthz) and idle RSS (3 s after ready) of one node,
# compiled (node dist/…) against tsx (node --import tsx src/…), on the project's Node 24.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The project's Node 24 (decision 0009).
NODE=node_modules/.bin/node
measure() { # label, args...
  local label=$1; shift
  for run in 1 2 3; do
    local dir; dir=$(mktemp -d)
    local port=$((4100 + RANDOM % 500))
    local start; start=$(date +%s%N)
    PORT=$port HOST=127.0.0.1 DATA_DIR=$dir LOG_LEVEL=warn "$NODE" "$@" >/dev/null 2>&1 &
    local pid=$!
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.02; done
    local ready; ready=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep 3
    local rss; rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null || true
    rm -rf "$dir"
    echo "$label run $run: ready in ${ready} ms, idle RSS $((rss / 1024)) MiB"
  done
}
"$NODE" --version
measure compiled dist/server/main/server.js
measure tsx --conditions=parley-source --import tsx src/main/server.ts
