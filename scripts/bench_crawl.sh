#!/usr/bin/env bash
# Crawl speed against Scrapy (issue 19): runs ../shared/crawl-bench/run.sh (its README) on the
# release build for the issue's three settings and prints, per setting, the medians' summary
# and civicrawl's share of the latency bound (C / latency). Record the figures in
# BENCHMARKS.md (today's table first) with the load noted; compare ratios within one call only.
#
#   scripts/bench_crawl.sh            # -n 3 each
#   RUNS=1 scripts/bench_crawl.sh     # quicker, noisier
#   HARNESS=path/to/run.sh scripts/bench_crawl.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS=${HARNESS:-../shared/crawl-bench/run.sh}
RUNS=${RUNS:-3}
[ -x "$HARNESS" ] || { echo "no crawl-bench harness at $HARNESS (set HARNESS)" >&2; exit 2; }
cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/civicrawl"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for setting in "-H 4 -L 0" "-H 4 -L 50" "-H 1 -L 50"; do
  log=$(mktemp)
  # shellcheck disable=SC2086
  "$HARNESS" $setting -P 2000 -C 16 -n "$RUNS" "$BIN" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  echo "== $setting -P 2000 -C 16 -n $RUNS"
  grep -A3 '^medians' "$log" | tail -3
  grep -E '^ratio|^correctness' "$log"
  latency=$(echo "$setting" | sed -E 's/.*-L ([0-9]+).*/\1/')
  if [ "$latency" -gt 0 ]; then
    awk -v bound="$((16 * 1000 / latency))" '$1 == "civicrawl" && NF > 8 { printf "civicrawl at %.0f%% of the latency bound (%d pages/s)\n", 100 * $8 / bound, bound }' \
      <(grep -A3 '^medians' "$log")
  fi
  rm -f "$log"
done
