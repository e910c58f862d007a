#!/usr/bin/env bash
# scripts/fuzz.sh — fuzz the line protocol parser with libFuzzer.
#
# Usage: scripts/fuzz.sh [seconds, default 60]
# Installs clang-14 and libfuzzer-14-dev when missing, builds
# test/fuzz/fuzz_ilp (ASan + UBSan) with `make fuzz`, and runs it for the
# given time over the seed corpus test/fuzz/corpus (read only) and a work
# corpus in $FUZZ_WORK (default .work/fuzz), where new inputs and any crash
# (crash-*, with the input that caused it) are written.  Exit status is
# non-zero when the fuzzer found a crash.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_TO_RUN=${1:-60}
WORK=${FUZZ_WORK:-$ROOT/.work/fuzz}

source "$ROOT/scripts/common.sh"

PACKAGES=()
install_packages clang-14 libfuzzer-14-dev

say "building test/fuzz/fuzz_ilp"
make -C "$ROOT" -s fuzz

mkdir -p "$WORK/corpus"
say "fuzzing for ${SECONDS_TO_RUN}s (work corpus $WORK/corpus)"
"$ROOT/test/fuzz/fuzz_ilp" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 \
	-dict="$ROOT/test/fuzz/ilp.dict" -artifact_prefix="$WORK/" -print_final_stats=1 \
	"$WORK/corpus" "$ROOT/test/fuzz/corpus"
