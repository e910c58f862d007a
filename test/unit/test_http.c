/*
 * test_http.c
 *		TAP unit tests of the HTTP write API's pure-C parts: the incremental
 *		request parser, its helpers (query decoding, precision, credentials,
 *		JSON, responses) and the capped gzip inflater.
 *
 * Every parse case is run twice: with the whole input in one call and fed
 * one byte at a time, which must give the same result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "protocol/http.h"

#include "tap.h"

#define MAX_REQ 8

/* What one request looked like to the parser's user. */
typedef struct SeenRequest
{
	HttpMethod	method;
	char		method_name[16];
	char		path[256];
	char		query[512];		/* "name=value|" for each param */
	int			version_minor;
	char		auth[256];
	bool		has_auth;
	char		user_agent[64];
	HttpContentEncoding encoding;
	int64_t		content_length;
	bool		chunked;
	bool		expect_continue;
	bool		keep_alive;
	char		body[8192];
	size_t		body_len;
	bool		body_in_input;	/* every body span pointed into the input */
	bool		done;
} SeenRequest;

typedef struct Outcome
{
	int			nreq;			/* requests seen (head reported) */
	int			ndone;
	SeenRequest req[MAX_REQ];
	int			status;			/* 0, or the error status */
	char		error[HTTP_ERROR_BYTES];
} Outcome;

static HttpLimits default_limits = {
	.max_request_line = 256,
	.max_header_bytes = 512,
	.max_headers = 8,
	.max_body_bytes = 1000
};

/* Feed len bytes in pieces of step bytes (0: all at once) and record. */
static void
run_parser(const char *input, size_t len, const HttpLimits *limits, size_t step,
		   Outcome *out)
{
	HttpParser	p;
	size_t		off = 0;
	bool		stop = false;

	memset(out, 0, sizeof(*out));
	http_parser_init(&p, limits, test_realloc, NULL);
	for (;;)
	{
		size_t		n = step ? (len - off < step ? len - off : step) : len - off;
		size_t		pos = 0;

		for (;;)
		{
			const char *body;
			size_t		blen,
						used;
			HttpEvent	ev = http_parser_feed(&p, input + off + pos, n - pos, &used,
											  &body, &blen);
			SeenRequest *r = &out->req[out->nreq > 0 ? out->nreq - 1 : 0];
			int			i;

			pos += used;
			if (ev == HTTP_NEED_MORE)
				break;
			if (ev == HTTP_ERROR)
			{
				out->status = p.status;
				snprintf(out->error, sizeof(out->error), "%s", p.error);
				stop = true;
				break;
			}
			if (ev == HTTP_HEAD)
			{
				if (out->nreq == MAX_REQ)
				{
					stop = true;
					break;
				}
				r = &out->req[out->nreq++];
				r->method = p.request.method;
				snprintf(r->method_name, sizeof(r->method_name), "%s", p.request.method_name);
				snprintf(r->path, sizeof(r->path), "%s", p.request.path);
				for (i = 0; i < p.request.nparams; i++)
				{
					strncat(r->query, p.request.params[i].name, sizeof(r->query) - strlen(r->query) - 1);
					strncat(r->query, "=", sizeof(r->query) - strlen(r->query) - 1);
					strncat(r->query, p.request.params[i].value, sizeof(r->query) - strlen(r->query) - 1);
					strncat(r->query, "|", sizeof(r->query) - strlen(r->query) - 1);
				}
				r->version_minor = p.request.version_minor;
				r->has_auth = p.request.authorization != NULL;
				if (r->has_auth)
					snprintf(r->auth, sizeof(r->auth), "%s", p.request.authorization);
				if (p.request.user_agent)
					snprintf(r->user_agent, sizeof(r->user_agent), "%s", p.request.user_agent);
				r->encoding = p.request.content_encoding;
				r->content_length = p.request.content_length;
				r->chunked = p.request.chunked;
				r->expect_continue = p.request.expect_continue;
				r->keep_alive = p.request.keep_alive;
				r->body_in_input = true;
			}
			else if (ev == HTTP_BODY)
			{
				if (body < input || body + blen > input + len)
					r->body_in_input = false;
				if (r->body_len + blen <= sizeof(r->body))
					memcpy(r->body + r->body_len, body, blen);
				r->body_len += blen;
			}
			else if (ev == HTTP_DONE)
			{
				r->done = true;
				out->ndone++;
			}
		}
		off += n;
		if (stop || off >= len)
			break;
	}
	http_parser_free(&p);
}

/* Parse at once and byte by byte; both must agree.  Returns the first. */
static Outcome *
parse_both(const char *input, const HttpLimits *limits, bool *same)
{
	static Outcome a,
				b;
	size_t		len = strlen(input);

	run_parser(input, len, limits ? limits : &default_limits, 0, &a);
	run_parser(input, len, limits ? limits : &default_limits, 1, &b);
	*same = (a.nreq == b.nreq && a.ndone == b.ndone && a.status == b.status &&
			 memcmp(a.req, b.req, sizeof(a.req)) == 0);
	return &a;
}

/* Expect a request to be refused with the given status, both feed modes. */
static void
expect_status(const char *input, const HttpLimits *limits, int status, const char *what)
{
	bool		same;
	Outcome    *o = parse_both(input, limits, &same);

	ok(o->status == status && same, "%s -> %d (got %d: %s)", what, status, o->status, o->error);
}

/* Expect a single complete request; returns it for further checks. */
static SeenRequest *
expect_request(const char *input, const HttpLimits *limits, const char *what)
{
	bool		same;
	Outcome    *o = parse_both(input, limits, &same);

	ok(o->status == 0 && o->nreq == 1 && o->ndone == 1 && same,
	   "%s parses (status %d: %s, nreq %d, done %d, same %d)",
	   what, o->status, o->error, o->nreq, o->ndone, same);
	return &o->req[0];
}

static void
test_request_line(void)
{
	SeenRequest *r;
	Outcome    *o;
	bool		same;

	r = expect_request("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "GET /ping");
	ok(r->method == HTTP_METHOD_GET && strcmp(r->path, "/ping") == 0 &&
	   r->version_minor == 1 && r->keep_alive && r->content_length == -1 &&
	   r->body_len == 0, "GET /ping: method, path, HTTP/1.1 keep-alive, no body");

	r = expect_request("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "HEAD");
	ok(r->method == HTTP_METHOD_HEAD, "HEAD method recognised");

	r = expect_request("PUT /write HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "PUT");
	ok(r->method == HTTP_METHOD_OTHER && strcmp(r->method_name, "PUT") == 0,
	   "PUT is another method, name kept (for 405)");

	r = expect_request("get / HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "lowercase method");
	ok(r->method == HTTP_METHOD_OTHER, "methods are case-sensitive: get is not GET");

	r = expect_request("GET / HTTP/1.0\r\n\r\n", NULL, "HTTP/1.0 without Host");
	ok(r->version_minor == 0 && !r->keep_alive, "HTTP/1.0 defaults to close");

	expect_status("GET /\r\n\r\n", NULL, 400, "HTTP/0.9 style request line");
	expect_status("GET / HTTP/2.0\r\nHost: x\r\n\r\n", NULL, 505, "HTTP/2.0");
	expect_status("GET / HTTP/0.9\r\nHost: x\r\n\r\n", NULL, 505, "HTTP/0.9 version");
	expect_status("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", NULL, 400, "trailing space after version");
	expect_status("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "double space");
	expect_status("GET ping HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "target without slash");
	expect_status("GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "fragment in target");
	expect_status("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "method with a separator");
	expect_status("GET / HTTPS/1.1\r\nHost: x\r\n\r\n", NULL, 400, "bad protocol name");

	r = expect_request("POST http://db:8086/api/v2/write?bucket=b HTTP/1.1\r\nHost: db\r\n\r\n",
					   NULL, "absolute-form target");
	ok(strcmp(r->path, "/api/v2/write") == 0 && strcmp(r->query, "bucket=b|") == 0,
	   "absolute-form: path and query kept, authority dropped");
	r = expect_request("GET http://db:8086 HTTP/1.1\r\nHost: db\r\n\r\n", NULL, "absolute-form without path");
	ok(strcmp(r->path, "/") == 0, "absolute-form without path is /");
	r = expect_request("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "asterisk-form");
	ok(strcmp(r->path, "*") == 0, "asterisk-form path is *");

	r = expect_request("\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "leading empty lines");
	ok(strcmp(r->path, "/ping") == 0, "empty lines before the request line are skipped");
	expect_status("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", NULL, 400,
				  "nine leading empty lines");

	r = expect_request("GET /lf HTTP/1.1\nHost: x\n\n", NULL, "bare LF line ends");
	ok(strcmp(r->path, "/lf") == 0, "bare LF accepted");

	expect_status("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", NULL, 400, "stray CR in a header");
	{
		static const char nul_req[] = "GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n";
		Outcome		n;

		run_parser(nul_req, sizeof(nul_req) - 1, &default_limits, 0, &n);
		ok(n.status == 400, "NUL in the head -> 400 (got %d)", n.status);
	}

	o = parse_both("POST /write HTTP/1.1\r\nHost: x\r\n\r\n", NULL, &same);
	ok(o->nreq == 1 && o->ndone == 1 && o->req[0].body_len == 0 && same,
	   "POST without Content-Length or chunked has an empty body");
}

static void
test_headers(void)
{
	SeenRequest *r;

	r = expect_request("POST /w HTTP/1.1\r\nhOsT: x\r\ncontent-LENGTH: 3\r\n\r\nabc", NULL,
					   "mixed-case header names");
	ok(r->content_length == 3 && r->body_len == 3 && memcmp(r->body, "abc", 3) == 0,
	   "case-insensitive Content-Length honoured");

	expect_status("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\n\r\n", NULL, 400,
				  "obs-fold (space)");
	expect_status("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tcontinued\r\n\r\n", NULL, 400,
				  "obs-fold (tab)");
	expect_status("GET / HTTP/1.1\r\nHost : x\r\n\r\n", NULL, 400, "space before colon");
	expect_status("GET / HTTP/1.1\r\nHost x\r\n\r\n", NULL, 400, "header without colon");
	expect_status("GET / HTTP/1.1\r\n: x\r\n\r\n", NULL, 400, "empty header name");
	expect_status("GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n", NULL, 400, "control byte in a value");

	r = expect_request("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: \t Token abc \t\r\n"
					   "User-Agent: telegraf\r\n\r\n", NULL, "OWS around values");
	ok(r->has_auth && strcmp(r->auth, "Token abc") == 0 &&
	   strcmp(r->user_agent, "telegraf") == 0, "values trimmed; Authorization and User-Agent kept");

	expect_status("GET / HTTP/1.1\r\n\r\n", NULL, 400, "HTTP/1.1 without Host");
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", NULL, 400, "two Host headers");
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Token a\r\n"
				  "Authorization: Token b\r\n\r\n", NULL, 400, "two Authorization headers");

	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", NULL, 400,
				  "Content-Length not a number");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", NULL, 400,
				  "negative Content-Length");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", NULL, 400,
				  "signed Content-Length");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", NULL, 400,
				  "empty Content-Length");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", NULL, 400,
				  "Content-Length list");
	r = expect_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
					   NULL, "repeated equal Content-Length");
	ok(r->body_len == 3, "repeated equal Content-Length: body read once");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
				  NULL, 400, "conflicting Content-Length");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
				  NULL, 413, "Content-Length beyond int64");

	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
				  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", NULL, 400,
				  "Content-Length with Transfer-Encoding (smuggling)");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", NULL, 501,
				  "Transfer-Encoding gzip");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", NULL, 501,
				  "stacked transfer codings");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
				  "Transfer-Encoding: chunked\r\n\r\n", NULL, 501, "Transfer-Encoding twice");
	expect_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", NULL, 400,
				  "chunked in HTTP/1.0");
	r = expect_request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
					   NULL, "Transfer-Encoding: Chunked (any case)");
	ok(r->chunked, "chunked flag set");

	r = expect_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n\r\n", NULL, "gzip");
	ok(r->encoding == HTTP_ENCODING_GZIP, "Content-Encoding: gzip");
	r = expect_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: X-GZIP\r\n\r\n", NULL, "x-gzip");
	ok(r->encoding == HTTP_ENCODING_GZIP, "Content-Encoding: x-gzip (any case)");
	r = expect_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: identity\r\n\r\n", NULL, "identity");
	ok(r->encoding == HTTP_ENCODING_IDENTITY, "Content-Encoding: identity");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: br\r\n\r\n", NULL, 415,
				  "Content-Encoding br");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
				  "Content-Encoding: gzip\r\n\r\n", NULL, 415, "Content-Encoding twice");

	r = expect_request("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
					   "Content-Length: 1\r\n\r\nx", NULL, "Expect: 100-continue");
	ok(r->expect_continue, "expect_continue set on HTTP/1.1");
	r = expect_request("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
					   NULL, "Expect on HTTP/1.0");
	ok(!r->expect_continue, "HTTP/1.0 never waits for 100 Continue");
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nExpect: fancy\r\n\r\n", NULL, 417,
				  "unknown expectation");
}

static void
test_keep_alive(void)
{
	SeenRequest *r;

	r = expect_request("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", NULL, "1.1 close");
	ok(!r->keep_alive, "HTTP/1.1 with Connection: close closes");
	r = expect_request("GET / HTTP/1.1\r\nHost: a\r\nConnection: TE, Close\r\n\r\n", NULL, "1.1 list");
	ok(!r->keep_alive, "close found in a Connection list, any case");
	r = expect_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", NULL, "1.0 keep-alive");
	ok(r->keep_alive, "HTTP/1.0 with Connection: keep-alive stays open");
	r = expect_request("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", NULL, "1.0 both");
	ok(!r->keep_alive, "close wins over keep-alive");
	r = expect_request("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", NULL, "1.1 ka");
	ok(r->keep_alive, "HTTP/1.1 keep-alive");
}

static void
test_limits(void)
{
	HttpLimits	l = default_limits;
	char		buf[4096];
	char		target[512];
	Outcome		o;
	int			i;

	/* request line of exactly max_request_line bytes, then one more */
	l.max_request_line = 64;
	memset(target, 'a', sizeof(target));
	/* "GET /" + n + " HTTP/1.1" = 14 + n bytes */
	snprintf(buf, sizeof(buf), "GET /%.*s HTTP/1.1\r\nHost: x\r\n\r\n", 50, target);
	expect_request(buf, &l, "request line at the limit");
	snprintf(buf, sizeof(buf), "GET /%.*s HTTP/1.1\r\nHost: x\r\n\r\n", 51, target);
	expect_status(buf, &l, 414, "request line one byte over");
	/* a long line is refused before its end arrives */
	snprintf(buf, sizeof(buf), "GET /%.*s", 300, target);
	run_parser(buf, strlen(buf), &l, 1, &o);
	ok(o.status == 414, "414 without waiting for the end of the line (got %d)", o.status);

	/* header section size: 2 headers of 20 bytes each incl. CRLF */
	l = default_limits;
	l.max_header_bytes = 2 + 20 + 20;	/* plus the final CRLF */
	expect_request("GET / HTTP/1.1\r\nHost: 123456789012\r\nX-Ab: 123456789012\r\n\r\n", &l,
				   "header section at the limit");
	expect_status("GET / HTTP/1.1\r\nHost: 123456789012\r\nX-Ab: 1234567890123\r\n\r\n", &l,
				  431, "header section one byte over");
	memset(buf, 0, sizeof(buf));
	strcpy(buf, "GET / HTTP/1.1\r\nX-Long: ");
	memset(buf + strlen(buf), 'b', 1000);
	run_parser(buf, strlen(buf), &default_limits, 1, &o);
	ok(o.status == 431, "431 without waiting for the end of the header (got %d)", o.status);

	/* number of headers */
	l = default_limits;
	l.max_headers = 3;
	expect_request("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", &l, "3 headers of 3");
	expect_status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &l, 431,
				  "4 headers of 3");

	/* body size */
	l = default_limits;
	l.max_body_bytes = 5;
	expect_request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345", &l,
				   "body at the limit");
	expect_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n123456", &l, 413,
				  "Content-Length over the limit (refused at the head)");
	expect_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", &l, 413, "chunked body over the limit");
	expect_request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", &l, "chunked body at the limit");

	/* the error state is sticky */
	{
		HttpParser	p;
		const char *req = "GET / HTTP/9.9\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
		size_t		used;
		const char *body;
		size_t		blen;
		HttpEvent	ev1,
					ev2;

		http_parser_init(&p, &default_limits, test_realloc, NULL);
		ev1 = http_parser_feed(&p, req, strlen(req), &used, &body, &blen);
		ev2 = http_parser_feed(&p, req + used, strlen(req) - used, &used, &body, &blen);
		ok(ev1 == HTTP_ERROR && ev2 == HTTP_ERROR && p.status == 505 && !p.request.keep_alive,
		   "after an error the parser stays in error, keep-alive off");
		http_parser_free(&p);
	}
	for (i = 0; i < 1; i++)
		ok(live_blocks == 0, "the parser freed its head buffer (%d live)", live_blocks);
}

static void
test_body(void)
{
	SeenRequest *r;
	Outcome    *o;
	bool		same;

	r = expect_request("POST /api/v2/write HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\n"
					   "cpu v=1 1\ncpu v=2 2\nmem x=1", NULL, "Content-Length body");
	ok(r->body_len == 26 && memcmp(r->body, "cpu v=1 1\ncpu v=2 2\nmem x=1", 26) == 0 &&
	   r->body_in_input, "body bytes exact and handed out in place (no copy)");

	r = expect_request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", NULL, "empty body");
	ok(r->body_len == 0 && r->content_length == 0, "Content-Length: 0");

	r = expect_request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
					   "3\r\nabc\r\n0\r\n\r\n", NULL, "simple chunked");
	ok(r->body_len == 3 && memcmp(r->body, "abc", 3) == 0 && r->body_in_input, "chunked body abc");

	r = expect_request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
					   "A\r\n0123456789\r\n1\r\nZ\r\n00\r\n\r\n", NULL, "hex sizes, two chunks");
	ok(r->body_len == 11 && memcmp(r->body, "0123456789Z", 11) == 0, "chunk sizes in hex");

	r = expect_request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
					   "3;name=value\r\nabc\r\n2 ; x=\"y\"\r\nde\r\n0;last\r\n\r\n", NULL,
					   "chunk extensions");
	ok(r->body_len == 5 && memcmp(r->body, "abcde", 5) == 0, "chunk extensions ignored");

	r = expect_request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
					   "3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n", NULL, "trailers");
	ok(r->body_len == 3, "trailer fields skipped");

	r = expect_request("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"
					   "3\nabc\n0\n\n", NULL, "chunked with LF line ends");
	ok(r->body_len == 3 && memcmp(r->body, "abc", 3) == 0, "LF-only chunk framing");

	expect_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "xyz\r\nabc\r\n0\r\n\r\n", NULL, 400, "chunk size not hex");
	expect_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "\r\nabc\r\n0\r\n\r\n", NULL, 400, "empty chunk size");
	expect_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "3\r\nabcd\r\n0\r\n\r\n", NULL, 400, "chunk longer than its size");
	expect_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "FFFFFFFFFFFFFFFFFF\r\n", NULL, 413, "chunk size beyond int64");
	{
		char		buf[2048] = {0};

		strcpy(buf, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;");
		memset(buf + strlen(buf), 'e', 1100);
		strcat(buf, "\r\nabc\r\n0\r\n\r\n");
		expect_status(buf, NULL, 400, "chunk-size line too long");
		strcpy(buf, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ");
		{
			size_t		at = strlen(buf);

			memset(buf + at, 't', 600);
			buf[at + 600] = '\0';
		}
		strcat(buf, "\r\n\r\n");
		expect_status(buf, NULL, 431, "trailers over the header limit");
	}

	/* a body cut off mid-way: no DONE */
	o = parse_both("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", NULL, &same);
	ok(o->nreq == 1 && o->ndone == 0 && o->status == 0 && same,
	   "a truncated body never completes the request");
	o = parse_both("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
				   NULL, &same);
	ok(o->nreq == 1 && o->ndone == 0 && same, "a chunked body without its last chunk never completes");
}

static void
test_pipelining(void)
{
	Outcome    *o;
	bool		same;

	o = parse_both("POST /api/v2/write?bucket=a HTTP/1.1\r\nHost: x\r\nAuthorization: Token t\r\n"
				   "Content-Length: 5\r\n\r\nab\ncd"
				   "POST /write?db=b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "2\r\nef\r\n0\r\n\r\n"
				   "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, &same);
	ok(o->nreq == 3 && o->ndone == 3 && o->status == 0 && same,
	   "three pipelined requests, whole and byte by byte");
	ok(strcmp(o->req[0].path, "/api/v2/write") == 0 && o->req[0].body_len == 5 &&
	   memcmp(o->req[0].body, "ab\ncd", 5) == 0 && o->req[0].has_auth,
	   "first pipelined request: path, body, auth");
	ok(strcmp(o->req[1].path, "/write") == 0 && strcmp(o->req[1].query, "db=b|") == 0 &&
	   o->req[1].body_len == 2 && o->req[1].chunked && !o->req[1].has_auth,
	   "second request: fresh state (no auth carried over), chunked body");
	ok(o->req[2].method == HTTP_METHOD_GET && !o->req[2].keep_alive && o->req[0].keep_alive,
	   "third request: GET with close; keep-alive per request");

	o = parse_both("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
				   "GET /c HTTP/1.1\r\nHost: x\r\n\r\n", NULL, &same);
	ok(o->nreq == 3 && o->ndone == 3 && strcmp(o->req[2].path, "/c") == 0 && same,
	   "pipelined GETs without bodies");
	o = parse_both("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/9.1\r\nHost: x\r\n\r\n", NULL, &same);
	ok(o->ndone == 1 && o->status == 505 && same,
	   "a bad request after a good one: the first completes, then the error");
}

static void
test_query(void)
{
	SeenRequest *r;
	char		s[64];
	size_t		len;
	HttpRequest req;

	r = expect_request("POST /api/v2/write?org=my+org&bucket=my%20bucket&precision=ms HTTP/1.1\r\n"
					   "Host: x\r\n\r\n", NULL, "query parameters");
	ok(strcmp(r->query, "org=my org|bucket=my bucket|precision=ms|") == 0,
	   "query: + and %%20 decode to space (%s)", r->query);
	r = expect_request("GET /q?flag&a=1&a=2&&b=%3D%26 HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "odd query");
	ok(strcmp(r->query, "flag=|a=1|a=2|b==&|") == 0, "bare names, empty pieces, encoded = and & (%s)",
	   r->query);
	r = expect_request("GET /p%20q+r HTTP/1.1\r\nHost: x\r\n\r\n", NULL, "encoded path");
	ok(strcmp(r->path, "/p q+r") == 0, "path: %%20 decoded, + kept (%s)", r->path);
	expect_status("GET /?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "bad %% escape");
	expect_status("GET /?a=%4 HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "truncated %% escape");
	expect_status("GET /?a=%00 HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 400, "encoded NUL");
	{
		char		buf[512] = "GET /?";
		int			i;
		HttpLimits	l = default_limits;

		for (i = 0; i < HTTP_MAX_PARAMS + 1; i++)
			strcat(buf, "a=1&");
		strcat(buf, " HTTP/1.1\r\nHost: x\r\n\r\n");
		l.max_request_line = 400;
		expect_status(buf, &l, 400, "too many query parameters");
	}

	strcpy(s, "a%41b%7e");
	len = strlen(s);
	ok(http_percent_decode(s, &len, false) && len == 4 && strcmp(s, "aAb~") == 0,
	   "http_percent_decode");

	memset(&req, 0, sizeof(req));
	req.params[0].name = "a";
	req.params[0].value = "1";
	req.params[1].name = "a";
	req.params[1].value = "2";
	req.nparams = 2;
	ok(strcmp(http_request_param(&req, "a"), "1") == 0 && http_request_param(&req, "b") == NULL,
	   "http_request_param: first wins, absent is NULL");
}

static void
test_precision(void)
{
	IlpPrecision p;
	int64_t		m;
	int64_t		out;

	ok(http_parse_precision(NULL, false, &p, &m) && p == ILP_PRECISION_NS && m == 1,
	   "no precision means ns");
	ok(http_parse_precision("", false, &p, &m) && p == ILP_PRECISION_NS, "empty precision means ns");
	ok(http_parse_precision("ns", false, &p, &m) && p == ILP_PRECISION_NS && m == 1, "v2 ns");
	ok(http_parse_precision("us", false, &p, &m) && p == ILP_PRECISION_US && m == 1, "v2 us");
	ok(http_parse_precision("ms", false, &p, &m) && p == ILP_PRECISION_MS && m == 1, "v2 ms");
	ok(http_parse_precision("s", false, &p, &m) && p == ILP_PRECISION_S && m == 1, "v2 s");
	ok(!http_parse_precision("n", false, &p, &m) && !http_parse_precision("u", false, &p, &m) &&
	   !http_parse_precision("m", false, &p, &m) && !http_parse_precision("h", false, &p, &m),
	   "v2 refuses the v1-only n, u, m, h");
	ok(!http_parse_precision("MS", false, &p, &m) && !http_parse_precision("x", true, &p, &m),
	   "unknown or upper-case precision refused");
	ok(http_parse_precision("n", true, &p, &m) && p == ILP_PRECISION_NS && m == 1, "v1 n");
	ok(http_parse_precision("u", true, &p, &m) && p == ILP_PRECISION_US && m == 1, "v1 u");
	ok(http_parse_precision("\xc2\xb5", true, &p, &m) && p == ILP_PRECISION_US, "v1 micro sign");
	ok(http_parse_precision("ms", true, &p, &m) && p == ILP_PRECISION_MS && m == 1, "v1 ms");
	ok(http_parse_precision("s", true, &p, &m) && p == ILP_PRECISION_S && m == 1, "v1 s");
	ok(http_parse_precision("m", true, &p, &m) && p == ILP_PRECISION_S && m == 60,
	   "v1 m is minutes: seconds x 60");
	ok(http_parse_precision("h", true, &p, &m) && p == ILP_PRECISION_S && m == 3600,
	   "v1 h is hours: seconds x 3600");
	ok(http_scale_timestamp(472222, 3600, &out) && out == 1699999200LL, "hours scale to seconds");
	ok(http_scale_timestamp(-5, 60, &out) && out == -300, "negative timestamps scale");
	ok(!http_scale_timestamp(INT64_MAX / 60 + 1, 60, &out) &&
	   !http_scale_timestamp(INT64_MIN / 3600 - 1, 3600, &out), "overflow detected both ways");
}

static void
test_auth(void)
{
	char		out[64];
	HttpRequest req;
	long		n;

	n = http_base64_decode("dXNlcjpwYXNz", 12, out, sizeof(out));
	ok(n == 9 && strcmp(out, "user:pass") == 0, "base64 user:pass");
	ok(http_base64_decode("YQ==", 4, out, sizeof(out)) == 1 && strcmp(out, "a") == 0 &&
	   http_base64_decode("YWI=", 4, out, sizeof(out)) == 2 && strcmp(out, "ab") == 0 &&
	   http_base64_decode("", 0, out, sizeof(out)) == 0, "base64 padding variants");
	ok(http_base64_decode("YWJ", 3, out, sizeof(out)) == -1 &&
	   http_base64_decode("YW!j", 4, out, sizeof(out)) == -1 &&
	   http_base64_decode("Y=Jj", 4, out, sizeof(out)) == -1 &&
	   http_base64_decode("Y===", 4, out, sizeof(out)) == -1 &&
	   http_base64_decode("YR==", 4, out, sizeof(out)) == -1,
	   "malformed base64 refused (length, alphabet, padding, non-canonical)");
	ok(http_base64_decode("dXNlcjpwYXNz", 12, out, 9) == -1, "base64 output too long for cap");
	ok(http_base64_decode("+/+/", 4, out, sizeof(out)) == 3 &&
	   (unsigned char) out[0] == 0xfb && (unsigned char) out[1] == 0xff &&
	   (unsigned char) out[2] == 0xbf, "base64 + and / values");

	memset(&req, 0, sizeof(req));
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_NONE,
	   "no credentials");
	req.authorization = "Token sst_abc";
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_SECRET &&
	   strcmp(out, "sst_abc") == 0, "Token scheme (v2)");
	req.authorization = "token   sst_abc";
	ok(http_request_secret(&req, true, out, sizeof(out)) == HTTP_CREDENTIAL_SECRET &&
	   strcmp(out, "sst_abc") == 0, "scheme any case, several spaces, v1 too");
	req.authorization = "Bearer xyz";
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_SECRET &&
	   strcmp(out, "xyz") == 0, "Bearer scheme");
	req.authorization = "Basic dXNlcjpwYXNz";
	ok(http_request_secret(&req, true, out, sizeof(out)) == HTTP_CREDENTIAL_SECRET &&
	   strcmp(out, "pass") == 0, "v1 Basic: the password is the token");
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "v2 does not take Basic");
	req.authorization = "Basic dXNlcg==";	/* "user" */
	ok(http_request_secret(&req, true, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "Basic without a colon is malformed");
	req.authorization = "Basic dXNlcjo=";	/* "user:" */
	ok(http_request_secret(&req, true, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "Basic with an empty password is malformed");
	req.authorization = "Basic !!!!";
	ok(http_request_secret(&req, true, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "Basic with bad base64 is malformed");
	req.authorization = "Token";
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "scheme without credentials is malformed");
	req.authorization = "Digest abc";
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "unknown scheme is malformed");
	req.authorization = "Token 0123456789012345678901234567890123456789012345678901234567890123456789";
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_MALFORMED,
	   "a secret longer than the buffer is malformed, not truncated");

	memset(&req, 0, sizeof(req));
	req.params[0].name = "u";
	req.params[0].value = "me";
	req.params[1].name = "p";
	req.params[1].value = "sst_q";
	req.nparams = 2;
	ok(http_request_secret(&req, true, out, sizeof(out)) == HTTP_CREDENTIAL_SECRET &&
	   strcmp(out, "sst_q") == 0, "v1 p parameter");
	ok(http_request_secret(&req, false, out, sizeof(out)) == HTTP_CREDENTIAL_NONE,
	   "v2 ignores the p parameter");

	ok(http_secure_equal("abcdef", "abcdef", 6) && !http_secure_equal("abcdef", "abcdeg", 6) &&
	   !http_secure_equal("xbcdef", "abcdef", 6) && http_secure_equal("a", "b", 0),
	   "constant-time compare");

	ok(http_addresses_local_only("localhost") && http_addresses_local_only("") &&
	   http_addresses_local_only("localhost, 127.0.0.1,::1") &&
	   http_addresses_local_only("LOCALHOST") && http_addresses_local_only("\"localhost\""),
	   "loopback-only address lists");
	ok(!http_addresses_local_only("*") && !http_addresses_local_only("0.0.0.0") &&
	   !http_addresses_local_only("localhost,10.0.0.5") && !http_addresses_local_only("::") &&
	   !http_addresses_local_only("db.example.com"), "address lists reaching beyond loopback");
}

static void
test_json_and_responses(void)
{
	char		out[512];
	size_t		n;
	HttpResponse resp;

	n = http_json_escape(out, sizeof(out), "a\"b\\c\nd\te\x01", 10);
	ok(strcmp(out, "a\\\"b\\\\c\\nd\\te\\u0001") == 0 && n == strlen(out),
	   "JSON escapes quote, backslash, newline, tab, control (%s)", out);
	n = http_json_escape(out, sizeof(out), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14);
	ok(strcmp(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == 0, "valid UTF-8 passes through");
	n = http_json_escape(out, sizeof(out), "a\xff" "b\xc0\x80" "c\xed\xa0\x80" "d\xe2\x82", 12);
	ok(strcmp(out, "a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd") == 0,
	   "invalid UTF-8 (stray, overlong, surrogate, truncated) becomes U+FFFD (%s)", out);
	n = http_json_escape(out, 5, "\"\"\"\"", 4);
	ok(n == 8 && strcmp(out, "\\\"\\\"") == 0, "snprintf semantics: needed length, truncated output");

	n = http_error_body(out, sizeof(out), 400,
						"line 3: missing field; the good lines were stored, the bad ones are in streamstat.rejects", 3);
	ok(strcmp(out, "{\"code\":\"invalid\",\"message\":\"line 3: missing field; the good lines were "
			  "stored, the bad ones are in streamstat.rejects\",\"line\":3}") == 0 && n == strlen(out),
	   "400 JSON body with line");
	http_bad_lines_body(out, sizeof(out), 7, "unbalanced \"quotes\"", 2, 10000);
	ok(strcmp(out, "{\"code\":\"invalid\",\"message\":\"line 7: unbalanced \\\"quotes\\\" (2 of 10000 "
			  "lines rejected: the other lines were stored, the rejected ones are in "
			  "streamstat.rejects)\",\"line\":7}") == 0, "400 body for bad lines (%s)", out);
	http_error_body(out, sizeof(out), 413, "too \"big\"", 0);
	ok(strcmp(out, "{\"code\":\"request too large\",\"message\":\"too \\\"big\\\"\"}") == 0,
	   "413 JSON body without line, message escaped");
	ok(strcmp(http_status_code_name(401), "unauthorized") == 0 &&
	   strcmp(http_status_code_name(503), "unavailable") == 0 &&
	   strcmp(http_status_code_name(404), "not found") == 0 &&
	   strcmp(http_status_code_name(405), "method not allowed") == 0 &&
	   strcmp(http_status_code_name(500), "internal error") == 0, "InfluxDB error code names");
	ok(strcmp(http_status_reason(413), "Request Entity Too Large") == 0 &&
	   strcmp(http_status_reason(431), "Request Header Fields Too Large") == 0 &&
	   strcmp(http_status_reason(505), "HTTP Version Not Supported") == 0, "reason phrases");

	memset(&resp, 0, sizeof(resp));
	resp.status = 204;
	resp.keep_alive = true;
	http_build_response(out, sizeof(out), &resp);
	ok(strcmp(out, "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n"
			  "X-Influxdb-Version: " HTTP_SERVER_VERSION "\r\n\r\n") == 0,
	   "204: no Content-Length, keep-alive");

	memset(&resp, 0, sizeof(resp));
	resp.status = 400;
	resp.body = "{\"x\":1}";
	resp.body_len = 7;
	n = http_build_response(out, sizeof(out), &resp);
	ok(strcmp(out, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n"
			  "Content-Length: 7\r\nConnection: close\r\nX-Influxdb-Version: " HTTP_SERVER_VERSION
			  "\r\n\r\n{\"x\":1}") == 0 && n == strlen(out), "400 with JSON body and close");

	resp.head_only = true;
	http_build_response(out, sizeof(out), &resp);
	ok(strstr(out, "Content-Length: 7\r\n") != NULL && strstr(out, "{\"x\"") == NULL,
	   "HEAD response: Content-Length without body");

	memset(&resp, 0, sizeof(resp));
	resp.status = 503;
	resp.retry_after = 2;
	resp.keep_alive = true;
	http_build_response(out, sizeof(out), &resp);
	ok(strstr(out, "HTTP/1.1 503 Service Unavailable\r\n") == out &&
	   strstr(out, "\r\nRetry-After: 2\r\n") && strstr(out, "Content-Length: 0\r\n"),
	   "503 with Retry-After");

	memset(&resp, 0, sizeof(resp));
	resp.status = 405;
	resp.allow = "POST";
	resp.date = 784111777;
	http_build_response(out, sizeof(out), &resp);
	ok(strstr(out, "\r\nAllow: POST\r\n") && strstr(out, "\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
	   "405 with Allow, IMF-fixdate Date");

	memset(&resp, 0, sizeof(resp));
	resp.status = 401;
	http_build_response(out, sizeof(out), &resp);
	ok(strstr(out, "\r\nWWW-Authenticate: Token realm=\"streamstat\"\r\n") != NULL,
	   "401 names the Token scheme");

	n = http_build_response(out, 10, &resp);
	ok(n > 10 && strlen(out) == 9, "response into a small buffer reports the size needed");
}

/* gzip-compress src into a malloc'd buffer (the gzip wrapper). */
static unsigned char *
gzip_compress(const char *src, size_t len, size_t *out_len)
{
	z_stream	zs;
	size_t		cap = compressBound(len) + 64;
	unsigned char *out = malloc(cap);

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (Bytef *) src;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* Inflate in pieces of in_step bytes into an out_step-byte buffer; the
 * result code of the whole run, output appended to dst (cap dst_cap). */
static HttpGzipResult
gunzip(const unsigned char *in, size_t len, int64_t max_out, size_t in_step, size_t out_step,
	   char *dst, size_t dst_cap, size_t *dst_len)
{
	HttpGzip	gz;
	HttpGzipResult r;
	size_t		off = 0;
	char		out[65536];

	*dst_len = 0;
	r = http_gzip_init(&gz, max_out, test_realloc, NULL);
	if (r != HTTP_GZIP_OK)
		return r;
	while (r == HTTP_GZIP_OK || r == HTTP_GZIP_END)
	{
		size_t		n = len - off < in_step ? len - off : in_step;
		size_t		used,
					produced;

		r = http_gzip_inflate(&gz, (const char *) in + off, n, &used, out, out_step, &produced);
		off += used;
		if (*dst_len + produced <= dst_cap)
			memcpy(dst + *dst_len, out, produced);
		*dst_len += produced;
		if (r != HTTP_GZIP_OK && r != HTTP_GZIP_END)
			break;
		if (off == len && produced < out_step)
		{
			r = http_gzip_finish(&gz);
			break;
		}
	}
	http_gzip_free(&gz);
	return r;
}

static void
test_gzip(void)
{
	static char text[1 << 20];
	static char dst[1 << 20];
	size_t		text_len = 0;
	size_t		zlen,
				dlen;
	unsigned char *z;
	HttpGzipResult r;
	int			i;

	while (text_len + 64 < sizeof(text))
		text_len += snprintf(text + text_len, 64, "cpu,host=h%d usage=%d.5 %d\n",
							 (int) (text_len % 97), (int) (text_len % 1000), (int) text_len);

	z = gzip_compress(text, text_len, &zlen);
	r = gunzip(z, zlen, 1 << 20, zlen, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_END && dlen == text_len && memcmp(dst, text, text_len) == 0,
	   "gzip round trip of %zu bytes (%zu compressed)", text_len, zlen);
	r = gunzip(z, zlen, 1 << 20, 1, 7, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_END && dlen == text_len && memcmp(dst, text, text_len) == 0,
	   "gzip round trip fed one byte at a time into a 7-byte buffer");
	r = gunzip(z, zlen, (int64_t) text_len, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_END && dlen == text_len, "cap equal to the size is accepted");
	r = gunzip(z, zlen, (int64_t) text_len - 1, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_TOO_LARGE && dlen <= text_len - 1, "cap one byte short -> too large");

	r = gunzip(z, zlen - 4, 1 << 20, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_CORRUPT, "gzip without its last 4 trailer bytes is truncated");
	r = gunzip(z, zlen / 2, 1 << 20, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_CORRUPT, "gzip cut in the middle is truncated");
	z[zlen - 6] ^= 0x55;		/* corrupt the CRC-32 */
	r = gunzip(z, zlen, 1 << 20, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_CORRUPT, "gzip with a bad CRC is corrupt");
	z[zlen - 6] ^= 0x55;

	/* two members back to back, then trailing garbage */
	{
		unsigned char *two = malloc(zlen * 2 + 8);
		static char dst2[2 << 20];

		memcpy(two, z, zlen);
		memcpy(two + zlen, z, zlen);
		r = gunzip(two, zlen * 2, 2 << 20, 3000, 65536, dst2, sizeof(dst2), &dlen);
		ok(r == HTTP_GZIP_END && dlen == 2 * text_len &&
		   memcmp(dst2 + text_len, text, text_len) == 0, "concatenated gzip members");
		memcpy(two + zlen, "garbage!", 8);
		r = gunzip(two, zlen + 8, 2 << 20, 3000, 65536, dst2, sizeof(dst2), &dlen);
		ok(r == HTTP_GZIP_CORRUPT, "garbage after the gzip member is corrupt");
		free(two);
	}
	free(z);

	/* a bomb: 64 MiB of zeros compresses to ~64 KiB */
	{
		size_t		bomb_len = 64 << 20;
		char	   *zeros = calloc(1, bomb_len);

		z = gzip_compress(zeros, bomb_len, &zlen);
		free(zeros);
		r = gunzip(z, zlen, 1 << 20, 65536, 65536, dst, sizeof(dst), &dlen);
		ok(r == HTTP_GZIP_TOO_LARGE && dlen <= (1 << 20),
		   "gzip bomb (%zu -> 64 MiB) stops at the 1 MiB cap (%zu bytes out)", zlen, dlen);
		free(z);
	}

	r = gunzip((const unsigned char *) "hello world", 11, 1 << 20, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_CORRUPT, "plain text is not gzip");
	r = gunzip((const unsigned char *) "", 0, 1 << 20, 4096, 65536, dst, sizeof(dst), &dlen);
	ok(r == HTTP_GZIP_CORRUPT, "an empty gzip body is truncated");
	{
		unsigned char zl[256];
		uLongf		zl_len = sizeof(zl);

		compress(zl, &zl_len, (const Bytef *) "cpu v=1\n", 8);
		r = gunzip(zl, zl_len, 1 << 20, 4096, 65536, dst, sizeof(dst), &dlen);
		ok(r == HTTP_GZIP_CORRUPT, "a zlib (not gzip) stream is refused");
	}
	for (i = 0; i < 1; i++)
		ok(live_blocks == 0, "zlib state freed through the allocator (%d live)", live_blocks);
}

/* The whole path: chunked HTTP body of gzip data, fed byte by byte. */
static void
test_http_gzip_end_to_end(void)
{
	const char *lines = "cpu,host=a v=1 1\ncpu,host=b v=2 2\nmem free=3i 3\n";
	size_t		zlen;
	unsigned char *z = gzip_compress(lines, strlen(lines), &zlen);
	char		req[1024];
	size_t		len,
				off = 0;
	HttpParser	p;
	HttpGzip	gz;
	char		out[4096];
	size_t		out_len = 0;
	bool		done = false;
	bool		gzip_ok = true;
	HttpLimits	l = default_limits;
	size_t		half = zlen / 2;

	len = (size_t) snprintf(req, sizeof(req), "POST /api/v2/write?bucket=b&precision=s HTTP/1.1\r\n"
							"Host: x\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
							half);
	memcpy(req + len, z, half);
	len += half;
	len += (size_t) snprintf(req + len, sizeof(req) - len, "\r\n%zx;ext\r\n", zlen - half);
	memcpy(req + len, z + half, zlen - half);
	len += zlen - half;
	len += (size_t) snprintf(req + len, sizeof(req) - len, "\r\n0\r\n\r\n");

	http_parser_init(&p, &l, test_realloc, NULL);
	http_gzip_init(&gz, 4096, test_realloc, NULL);
	while (off < len && !done)
	{
		size_t		pos = 0;

		for (;;)
		{
			const char *body;
			size_t		blen,
						used;
			HttpEvent	ev = http_parser_feed(&p, req + off + pos, 1 - pos, &used, &body, &blen);

			pos += used;
			if (ev == HTTP_BODY)
			{
				size_t		bo = 0;

				while (bo < blen || gzip_ok)
				{
					size_t		in_used,
								produced;
					HttpGzipResult r = http_gzip_inflate(&gz, body + bo, blen - bo, &in_used,
														 out + out_len, sizeof(out) - out_len,
														 &produced);

					bo += in_used;
					out_len += produced;
					if (r != HTTP_GZIP_OK)
						gzip_ok = false;
					if (bo == blen && produced == 0)
						break;
				}
			}
			else if (ev == HTTP_DONE)
			{
				done = true;
				break;
			}
			else if (ev != HTTP_HEAD)
				break;
		}
		off++;
	}
	ok(done && gzip_ok && http_gzip_finish(&gz) == HTTP_GZIP_END && out_len == strlen(lines) &&
	   memcmp(out, lines, out_len) == 0 && http_request_param(&p.request, "precision") != NULL,
	   "chunked gzip body fed byte by byte inflates to the lines");
	http_gzip_free(&gz);
	http_parser_free(&p);
	free(z);
}

/* Feeding pipelined input in pieces of any size gives the same requests. */
static void
test_split_points(void)
{
	static const int want_done[] = {3, 2, 0};
	static const int want_status[] = {0, 0, 400};
	static const char *inputs[] = {
		"POST /api/v2/write?bucket=a&precision=ms HTTP/1.1\r\nHost: x\r\nAuthorization: Token t\r\n"
		"Content-Length: 11\r\n\r\ncpu v=1 1\n\n"
		"POST /write?db=b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5;x=y\r\nab\ncd\r\n3\r\nef\n\r\n0\r\nT: 1\r\n\r\n"
		"GET /ping HTTP/1.0\r\n\r\n",
		"\r\nGET /health HTTP/1.1\nHost: x\n\nPOST / HTTP/1.1\nHost: x\nContent-Length: 2\n\nab",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
	};
	size_t		k;

	for (k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++)
	{
		const char *in = inputs[k];
		size_t		len = strlen(in);
		static Outcome whole,
					split;
		size_t		cut;
		bool		all_same = true;

		run_parser(in, len, &default_limits, 0, &whole);
		for (cut = 1; cut < len && all_same; cut++)
		{
			run_parser(in, len, &default_limits, cut, &split);
			all_same = (whole.nreq == split.nreq && whole.ndone == split.ndone &&
						whole.status == split.status &&
						memcmp(whole.req, split.req, sizeof(whole.req)) == 0);
		}
		ok(all_same && whole.ndone == want_done[k] && whole.status == want_status[k],
		   "input %zu: feeding in pieces of every size 1..%zu gives the same requests "
		   "(%d done, status %d)", k, len - 1, whole.ndone, whole.status);
	}
}

int
main(void)
{
	test_request_line();
	test_headers();
	test_keep_alive();
	test_limits();
	test_body();
	test_pipelining();
	test_query();
	test_precision();
	test_auth();
	test_json_and_responses();
	test_gzip();
	test_http_gzip_end_to_end();
	test_split_points();
	printf("1..%d\n", ntests);
	return nfailed == 0 ? 0 : 1;
}
