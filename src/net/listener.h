/*
 * listener.h
 *		The listening sockets: the contract between listener.c and the
 *		worker that watches them (worker.c).
 */
#ifndef STREAMSTAT_LISTENER_H
#define STREAMSTAT_LISTENER_H

/* Most listening sockets (one per resolved address). */
#define INGEST_MAX_LISTEN 16

extern int	listener_open(pgsocket *socks, int maxsocks, int port);
extern void listener_close(pgsocket *socks, int nsocks);

#endif							/* STREAMSTAT_LISTENER_H */
