/*
 * ingest_stats.c
 *		Shared-memory counters of the ingest workers and the function behind
 *		the streamstat.ingest_stats view.
 *
 * Each worker counts in a local IngestCounters (no locking on its hot path)
 * and publishes a copy into its slot here once per pass of its event loop
 * and after each flush; the view reads the slots under their spinlocks.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "ingest/ingest_stats.h"

typedef struct IngestSlot
{
	slock_t		mutex;
	int			pid;			/* 0 when the worker is not running */
	IngestCounters counters;
} IngestSlot;

typedef struct IngestShared
{
	int			nslots;
	IngestSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} IngestShared;

static IngestShared *ingest_shared = NULL;
static IngestSlot *my_slot = NULL;

PG_FUNCTION_INFO_V1(streamstat_ingest_stats);
PG_FUNCTION_INFO_V1(streamstat_ingest_security_stats);

/* Bytes of shared memory for the configured number of workers. */
static Size
ingest_shmem_size(void)
{
	return add_size(offsetof(IngestShared, slots),
					mul_size(Max(streamstat_workers, 1), sizeof(IngestSlot)));
}

/* Reserve the slots (from shmem_request_hook). */
void
ingest_stats_shmem_request(void)
{
	RequestAddinShmemSpace(ingest_shmem_size());
}

/* Create or attach to the slots (from shmem_startup_hook). */
void
ingest_stats_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	ingest_shared = ShmemInitStruct("streamstat ingest stats",
									ingest_shmem_size(), &found);
	if (!found)
	{
		int			n = Max(streamstat_workers, 1);

		memset(ingest_shared, 0, ingest_shmem_size());
		ingest_shared->nslots = n;
		for (int i = 0; i < n; i++)
			SpinLockInit(&ingest_shared->slots[i].mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Clear our slot's pid when the worker exits. */
static void
ingest_stats_detach(int code, Datum arg)
{
	if (my_slot == NULL)
		return;
	SpinLockAcquire(&my_slot->mutex);
	my_slot->pid = 0;
	my_slot->counters.connections_open = 0;
	SpinLockRelease(&my_slot->mutex);
	my_slot = NULL;
}

/*
 * Claim the slot of worker number worker_no for this process; its counters
 * start from zero, as the worker's own do (a restarted worker never shows
 * its predecessor's counters under its own pid).
 */
void
ingest_stats_attach(int worker_no)
{
	if (ingest_shared == NULL || worker_no < 0 || worker_no >= ingest_shared->nslots)
		elog(ERROR, "streamstat ingest slot %d is not in shared memory", worker_no);
	my_slot = &ingest_shared->slots[worker_no];
	SpinLockAcquire(&my_slot->mutex);
	my_slot->pid = MyProcPid;
	memset(&my_slot->counters, 0, sizeof(my_slot->counters));
	SpinLockRelease(&my_slot->mutex);
	on_shmem_exit(ingest_stats_detach, (Datum) 0);
}

/* Copy the worker's counters into its slot. */
void
ingest_stats_publish(const IngestCounters *counters)
{
	if (my_slot == NULL)
		return;
	SpinLockAcquire(&my_slot->mutex);
	my_slot->counters = *counters;
	SpinLockRelease(&my_slot->mutex);
}

/*
 * streamstat_ingest_stats() returns one row per configured worker: its
 * number, pid (NULL when not running) and counters.
 */
Datum
streamstat_ingest_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (!streamstat_preloaded || ingest_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("streamstat ingest workers are not running"),
				 errhint("Add streamstat to shared_preload_libraries and restart PostgreSQL.")));

	InitMaterializedSRF(fcinfo, 0);

	for (int i = 0; i < ingest_shared->nslots; i++)
	{
		IngestSlot *slot = &ingest_shared->slots[i];
		IngestCounters c;
		int			pid;
		Datum		values[12];
		bool		nulls[12] = {0};

		SpinLockAcquire(&slot->mutex);
		pid = slot->pid;
		c = slot->counters;
		SpinLockRelease(&slot->mutex);

		values[0] = Int32GetDatum(i + 1);
		values[1] = Int32GetDatum(pid);
		nulls[1] = (pid == 0);
		values[2] = Int64GetDatum(c.connections_open);
		values[3] = Int64GetDatum(c.connections_total);
		values[4] = Int64GetDatum(c.bytes_received);
		values[5] = Int64GetDatum(c.lines_received);
		values[6] = Int64GetDatum(c.rows_inserted);
		values[7] = Int64GetDatum(c.lines_rejected);
		values[8] = Int64GetDatum(c.flushes);
		values[9] = TimestampTzGetDatum(c.last_flush);
		nulls[9] = (c.last_flush == 0);
		values[10] = Float8GetDatum(c.last_flush_ms);
		nulls[10] = (c.last_flush == 0);
		c.last_error[sizeof(c.last_error) - 1] = '\0';
		values[11] = CStringGetTextDatum(c.last_error);
		nulls[11] = (c.last_error[0] == '\0');

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * streamstat_ingest_security_stats() returns one row per configured
 * worker: its number and its counters of authentication failures, TLS and
 * clear-text connections (the columns ingest_stats appends).
 */
Datum
streamstat_ingest_security_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (!streamstat_preloaded || ingest_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("streamstat ingest workers are not running"),
				 errhint("Add streamstat to shared_preload_libraries and restart PostgreSQL.")));

	InitMaterializedSRF(fcinfo, 0);

	for (int i = 0; i < ingest_shared->nslots; i++)
	{
		IngestSlot *slot = &ingest_shared->slots[i];
		IngestCounters c;
		Datum		values[6];
		bool		nulls[6] = {0};

		SpinLockAcquire(&slot->mutex);
		c = slot->counters;
		SpinLockRelease(&slot->mutex);

		values[0] = Int32GetDatum(i + 1);
		values[1] = Int64GetDatum(c.auth_failures);
		values[2] = Int64GetDatum(c.tls_connections);
		values[3] = Int64GetDatum(c.tls_failures);
		values[4] = Int64GetDatum(c.cleartext_connections);
		values[5] = Int64GetDatum(c.cleartext_refused);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
