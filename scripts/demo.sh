#!/usr/bin/env bash
# scripts/demo.sh — streamstat end to end on a throwaway local cluster.
#
# Installs what is missing, builds and installs the extension, starts a
# PostgreSQL cluster in .demo/ (never the system cluster, never port 5432)
# with streamstat preloaded, generates sensor readings (the socket ingest
# worker is not built yet; once it is, the readings will be streamed to it),
# and prints windowed statistics and a regression computed from them.  The cluster stays up for you to explore;
# the last lines say how to connect and how to stop it.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages
build_and_install
setup_run_user

DEMO="$ROOT/.demo"
ILP_PORT=$(free_port 9009)
say "starting a throwaway cluster in $DEMO"
start_cluster "$DEMO" <<CONF
streamstat.port = $ILP_PORT
streamstat.flush_interval = 100ms
streamstat.partition_interval = 1h
CONF
run_psql -d postgres -c 'CREATE EXTENSION streamstat' 2>/dev/null

say "generating six hours of readings from three sensors and analysing them"
run_psql -d postgres -f "$ROOT/scripts/demo.sql"

cat <<MSG

The cluster is still running.
  connect:  $( [ "$(id -u)" -eq 0 ] && echo "sudo -u $RUN_USER " )$BINDIR/psql -h $PGSOCK -p $PGPORT -U postgres postgres
  stop:     $( [ "$(id -u)" -eq 0 ] && echo "sudo -u $RUN_USER " )$BINDIR/pg_ctl -D $DEMO/data stop
MSG
