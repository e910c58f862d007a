/*
 * conn_rate.c
 *		Connection-rate load for test/bench/handshake.sh: P processes each
 *		open N connections one after another to the line-protocol port,
 *		each connection doing the handshakes of its mode, sending one line
 *		and closing.  Modes: plain, tls (OpenSSL, verified against a CA),
 *		auth (QuestDB's ECDSA challenge-response, DER signature),
 *		tls+auth.  Prints the connections per second of the whole run.
 *
 * Usage: conn_rate MODE PORT PROCS CONNS_PER_PROC TABLE [CA KEY_ID KEY_PEM]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

static void
die(const char *what)
{
	fprintf(stderr, "conn_rate: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double
now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Write all of buf, through TLS when ssl is set. */
static void
put(int fd, SSL *ssl, const char *buf, int len)
{
	while (len > 0)
	{
		int			n = ssl ? SSL_write(ssl, buf, len) : (int) write(fd, buf, len);

		if (n <= 0)
			die("write failed");
		buf += n;
		len -= n;
	}
}

/* Read one line (without the '\n') into buf. */
static int
get_line(int fd, SSL *ssl, char *buf, int cap)
{
	int			len = 0;

	for (;;)
	{
		char		c;
		int			n = ssl ? SSL_read(ssl, &c, 1) : (int) read(fd, &c, 1);

		if (n <= 0)
			die("read failed");
		if (c == '\n')
			break;
		if (len < cap - 1)
			buf[len++] = c;
	}
	buf[len] = '\0';
	return len;
}

int
main(int argc, char **argv)
{
	const char *mode;
	int			port,
				procs,
				conns;
	const char *table;
	int			tls,
				auth;
	SSL_CTX    *ctx = NULL;
	EVP_PKEY   *key = NULL;
	double		t0;

	if (argc < 6)
		die("usage: conn_rate MODE PORT PROCS CONNS TABLE [CA KEY_ID KEY_PEM]");
	mode = argv[1];
	port = atoi(argv[2]);
	procs = atoi(argv[3]);
	conns = atoi(argv[4]);
	table = argv[5];
	tls = strstr(mode, "tls") != NULL;
	auth = strstr(mode, "auth") != NULL;
	if ((tls || auth) && argc < 9)
		die("tls and auth modes need CA KEY_ID KEY_PEM");
	if (tls)
	{
		ctx = SSL_CTX_new(TLS_client_method());
		if (!ctx || SSL_CTX_load_verify_locations(ctx, argv[6], NULL) != 1)
			die("cannot load the CA");
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	}
	if (auth)
	{
		FILE	   *f = fopen(argv[8], "r");

		if (!f || !(key = PEM_read_PrivateKey(f, NULL, NULL, NULL)))
			die("cannot read the key");
		fclose(f);
	}

	t0 = now();
	for (int p = 0; p < procs; p++)
	{
		if (fork() != 0)
			continue;
		for (int i = 0; i < conns; i++)
		{
			struct sockaddr_in sa = {0};
			int			fd = socket(AF_INET, SOCK_STREAM, 0);
			int			one = 1;
			SSL		   *ssl = NULL;
			char		line[256];

			sa.sin_family = AF_INET;
			sa.sin_port = htons(port);
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0)
				die("connect failed");
			if (tls)
			{
				ssl = SSL_new(ctx);
				SSL_set_fd(ssl, fd);
				SSL_set1_host(ssl, "127.0.0.1");
				if (SSL_connect(ssl) != 1)
					die("TLS handshake failed");
			}
			if (auth)
			{
				char		challenge[1024];
				unsigned char sig[128];
				size_t		siglen = sizeof(sig);
				char		b64[200];
				int			clen;
				EVP_MD_CTX *md = EVP_MD_CTX_new();

				snprintf(line, sizeof(line), "%s\n", argv[7]);
				put(fd, ssl, line, strlen(line));
				clen = get_line(fd, ssl, challenge, sizeof(challenge));
				if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
					EVP_DigestSign(md, sig, &siglen, (unsigned char *) challenge, clen) != 1)
					die("cannot sign");
				EVP_MD_CTX_free(md);
				EVP_EncodeBlock((unsigned char *) b64, sig, (int) siglen);
				strcat(b64, "\n");
				put(fd, ssl, b64, strlen(b64));
			}
			snprintf(line, sizeof(line), "%s,p=%d v=%di\n", table, p, i);
			put(fd, ssl, line, strlen(line));
			if (ssl)
			{
				SSL_shutdown(ssl);
				SSL_free(ssl);
			}
			close(fd);
		}
		_exit(0);
	}
	for (int p = 0; p < procs; p++)
	{
		int			status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("a client process failed");
	}
	printf("%.0f\n", procs * conns / (now() - t0));
	return 0;
}
