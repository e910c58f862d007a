/*
 * buckets.c
 *		buckets(start, finish, width [, timezone]): the start of every
 *		time_bucket that holds a time in [start, finish), one row each, to
 *		LEFT JOIN aggregates onto so that charts have a row for every bucket.
 *
 * The values are time_bucket's own: every candidate is computed by calling
 * time_bucket (time_bucket.c) on an instant of the range, so months, origins,
 * time zones and daylight-saving changes give exactly what GROUP BY
 * time_bucket(...) gives.  The walk goes from start to finish by bucket:
 * from an instant t in bucket b it jumps to the instant c where the local
 * wall clock (UTC without a zone) reaches the end of t's local bucket, at
 * t's UTC offset.  If time_bucket(c - 1 microsecond) is still b, no other
 * bucket started in between (the instants of a bucket are contiguous);
 * otherwise (a clock change in between) a binary search finds the first
 * instant after t whose bucket differs.  So the cost is O(1) calls per
 * bucket, plus about 40 at each clock change.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

/* time_bucket's C entry points (time_bucket.c). */
extern Datum streamstat_time_bucket(PG_FUNCTION_ARGS);
extern Datum streamstat_time_bucket_zone(PG_FUNCTION_ARGS);

/* State of one buckets() call, kept across its rows. */
typedef struct BucketWalk
{
	Interval	width;
	text	   *zone;			/* NULL: buckets of UTC time */
	TimestampTz next;			/* instant where the walk continues */
	TimestampTz finish;
	TimestampTz last;			/* last bucket start returned */
	bool		any;			/* has one been returned? */
	FmgrInfo	zoned;			/* time_bucket(w, tstz, zone), with its zone cache */
} BucketWalk;

/* time_bucket(width, t [, zone]) as the SQL function computes it. */
static TimestampTz
walk_bucket(BucketWalk *w, TimestampTz t)
{
	if (w->zone == NULL)
		return DatumGetTimestampTz(DirectFunctionCall2(streamstat_time_bucket,
													   IntervalPGetDatum(&w->width),
													   TimestampTzGetDatum(t)));
	return DatumGetTimestampTz(FunctionCall3(&w->zoned,
											 IntervalPGetDatum(&w->width),
											 TimestampTzGetDatum(t),
											 PointerGetDatum(w->zone)));
}

/* Local wall-clock time of t (UTC time without a zone). */
static Timestamp
walk_local(BucketWalk *w, TimestampTz t)
{
	if (w->zone == NULL)
		return t;
	return DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
												 PointerGetDatum(w->zone),
												 TimestampTzGetDatum(t)));
}

/* The local time where the local bucket holding local time lt ends. */
static Timestamp
walk_local_end(BucketWalk *w, Timestamp lt)
{
	Timestamp	lb = DatumGetTimestamp(DirectFunctionCall2(streamstat_time_bucket,
														   IntervalPGetDatum(&w->width),
														   TimestampGetDatum(lt)));
	Timestamp	beyond;

	if (w->width.month == 0)
		beyond = lb + w->width.day * USECS_PER_DAY + w->width.time;
	else
	{
		/* a bucket of m months is at most 31 m days, two at least 56 m */
		beyond = lb + (int64) w->width.month * 31 * USECS_PER_DAY;
		beyond = DatumGetTimestamp(DirectFunctionCall2(streamstat_time_bucket,
													   IntervalPGetDatum(&w->width),
													   TimestampGetDatum(beyond)));
	}
	if (!IS_VALID_TIMESTAMP(beyond))
		return DT_NOEND;
	return beyond;
}

/* The first instant after t whose bucket is not b (or finish). */
static TimestampTz
walk_step(BucketWalk *w, TimestampTz t, TimestampTz b)
{
	Timestamp	lt = walk_local(w, t);
	Timestamp	le = walk_local_end(w, lt);
	TimestampTz c;
	TimestampTz lo,
				hi;

	if (TIMESTAMP_IS_NOEND(le) || pg_add_s64_overflow(t, le - lt, &c) ||
		c > w->finish)
		c = w->finish;
	if (c <= t)
		c = t + 1;
	if (walk_bucket(w, c - 1) == b)
		return c;
	/* a clock change in (t, c): the first instant whose bucket differs */
	lo = t;						/* bucket(lo) == b */
	hi = c - 1;					/* bucket(hi) != b */
	while (hi - lo > 1)
	{
		TimestampTz mid = lo + (hi - lo) / 2;

		if (walk_bucket(w, mid) == b)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

PG_FUNCTION_INFO_V1(streamstat_buckets);
Datum
streamstat_buckets(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	BucketWalk *w;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;
		TimestampTz start = PG_GETARG_TIMESTAMPTZ(0);
		TimestampTz finish = PG_GETARG_TIMESTAMPTZ(1);

		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (TIMESTAMP_NOT_FINITE(start) || TIMESTAMP_NOT_FINITE(finish))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("buckets needs a finite start and finish"),
					 errhint("Give the time range of the chart, for example $__timeFrom() and $__timeTo() in Grafana.")));
		w = palloc0(sizeof(BucketWalk));
		w->width = *PG_GETARG_INTERVAL_P(2);
		if (PG_NARGS() > 3)
		{
			w->zone = PG_GETARG_TEXT_P_COPY(3);
			memset(&w->zoned, 0, sizeof(FmgrInfo));
			w->zoned.fn_addr = streamstat_time_bucket_zone;
			w->zoned.fn_nargs = 3;
			w->zoned.fn_strict = true;
			w->zoned.fn_mcxt = funcctx->multi_call_memory_ctx;
			w->zoned.fn_oid = InvalidOid;
		}
		w->next = start;
		w->finish = finish;
		/* validates the width (and zone) even for an empty range */
		(void) walk_bucket(w, start);
		funcctx->user_fctx = w;
		MemoryContextSwitchTo(oldcontext);
	}
	funcctx = SRF_PERCALL_SETUP();
	w = (BucketWalk *) funcctx->user_fctx;

	while (w->next < w->finish)
	{
		TimestampTz t = w->next;
		TimestampTz b = walk_bucket(w, t);

		CHECK_FOR_INTERRUPTS();
		w->next = walk_step(w, t, b);
		if (!w->any || b > w->last)
		{
			w->any = true;
			w->last = b;
			SRF_RETURN_NEXT(funcctx, TimestampTzGetDatum(b));
		}
	}
	SRF_RETURN_DONE(funcctx);
}
