/*
 * http_conn.c
 *		One client connection of the HTTP write API: the HTTP counterpart of
 *		conn.c, second stage of the path of a record.
 *
 * The worker accepts it on streamstat.http_port and calls http_conn_event()
 * when its socket is ready.  Received bytes go to an HttpParser
 * (http_parse.c).  At the head of a request the route, method, precision,
 * memory cap (503), token (401) and schema (403; those two by auth.c) are
 * decided; a request refused there has its body read and thrown away, and
 * is answered when it ends.  The body of a write is staged in the
 * connection, inflated as it arrives when gzip-encoded (capped at
 * streamstat.max_body_bytes); only when the request is complete is it cut
 * into lines and handed to batch_add_line_to(), the TCP path's batch
 * stage, so a request cut off mid-body stores nothing.
 *
 * Then the connection is parked: its socket is not watched and the worker
 * flushes at the end of the loop pass.  Once the batch is empty again
 * (writer_flush() committed every row and reject of it), the worker calls
 * http_conn_answer_parked(): 204, or 400 naming the first bad line (the
 * good lines were stored, the bad ones are in streamstat.rejects).  A flush
 * that fails keeps the requests parked until a retry commits.  So a 204
 * is only sent after the commit of the rows it acknowledges.
 *
 * Keep-alive and pipelining: after the answer, input already received is
 * parsed next.  Responses are sent non-blocking; what does not fit waits
 * for WL_SOCKET_WRITEABLE, and no further request is read meanwhile.
 * Timeouts (streamstat.http_timeout): an idle connection is closed; a
 * request not complete in that time from its first byte gets 408 and the
 * connection is closed (slow senders cannot hold a connection); a client
 * that does not read its answer is dropped.
 *
 * TLS: bytes are read and written through tls.c (TLS or clear text,
 * decided by the first byte); a TLS handshake that stalls is closed with
 * the idle timeout.
 */
#include "postgres.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "ingest/auth.h"
#include "protocol/http.h"
#include "net/http_conn.h"
#include "net/tls.h"

/* Limits of a request head (the body limit is streamstat.max_body_bytes). */
#define HTTP_CONN_MAX_REQUEST_LINE 8192
#define HTTP_CONN_MAX_HEADER_BYTES 32768
#define HTTP_CONN_MAX_HEADERS 100

/* Seconds a client told 503 should wait. */
#define HTTP_CONN_RETRY_AFTER 1

/* Where a request goes. */
typedef enum HttpRoute
{
	HTTP_ROUTE_NONE,
	HTTP_ROUTE_WRITE_V2,
	HTTP_ROUTE_WRITE_V1,
	HTTP_ROUTE_PING,
	HTTP_ROUTE_HEALTH
} HttpRoute;

/* The HTTP state of one connection, in the connection's memory context. */
typedef struct HttpConn
{
	IngestConn *conn;
	Batch	   *batch;			/* the worker's, for the whole connection */
	IlpParser  *ilp;
	IngestCounters *counters;
	HttpParser	parser;
	int			in_off;			/* consumed prefix of conn->buf[0..len) */
	bool		in_request;		/* a request has begun and not ended */
	TimestampTz deadline;		/* 0: none (parked) */

	/* The current request. */
	HttpRoute	route;
	bool		head_only;
	bool		keep_alive;
	int			status;			/* refused at its head: the answer; else 0 */
	const char *message;
	const char *allow;
	int			retry_after;
	bool		gzip;
	HttpGzip	gz;
	char	   *body;			/* staged (inflated) body */
	Size		body_len;
	Size		body_cap;
	char		schema[NAMEDATALEN];	/* "": streamstat.schema */
	BatchTarget target;

	/* Parked: its lines are in the batch; answered after the commit. */
	bool		parked;
	long		total_lines;
	long		bad_lines;		/* rejected before the batch */
	long		late_bad_lines; /* rejected by the writer */
	long		first_bad;
	char	   *first_reason;

	/* Output not sent yet. */
	StringInfoData out;
	int			out_off;
	bool		close_after;	/* close once the output is sent */
} HttpConn;

static void http_conn_process(HttpConn *h);

/* Allocator of the parser and the inflater: the connection's context. */
static void *
http_conn_realloc(void *ptr, size_t size, void *arg)
{
	if (size == 0)
	{
		if (ptr)
			pfree(ptr);
		return NULL;
	}
	if (ptr == NULL)
		return MemoryContextAllocHuge((MemoryContext) arg, size);
	return repalloc_huge(ptr, size);
}

/* Milliseconds from now, as a deadline. */
static TimestampTz
http_conn_deadline(void)
{
	return TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
									   streamstat_http_timeout_ms);
}

/* Make an accepted connection an HTTP one. */
void
http_conn_start(IngestConn *conn, Batch *batch, IlpParser *ilp,
				IngestCounters *counters)
{
	MemoryContext old = MemoryContextSwitchTo(conn->cxt);
	HttpConn   *h = palloc0(sizeof(HttpConn));
	HttpLimits	limits;

	h->conn = conn;
	h->batch = batch;
	h->ilp = ilp;
	h->counters = counters;
	limits.max_request_line = HTTP_CONN_MAX_REQUEST_LINE;
	limits.max_header_bytes = HTTP_CONN_MAX_HEADER_BYTES;
	limits.max_headers = HTTP_CONN_MAX_HEADERS;
	limits.max_body_bytes = streamstat_max_body_bytes;
	http_parser_init(&h->parser, &limits, http_conn_realloc, conn->cxt);
	initStringInfo(&h->out);
	h->deadline = http_conn_deadline();
	conn->http = h;
	MemoryContextSwitchTo(old);
}

/* Close the connection (nothing of a request in progress is kept). */
static void
http_conn_close(HttpConn *h)
{
	if (h->conn->closed)
		return;
	h->conn->len = 0;
	conn_close(h->conn, h->batch, NULL, h->counters);
}

/* Send what is pending, without blocking; close when asked to. */
static void
http_conn_send(HttpConn *h)
{
	while (h->out_off < h->out.len)
	{
		ssize_t		n = tls_conn_send(h->conn, h->out.data + h->out_off,
									  h->out.len - h->out_off);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				http_conn_close(h);
			return;				/* the rest waits for WL_SOCKET_WRITEABLE */
		}
		h->out_off += n;
	}
	resetStringInfo(&h->out);
	h->out_off = 0;
	if (h->close_after)
		http_conn_close(h);
	else if (!h->in_request)
		h->deadline = http_conn_deadline();
}

/* Queue a response and start sending it. */
static void
http_conn_respond(HttpConn *h, int status, const char *body, size_t body_len,
				  bool close)
{
	HttpResponse r = {0};
	char		small[1024];
	size_t		need;

	r.status = status;
	r.keep_alive = h->keep_alive && !close;
	r.retry_after = h->retry_after;
	r.date = time(NULL);
	r.allow = h->allow;
	r.body = body;
	r.body_len = body_len;
	r.head_only = h->head_only;
	need = http_build_response(small, sizeof(small), &r);
	if (need < sizeof(small))
		appendBinaryStringInfo(&h->out, small, need);
	else
	{
		char	   *big = palloc(need + 1);

		(void) http_build_response(big, need + 1, &r);
		appendBinaryStringInfo(&h->out, big, need);
		pfree(big);
	}
	if (!r.keep_alive)
		h->close_after = true;
	h->deadline = http_conn_deadline();
	http_conn_send(h);
}

/* Answer with an InfluxDB-style JSON error body. */
static void
http_conn_respond_error(HttpConn *h, int status, const char *message, bool close)
{
	char		body[512];
	size_t		len = http_error_body(body, sizeof(body), status, message, 0);

	http_conn_respond(h, status, body, Min(len, sizeof(body) - 1), close);
}

/* Refuse the current request (answered when it ends). */
static void
http_conn_refuse(HttpConn *h, int status, const char *message)
{
	if (h->status == 0)
	{
		h->status = status;
		h->message = message;
	}
}

/* A request head arrived: route it and decide whether it is refused. */
static void
http_conn_head(HttpConn *h)
{
	const HttpRequest *req = &h->parser.request;
	bool		is_write;
	bool		v1 = false;

	h->route = HTTP_ROUTE_NONE;
	h->status = 0;
	h->message = NULL;
	h->allow = NULL;
	h->retry_after = 0;
	h->body_len = 0;
	h->keep_alive = req->keep_alive;
	h->head_only = req->method == HTTP_METHOD_HEAD;

	if (strcmp(req->path, "/api/v2/write") == 0)
		h->route = HTTP_ROUTE_WRITE_V2;
	else if (strcmp(req->path, "/write") == 0)
	{
		h->route = HTTP_ROUTE_WRITE_V1;
		v1 = true;
	}
	else if (strcmp(req->path, "/ping") == 0)
		h->route = HTTP_ROUTE_PING;
	else if (strcmp(req->path, "/health") == 0)
		h->route = HTTP_ROUTE_HEALTH;
	else
		http_conn_refuse(h, 404, "not found: streamstat serves POST /api/v2/write, POST /write, GET /ping and GET /health");

	is_write = h->route == HTTP_ROUTE_WRITE_V2 || h->route == HTTP_ROUTE_WRITE_V1;
	if (is_write && req->method != HTTP_METHOD_POST)
	{
		h->allow = "POST";
		h->head_only = false;
		http_conn_refuse(h, 405, "method not allowed: writes are POST");
	}
	else if (!is_write && h->route != HTTP_ROUTE_NONE &&
			 req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
	{
		h->allow = "GET, HEAD";
		http_conn_refuse(h, 405, "method not allowed: use GET or HEAD");
	}

	if (is_write && h->status == 0)
	{
		if (!http_parse_precision(http_request_param(req, "precision"), v1,
								  &h->target.precision, &h->target.multiplier))
			http_conn_refuse(h, 400, v1 ?
							 "precision must be one of n, ns, u, us, ms, s, m, h" :
							 "precision must be one of ns, us, ms, s");
		else if (batch_memory(h->batch) >= (Size) streamstat_worker_memory_kb * 1024)
		{
			h->retry_after = HTTP_CONN_RETRY_AFTER;
			http_conn_refuse(h, 503, "the server is busy writing what it received (streamstat.worker_memory is full); retry later");
		}
		else
		{
			const char *message = NULL;
			int			status = auth_authorize_request(req, v1, h->schema,
														&message);

			if (status == 503)
				h->retry_after = HTTP_CONN_RETRY_AFTER;
			if (status != 0)
				http_conn_refuse(h, status, message);
		}
	}

	if (is_write && h->status == 0 &&
		req->content_encoding == HTTP_ENCODING_GZIP)
	{
		if (http_gzip_init(&h->gz, streamstat_max_body_bytes,
						   http_conn_realloc, h->conn->cxt) != HTTP_GZIP_OK)
		{
			h->retry_after = HTTP_CONN_RETRY_AFTER;
			http_conn_refuse(h, 503, "out of memory for gzip; retry later");
		}
		else
			h->gzip = true;
	}

	/*
	 * A client waiting for "100 Continue": refused at the head, it is
	 * answered now and the connection closed (its body may or may not
	 * follow); else it may send the body.
	 */
	if (req->expect_continue)
	{
		if (h->status != 0)
		{
			http_conn_respond_error(h, h->status, h->message, true);
			h->in_request = false;
		}
		else
		{
			appendStringInfoString(&h->out, HTTP_CONTINUE_RESPONSE);
			http_conn_send(h);
		}
	}
}

/* Make room for at least want more bytes of body. */
static void
http_conn_body_room(HttpConn *h, Size want)
{
	Size		cap;

	if (h->body_cap - h->body_len >= want)
		return;
	cap = Max(h->body_cap * 2, h->body_len + want);
	cap = Max(cap, 64 * 1024);
	if (h->body == NULL)
		h->body = MemoryContextAllocHuge(h->conn->cxt, cap);
	else
		h->body = repalloc_huge(h->body, cap);
	h->body_cap = cap;
}

/* Body bytes of a write: stage them, inflating gzip as it arrives. */
static void
http_conn_body(HttpConn *h, const char *data, size_t len)
{
	if (h->status != 0 || (h->route != HTTP_ROUTE_WRITE_V2 &&
						   h->route != HTTP_ROUTE_WRITE_V1))
		return;					/* refused: read and thrown away */
	if (!h->gzip)
	{
		http_conn_body_room(h, len);
		memcpy(h->body + h->body_len, data, len);
		h->body_len += len;
		return;
	}

	for (;;)
	{
		size_t		used = 0;
		size_t		produced = 0;
		size_t		room;
		HttpGzipResult res;

		http_conn_body_room(h, 64 * 1024);
		room = h->body_cap - h->body_len;
		res = http_gzip_inflate(&h->gz, data, len, &used,
								h->body + h->body_len, room, &produced);
		h->body_len += produced;
		data += used;
		len -= used;
		switch (res)
		{
			case HTTP_GZIP_OK:
				if (len == 0 && produced < room)
					return;
				break;
			case HTTP_GZIP_END:
				if (len > 0)
					http_conn_refuse(h, 400, "data after the end of the gzip body");
				return;
			case HTTP_GZIP_TOO_LARGE:
				http_conn_refuse(h, 413, "the decompressed body is larger than streamstat.max_body_bytes");
				return;
			case HTTP_GZIP_CORRUPT:
				http_conn_refuse(h, 400, "the gzip body is corrupt");
				return;
			case HTTP_GZIP_NO_MEMORY:
				h->retry_after = HTTP_CONN_RETRY_AFTER;
				http_conn_refuse(h, 503, "out of memory for gzip; retry later");
				return;
		}
	}
}

/* Cut the staged body into lines and hand them to the batch. */
static void
http_conn_add_lines(HttpConn *h)
{
	TimestampTz now = GetCurrentTimestamp();
	int32		client = conn_batch_client(h->conn, h->batch);
	const char *p = h->body;
	const char *end = h->body + h->body_len;
	long		lineno = 0;

	h->target.schema = h->schema[0] ? h->schema : NULL;
	h->total_lines = 0;
	h->bad_lines = 0;
	h->late_bad_lines = 0;
	h->first_bad = 0;
	h->first_reason = NULL;
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		int			len = (nl ? nl : end) - p;
		bool		ok;
		char		reason[200];

		lineno++;
		if (len > streamstat_max_line_bytes)
		{
			snprintf(reason, sizeof(reason),
					 "line longer than streamstat.max_line_bytes (%d bytes); only its first %d bytes are stored here",
					 streamstat_max_line_bytes, INGEST_REJECT_PREFIX);
			h->counters->lines_received++;
			batch_add_reject(h->batch, p, INGEST_REJECT_PREFIX, client, now,
							 reason, h->counters);
			ok = false;
		}
		else
			ok = batch_add_line_to(h->batch, h->ilp, p, len, client, now,
								   &h->target, h->counters);
		if (!ok)
		{
			h->bad_lines++;
			if (h->first_bad == 0)
			{
				h->first_bad = lineno;
				h->first_reason = MemoryContextStrdup(h->conn->cxt,
													  batch_last_reject_reason(h->batch));
			}
		}
		p = nl ? nl + 1 : end;
	}
	h->total_lines = lineno;
	/* Do not keep a large body's buffer between requests. */
	if (h->body_cap > 1024 * 1024)
	{
		pfree(h->body);
		h->body = NULL;
		h->body_cap = 0;
	}
	h->body_len = 0;
}

/* A request ended: answer it, or park it until its rows are committed. */
static void
http_conn_done(HttpConn *h)
{
	h->in_request = false;
	if (h->gzip)
	{
		if (h->status == 0 && http_gzip_finish(&h->gz) != HTTP_GZIP_END)
			http_conn_refuse(h, 400, "the gzip body is truncated");
		http_gzip_free(&h->gz);
		h->gzip = false;
	}
	if (h->status != 0)
	{
		h->body_len = 0;
		http_conn_respond_error(h, h->status, h->message, false);
		return;
	}
	switch (h->route)
	{
		case HTTP_ROUTE_PING:
			http_conn_respond(h, 204, NULL, 0, false);
			break;
		case HTTP_ROUTE_HEALTH:
			{
				static const char body[] =
					"{\"name\":\"streamstat\",\"message\":\"ready for writes\","
					"\"status\":\"pass\",\"checks\":[],\"version\":\"" HTTP_SERVER_VERSION "\"}";

				http_conn_respond(h, 200, body, sizeof(body) - 1, false);
			}
			break;
		case HTTP_ROUTE_WRITE_V2:
		case HTTP_ROUTE_WRITE_V1:
			http_conn_add_lines(h);
			h->parked = true;
			h->deadline = 0;
			break;
		case HTTP_ROUTE_NONE:
			elog(ERROR, "streamstat: unrouted HTTP request");
	}
}

/* Parse what was received, until it is used up or we must wait. */
static void
http_conn_process(HttpConn *h)
{
	IngestConn *conn = h->conn;

	for (;;)
	{
		size_t		avail;
		size_t		used = 0;
		const char *body = NULL;
		size_t		body_len = 0;
		HttpEvent	ev;

		if (conn->closed || h->parked || h->close_after || h->out.len > 0)
			return;
		avail = conn->len - h->in_off;
		if (avail == 0 && !h->in_request)
			return;
		if (!h->in_request)
		{
			/* A request begins: it has http_timeout to arrive whole. */
			h->in_request = true;
			h->deadline = http_conn_deadline();
		}
		ev = http_parser_feed(&h->parser, conn->buf + h->in_off, avail,
							  &used, &body, &body_len);
		h->in_off += used;
		switch (ev)
		{
			case HTTP_NEED_MORE:
				return;
			case HTTP_HEAD:
				http_conn_head(h);
				break;
			case HTTP_BODY:
				http_conn_body(h, body, body_len);
				break;
			case HTTP_DONE:
				http_conn_done(h);
				break;
			case HTTP_ERROR:
				h->in_request = false;
				h->keep_alive = false;
				h->head_only = false;
				h->retry_after = 0;
				h->allow = NULL;
				http_conn_respond_error(h, h->parser.status, h->parser.error, true);
				return;
		}
	}
}

/* Read one chunk from the socket and parse it. */
static void
http_conn_recv(HttpConn *h)
{
	IngestConn *conn = h->conn;
	ssize_t		n;

	/* Only read once everything received before is used up. */
	if (h->in_off < conn->len)
	{
		http_conn_process(h);
		return;
	}
	conn->len = 0;
	h->in_off = 0;
	n = tls_conn_recv(conn, conn->buf, Min(conn->cap, INGEST_READ_CHUNK),
					  h->counters);
	if (n < 0)
	{
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			http_conn_close(h);
		return;
	}
	if (n == 0)
	{
		/* Closed by the client; a request cut off stores nothing. */
		http_conn_close(h);
		return;
	}
	h->counters->bytes_received += n;
	conn->len = n;
	http_conn_process(h);
}

/* What the worker should wait for on this connection (0: nothing). */
uint32
http_conn_wait_events(IngestConn *conn)
{
	HttpConn   *h = conn->http;

	if (conn->closed || h->parked)
		return 0;
	if (h->out.len > 0)
		return WL_SOCKET_WRITEABLE;
	return tls_conn_wait_events(conn, WL_SOCKET_READABLE);
}

/* The socket is ready. */
void
http_conn_event(IngestConn *conn, uint32 events)
{
	HttpConn   *h = conn->http;

	if (conn->closed || h->parked)
		return;
	if (tls_conn_handshaking(conn))
	{
		http_conn_recv(h);
		return;
	}
	if (h->out.len > 0)
	{
		if (events & WL_SOCKET_WRITEABLE)
			http_conn_send(h);
		/* Sent: go on with requests already received. */
		http_conn_process(h);
		return;
	}
	if (events & WL_SOCKET_READABLE)
		http_conn_recv(h);
}

/* Whether a request waits for the batch to be committed. */
bool
http_conn_parked(IngestConn *conn)
{
	return !conn->closed && conn->http->parked;
}

/*
 * The batch holding a parked request's lines has committed: count the rows
 * of the request that the writer rejected (a field whose type conflicts
 * with its column, a constraint), before the batch is reset.
 */
void
http_conn_note_write_rejects(IngestConn *conn)
{
	HttpConn   *h = conn->http;
	int32		nrejected;
	const char *reason = NULL;

	if (!h->parked || conn->batch_generation != batch_generation(h->batch))
		return;
	nrejected = batch_client_write_rejects(h->batch, conn->batch_client, &reason);
	if (nrejected == 0)
		return;
	h->late_bad_lines += nrejected;
	if (h->first_reason == NULL)
		h->first_reason = MemoryContextStrdup(conn->cxt, reason);
}

/*
 * The batch holding a parked request's lines has committed: answer, then
 * go on with pipelined requests unless the worker is stopping.
 */
void
http_conn_answer_parked(IngestConn *conn, bool stopping)
{
	HttpConn   *h = conn->http;

	if (!h->parked)
		return;
	h->parked = false;
	if (h->bad_lines == 0 && h->late_bad_lines == 0)
		http_conn_respond(h, 204, NULL, 0, false);
	else if (h->bad_lines == 0)
	{
		char		message[HTTP_ERROR_BYTES + 200];
		char		body[1024];
		size_t		len;

		/* Rejected while written: the line numbers are not known there. */
		snprintf(message, sizeof(message),
				 "%ld of %ld lines rejected while written: %s (the other lines were stored, "
				 "the rejected ones are in streamstat.rejects)",
				 h->late_bad_lines, h->total_lines, h->first_reason);
		len = http_error_body(body, sizeof(body), 400, message, 0);
		http_conn_respond(h, 400, body, Min(len, sizeof(body) - 1), false);
	}
	else
	{
		char		body[1024];
		size_t		len = http_bad_lines_body(body, sizeof(body), h->first_bad,
											  h->first_reason,
											  h->bad_lines + h->late_bad_lines,
											  h->total_lines);

		http_conn_respond(h, 400, body, Min(len, sizeof(body) - 1), false);
	}
	if (h->first_reason)
	{
		pfree(h->first_reason);
		h->first_reason = NULL;
	}
	/* Pipelined requests next, unless the worker is stopping. */
	if (!stopping)
		http_conn_process(h);
}

/* Milliseconds until the connection's deadline (-1: none). */
long
http_conn_timeout(IngestConn *conn, TimestampTz now)
{
	HttpConn   *h = conn->http;

	if (conn->closed || h->deadline == 0)
		return -1;
	if (h->deadline <= now)
		return 0;
	return (long) ((h->deadline - now + 999) / 1000);
}

/* Past the deadline: close an idle connection, 408 a slow request. */
void
http_conn_check_timeout(IngestConn *conn, TimestampTz now)
{
	HttpConn   *h = conn->http;

	if (conn->closed || h->deadline == 0 || now < h->deadline)
		return;
	if (h->out.len > 0 || !h->in_request)
	{
		/* A client that does not read its answer, or an idle one. */
		http_conn_close(h);
		return;
	}
	h->in_request = false;
	h->keep_alive = false;
	h->head_only = false;
	h->retry_after = 0;
	h->allow = NULL;
	h->body_len = 0;
	http_conn_respond_error(h, 408, "the request did not arrive within streamstat.http_timeout", true);
	/* Do not wait another http_timeout for a client that does not read. */
	if (!conn->closed)
		h->deadline = TimestampTzPlusMilliseconds(now, 1000);
}
