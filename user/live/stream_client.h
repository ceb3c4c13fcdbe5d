/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The viewer's end of a daemon's event stream (live/stream_server.h, docs/live-stream.md):
 * connects to the socket, reads the frames as they come, decodes them (sinks/event_wire.h,
 * bounded: the bytes are untrusted) and hands each event with its verdicts to a sink, the
 * daemon's counters and what this viewer missed to callbacks.
 */
#ifndef LW_STREAM_CLIENT_H
#define LW_STREAM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"

struct sink;
struct stream_client;

struct stream_client_ops {
	void (*stats)(void *ctx, const struct lw_stats *st); /* the daemon's counters */
	void (*missed)(void *ctx, uint64_t n);		     /* events the daemon dropped for us */
	/* the daemon's hello: its version, rule digest (hex), host (untrusted, escaped by us) */
	void (*hello)(void *ctx, const char *version, const char *rules_digest, const char *host);
};

/*
 * Connects to path. NULL with errno set and the reason in err[n]: ENOENT or ECONNREFUSED
 * (no daemon: the caller loads its own programs), EACCES with the daemon's refusal ("not
 * root and not in group llmwatch") or the socket's permissions, EPROTO for a peer that does
 * not speak the stream.
 */
struct stream_client *stream_client_open(const char *path, const struct stream_client_ops *ops,
					 void *ctx, struct sink *sink, char *err, size_t n);

/* The socket, for poll(2) with POLLIN. */
int stream_client_fd(const struct stream_client *c);

/*
 * Reads what is there without blocking and hands it on. Returns 0, -EAGAIN when nothing was
 * there, -EPIPE when the daemon closed the stream, -EPROTO (reason in err) on a frame that
 * does not decode (the stream is then unusable).
 */
int stream_client_read(struct stream_client *c, char *err, size_t n);

void stream_client_close(struct stream_client *c);

#endif /* LW_STREAM_CLIENT_H */
