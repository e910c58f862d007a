/*
 * streamstat.c
 *		Module entry point: settings, and the ingest workers when preloaded.
 *
 * The analytics functions need nothing from here and work after a plain
 * CREATE EXTENSION.  The ingest workers need shared memory and a postmaster
 * that starts them, so they are registered only when the library is loaded
 * through shared_preload_libraries.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"

#include "streamstat.h"
#include "protocol/ilp.h"
#include "ingest/ingest_stats.h"
#include "net/tls.h"
#include "ingest/worker.h"
#include "rollup/rollup.h"

PG_MODULE_MAGIC;

char	   *streamstat_database = NULL;
char	   *streamstat_role = NULL;
char	   *streamstat_listen_addresses = NULL;
int			streamstat_port = 9009;
int			streamstat_workers = 1;
int			streamstat_http_port = 8086;
int			streamstat_max_connections = 256;
int			streamstat_flush_interval_ms = 200;
int			streamstat_batch_rows = 50000;
int			streamstat_max_line_bytes = 1024 * 1024;
int			streamstat_worker_memory_kb = 256 * 1024;
char	   *streamstat_schema = NULL;
int			streamstat_partition_interval_s = 86400;
bool		streamstat_auto_create = true;
bool		streamstat_multi_insert = true;
bool		streamstat_time_index = true;
char	   *streamstat_distribute_by = NULL;
int			streamstat_precision = ILP_PRECISION_NS;
int			streamstat_max_body_bytes = 32 * 1024 * 1024;
int			streamstat_require_auth = STREAMSTAT_REQUIRE_AUTH_AUTO;
int			streamstat_http_timeout_ms = 10 * 1000;
int			streamstat_maintenance_interval_ms = 60 * 1000;
int			streamstat_ssl = STREAMSTAT_SSL_OFF;
char	   *streamstat_ssl_cert_file = NULL;
char	   *streamstat_ssl_key_file = NULL;
char	   *streamstat_ssl_ca_file = NULL;
int			streamstat_ssl_min_protocol_version = STREAMSTAT_TLS_1_2;
bool		streamstat_preloaded = false;

static const struct config_enum_entry precision_options[] = {
	{"ns", ILP_PRECISION_NS, false},
	{"us", ILP_PRECISION_US, false},
	{"ms", ILP_PRECISION_MS, false},
	{"s", ILP_PRECISION_S, false},
	{NULL, 0, false}
};

static const struct config_enum_entry require_auth_options[] = {
	{"auto", STREAMSTAT_REQUIRE_AUTH_AUTO, false},
	{"on", STREAMSTAT_REQUIRE_AUTH_ON, false},
	{"off", STREAMSTAT_REQUIRE_AUTH_OFF, false},
	{"true", STREAMSTAT_REQUIRE_AUTH_ON, true},
	{"false", STREAMSTAT_REQUIRE_AUTH_OFF, true},
	{"yes", STREAMSTAT_REQUIRE_AUTH_ON, true},
	{"no", STREAMSTAT_REQUIRE_AUTH_OFF, true},
	{"1", STREAMSTAT_REQUIRE_AUTH_ON, true},
	{"0", STREAMSTAT_REQUIRE_AUTH_OFF, true},
	{NULL, 0, false}
};

static const struct config_enum_entry ssl_options[] = {
	{"off", STREAMSTAT_SSL_OFF, false},
	{"on", STREAMSTAT_SSL_ON, false},
	{"require", STREAMSTAT_SSL_REQUIRE, false},
	{"false", STREAMSTAT_SSL_OFF, true},
	{"true", STREAMSTAT_SSL_ON, true},
	{NULL, 0, false}
};

static const struct config_enum_entry tls_version_options[] = {
	{"TLSv1.2", STREAMSTAT_TLS_1_2, false},
	{"TLSv1.3", STREAMSTAT_TLS_1_3, false},
	{NULL, 0, false}
};

void		_PG_init(void);

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* Reserve the ingest workers' shared memory. */
static void
streamstat_shmem_request(void)
{
#if PG_VERSION_NUM >= 150000
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	ingest_stats_shmem_request();
}

/* Set up the ingest workers' shared memory. */
static void
streamstat_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	ingest_stats_shmem_startup();
}

/*
 * Define the settings only the ingest workers read.  PostgreSQL refuses
 * (FATAL) to create PGC_POSTMASTER settings after startup, which is when
 * CREATE EXTENSION loads an unpreloaded library for the analytics
 * functions, so these exist only when preloaded.
 */
static void
define_postmaster_settings(void)
{
	DefineCustomStringVariable("streamstat.database",
							   "Database the ingest workers connect to and write into.",
							   NULL,
							   &streamstat_database,
							   "postgres",
							   PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("streamstat.role",
							   "Role the ingest workers write as; empty means the bootstrap superuser.",
							   NULL,
							   &streamstat_role,
							   "",
							   PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("streamstat.listen_addresses",
							   "Comma-separated addresses the line-protocol listener binds; '*' means all.",
							   NULL,
							   &streamstat_listen_addresses,
							   "localhost",
							   PGC_POSTMASTER, GUC_LIST_INPUT,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.port",
							"TCP port of the line-protocol listener; 0 disables it.",
							NULL,
							&streamstat_port,
							9009, 0, 65535,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.workers",
							"Number of ingest workers; they share the listening port (SO_REUSEPORT).",
							NULL,
							&streamstat_workers,
							1, 0, 64,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.http_port",
							"TCP port of the InfluxDB-compatible HTTP write API; 0 disables it.",
							NULL,
							&streamstat_http_port,
							8086, 0, 65535,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
}

/* Define every other streamstat.* setting, preloaded or not. */
static void
define_settings(void)
{
	DefineCustomIntVariable("streamstat.max_connections",
							"Maximum concurrent client connections per ingest worker.",
							NULL,
							&streamstat_max_connections,
							256, 1, 65536,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.flush_interval",
							"Longest time a received row waits before it is written.",
							NULL,
							&streamstat_flush_interval_ms,
							200, 1, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.batch_rows",
							"Buffered rows that trigger a flush before flush_interval elapses.",
							NULL,
							&streamstat_batch_rows,
							50000, 1, 10 * 1000 * 1000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.max_line_bytes",
							"Longest accepted line; longer lines are rejected and skipped.",
							NULL,
							&streamstat_max_line_bytes,
							1024 * 1024, 1024, 64 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.worker_memory",
							"Memory an ingest worker may buffer before it stops reading from clients.",
							NULL,
							&streamstat_worker_memory_kb,
							256 * 1024, 1024, INT_MAX / 2,
							PGC_SIGHUP, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomStringVariable("streamstat.schema",
							   "Schema where measurement tables are found and created.",
							   NULL,
							   &streamstat_schema,
							   "public",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.partition_interval",
							"Time range covered by one partition of a measurement table.",
							NULL,
							&streamstat_partition_interval_s,
							86400, 60, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("streamstat.auto_create",
							 "Create tables and add columns for new measurements and keys.",
							 NULL,
							 &streamstat_auto_create,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("streamstat.multi_insert",
							 "Write rows with the table's multi-insert where possible, else with COPY.",
							 "Off: every table is written through COPY FROM, as before 0.2.",
							 &streamstat_multi_insert,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("streamstat.time_index",
							 "Give every table and rollup streamstat creates a BRIN index on \"time\".",
							 "Made on the partitioned table when streamstat creates it, so that "
							 "PostgreSQL adds it to every partition; off: no index on new tables.",
							 &streamstat_time_index,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("streamstat.distribute_by",
							   "Tag key that shards new measurement tables on Citus (empty: local tables).",
							   "When set and the citus extension exists in streamstat.database, "
							   "tables created for new measurements are distributed tables sharded by this tag.",
							   &streamstat_distribute_by,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	DefineCustomEnumVariable("streamstat.precision",
							 "Unit of line-protocol timestamps: ns, us, ms or s.",
							 NULL,
							 &streamstat_precision,
							 ILP_PRECISION_NS,
							 precision_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.max_body_bytes",
							"Largest HTTP request body, before and after gzip decompression.",
							NULL,
							&streamstat_max_body_bytes,
							32 * 1024 * 1024, 1024, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("streamstat.require_auth",
							 "Whether writes need a token (HTTP) or a key (line protocol over TCP): on, off, or auto (on unless listen_addresses is loopback-only).",
							 NULL,
							 &streamstat_require_auth,
							 STREAMSTAT_REQUIRE_AUTH_AUTO,
							 require_auth_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.http_timeout",
							"Longest an HTTP connection may stay idle, or take to send one request.",
							NULL,
							&streamstat_http_timeout_ms,
							10 * 1000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("streamstat.maintenance_interval",
							"Time between two passes of the maintenance worker (retention); 0 turns them off.",
							NULL,
							&streamstat_maintenance_interval_ms,
							60 * 1000, 0, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("streamstat.ssl",
							 "TLS on the ingest ports: off, on (TLS and clear text), or require (clear text refused).",
							 NULL,
							 &streamstat_ssl,
							 STREAMSTAT_SSL_OFF,
							 ssl_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("streamstat.ssl_cert_file",
							   "TLS certificate (chain) file of the ingest ports; empty means PostgreSQL's ssl_cert_file.",
							   NULL,
							   &streamstat_ssl_cert_file,
							   "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("streamstat.ssl_key_file",
							   "TLS private key file of the ingest ports; empty means PostgreSQL's ssl_key_file.",
							   NULL,
							   &streamstat_ssl_key_file,
							   "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("streamstat.ssl_ca_file",
							   "CA file for client certificates on the ingest ports; when set, clients must present one it signed.",
							   NULL,
							   &streamstat_ssl_ca_file,
							   "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomEnumVariable("streamstat.ssl_min_protocol_version",
							 "Oldest TLS version the ingest ports accept: TLSv1.2 or TLSv1.3.",
							 NULL,
							 &streamstat_ssl_min_protocol_version,
							 STREAMSTAT_TLS_1_2,
							 tls_version_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("streamstat");
#else
	EmitWarningsOnPlaceholders("streamstat");
#endif
}

void
_PG_init(void)
{
	if (process_shared_preload_libraries_in_progress)
		define_postmaster_settings();
	define_settings();

	if (!process_shared_preload_libraries_in_progress)
		return;

	streamstat_preloaded = true;

#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = streamstat_shmem_request;
#else
	streamstat_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = streamstat_shmem_startup;

	ingest_register();
	maintenance_register();
}
