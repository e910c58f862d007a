/*
 * worker.c
 *		The ingest background worker: registration and the event loop that
 *		drives the path of a record (listener -> conn -> batch -> writer).
 *
 * streamstat.workers processes are registered at preload ("streamstat
 * ingest" in pg_stat_activity); none when streamstat.port and
 * streamstat.http_port are both 0.  Each connects to streamstat.database
 * as streamstat.role, waits until the extension is installed there (said
 * once in the log, re-checked every few seconds), opens its listening
 * sockets and then waits only through one WaitEventSet: its latch,
 * postmaster death, the listening sockets and the client sockets.
 * Sockets accepted on streamstat.http_port are HTTP connections
 * (http_conn.c); streamstat.max_connections counts both kinds.
 *
 * Flush: when the oldest buffered line is streamstat.flush_interval old
 * (less what the buffered rows should take to write, learnt from past
 * flushes, so that flush_interval bounds the time until rows are visible),
 * when streamstat.batch_rows rows are buffered, or when the batch holds
 * streamstat.worker_memory.  While the batch is over that memory, client
 * sockets are not read (TCP back-pressure); the flush is synchronous, so a
 * slow database also stops reading.  A flush waits at most 1 s for a lock
 * (lock_timeout); a flush that fails keeps the batch and is retried after
 * a pause that doubles from flush_interval up to 5 s; meanwhile reading
 * goes on until the memory cap.  An HTTP write request that has handed
 * its lines to the batch is parked: the batch is flushed at the end of that
 * loop pass (not after flush_interval), and once it is empty again
 * (committed) every parked request is answered.
 *
 * SIGHUP: re-read the configuration (the reloadable settings apply from
 * the next line or flush).  SIGTERM: read what the kernel already holds
 * for each line-protocol client (bytes TCP has acknowledged), reject
 * unterminated lines still buffered (as incomplete), flush (three
 * attempts; rows that still cannot be written go to streamstat.rejects),
 * exit (with code 1, so that a worker stopped alone is started again).
 * After each flush the worker reports its table statistics
 * (pg_stat_user_tables, autovacuum), the part pgstat holds back a second
 * later.  Postmaster death:
 * exit at once.  A crash (or kill -9) loses the rows received and not yet
 * flushed: TCP gives the clients no acknowledgement of them.
 */
#include "postgres.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "access/xact.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "ingest/batch.h"
#include "net/conn.h"
#include "net/http_conn.h"
#include "ingest/ingest_stats.h"
#include "net/listener.h"
#include "net/tls.h"
#include "ingest/worker.h"
#include "writer/writer.h"
#include "rollup/rollup.h"

/* How often to look again for the extension or a bindable port (ms). */
#define WORKER_RECHECK_MS 1000

/* Longest pause before a failed flush is tried again (ms). */
#define WORKER_MAX_RETRY_MS 5000

/* How long a flush waits for a lock before it gives up and retries later. */
#define WORKER_LOCK_TIMEOUT "1s"

/* Most events handled per wait. */
#define WORKER_MAX_EVENTS 64

/* The worker's state between passes of its loop. */
typedef struct WorkerState
{
	int			worker_no;
	pgsocket	listen[INGEST_MAX_LISTEN];
	bool		listen_http[INGEST_MAX_LISTEN]; /* a streamstat.http_port socket */
	int			nlisten;
	bool		ilp_open;		/* streamstat.port is listened on */
	bool		http_open;		/* streamstat.http_port is listened on */
	IngestConn **conns;
	int			nconns;
	int			conncap;
	WaitEventSet *wes;
	int			wes_space;		/* events wes has room for */
	int			wes_used;		/* events added (closed sockets included) */
	Size		conn_memory;	/* the connections' buffers, at the pass's start */
	MemoryContext conn_cxt;		/* parent of the connections' contexts */
	Batch	   *batch;
	IlpParser	parser;
	IngestCounters counters;
	TimestampTz retry_at;		/* 0, or when to try a failed flush again */
	TimestampTz stats_at;		/* 0, or when held-back table stats are due */
	double		flush_ms_per_row;	/* moving average of the write cost */
	int			retry_ms;
	bool		refused_logged; /* logged the current burst of refusals */
	int64		refused;
} WorkerState;

/* The parser grows its arrays in TopMemoryContext. */
static void *
worker_parser_realloc(void *ptr, size_t size, void *arg)
{
	if (size == 0)
	{
		if (ptr)
			pfree(ptr);
		return NULL;
	}
	if (ptr == NULL)
		return MemoryContextAlloc(TopMemoryContext, size);
	return repalloc(ptr, size);
}

/* Register the ingest workers (from _PG_init, when preloaded). */
void
ingest_register(void)
{
	BackgroundWorker worker;

	if (streamstat_port == 0 && streamstat_http_port == 0)
		return;

	for (int i = 0; i < streamstat_workers; i++)
	{
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = 2;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "streamstat");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "ingest_worker_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "streamstat ingest worker %d", i + 1);
		snprintf(worker.bgw_type, BGW_MAXLEN, "streamstat ingest");
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
}

/* Whether the extension is installed in our database. */
static bool
worker_extension_installed(void)
{
	bool		installed;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("streamstat", true));
	CommitTransactionCommand();
	return installed;
}

/*
 * Let the worker hold streamstat.max_connections client sockets besides the
 * files PostgreSQL keeps open (max_files_per_process, which the server's
 * soft limit on open files was sized for): raise this process's soft limit
 * as far as that needs, up to the hard limit; if that is too low, say so.
 */
static void
worker_raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t		want = (rlim_t) max_files_per_process + streamstat_max_connections +
		INGEST_MAX_LISTEN + 64;
	static rlim_t warned = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
		rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : Min(want, rl.rlim_max);
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		(void) getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want && warned != want)
	{
		ereport(LOG,
				(errmsg("streamstat ingest worker may open %lu files, fewer than max_files_per_process plus streamstat.max_connections (%d) need",
						(unsigned long) rl.rlim_cur, streamstat_max_connections),
				 errhint("Raise the server's hard limit on open files (ulimit -Hn; LimitNOFILE under systemd) to at least %lu.",
						 (unsigned long) want)));
		warned = want;
	}
}

/*
 * The batch fills up to streamstat.worker_memory and is emptied at every
 * flush.  glibc would hand large freed blocks back to the kernel each time
 * (munmap, trimming) and fault them in again for the next batch: the
 * worker's RSS would rise and fall by the cap at every flush, and pay the
 * page faults.  Keep that memory in the process instead, so that the RSS
 * stays at the cap once reached.
 */
static void
worker_keep_memory(void)
{
#ifdef __GLIBC__
	Size		cap = (Size) streamstat_worker_memory_kb * 1024;

	(void) mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);	/* glibc's largest */
	(void) mallopt(M_TRIM_THRESHOLD, (int) Min(2 * cap + 64 * 1024 * 1024, (Size) INT_MAX));
#endif
}

/* Handle the latch: interrupts, SIGHUP. */
static void
worker_handle_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
		worker_raise_fd_limit();
		tls_reload();			/* certificates too; open connections stay */
	}
}

/* Wait on the latch alone for up to timeout ms (no sockets open yet). */
static void
worker_wait_latch(long timeout)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 timeout, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	worker_handle_interrupts();
}

/*
 * Whether client sockets should be read now: not while the batch and the
 * connections' buffers hold streamstat.worker_memory (back-pressure); an
 * empty batch is always filled (buffers alone must not stall the worker).
 */
static bool
worker_reading(WorkerState *ws)
{
	return batch_is_empty(ws->batch) ||
		batch_memory(ws->batch) + ws->conn_memory <
		(Size) streamstat_worker_memory_kb * 1024;
}

/* What a client socket should be watched for now (0: nothing). */
static uint32
worker_conn_events(IngestConn *conn, bool reading)
{
	if (conn->closed)
		return 0;
	/* HTTP connections say what they wait for; 503 is theirs to say. */
	if (conn->http)
		return http_conn_wait_events(conn);
	return conn_wait_events(conn, reading);
}

/*
 * Build the wait event set: the latch, postmaster death, the listening
 * sockets and the client sockets that wait for something, with room for
 * as many clients again.
 */
static void
worker_build_wes(WorkerState *ws, bool reading)
{
	if (ws->wes)
		FreeWaitEventSet(ws->wes);
	ws->wes_space = 2 + ws->nlisten + Max(64, 2 * ws->nconns);
	ws->wes = CreateWaitEventSet(TopMemoryContext, ws->wes_space);
	AddWaitEventToSet(ws->wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(ws->wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < ws->nlisten; i++)
		AddWaitEventToSet(ws->wes, WL_SOCKET_READABLE, ws->listen[i], NULL, NULL);
	ws->wes_used = 2 + ws->nlisten;
	for (int i = 0; i < ws->nconns; i++)
	{
		IngestConn *conn = ws->conns[i];

		conn->wait_events = worker_conn_events(conn, reading);
		conn->wait_pos = -1;
		if (conn->wait_events != 0)
		{
			conn->wait_pos = AddWaitEventToSet(ws->wes, conn->wait_events,
											   conn->sock, NULL, conn);
			ws->wes_used++;
		}
	}
}

/*
 * Bring the wait event set up to date for this pass: a socket whose wait
 * changed is modified in place (ModifyWaitEvent), a new one is added.  The
 * set is rebuilt only when it is full (PostgreSQL 15 cannot remove an
 * event: a closed socket leaves its slot behind, which the kernel forgets
 * with the socket), and when a failed flush makes the worker wait with
 * sockets paused (an event-less socket is still woken by a reset, which
 * would spin the wait until the retry).
 */
static void
worker_update_wes(WorkerState *ws, bool reading)
{
	if (ws->wes == NULL)
	{
		worker_build_wes(ws, reading);
		return;
	}
	for (int i = 0; i < ws->nconns; i++)
	{
		IngestConn *conn = ws->conns[i];
		uint32		events;

		if (conn->closed)
			continue;
		events = worker_conn_events(conn, reading);
		if (events == 0 && conn->wait_pos >= 0 && ws->retry_at != 0)
		{
			worker_build_wes(ws, reading);
			return;
		}
		if (events == conn->wait_events && (events == 0 || conn->wait_pos >= 0))
			continue;
		if (conn->wait_pos >= 0)
			ModifyWaitEvent(ws->wes, conn->wait_pos, events, NULL);
		else if (ws->wes_used == ws->wes_space)
		{
			worker_build_wes(ws, reading);
			return;
		}
		else
		{
			conn->wait_pos = AddWaitEventToSet(ws->wes, events, conn->sock,
											   NULL, conn);
			ws->wes_used++;
		}
		conn->wait_events = events;
	}
}

/* Accept the waiting clients of one listening socket. */
static void
worker_accept(WorkerState *ws, pgsocket lsock, bool http)
{
	for (;;)
	{
		struct sockaddr_storage addr;
		socklen_t	addrlen = sizeof(addr);
		pgsocket	sock;

		sock = accept(lsock, (struct sockaddr *) &addr, &addrlen);
		if (sock == PGINVALID_SOCKET)
		{
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				ereport(LOG,
						(errcode_for_socket_access(),
						 errmsg("streamstat could not accept a connection: %m")));
			return;
		}
		if (ws->nconns >= streamstat_max_connections)
		{
			/* Refuse; say so once per burst of refusals. */
			close(sock);
			ws->refused++;
			if (!ws->refused_logged)
			{
				ereport(LOG,
						(errcode(ERRCODE_TOO_MANY_CONNECTIONS),
						 errmsg("streamstat ingest worker refuses connections: streamstat.max_connections (%d) are open",
								streamstat_max_connections),
						 errhint("Raise streamstat.max_connections or streamstat.workers.")));
				ws->refused_logged = true;
			}
			continue;
		}
		if (!pg_set_noblock(sock))
		{
			ereport(LOG,
					(errcode_for_socket_access(),
					 errmsg("streamstat could not make a client socket non-blocking: %m")));
			close(sock);
			continue;
		}
		if (ws->nconns == ws->conncap)
		{
			ws->conncap = Max(16, ws->conncap * 2);
			ws->conns = ws->conns ?
				repalloc(ws->conns, ws->conncap * sizeof(IngestConn *)) :
				MemoryContextAlloc(TopMemoryContext, ws->conncap * sizeof(IngestConn *));
		}
		ws->conns[ws->nconns] = conn_create(sock, (struct sockaddr *) &addr,
											addrlen, ws->conn_cxt);
		if (http)
			http_conn_start(ws->conns[ws->nconns], ws->batch, &ws->parser,
							&ws->counters);
		ws->nconns++;
		ws->counters.connections_open++;
		ws->counters.connections_total++;
		if (ws->refused_logged && ws->nconns < streamstat_max_connections)
		{
			ereport(LOG,
					(errmsg("streamstat ingest worker refused " INT64_FORMAT " connections in the last burst",
							ws->refused)));
			ws->refused_logged = false;
			ws->refused = 0;
		}
	}
}

/* Free the connections marked closed. */
static void
worker_reap_conns(WorkerState *ws)
{
	int			j = 0;

	for (int i = 0; i < ws->nconns; i++)
	{
		IngestConn *conn = ws->conns[i];

		if (conn->closed)
			MemoryContextDelete(conn->cxt);
		else
			ws->conns[j++] = conn;
	}
	ws->nconns = j;
}

/*
 * Report the table statistics of what the flush wrote, as worker_spi does
 * after each transaction: without it the rows never reach
 * pg_stat_user_tables and autovacuum never analyzes or vacuums the
 * partitions.  pgstat writes at most once a second and holds the rest
 * back; that part is reported a second later (stats_at, forced as a
 * backend's idle timeout does: unforced, pgstat measures the second from
 * the last commit and would wait for the next flush, which may be long in
 * coming).
 */
static void
worker_report_stats(WorkerState *ws, bool force)
{
	long		ms = pgstat_report_stat(force);

	ws->stats_at = ms > 0 ?
		TimestampTzPlusMilliseconds(GetCurrentTimestamp(), Min(ms, 1000)) : 0;
}

/* Flush the batch now; on failure schedule a retry. */
static void
worker_flush(WorkerState *ws)
{
	TimestampTz start = GetCurrentTimestamp();
	bool		ok;

	if (batch_is_empty(ws->batch))
		return;
	ok = writer_flush(ws->batch, &ws->counters);
	/* Even a failed flush may have committed some of its transactions. */
	worker_report_stats(ws, false);
	ws->counters.flushes++;
	ws->counters.last_flush = GetCurrentTimestamp();
	ws->counters.last_flush_ms = (ws->counters.last_flush - start) / 1000.0;
	if (ok)
	{
		/* Learn what a row costs to write (see worker_flush_timeout). */
		if (ws->batch->nrows >= 100)
		{
			double		per_row = ws->counters.last_flush_ms / ws->batch->nrows;

			ws->flush_ms_per_row = ws->flush_ms_per_row == 0 ? per_row :
				0.7 * ws->flush_ms_per_row + 0.3 * per_row;
		}
		/* The writer's rejects of parked HTTP requests, before the reset. */
		for (int i = 0; i < ws->nconns; i++)
			if (ws->conns[i]->http && http_conn_parked(ws->conns[i]))
				http_conn_note_write_rejects(ws->conns[i]);
		batch_reset(ws->batch);
		ws->retry_at = 0;
		ws->retry_ms = 0;
	}
	else
	{
		/* (a long flush_interval must not delay the first retry) */
		ws->retry_ms = ws->retry_ms == 0 ?
			Min(streamstat_flush_interval_ms, WORKER_MAX_RETRY_MS) :
			Min(ws->retry_ms * 2, WORKER_MAX_RETRY_MS);
		ws->retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ws->retry_ms);
	}
	ingest_stats_publish(&ws->counters);
}

/* Whether an HTTP request waits for the batch to be committed. */
static bool
worker_any_parked(WorkerState *ws)
{
	for (int i = 0; i < ws->nconns; i++)
		if (ws->conns[i]->http && http_conn_parked(ws->conns[i]))
			return true;
	return false;
}

/* The batch is empty (committed): answer the parked HTTP requests. */
static void
worker_answer_parked(WorkerState *ws)
{
	for (int i = 0; i < ws->nconns; i++)
		if (ws->conns[i]->http && http_conn_parked(ws->conns[i]))
			http_conn_answer_parked(ws->conns[i], ShutdownRequestPending);
}

/* Milliseconds until the next timeout of an HTTP connection (-1: none). */
static long
worker_http_timeout(WorkerState *ws)
{
	TimestampTz now = 0;
	long		timeout = -1;

	for (int i = 0; i < ws->nconns; i++)
	{
		long		t;

		if (now == 0)
			now = GetCurrentTimestamp();
		t = ws->conns[i]->http ? http_conn_timeout(ws->conns[i], now) :
			conn_timeout(ws->conns[i], now);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
	}
	return timeout;
}

/* Close idle HTTP connections, answer 408 to slow requests. */
static void
worker_http_check_timeouts(WorkerState *ws)
{
	TimestampTz now = 0;

	for (int i = 0; i < ws->nconns; i++)
	{
		if (now == 0)
			now = GetCurrentTimestamp();
		if (ws->conns[i]->http)
			http_conn_check_timeout(ws->conns[i], now);
		else
			conn_check_timeout(ws->conns[i], now, ws->batch, &ws->counters);
	}
}

/* Milliseconds until the next flush is due (-1: nothing buffered). */
static long
worker_flush_timeout(WorkerState *ws)
{
	TimestampTz due;
	TimestampTz now;

	if (batch_is_empty(ws->batch))
		return -1;
	if (ws->retry_at == 0 && worker_any_parked(ws))
		return 0;
	if (ws->retry_at != 0)
		due = ws->retry_at;
	else
	{
		/*
		 * flush_interval bounds the wait until a row is visible, so start
		 * writing early by what the buffered rows should take to write
		 * (learnt from past flushes; at most half the interval).
		 */
		long		early = (long) Min(ws->flush_ms_per_row * ws->batch->nrows,
									   streamstat_flush_interval_ms / 2.0);

		due = TimestampTzPlusMilliseconds(ws->batch->first_at,
										  streamstat_flush_interval_ms - early);
	}
	now = GetCurrentTimestamp();
	if (due <= now)
		return 0;
	return (long) ((due - now + 999) / 1000);
}

/* Milliseconds until held-back table statistics are due (stats_at set). */
static long
worker_stats_timeout(WorkerState *ws)
{
	TimestampTz now = GetCurrentTimestamp();

	if (ws->stats_at <= now)
		return 0;
	return (long) ((ws->stats_at - now + 999) / 1000);
}

/* Whether the batch should be written now. */
static bool
worker_flush_due(WorkerState *ws)
{
	if (batch_is_empty(ws->batch))
		return false;
	if (ws->retry_at != 0)
		return GetCurrentTimestamp() >= ws->retry_at;
	return ws->batch->nrows >= streamstat_batch_rows ||
		!worker_reading(ws) ||
		worker_any_parked(ws) ||
		worker_flush_timeout(ws) == 0;
}

/*
 * At shutdown, read what the kernel already holds for a client: TCP has
 * acknowledged those bytes to the client, so dropping them (close() with
 * unread data) would lose lines silently.  Bounded by what was pending when
 * the drain began; the batch is written whenever it reaches
 * streamstat.worker_memory.  False when such a write failed (stop).
 */
static bool
worker_drain_conn(WorkerState *ws, IngestConn *conn)
{
	int			pending = 0;

	if (ioctl(conn->sock, FIONREAD, &pending) < 0)
		return true;
	while (pending > 0 && !conn->closed)
	{
		int64		before = ws->counters.bytes_received;

		if (!worker_reading(ws))
		{
			ws->retry_at = 0;
			worker_flush(ws);
			if (!worker_reading(ws))
				return false;
		}
		if (!conn_read(conn, ws->batch, &ws->parser, &ws->counters))
			break;
		if (ws->counters.bytes_received == before)
			break;				/* nothing more to read */
		pending -= ws->counters.bytes_received - before;
	}
	return true;
}

/*
 * Stop: read what arrived, reject unterminated lines, write what was
 * received, answer the parked HTTP requests when it was written (one
 * non-blocking try), close.
 */
static void
worker_shutdown(WorkerState *ws)
{
	bool		draining = true;

	for (int i = 0; i < ws->nconns && draining; i++)
		if (ws->conns[i]->http == NULL)
			draining = worker_drain_conn(ws, ws->conns[i]);
	for (int i = 0; i < ws->nconns; i++)
		if (ws->conns[i]->http == NULL)
			conn_close(ws->conns[i], ws->batch,
					   "incomplete line: the server shut down before its end arrived",
					   &ws->counters);
	worker_reap_conns(ws);
	listener_close(ws->listen, ws->nlisten);
	ws->nlisten = 0;

	for (int attempt = 0; attempt < 3 && !batch_is_empty(ws->batch); attempt++)
	{
		ws->retry_at = 0;
		worker_flush(ws);
	}

	/*
	 * Still failing (a table locked for longer than we can wait): rather
	 * than lose the rows, store them in streamstat.rejects, which is
	 * rarely the table that is locked.
	 */
	if (!batch_is_empty(ws->batch) &&
		batch_reject_unwritten(ws->batch,
							   "not written before the ingest worker stopped (the flush kept failing: see the server log)",
							   &ws->counters) > 0)
	{
		ws->retry_at = 0;
		worker_flush(ws);
	}
	if (!batch_is_empty(ws->batch))
		ereport(LOG,
				(errmsg("streamstat ingest worker exits with " INT64_FORMAT " rows and %d rejects unwritten",
						ws->batch->nrows, list_length(ws->batch->rejects))));
	else
		worker_answer_parked(ws);
	for (int i = 0; i < ws->nconns; i++)
		conn_close(ws->conns[i], ws->batch, NULL, &ws->counters);
	worker_reap_conns(ws);
	ingest_stats_publish(&ws->counters);
}

/*
 * Open the listening sockets of the enabled ports not open yet; true when
 * every enabled port is listened on.
 */
static bool
worker_listen(WorkerState *ws)
{
	if (streamstat_port != 0 && !ws->ilp_open)
	{
		int			n = listener_open(ws->listen + ws->nlisten,
									  INGEST_MAX_LISTEN - ws->nlisten,
									  streamstat_port);

		for (int i = 0; i < n; i++)
			ws->listen_http[ws->nlisten + i] = false;
		ws->nlisten += n;
		ws->ilp_open = n > 0;
	}
	if (streamstat_http_port != 0 && !ws->http_open)
	{
		int			n = listener_open(ws->listen + ws->nlisten,
									  INGEST_MAX_LISTEN - ws->nlisten,
									  streamstat_http_port);

		for (int i = 0; i < n; i++)
			ws->listen_http[ws->nlisten + i] = true;
		ws->nlisten += n;
		ws->http_open = n > 0;
	}
	return (streamstat_port == 0 || ws->ilp_open) &&
		(streamstat_http_port == 0 || ws->http_open);
}

/* Whether a listening socket is one of streamstat.http_port. */
static bool
worker_listen_is_http(WorkerState *ws, pgsocket sock)
{
	for (int i = 0; i < ws->nlisten; i++)
		if (ws->listen[i] == sock)
			return ws->listen_http[i];
	return false;
}

/* Entry point of an ingest worker. */
void
ingest_worker_main(Datum main_arg)
{
	WorkerState ws = {0};
	WaitEvent	events[WORKER_MAX_EVENTS];
	bool		told = false;
	MemoryContext loop_cxt;

	ws.worker_no = DatumGetInt32(main_arg);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	ingest_stats_attach(ws.worker_no);

	BackgroundWorkerInitializeConnection(streamstat_database,
										 streamstat_role[0] ? streamstat_role : NULL,
										 0);

	/*
	 * Never wait long for a lock: a flush that cannot get one fails as
	 * transient and is retried later, while the worker stays responsive
	 * (signals, counters) and back-pressure stops reading at the cap.
	 */
	SetConfigOption("lock_timeout", WORKER_LOCK_TIMEOUT, PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname("streamstat ingest");
	/* The writer folds what it writes into rollups: no capture trigger. */
	rollup_set_caller_folds(true);
	worker_raise_fd_limit();
	worker_keep_memory();

	/* Wait for CREATE EXTENSION in our database; say so once. */
	while (!ShutdownRequestPending && !worker_extension_installed())
	{
		if (!told)
			ereport(LOG,
					(errmsg("streamstat ingest worker waits: extension \"streamstat\" is not installed in database \"%s\"",
							streamstat_database),
					 errhint("Run CREATE EXTENSION streamstat in database \"%s\".",
							 streamstat_database)));
		told = true;
		worker_wait_latch(WORKER_RECHECK_MS);
	}

	/* Open the ports; what cannot be bound yet is tried again a bit later. */
	told = false;
	while (!ShutdownRequestPending && !worker_listen(&ws))
	{
		if (!told)
			ereport(LOG,
					(errmsg("streamstat ingest worker could not listen on port %d; trying again",
							ws.ilp_open ? streamstat_http_port : streamstat_port)));
		told = true;
		worker_wait_latch(WORKER_RECHECK_MS);
	}
	if (ShutdownRequestPending)
		proc_exit(1);			/* as at the end: restarted unless shutting down */
	if (streamstat_port != 0)
		ereport(LOG,
				(errmsg("streamstat ingest worker %d listening on port %d",
						ws.worker_no + 1, streamstat_port)));
	if (streamstat_http_port != 0)
		ereport(LOG,
				(errmsg("streamstat ingest worker %d listening on HTTP port %d",
						ws.worker_no + 1, streamstat_http_port)));

	loop_cxt = AllocSetContextCreate(TopMemoryContext, "streamstat loop",
									 ALLOCSET_DEFAULT_SIZES);
	ws.conn_cxt = AllocSetContextCreate(TopMemoryContext, "streamstat connections",
										ALLOCSET_DEFAULT_SIZES);
	ws.batch = batch_create(TopMemoryContext);
	ilp_parser_init(&ws.parser, worker_parser_realloc, NULL);
	tls_reload();
	pgstat_report_activity(STATE_IDLE, NULL);

	while (!ShutdownRequestPending)
	{
		int			nevents;
		bool		reading;
		long		timeout;
		long		http_timeout;

		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);

		ws.conn_memory = MemoryContextMemAllocated(ws.conn_cxt, true);
		reading = worker_reading(&ws);
		worker_update_wes(&ws, reading);

		timeout = worker_flush_timeout(&ws);
		http_timeout = worker_http_timeout(&ws);
		if (http_timeout >= 0 && (timeout < 0 || http_timeout < timeout))
			timeout = http_timeout;
		if (ws.stats_at != 0)
		{
			long		stats_timeout = worker_stats_timeout(&ws);

			if (timeout < 0 || stats_timeout < timeout)
				timeout = stats_timeout;
		}
		nevents = WaitEventSetWait(ws.wes, timeout, events,
								   WORKER_MAX_EVENTS, PG_WAIT_EXTENSION);
		for (int i = 0; i < nevents; i++)
		{
			WaitEvent  *ev = &events[i];

			if (ev->events & WL_LATCH_SET)
			{
				ResetLatch(MyLatch);
				worker_handle_interrupts();
			}
			else if ((ev->events & WL_SOCKET_READABLE) && ev->user_data == NULL)
				worker_accept(&ws, ev->fd, worker_listen_is_http(&ws, ev->fd));
			else if (ev->user_data != NULL &&
					 ((IngestConn *) ev->user_data)->http != NULL)
				http_conn_event((IngestConn *) ev->user_data, ev->events);
			else if (ev->events & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE))
				conn_event((IngestConn *) ev->user_data, ev->events,
						   worker_reading(&ws), ws.batch, &ws.parser,
						   &ws.counters);
		}
		worker_http_check_timeouts(&ws);

		if (worker_flush_due(&ws))
			worker_flush(&ws);
		else if (ws.stats_at != 0 && worker_stats_timeout(&ws) == 0)
			worker_report_stats(&ws, true);
		/* Committed (or nothing to write): answer the parked requests. */
		if (batch_is_empty(ws.batch))
			worker_answer_parked(&ws);
		worker_reap_conns(&ws);
		ingest_stats_publish(&ws.counters);
	}

	MemoryContextSwitchTo(TopMemoryContext);
	worker_shutdown(&ws);

	/*
	 * Exit code 1: the postmaster starts the worker again after
	 * bgw_restart_time when only it was stopped (pg_terminate_backend); at
	 * server shutdown nothing is restarted anyway.
	 */
	proc_exit(1);
}
