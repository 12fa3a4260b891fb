#!/usr/bin/env bash
# Benchmark of `publish` (issue 5): N synthetic tools (default 1 000 000) with one source record
# each, published in every format by benches/publish.rs in release mode; then DuckDB (python
# duckdb) converting the same tools.jsonl to Parquet (zstd, 100k-row groups) for comparison.
# Prints wall time and peak resident memory of both; record them in BENCHMARKS.md.
#
# usage: scripts/bench_publish.sh [N]
#   PYTHON=path/to/python   a Python with duckdb (default: target/py-venv/bin/python made by
#                           .ci/run, else python3)
#   CIVICRAWL_BENCH_OUT=DIR where the release is written (default target/bench-publish)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
OUT=${CIVICRAWL_BENCH_OUT:-$PWD/target/bench-publish}
PYTHON=${PYTHON:-$( [ -x target/py-venv/bin/python ] && echo target/py-venv/bin/python || echo python3 )}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "== civicrawl publish, $N tools (cargo bench --bench publish, release profile)"
CIVICRAWL_BENCH_TOOLS=$N CIVICRAWL_BENCH_OUT=$OUT cargo bench --bench publish --quiet

RELEASE=$(readlink -f "$OUT/latest")
echo "== duckdb $("$PYTHON" -c 'import duckdb; print(duckdb.__version__)'): $RELEASE/tools.jsonl -> Parquet"
"$PYTHON" - "$RELEASE/tools.jsonl" "$OUT/duckdb-tools.parquet" <<'PY'
import os, resource, sys, time
import duckdb
src, dst = sys.argv[1], sys.argv[2]
if os.path.exists(dst):
    os.remove(dst)
con = duckdb.connect()
started = time.perf_counter()
con.execute(
    f"COPY (SELECT * FROM read_json('{src}', format='newline_delimited')) TO '{dst}' "
    "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
)
wall = time.perf_counter() - started
rows = con.execute(f"SELECT count(*) FROM '{dst}'").fetchone()[0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"duckdb: {rows} rows jsonl -> parquet: {wall:.2f} s wall, peak RSS {peak:.0f} MiB, "
      f"{os.path.getsize(dst) / 1048576:.1f} MiB (threads: {con.execute('SELECT current_setting(' + chr(39) + 'threads' + chr(39) + ')').fetchone()[0]})")
PY
