/*
 * conn.c
 *		One client connection: second stage of the path of a record.
 *
 * Reads what the client sent (non-blocking, one chunk per readiness event)
 * into a buffer bounded by streamstat.max_line_bytes plus one read chunk,
 * cuts it into lines at '\n' and hands each line to the batch.  The buffer
 * starts small (CONN_MIN_BUFFER: a thousand idle clients hold little), grows
 * while reads fill it (a busy client, or a long line) and shrinks back once
 * the client sends little; the worker counts these buffers toward
 * streamstat.worker_memory.  A line that
 * grows past streamstat.max_line_bytes is rejected with its first bytes and
 * the rest of it is skipped up to the next '\n' (resynchronisation).
 *
 * End of a line: a client that closes its connection after an unterminated
 * last line has that line taken as a line (clients that omit the final
 * '\n' lose nothing).  An unterminated line still buffered when the worker
 * shuts down or the connection fails is stored in streamstat.rejects as an
 * incomplete line, since its rest may still have been in flight.
 *
 * Bytes come through the TLS layer (tls.c: TLS or clear text, decided by
 * the first byte), and the first ones go to the authentication handshake
 * (ilp_auth_conn.c) until it is over or not wanted; a key limited to a
 * schema sends the connection's lines there.  Both handshakes must end
 * within streamstat.http_timeout.
 */
#include "postgres.h"

#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "net/conn.h"
#include "net/ilp_auth_conn.h"
#include "net/tls.h"

/* Size of a new or quiet connection's buffer. */
#define CONN_MIN_BUFFER (16 * 1024)

/* A new connection on an accepted, non-blocking socket. */
IngestConn *
conn_create(pgsocket sock, const struct sockaddr *addr, socklen_t addrlen,
			MemoryContext parent)
{
	MemoryContext cxt;
	IngestConn *conn;
	char		host[NI_MAXHOST];
	char		serv[NI_MAXSERV];

	cxt = AllocSetContextCreate(parent, "streamstat connection",
								ALLOCSET_SMALL_SIZES);
	conn = MemoryContextAllocZero(cxt, sizeof(IngestConn));
	conn->sock = sock;
	conn->cxt = cxt;
	conn->cap = CONN_MIN_BUFFER;
	conn->buf = MemoryContextAlloc(cxt, conn->cap);
	conn->batch_client = -1;
	conn->wait_pos = -1;
	conn->handshake_deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														   streamstat_http_timeout_ms);

	if (getnameinfo(addr, addrlen, host, sizeof(host), serv, sizeof(serv),
					NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		strlcpy(conn->client, "unknown", sizeof(conn->client));
	else if (addr->sa_family == AF_INET6)
		snprintf(conn->client, sizeof(conn->client), "[%s]:%s", host, serv);
	else
		snprintf(conn->client, sizeof(conn->client), "%s:%s", host, serv);
	return conn;
}

/* The connection's sender index in the current batch. */
int32
conn_batch_client(IngestConn *conn, Batch *batch)
{
	if (conn->batch_generation != batch_generation(batch) || conn->batch_client < 0)
	{
		conn->batch_client = batch_client(batch, conn->client);
		conn->batch_generation = batch_generation(batch);
	}
	return conn->batch_client;
}

/* Hand one line to the batch, bound where the connection's key says. */
static void
conn_add_line(IngestConn *conn, Batch *batch, IlpParser *parser,
			  const char *line, int len, TimestampTz now,
			  IngestCounters *counters)
{
	(void) batch_add_line_to(batch, parser, line, len,
							 conn_batch_client(conn, batch), now,
							 ilp_auth_conn_target(conn), counters);
}

/* Reject the start of an oversized line and skip the rest of it. */
static void
conn_reject_oversized(IngestConn *conn, Batch *batch, const char *line,
					  TimestampTz now, IngestCounters *counters)
{
	char		reason[200];

	snprintf(reason, sizeof(reason),
			 "line longer than streamstat.max_line_bytes (%d bytes); only its first %d bytes are stored here",
			 streamstat_max_line_bytes, INGEST_REJECT_PREFIX);
	batch_add_reject(batch, line, INGEST_REJECT_PREFIX,
					 conn_batch_client(conn, batch), now, reason, counters);
	counters->lines_received++;
}

/*
 * Read one chunk and pass on the complete lines.  Returns false when the
 * connection is over (closed by the client or failed); the caller then
 * calls conn_close().
 */
bool
conn_read(IngestConn *conn, Batch *batch, IlpParser *parser,
		  IngestCounters *counters)
{
	ssize_t		n;
	int			room;
	TimestampTz now;
	char	   *start;
	char	   *end;
	char	   *nl;
	int			limit = streamstat_max_line_bytes;

	/*
	 * The limit is read at each read, so a reload applies to open
	 * connections too; a lowered one may leave too much buffered already.
	 */
	if (conn->len > limit)
	{
		conn_reject_oversized(conn, batch, conn->buf, GetCurrentTimestamp(),
							  counters);
		conn->skipping = true;
		conn->len = 0;
	}

	/*
	 * Grow the buffer when it has little room left (a long line; over TLS,
	 * less than a whole record) or the last read filled it (a busy client),
	 * never past limit + a read chunk.
	 */
	if (conn->cap - conn->len < (tls_conn_secure(conn) ? TLS_MAX_RECORD : CONN_MIN_BUFFER / 2) ||
		(conn->filled && conn->cap < 2 * INGEST_READ_CHUNK))
	{
		int			newcap = Min(conn->cap * 2, limit + INGEST_READ_CHUNK);

		/* len <= limit here, so newcap always leaves room */
		if (newcap - conn->len < CONN_MIN_BUFFER / 2)
			elog(ERROR, "streamstat connection buffer has no room");
		if (newcap > conn->cap)
		{
			conn->buf = repalloc_huge(conn->buf, newcap);
			conn->cap = newcap;
		}
	}

	room = Min(conn->cap - conn->len, INGEST_READ_CHUNK);
	n = tls_conn_recv(conn, conn->buf + conn->len, room, counters);
	if (n < 0)
	{
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return true;
		if (!ilp_auth_conn_ready(conn) && ilp_auth_conn_pending(conn))
			conn->len = 0;		/* failed in a handshake: nothing is a line */
		conn_close(conn, batch, "connection failed before the end of the line", counters);
		return false;
	}
	if (n > 0 && !ilp_auth_conn_ready(conn))
	{
		/* The handshake takes what it needs; what follows is lines. */
		int			left;

		counters->bytes_received += n;
		left = ilp_auth_conn_input(conn, conn->buf, conn->len + n, counters);
		if (left < 0)
		{
			conn->len = 0;
			conn_close(conn, batch, NULL, counters);
			return false;
		}
		conn->len = 0;
		if (!ilp_auth_conn_ready(conn))
		{
			conn->len = left;	/* an incomplete first line, or nothing */
			return true;
		}
		counters->bytes_received -= left;	/* counted again below */
		n = left;
		if (n == 0)
			return true;
	}
	if (n == 0 && !ilp_auth_conn_ready(conn) && ilp_auth_conn_pending(conn))
	{
		/* Closed inside the handshake: nothing of it is a line. */
		conn->len = 0;
		conn_close(conn, batch, NULL, counters);
		return false;
	}
	if (n == 0)
	{
		/* Closed by the client: an unterminated last line is a line. */
		if (conn->len > 0 && !conn->skipping)
		{
			now = GetCurrentTimestamp();
			if (conn->len > limit)
				conn_reject_oversized(conn, batch, conn->buf, now, counters);
			else
				conn_add_line(conn, batch, parser, conn->buf, conn->len,
							  now, counters);
		}
		conn->len = 0;
		conn_close(conn, batch, NULL, counters);
		return false;
	}

	counters->bytes_received += n;
	conn->filled = n == room;
	now = GetCurrentTimestamp();
	start = conn->buf;
	end = conn->buf + conn->len + n;
	/* Resume the search for '\n' where the last read stopped. */
	nl = memchr(conn->buf + conn->len, '\n', n);
	while (nl != NULL)
	{
		int			len = nl - start;

		if (conn->skipping)
			conn->skipping = false; /* the oversized line ends here */
		else if (len > limit)
			conn_reject_oversized(conn, batch, start, now, counters);
		else
			conn_add_line(conn, batch, parser, start, len, now, counters);
		start = nl + 1;
		nl = memchr(start, '\n', end - start);
	}

	/* Keep the unterminated rest, or drop it inside an oversized line. */
	conn->len = end - start;
	if (conn->skipping)
		conn->len = 0;
	else if (conn->len > limit)
	{
		conn_reject_oversized(conn, batch, start, now, counters);
		conn->skipping = true;
		conn->len = 0;
	}
	else if (conn->len > 0 && start != conn->buf)
		memmove(conn->buf, start, conn->len);

	/* A quiet client again: give back what a burst or long line took. */
	if (!conn->filled && conn->cap > CONN_MIN_BUFFER &&
		conn->len < CONN_MIN_BUFFER / 2 && n < CONN_MIN_BUFFER)
	{
		conn->buf = repalloc_huge(conn->buf, CONN_MIN_BUFFER);
		conn->cap = CONN_MIN_BUFFER;
	}
	return true;
}

/*
 * Close the socket and free the connection; a buffered unterminated line
 * is rejected with the reason why (NULL: nothing is left to reject).
 */
void
conn_close(IngestConn *conn, Batch *batch, const char *why,
		   IngestCounters *counters)
{
	if (conn->closed)
		return;
	if (why != NULL && conn->len > 0 && !conn->skipping)
	{
		counters->lines_received++;
		batch_add_reject(batch, conn->buf, Min(conn->len, INGEST_REJECT_PREFIX),
						 conn_batch_client(conn, batch), GetCurrentTimestamp(),
						 why, counters);
	}
	conn->len = 0;
	tls_conn_close(conn);
	close(conn->sock);
	conn->sock = PGINVALID_SOCKET;
	conn->closed = true;
	counters->connections_open--;
}

/*
 * What the worker should wait for on a line-protocol connection: its
 * socket readable while reading, writable while the TLS handshake or the
 * authentication challenge waits for room.
 */
uint32
conn_wait_events(IngestConn *conn, bool reading)
{
	uint32		events = reading ? WL_SOCKET_READABLE : 0;

	if (conn->closed)
		return 0;
	if (ilp_auth_conn_wants_write(conn))
		return WL_SOCKET_WRITEABLE;
	return tls_conn_wait_events(conn, events);
}

/* The socket of a line-protocol connection is ready. */
void
conn_event(IngestConn *conn, uint32 events, bool reading, Batch *batch,
		   IlpParser *parser, IngestCounters *counters)
{
	if (conn->closed)
		return;
	if (ilp_auth_conn_wants_write(conn))
	{
		if ((events & WL_SOCKET_WRITEABLE) && !ilp_auth_conn_flush(conn))
			conn_close(conn, batch, NULL, counters);
		return;
	}
	if (reading || tls_conn_handshaking(conn))
		(void) conn_read(conn, batch, parser, counters);
}

/* Whether the connection is inside its TLS or authentication handshake. */
static bool
conn_in_handshake(IngestConn *conn)
{
	return tls_conn_handshaking(conn) ||
		(!ilp_auth_conn_ready(conn) && ilp_auth_conn_pending(conn));
}

/* Milliseconds until a handshake under way must be over (-1: none). */
long
conn_timeout(IngestConn *conn, TimestampTz now)
{
	if (conn->closed || conn->handshake_deadline == 0 || !conn_in_handshake(conn))
		return -1;
	if (conn->handshake_deadline <= now)
		return 0;
	return (long) ((conn->handshake_deadline - now + 999) / 1000);
}

/* Close a connection whose handshake did not end in time. */
void
conn_check_timeout(IngestConn *conn, TimestampTz now, Batch *batch,
				   IngestCounters *counters)
{
	if (conn_timeout(conn, now) != 0)
		return;
	if (tls_conn_handshaking(conn))
		counters->tls_failures++;
	else
		counters->auth_failures++;
	ingest_log_refusal(tls_conn_handshaking(conn) ? INGEST_REFUSED_TLS : INGEST_REFUSED_AUTH,
					   conn->client, "the %s handshake did not end within streamstat.http_timeout",
					   tls_conn_handshaking(conn) ? "TLS" : "authentication");
	conn->len = 0;
	conn_close(conn, batch, NULL, counters);
}
