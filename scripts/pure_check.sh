#!/usr/bin/env bash
# scripts/pure_check.sh — the pure-C boundary: no file of src/protocol/ (the
# wire protocols) or src/storage/codecs/ (the compression codecs) may include
# a PostgreSQL header, directly or through another header, so the unit tests
# and the fuzzers link them alone.  Compiles each file with -H (which lists
# every header opened) and without PostgreSQL's include directories; one TAP
# line per file, exit status 0 only if all pass.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CC=${CC:-cc}
cd "$ROOT"
mapfile -t FILES < <(ls src/protocol/*.[ch] src/storage/codecs/*.[ch] 2>/dev/null | sort)
echo "1..${#FILES[@]}"
n=0 bad=0
for f in "${FILES[@]}"; do
	n=$((n + 1))
	# Headers reach the compiler's -H list as ". path", ".. path", ...
	if ! hdrs=$("$CC" -fsyntax-only -H -Isrc -x c "$f" 2>&1 >/dev/null); then
		echo "not ok $n - $f compiles without PostgreSQL's headers"
		printf '#   %s\n' "$hdrs" | head -n 5
		bad=$((bad + 1))
		continue
	fi
	leak=$(printf '%s\n' "$hdrs" | sed -n 's/^\.\+ //p' |
		grep -E 'postgresql|/server/|^src/' | grep -vE '^src/(protocol|storage/codecs)/' || true)
	if [ -n "$leak" ]; then
		echo "not ok $n - $f includes only C and pure headers"
		printf '#   includes %s\n' $leak
		bad=$((bad + 1))
	else
		echo "ok $n - $f includes no PostgreSQL header"
	fi
done
[ "$bad" -eq 0 ]
