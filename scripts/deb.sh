#!/usr/bin/env bash
# scripts/deb.sh — build the Debian package postgresql-15-streamstat and check it.
#
#   scripts/deb.sh             build the .deb and check what it contains
#   scripts/deb.sh --install   also install it (dpkg -i into the system
#                              PostgreSQL 15), CREATE EXTENSION on a throwaway
#                              cluster with streamstat preloaded, update from
#                              0.1, then remove the package again (--keep: leave
#                              it installed)
#
# Installs the build dependencies (dpkg-dev, debhelper, postgresql-server-dev-all),
# copies the tree (tracked and untracked, not ignored files) to
# $STREAMSTAT_WORK/deb (default .work/deb) and runs `dpkg-buildpackage -us -uc -b`
# there, so the .deb and the build's leftovers stay out of the tree; the
# package build itself runs `make installcheck` on a temporary server
# (pg_virtualenv).  Prints one TAP line ("ok N - ...") per check; exit status
# 0 only if all passed.  The .deb is left in $STREAMSTAT_WORK/deb.
#
# The package owns the same paths as `make install` into the system
# PostgreSQL: installing it replaces such files, and removing it deletes
# them (scripts/test.sh installs the tree again afterwards).

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

INSTALL=0
KEEP=0
for a in "$@"; do
	case "$a" in
		--install) INSTALL=1 ;;
		--keep) INSTALL=1; KEEP=1 ;;
		*) echo "usage: $0 [--install [--keep]]" >&2; exit 2 ;;
	esac
done

# The package installs into the system PostgreSQL: build and check against it.
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
PKG=postgresql-$PG_MAJOR-streamstat
N=0
NFAILED=0
check() {
	local what=$1; shift
	N=$((N + 1))
	if "$@"; then echo "ok $N - $what"; else echo "not ok $N - $what"; NFAILED=$((NFAILED + 1)); fi
}

install_packages dpkg-dev debhelper postgresql-server-dev-all

WORK="${STREAMSTAT_WORK:-$ROOT/.work}/deb"
VERSION=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
SRC="$WORK/streamstat-$VERSION"
fresh_workdir "$WORK"
mkdir -p "$SRC"
say "copying the tree to $SRC"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$SRC")
# pg_virtualenv runs the package's installcheck as the postgres user when root.
[ "$(id -u)" -eq 0 ] && id -u postgres >/dev/null 2>&1 && chown -R postgres "$WORK"

say "dpkg-buildpackage -us -uc -b (version $VERSION)"
build() { (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; }
check "dpkg-buildpackage -us -uc -b builds (log: $WORK/build.log)" build || tail -n 60 "$WORK/build.log"
DEB=$(ls "$WORK"/"${PKG}"_*.deb 2>/dev/null | head -n 1 || true)
check "the package $PKG is built" test -n "$DEB"
check "the build ran the regression suite without the preload (make installcheck)" \
	grep -q 'tests passed' "$WORK/build.log"

if [ -n "$DEB" ]; then
	dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$WORK/contents.txt"
	EXTDIR=/usr/share/postgresql/$PG_MAJOR/extension
	LIBDIR=/usr/lib/postgresql/$PG_MAJOR/lib
	EXTVERSION=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$ROOT/streamstat.control")
	want=("$LIBDIR/streamstat.so" "$EXTDIR/streamstat.control" "$EXTDIR/streamstat--$EXTVERSION.sql")
	while IFS= read -r f; do want+=("$EXTDIR/$(basename "$f")"); done < <(git -C "$ROOT" ls-files 'sql/streamstat--*.sql')
	for f in "${want[@]}"; do
		check "the package holds $f" grep -qxF "$f" "$WORK/contents.txt"
	done
	outside() {
		! grep -vxE '/|/usr/|/usr/(lib|share)/|/usr/share/doc/|/usr/(lib|share)/postgresql/' "$WORK/contents.txt" |
			grep -vE "^/usr/(lib|share)/postgresql/$PG_MAJOR/|^/usr/share/doc/$PKG/"
	}
	check "nothing outside PostgreSQL $PG_MAJOR's directories and the docs" outside
	check "the package is named $PKG" test "$(dpkg-deb -f "$DEB" Package)" = "$PKG"
	check "it depends on postgresql-$PG_MAJOR" grep -q "postgresql-$PG_MAJOR" <<<"$(dpkg-deb -f "$DEB" Depends)"
fi

if [ "$INSTALL" -eq 1 ] && [ -n "$DEB" ]; then
	say "installing $DEB into the system PostgreSQL $PG_MAJOR"
	apt_quiet() {
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq "$@" >>"$WORK/install.log" 2>&1
	}
	check "dpkg -i installs the package (with its dependencies)" apt_quiet install --no-install-recommends --reinstall "$DEB"
	check "dpkg knows the package's files" test "$(dpkg -S "/usr/lib/postgresql/$PG_MAJOR/lib/streamstat.so" | cut -d: -f1)" = "$PKG"
	setup_run_user
	start_cluster "$WORK/cluster" <<<"streamstat.port = $(free_port 19009)
streamstat.http_port = 0"
	check "CREATE EXTENSION streamstat from the package" run_psql -d postgres -c 'CREATE EXTENSION streamstat'
	check "the packaged extension is $EXTVERSION" test "$(run_psql -d postgres -Atc "SELECT extversion FROM pg_extension WHERE extname = 'streamstat'")" = "$EXTVERSION"
	check "its aggregates answer" test "$(run_psql -d postgres -Atc 'SELECT num_vals(stats_agg(x)) || sparkline(x ORDER BY x) FROM generate_series(1, 8) x')" = "8▁▂▃▄▅▆▇█"
	worker_runs() {
		for _ in $(seq 1 300); do
			[ "$(run_psql -d postgres -Atc 'SELECT bool_and(pid IS NOT NULL) FROM streamstat.ingest_stats')" = t ] && return 0
			sleep 0.1
		done
		return 1
	}
	check "the preloaded ingest worker runs" worker_runs
	run_psql -d postgres -c 'CREATE DATABASE upgrade' >/dev/null
	check "CREATE EXTENSION streamstat VERSION '0.1' then ALTER EXTENSION UPDATE" \
		run_psql -d upgrade -c "CREATE EXTENSION streamstat VERSION '0.1'" -c 'ALTER EXTENSION streamstat UPDATE'
	as_run_user pg_ctl -D "$WORK/cluster/data" stop -m fast >/dev/null
	if [ "$KEEP" -eq 0 ]; then
		check "the package removes cleanly" apt_quiet purge "$PKG"
		check "and leaves no file of it behind" test ! -e "/usr/lib/postgresql/$PG_MAJOR/lib/streamstat.so"
	fi
fi

echo "1..$N"
[ "$NFAILED" -eq 0 ]
