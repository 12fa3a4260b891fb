#!/usr/bin/env bash
# Prints the source tree, one line per file: path, lines, and the first line of the file's
# `//!` documentation (its purpose). Run it to see where things are; a file without a `//!`
# line is a file to document.
#
#   scripts/tree.sh [DIR]      (default: src)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-src}"
git ls-files "$dir" | grep '\.rs$' | sort | while read -r f; do
  purpose=$(grep -m1 '^//!' "$f" | sed 's#^//! *##' || true)
  printf '%-42s %5d  %s\n' "$f" "$(wc -l < "$f")" "${purpose:-(undocumented)}"
done
