/*
 * http_parse.c
 *		Incremental HTTP/1.1 request parser, with query-string decoding.
 *
 * Where it sits in the path of a record: first stage of the HTTP path.  The
 * worker feeds whatever a connection's socket returned; the parser buffers
 * the request head only (bounded by HttpLimits), then hands body bytes back
 * as spans of the caller's input, with chunked framing removed.  Those bytes
 * (inflated by http_gzip.c when gzip-encoded) are line-protocol text for the
 * ILP parser.  What the write API makes of the request and what it answers
 * is in http_write.c.
 *
 * Framing follows RFC 9112: CRLF or bare LF line ends, no obs-fold, no
 * whitespace before a header's colon, a request with both Content-Length and
 * Transfer-Encoding is refused (request smuggling), only "chunked" is
 * understood as a transfer coding.  Every error leaves the parser in an error
 * state with the status to answer; the connection is then closed.
 *
 * Pure C99, no PostgreSQL headers.
 */
#include "protocol/http.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How many empty lines may precede a request line (RFC 9112 2.2). */
#define HTTP_MAX_LEADING_EMPTY 8
/* Smallest head buffer; it grows by doubling up to the limits. */
#define HTTP_HEAD_INITIAL 1024

#if defined(__GNUC__)
#define HTTP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HTTP_PRINTF(f, a)
#endif

/* ASCII lower-case of one byte (locale-independent). */
static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive ASCII comparison of two C strings. */
static bool
ascii_ieq(const char *a, const char *b)
{
	while (*a && *b)
	{
		if (ascii_lower((unsigned char) *a) != ascii_lower((unsigned char) *b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

/* Case-insensitive comparison of n bytes against a C string of length n. */
static bool
ascii_ieq_n(const char *a, size_t n, const char *b)
{
	size_t		i;

	if (strlen(b) != n)
		return false;
	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char) a[i]) != ascii_lower((unsigned char) b[i]))
			return false;
	return true;
}

/* RFC 9110 tchar: the characters of methods and header names. */
static bool
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Value of a hex digit, or -1. */
static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Enter the error state with a status and a message; returns HTTP_ERROR. */
static HttpEvent parser_fail(HttpParser *parser, int status, const char *fmt,...) HTTP_PRINTF(3, 4);
static HttpEvent
parser_fail(HttpParser *parser, int status, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(parser->error, sizeof(parser->error), fmt, ap);
	va_end(ap);
	parser->status = status;
	parser->state = HTTP_STATE_ERROR;
	parser->request.keep_alive = false;
	return HTTP_ERROR;
}

/* Forget the previous request; the head buffer is kept for reuse. */
static void
parser_reset_request(HttpParser *parser)
{
	memset(&parser->request, 0, sizeof(parser->request));
	parser->request.content_length = -1;
	parser->state = HTTP_STATE_HEAD;
	parser->head_len = 0;
	parser->line_start = 0;
	parser->nlines = 0;
	parser->seen_request_line = false;
	parser->header_start = 0;
	parser->body_left = 0;
	parser->body_total = 0;
	parser->chunk_line_len = 0;
	parser->trailer_bytes = 0;
	parser->trailer_line_len = 0;
	parser->status = 0;
	parser->error[0] = '\0';
}

void
http_parser_init(HttpParser *parser, const HttpLimits *limits,
				 HttpReallocFn realloc_fn, void *arg)
{
	memset(parser, 0, sizeof(*parser));
	parser->realloc_fn = realloc_fn;
	parser->realloc_arg = arg;
	parser->limits = *limits;
	parser_reset_request(parser);
}

void
http_parser_free(HttpParser *parser)
{
	if (parser->head)
		parser->realloc_fn(parser->head, 0, parser->realloc_arg);
	parser->head = NULL;
	parser->head_cap = 0;
}

/* Largest head the limits allow: request line, CRLF, headers, NUL. */
static size_t
head_limit(const HttpParser *parser)
{
	return parser->limits.max_request_line + 2 + parser->limits.max_header_bytes + 1;
}

/* Append one byte to the head buffer, growing it within the limits. */
static void
head_append(HttpParser *parser, char c)
{
	if (parser->head_len + 1 >= parser->head_cap)
	{
		size_t		cap = parser->head_cap ? parser->head_cap * 2 : HTTP_HEAD_INITIAL;
		size_t		limit = head_limit(parser);

		if (cap > limit)
			cap = limit;
		if (cap < parser->head_len + 2)
			cap = parser->head_len + 2;
		parser->head = parser->realloc_fn(parser->head, cap, parser->realloc_arg);
		parser->head_cap = cap;
	}
	parser->head[parser->head_len++] = c;
}

/* Decode the query string (NUL-terminated, in place) into request->params. */
static HttpEvent
parse_query(HttpParser *parser, char *query)
{
	HttpRequest *req = &parser->request;
	char	   *p = query;

	while (*p)
	{
		char	   *end = strchr(p, '&');
		char	   *eq;
		size_t		nlen,
					vlen;

		if (end)
			*end = '\0';
		if (*p != '\0')
		{
			if (req->nparams >= HTTP_MAX_PARAMS)
				return parser_fail(parser, 400, "more than %d query parameters",
								   HTTP_MAX_PARAMS);
			eq = strchr(p, '=');
			if (eq)
				*eq = '\0';
			nlen = strlen(p);
			if (!http_percent_decode(p, &nlen, true))
				return parser_fail(parser, 400, "malformed percent-encoding in the query");
			req->params[req->nparams].name = p;
			if (eq)
			{
				vlen = strlen(eq + 1);
				if (!http_percent_decode(eq + 1, &vlen, true))
					return parser_fail(parser, 400, "malformed percent-encoding in the query");
				req->params[req->nparams].value = eq + 1;
			}
			else
				req->params[req->nparams].value = "";
			req->nparams++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return HTTP_NEED_MORE;
}

/* Parse "METHOD SP target SP HTTP/x.y" (NUL-terminated, in place). */
static HttpEvent
parse_request_line(HttpParser *parser, char *line)
{
	HttpRequest *req = &parser->request;
	char	   *p = line;
	char	   *target;
	char	   *version;
	char	   *query;
	size_t		len;

	while (is_tchar((unsigned char) *p))
		p++;
	if (p == line || *p != ' ')
		return parser_fail(parser, 400, "malformed request line");
	*p++ = '\0';
	req->method_name = line;
	if (strcmp(line, "GET") == 0)
		req->method = HTTP_METHOD_GET;
	else if (strcmp(line, "HEAD") == 0)
		req->method = HTTP_METHOD_HEAD;
	else if (strcmp(line, "POST") == 0)
		req->method = HTTP_METHOD_POST;
	else
		req->method = HTTP_METHOD_OTHER;

	target = p;
	while ((unsigned char) *p > ' ' && (unsigned char) *p < 0x7f)
		p++;
	if (p == target || *p != ' ')
		return parser_fail(parser, 400, "malformed request target");
	*p++ = '\0';
	version = p;

	if (strncmp(version, "HTTP/", 5) != 0 ||
		!(version[5] >= '0' && version[5] <= '9') || version[6] != '.' ||
		!(version[7] >= '0' && version[7] <= '9') || version[8] != '\0')
		return parser_fail(parser, 400, "malformed protocol version");
	if (version[5] != '1')
		return parser_fail(parser, 505, "only HTTP/1.0 and HTTP/1.1 are served");
	req->version_minor = version[7] == '0' ? 0 : 1;

	/* absolute-form (RFC 9112 3.2.2): drop scheme and authority */
	if (strncmp(target, "http://", 7) == 0 || strncmp(target, "https://", 8) == 0)
	{
		char	   *slash = strchr(strstr(target, "//") + 2, '/');

		if (slash == NULL)
		{
			/* "http://host" or "http://host?q": path is "/" */
			char	   *q = strchr(strstr(target, "//") + 2, '?');

			target = q ? q - 1 : target + strlen(target) - 1;
			*target = '/';
		}
		else
			target = slash;
	}
	else if (strcmp(target, "*") != 0 && target[0] != '/')
		return parser_fail(parser, 400, "malformed request target");
	if (strchr(target, '#'))
		return parser_fail(parser, 400, "a request target may not carry a fragment");

	query = strchr(target, '?');
	if (query)
		*query++ = '\0';
	len = strlen(target);
	if (!http_percent_decode(target, &len, false))
		return parser_fail(parser, 400, "malformed percent-encoding in the path");
	req->path = target;
	if (query && parse_query(parser, query) == HTTP_ERROR)
		return HTTP_ERROR;
	return HTTP_NEED_MORE;
}

/* Does a comma-separated header value list contain token (any case)? */
static bool
header_list_has(const char *value, const char *token)
{
	const char *p = value;

	while (*p)
	{
		const char *start;
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start && ascii_ieq_n(start, (size_t) (end - start), token))
			return true;
	}
	return false;
}

/* Interpret one header line "name: value" (NUL-terminated, in place). */
static HttpEvent
parse_header_line(HttpParser *parser, char *line, bool *seen_host, bool *seen_te,
				  bool *seen_ce, bool *conn_close, bool *conn_keep_alive)
{
	HttpRequest *req = &parser->request;
	char	   *p = line;
	char	   *name;
	char	   *value;
	char	   *end;

	if (*p == ' ' || *p == '\t')
		return parser_fail(parser, 400, "folded header lines are not accepted");
	name = p;
	while (is_tchar((unsigned char) *p))
		p++;
	if (p == name || *p != ':')
		return parser_fail(parser, 400, "malformed header line");
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	value = p;
	for (; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c < 0x20 && c != '\t')
			return parser_fail(parser, 400, "control character in header %s", name);
		if (c == 0x7f)
			return parser_fail(parser, 400, "control character in header %s", name);
	}
	end = p;
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';

	if (ascii_ieq(name, "content-length"))
	{
		int64_t		n = 0;
		const char *d = value;

		if (*d == '\0')
			return parser_fail(parser, 400, "malformed Content-Length");
		for (; *d; d++)
		{
			if (*d < '0' || *d > '9')
				return parser_fail(parser, 400, "malformed Content-Length");
			if (n > (INT64_MAX - 9) / 10)
				return parser_fail(parser, 413, "request body too large");
			n = n * 10 + (*d - '0');
		}
		if (req->content_length >= 0 && req->content_length != n)
			return parser_fail(parser, 400, "conflicting Content-Length headers");
		req->content_length = n;
	}
	else if (ascii_ieq(name, "transfer-encoding"))
	{
		if (*seen_te || !ascii_ieq(value, "chunked"))
			return parser_fail(parser, 501, "transfer coding not supported: %.60s", value);
		*seen_te = true;
		req->chunked = true;
	}
	else if (ascii_ieq(name, "content-encoding"))
	{
		if (*seen_ce)
			return parser_fail(parser, 415, "more than one Content-Encoding");
		*seen_ce = true;
		if (ascii_ieq(value, "gzip") || ascii_ieq(value, "x-gzip"))
			req->content_encoding = HTTP_ENCODING_GZIP;
		else if (ascii_ieq(value, "identity") || *value == '\0')
			req->content_encoding = HTTP_ENCODING_IDENTITY;
		else
			return parser_fail(parser, 415, "content encoding not supported: %.60s", value);
	}
	else if (ascii_ieq(name, "connection"))
	{
		if (header_list_has(value, "close"))
			*conn_close = true;
		if (header_list_has(value, "keep-alive"))
			*conn_keep_alive = true;
	}
	else if (ascii_ieq(name, "expect"))
	{
		if (!ascii_ieq(value, "100-continue"))
			return parser_fail(parser, 417, "expectation not supported: %.60s", value);
		/* an HTTP/1.0 client cannot wait for an interim response */
		req->expect_continue = (req->version_minor >= 1);
	}
	else if (ascii_ieq(name, "authorization"))
	{
		if (req->authorization)
			return parser_fail(parser, 400, "more than one Authorization header");
		req->authorization = value;
	}
	else if (ascii_ieq(name, "host"))
	{
		if (*seen_host)
			return parser_fail(parser, 400, "more than one Host header");
		*seen_host = true;
	}
	else if (ascii_ieq(name, "user-agent"))
		req->user_agent = value;
	return HTTP_NEED_MORE;
}

/* The whole head is in parser->head: interpret it and pick the body state. */
static HttpEvent
parse_head(HttpParser *parser)
{
	HttpRequest *req = &parser->request;
	char	   *p = parser->head;
	char	   *end = parser->head + parser->head_len;
	bool		first = true;
	bool		seen_host = false;
	bool		seen_te = false;
	bool		seen_ce = false;
	bool		conn_close = false;
	bool		conn_keep_alive = false;

	/* Split into NUL-terminated lines; a CR is allowed only before the LF. */
	while (p < end)
	{
		char	   *nl = memchr(p, '\n', (size_t) (end - p));
		char	   *le;

		if (nl == NULL)
			break;				/* cannot happen: the head ends in LF */
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		*le = '\0';
		if (memchr(p, '\r', (size_t) (le - p)) || strlen(p) != (size_t) (le - p))
			return parser_fail(parser, 400, "stray CR or NUL in the request head");
		if (*p == '\0')
			break;				/* the empty line that ends the head */
		if (first)
		{
			if (parse_request_line(parser, p) == HTTP_ERROR)
				return HTTP_ERROR;
			first = false;
		}
		else if (parse_header_line(parser, p, &seen_host, &seen_te, &seen_ce,
								   &conn_close, &conn_keep_alive) == HTTP_ERROR)
			return HTTP_ERROR;
		p = nl + 1;
	}

	if (req->version_minor >= 1 && !seen_host)
		return parser_fail(parser, 400, "an HTTP/1.1 request needs a Host header");
	if (req->chunked && req->version_minor == 0)
		return parser_fail(parser, 400, "chunked transfer coding in an HTTP/1.0 request");
	if (req->chunked && req->content_length >= 0)
		return parser_fail(parser, 400, "both Content-Length and Transfer-Encoding");
	if (req->version_minor >= 1)
		req->keep_alive = !conn_close;
	else
		req->keep_alive = conn_keep_alive && !conn_close;
	if (req->content_length > parser->limits.max_body_bytes)
		return parser_fail(parser, 413, "request body of %lld bytes is over the limit of %lld",
						   (long long) req->content_length,
						   (long long) parser->limits.max_body_bytes);

	if (req->chunked)
	{
		parser->state = HTTP_STATE_CHUNK_SIZE;
		parser->chunk_line_len = 0;
	}
	else
	{
		parser->state = HTTP_STATE_BODY_LENGTH;
		parser->body_left = req->content_length > 0 ? req->content_length : 0;
	}
	return HTTP_HEAD;
}

/* Accumulate head bytes; HTTP_HEAD once the empty line arrived. */
static HttpEvent
feed_head(HttpParser *parser, const char *data, size_t len, size_t *consumed)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		char		c = data[i];
		size_t		line_len;

		head_append(parser, c);
		line_len = parser->head_len - parser->line_start;	/* incl. c */

		if (parser->seen_request_line &&
			parser->head_len - parser->header_start > parser->limits.max_header_bytes)
		{
			*consumed = i + 1;
			return parser_fail(parser, 431, "request header fields larger than %zu bytes",
							   parser->limits.max_header_bytes);
		}

		if (c != '\n')
		{
			if (!parser->seen_request_line)
			{
				/* allow one byte for the CR of the CRLF */
				if (line_len > parser->limits.max_request_line + 1)
				{
					*consumed = i + 1;
					return parser_fail(parser, 414, "request line longer than %zu bytes",
									   parser->limits.max_request_line);
				}
			}
			continue;
		}

		/* a line is complete: line_len - 1 bytes without the LF */
		line_len--;
		if (line_len > 0 && parser->head[parser->head_len - 2] == '\r')
			line_len--;

		if (!parser->seen_request_line)
		{
			if (line_len == 0)
			{
				/* empty lines before the request line are skipped */
				parser->nlines++;
				parser->head_len = 0;
				parser->line_start = 0;
				if (parser->nlines > HTTP_MAX_LEADING_EMPTY)
				{
					*consumed = i + 1;
					return parser_fail(parser, 400, "too many empty lines before the request");
				}
				continue;
			}
			if (line_len > parser->limits.max_request_line)
			{
				*consumed = i + 1;
				return parser_fail(parser, 414, "request line longer than %zu bytes",
								   parser->limits.max_request_line);
			}
			parser->seen_request_line = true;
			parser->nlines = 0;
			parser->line_start = parser->head_len;
			parser->header_start = parser->head_len;
			continue;
		}

		if (line_len == 0)
		{
			*consumed = i + 1;
			return parse_head(parser);
		}
		if (++parser->nlines > parser->limits.max_headers)
		{
			*consumed = i + 1;
			return parser_fail(parser, 431, "more than %d request header fields",
							   parser->limits.max_headers);
		}
		parser->line_start = parser->head_len;
	}
	*consumed = len;
	return HTTP_NEED_MORE;
}

/* Parse a complete chunk-size line in parser->chunk_line. */
static HttpEvent
parse_chunk_size(HttpParser *parser)
{
	const char *p = parser->chunk_line;
	const char *end = p + parser->chunk_line_len;
	int64_t		size = 0;
	int			digits = 0;

	if (end > p && end[-1] == '\r')
		end--;
	for (; p < end && hex_value((unsigned char) *p) >= 0; p++)
	{
		if (size > (INT64_MAX >> 4))
			return parser_fail(parser, 413, "chunk too large");
		size = size * 16 + hex_value((unsigned char) *p);
		digits++;
	}
	if (digits == 0)
		return parser_fail(parser, 400, "malformed chunk size");
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p != ';')
		return parser_fail(parser, 400, "malformed chunk size");
	/* chunk extensions are ignored; they must not hide control bytes */
	for (; p < end; p++)
		if (((unsigned char) *p < 0x20 && *p != '\t') || *p == 0x7f)
			return parser_fail(parser, 400, "malformed chunk extension");
	if (size > parser->limits.max_body_bytes - parser->body_total)
		return parser_fail(parser, 413, "request body over the limit of %lld bytes",
						   (long long) parser->limits.max_body_bytes);
	parser->chunk_line_len = 0;
	if (size == 0)
	{
		parser->state = HTTP_STATE_TRAILERS;
		parser->trailer_bytes = 0;
		parser->trailer_line_len = 0;
	}
	else
	{
		parser->state = HTTP_STATE_CHUNK_DATA;
		parser->body_left = size;
	}
	return HTTP_NEED_MORE;
}

HttpEvent
http_parser_feed(HttpParser *parser, const char *data, size_t len,
				 size_t *consumed, const char **body, size_t *body_len)
{
	size_t		used = 0;

	*consumed = 0;
	*body = NULL;
	*body_len = 0;

	if (parser->state == HTTP_STATE_DONE)
		parser_reset_request(parser);

	for (;;)
	{
		switch (parser->state)
		{
			case HTTP_STATE_ERROR:
				*consumed = used;
				return HTTP_ERROR;

			case HTTP_STATE_HEAD:
				{
					size_t		n;
					HttpEvent	ev = feed_head(parser, data + used, len - used, &n);

					*consumed = used + n;
					return ev;
				}

			case HTTP_STATE_BODY_LENGTH:
				if (parser->body_left == 0)
				{
					parser->state = HTTP_STATE_DONE;
					*consumed = used;
					return HTTP_DONE;
				}
				if (used == len)
				{
					*consumed = used;
					return HTTP_NEED_MORE;
				}
				{
					size_t		n = len - used;

					if ((int64_t) n > parser->body_left)
						n = (size_t) parser->body_left;
					*body = data + used;
					*body_len = n;
					parser->body_left -= n;
					parser->body_total += n;
					*consumed = used + n;
					return HTTP_BODY;
				}

			case HTTP_STATE_CHUNK_SIZE:
				while (used < len)
				{
					char		c = data[used++];

					if (c == '\n')
					{
						if (parse_chunk_size(parser) == HTTP_ERROR)
						{
							*consumed = used;
							return HTTP_ERROR;
						}
						break;
					}
					if (parser->chunk_line_len >= HTTP_MAX_CHUNK_LINE)
					{
						*consumed = used;
						return parser_fail(parser, 400, "chunk-size line too long");
					}
					parser->chunk_line[parser->chunk_line_len++] = c;
				}
				if (parser->state == HTTP_STATE_CHUNK_SIZE)
				{
					*consumed = used;
					return HTTP_NEED_MORE;
				}
				continue;

			case HTTP_STATE_CHUNK_DATA:
				if (used == len)
				{
					*consumed = used;
					return HTTP_NEED_MORE;
				}
				{
					size_t		n = len - used;

					if ((int64_t) n > parser->body_left)
						n = (size_t) parser->body_left;
					*body = data + used;
					*body_len = n;
					parser->body_left -= n;
					parser->body_total += n;
					if (parser->body_left == 0)
					{
						parser->state = HTTP_STATE_CHUNK_DATA_END;
						parser->chunk_line_len = 0;
					}
					*consumed = used + n;
					return HTTP_BODY;
				}

			case HTTP_STATE_CHUNK_DATA_END:
				/* CRLF (or LF) after the chunk data */
				while (used < len)
				{
					char		c = data[used++];

					if (c == '\r' && parser->chunk_line_len == 0)
						parser->chunk_line_len = 1;
					else if (c == '\n')
					{
						parser->chunk_line_len = 0;
						parser->state = HTTP_STATE_CHUNK_SIZE;
						break;
					}
					else
					{
						*consumed = used;
						return parser_fail(parser, 400, "chunk data longer than its size");
					}
				}
				if (parser->state == HTTP_STATE_CHUNK_DATA_END)
				{
					*consumed = used;
					return HTTP_NEED_MORE;
				}
				continue;

			case HTTP_STATE_TRAILERS:
				/* trailer fields are skipped; an empty line ends them */
				while (used < len)
				{
					char		c = data[used++];

					if (++parser->trailer_bytes > parser->limits.max_header_bytes)
					{
						*consumed = used;
						return parser_fail(parser, 431, "trailer fields larger than %zu bytes",
										   parser->limits.max_header_bytes);
					}
					if (c == '\n')
					{
						if (parser->trailer_line_len == 0)
						{
							parser->state = HTTP_STATE_DONE;
							*consumed = used;
							return HTTP_DONE;
						}
						parser->trailer_line_len = 0;
					}
					else if (c != '\r' || parser->trailer_line_len > 0)
						parser->trailer_line_len++;
				}
				*consumed = used;
				return HTTP_NEED_MORE;

			case HTTP_STATE_DONE:
				/* not reached: reset on entry */
				*consumed = used;
				return HTTP_DONE;
		}
	}
}

const char *
http_request_param(const HttpRequest *request, const char *name)
{
	int			i;

	for (i = 0; i < request->nparams; i++)
		if (strcmp(request->params[i].name, name) == 0)
			return request->params[i].value;
	return NULL;
}

bool
http_percent_decode(char *s, size_t *len, bool plus_is_space)
{
	size_t		r = 0,
				w = 0;

	while (r < *len)
	{
		char		c = s[r];

		if (c == '%')
		{
			int			hi,
						lo;

			if (r + 2 >= *len)
				return false;
			hi = hex_value((unsigned char) s[r + 1]);
			lo = hex_value((unsigned char) s[r + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			s[w++] = (char) (hi * 16 + lo);
			r += 3;
		}
		else
		{
			s[w++] = (plus_is_space && c == '+') ? ' ' : c;
			r++;
		}
	}
	s[w] = '\0';
	*len = w;
	return true;
}
