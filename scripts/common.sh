# scripts/common.sh — shared set-up for scripts/demo.sh and scripts/test.sh.
#
# Installs what is missing (Debian packages only), builds and installs the
# extension, and works out which unprivileged user runs PostgreSQL: the
# caller when not root, the "postgres" system user when root (PostgreSQL
# refuses to run as root).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=${PG_MAJOR:-15}
PACKAGES=(make gcc "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR"
	zlib1g-dev libssl-dev openssl python3 libipc-run-perl perl curl ca-certificates nodejs)
# The BI client tests (test/t/05x): psycopg2, and JDBC with a JDK.
PACKAGES+=(python3-psycopg2 default-jdk-headless libpostgresql-jdbc-java)
# npm is a package of its own in Debian; nodejs builds that bundle it
# (NodeSource) conflict with that package, so ask for it only when missing.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install the Debian packages that are not installed yet.
install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	# Wait for a concurrent apt/dpkg (another script, unattended upgrades)
	# instead of failing on its lock.
	local lock=(-o DPkg::Lock::Timeout=600)
	as_root env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}

# Build with warnings as errors and install into the PostgreSQL tree.
build_and_install() {
	say "building streamstat (-Wall -Wextra -Werror)"
	make -C "$ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null
	say "installing streamstat into $($PG_CONFIG --pkglibdir)"
	as_root make -C "$ROOT" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}

BINDIR=""
RUN_USER=""

# Decide who runs the server, and let that user read the tree.
setup_run_user() {
	BINDIR=$("$PG_CONFIG" --bindir)
	if [ "$(id -u)" -ne 0 ]; then
		RUN_USER=$(id -un)
		return 0
	fi
	RUN_USER=postgres
	id -u "$RUN_USER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$RUN_USER"
	# The server user must reach the tree: let it traverse every parent
	# directory and read the sources, tests and expected output.
	local d="$ROOT"
	while [ "$d" != "/" ]; do
		[ -x "$d" ] && [ "$(stat -c %A "$d" | cut -c10)" = "x" ] || chmod o+x "$d"
		d=$(dirname "$d")
	done
	chmod -R o+rX "$ROOT/sql" "$ROOT/test" "$ROOT/scripts"
}

# Run a command as the server user, with PostgreSQL's binaries first on PATH.
as_run_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$RUN_USER" -- env PATH="$BINDIR:$PATH" HOME="$(getent passwd "$RUN_USER" | cut -d: -f6)" "$@"
	else
		env PATH="$BINDIR:$PATH" "$@"
	fi
}

# A directory owned by the server user, emptied of any earlier run: servers
# still running from an interrupted run are stopped first.
fresh_workdir() {
	local dir=$1 pidfile pid
	if [ -d "$dir" ]; then
		while IFS= read -r pidfile; do
			pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
			if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
				say "stopping a stale server (pid $pid) from an earlier run"
				as_run_user "$BINDIR/pg_ctl" -D "$(dirname "$pidfile")" stop -m immediate >/dev/null 2>&1 ||
					as_root kill -9 "$pid" 2>/dev/null || true
			fi
		done < <(find "$dir" -name postmaster.pid 2>/dev/null)
		as_root rm -rf "$dir"
	fi
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown -R "$RUN_USER" "$dir"
	return 0
}

# First free TCP port on 127.0.0.1 at or above $1.
free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

# Start a throwaway cluster in directory $1 (emptied first) as the server
# user, with streamstat preloaded and any further postgresql.conf lines read
# from standard input.  Sets PGSOCK and PGPORT; `run_psql` then reaches it.
start_cluster() {
	local dir=$1
	fresh_workdir "$dir"
	# Unix socket paths are limited to 107 bytes; fall back to /tmp if needed.
	PGSOCK=$dir
	if [ ${#PGSOCK} -gt 80 ]; then
		PGSOCK=$(mktemp -d /tmp/streamstat-sock.XXXXXX)
		[ "$(id -u)" -eq 0 ] && chown "$RUN_USER" "$PGSOCK"
	fi
	PGPORT=$(free_port 54329)
	as_run_user initdb -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log"
	{
		echo "port = $PGPORT"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PGSOCK'"
		echo "shared_preload_libraries = 'streamstat'"
		cat
	} >>"$dir/data/postgresql.conf"
	as_run_user pg_ctl -D "$dir/data" -l "$dir/postgres.log" -w start >/dev/null
}

# psql into the cluster of start_cluster, stopping at the first error.
run_psql() {
	as_run_user psql -X -q -h "$PGSOCK" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 "$@"
}
