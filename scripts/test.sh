#!/usr/bin/env bash
# scripts/test.sh — every streamstat test on throwaway clusters.
#
# Installs what is missing, builds with -Wall -Wextra -Werror, installs the
# extension, then runs: the C unit tests (also built with AddressSanitizer
# and UndefinedBehaviorSanitizer), pg_regress (test/sql/ against test/expected/) on a
# temporary instance with streamstat preloaded, the TAP tests of test/t/
# (PostgreSQL::Test::Cluster), a short run of each libFuzzer target
# (FUZZ_SECONDS each, default 30; 0 skips), and the Debian package when
# testing the system PostgreSQL (STREAMSTAT_DEB).  Prints the diffs of what failed and
# ends with one line "N passed, N failed".  Exit status 0 only if all passed.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages
build_and_install
setup_run_user

WORK="${STREAMSTAT_WORK:-$ROOT/.work/test}"
fresh_workdir "$WORK"
PGXS_DIR=$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)
PASSED=0
FAILED=0
FAILURES=()

# Run prove verbosely into a log; count its "ok"/"not ok" lines, plus one
# failure per script that died or broke its plan without a failed subtest.  Shows the log
# without the passing lines.
run_prove() {
	local log=$1 label=$2; shift 2
	if "$@" >"$log" 2>&1; then :; else FAILURES+=("$label"); fi
	# PostgreSQL::Test::Utils prefixes TAP lines with "[time](elapsed) ".
	local tap='^(\[[^]]*\]\([^)]*\) )?\s*'
	grep -vE "${tap}ok [0-9]+" "$log" || true
	PASSED=$((PASSED + $(grep -cE "${tap}ok [0-9]+" "$log" || true)))
	FAILED=$((FAILED + $(grep -cE "${tap}not ok [0-9]+" "$log" || true)))
	# Scripts in prove's summary with no failed subtest died or broke the plan.
	FAILED=$((FAILED + $(grep -cE '\(Wstat: [0-9]+.*Failed: 0\)' "$log" || true)))
}

# 1. C unit tests (pure C parts: the line-protocol parser).
say "unit tests"
make -C "$ROOT" -s unit PG_CONFIG="$PG_CONFIG" >/dev/null
mapfile -t UNIT < <(find "$ROOT/test/unit" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort)
if [ ${#UNIT[@]} -gt 0 ]; then
	run_prove "$WORK/unit.log" "unit tests: $WORK/unit.log" prove -v "${UNIT[@]}"
fi

# 1a. The pure-C boundary: src/protocol/ and src/storage/codecs/ include no
#     PostgreSQL header (scripts/pure_check.sh, one TAP line per file).
say "pure-C boundary"
run_prove "$WORK/pure.log" "pure-C boundary: $WORK/pure.log" prove -v "$ROOT/scripts/pure_check.sh"

# 1b. The same unit tests under ASan + UBSan (clang-14; any report fails).
say "unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
install_packages clang-14 libfuzzer-14-dev
make -C "$ROOT" -s unit-san PG_CONFIG="$PG_CONFIG" >/dev/null
mapfile -t SAN < <(find "$ROOT/test/unit/san" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort)
if [ ${#SAN[@]} -gt 0 ]; then
	run_prove "$WORK/unit-san.log" "unit tests (ASan+UBSan): $WORK/unit-san.log" \
		env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		prove -v "${SAN[@]}"
fi

# 2. pg_regress on a temporary instance with streamstat preloaded.
say "pg_regress"
mapfile -t REGRESS < <(make -C "$ROOT" -s print-regress PG_CONFIG="$PG_CONFIG")
if as_run_user "$PGXS_DIR/src/test/regress/pg_regress" \
	--temp-instance="$WORK/regress/instance" \
	--temp-config="$ROOT/test/regress.conf" \
	--inputdir="$ROOT/test" --outputdir="$WORK/regress" \
	--bindir="$BINDIR" --load-extension=streamstat \
	--dbname=contrib_regression ${REGRESS[@]} >"$WORK/regress.log" 2>&1; then :; else
	FAILURES+=("pg_regress: $WORK/regress/regression.diffs")
fi
cat "$WORK/regress.log"
ok=$(grep -cE '\.\.\. ok|^ok [0-9]+ ' "$WORK/regress.log" || true)
bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$WORK/regress.log" || true)
if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
PASSED=$((PASSED + ok))
FAILED=$((FAILED + bad))
[ -s "$WORK/regress/regression.diffs" ] && cat "$WORK/regress/regression.diffs"

# 3. TAP tests of the worker and the cluster-level behaviour.
say "TAP tests"
as_run_user mkdir -p "$WORK/tap"
mapfile -t TAP < <(find "$ROOT/test/t" -maxdepth 1 -name '*.pl' | sort)
# The scale-out tests (test/t/*citus*.pl) need Citus installed for this
# PostgreSQL (scripts/citus.sh build); without it they are left out.
if [ ! -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ] ||
	[ ! -f "$("$PG_CONFIG" --sharedir)/extension/citus.control" ]; then
	mapfile -t TAP < <(printf '%s\n' "${TAP[@]}" | grep -v 'citus')
	echo "skipped: Citus not installed (see README)"
fi
run_prove "$WORK/tap.log" "TAP tests: $WORK/tap/tmp_check/log" \
	as_run_user env TESTDIR="$WORK/tap" PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
	STREAMSTAT_ROOT="$ROOT" \
	prove -v -I "$PGXS_DIR/src/test/perl" -I "$ROOT/test/lib" "${TAP[@]}"
if grep -q 'Failed\|Dubious' "$WORK/tap.log"; then
	for f in "$WORK"/tap/tmp_check/log/regress_log_*; do
		[ -f "$f" ] || continue
		grep -q 'not ok' "$f" && { echo "---- $f (tail)"; tail -n 60 "$f"; }
	done
fi

# 4. A short libFuzzer run (ASan + UBSan) of each target over its seed
#    corpus: the line-protocol parser, the HTTP parser with gzip bodies, the
#    authentication handshake, the column codecs; FUZZ_SECONDS (each) = 0 skips them.
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
if [ "$FUZZ_SECONDS" -gt 0 ]; then
	for target in ilp http auth codecs; do
		say "fuzzing $target for ${FUZZ_SECONDS}s"
		if FUZZ_WORK="$WORK/fuzz" "$ROOT/scripts/fuzz.sh" "$FUZZ_SECONDS" "$target" >"$WORK/fuzz_$target.log" 2>&1; then
			PASSED=$((PASSED + 1))
			grep -E '^stat::number_of_executed_units' "$WORK/fuzz_$target.log" || true
		else
			FAILED=$((FAILED + 1))
			FAILURES+=("fuzzer $target: $WORK/fuzz_$target.log")
			tail -n 40 "$WORK/fuzz_$target.log"
		fi
	done
fi

# 5. The Debian package (scripts/deb.sh --install): built, its contents
#    checked, installed into the system PostgreSQL, CREATE EXTENSION from
#    it, removed.  Only when testing the system PostgreSQL (the default, as
#    CI does), since dpkg changes the shared system directories; the tree is
#    installed there again afterwards.  STREAMSTAT_DEB=1 forces it, 0 skips.
STREAMSTAT_DEB=${STREAMSTAT_DEB:-auto}
SYSTEM_PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
if [ "$STREAMSTAT_DEB" = auto ]; then
	[ "$(realpath "$PG_CONFIG")" = "$SYSTEM_PG_CONFIG" ] && STREAMSTAT_DEB=1 || STREAMSTAT_DEB=0
fi
if [ "$STREAMSTAT_DEB" = 1 ]; then
	say "Debian package"
	run_prove "$WORK/deb.log" "Debian package: $WORK/deb.log" \
		env STREAMSTAT_WORK="$WORK" "$ROOT/scripts/deb.sh" --install
	[ "$(realpath "$PG_CONFIG")" = "$SYSTEM_PG_CONFIG" ] && build_and_install
else
	say "Debian package: skipped (PG_CONFIG is not the system PostgreSQL; STREAMSTAT_DEB=1 forces it)"
fi

echo
for f in "${FAILURES[@]}"; do echo "FAILED: $f"; done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ ${#FAILURES[@]} -eq 0 ]
