/*
 * load_http.c
 *		Load generator of test/bench/http.sh: the same line-protocol lines
 *		over the line-protocol TCP port or the HTTP write API.
 *
 * Usage: load_http tcp|http PORT LINES LINES_PER_REQUEST CONNECTIONS MEASUREMENT
 *
 * One process per connection, each sending its share of the lines:
 *	tcp		the lines as one stream, then close (no acknowledgement);
 *	http	POST /api/v2/write requests of LINES_PER_REQUEST lines, one after
 *			another over one keep-alive connection, each answer read (and
 *			checked to be 204) before the next request.
 * Every line: MEASUREMENT,host=h<conn>,rack=r<n%16> v=<n>i,load=<n/7>,ok=true
 * (no timestamp: the server's clock).  Exit status 0 when everything was
 * sent (and, for http, acknowledged with 204).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Connect to 127.0.0.1:port or die. */
static int
connect_port(int port)
{
	struct sockaddr_in sa = {0};
	int			fd = socket(AF_INET, SOCK_STREAM, 0);
	int			one = 1;

	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
	{
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Send all of buf or die. */
static void
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = send(fd, buf, len, 0);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			perror("send");
			exit(1);
		}
		buf += n;
		len -= n;
	}
}

/* Lines first..first+n-1 of connection conn into a new buffer. */
static char *
make_lines(const char *m, int conn, long first, long n, size_t *len)
{
	size_t		cap = (size_t) n * 96 + 64;
	char	   *buf = malloc(cap);
	size_t		off = 0;

	for (long i = first; i < first + n; i++)
		off += snprintf(buf + off, cap - off,
						"%s,host=h%d,rack=r%ld v=%ldi,load=%.3f,ok=true\n",
						m, conn, i % 16, i, i / 7.0);
	*len = off;
	return buf;
}

/* Read one response (head up to the blank line; bodies of 204 are empty). */
static void
read_response(int fd)
{
	char		buf[4096];
	size_t		len = 0;

	for (;;)
	{
		ssize_t		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (n <= 0)
		{
			fprintf(stderr, "connection closed before the answer\n");
			exit(1);
		}
		len += n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
		if (len == sizeof(buf) - 1)
			break;
	}
	if (strncmp(buf, "HTTP/1.1 204", 12) != 0)
	{
		fprintf(stderr, "unexpected answer: %s\n", buf);
		exit(1);
	}
}

/* One connection's share. */
static void
run_conn(int http, int port, long first, long n, long per_req,
		 int conn, const char *m)
{
	int			fd = connect_port(port);

	if (!http)
	{
		size_t		len;
		char	   *body = make_lines(m, conn, first, n, &len);

		send_all(fd, body, len);
		free(body);
		close(fd);
		return;
	}
	for (long done = 0; done < n; done += per_req)
	{
		long		k = n - done < per_req ? n - done : per_req;
		size_t		len;
		char	   *body = make_lines(m, conn, first + done, k, &len);
		char		head[256];
		int			hlen = snprintf(head, sizeof(head),
									"POST /api/v2/write?bucket=public&precision=ns HTTP/1.1\r\n"
									"Host: 127.0.0.1\r\nContent-Length: %zu\r\n\r\n", len);

		send_all(fd, head, hlen);
		send_all(fd, body, len);
		free(body);
		read_response(fd);
	}
	close(fd);
}

int
main(int argc, char **argv)
{
	int			http;
	int			port;
	long		lines;
	long		per_req;
	int			conns;
	int			failed = 0;

	if (argc != 7 || (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "http") != 0))
	{
		fprintf(stderr, "usage: load_http tcp|http PORT LINES LINES_PER_REQUEST CONNECTIONS MEASUREMENT\n");
		return 2;
	}
	http = strcmp(argv[1], "http") == 0;
	port = atoi(argv[2]);
	lines = atol(argv[3]);
	per_req = atol(argv[4]);
	conns = atoi(argv[5]);
	for (int c = 0; c < conns; c++)
	{
		long		first = lines / conns * c;
		long		n = c == conns - 1 ? lines - first : lines / conns;

		if (fork() == 0)
		{
			run_conn(http, port, first, n, per_req, c, argv[6]);
			_exit(0);
		}
	}
	for (int c = 0; c < conns; c++)
	{
		int			status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	return failed;
}
