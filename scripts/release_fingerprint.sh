#!/usr/bin/env bash
# Compares the data files of the fixture release two revisions publish.
#
#   scripts/release_fingerprint.sh BEFORE [AFTER]
#
# BEFORE and AFTER are git revisions (AFTER defaults to the working tree). Each is checked out
# in a worktree under target/fingerprint/, and its integration test
# `publish::the_same_inputs_publish_the_same_bytes` publishes the fixture release (json, csv,
# html, github and gitlab sources served on loopback) with the clock pinned and the servers on
# fixed ports. The script prints the SHA256SUMS lines of the data files (publish::data_files:
# every file but report.json, changes.json, datapackage.json and SHA256SUMS itself) and exits 1
# when they differ. A refactoring that changes no behaviour leaves them identical.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n 2,12p "$0"; exit 2; }
ROOT="$PWD"
WORK="$ROOT/target/fingerprint"
mkdir -p "$WORK"
export CARGO_TARGET_DIR="$WORK/target"
RUN_FILES='^[0-9a-f]{64}  (SHA256SUMS|changes\.json|datapackage\.json|report\.json)$'

fingerprint() { # REV OUT
  local rev="$1" out="$2" tree
  if [ "$rev" = "." ]; then
    tree="$ROOT"
  else
    tree="$WORK/tree-$(git rev-parse --short "$rev")"
    [ -d "$tree" ] || git worktree add --detach --quiet "$tree" "$rev"
  fi
  rm -rf "$out"
  (cd "$tree" && CIVICRAWL_TEST_PORT_BASE=47300 CIVICRAWL_FINGERPRINT_DIR="$out" \
    cargo test --quiet --locked --test integration \
    publish::the_same_inputs_publish_the_same_bytes -- --exact >/dev/null)
  [ -f "$out/SHA256SUMS" ] || { echo "$rev: no release written" >&2; exit 1; }
  grep -Ev "$RUN_FILES" "$out/SHA256SUMS" > "$out.sums"
}

fingerprint "$1" "$WORK/before"
fingerprint "${2:-.}" "$WORK/after"
echo "before ($1):"
cat "$WORK/before.sums"
if diff -u "$WORK/before.sums" "$WORK/after.sums"; then
  echo "identical: $(wc -l < "$WORK/after.sums") data files"
else
  echo "the data files differ (above)" >&2
  exit 1
fi
