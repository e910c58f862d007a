/*
 * gapfill.c
 *		Window functions that fill the holes of a time series: locf(value)
 *		carries the last non-NULL value forward, interpolate(value, ts) draws
 *		a straight line between the previous and the next non-NULL values.
 *
 * They run over the rows of a query such as
 *		SELECT b.time, locf(avg(v)) OVER (ORDER BY b.time)
 *		  FROM buckets(...) b LEFT JOIN t ON time_bucket(...) = b.time ...
 * so any WHERE clause, join or grouping works (no custom scan node).
 *
 * Both are real C window functions over the partition, independent of the
 * frame.  PostgreSQL calls them for each row in partition order, so they
 * remember, in partition-local memory, the last non-NULL value seen (no
 * look-back); interpolate also looks ahead, once per run of NULLs, for the
 * next non-NULL value and remembers where it is, so a partition costs O(rows)
 * in all.  They mark the current row as the oldest they will read again, so
 * the window's tuplestore can let go of the rows behind.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "windowapi.h"

/* locf's memory of a partition. */
typedef struct LocfState
{
	int64		nextpos;		/* position expected next */
	bool		have;			/* is value set? */
	Datum		value;			/* last non-NULL value (a copy) */
	int16		typlen;
	bool		typbyval;
	bool		typknown;
} LocfState;

/* locf(value anyelement): the last non-NULL value up to this row. */
PG_FUNCTION_INFO_V1(streamstat_locf);
Datum
streamstat_locf(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	LocfState  *st = (LocfState *) WinGetPartitionLocalMemory(winobj, sizeof(LocfState));
	int64		pos = WinGetCurrentPosition(winobj);
	bool		isnull;
	Datum		v;

	if (!st->typknown)
	{
		get_typlenbyval(get_fn_expr_argtype(fcinfo->flinfo, 0), &st->typlen, &st->typbyval);
		st->typknown = true;
	}
	if (pos != st->nextpos)
		elog(ERROR, "locf called out of row order (row " INT64_FORMAT ", expected " INT64_FORMAT ")",
			 pos, st->nextpos);
	st->nextpos = pos + 1;
	WinSetMarkPosition(winobj, pos);

	v = WinGetFuncArgCurrent(winobj, 0, &isnull);
	if (!isnull)
	{
		/* keep a copy in the partition's memory, where st lives */
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(st));

		if (st->have && !st->typbyval)
			pfree(DatumGetPointer(st->value));
		st->value = datumCopy(v, st->typbyval, st->typlen);
		st->have = true;
		MemoryContextSwitchTo(old);
		PG_RETURN_DATUM(v);
	}
	if (!st->have)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(datumCopy(st->value, st->typbyval, st->typlen));
}

/* interpolate's memory of a partition. */
typedef struct InterpState
{
	int64		nextpos;		/* position expected next */
	bool		have_prev;		/* previous anchor (non-NULL value and time) */
	double		prev_value;
	TimestampTz prev_time;
	int64		next_pos;		/* position of the next anchor, if > current */
	bool		next_none;		/* no anchor from next_pos to the end */
	double		next_value;
	TimestampTz next_time;
} InterpState;

/*
 * The first anchor (row with non-NULL value and time) at or after position
 * from; false if there is none to the end of the partition.
 */
static bool
find_next_anchor(WindowObject winobj, int64 from, int64 *pos, double *value,
				 TimestampTz *time)
{
	for (int64 k = from;; k++)
	{
		bool		vnull,
					tnull,
					isout;
		Datum		v = WinGetFuncArgInPartition(winobj, 0, k, WINDOW_SEEK_HEAD,
												 false, &vnull, &isout);
		Datum		t;

		if (isout)
			return false;
		if (vnull)
			continue;
		t = WinGetFuncArgInPartition(winobj, 1, k, WINDOW_SEEK_HEAD, false,
									 &tnull, &isout);
		if (tnull || TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(t)))
			continue;
		*pos = k;
		*value = DatumGetFloat8(v);
		*time = DatumGetTimestampTz(t);
		return true;
	}
}

/*
 * interpolate(value float8, ts timestamptz): the value where it is not
 * NULL; else linear in ts between the previous and the next rows whose
 * value and ts are not NULL (and ts finite); NULL before the first and
 * after the last, and where ts is NULL or infinite.
 */
PG_FUNCTION_INFO_V1(streamstat_interpolate);
Datum
streamstat_interpolate(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	InterpState *st = (InterpState *) WinGetPartitionLocalMemory(winobj, sizeof(InterpState));
	int64		pos = WinGetCurrentPosition(winobj);
	bool		vnull,
				tnull;
	Datum		v,
				t;
	TimestampTz ts;
	double		frac;

	if (pos != st->nextpos)
		elog(ERROR, "interpolate called out of row order (row " INT64_FORMAT ", expected " INT64_FORMAT ")",
			 pos, st->nextpos);
	st->nextpos = pos + 1;
	WinSetMarkPosition(winobj, pos);

	v = WinGetFuncArgCurrent(winobj, 0, &vnull);
	t = WinGetFuncArgCurrent(winobj, 1, &tnull);
	if (!tnull && TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(t)))
		tnull = true;			/* infinite times are no anchors either */
	if (!vnull)
	{
		if (!tnull)
		{
			st->have_prev = true;
			st->prev_value = DatumGetFloat8(v);
			st->prev_time = DatumGetTimestampTz(t);
		}
		PG_RETURN_DATUM(v);
	}
	if (tnull || !st->have_prev || st->next_none)
		PG_RETURN_NULL();
	if (st->next_pos <= pos &&
		!find_next_anchor(winobj, pos + 1, &st->next_pos, &st->next_value,
						  &st->next_time))
	{
		st->next_none = true;
		PG_RETURN_NULL();
	}
	ts = DatumGetTimestampTz(t);
	if (st->next_time == st->prev_time)
		PG_RETURN_FLOAT8(st->prev_value);
	frac = (double) (ts - st->prev_time) / (double) (st->next_time - st->prev_time);
	PG_RETURN_FLOAT8(st->prev_value + (st->next_value - st->prev_value) * frac);
}
