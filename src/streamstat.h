/*
 * streamstat.h
 *		Settings shared by the ingest and analytics halves of streamstat.
 *
 * Every streamstat.* GUC lives in streamstat.c; the ingest worker reads the
 * variables below directly.  Contexts: POSTMASTER for what shapes the
 * listener (it binds once), SIGHUP for what a running worker can adopt.
 */
#ifndef STREAMSTAT_H
#define STREAMSTAT_H

/* Listener shape: fixed at postmaster start. */
extern char *streamstat_database;
extern char *streamstat_role;
extern char *streamstat_listen_addresses;
extern int	streamstat_port;
extern int	streamstat_workers;
extern int	streamstat_http_port;

/* Reloadable on SIGHUP. */
extern int	streamstat_max_connections;
extern int	streamstat_flush_interval_ms;
extern int	streamstat_batch_rows;
extern int	streamstat_max_line_bytes;
extern int	streamstat_worker_memory_kb;
extern char *streamstat_schema;
extern int	streamstat_partition_interval_s;
extern bool streamstat_auto_create;
extern bool streamstat_multi_insert;
extern bool streamstat_time_index;
extern char *streamstat_distribute_by;
extern int	streamstat_precision;	/* an IlpPrecision */
extern int	streamstat_max_body_bytes;
extern int	streamstat_require_auth;	/* a StreamstatRequireAuth */
extern int	streamstat_http_timeout_ms;
extern int	streamstat_maintenance_interval_ms;	/* 0: no maintenance passes */
extern int	streamstat_ssl;		/* a StreamstatSslMode (ingest/tls.h) */
extern char *streamstat_ssl_cert_file;
extern char *streamstat_ssl_key_file;
extern char *streamstat_ssl_ca_file;
extern int	streamstat_ssl_min_protocol_version;	/* a StreamstatTlsVersion */

/* streamstat.require_auth: auto means on unless listen_addresses is
 * loopback-only (see streamstat_http_auth_required in ingest/auth.c). */
typedef enum StreamstatRequireAuth
{
	STREAMSTAT_REQUIRE_AUTH_AUTO,
	STREAMSTAT_REQUIRE_AUTH_ON,
	STREAMSTAT_REQUIRE_AUTH_OFF
} StreamstatRequireAuth;

/*
 * Microseconds between the Unix and the PostgreSQL epochs (the batch, the
 * writer's partitions and the rollup fold convert with it).
 */
#define UNIX_TO_PG_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* Set by _PG_init when loaded through shared_preload_libraries. */
extern bool streamstat_preloaded;

#endif							/* STREAMSTAT_H */
