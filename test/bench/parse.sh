#!/usr/bin/env bash
# test/bench/parse.sh — parse-only speed of the line protocol parser:
# lines/s and MB/s for a typical line, a line with escapes and a string, and
# a 20-field line, against a memchr line split measured in the same run.
# Usage: test/bench/parse.sh [lines, default 2000000]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cc -O2 -Wall -Wextra -Werror -I"$ROOT/src" -o "$OUT/bench_parse" \
	"$ROOT/test/bench/bench_parse.c" "$ROOT/src/protocol/ilp_parse.c"
"$OUT/bench_parse" "${1:-2000000}"
