/*
 * maintenance.c
 *		The maintenance worker: retention, off the path of a record.
 *
 * One background worker ("streamstat maintenance"), registered when the
 * library is preloaded, connects to streamstat.database and every
 * streamstat.maintenance_interval runs one pass:
 *
 *	- for each retention policy, in a transaction of its own,
 *	  streamstat.run_retention(table): partitions whose whole range is older
 *	  than now() - keep are dropped or detached, each waiting at most 1 s for
 *	  its lock (lock_timeout) and otherwise left for the next pass, each
 *	  removal logged and counted in streamstat.policies;
 *	- streamstat.rollup_maintenance(): the partitions of the current and
 *	  next slot of every rollup are made ahead of their rows, and the
 *	  activity rows of backends that exited are pruned.
 *
 * The skeleton is worker_spi's: shutdown and reload handlers from
 * postmaster/interrupt.h, a latch wait with postmaster death handled, and
 * each unit of work in a transaction that reports its statistics.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "streamstat.h"
#include "rollup/rollup.h"

/* Register the maintenance worker (from _PG_init, when preloaded). */
void
maintenance_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "streamstat");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "maintenance_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "streamstat maintenance");
	snprintf(worker.bgw_type, BGW_MAXLEN, "streamstat maintenance");
	RegisterBackgroundWorker(&worker);
}

/*
 * Run sql in a transaction of its own; when it is a SELECT of one oid
 * column, return those oids (in the caller's context).  An error is
 * logged and the pass goes on.
 */
static List *
maintenance_run(const char *sql)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile oids = NIL;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		int			rc;

		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, sql);
		rc = SPI_execute(sql, false, 0);
		if (rc < 0)
			elog(ERROR, "streamstat maintenance: SPI_execute failed (%d): %s", rc, sql);
		if (rc == SPI_OK_SELECT && SPI_tuptable->tupdesc->natts == 1 &&
			SPI_gettypeid(SPI_tuptable->tupdesc, 1) == OIDOID)
		{
			for (uint64 i = 0; i < SPI_processed; i++)
			{
				bool		isnull;
				Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
				MemoryContext old = MemoryContextSwitchTo(cxt);

				if (!isnull)
					oids = lappend_oid(oids, DatumGetObjectId(d));
				MemoryContextSwitchTo(old);
			}
		}
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return oids;
}

/* Whether this database has the 0.2 catalog (CREATE EXTENSION, UPDATE). */
static bool
maintenance_catalog_ready(void)
{
	bool		ready;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	ready = OidIsValid(get_extension_oid("streamstat", true));
	if (ready)
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		ready = DatumGetObjectId(DirectFunctionCall1(to_regprocedure,
													 PointerGetDatum(cstring_to_text("streamstat.run_retention(regclass)")))) != InvalidOid;
		PopActiveSnapshot();
	}
	CommitTransactionCommand();
	return ready;
}

/* One pass: each retention policy, then the rollups' partitions. */
static void
maintenance_pass(void)
{
	List	   *tables;
	ListCell   *lc;

	if (!maintenance_catalog_ready())
		return;
	tables = maintenance_run("SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', relation_schema, relation_name))::oid"
							 " FROM streamstat.retention_policies ORDER BY relation_schema, relation_name");
	foreach(lc, tables)
	{
		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			return;
		maintenance_run(psprintf("SELECT streamstat.run_retention(%u)", lfirst_oid(lc)));
	}
	maintenance_run("SELECT streamstat.rollup_maintenance()");
}

void
maintenance_worker_main(Datum main_arg)
{
	MemoryContext pass_cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(streamstat_database,
										 streamstat_role[0] ? streamstat_role : NULL, 0);
	/* Retention waits at most 1 s for a lock, then tries at the next pass. */
	SetConfigOption("lock_timeout", "1s", PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname("streamstat maintenance");
	pass_cxt = AllocSetContextCreate(TopMemoryContext, "streamstat maintenance pass",
									 ALLOCSET_DEFAULT_SIZES);

	while (!ShutdownRequestPending)
	{
		long		timeout;

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (streamstat_maintenance_interval_ms > 0)
		{
			MemoryContextSwitchTo(pass_cxt);
			maintenance_pass();
			MemoryContextSwitchTo(TopMemoryContext);
			MemoryContextReset(pass_cxt);
		}
		timeout = streamstat_maintenance_interval_ms > 0 ? streamstat_maintenance_interval_ms : 60000;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	proc_exit(0);
}
