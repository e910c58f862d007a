/*
 * writer.h
 *		Writing a batch into the database: the contract between the writer
 *		(writer.c and the files of its private header writer_internal.h)
 *		and the worker that decides when to flush (worker.c).
 */
#ifndef STREAMSTAT_WRITER_H
#define STREAMSTAT_WRITER_H

#include "ingest/batch.h"
#include "ingest/ingest_stats.h"

extern bool writer_flush(Batch *batch, IngestCounters *counters);

#endif							/* STREAMSTAT_WRITER_H */
