/*
 * ilp_keys.c
 *		Keys of line-protocol authentication over TCP, in SQL: registering
 *		a client's public key, and the lookup the worker does when a client
 *		presents a key id.
 *
 * Where it sits in the path of a record: at the door of the TCP path,
 * beside auth.c (the HTTP tokens).  ilp_auth_conn.c calls ilp_key_lookup()
 * during a client's handshake; the table and the SQL functions are in
 * ilp_keys.sql.  Only public keys are stored, as 32-byte x and y of a
 * P-256 point (checked to be on the curve).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "protocol/ilp_auth.h"
#include "net/ilp_auth_conn.h"
#include "protocol/ilp_ecdsa.h"

PG_FUNCTION_INFO_V1(streamstat_create_ilp_key);

/* A coordinate in base64url (or base64) into 32 bytes, left-padded. */
static void
ilp_key_coordinate(const char *name, const char *text, unsigned char *out)
{
	unsigned char buf[ILP_AUTH_COORD_LEN + 1];
	long		n = ilp_base64_decode(text, strlen(text), buf, sizeof(buf));

	/* A leading zero byte may be written or left out. */
	if (n == ILP_AUTH_COORD_LEN + 1 && buf[0] == 0)
	{
		memmove(buf, buf + 1, ILP_AUTH_COORD_LEN);
		n = ILP_AUTH_COORD_LEN;
	}
	if (n <= 0 || n > ILP_AUTH_COORD_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is not a base64url P-256 coordinate", name),
				 errhint("Give the \"%s\" value of the client's key (QuestDB key files and JWKs write it as 43 base64url characters).", name)));
	memset(out, 0, ILP_AUTH_COORD_LEN);
	memcpy(out + ILP_AUTH_COORD_LEN - n, buf, n);
}

/* A bytea datum holding a copy of len bytes. */
static Datum
ilp_key_bytea(const unsigned char *data, size_t len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return PointerGetDatum(b);
}

/*
 * streamstat.create_ilp_key(key_id, x, y, schema_name DEFAULT NULL)
 *		Register a client's public key.
 */
Datum
streamstat_create_ilp_key(PG_FUNCTION_ARGS)
{
	char	   *key_id;
	unsigned char x[ILP_AUTH_COORD_LEN];
	unsigned char y[ILP_AUTH_COORD_LEN];
	char	   *schema = NULL;
	Oid			argtypes[4] = {TEXTOID, BYTEAOID, BYTEAOID, NAMEOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			rc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key_id, x and y must not be null"),
				 errhint("Pass the key id the client sends and the x and y of its public key.")));
	key_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (key_id[0] == '\0' || key_id[0] == '#' || strlen(key_id) > ILP_AUTH_MAX_KEY_ID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key id must be 1 to %d characters and not start with '#'",
						ILP_AUTH_MAX_KEY_ID),
				 errhint("Use the client's user name, e.g. 'sensor-17'.")));
	for (const char *p = key_id; *p; p++)
		if ((unsigned char) *p < 0x21 || (unsigned char) *p > 0x7e)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key id must be printable ASCII without spaces"),
					 errhint("The key id is sent as the first line of the connection; a space would make it a line of line protocol.")));
	ilp_key_coordinate("x", text_to_cstring(PG_GETARG_TEXT_PP(1)), x);
	ilp_key_coordinate("y", text_to_cstring(PG_GETARG_TEXT_PP(2)), y);
	if (!ilp_ecdsa_valid_point(x, y))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("(x, y) is not a point of the P-256 curve"),
				 errhint("Check that x and y are the public key of an EC key on prime256v1 (secp256r1), not its private d.")));
	if (!PG_ARGISNULL(3))
	{
		schema = text_to_cstring(PG_GETARG_TEXT_PP(3));
		if (!OidIsValid(get_namespace_oid(schema, true)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_SCHEMA),
					 errmsg("schema \"%s\" does not exist", schema),
					 errhint("Create the schema first, or pass NULL to let the key write to streamstat.schema.")));
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = CStringGetTextDatum(key_id);
	rc = SPI_execute_with_args("SELECT 1 FROM streamstat.ilp_public_keys"
							   " WHERE key_id OPERATOR(pg_catalog.=) $1 AND revoked_at IS NULL",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not look up key \"%s\": %s", key_id, SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("line-protocol key \"%s\" already exists", key_id),
				 errhint("Revoke it first with streamstat.revoke_ilp_key('%s') to replace it.", key_id)));
	values[1] = ilp_key_bytea(x, sizeof(x));
	values[2] = ilp_key_bytea(y, sizeof(y));
	if (schema)
		values[3] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	else
	{
		values[3] = (Datum) 0;
		nulls[3] = 'n';
	}
	rc = SPI_execute_with_args("INSERT INTO streamstat.ilp_public_keys (key_id, x, y, schema_name)"
							   " VALUES ($1, $2, $3, $4)",
							   4, argtypes, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not store key \"%s\": %s", key_id, SPI_result_code_string(rc));
	SPI_finish();
	PG_RETURN_VOID();
}

/* Copy a 32-byte bytea column into out; false when it is not one. */
static bool
ilp_key_column(HeapTuple tuple, TupleDesc desc, int col, unsigned char *out)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);
	bytea	   *b;

	if (isnull)
		return false;
	b = DatumGetByteaPP(d);
	if (VARSIZE_ANY_EXHDR(b) != ILP_AUTH_COORD_LEN)
		return false;
	memcpy(out, VARDATA_ANY(b), ILP_AUTH_COORD_LEN);
	return true;
}

bool
ilp_key_lookup(const char *key_id, unsigned char *x, unsigned char *y,
			   char *schema, size_t schema_cap)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	bool		found = false;
	int			rc;

	schema[0] = '\0';
	values[0] = CStringGetTextDatum(key_id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args("SELECT x, y, schema_name FROM streamstat.ilp_public_keys"
							   " WHERE key_id OPERATOR(pg_catalog.=) $1 AND revoked_at IS NULL",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not look up a line-protocol key: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *s = SPI_getvalue(tuple, desc, 3);

		found = ilp_key_column(tuple, desc, 1, x) &&
			ilp_key_column(tuple, desc, 2, y);
		if (s != NULL)
			strlcpy(schema, s, schema_cap);
	}
	SPI_finish();
	return found;
}
