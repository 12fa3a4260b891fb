#!/usr/bin/env bash
# Benchmark of entity resolution at 10k, 100k and 1M synthetic source records
# (benches/resolve.rs; the figures go into BENCHMARKS.md, section "resolve").
#
#   scripts/bench_resolve.sh              # 10k, 100k and 1M, 5 processes each
#   RUNS=3 scripts/bench_resolve.sh 50000 # other sizes, other number of processes
#
# Every measurement is one fresh process resolving once with an empty registry (a first run)
# and once with the registry that produced (a rerun), as `civicrawl run` does: a process that
# resolves the same size again finds its memory already mapped and runs faster, which would
# flatter small sizes. The script prints each process's line, then per size the median of the
# runs and the growth from one size to the next. `peak_rss` is the process's VmHWM. Set
# CARGO_TARGET_DIR to build elsewhere than target/.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(10000 100000 1000000)
fi
runs=${RUNS:-5}

cargo bench --bench resolve --no-run
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
log=$(mktemp)
for n in "${sizes[@]}"; do
    for _ in $(seq "$runs"); do
        cargo bench --quiet --bench resolve -- "${n}x1" | tee -a "$log"
    done
done
awk '
    /^resolve n=/ {
        match($0, /n= *[0-9]+/); n = substr($0, RSTART + 2, RLENGTH - 2) + 0
        match($0, /first_run min=[0-9.]+/); f = substr($0, RSTART + 14, RLENGTH - 14)
        match($0, /cpu min [0-9.]+s, of which/); fc = substr($0, RSTART + 8, RLENGTH - 18)
        match($0, /rerun min=[0-9.]+/); r = substr($0, RSTART + 10, RLENGTH - 10)
        match($0, /peak_rss=[0-9]+/); m = substr($0, RSTART + 9, RLENGTH - 9)
        cnt[n]++; F[n, cnt[n]] = f; FC[n, cnt[n]] = fc; R[n, cnt[n]] = r; M[n] = m
        if (!(n in seen)) { order[++sizes] = n; seen[n] = 1 }
    }
    function median(arr, n, c,   i, j, t, v) {
        for (i = 1; i <= c; i++) v[i] = arr[n, i] + 0
        for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
    }
    END {
        printf "\nmedian of %s processes per size\n", cnt[order[1]]
        printf "%10s %12s %12s %12s %10s %18s\n", "records", "first wall", "first cpu", "rerun wall", "peak MiB", "growth (wall/cpu)"
        for (s = 1; s <= sizes; s++) {
            n = order[s]; c = cnt[n]
            f = median(F, n, c); fc = median(FC, n, c); r = median(R, n, c)
            growth = s > 1 ? sprintf("%.1fx / %.1fx", f / pf, fc / pfc) : "-"
            printf "%10s %11.2fs %11.2fs %11.2fs %10s %18s\n", n, f, fc, r, M[n], growth
            pf = f; pfc = fc
        }
    }
' "$log"
rm -f "$log"
