/*
 * http.h
 *		HTTP/1.1 write API: the contract between the request parser
 *		(http_parse.c), the write API's helpers (http_write.c), the gzip
 *		inflater (http_gzip.c), their users (the ingest worker's HTTP
 *		connections, the unit tests, the benchmark) and the token check
 *		(auth.c).
 *
 * Where it sits in the path of a record: an HTTP client's bytes arrive on a
 * worker connection and are fed to an HttpParser; the request head tells the
 * worker where the lines go (path, bucket/db, precision, token); the body
 * bytes (de-chunked, then inflated when Content-Encoding is gzip) are the
 * line-protocol text handed to the ILP parser line by line, exactly as on the
 * TCP path.  Once the flush that holds the request's rows has committed, the
 * worker answers with a response built by http_build_response().
 *
 * Pure C99 with no PostgreSQL headers, so test/unit links it alone.  The
 * parser allocates only its head buffer (bounded by the limits), through the
 * caller's allocator; body bytes are never copied: HTTP_BODY events point
 * into the caller's input.
 */
#ifndef STREAMSTAT_HTTP_H
#define STREAMSTAT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "protocol/ilp.h"

#define HTTP_MAX_PARAMS 32		/* query parameters kept per request */
#define HTTP_MAX_CHUNK_LINE 1024	/* chunk-size line incl. extensions */
#define HTTP_ERROR_BYTES 160

/* Allocator the parser and the inflater grow and free with (realloc
 * semantics: size 0 frees; must not return NULL for size > 0). */
typedef void *(*HttpReallocFn) (void *ptr, size_t size, void *arg);

typedef enum HttpMethod
{
	HTTP_METHOD_OTHER,			/* a valid token we do not serve: 405 */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_POST
} HttpMethod;

typedef enum HttpContentEncoding
{
	HTTP_ENCODING_IDENTITY,		/* absent or "identity" */
	HTTP_ENCODING_GZIP			/* "gzip" or "x-gzip" */
} HttpContentEncoding;

/* Limits the caller passes in (from the settings). */
typedef struct HttpLimits
{
	size_t		max_request_line;	/* request line without CRLF: 414 */
	size_t		max_header_bytes;	/* header section, and trailers: 431 */
	int			max_headers;	/* header lines: 431 */
	int64_t		max_body_bytes; /* body on the wire: 413 */
} HttpLimits;

typedef struct HttpParam
{
	const char *name;			/* percent-decoded, NUL-terminated */
	const char *value;
} HttpParam;

/* One request head; strings point into the parser's head buffer and stay
 * valid until the next request starts. */
typedef struct HttpRequest
{
	HttpMethod	method;
	const char *method_name;
	const char *path;			/* percent-decoded, without the query */
	HttpParam	params[HTTP_MAX_PARAMS];
	int			nparams;
	int			version_minor;	/* HTTP/1.0 → 0, HTTP/1.1 → 1 */
	const char *authorization;	/* raw header value, or NULL */
	const char *user_agent;		/* or NULL */
	HttpContentEncoding content_encoding;
	int64_t		content_length; /* -1 when absent */
	bool		chunked;
	bool		expect_continue;	/* the client waits for "100 Continue" */
	bool		keep_alive;		/* the connection may carry another request */
} HttpRequest;

/* What one http_parser_feed() call found. */
typedef enum HttpEvent
{
	HTTP_NEED_MORE,				/* all input consumed; feed more bytes */
	HTTP_HEAD,					/* parser->request is filled in */
	HTTP_BODY,					/* body bytes (decoded): *body, *body_len */
	HTTP_DONE,					/* the request is complete */
	HTTP_ERROR					/* parser->status says what to answer */
} HttpEvent;

typedef enum HttpParserState
{
	HTTP_STATE_HEAD,
	HTTP_STATE_BODY_LENGTH,
	HTTP_STATE_CHUNK_SIZE,
	HTTP_STATE_CHUNK_DATA,
	HTTP_STATE_CHUNK_DATA_END,
	HTTP_STATE_TRAILERS,
	HTTP_STATE_DONE,
	HTTP_STATE_ERROR
} HttpParserState;

typedef struct HttpParser
{
	HttpReallocFn realloc_fn;
	void	   *realloc_arg;
	HttpLimits	limits;
	HttpParserState state;

	/* head accumulation */
	char	   *head;
	size_t		head_len;
	size_t		head_cap;
	size_t		line_start;		/* offset of the line being received */
	int			nlines;			/* lines completed in this head */
	bool		seen_request_line;
	size_t		header_start;	/* offset of the header section */

	/* body */
	int64_t		body_left;		/* bytes left of the body or chunk */
	int64_t		body_total;		/* decoded body bytes so far */
	char		chunk_line[HTTP_MAX_CHUNK_LINE];
	size_t		chunk_line_len;
	size_t		trailer_bytes;
	size_t		trailer_line_len;

	HttpRequest request;
	int			status;			/* HTTP status to answer on HTTP_ERROR */
	char		error[HTTP_ERROR_BYTES];
} HttpParser;

/* Set up a parser for a new connection. */
extern void http_parser_init(HttpParser *parser, const HttpLimits *limits,
							 HttpReallocFn realloc_fn, void *arg);

/* Free the parser's head buffer. */
extern void http_parser_free(HttpParser *parser);

/*
 * Consume input.  Call repeatedly, advancing by *consumed each time, until
 * it returns HTTP_NEED_MORE (all input used) or HTTP_ERROR (answer
 * parser->status and close the connection); a call may consume nothing
 * (HTTP_DONE right after the head of a request without a body).  After
 * HTTP_DONE the next call starts the next (pipelined) request, which
 * overwrites parser->request: answer first.
 */
extern HttpEvent http_parser_feed(HttpParser *parser, const char *data, size_t len,
								  size_t *consumed, const char **body,
								  size_t *body_len);

/* A decoded query parameter's value, or NULL; the first one wins. */
extern const char *http_request_param(const HttpRequest *request, const char *name);

/* Decode %XX escapes (and '+' as space when plus_is_space) in place; false
 * on a bad escape or an encoded NUL.  *len is updated. */
extern bool http_percent_decode(char *s, size_t *len, bool plus_is_space);

/* ---- the write API's helpers (http_write.c) ---- */

/*
 * Timestamp precision of a write request: the v2 API accepts ns, us, ms, s;
 * v1 also n, u, µ, m (minutes) and h (hours).  Minutes and hours have no
 * IlpPrecision, so they map to seconds with *multiplier 60 or 3600 (else
 * 1).  NULL or "" means nanoseconds.  False for anything else.
 */
extern bool http_parse_precision(const char *value, bool v1,
								 IlpPrecision *precision, int64_t *multiplier);

/* ts * multiplier into *out; false on overflow. */
extern bool http_scale_timestamp(int64_t ts, int64_t multiplier, int64_t *out);

/* Standard base64 decode of len bytes into out (cap bytes, NUL added);
 * returns the decoded length or -1 when malformed or too long. */
extern long http_base64_decode(const char *in, size_t len, char *out, size_t cap);

typedef enum HttpCredentialKind
{
	HTTP_CREDENTIAL_NONE,		/* nothing presented */
	HTTP_CREDENTIAL_SECRET,		/* *secret is the token to check */
	HTTP_CREDENTIAL_MALFORMED	/* an Authorization header we cannot read */
} HttpCredentialKind;

/*
 * The token a request presents: "Authorization: Token <t>" (both APIs,
 * "Bearer" too); for v1 also Basic auth (the password is the token) and the
 * u/p query parameters.  The secret is copied to out (cap bytes with NUL).
 */
extern HttpCredentialKind http_request_secret(const HttpRequest *request, bool v1,
											  char *out, size_t cap);

/* Constant-time comparison of two equally long byte strings. */
extern bool http_secure_equal(const void *a, const void *b, size_t len);

/* True when every entry of a listen_addresses list is a loopback address
 * ("localhost", 127.0.0.0/8, ::1); '*' or any other entry makes it false. */
extern bool http_addresses_local_only(const char *list);

/* Reason phrase of a status code ("Bad Request"). */
extern const char *http_status_reason(int status);

/* InfluxDB error code of a status ("invalid", "unauthorized", ...). */
extern const char *http_status_code_name(int status);

/* Append src as JSON string content (quotes not included) to out; returns
 * the length needed, like snprintf.  Invalid UTF-8 becomes U+FFFD. */
extern size_t http_json_escape(char *out, size_t cap, const char *src, size_t len);

/* The JSON error body {"code":..,"message":..[,"line":N]} (line <= 0 is
 * left out); returns the length needed, like snprintf. */
extern size_t http_error_body(char *out, size_t cap, int status,
							  const char *message, long line);

/* The 400 body for a write with bad lines: names the first bad line, its
 * reason, and says that the good lines were stored and the bad ones are in
 * streamstat.rejects; returns the length needed, like snprintf. */
extern size_t http_bad_lines_body(char *out, size_t cap, long first_bad_line,
								  const char *reason, long bad_lines, long total_lines);

typedef struct HttpResponse
{
	int			status;
	bool		keep_alive;		/* else "Connection: close" */
	int			retry_after;	/* seconds; 0 leaves the header out */
	time_t		date;			/* for the Date header; 0 leaves it out */
	const char *content_type;	/* NULL: application/json when there is a body */
	const char *allow;			/* Allow header (405); NULL leaves it out */
	const char *body;
	size_t		body_len;
	bool		head_only;		/* HEAD request: Content-Length, no body */
} HttpResponse;

/* Status line, headers (Content-Length, Connection, Retry-After,
 * X-Influxdb-Version, Date) and body into out; returns the length needed,
 * like snprintf (nothing useful is written when it is >= cap). */
extern size_t http_build_response(char *out, size_t cap, const HttpResponse *response);

/* Interim response to "Expect: 100-continue". */
#define HTTP_CONTINUE_RESPONSE "HTTP/1.1 100 Continue\r\n\r\n"

/* The server version InfluxDB clients see in X-Influxdb-Version. */
#define HTTP_SERVER_VERSION "streamstat-0.1"

/* ---- gzip request bodies (http_gzip.c) ---- */

typedef enum HttpGzipResult
{
	HTTP_GZIP_OK,				/* progress made; call again with more input
								 * or more output room */
	HTTP_GZIP_END,				/* every member is complete */
	HTTP_GZIP_TOO_LARGE,		/* decompressed size over the cap: 413 */
	HTTP_GZIP_CORRUPT,			/* not gzip, bad data or truncated: 400 */
	HTTP_GZIP_NO_MEMORY			/* zlib could not allocate: 503 */
} HttpGzipResult;

typedef struct HttpGzip
{
	void	   *zs;				/* z_stream, kept opaque here */
	HttpReallocFn realloc_fn;
	void	   *realloc_arg;
	int64_t		max_out;		/* cap on the decompressed size */
	int64_t		total_out;
	bool		member_done;	/* between members of a multi-member stream */
	char		error[HTTP_ERROR_BYTES];
} HttpGzip;

/* Start inflating one request body; realloc_fn may be NULL (malloc). */
extern HttpGzipResult http_gzip_init(HttpGzip *gz, int64_t max_out,
									 HttpReallocFn realloc_fn, void *arg);

/* Inflate from in (in_len bytes) into out (out_cap bytes); *in_used and
 * *out_len say how much was consumed and produced.  While it returns
 * HTTP_GZIP_OK, call again as long as input remains or the output was
 * filled (zlib may hold output back; in_len 0 is fine then). */
extern HttpGzipResult http_gzip_inflate(HttpGzip *gz, const char *in, size_t in_len,
										size_t *in_used, char *out, size_t out_cap,
										size_t *out_len);

/* At the end of the body: HTTP_GZIP_END if the stream is complete, else
 * HTTP_GZIP_CORRUPT (truncated). */
extern HttpGzipResult http_gzip_finish(HttpGzip *gz);

/* Release zlib's state. */
extern void http_gzip_free(HttpGzip *gz);

#endif							/* STREAMSTAT_HTTP_H */
