#!/usr/bin/env bash
# The peer crawlers on the bench shop, for the comparison in the README:
# writes the shop with `scraper-server bench-shop`, serves it with nginx on
# 127.0.0.1 (../shop/serve.sh), runs each peer RUNS times (interleaved, so
# drift hits all alike) under /usr/bin/time -v, scores every run against
# expected.json and the nginx access log (score.py), and prints the table.
# Installs (nginx, time, the peers under /tmp) happen first and are never timed.
# Usage: server/benches/peers/run.sh [PEER...]     peers: scrapy crawlee wget (default: all)
# Env:   PAGES=5000 RUNS=3 PORT=8080 CONCURRENCY=16 WORK=/tmp/bench-work RUN_TIMEOUT=900
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PAGES=${PAGES:-5000} RUNS=${RUNS:-3} PORT=${PORT:-8080} WORK=${WORK:-/tmp/bench-work}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
export CONCURRENCY=${CONCURRENCY:-16}
PEERS=("$@")
[ ${#PEERS[@]} -gt 0 ] || PEERS=(scrapy crawlee wget)
for p in "${PEERS[@]}"; do
  case $p in scrapy|crawlee|wget) ;; *) echo "no peer '$p' (there are: scrapy crawlee wget)" >&2; exit 2;; esac
done
URL=http://127.0.0.1:$PORT/ SITE=$WORK/site-$PAGES LOG=/tmp/bench-nginx-$PORT/access.log
missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
[ -x /usr/bin/time ] || missing+=(time)
[ ${#missing[@]} -eq 0 ] || { apt-get update && apt-get install -y "${missing[@]}"; }

mkdir -p "$WORK"; rm -f "$WORK"/results.jsonl "$WORK"/*-run*.*
cargo run --quiet --release --manifest-path "$ROOT/Cargo.toml" -p scraper-server -- \
  bench-shop "$SITE" --pages "$PAGES" --base "${URL%/}"
for p in "${PEERS[@]}"; do "$HERE/$p.sh" --install; done

"$HERE/../shop/serve.sh" "$SITE" "$PORT" 2>"$WORK/serve.err" & SRV=$!
trap 'kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fso /dev/null "$URL" && break; sleep 0.1; done
curl -fso /dev/null "$URL" && kill -0 "$SRV" || { echo "nginx did not start (port $PORT busy?)"; cat "$WORK/serve.err"; exit 1; }

echo "== versions =="
nginx -v 2>&1
for p in "${PEERS[@]}"; do "$HERE/$p.sh" --version; done

for run in $(seq "$RUNS"); do
  for name in "${PEERS[@]}"; do
    base=$WORK/$name-run$run out=$WORK/$name-run$run.jsonl
    off=$(stat -c %s "$LOG")
    /usr/bin/time -v -o "$base.time" timeout "$RUN_TIMEOUT" "$HERE/$name.sh" "$URL" "$out" >"$base.log" 2>&1 \
      || echo "!! $name run $run exited non-zero (see $base.log)"
    python3 "$HERE/score.py" run "$name" "$run" "$SITE/expected.json" "$out" "$base.time" "$LOG" "$off" \
      | tee -a "$WORK/results.jsonl"
  done
done
echo; echo "== results: $PAGES-page shop, concurrency $CONCURRENCY, $RUNS runs, $(nproc) CPUs =="
python3 "$HERE/score.py" table "$WORK/results.jsonl"
