/*
 * tls.c
 *		TLS on the ingest ports (OpenSSL, as PostgreSQL links it): the
 *		transport under conn.c and http_conn.c, first stage after the
 *		listener in the path of a record.
 *
 * Detection: a connection's first byte, peeked without consuming it,
 * decides.  0x16 (a TLS handshake record) starts a non-blocking handshake
 * with SSL_accept(); anything else is clear text, refused when
 * streamstat.ssl is 'require' (logged, counted).  With streamstat.ssl 'off'
 * every connection is clear text.
 *
 * Non-blocking: the handshake advances each time the socket is ready, as
 * SSL_ERROR_WANT_READ / WANT_WRITE ask, inside the worker's WaitEventSet
 * loop; a client that stalls mid-handshake holds only its own connection
 * until streamstat.http_timeout closes it (conn.c, http_conn.c).
 *
 * Reads fill the caller's buffer with as many records as fit while room
 * for a whole record (16 kB) is left, so OpenSSL never holds decrypted
 * bytes the socket's readiness would not announce (the callers read
 * 64 kB at a time).
 *
 * Certificates: streamstat.ssl_cert_file and ssl_key_file (default:
 * PostgreSQL's ssl_cert_file and ssl_key_file, relative to the data
 * directory), optional streamstat.ssl_ca_file: when set, clients must
 * present a certificate it signed.  tls_reload() builds a new SSL_CTX at
 * worker start and on SIGHUP; connections already open keep the context
 * they started with (OpenSSL counts its references), so a reload never
 * drops them.  A context that fails to load leaves the old one in use.
 */
#include "postgres.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "net/conn.h"
#include "ingest/ingest_stats.h"
#include "net/tls.h"

/* The first byte of a TLS record of type handshake (a ClientHello). */
#define TLS_HANDSHAKE_RECORD 0x16

/* Largest plaintext of one TLS record. */

/* Seconds between two logged refusals. */
#define TLS_LOG_INTERVAL_S 10

typedef enum TlsPhase
{
	TLS_NEW,					/* nothing received yet */
	TLS_PLAIN,					/* clear text */
	TLS_HANDSHAKE,
	TLS_OPEN
} TlsPhase;

/* A connection's TLS state, in the connection's memory context. */
typedef struct TlsConn
{
	TlsPhase	phase;
	SSL		   *ssl;
	bool		want_write;		/* OpenSSL waits for the socket to be writable */
} TlsConn;

static SSL_CTX *tls_ctx = NULL;
static char *tls_loaded_desc = NULL;	/* what tls_ctx was made from */

/* Refusal log: when the last message went out and how many were held back. */
static TimestampTz refusal_logged_at[INGEST_NREFUSALS];
static int64 refusals_unlogged[INGEST_NREFUSALS];

void
ingest_log_refusal(IngestRefusal kind, const char *client, const char *fmt,...)
{
	TimestampTz now = GetCurrentTimestamp();
	char		msg[512];
	va_list		ap;

	if (refusal_logged_at[kind] != 0 &&
		!TimestampDifferenceExceeds(refusal_logged_at[kind], now, TLS_LOG_INTERVAL_S * 1000))
	{
		refusals_unlogged[kind]++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (refusals_unlogged[kind] > 0)
		ereport(LOG,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("streamstat refused a connection from %s: %s", client, msg),
				 errdetail(INT64_FORMAT " more such attempts were not logged in the last %d s; streamstat.ingest_stats counts them all.",
						   refusals_unlogged[kind], TLS_LOG_INTERVAL_S)));
	else
		ereport(LOG,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("streamstat refused a connection from %s: %s", client, msg)));
	refusal_logged_at[kind] = now;
	refusals_unlogged[kind] = 0;
}

/* OpenSSL's last error, as text. */
static const char *
tls_error_text(void)
{
	unsigned long e = ERR_get_error();
	static char buf[256];

	if (e == 0)
		return "no error reported by OpenSSL";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* Never prompt for a key passphrase: a worker has no terminal. */
static int
tls_no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	return 0;
}

/* A setting, or PostgreSQL's own when empty. */
static const char *
tls_file_setting(const char *ours, const char *postgres_name)
{
	const char *v;

	if (ours != NULL && ours[0] != '\0')
		return ours;
	v = GetConfigOption(postgres_name, true, false);
	return v ? v : "";
}

/* A new server context from the settings, or NULL (logged). */
static SSL_CTX *
tls_make_ctx(const char *cert, const char *key, const char *ca)
{
	SSL_CTX    *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_default_passwd_cb(ctx, tls_no_passphrase);
	if (!SSL_CTX_set_min_proto_version(ctx, streamstat_ssl_min_protocol_version == STREAMSTAT_TLS_1_3 ?
									   TLS1_3_VERSION : TLS1_2_VERSION))
		goto fail;
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
						SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET |
						SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
					 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* No TLS 1.3 session tickets: nothing resumes, and a ticket sent after
	 * the handshake would hold back (Nagle) what the server sends next. */
	SSL_CTX_set_num_tickets(ctx, 0);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
	{
		ereport(LOG,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("streamstat could not load TLS certificate file \"%s\": %s",
						cert, tls_error_text()),
				 errhint("Set streamstat.ssl_cert_file (or PostgreSQL's ssl_cert_file) to a PEM certificate readable by the server.")));
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
		SSL_CTX_check_private_key(ctx) != 1)
	{
		ereport(LOG,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("streamstat could not load TLS private key file \"%s\": %s",
						key, tls_error_text()),
				 errhint("Set streamstat.ssl_key_file to the unencrypted PEM key of the certificate.")));
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (ca[0] != '\0')
	{
		STACK_OF(X509_NAME) *names;

		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 ||
			(names = SSL_load_client_CA_file(ca)) == NULL)
		{
			ereport(LOG,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("streamstat could not load TLS CA file \"%s\": %s",
							ca, tls_error_text())));
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
						   NULL);
	}
	return ctx;

fail:
	ereport(LOG,
			(errmsg("streamstat could not set up TLS: %s", tls_error_text())));
	if (ctx)
		SSL_CTX_free(ctx);
	return NULL;
}

void
tls_reload(void)
{
	static bool initialized = false;
	const char *cert;
	const char *key;
	const char *ca;
	SSL_CTX    *ctx;

	if (streamstat_ssl == STREAMSTAT_SSL_OFF)
	{
		/* Open TLS connections keep their references. */
		if (tls_ctx)
			SSL_CTX_free(tls_ctx);
		tls_ctx = NULL;
		if (tls_loaded_desc)
			pfree(tls_loaded_desc);
		tls_loaded_desc = NULL;
		return;
	}
	if (!initialized)
	{
		OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
		initialized = true;
	}
	cert = tls_file_setting(streamstat_ssl_cert_file, "ssl_cert_file");
	key = tls_file_setting(streamstat_ssl_key_file, "ssl_key_file");
	ca = streamstat_ssl_ca_file ? streamstat_ssl_ca_file : "";
	ctx = tls_make_ctx(cert, key, ca);
	if (ctx == NULL)
	{
		if (tls_ctx)
			ereport(LOG,
					(errmsg("streamstat keeps the TLS certificate it loaded before (%s)",
							tls_loaded_desc)));
		else
			ereport(LOG,
					(errmsg("streamstat cannot accept TLS connections until a certificate loads"),
					 errhint("Fix the files and reload (SELECT pg_reload_conf()); clear-text connections are %s meanwhile.",
							 streamstat_ssl == STREAMSTAT_SSL_REQUIRE ? "refused" : "accepted")));
		return;
	}
	if (tls_ctx)
		SSL_CTX_free(tls_ctx);
	tls_ctx = ctx;
	if (tls_loaded_desc)
		pfree(tls_loaded_desc);
	tls_loaded_desc = MemoryContextStrdup(TopMemoryContext,
										  psprintf("certificate \"%s\", key \"%s\"%s%s%s",
												   cert, key,
												   ca[0] ? ", client CA \"" : "",
												   ca, ca[0] ? "\"" : ""));
	ereport(DEBUG1,
			(errmsg("streamstat loaded TLS %s", tls_loaded_desc)));
}

/* The connection's TLS state, made at its first use. */
static TlsConn *
tls_conn_get(IngestConn *conn)
{
	if (conn->tls == NULL)
		conn->tls = MemoryContextAllocZero(conn->cxt, sizeof(TlsConn));
	return conn->tls;
}

/* Decide from the first byte whether the client speaks TLS. */
static ssize_t
tls_conn_detect(IngestConn *conn, TlsConn *t, IngestCounters *counters)
{
	unsigned char first;
	int			one = 1;
	ssize_t		n = recv(conn->sock, &first, 1, MSG_PEEK);

	if (n <= 0)
		return n;
	if (first == TLS_HANDSHAKE_RECORD && streamstat_ssl != STREAMSTAT_SSL_OFF)
	{
		if (tls_ctx == NULL)
		{
			counters->tls_failures++;
			ingest_log_refusal(INGEST_REFUSED_TLS, conn->client, "TLS requested, but no certificate is loaded");
			errno = ECONNREFUSED;
			return -1;
		}
		ERR_clear_error();
		t->ssl = SSL_new(tls_ctx);
		if (t->ssl == NULL || SSL_set_fd(t->ssl, conn->sock) != 1)
		{
			counters->tls_failures++;
			ingest_log_refusal(INGEST_REFUSED_TLS, conn->client, "could not start TLS: %s", tls_error_text());
			errno = ENOMEM;
			return -1;
		}
		/* Records go out whole and at once (handshake flights, challenge). */
		(void) setsockopt(conn->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		t->phase = TLS_HANDSHAKE;
		return 1;
	}
	if (streamstat_ssl == STREAMSTAT_SSL_REQUIRE)
	{
		counters->cleartext_refused++;
		ingest_log_refusal(INGEST_REFUSED_CLEARTEXT, conn->client, "clear text is refused (streamstat.ssl is require)");
		errno = ECONNREFUSED;
		return -1;
	}
	counters->cleartext_connections++;
	t->phase = TLS_PLAIN;
	return 1;
}

/* Advance the handshake: 1 done, -1 with errno (EAGAIN: wait). */
static int
tls_conn_handshake(IngestConn *conn, TlsConn *t, IngestCounters *counters)
{
	int			rc;
	int			err;

	ERR_clear_error();
	rc = SSL_accept(t->ssl);
	if (rc == 1)
	{
		t->phase = TLS_OPEN;
		t->want_write = false;
		counters->tls_connections++;
		return 1;
	}
	err = SSL_get_error(t->ssl, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
	{
		t->want_write = (err == SSL_ERROR_WANT_WRITE);
		errno = EAGAIN;
		return -1;
	}
	counters->tls_failures++;
	if ((err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) || err == SSL_ERROR_ZERO_RETURN)
		ingest_log_refusal(INGEST_REFUSED_TLS, conn->client, "the TLS handshake ended early (%s)",
						   err == SSL_ERROR_SYSCALL && errno != 0 ? strerror(errno) : "end of file");
	else
		ingest_log_refusal(INGEST_REFUSED_TLS, conn->client, "TLS handshake failed: %s", tls_error_text());
	ERR_clear_error();
	errno = ECONNRESET;
	return -1;
}

ssize_t
tls_conn_recv(IngestConn *conn, void *buf, size_t len, IngestCounters *counters)
{
	TlsConn    *t = tls_conn_get(conn);
	size_t		got = 0;

	if (t->phase == TLS_NEW)
	{
		ssize_t		n = tls_conn_detect(conn, t, counters);

		if (n <= 0)
			return n;
	}
	if (t->phase == TLS_PLAIN)
		return recv(conn->sock, buf, len, 0);
	if (t->phase == TLS_HANDSHAKE && tls_conn_handshake(conn, t, counters) < 0)
		return -1;

	/* TLS_OPEN: whole records while one more fits. */
	while (got < len && (got == 0 || len - got >= TLS_MAX_RECORD))
	{
		int			n;
		int			err;

		ERR_clear_error();
		n = SSL_read(t->ssl, (char *) buf + got, (int) Min(len - got, INT_MAX));
		if (n > 0)
		{
			got += n;
			t->want_write = false;
			continue;
		}
		err = SSL_get_error(t->ssl, n);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		{
			t->want_write = (err == SSL_ERROR_WANT_WRITE);
			break;
		}
		if (got > 0)
			break;				/* the error again at the next call */
		if (err == SSL_ERROR_ZERO_RETURN)
			return 0;			/* close_notify, or EOF (IGNORE_UNEXPECTED_EOF) */
		ERR_clear_error();
		errno = ECONNRESET;
		return -1;
	}
	if (got > 0)
		return got;
	errno = EAGAIN;
	return -1;
}

ssize_t
tls_conn_send(IngestConn *conn, const void *buf, size_t len)
{
	TlsConn    *t = conn->tls;
	int			n;
	int			err;

	if (t == NULL || t->phase == TLS_PLAIN || t->phase == TLS_NEW)
		return send(conn->sock, buf, len, MSG_NOSIGNAL);
	if (t->phase != TLS_OPEN)
	{
		errno = EAGAIN;
		return -1;
	}
	ERR_clear_error();
	n = SSL_write(t->ssl, buf, (int) Min(len, INT_MAX));
	if (n > 0)
		return n;
	err = SSL_get_error(t->ssl, n);
	if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
	{
		errno = EAGAIN;
		return -1;
	}
	ERR_clear_error();
	errno = EPIPE;
	return -1;
}

uint32
tls_conn_wait_events(IngestConn *conn, uint32 events)
{
	TlsConn    *t = conn->tls;

	if (t == NULL || events == 0)
		return events;
	if (t->phase == TLS_HANDSHAKE)
		return t->want_write ? WL_SOCKET_WRITEABLE : WL_SOCKET_READABLE;
	if (t->phase == TLS_OPEN && t->want_write)
		return events | WL_SOCKET_WRITEABLE;
	return events;
}

bool
tls_conn_handshaking(IngestConn *conn)
{
	return conn->tls != NULL && conn->tls->phase == TLS_HANDSHAKE;
}

bool
tls_conn_secure(IngestConn *conn)
{
	return conn->tls != NULL && conn->tls->phase == TLS_OPEN;
}

void
tls_conn_close(IngestConn *conn)
{
	TlsConn    *t = conn->tls;

	if (t == NULL || t->ssl == NULL)
		return;
	ERR_clear_error();
	if (t->phase == TLS_OPEN)
		(void) SSL_shutdown(t->ssl);	/* one non-blocking try */
	SSL_free(t->ssl);
	ERR_clear_error();
	t->ssl = NULL;
}
