/*
 * ilp_load.c
 *		Load generator of the ingest benchmark (test/bench/ingest.sh).
 *
 *	ilp_load lines N SEED            write N line-protocol lines to stdout
 *	ilp_load csv N SEED              the same rows as CSV (for COPY)
 *	ilp_load send HOST PORT N CONNS SEED
 *		send the N lines over CONNS connections, one process each; every
 *		process formats its share in memory first, so the clock (started
 *		when all are ready, printed as "start_us") measures sending only
 *	ilp_load flood HOST PORT RATE SECONDS CONNS
 *		for SECONDS, CONNS processes each offer RATE/CONNS lines/s over one
 *		connection (paced in 10 ms ticks); a write that back-pressure
 *		blocks makes it fall behind.  Prints the lines offered and sent
 *		(test/bench/memory.sh)
 *	ilp_load wait CONNINFO SQL TARGET
 *		poll SQL (one bigint) every 5 ms until it reaches TARGET; print the
 *		time as "done_us"
 *	ilp_load latency HOST PORT RATE SECONDS CONNINFO
 *		send RATE lines/s for SECONDS over one connection into measurement
 *		"lat", while this process polls the rows the workers committed
 *		(sum of ingest_stats.rows_inserted, published right after each
 *		commit) through libpq every 2 ms; one connection is written in
 *		order, so the k-th line is visible once k more rows are committed.
 *		Prints the percentiles of the time from sending to visible.
 *
 * The rows: cpu,host=hostNN,region=RR usage_user=F,usage_system=F,
 * usage_idle=F,count=Ii TS with 100 hosts and timestamps 1 ms apart from
 * 2025-11-25 00:00 UTC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BASE_S 1764028800LL		/* 2025-11-25 00:00:00 UTC */

static const char *const regions[] = {"eu-west", "eu-north", "us-east", "ap-south"};

/* Wall clock in microseconds. */
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The values of row i (deterministic). */
static void
row_values(int64_t i, uint64_t seed, int *host, double *u, double *s, double *idle)
{
	uint64_t	x = (uint64_t) i * 6364136223846793005ULL + seed * 1442695040888963407ULL;

	x ^= x >> 29;
	*host = (int) (i % 100);
	*u = (double) (x % 10000) / 100.0;
	*s = (double) ((x >> 16) % 2000) / 100.0;
	*idle = 100.0 - *u / 2;
}

/* Format row i as a line (csv: as a CSV row); returns its length. */
static int
format_row(char *buf, size_t cap, int64_t i, uint64_t seed, int csv)
{
	int			host;
	double		u,
				s,
				idle;
	int64_t		ms = i;			/* 1 ms apart */

	row_values(i, seed, &host, &u, &s, &idle);
	if (csv)
	{
		time_t		t = (time_t) (BASE_S + ms / 1000);
		struct tm	tm;

		gmtime_r(&t, &tm);
		return snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00,host%02d,%s,%.2f,%.2f,%.2f,%lld\n",
						tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
						(int) (ms % 1000), host, regions[host % 4], u, s, idle, (long long) i);
	}
	return snprintf(buf, cap, "cpu,host=host%02d,region=%s usage_user=%.2f,usage_system=%.2f,usage_idle=%.2f,count=%lldi %lld%03d000000\n",
					host, regions[host % 4], u, s, idle, (long long) i,
					(long long) (BASE_S + ms / 1000), (int) (ms % 1000));
}

/* A connected TCP socket, or exit. */
static int
connect_to(const char *host, int port)
{
	struct sockaddr_in sa = {0};
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
		connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0)
	{
		perror("connect");
		exit(1);
	}
	return fd;
}

/* Write all of buf, or exit. */
static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			perror("write");
			exit(1);
		}
		buf += n;
		len -= n;
	}
}

/* lines / csv: print N rows. */
static int
cmd_print(int64_t n, uint64_t seed, int csv)
{
	char	   *out = malloc(1 << 20);
	size_t		used = 0;

	for (int64_t i = 0; i < n; i++)
	{
		used += format_row(out + used, (1 << 20) - used, i, seed, csv);
		if (used > (1 << 20) - 256)
		{
			fwrite(out, 1, used, stdout);
			used = 0;
		}
	}
	fwrite(out, 1, used, stdout);
	return 0;
}

/* send: N lines over CONNS connections. */
static int
cmd_send(const char *host, int port, int64_t n, int conns, uint64_t seed)
{
	int			ready[2];
	int			go[2];
	char		c;

	if (pipe(ready) != 0 || pipe(go) != 0)
		return 1;
	for (int k = 0; k < conns; k++)
	{
		if (fork() == 0)
		{
			int64_t		from = n * k / conns;
			int64_t		to = n * (k + 1) / conns;
			size_t		cap = (size_t) (to - from) * 160 + 1;
			char	   *buf = malloc(cap);
			size_t		len = 0;
			int			fd;

			for (int64_t i = from; i < to; i++)
				len += format_row(buf + len, cap - len, i, seed, 0);
			fd = connect_to(host, port);
			(void) write(ready[1], "r", 1);
			if (read(go[0], &c, 1) != 1)
				exit(1);
			write_all(fd, buf, len);
			close(fd);
			exit(0);
		}
	}
	for (int k = 0; k < conns; k++)
		if (read(ready[0], &c, 1) != 1)
			return 1;
	printf("start_us %lld\n", (long long) now_us());
	fflush(stdout);
	for (int k = 0; k < conns; k++)
		(void) write(go[1], "g", 1);
	for (int k = 0; k < conns; k++)
		wait(NULL);
	printf("sent_us %lld\n", (long long) now_us());
	return 0;
}

/* flood: offer RATE lines/s over CONNS connections for SECONDS. */
static int
cmd_flood(const char *host, int port, double rate, double seconds, int conns)
{
	int			report[2];
	long long	offered = 0,
				sent = 0;

	if (pipe(report) != 0)
		return 1;
	for (int k = 0; k < conns; k++)
	{
		if (fork() == 0)
		{
			int			fd = connect_to(host, port);
			struct timeval tv = {0, 100000};
			int64_t		start = now_us();
			int64_t		end = start + (int64_t) (seconds * 1e6);
			long long	due = 0,
						done = 0;
			char	   *buf = malloc(1 << 22);
			char		msg[64];

			/* A blocked write returns now and then to look at the clock. */
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			for (int64_t now = start; now < end; now = now_us())
			{
				size_t		len = 0,
							off = 0;

				due = (long long) ((now - start) / 1e6 * rate / conns);
				for (long long i = done; i < due && len < (1 << 22) - 256; i++)
					len += format_row(buf + len, (1 << 22) - len,
									  (int64_t) i * conns + k, 7, 0);
				while (off < len && now_us() < end)
				{
					ssize_t		n = write(fd, buf + off, len - off);

					if (n > 0)
						off += n;
					else if (n < 0 && errno != EAGAIN && errno != EINTR)
						exit(1);
				}
				/* Lines cut at the deadline are finished, then counted. */
				while (off < len)
				{
					ssize_t		n = write(fd, buf + off, len - off);

					if (n > 0)
						off += n;
					else if (n < 0 && errno != EAGAIN && errno != EINTR)
						exit(1);
				}
				for (size_t p = 0; p < len; p++)
					done += buf[p] == '\n';
				usleep(10000);
			}
			close(fd);
			snprintf(msg, sizeof(msg), "%lld %lld\n", due, done);
			(void) write(report[1], msg, strlen(msg));
			exit(0);
		}
	}
	close(report[1]);
	{
		FILE	   *f = fdopen(report[0], "r");
		long long	o,
					s;

		while (fscanf(f, "%lld %lld", &o, &s) == 2)
		{
			offered += o;
			sent += s;
		}
	}
	for (int k = 0; k < conns; k++)
		wait(NULL);
	printf("offered %lld\nsent %lld\n", offered, sent);
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a;
	int64_t		y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

/* latency: steady RATE lines/s for SECONDS, polled through libpq. */
static int
cmd_latency(const char *host, int port, double rate, double seconds, const char *conninfo)
{
	int			tick_us = 1000;
	int64_t		nticks = (int64_t) (seconds * 1000000 / tick_us);
	int64_t		per_tick_x1000 = (int64_t) (rate * tick_us / 1000);	/* lines per tick, x1000 */
	int			logfd[2];
	pid_t		child;
	PGconn	   *pg = PQconnectdb(conninfo);
	int64_t    *poll_t;
	int64_t    *poll_m;
	int64_t		npoll = 0;
	int64_t		pollcap = 1 << 20;
	int64_t		total_sent = 0;
	int64_t		base;
	int64_t    *lat;
	int64_t		nlat = 0;

	if (PQstatus(pg) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(pg));
		return 1;
	}
	if (nticks <= 0 || per_tick_x1000 <= 0)
	{
		fprintf(stderr, "latency: RATE and SECONDS must be positive\n");
		return 2;
	}
	/* What is committed before the first line is sent. */
	{
		PGresult   *res = PQexec(pg, "SELECT sum(rows_inserted) FROM streamstat.ingest_stats");

		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			fprintf(stderr, "%s", PQerrorMessage(pg));
			return 1;
		}
		base = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (pipe(logfd) != 0)
		return 1;
	child = fork();
	if (child == 0)
	{
		int			fd = connect_to(host, port);
		int			one = 1;

		/* Small writes each millisecond: no Nagle delay on top. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		int64_t		start = now_us();
		int64_t		acc = 0;
		char		line[128];

		for (int64_t t = 0; t < nticks; t++)
		{
			int64_t		due = start + t * tick_us;
			int64_t		now;
			int64_t		k;
			char		buf[65536];
			size_t		len = 0;

			while ((now = now_us()) < due)
			{
				struct timespec ts = {0, (due - now) * 1000};

				nanosleep(&ts, NULL);
			}
			acc += per_tick_x1000;
			k = acc / 1000;
			acc -= k * 1000;
			for (int64_t j = 0; j < k; j++)
			{
				int			l = snprintf(line, sizeof(line), "lat,src=bench sent_us=%lldi\n", (long long) now);

				if (len + l > sizeof(buf))
				{
					write_all(fd, buf, len);
					len = 0;
				}
				memcpy(buf + len, line, l);
				len += l;
			}
			if (len > 0)
				write_all(fd, buf, len);
			/* Report the tick: its send time and line count. */
			{
				int64_t		rec[2] = {now, k};

				write_all(logfd[1], (char *) rec, sizeof(rec));
			}
		}
		close(fd);
		exit(0);
	}
	close(logfd[1]);

	/* Poll what is visible until the child is done and all is visible. */
	poll_t = malloc(pollcap * sizeof(int64_t));
	poll_m = malloc(pollcap * sizeof(int64_t));
	{
		int64_t    *tick_t = malloc(nticks * sizeof(int64_t));
		int64_t    *tick_n = malloc(nticks * sizeof(int64_t));
		int64_t		ntick = 0;
		int			done = 0;
		int64_t		rec[2];

		/* The tick log is read without blocking while polling. */
		fcntl(logfd[0], F_SETFL, fcntl(logfd[0], F_GETFL) | O_NONBLOCK);
		for (;;)
		{
			PGresult   *res = PQexec(pg, "SELECT sum(rows_inserted) FROM streamstat.ingest_stats");
			int64_t		t = now_us();
			int64_t		m = 0;

			if (PQresultStatus(res) != PGRES_TUPLES_OK)
			{
				fprintf(stderr, "%s", PQerrorMessage(pg));
				return 1;
			}
			m = atoll(PQgetvalue(res, 0, 0));
			PQclear(res);
			m -= base;
			if (npoll == pollcap)
			{
				pollcap *= 2;
				poll_t = realloc(poll_t, pollcap * sizeof(int64_t));
				poll_m = realloc(poll_m, pollcap * sizeof(int64_t));
			}
			poll_t[npoll] = t;
			poll_m[npoll] = m;
			npoll++;
			while (read(logfd[0], rec, sizeof(rec)) == sizeof(rec))
			{
				total_sent += rec[1];
				tick_t[ntick] = rec[0];
				tick_n[ntick] = total_sent;	/* lines sent up to this tick */
				ntick++;
			}
			if (!done)
			{
				int			st;

				if (waitpid(child, &st, WNOHANG) == child)
				{
					done = 1;
					/* The rest of the log, now complete. */
					fcntl(logfd[0], F_SETFL, fcntl(logfd[0], F_GETFL) & ~O_NONBLOCK);
					while (read(logfd[0], rec, sizeof(rec)) == sizeof(rec))
					{
						total_sent += rec[1];
						tick_t[ntick] = rec[0];
						tick_n[ntick] = total_sent;
						ntick++;
					}
				}
			}
			if (done && m >= total_sent)
				break;
			{
				struct timespec ts = {0, 2000000};	/* 2 ms between polls */

				nanosleep(&ts, NULL);
			}
		}

		/* Each tick became visible at the first poll that saw it. */
		lat = malloc(ntick * sizeof(int64_t));
		{
			int64_t		p = 0;
			int64_t		total = 0;

			for (int64_t i = 0; i < ntick; i++)
			{
				if (tick_n[i] == (i > 0 ? tick_n[i - 1] : 0))
					continue;	/* nothing sent in this tick */
				while (p < npoll && poll_m[p] < tick_n[i])
					p++;
				if (p == npoll)
					break;
				lat[nlat++] = poll_t[p] - tick_t[i];
				total = tick_n[i];
			}
			qsort(lat, nlat, sizeof(int64_t), cmp_i64);
			printf("lines %lld polls %lld\n", (long long) total, (long long) npoll);
			if (nlat > 0)
				printf("p50_ms %.1f p99_ms %.1f max_ms %.1f\n",
					   lat[nlat / 2] / 1000.0, lat[(int64_t) (nlat * 0.99)] / 1000.0,
					   lat[nlat - 1] / 1000.0);
		}
	}
	PQfinish(pg);
	return 0;
}

/* wait: poll until a query reaches a target. */
static int
cmd_wait(const char *conninfo, const char *sql, int64_t target)
{
	PGconn	   *pg = PQconnectdb(conninfo);

	if (PQstatus(pg) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(pg));
		return 1;
	}
	for (;;)
	{
		PGresult   *res = PQexec(pg, sql);
		int64_t		v = -1;

		/* An error (the table is not made yet) counts as not there yet. */
		if (PQresultStatus(res) == PGRES_TUPLES_OK && !PQgetisnull(res, 0, 0))
			v = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (v >= target)
			break;
		{
			struct timespec ts = {0, 5000000};

			nanosleep(&ts, NULL);
		}
	}
	printf("done_us %lld\n", (long long) now_us());
	PQfinish(pg);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && strcmp(argv[1], "lines") == 0)
		return cmd_print(atoll(argv[2]), strtoull(argv[3], NULL, 10), 0);
	if (argc == 4 && strcmp(argv[1], "csv") == 0)
		return cmd_print(atoll(argv[2]), strtoull(argv[3], NULL, 10), 1);
	if (argc == 7 && strcmp(argv[1], "send") == 0)
		return cmd_send(argv[2], atoi(argv[3]), atoll(argv[4]), atoi(argv[5]),
						strtoull(argv[6], NULL, 10));
	if (argc == 7 && strcmp(argv[1], "flood") == 0)
		return cmd_flood(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]), atoi(argv[6]));
	if (argc == 5 && strcmp(argv[1], "wait") == 0)
		return cmd_wait(argv[2], argv[3], atoll(argv[4]));
	if (argc == 7 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]), argv[6]);
	fprintf(stderr, "usage: see the comment at the top of ilp_load.c\n");
	return 2;
}
