/*
 * ilp_ecdsa.c
 *		ECDSA P-256 SHA-256 verification of the line-protocol handshake's
 *		signatures, with OpenSSL (which PostgreSQL itself links).
 *
 * Where it sits in the path of a record: ilp_auth_conn.c calls
 * ilp_ecdsa_verify() once per authenticating TCP connection, after
 * ilp_auth.c decoded the signature into r and s; ilp_keys.c calls
 * ilp_ecdsa_valid_point() when a key is registered.  No PostgreSQL
 * headers, so the unit test links it alone.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "protocol/ilp_ecdsa.h"

#define COORD 32

/* The public key (x, y) as an EVP_PKEY, or NULL (not a point of P-256). */
static EVP_PKEY *
p256_public_key(const unsigned char *x, const unsigned char *y)
{
	unsigned char point[1 + 2 * COORD];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY_CTX *check = NULL;
	EVP_PKEY   *pkey = NULL;

	point[0] = 0x04;			/* uncompressed */
	memcpy(point + 1, x, COORD);
	memcpy(point + 1 + COORD, y, COORD);

	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
		!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
										 "prime256v1", 0) ||
		!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
										  point, sizeof(point)) ||
		(params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto done;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
	{
		pkey = NULL;
		goto done;
	}
	/* The point must be on the curve (fromdata does not promise to check). */
	check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (check == NULL || EVP_PKEY_public_check(check) <= 0)
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
done:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

bool
ilp_ecdsa_valid_point(const unsigned char *x, const unsigned char *y)
{
	EVP_PKEY   *pkey = p256_public_key(x, y);

	EVP_PKEY_free(pkey);
	return pkey != NULL;
}

bool
ilp_ecdsa_verify(const unsigned char *x, const unsigned char *y,
				 const void *msg, size_t len,
				 const unsigned char *r, const unsigned char *s)
{
	EVP_PKEY   *pkey = p256_public_key(x, y);
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG  *sig = NULL;
	BIGNUM	   *br = NULL;
	BIGNUM	   *bs = NULL;
	unsigned char *der = NULL;
	int			derlen;
	bool		ok = false;

	if (pkey == NULL)
		return false;
	sig = ECDSA_SIG_new();
	br = BN_bin2bn(r, COORD, NULL);
	bs = BN_bin2bn(s, COORD, NULL);
	if (sig == NULL || br == NULL || bs == NULL || BN_is_zero(br) || BN_is_zero(bs))
		goto done;
	if (!ECDSA_SIG_set0(sig, br, bs))
		goto done;
	br = bs = NULL;				/* owned by sig now */
	derlen = i2d_ECDSA_SIG(sig, &der);
	if (derlen <= 0)
		goto done;
	md = EVP_MD_CTX_new();
	if (md == NULL ||
		EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) <= 0)
		goto done;
	ok = EVP_DigestVerify(md, der, derlen, msg, len) == 1;
done:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	BN_free(br);
	BN_free(bs);
	EVP_PKEY_free(pkey);
	return ok;
}
