#!/usr/bin/env bash
# The unchanged rerun of issue 19 (part 4): the shared crawl-bench site (../shared/crawl-bench/
# site.py, its README) crawled by the release build three times on one output directory: a
# first run from nothing, an unchanged rerun (detail pages not due for a revisit are read from
# the archive), and the same rerun with --full (every page asked: 304s) on a copy of the first
# run's output. Prints each run's wall time, the server's counts (requests by status and kind)
# and the rerun's share of the first run's wall time (target ≤ 25%).
#
#   scripts/bench_rerun.sh [-H hosts] [-P pages] [-L latency_ms] [-C concurrency]   # defaults 4 2000 50 16
set -euo pipefail
cd "$(dirname "$0")/.."
H=4 P=2000 L=50 C=16 PORT=${PORT:-18741}
while getopts H:P:L:C: opt; do
  case $opt in H) H=$OPTARG ;; P) P=$OPTARG ;; L) L=$OPTARG ;; C) C=$OPTARG ;; *) sed -n 2,9p "$0"; exit 2 ;; esac
done
BENCH=${BENCH:-../shared/crawl-bench}
[ -f "$BENCH/site.py" ] || { echo "no crawl-bench at $BENCH (set BENCH)" >&2; exit 2; }
cargo build --release --locked --quiet
BIN=$(realpath "${CARGO_TARGET_DIR:-target}/release/civicrawl")
OUT=$(mktemp -d "${TMPDIR:-/tmp}/bench-rerun.XXXXXX")
trap 'kill "$SITE" 2>/dev/null; wait "$SITE" 2>/dev/null; rm -rf "$OUT"' EXIT
python3 "$BENCH/site.py" --hosts "$H" --pages "$P" --latency-ms "$L" --port "$PORT" --workers 2 2>"$OUT/site.log" &
SITE=$!
STATS="http://127.0.0.31:$PORT/__stats"
for _ in $(seq 300); do curl -sf "$STATS" >/dev/null && break; sleep 0.2; done
python3 "$BENCH/civicrawl_sources.py" --hosts "$H" --port "$PORT" --out "$OUT/sources" >/dev/null
printf '[crawl]\ncontact = "https://example.org/civicrawl-bench"\nconcurrency = %d\nallow_private_networks = true\n' "$C" >"$OUT/civicrawl.toml"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); -H $H -P $P -L $L -C $C"
run() {  # NAME OUT [ARGS...]
  local name=$1 out=$2 start end
  shift 2
  curl -sf "$STATS?reset=1" >/dev/null
  start=$(date +%s.%N)
  (cd "$OUT" && "$BIN" -q run --sources sources --out "$out" "$@") || { echo "$name: failed" >&2; exit 1; }
  end=$(date +%s.%N)
  WALL=$(echo "$end - $start" | bc)
  local asked carried
  asked=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["pages_asked"], r["pages_carried"])' "$OUT/$out/latest/report.json")
  printf '%-8s wall %6.2f s  pages asked/carried %s  server: %s\n' "$name" "$WALL" "$asked" \
    "$(curl -sf "$STATS" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["requests"], "requests,", " ".join(f"{k}={v}" for d in (s["status"], s["kind"]) for k, v in d.items() if v))')"
}
run first cc
FIRST=$WALL
cp -a "$OUT/cc" "$OUT/cc-full"
run rerun cc
RERUN=$WALL
run full cc-full --full
echo "rerun / first: $(echo "scale=1; 100 * $RERUN / $FIRST" | bc)% (target ≤ 25%); --full / first: $(echo "scale=1; 100 * $WALL / $FIRST" | bc)%"
