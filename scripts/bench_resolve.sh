#!/usr/bin/env bash
# Benchmark of entity resolution at 10k, 100k and 1M synthetic source records
# (benches/resolve.rs; the figures go into BENCHMARKS.md, section "Resolution").
#
#   scripts/bench_resolve.sh              # the three sizes
#   scripts/bench_resolve.sh 50000        # other sizes
#
# Each size runs in its own process, so `peak_rss` is that size's peak resident memory
# (Linux VmHWM: generation, normalisation and two resolutions included). `/usr/bin/time -v`
# reports the same peak from outside when it is installed. Set CARGO_TARGET_DIR to build
# elsewhere than target/.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(10000 100000 1000000)
fi

cargo bench --bench resolve --no-run
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(rustc --version)"
for n in "${sizes[@]}"; do
    if command -v /usr/bin/time >/dev/null 2>&1; then
        /usr/bin/time -f "  wall=%es max_rss=%MKiB" cargo bench --quiet --bench resolve -- "$n"
    else
        cargo bench --quiet --bench resolve -- "$n"
    fi
done
