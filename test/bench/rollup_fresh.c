/*
 * rollup_fresh.c
 *		Freshness probe of the rollup benchmark (test/bench/rollups.sh).
 *
 *	rollup_fresh HOST PORT CONNINFO POINTS
 *
 * Sends POINTS line-protocol points "fresh,probe=p v=K" one at a time over
 * one TCP connection; after each, polls through libpq (every 0.5 ms) one
 * query that reads, in one snapshot, the points in table "fresh" and the
 * count of values in its minute rollup "fresh_1m", until the point is
 * visible in the table.  Prints the percentiles of the time from sending to
 * visible in the table, and the rollup lag: how many snapshots showed the
 * point in the table but not (yet) in the rollup, and for how long.
 * TimescaleDB's equivalent of that lag is the refresh schedule of a
 * continuous aggregate.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

/* Wall clock in microseconds. */
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a;
	int64_t		y = *(const int64_t *) b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = {0};
	int			sock;
	int			one = 1;
	PGconn	   *conn;
	int			points;
	int64_t    *lat;
	int64_t		lagged_snapshots = 0;
	int64_t		max_lag_us = 0;

	if (argc != 5)
	{
		fprintf(stderr, "usage: rollup_fresh HOST PORT CONNINFO POINTS\n");
		return 2;
	}
	points = atoi(argv[4]);
	lat = calloc(points, sizeof(int64_t));
	sock = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	if (sock < 0 || connect(sock, (struct sockaddr *) &sa, sizeof(sa)) != 0)
	{
		perror("connect");
		return 1;
	}
	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn = PQconnectdb(argv[3]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(conn));
		return 1;
	}

	for (int k = 1; k <= points; k++)
	{
		char		line[128];
		int			len = snprintf(line, sizeof(line), "fresh,probe=p v=%d\n", k);
		int64_t		sent = now_us();
		int64_t		lag_start = 0;

		if (write(sock, line, len) != len)
		{
			perror("write");
			return 1;
		}
		for (;;)
		{
			PGresult   *res = PQexec(conn,
									 "SELECT (SELECT count(*) FROM fresh),"
									 " (SELECT coalesce(sum(num_vals(v)), 0) FROM fresh_1m)");
			long		raw;
			long		rolled;

			if (PQresultStatus(res) != PGRES_TUPLES_OK)
			{
				fprintf(stderr, "%s", PQerrorMessage(conn));
				return 1;
			}
			raw = atol(PQgetvalue(res, 0, 0));
			rolled = atol(PQgetvalue(res, 0, 1));
			PQclear(res);
			if (raw >= k && lat[k - 1] == 0)
				lat[k - 1] = now_us() - sent;
			if (raw > rolled)
			{
				lagged_snapshots++;
				if (lag_start == 0)
					lag_start = now_us();
			}
			else if (raw >= k)
			{
				if (lag_start != 0 && now_us() - lag_start > max_lag_us)
					max_lag_us = now_us() - lag_start;
				break;
			}
			usleep(500);
		}
	}
	qsort(lat, points, sizeof(int64_t), cmp_i64);
	printf("points=%d visible_in_table_ms p50=%.1f p99=%.1f max=%.1f rollup_lag_snapshots=%lld rollup_lag_max_ms=%.1f\n",
		   points, lat[points / 2] / 1000.0, lat[(points * 99) / 100 - (points >= 100 ? 1 : 0)] / 1000.0,
		   lat[points - 1] / 1000.0, (long long) lagged_snapshots, max_lag_us / 1000.0);
	PQfinish(conn);
	close(sock);
	return 0;
}
