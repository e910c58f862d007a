#!/usr/bin/env bash
# scripts/fuzz.sh — fuzz the pure-C parsers with libFuzzer.
#
# Usage: scripts/fuzz.sh [seconds, default 60] [target: ilp, http, auth, codecs or all (default)]
#   ilp   the line protocol parser (test/fuzz/fuzz_ilp, corpus test/fuzz/corpus)
#   http  the HTTP request parser with gzip bodies (fuzz_http, corpus_http)
#   auth  the line-protocol authentication handshake (fuzz_auth, corpus_auth)
#   codecs the column codecs' decoders (fuzz_codecs, corpus_codecs)
# Installs clang-14 and libfuzzer-14-dev when missing, builds the targets
# (ASan + UBSan) with `make fuzz`, and runs each for the given time over
# its seed corpus (read only) and a work corpus in $FUZZ_WORK/<target>
# (default .work/fuzz), where new inputs and any crash (crash-*, with the
# input that caused it) are written.  Exit status is non-zero when a
# fuzzer found a crash.  For long runs: scripts/fuzz.sh 3600 http; add
# -jobs=N -workers=N to the command below to use more cores.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_TO_RUN=${1:-60}
WHICH=${2:-all}
WORK=${FUZZ_WORK:-$ROOT/.work/fuzz}

source "$ROOT/scripts/common.sh"

PACKAGES=()
install_packages clang-14 libfuzzer-14-dev

say "building the fuzz targets"
make -C "$ROOT" -s fuzz

# Run target $1 over seed corpus $2 with dictionary $3.
run_target() {
	local target=$1 seeds=$2 dict=$3
	mkdir -p "$WORK/$target/corpus"
	say "fuzzing $target for ${SECONDS_TO_RUN}s (work corpus $WORK/$target/corpus)"
	"$ROOT/test/fuzz/fuzz_$target" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 \
		-dict="$dict" -artifact_prefix="$WORK/$target/" -print_final_stats=1 \
		"$WORK/$target/corpus" "$seeds"
}

case "$WHICH" in
	ilp) run_target ilp "$ROOT/test/fuzz/corpus" "$ROOT/test/fuzz/ilp.dict" ;;
	http) run_target http "$ROOT/test/fuzz/corpus_http" "$ROOT/test/fuzz/http.dict" ;;
	auth) run_target auth "$ROOT/test/fuzz/corpus_auth" "$ROOT/test/fuzz/auth.dict" ;;
	codecs) run_target codecs "$ROOT/test/fuzz/corpus_codecs" "$ROOT/test/fuzz/codecs.dict" ;;
	all)
		run_target ilp "$ROOT/test/fuzz/corpus" "$ROOT/test/fuzz/ilp.dict"
		run_target http "$ROOT/test/fuzz/corpus_http" "$ROOT/test/fuzz/http.dict"
		run_target auth "$ROOT/test/fuzz/corpus_auth" "$ROOT/test/fuzz/auth.dict"
		run_target codecs "$ROOT/test/fuzz/corpus_codecs" "$ROOT/test/fuzz/codecs.dict"
		;;
	*) echo "unknown target $WHICH (ilp, http, auth, codecs or all)" >&2; exit 2 ;;
esac
