/*
 * auth.c
 *		Tokens of the HTTP write API: creation (secret shown once, only its
 *		SHA-256 stored) and the check of a presented secret.
 *
 * Where it sits in the path of a record: at the door of the HTTP path.
 * Before a request's lines reach the ILP parser the HTTP connection asks
 * auth_authorize_request() whether it may write: which schema its bucket
 * names, and (through streamstat_token_check()) whether the secret the
 * request presents (http_request_secret() in http.h) is a live token that
 * may write to that schema.  Without a valid token (when
 * streamstat.require_auth is in force) the request is answered 401, with a
 * token limited to another schema 403, and nothing of it is written.
 *
 * Secrets are 32 bytes from pg_strong_random(), written as "sst_" and
 * base64url (43 characters): recognisable in logs and leak scanners, safe in
 * URLs (the v1 API passes them as the p parameter).  The table, in the
 * extension's SQL (auth.sql), is readable by superusers only.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "streamstat.h"
#include "ingest/auth.h"
#include "protocol/http.h"

#define STREAMSTAT_TOKEN_PREFIX "sst_"
#define STREAMSTAT_TOKEN_RANDOM_BYTES 32

/* Longest accepted secret. */
#define AUTH_MAX_SECRET 256

PG_FUNCTION_INFO_V1(streamstat_create_token);
PG_FUNCTION_INFO_V1(streamstat_check_token);

/* SHA-256 of a secret into out (PG_SHA256_DIGEST_LENGTH bytes). */
static void
token_hash(const char *secret, size_t len, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) secret, len) < 0 ||
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
	{
		const char *why = pg_cryptohash_error(ctx);

		pg_cryptohash_free(ctx);
		elog(ERROR, "could not compute SHA-256: %s", why);
	}
	pg_cryptohash_free(ctx);
}

/* base64url without padding (RFC 4648 section 5) of len bytes into out,
 * which has room for 4 * ceil(len / 3) + 1 bytes. */
static void
base64url_encode(const uint8 *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t		i;
	char	   *o = out;

	for (i = 0; i + 2 < len; i += 3)
	{
		uint32		v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];

		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (len - i == 1)
	{
		uint32		v = in[i] << 16;

		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
	}
	else if (len - i == 2)
	{
		uint32		v = (in[i] << 16) | (in[i + 1] << 8);

		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
	}
	*o = '\0';
}

/* A bytea datum holding a copy of len bytes. */
static bytea *
bytes_to_bytea(const uint8 *data, size_t len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

/*
 * streamstat.create_token(name text, schema_name text DEFAULT NULL)
 *		Create a token and return its secret; only the hash is stored.
 */
Datum
streamstat_create_token(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *schema = NULL;
	uint8		random[STREAMSTAT_TOKEN_RANDOM_BYTES];
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	char		secret[sizeof(STREAMSTAT_TOKEN_PREFIX) + 4 * ((STREAMSTAT_TOKEN_RANDOM_BYTES + 2) / 3) + 1];
	Oid			argtypes[3] = {TEXTOID, BYTEAOID, NAMEOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	int			rc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("token name must not be null"),
				 errhint("Name the token after the client that will use it, e.g. 'telegraf'.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token name must not be empty"),
				 errhint("Name the token after the client that will use it, e.g. 'telegraf'.")));

	if (!PG_ARGISNULL(1))
	{
		schema = text_to_cstring(PG_GETARG_TEXT_PP(1));
		if (!OidIsValid(get_namespace_oid(schema, true)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_SCHEMA),
					 errmsg("schema \"%s\" does not exist", schema),
					 errhint("Create the schema first, or pass NULL to let the token write to any schema.")));
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* a friendly error for the common case; the unique index decides races */
	values[0] = CStringGetTextDatum(name);
	rc = SPI_execute_with_args("SELECT 1 FROM streamstat.tokens WHERE name OPERATOR(pg_catalog.=) $1",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not look up token \"%s\": %s", name, SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("token \"%s\" already exists", name),
				 errhint("Choose another name; names of revoked tokens stay taken.")));

	if (!pg_strong_random(random, sizeof(random)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random token"),
				 errhint("Check that the operating system's random source is available.")));
	strcpy(secret, STREAMSTAT_TOKEN_PREFIX);
	base64url_encode(random, sizeof(random), secret + strlen(STREAMSTAT_TOKEN_PREFIX));
	explicit_bzero(random, sizeof(random));
	token_hash(secret, strlen(secret), hash);

	values[1] = PointerGetDatum(bytes_to_bytea(hash, sizeof(hash)));
	if (schema)
		values[2] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	else
	{
		values[2] = (Datum) 0;
		nulls[2] = 'n';
	}
	rc = SPI_execute_with_args("INSERT INTO streamstat.tokens (name, hash, schema_name) VALUES ($1, $2, $3)",
							   3, argtypes, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not store token \"%s\": %s", name, SPI_result_code_string(rc));
	SPI_finish();

	PG_RETURN_TEXT_P(cstring_to_text(secret));
}

/*
 * Look the secret up by its hash.  Finding the row through the unique index
 * on hash is not a timing oracle worth fearing: what an index comparison
 * could leak is how many leading bytes of SHA-256(guess) match a stored
 * hash, and that says nothing about a 256-bit random secret because SHA-256
 * cannot be inverted.  The stored hash is still compared to ours in constant
 * time, so that the decision itself never depends on an early-exit compare
 * (and stays safe if the lookup is ever changed to a scan).
 */
bool
streamstat_token_check(const char *secret, size_t len,
					   char **token_name, char **schema_name)
{
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	Oid			argtypes[1] = {BYTEAOID};
	Datum		values[1];
	MemoryContext caller = CurrentMemoryContext;
	bool		valid = false;
	int			rc;

	*token_name = NULL;
	*schema_name = NULL;
	if (len == 0)
		return false;
	token_hash(secret, len, hash);
	values[0] = PointerGetDatum(bytes_to_bytea(hash, sizeof(hash)));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args("SELECT hash, name, schema_name FROM streamstat.tokens"
							   " WHERE hash OPERATOR(pg_catalog.=) $1 AND revoked_at IS NULL",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not look up a token: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		stored = SPI_getbinval(tuple, desc, 1, &isnull);
		bytea	   *stored_hash = isnull ? NULL : DatumGetByteaPP(stored);

		if (stored_hash != NULL &&
			VARSIZE_ANY_EXHDR(stored_hash) == sizeof(hash) &&
			http_secure_equal(VARDATA_ANY(stored_hash), hash, sizeof(hash)))
		{
			MemoryContext spi = MemoryContextSwitchTo(caller);
			char	   *schema = SPI_getvalue(tuple, desc, 3);

			*token_name = SPI_getvalue(tuple, desc, 2);
			*schema_name = schema;
			MemoryContextSwitchTo(spi);
			valid = true;
		}
	}
	SPI_finish();
	return valid;
}

/*
 * streamstat.check_token(secret text, OUT valid, OUT token_name, OUT schema_name)
 *		The worker's check, callable from SQL for tests and operators.
 */
Datum
streamstat_check_token(PG_FUNCTION_ARGS)
{
	text	   *secret = PG_GETARG_TEXT_PP(0);
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, true, true};
	char	   *token_name;
	char	   *schema_name;
	bool		valid;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	valid = streamstat_token_check(VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret),
								   &token_name, &schema_name);
	values[0] = BoolGetDatum(valid);
	if (token_name)
	{
		values[1] = CStringGetTextDatum(token_name);
		nulls[1] = false;
	}
	if (schema_name)
	{
		values[2] = CStringGetTextDatum(schema_name);
		nulls[2] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/* streamstat.require_auth resolved against listen_addresses. */
bool
streamstat_http_auth_required(void)
{
	switch (streamstat_require_auth)
	{
		case STREAMSTAT_REQUIRE_AUTH_ON:
			return true;
		case STREAMSTAT_REQUIRE_AUTH_OFF:
			return false;
		default:
			return !http_addresses_local_only(streamstat_listen_addresses);
	}
}

/*
 * The token and the target schema of a write: the bucket (v2) or db (v1)
 * names a schema when one exists by that name ("db/rp": the part before
 * the slash), else streamstat.schema applies.  With auth required, a
 * request without a live token is refused 401, and one whose token is
 * limited to another schema 403.  Returns 0 when the request may write,
 * else the status to refuse it with (401, 403, or 503 when the check
 * itself failed) and *message; schema (NAMEDATALEN bytes) receives the
 * schema the bucket names, or "".  Runs its own transaction.
 */
int
auth_authorize_request(const HttpRequest *req, bool v1, char *schema,
					   const char **message_out)
{
	MemoryContext caller = CurrentMemoryContext;
	const char *bucket = http_request_param(req, v1 ? "db" : "bucket");
	char		secret[AUTH_MAX_SECRET];
	HttpCredentialKind kind;
	bool		required = streamstat_http_auth_required();
	volatile int status = 0;
	const char *volatile message = NULL;

	kind = http_request_secret(req, v1, secret, sizeof(secret));
	schema[0] = '\0';

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		const char *target;

		PushActiveSnapshot(GetTransactionSnapshot());
		if (bucket != NULL && *bucket != '\0')
		{
			char		name[NAMEDATALEN];
			size_t		n = strcspn(bucket, "/");

			if (n > 0 && n < NAMEDATALEN)
			{
				memcpy(name, bucket, n);
				name[n] = '\0';
				if (OidIsValid(get_namespace_oid(name, true)))
					strlcpy(schema, name, NAMEDATALEN);
			}
		}
		target = schema[0] ? schema : streamstat_schema;
		if (required)
		{
			char	   *token_name;
			char	   *token_schema;

			if (kind == HTTP_CREDENTIAL_NONE)
			{
				status = 401;
				message = "a token is required: send \"Authorization: Token <token>\"";
			}
			else if (kind == HTTP_CREDENTIAL_MALFORMED)
			{
				status = 401;
				message = "the Authorization header cannot be read";
			}
			else if (!streamstat_token_check(secret, strlen(secret),
											 &token_name, &token_schema))
			{
				status = 401;
				message = "the token is not valid (unknown or revoked)";
			}
			else if (token_schema != NULL && strcmp(token_schema, target) != 0)
			{
				status = 403;
				message = "the token may not write to this bucket's schema";
			}
		}
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
				 errmsg("streamstat could not check an HTTP request's token: %s",
						edata->message)));
		FreeErrorData(edata);
		status = 503;
		message = "the token could not be checked; try again";
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
	explicit_bzero(secret, sizeof(secret));
	*message_out = message;
	return status;
}
