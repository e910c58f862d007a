/*
 * partitions.h
 *		Time partitions: what the writer (writer_partitions.c) and the
 *		rollup fold (rollup/rollup_fold.c) share to find whether a time has
 *		a partition and to name and bound a new one.
 */
#ifndef STREAMSTAT_PARTITIONS_H
#define STREAMSTAT_PARTITIONS_H

#include "datatype/timestamp.h"
#include "utils/partcache.h"
#include "utils/relcache.h"

/*
 * Schema of every partition streamstat makes (of raw tables and rollups),
 * out of the way of BI tools listing tables.
 */
#define STREAMSTAT_PARTITION_SCHEMA "streamstat_partitions"

/*
 * Whether no partition (nor the default one) of rel takes ts; if so,
 * [*lo, *hi) is the partition-free gap around it (PG_INT64_MIN/MAX when
 * unbounded).
 */
extern bool partition_gap(Relation rel, PartitionKey key, TimestampTz ts,
						  TimestampTz *lo, TimestampTz *hi);

/* A timestamptz as an SQL partition bound. */
extern char *partition_bound_sql(TimestampTz ts);

/*
 * Name of the partition of schema.table that starts at start_s (seconds
 * since 1970), as fine as interval_s (the partitions' width) and the start
 * need, within NAMEDATALEN - 1 bytes.
 */
extern char *partition_name(const char *schema, const char *table,
							int64 start_s, int64 interval_s);

/*
 * Make the partition [lo, hi) of schema.table (a table or rollup whose
 * partitions are interval_s seconds wide), in STREAMSTAT_PARTITION_SCHEMA
 * (made first if missing), through SPI (connected).  The partitioned
 * table's indexes (the time index, streamstat.set_indexes) come with it.
 */
extern void partition_create(const char *schema, const char *table,
							 TimestampTz lo, TimestampTz hi, int64 interval_s);

#endif							/* STREAMSTAT_PARTITIONS_H */
