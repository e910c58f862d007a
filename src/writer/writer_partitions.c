/*
 * writer_partitions.c
 *		The partitions a batch's rows need: part of the last stage of the
 *		path of a record (used by writer.c to check, by writer_ddl.c to
 *		create).
 *
 * streamstat keeps partitions of tables PARTITION BY RANGE on their
 * timestamptz "time" column: one per streamstat.partition_interval slot,
 * clipped to the gap between existing partitions (which may have other
 * sizes: made by the user, or before the interval was changed), never
 * overlapping one, plus the next slot made before its rows come.  A row
 * whose whole slot lies in one partition costs one comparison.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "writer/writer_internal.h"

/* Partition index that holds ts; -1 none, -2 the default partition. */
int
partition_index_for(Relation rel, PartitionKey key, TimestampTz ts)
{
	PartitionDesc pd = RelationGetPartitionDesc(rel, true);
	PartitionBoundInfo bi = pd->boundinfo;
	Datum		value = TimestampTzGetDatum(ts);
	bool		equal;
	int			off;

	if (bi == NULL)
		return -1;
	off = partition_range_datum_bsearch(key->partsupfunc, key->partcollation,
										bi, 1, &value, &equal);
	if (bi->indexes[off + 1] >= 0)
		return bi->indexes[off + 1];
	return partition_bound_has_default(bi) ? -2 : -1;
}

/* Partition slot (of streamstat.partition_interval seconds) of a time. */
static int64
partition_slot(TimestampTz ts)
{
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	int64		unix_us = ts + UNIX_TO_PG_USECS;
	int64		slot = unix_us / interval_us;

	if (unix_us % interval_us < 0)
		slot--;
	return slot;
}

/* Whether a slot is covered by one partition (or the default one). */
static bool
partition_slot_covered(Relation rel, PartitionKey key, int64 slot)
{
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	TimestampTz lo = slot * interval_us - UNIX_TO_PG_USECS;
	TimestampTz hi = lo + interval_us - 1;
	int			a;

	if (!IS_VALID_TIMESTAMP(lo) || !IS_VALID_TIMESTAMP(hi))
		return true;			/* cannot make it; let COPY say so */
	a = partition_index_for(rel, key, lo);
	if (a == -1)
		return false;
	return a == partition_index_for(rel, key, hi);
}

/* Whether we keep partitions of rel: RANGE on its timestamptz "time". */
bool
partition_upkeep(Relation rel, AttrNumber timeattnum, PartitionKey *keyp)
{
	PartitionKey key;

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return false;
	key = RelationGetPartitionKey(rel);
	if (key->strategy != PARTITION_STRATEGY_RANGE || key->partnatts != 1 ||
		key->partattrs[0] != timeattnum || key->parttypid[0] != TIMESTAMPTZOID)
		return false;
	*keyp = key;
	return true;
}

/* (partitions.h) */
bool
partition_gap(Relation rel, PartitionKey key, TimestampTz ts,
			  TimestampTz *lo, TimestampTz *hi)
{
	PartitionDesc pd = RelationGetPartitionDesc(rel, true);
	PartitionBoundInfo bi = pd->boundinfo;
	Datum		value = TimestampTzGetDatum(ts);
	bool		equal;
	int			off;

	*lo = PG_INT64_MIN;
	*hi = PG_INT64_MAX;
	if (bi == NULL)
		return true;
	off = partition_range_datum_bsearch(key->partsupfunc, key->partcollation,
										bi, 1, &value, &equal);
	if (bi->indexes[off + 1] >= 0 || partition_bound_has_default(bi))
		return false;
	if (off >= 0 && bi->kind[off][0] == PARTITION_RANGE_DATUM_VALUE)
		*lo = DatumGetTimestampTz(bi->datums[off][0]);
	if (off + 1 < bi->ndatums && bi->kind[off + 1][0] == PARTITION_RANGE_DATUM_VALUE)
		*hi = DatumGetTimestampTz(bi->datums[off + 1][0]);
	return true;
}

/*
 * Add the partition for ts to ranges when no partition takes ts: its slot
 * of streamstat.partition_interval, clipped to the gap between existing
 * partitions (they may have other sizes: made by the user, or before the
 * interval was changed), so it never overlaps one.  True when ts needs it.
 */
static bool
partition_range_add(Relation rel, PartitionKey key, TimestampTz ts,
					bool premade, PartRange **ranges, int *n, int *cap)
{
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	int64		slot = partition_slot(ts);
	TimestampTz slot_lo = slot * interval_us - UNIX_TO_PG_USECS;
	TimestampTz gap_lo;
	TimestampTz gap_hi;
	PartRange	r;

	if (!IS_VALID_TIMESTAMP(slot_lo) || !IS_VALID_TIMESTAMP(slot_lo + interval_us))
		return false;			/* cannot make it; COPY will say so */
	if (!partition_gap(rel, key, ts, &gap_lo, &gap_hi))
		return false;
	r.lo = Max(slot_lo, gap_lo);
	r.hi = Min(slot_lo + interval_us, gap_hi);
	r.premade = premade;
	for (int i = 0; i < *n; i++)
		if ((*ranges)[i].lo == r.lo)
			return true;
	if (*n == *cap)
	{
		*cap *= 2;
		*ranges = repalloc(*ranges, *cap * sizeof(PartRange));
	}
	(*ranges)[(*n)++] = r;
	return true;
}

/*
 * The partitions missing for the given rows (rejected[row] set: skipped;
 * NULL: none) and the premade next slot.  When uncovered is given, it marks
 * the rows that no partition takes.  A row whose whole slot lies in one
 * partition costs one comparison: consecutive rows mostly share a slot.
 */
PartRange *
partition_ranges_needed(Relation rel, PartitionKey key, BatchTable *t,
						const bool *rejected, bool *uncovered, int *nranges)
{
	int			cap = 8;
	int			n = 0;
	PartRange  *ranges = palloc(cap * sizeof(PartRange));
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	int64		next_slot = partition_slot(GetCurrentTimestamp()) + 1;
	int64		last = PG_INT64_MIN;
	bool		last_whole = false;

	(void) partition_range_add(rel, key, next_slot * interval_us - UNIX_TO_PG_USECS,
							   true, &ranges, &n, &cap);
	for (int row = 0; row < t->nrows; row++)
	{
		int64		s;

		if (rejected && rejected[row])
			continue;
		s = partition_slot(t->time[row]);
		if (s != last)
		{
			last = s;
			last_whole = partition_slot_covered(rel, key, s);
		}
		if (last_whole)
			continue;
		if (partition_range_add(rel, key, t->time[row], false, &ranges, &n, &cap) &&
			uncovered != NULL)
			uncovered[row] = true;
	}
	*nranges = n;
	return ranges;
}

/* A timestamptz as an SQL expression of a partition bound. */
char *
partition_bound_sql(TimestampTz ts)
{
	int64		unix_us = ts + UNIX_TO_PG_USECS;
	int64		sec = unix_us / USECS_PER_SEC;
	int64		frac = unix_us % USECS_PER_SEC;

	if (frac < 0)
	{
		sec--;
		frac += USECS_PER_SEC;
	}
	if (frac == 0)
		return psprintf("pg_catalog.to_timestamp(" INT64_FORMAT ")", sec);
	return psprintf("pg_catalog.to_timestamp(" INT64_FORMAT ".%06d)", sec, (int) frac);
}

/*
 * Name of a partition, saying its range, within NAMEDATALEN - 1 bytes.
 * All partitions share one schema, so a table outside "public" has its
 * schema in the name ("metrics.cpu_p20251125").
 */
char *
partition_name(const char *schema, const char *table, int64 start_s,
			   int64 interval)
{
	pg_time_t	t = (pg_time_t) start_s;
	struct pg_tm *tm = pg_gmtime(&t);
	char		suffix[40];
	int			tlen;

	if (strcmp(schema, "public") != 0)
		table = psprintf("%s.%s", schema, table);
	tlen = strlen(table);

	/* As fine as the interval or the start (clipped to a gap) need. */
	if (interval % SECS_PER_DAY == 0 && start_s % SECS_PER_DAY == 0)
		snprintf(suffix, sizeof(suffix), "_p%04d%02d%02d",
				 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
	else if (interval % SECS_PER_MINUTE == 0 && start_s % SECS_PER_MINUTE == 0)
		snprintf(suffix, sizeof(suffix), "_p%04d%02d%02d_%02d%02d",
				 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
				 tm->tm_hour, tm->tm_min);
	else
		snprintf(suffix, sizeof(suffix), "_p%04d%02d%02d_%02d%02d%02d",
				 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
				 tm->tm_hour, tm->tm_min, tm->tm_sec);

	if (tlen + strlen(suffix) < NAMEDATALEN)
		return psprintf("%s%s", table, suffix);

	/* Too long: a prefix of the name and a hash of all of it. */
	{
		int			keep = NAMEDATALEN - 1 - strlen(suffix) - 9;

		keep = pg_mbcliplen(table, tlen, keep);
		return psprintf("%.*s_%08x%s", keep, table,
						DatumGetUInt32(hash_any((const unsigned char *) table, tlen)), suffix);
	}
}

/* (partitions.h) */
void
partition_create(const char *schema, const char *table, TimestampTz lo,
				 TimestampTz hi, int64 interval_s)
{
	int64		start_s = (lo + UNIX_TO_PG_USECS) / USECS_PER_SEC;
	char	   *sql;

	if ((lo + UNIX_TO_PG_USECS) % USECS_PER_SEC < 0)
		start_s--;

	/*
	 * Only when missing: CREATE SCHEMA IF NOT EXISTS checks CREATE on the
	 * database even when the schema is there, which a least-privilege role
	 * need not have.
	 */
	if (!OidIsValid(get_namespace_oid(STREAMSTAT_PARTITION_SCHEMA, true)) &&
		SPI_execute("CREATE SCHEMA IF NOT EXISTS " STREAMSTAT_PARTITION_SCHEMA, false, 0) < 0)
		elog(ERROR, "streamstat: could not create schema " STREAMSTAT_PARTITION_SCHEMA);
	sql = psprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM (%s) TO (%s)",
				   quote_qualified_identifier(STREAMSTAT_PARTITION_SCHEMA,
											  partition_name(schema, table, start_s, interval_s)),
				   quote_qualified_identifier(schema, table),
				   partition_bound_sql(lo), partition_bound_sql(hi));
	if (SPI_execute(sql, false, 0) < 0)
		elog(ERROR, "streamstat: could not make a partition: %s", sql);
}
