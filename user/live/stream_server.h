/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's end of the event stream (docs/live-stream.md): a local stream socket that
 * `llmwatch --live` attaches to instead of loading a second copy of the BPF programs. It is
 * a sink (sinks/sink.h) in the daemon's tee: each event is encoded once (sinks/event_wire.h)
 * and queued for every viewer. Peers are checked with SO_PEERCRED and SO_PEERGROUPS: root,
 * the daemon's own user, or a member of the socket's group; anyone else gets a REFUSED
 * frame and is closed. A viewer's queue is bounded: what does not fit is dropped for that
 * viewer alone, counted, and told to it in a MISSED frame as soon as there is room; writes
 * never block, so a slow or stopped viewer never slows the daemon.
 *
 * Nothing runs by itself: the sink's flush op (called on every pass of the event loop,
 * every 10 ms at most) accepts new peers and writes what is queued.
 */
#ifndef LW_STREAM_SERVER_H
#define LW_STREAM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/stats.h"

struct sink;

#define STREAM_SERVER_DEFAULT_PATH "/run/llmwatch/events.sock"
#define STREAM_SERVER_DEFAULT_GROUP "llmwatch"
/*
 * A viewer's queue: at 100,000 events/s of about 300 bytes, a 30 ms stall of the viewer
 * (a terminal redraw) fits, a stopped viewer costs the daemon no more than this.
 */
#define STREAM_SERVER_QUEUE_BYTES (1u << 20)
#define STREAM_SERVER_CLIENTS_MAX 16

struct stream_server_opts {
	const char *path;	  /* the socket's path (its directory is created 0755) */
	const char *group;	  /* who may attach besides root; NULL: "llmwatch" */
	size_t queue_bytes;	  /* per viewer; 0: STREAM_SERVER_QUEUE_BYTES */
	size_t max_clients;	  /* 0: STREAM_SERVER_CLIENTS_MAX */
	const char *version;	  /* llmwatch's, for the hello */
	const char *rules_digest; /* rules_digest_hex(), for the hello */
	FILE *log;		  /* the socket's mode, viewers, refusals; NULL: stderr */
};

/* What the server did, for the summary (and tests). */
struct stream_server_counters {
	uint64_t accepted;  /* viewers let in */
	uint64_t refused;   /* peers refused: credentials, or too many viewers */
	uint64_t missed;    /* events dropped for slow viewers, summed over viewers */
	uint64_t oversized; /* events too big for a frame: missed by every viewer */
	size_t clients;	    /* viewers attached now */
};

/*
 * Creates the socket at o->path: its directory made (0755) if missing, a socket left there
 * by a daemon that is gone removed (anything else at the path is left alone and refused,
 * and so is a socket another daemon answers on), mode 0660 with group o->group when that
 * group exists, else 0600 (root only); which one is said on o->log. Listens, non-blocking.
 * NULL with errno set and the reason in err[n] ("PATH: ..."). destroy removes the socket.
 */
struct sink *stream_server_open(const struct stream_server_opts *o, char *err, size_t n);

/*
 * Accepts waiting peers (checked, refused or greeted with a HELLO) and writes what is
 * queued, without blocking. The sink's flush op; returns 0 (a viewer's trouble is the
 * viewer's: counted and logged, never an output error).
 */
int stream_server_poll(struct sink *s);

/* Queues a STATS frame of st to every viewer, at most about once a second (now_ns: boot). */
void stream_server_stats(struct sink *s, const struct lw_stats *st, uint64_t now_ns);

/* The rule set changed (SIGHUP): new viewers are told hex, attached ones get a new HELLO. */
void stream_server_set_rules_digest(struct sink *s, const char *hex);

void stream_server_counters(const struct sink *s, struct stream_server_counters *out);

/*
 * Whether a peer may attach: uid 0, or self_uid (the daemon's own user: a test's server),
 * or gid or one of groups[n] equal to group_gid when have_group.
 */
bool stream_server_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t n,
				bool have_group, gid_t group_gid, uid_t self_uid);

#endif /* LW_STREAM_SERVER_H */
