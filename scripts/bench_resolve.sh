#!/usr/bin/env bash
# Benchmark of entity resolution at 10k, 100k and 1M synthetic source records
# (benches/resolve.rs; the figures go into BENCHMARKS.md, section "resolve").
#
#   scripts/bench_resolve.sh              # 10k, 100k and 1M, 5 processes each
#   RUNS=3 scripts/bench_resolve.sh 50000 # other sizes, other number of processes
#   SETTLE=0 scripts/bench_resolve.sh      # no idle pause before each resolution
#
# Every measurement is one fresh process resolving once with an empty registry (a first run)
# and once with the registry that produced (a rerun), as `civicrawl run` does: a process that
# resolves the same size again finds its memory already mapped and runs faster, which would
# flatter small sizes. Each resolution starts after SETTLE seconds idle (default 5): memory a
# process frees stays cheap to hand out again for a moment, then the kernel (on a VM with
# free page reporting, the host) takes it back and provides it afresh, zeroed, at a cost
# per page. Without the pause a small size runs on the pages just freed before it (by the
# last process, by its generator) and a large one, whose generator alone outlasts that
# moment, pays for every page: the growth from one size to the next would measure that
# difference (BENCHMARKS.md). The script prints each process's line, then per size the
# median of the runs and the growth from one size to the next. `peak_rss` is the process's
# VmHWM. Set CARGO_TARGET_DIR to build elsewhere than target/.
#
#   WARM=1 scripts/bench_resolve.sh       # memory already provided by the kernel
#
# With WARM=1 each process resolves its size 4 times over with MIMALLOC_PURGE_DELAY=-1 (freed
# memory stays in the process) and the upper median (third fastest) of its 4 first runs and
# of its 4 reruns is taken: all but the first find their memory mapped. This measures the
# resolver without the cost of the kernel (and, on a VM, the host) providing fresh pages.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(10000 100000 1000000)
fi
runs=${RUNS:-5}
if [ "${WARM:-0}" = 1 ]; then
    # Freed memory stays in the process: there is nothing for a pause to settle.
    export MIMALLOC_PURGE_DELAY=-1 SETTLE=${SETTLE:-0}
    repeat=4 pick=median
else
    export SETTLE=${SETTLE:-5}
    repeat=1 pick=min
fi

cargo bench --bench resolve --no-run
echo "mode: $([ "$pick" = median ] && echo "warm (upper median of $repeat resolutions per process)" || echo "cold (one resolution per process)"), ${SETTLE} s idle before each resolution"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
log=$(mktemp)
for n in "${sizes[@]}"; do
    for _ in $(seq "$runs"); do
        cargo bench --quiet --bench resolve -- "${n}x${repeat}" | tee -a "$log"
    done
done
awk -v pick="$pick" '
    /^resolve n=/ {
        match($0, /n= *[0-9]+/); n = substr($0, RSTART + 2, RLENGTH - 2) + 0
        match($0, "first_run min=[0-9.]+s median=[0-9.]+"); f = substr($0, RSTART, RLENGTH)
        f = pick == "min" ? substr(f, 15, index(f, "s ") - 15) : substr(f, index(f, "median=") + 7)
        match($0, /cpu min [0-9.]+s, of which/); fc = substr($0, RSTART + 8, RLENGTH - 18)
        match($0, "rerun min=[0-9.]+s median=[0-9.]+"); r = substr($0, RSTART, RLENGTH)
        r = pick == "min" ? substr(r, 11, index(r, "s ") - 11) : substr(r, index(r, "median=") + 7)
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
