/*
 * http_write.c
 *		What the InfluxDB-compatible write API makes of a parsed request, and
 *		what it answers: timestamp precision, the presented credentials,
 *		status codes, JSON error bodies and whole responses.
 *
 * Where it sits in the path of a record: beside the request parser
 * (http_parse.c).  Once a request head is in, the worker asks here for the
 * precision that scales the lines' timestamps before the ILP parser's
 * ilp_timestamp_to_us(), and for the secret that auth.c checks; once the
 * flush holding the request's rows committed (or the request failed), the
 * response bytes come from http_build_response().
 *
 * Pure C99, no PostgreSQL headers: locale-independent (the Date header uses
 * its own day and month names) and allocation-free (snprintf-style output).
 */
#include "protocol/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
#define HTTP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HTTP_PRINTF(f, a)
#endif

/* Output buffer with snprintf semantics: len counts what was asked for. */
typedef struct HttpOut
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} HttpOut;

/* Append n bytes, copying what fits (one byte is kept for the NUL). */
static void
out_put(HttpOut *o, const char *s, size_t n)
{
	if (o->len < o->cap)
	{
		size_t		room = o->cap - o->len - 1;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

/* Append a C string. */
static void
out_str(HttpOut *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Append formatted text. */
static void out_fmt(HttpOut *o, const char *fmt,...) HTTP_PRINTF(2, 3);
static void
out_fmt(HttpOut *o, const char *fmt,...)
{
	char		tmp[128];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_put(o, tmp, (size_t) n < sizeof(tmp) ? (size_t) n : sizeof(tmp) - 1);
}

/* NUL-terminate the output and return the length asked for. */
static size_t
out_end(HttpOut *o)
{
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

/* ASCII lower-case of one byte (locale-independent). */
static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
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

bool
http_parse_precision(const char *value, bool v1,
					 IlpPrecision *precision, int64_t *multiplier)
{
	*multiplier = 1;
	if (value == NULL || *value == '\0' || strcmp(value, "ns") == 0)
		*precision = ILP_PRECISION_NS;
	else if (strcmp(value, "us") == 0)
		*precision = ILP_PRECISION_US;
	else if (strcmp(value, "ms") == 0)
		*precision = ILP_PRECISION_MS;
	else if (strcmp(value, "s") == 0)
		*precision = ILP_PRECISION_S;
	else if (!v1)
		return false;
	else if (strcmp(value, "n") == 0)
		*precision = ILP_PRECISION_NS;
	else if (strcmp(value, "u") == 0 || strcmp(value, "\xc2\xb5") == 0)
		*precision = ILP_PRECISION_US;
	else if (strcmp(value, "m") == 0)
	{
		*precision = ILP_PRECISION_S;
		*multiplier = 60;
	}
	else if (strcmp(value, "h") == 0)
	{
		*precision = ILP_PRECISION_S;
		*multiplier = 3600;
	}
	else
		return false;
	return true;
}

bool
http_scale_timestamp(int64_t ts, int64_t multiplier, int64_t *out)
{
	if (multiplier <= 0)
		return false;
	if (ts > INT64_MAX / multiplier || ts < INT64_MIN / multiplier)
		return false;
	*out = ts * multiplier;
	return true;
}

/* Value of a standard base64 character, or -1. */
static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
http_base64_decode(const char *in, size_t len, char *out, size_t cap)
{
	size_t		i;
	size_t		w = 0;
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		pad = 0;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++)
	{
		int			v;

		if (in[i] == '=')
		{
			/* padding only at the end, at most two */
			if (i < len - 2 || (i == len - 2 && in[len - 1] != '='))
				return -1;
			pad++;
			continue;
		}
		v = base64_value((unsigned char) in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (w + 1 >= cap)
				return -1;
			out[w++] = (char) ((acc >> bits) & 0xff);
		}
	}
	if (pad > 2)
		return -1;
	/* the bits dropped by padding must be zero (canonical encoding) */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	if (cap > 0)
		out[w] = '\0';
	return (long) w;
}

/* Copy a secret of n bytes into out; false when it does not fit or is empty. */
static bool
copy_secret(const char *s, size_t n, char *out, size_t cap)
{
	if (n == 0 || n + 1 > cap || memchr(s, '\0', n))
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

HttpCredentialKind
http_request_secret(const HttpRequest *request, bool v1, char *out, size_t cap)
{
	const char *auth = request->authorization;

	if (auth != NULL && *auth != '\0')
	{
		const char *sp = auth;
		const char *cred;
		size_t		scheme_len;

		while (*sp && *sp != ' ')
			sp++;
		scheme_len = (size_t) (sp - auth);
		cred = sp;
		while (*cred == ' ')
			cred++;
		if (*cred == '\0')
			return HTTP_CREDENTIAL_MALFORMED;

		if (ascii_ieq_n(auth, scheme_len, "token") ||
			ascii_ieq_n(auth, scheme_len, "bearer"))
			return copy_secret(cred, strlen(cred), out, cap) ?
				HTTP_CREDENTIAL_SECRET : HTTP_CREDENTIAL_MALFORMED;

		if (v1 && ascii_ieq_n(auth, scheme_len, "basic"))
		{
			char		decoded[1024];
			long		n = http_base64_decode(cred, strlen(cred), decoded, sizeof(decoded));
			char	   *colon;

			if (n < 0)
				return HTTP_CREDENTIAL_MALFORMED;
			colon = memchr(decoded, ':', (size_t) n);
			if (colon == NULL)
				return HTTP_CREDENTIAL_MALFORMED;
			return copy_secret(colon + 1, (size_t) (decoded + n - colon - 1), out, cap) ?
				HTTP_CREDENTIAL_SECRET : HTTP_CREDENTIAL_MALFORMED;
		}
		return HTTP_CREDENTIAL_MALFORMED;
	}

	if (v1)
	{
		const char *p = http_request_param(request, "p");

		if (p != NULL)
			return copy_secret(p, strlen(p), out, cap) ?
				HTTP_CREDENTIAL_SECRET : HTTP_CREDENTIAL_MALFORMED;
	}
	return HTTP_CREDENTIAL_NONE;
}

bool
http_secure_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a;
	const volatile unsigned char *y = b;
	unsigned char diff = 0;
	size_t		i;

	/* no early exit: the time depends on len only */
	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

/* Is one listen_addresses entry (n bytes) a loopback address? */
static bool
address_is_loopback(const char *s, size_t n)
{
	if (ascii_ieq_n(s, n, "localhost") || ascii_ieq_n(s, n, "::1") ||
		ascii_ieq_n(s, n, "[::1]"))
		return true;
	return n > 4 && strncmp(s, "127.", 4) == 0;
}

bool
http_addresses_local_only(const char *list)
{
	const char *p = list;

	if (list == NULL)
		return true;
	while (*p)
	{
		const char *start;
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		/* list entries may come quoted from the GUC machinery */
		if (end - start >= 2 && *start == '"' && end[-1] == '"')
		{
			start++;
			end--;
		}
		if (!address_is_loopback(start, (size_t) (end - start)))
			return false;
	}
	return true;
}

const char *
http_status_reason(int status)
{
	switch (status)
	{
		case 100:
			return "Continue";
		case 200:
			return "OK";
		case 204:
			return "No Content";
		case 400:
			return "Bad Request";
		case 401:
			return "Unauthorized";
		case 403:
			return "Forbidden";
		case 404:
			return "Not Found";
		case 405:
			return "Method Not Allowed";
		case 408:
			return "Request Timeout";
		case 411:
			return "Length Required";
		case 413:
			return "Request Entity Too Large";
		case 414:
			return "URI Too Long";
		case 415:
			return "Unsupported Media Type";
		case 417:
			return "Expectation Failed";
		case 422:
			return "Unprocessable Entity";
		case 429:
			return "Too Many Requests";
		case 431:
			return "Request Header Fields Too Large";
		case 500:
			return "Internal Server Error";
		case 501:
			return "Not Implemented";
		case 503:
			return "Service Unavailable";
		case 505:
			return "HTTP Version Not Supported";
	}
	return "Unknown";
}

const char *
http_status_code_name(int status)
{
	switch (status)
	{
		case 400:
		case 414:
		case 431:
		case 505:
			return "invalid";
		case 401:
			return "unauthorized";
		case 403:
			return "forbidden";
		case 404:
			return "not found";
		case 405:
			return "method not allowed";
		case 408:
			return "request timeout";
		case 413:
			return "request too large";
		case 415:
			return "unsupported media type";
		case 422:
			return "unprocessable entity";
		case 429:
			return "too many requests";
		case 501:
			return "not implemented";
		case 503:
			return "unavailable";
	}
	return status >= 500 ? "internal error" : "invalid";
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t		need;
	unsigned char lo = 0x80,
				hi = 0xbf;
	size_t		i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
	{
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;			/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;			/* no surrogates */
	}
	else if (c >= 0xf0 && c <= 0xf4)
	{
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;			/* nothing above U+10FFFF */
	}
	else
		return 0;
	if (n < need)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/* Escape src into an HttpOut as JSON string content. */
static void
json_escape_into(HttpOut *o, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *) src;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;

		switch (c)
		{
			case '"':
				out_str(o, "\\\"");
				i++;
				continue;
			case '\\':
				out_str(o, "\\\\");
				i++;
				continue;
			case '\n':
				out_str(o, "\\n");
				i++;
				continue;
			case '\r':
				out_str(o, "\\r");
				i++;
				continue;
			case '\t':
				out_str(o, "\\t");
				i++;
				continue;
			case '\b':
				out_str(o, "\\b");
				i++;
				continue;
			case '\f':
				out_str(o, "\\f");
				i++;
				continue;
		}
		if (c < 0x20)
		{
			out_fmt(o, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_sequence_length(s + i, len - i);
		if (n == 0)
		{
			out_str(o, "\\ufffd");
			i++;
			continue;
		}
		out_put(o, (const char *) s + i, n);
		i += n;
	}
}

size_t
http_json_escape(char *out, size_t cap, const char *src, size_t len)
{
	HttpOut		o = {out, cap, 0};

	json_escape_into(&o, src, len);
	return out_end(&o);
}

size_t
http_error_body(char *out, size_t cap, int status, const char *message, long line)
{
	HttpOut		o = {out, cap, 0};

	out_str(&o, "{\"code\":\"");
	out_str(&o, http_status_code_name(status));
	out_str(&o, "\",\"message\":\"");
	json_escape_into(&o, message, strlen(message));
	out_str(&o, "\"");
	if (line > 0)
		out_fmt(&o, ",\"line\":%ld", line);
	out_str(&o, "}");
	return out_end(&o);
}

size_t
http_bad_lines_body(char *out, size_t cap, long first_bad_line, const char *reason,
					long bad_lines, long total_lines)
{
	char		message[HTTP_ERROR_BYTES + 200];

	snprintf(message, sizeof(message),
			 "line %ld: %s (%ld of %ld lines rejected: the other lines were stored, "
			 "the rejected ones are in streamstat.rejects)",
			 first_bad_line, reason, bad_lines, total_lines);
	return http_error_body(out, cap, 400, message, first_bad_line);
}

/* Append an IMF-fixdate (RFC 9110 5.6.7) without locale-dependent names. */
static void
out_date(HttpOut *o, time_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		return;
	out_fmt(o, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
			days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
			tm.tm_hour, tm.tm_min, tm.tm_sec);
}

size_t
http_build_response(char *out, size_t cap, const HttpResponse *response)
{
	HttpOut		o = {out, cap, 0};
	int			status = response->status;
	/* RFC 9110 8.6: no Content-Length (nor body) with 1xx and 204 */
	bool		no_body = (status < 200 || status == 204 || status == 304);

	out_fmt(&o, "HTTP/1.1 %d %s\r\n", status, http_status_reason(status));
	if (!no_body)
	{
		if (response->body_len > 0)
			out_fmt(&o, "Content-Type: %s\r\n",
					response->content_type ? response->content_type :
					"application/json; charset=utf-8");
		out_fmt(&o, "Content-Length: %zu\r\n", response->body_len);
	}
	out_str(&o, response->keep_alive ? "Connection: keep-alive\r\n" :
			"Connection: close\r\n");
	if (response->retry_after > 0)
		out_fmt(&o, "Retry-After: %d\r\n", response->retry_after);
	if (status == 401)
		out_str(&o, "WWW-Authenticate: Token realm=\"streamstat\"\r\n");
	if (response->allow)
		out_fmt(&o, "Allow: %s\r\n", response->allow);
	out_str(&o, "X-Influxdb-Version: " HTTP_SERVER_VERSION "\r\n");
	if (response->date != 0)
		out_date(&o, response->date);
	out_str(&o, "\r\n");
	if (!no_body && !response->head_only && response->body_len > 0)
		out_put(&o, response->body, response->body_len);
	return out_end(&o);
}
