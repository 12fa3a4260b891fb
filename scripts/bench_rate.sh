#!/usr/bin/env bash
# Issue 19's binding-rate target: the shared crawl-bench site (../shared/crawl-bench/site.py,
# its README) crawled by the release build with a per-host rate that binds (20 requests/s,
# burst 1, by default), from an empty output, RUNS times. The politeness bound is the largest,
# over hosts, of that host's requests (less its burst) divided by its rate: every host gets
# the same share of the site here, so it is the server's request count / hosts. Prints each
# run's wall time (the whole process: start-up, crawl, publish of the small release), the
# server's count, the bound and the ratio (target ≤ 1.1×). No peer: Scrapy has no per-host rate of
# this kind (its DOWNLOAD_DELAY is one delay per slot, not a token bucket).
#
#   scripts/bench_rate.sh [-H hosts] [-P pages] [-L latency_ms] [-C concurrency] [-R rate] [-B burst]
#   defaults: -H 4 -P 800 -L 0 -C 16 -R 20 -B 1; RUNS=3
set -euo pipefail
cd "$(dirname "$0")/.."
H=4 P=800 L=0 C=16 R=20 B=1 PORT=${PORT:-18751} RUNS=${RUNS:-3}
while getopts H:P:L:C:R:B: opt; do
  case $opt in
    H) H=$OPTARG ;; P) P=$OPTARG ;; L) L=$OPTARG ;; C) C=$OPTARG ;; R) R=$OPTARG ;; B) B=$OPTARG ;;
    *) sed -n 2,13p "$0"; exit 2 ;;
  esac
done
BENCH=${BENCH:-../shared/crawl-bench}
[ -f "$BENCH/site.py" ] || { echo "no crawl-bench at $BENCH (set BENCH)" >&2; exit 2; }
cargo build --release --locked --quiet
BIN=$(realpath "${CARGO_TARGET_DIR:-target}/release/civicrawl")
OUT=$(mktemp -d "${TMPDIR:-/tmp}/bench-rate.XXXXXX")
trap 'kill "$SITE" 2>/dev/null; wait "$SITE" 2>/dev/null; rm -rf "$OUT"' EXIT
python3 "$BENCH/site.py" --hosts "$H" --pages "$P" --latency-ms "$L" --port "$PORT" --workers 2 2>"$OUT/site.log" &
SITE=$!
STATS="http://127.0.0.31:$PORT/__stats"
for _ in $(seq 300); do curl -sf "$STATS" >/dev/null && break; sleep 0.2; done
python3 "$BENCH/civicrawl_sources.py" --hosts "$H" --port "$PORT" --out "$OUT/sources" \
  --rate "$R" --burst "$B" >/dev/null
printf '[crawl]\ncontact = "https://example.org/civicrawl-bench"\nconcurrency = %d\nallow_private_networks = true\n' "$C" >"$OUT/civicrawl.toml"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); -H $H -P $P -L $L -C $C, rate $R/s burst $B per host"
for n in $(seq "$RUNS"); do
  curl -sf "$STATS?reset=1" >/dev/null
  start=$(date +%s.%N)
  (cd "$OUT" && "$BIN" -q run --sources sources --out "run$n") || { echo "run $n failed" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 - "$OUT/run$n/latest/report.json" "$(echo "$end - $start" | bc)" "$H" "$R" "$B" "$(curl -sf "$STATS")" <<'EOF'
import json, sys
wall, hosts, rate, burst, stats = float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6])
r = json.load(open(sys.argv[1]))
failed = [s["id"] for s in r.get("sources", []) if s.get("status") not in ("ok", "not_modified")]
per_host = stats["requests"] / hosts
bound = max(per_host - burst, 0) / rate
print(f"process {wall:.2f} s; {stats['requests']} requests ({per_host:.0f} a host); bound {bound:.2f} s; "
      f"process / bound {wall / bound:.3f}" + (f"; not ok: {failed}" if failed else ""))
EOF
done
