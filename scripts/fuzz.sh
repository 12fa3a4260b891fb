#!/usr/bin/env bash
# Long fuzzing run of the property tests in src/proptests/ (issue 16): every parser of
# untrusted input (JSON, CSV, HTML and home-page extraction, publiccode.yml, robots.txt, the
# Link, Retry-After and rate-limit headers, dates, URL canonicalisation, SPDX licences).
#
#   scripts/fuzz.sh [CASES] [FILTER]
#
# CASES is the number of cases per property (default 100000; `cargo test` runs 256, see
# CIVICRAWL_FUZZ_CASES in src/proptests/mod.rs); FILTER narrows the properties run (default
# `proptests`, e.g. `proptests::url`). Built with the `fuzz` profile (release optimisations
# with overflow checks and debug assertions, in target/fuzz/), all cores. Offline.
#
# A failure prints the shrunk input and saves its seed under proptest-regressions/proptests/
# (commit that file, and add the input as an explicit #[test] beside the property).
# Prints the time each target took. Exits non-zero when any property fails.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-100000}"
FILTER="${2:-proptests}"
export CIVICRAWL_FUZZ_CASES="$CASES"
echo "== $CASES cases per property, filter '$FILTER' (profile fuzz)"
cargo test --profile fuzz --lib --no-run --quiet
status=0
targets=$(cargo test --profile fuzz --lib --quiet -- --list "$FILTER" 2>/dev/null |
  sed -n 's/^\(proptests::[a-z_]*\)::.*: test$/\1/p' | sort -u)
for target in $targets; do
  start=$(date +%s)
  if cargo test --profile fuzz --lib --quiet -- "$target::" 2>&1 | tail -n 40; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  echo "== $target: $result in $(($(date +%s) - start)) s"
done
exit "$status"
