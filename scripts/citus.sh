#!/usr/bin/env bash
# scripts/citus.sh — Citus for streamstat's scale-out: build it from source,
# and run a local cluster (a coordinator and two worker nodes).
#
#   CITUS_SRC=/path/to/citus scripts/citus.sh build
#       Builds Citus 13.x (the last series that supports PostgreSQL 15) from
#       CITUS_SRC, a checkout of github.com/citusdata/citus at a v13 tag
#       (e.g. v13.2.2), and installs it into the PostgreSQL that PG_CONFIG
#       names.  The checkout is copied to a build directory first, so it is
#       left as it was.  Installs the Debian build dependencies it needs.
#   scripts/citus.sh start [DIR]
#       Builds and installs streamstat, then starts a coordinator and two
#       workers in DIR (default .citus/) on free localhost ports, each with
#       shared_preload_libraries = 'citus,streamstat', registers the
#       workers and creates citus and streamstat in database "postgres" on
#       every node.  Prints how to connect.
#   scripts/citus.sh stop [DIR]
#       Stops the three nodes of DIR.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CITUS_BUILD=${CITUS_BUILD:-$ROOT/.work/citus-build}

# Whether Citus is installed for the PostgreSQL of PG_CONFIG.
citus_installed() {
	[ -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ] &&
		[ -f "$("$PG_CONFIG" --sharedir)/extension/citus.control" ]
}

citus_build() {
	[ -n "${CITUS_SRC:-}" ] && [ -f "$CITUS_SRC/configure" ] || {
		echo "CITUS_SRC must name a checkout of citusdata/citus at a v13 tag (e.g. v13.2.2)" >&2
		exit 1
	}
	install_packages libkrb5-dev liblz4-dev libzstd-dev libcurl4-openssl-dev
	say "copying $CITUS_SRC to $CITUS_BUILD"
	rm -rf "$CITUS_BUILD"
	mkdir -p "$CITUS_BUILD"
	cp -a "$CITUS_SRC/." "$CITUS_BUILD/"
	# PostgreSQL 15.18 and later export have_createdb_privilege() from
	# commands/dbcommands.h; Citus 13.2.2's compatibility header also defines
	# a static inline of that name for PostgreSQL < 16, which then fails to
	# compile.  Rename the local copy (the core function does the same).
	local pgnum
	pgnum=$("$PG_CONFIG" --version | sed -n 's/^PostgreSQL 15\.\([0-9]*\).*/\1/p')
	if [ -n "$pgnum" ] && [ "$pgnum" -ge 18 ]; then
		say "renaming Citus's own have_createdb_privilege (PostgreSQL 15.$pgnum exports it)"
		sed -i 's/^have_createdb_privilege(void)$/citus_local_have_createdb_privilege(void)/' \
			"$CITUS_BUILD/src/include/pg_version_compat.h"
	fi
	say "configuring and building Citus (this takes a while)"
	(cd "$CITUS_BUILD" && ./configure PG_CONFIG="$PG_CONFIG" >configure.log &&
		make -s -j"$(nproc)" >build.log)
	say "installing Citus into $("$PG_CONFIG" --pkglibdir)"
	(cd "$CITUS_BUILD" && as_root make -s install >install.log)
	citus_installed
}

# Start one node in $1/$2 on a free port (first one at or above $3), its
# line-protocol and HTTP listeners on free ports too (written to $1/$2.ports).
start_node() {
	local dir=$1/$2 port ilp http
	port=$(free_port "$3")
	ilp=$(free_port 19009)
	while [ "$ilp" = "$port" ] || grep -qx "$ilp" "$1"/*.ports 2>/dev/null; do ilp=$(free_port $((ilp + 1))); done
	http=$(free_port $((ilp + 1)))
	while [ "$http" = "$port" ] || grep -qx "$http" "$1"/*.ports 2>/dev/null; do http=$(free_port $((http + 1))); done
	printf '%s\n' "$port" "$ilp" "$http" >"$1/$2.ports"
	as_run_user initdb -D "$dir" -A trust -U postgres -E UTF8 --no-locale >"$1/$2-initdb.log"
	{
		echo "port = $port"
		echo "streamstat.port = $ilp"
		echo "streamstat.http_port = $http"
		echo "listen_addresses = 'localhost'"
		echo "unix_socket_directories = '$SOCK'"
		echo "shared_preload_libraries = 'citus,streamstat'"
		echo "max_prepared_transactions = 20"
		echo "wal_level = logical"
	} >>"$dir/postgresql.conf"
	as_run_user pg_ctl -D "$dir" -l "$1/$2.log" -w start >/dev/null
	echo "$port"
}

citus_start() {
	local dir=${1:-$ROOT/.citus}
	citus_installed || { echo "skipped: Citus not installed (see README)"; exit 1; }
	build_and_install
	setup_run_user
	fresh_workdir "$dir"
	SOCK=$dir
	[ ${#SOCK} -gt 80 ] && { SOCK=$(mktemp -d /tmp/streamstat-citus.XXXXXX); [ "$(id -u)" -eq 0 ] && chown "$RUN_USER" "$SOCK"; }
	echo "$SOCK" >"$dir/socket"
	local coord w1 w2 p
	coord=$(start_node "$dir" coordinator 55432)
	w1=$(start_node "$dir" worker1 $((coord + 1)))
	w2=$(start_node "$dir" worker2 $((w1 + 1)))
	for p in "$coord" "$w1" "$w2"; do
		as_run_user psql -X -q -h "$SOCK" -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 \
			-c 'CREATE EXTENSION citus' -c 'CREATE EXTENSION streamstat'
	done
	as_run_user psql -X -q -h "$SOCK" -p "$coord" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-c "SELECT citus_set_coordinator_host('localhost', $coord)" \
		-c "SELECT citus_add_node('localhost', $w1)" \
		-c "SELECT citus_add_node('localhost', $w2)" >/dev/null
	printf '%s\n' "$coord" "$w1" "$w2" >"$dir/ports"
	say "Citus cluster in $dir: coordinator on port $coord, workers on $w1 and $w2"
	echo "line protocol / HTTP: coordinator $(sed -n 2p "$dir/coordinator.ports") / $(sed -n 3p "$dir/coordinator.ports"), worker1 $(sed -n 2p "$dir/worker1.ports") / $(sed -n 3p "$dir/worker1.ports"), worker2 $(sed -n 2p "$dir/worker2.ports") / $(sed -n 3p "$dir/worker2.ports")"
	echo "connect: psql -h $SOCK -p $coord -U postgres postgres"
	echo "stop:    scripts/citus.sh stop $dir"
}

citus_stop() {
	local dir=${1:-$ROOT/.citus} n
	setup_run_user
	for n in coordinator worker1 worker2; do
		[ -f "$dir/$n/postmaster.pid" ] && as_run_user pg_ctl -D "$dir/$n" -m fast stop >/dev/null
	done
	return 0
}

case "${1:-}" in
build) citus_build ;;
start) citus_start "${2:-}" ;;
stop) citus_stop "${2:-}" ;;
*)
	echo "usage: CITUS_SRC=DIR $0 build | $0 start [DIR] | $0 stop [DIR]" >&2
	exit 2
	;;
esac
