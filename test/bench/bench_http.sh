#!/usr/bin/env bash
# test/bench/bench_http.sh — HTTP framing cost (request parser, chunked,
# gzip) in front of the line splitter, against the TCP reference measured
# in the same run.  Usage: test/bench/bench_http.sh [lines, default 5000000]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cc -O2 -Wall -Wextra -Werror -I"$ROOT/src" -o "$OUT/bench_http" \
	"$ROOT/test/bench/bench_http.c" "$ROOT/src/protocol/http_parse.c" "$ROOT/src/protocol/http_write.c" \
	"$ROOT/src/protocol/http_gzip.c" -lz
"$OUT/bench_http" "${1:-5000000}"
