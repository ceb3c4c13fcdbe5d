/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the syslog sink's messages go, without ever blocking the event loop: a unix datagram
 * socket (/dev/log), UDP, TCP with RFC 6587 octet counting, or TLS (RFC 5425, OpenSSL, the
 * server's name verified). Sockets are non-blocking; a link that fails is reconnected with
 * exponential back-off while messages wait in a bounded queue; what does not fit is dropped,
 * counted, and told to the collector in one message when the link is back.
 */
#ifndef LW_SYSLOG_TRANSPORT_H
#define LW_SYSLOG_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum syslog_proto {
	SYSLOG_UNIX,
	SYSLOG_UDP,
	SYSLOG_TCP,
	SYSLOG_TLS
};

struct syslog_target {
	enum syslog_proto proto;
	char path[108]; /* SYSLOG_UNIX */
	char host[256]; /* the others; an IPv6 literal without its brackets */
	char port[8];
};

/*
 * Parses "" (the default, unix:/dev/log), "unix:PATH", "/PATH", "udp://HOST[:PORT]",
 * "tcp://HOST[:PORT]" or "tls://HOST[:PORT]" (ports 514, 514, 6514 when left out; an IPv6
 * HOST in brackets). Returns 0, or -EINVAL with the reason in err[errsz], naming the value.
 */
int syslog_target_parse(const char *text, struct syslog_target *t, char *err, size_t errsz);

struct syslog_tls_files {
	const char *ca;	  /* CA certificates (PEM); NULL: the system's trusted CAs */
	const char *cert; /* client certificate chain (PEM), or NULL */
	const char *key;  /* its private key; NULL: in the cert file */
};

/*
 * Makes the message that reports n dropped messages into buf[size] (for the link's return);
 * returns its length or a negative value when it cannot.
 */
typedef int (*syslog_dropped_fn)(void *arg, uint64_t n, char *buf, size_t size);

struct syslog_transport_opts {
	struct syslog_target target;
	struct syslog_tls_files tls; /* SYSLOG_TLS only */
	size_t queue_max;	     /* messages kept while the link is down (>= 1) */
	const char *name;	     /* for diag: "syslog:tcp://..." as the user wrote it */
	FILE *diag;		     /* link down/up and losses are told here; NULL: silent */
	syslog_dropped_fn dropped_msg;
	void *dropped_arg;
	/* back-off between connection attempts: from min_ns, doubling, up to max_ns */
	uint64_t backoff_min_ns, backoff_max_ns;
};

struct syslog_transport;

/*
 * Checks the options and loads what TLS needs (CA, client certificate and key: their errors
 * name the file), resolves the host (blocking: done once, at start-up), and makes the first
 * connection attempt at now_ns; a collector that is not there yet is not an error (told on
 * diag, retried with back-off). NULL on failure with errno set and the reason in err[errsz].
 */
struct syslog_transport *syslog_transport_new(const struct syslog_transport_opts *o,
					      uint64_t now_ns, char *err, size_t errsz);

/*
 * Queues one message (framed here for TCP and TLS) and sends what it can without blocking.
 * Returns 0 when the message was sent or queued, -ENOBUFS when the queue was full (the
 * message is dropped and counted), -ENOMEM, or -EMSGSIZE for a message too long to send.
 */
int syslog_transport_send(struct syslog_transport *tr, const char *msg, size_t len,
			  uint64_t now_ns);

/*
 * Moves things on without blocking: notices a collector that closed the connection,
 * reconnects when the back-off allows, finishes a TLS handshake, sends the dropped-count
 * message and the queue. Call often (every pass of the event loop). Returns 0.
 */
int syslog_transport_poll(struct syslog_transport *tr, uint64_t now_ns);

/*
 * At exit: keeps sending for at most timeout_ms (blocking in poll, which is allowed once the
 * event loop is done). Returns how many messages are still undelivered.
 */
size_t syslog_transport_drain(struct syslog_transport *tr, int timeout_ms);

struct syslog_transport_stats {
	uint64_t sent;	     /* messages handed to the kernel (or to TLS) whole */
	uint64_t dropped;    /* beyond the queue's bound, or refused for their size */
	uint64_t unreported; /* dropped and not yet told to the collector */
	uint64_t connects;   /* successful connections, the first one included */
	size_t queued;	     /* waiting now */
	bool up;
};

void syslog_transport_stats(const struct syslog_transport *tr, struct syslog_transport_stats *st);

/* Closes the link and frees what is queued (drain first to deliver it). NULL is fine. */
void syslog_transport_free(struct syslog_transport *tr);

#endif /* LW_SYSLOG_TRANSPORT_H */
