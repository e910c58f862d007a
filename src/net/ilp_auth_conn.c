/*
 * ilp_auth_conn.c
 *		The worker's side of QuestDB's line-protocol authentication: a TCP
 *		client proves it holds the private key of a key registered with
 *		streamstat.create_ilp_key() before any of its lines is read.
 *
 * Where it sits in the path of a record: after the TLS layer (tls.c),
 * before the line cutter (conn.c).  ilp_auth.c frames and decodes the
 * handshake; here the key id is looked up (ilp_keys.c, one short
 * transaction), a challenge of random printable bytes is sent, and the
 * signature is verified (ilp_ecdsa.c).  An unknown or revoked key id is
 * sent a challenge all the same, and fails at the signature, so key ids
 * cannot be probed.
 *
 * When it applies: with streamstat.require_auth in force every TCP
 * connection must authenticate; a first line that is not a key id fails.
 * Otherwise a client may still authenticate (a QuestDB client configured
 * with a key works whatever the setting): a first line with no space that
 * does not start with '#' is a key id, since a line of line protocol
 * always has one; any other first line is line protocol.
 *
 * On failure the connection is closed, nothing it sent is stored, the
 * attempt is counted (ingest_stats.auth_failures) and logged with the
 * client's address (rate-limited).
 */
#include "postgres.h"

#include <errno.h>

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "ingest/auth.h"
#include "protocol/ilp_auth.h"
#include "net/ilp_auth_conn.h"
#include "protocol/ilp_ecdsa.h"
#include "net/conn.h"
#include "ingest/ingest_stats.h"
#include "net/tls.h"

typedef enum AuthPhase
{
	AUTH_UNDECIDED,				/* optional auth: the first line decides */
	AUTH_HANDSHAKE,
	AUTH_READY
} AuthPhase;

typedef struct IlpAuthConn
{
	AuthPhase	phase;
	IlpAuth		auth;
	bool		key_found;
	unsigned char x[ILP_AUTH_COORD_LEN];
	unsigned char y[ILP_AUTH_COORD_LEN];
	char		schema[NAMEDATALEN];	/* "": any schema */
	int			out_off;		/* challenge bytes sent */
	int			out_len;		/* challenge bytes to send */
	BatchTarget target;
} IlpAuthConn;

bool
ilp_auth_required(void)
{
	return streamstat_http_auth_required();
}

/* The connection's state, made at its first bytes. */
static IlpAuthConn *
ilp_auth_conn_get(IngestConn *conn)
{
	if (conn->auth == NULL)
	{
		IlpAuthConn *a = MemoryContextAllocZero(conn->cxt, sizeof(IlpAuthConn));

		ilp_auth_init(&a->auth);
		a->phase = ilp_auth_required() ? AUTH_HANDSHAKE : AUTH_UNDECIDED;
		conn->auth = a;
	}
	return conn->auth;
}

bool
ilp_auth_conn_ready(IngestConn *conn)
{
	return conn->auth != NULL && conn->auth->phase == AUTH_READY;
}

bool
ilp_auth_conn_pending(IngestConn *conn)
{
	if (conn->auth == NULL)
		return ilp_auth_required();
	return conn->auth->phase == AUTH_HANDSHAKE;
}

bool
ilp_auth_conn_wants_write(IngestConn *conn)
{
	return conn->auth != NULL && conn->auth->out_off < conn->auth->out_len;
}

bool
ilp_auth_conn_flush(IngestConn *conn)
{
	IlpAuthConn *a = conn->auth;

	while (a != NULL && a->out_off < a->out_len)
	{
		ssize_t		n = tls_conn_send(conn, a->auth.challenge + a->out_off,
									  a->out_len - a->out_off);

		if (n < 0)
		{
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return true;
			return false;
		}
		a->out_off += n;
	}
	return true;
}

const BatchTarget *
ilp_auth_conn_target(IngestConn *conn)
{
	IlpAuthConn *a = conn->auth;

	if (a == NULL || a->schema[0] == '\0')
		return NULL;
	a->target.precision = streamstat_precision;
	a->target.multiplier = 1;
	a->target.schema = a->schema;
	return &a->target;
}

/* Look the key id up in a short transaction; false (logged) on error. */
static bool
ilp_auth_conn_lookup(IngestConn *conn, IlpAuthConn *a)
{
	MemoryContext caller = CurrentMemoryContext;
	volatile bool ok = true;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		a->key_found = ilp_key_lookup(a->auth.key_id, a->x, a->y,
									  a->schema, sizeof(a->schema));
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		AbortOutOfAnyTransaction();
		ereport(LOG,
				(errcode(edata->sqlerrcode),
				 errmsg("streamstat could not look up line-protocol key \"%s\": %s",
						a->auth.key_id, edata->message)));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
	return ok;
}

/* The handshake failed: count, log, tell the caller to close. */
static int
ilp_auth_conn_fail(IngestConn *conn, IlpAuthConn *a, const char *why)
{
	conn->len = 0;
	ingest_log_refusal(INGEST_REFUSED_AUTH, conn->client, "line-protocol authentication failed%s%s%s: %s",
					   a->auth.key_id_len > 0 ? " for key id \"" : "",
					   a->auth.key_id_len > 0 ? a->auth.key_id : "",
					   a->auth.key_id_len > 0 ? "\"" : "",
					   why);
	return -1;
}

int
ilp_auth_conn_input(IngestConn *conn, char *buf, int len,
					IngestCounters *counters)
{
	IlpAuthConn *a = ilp_auth_conn_get(conn);
	int			off = 0;

	if (a->phase == AUTH_UNDECIDED)
	{
		char	   *nl = memchr(buf, '\n', len);
		int			first;

		if (nl == NULL)
		{
			/* Too long for a key id: line protocol. */
			if (len > ILP_AUTH_MAX_KEY_ID + 1)
				a->phase = AUTH_READY;
			return len;
		}
		first = nl - buf;
		if (first > 0 && buf[first - 1] == '\r')
			first--;
		if (first == 0 || buf[0] == '#' || memchr(buf, ' ', first) != NULL)
		{
			a->phase = AUTH_READY;
			return len;
		}
		a->phase = AUTH_HANDSHAKE;
		conn->handshake_deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
															   streamstat_http_timeout_ms);
	}
	if (a->phase == AUTH_READY)
		return len;

	while (off < len)
	{
		size_t		used = 0;
		IlpAuthEvent ev = ilp_auth_feed(&a->auth, buf + off, len - off, &used);

		off += used;
		switch (ev)
		{
			case ILP_AUTH_NEED_MORE:
				break;
			case ILP_AUTH_KEY_ID:
				{
					unsigned char random[ILP_AUTH_CHALLENGE_LEN];

					if (!ilp_auth_conn_lookup(conn, a))
					{
						counters->auth_failures++;
						return ilp_auth_conn_fail(conn, a, "the key could not be looked up");
					}
					if (!pg_strong_random(random, sizeof(random)))
					{
						counters->auth_failures++;
						return ilp_auth_conn_fail(conn, a, "no random challenge could be made");
					}
					ilp_auth_set_challenge(&a->auth, random);
					a->out_off = 0;
					a->out_len = ILP_AUTH_CHALLENGE_LEN + 1;
					if (!ilp_auth_conn_flush(conn))
					{
						counters->auth_failures++;
						return ilp_auth_conn_fail(conn, a, "the challenge could not be sent");
					}
				}
				break;
			case ILP_AUTH_SIGNATURE:
				{
					bool		ok = a->key_found &&
						ilp_ecdsa_verify(a->x, a->y, a->auth.challenge,
										 ILP_AUTH_CHALLENGE_LEN,
										 a->auth.r, a->auth.s);

					ilp_auth_set_verified(&a->auth, ok);
					if (!ok)
					{
						counters->auth_failures++;
						return ilp_auth_conn_fail(conn, a, a->key_found ?
												  "the signature does not verify with the key" :
												  "unknown or revoked key id");
					}
					a->phase = AUTH_READY;
					conn->handshake_deadline = 0;
					/* What followed the signature is line protocol. */
					if (off < len)
						memmove(buf, buf + off, len - off);
					return len - off;
				}
			case ILP_AUTH_ERROR:
				counters->auth_failures++;
				if (a->auth.challenge[0] == '\0' && ilp_auth_required())
					return ilp_auth_conn_fail(conn, a,
											  psprintf("%s (streamstat.require_auth is in force: the first line must be a key id)",
													   a->auth.error));
				return ilp_auth_conn_fail(conn, a, a->auth.error);
		}
	}
	return 0;
}
