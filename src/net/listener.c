/*
 * listener.c
 *		The listening ports (line protocol, HTTP): first stage of the path
 *		of a record.
 *
 * Resolves each entry of streamstat.listen_addresses ('*' = every address,
 * IPv4 and IPv6) with getaddrinfo and opens a non-blocking listening socket
 * on the given port (streamstat.port or streamstat.http_port) for each
 * result.  SO_REUSEPORT lets the streamstat.workers processes bind the same
 * port; the kernel spreads new connections over them.  The worker's WaitEventSet watches the sockets.
 */
#include "postgres.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "utils/varlena.h"

#include "streamstat.h"
#include "net/listener.h"

/* Open one listening socket for addr; PGINVALID_SOCKET (logged) on failure. */
static pgsocket
listener_open_one(struct addrinfo *ai, const char *label, int port)
{
	pgsocket	sock;
	int			one = 1;

	sock = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (sock == PGINVALID_SOCKET)
	{
		ereport(LOG,
				(errcode_for_socket_access(),
				 errmsg("streamstat could not create a socket for \"%s\": %m", label)));
		return PGINVALID_SOCKET;
	}
	if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		ereport(LOG,
				(errcode_for_socket_access(),
				 errmsg("streamstat could not set socket options for \"%s\": %m", label)));
#ifdef IPV6_V6ONLY
	/* Keep "::" to IPv6 so that "0.0.0.0" can be bound alongside. */
	if (ai->ai_family == AF_INET6)
		(void) setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
#endif
	if (bind(sock, ai->ai_addr, ai->ai_addrlen) < 0 ||
		listen(sock, 1024) < 0 ||
		!pg_set_noblock(sock))
	{
		ereport(LOG,
				(errcode_for_socket_access(),
				 errmsg("streamstat could not listen on \"%s\" port %d: %m",
						label, port)));
		close(sock);
		return PGINVALID_SOCKET;
	}
	return sock;
}

/*
 * Open the listening sockets of port (streamstat.port or
 * streamstat.http_port) into socks[]; returns how many were opened (0
 * means none: the caller retries later).
 */
int
listener_open(pgsocket *socks, int maxsocks, int port)
{
	char	   *rawstring = pstrdup(streamstat_listen_addresses);
	List	   *elemlist;
	ListCell   *lc;
	int			n = 0;
	char		portstr[16];

	if (!SplitGUCList(rawstring, ',', &elemlist))
	{
		ereport(LOG,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid list syntax in \"streamstat.listen_addresses\"")));
		return 0;
	}
	snprintf(portstr, sizeof(portstr), "%d", port);

	foreach(lc, elemlist)
	{
		const char *host = (const char *) lfirst(lc);
		struct addrinfo hints = {0};
		struct addrinfo *res = NULL;
		int			rc;

		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		if (strcmp(host, "*") == 0)
			host = NULL;
		rc = getaddrinfo(host, portstr, &hints, &res);
		if (rc != 0)
		{
			ereport(LOG,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("streamstat could not resolve \"%s\": %s",
							host ? host : "*", gai_strerror(rc))));
			continue;
		}
		for (struct addrinfo *ai = res; ai != NULL && n < maxsocks; ai = ai->ai_next)
		{
			pgsocket	sock;

			if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
				continue;
			sock = listener_open_one(ai, host ? host : "*", port);
			if (sock != PGINVALID_SOCKET)
				socks[n++] = sock;
		}
		freeaddrinfo(res);
	}
	list_free(elemlist);
	pfree(rawstring);
	return n;
}

/* Close the listening sockets. */
void
listener_close(pgsocket *socks, int nsocks)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i] != PGINVALID_SOCKET)
			close(socks[i]);
}
