// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's end of the event stream (see stream_server.h): the socket, the peer check,
 * a bounded queue per viewer and non-blocking writes.
 */
#include "live/stream_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sinks/event_wire.h"
#include "sinks/sink.h"
#include "util/escape.h"
#include "util/timefmt.h"

/* Refusals logged per minute; the others are counted and said with the next one logged. */
#define REFUSALS_LOGGED_PER_MIN 10
/* The most peers taken per poll: a flood of connects never holds up the event loop. */
#define ACCEPTS_PER_POLL 32
/* Supplementary groups read per peer (NGROUPS_MAX is 65536; the check needs one). */
#define PEER_GROUPS_MAX 1024

struct viewer {
	int fd;
	uint32_t pid, uid;
	char comm[4 * 16 + 1]; /* escaped, for the log */
	uint8_t *q;	       /* queued bytes are q[off, off + len) */
	size_t off, len;
	uint64_t missed_pending; /* dropped since the last MISSED queued */
	uint64_t missed;	 /* dropped in all */
};

struct stream_server {
	struct sink sink;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* the socket file we made: destroy removes only that one */
	ino_t ino;
	char group[64]; /* escaped, for messages */
	bool have_group;
	gid_t gid;
	uid_t self;
	size_t cap, max_clients;
	FILE *log;
	char version[EVENT_WIRE_HELLO_STR_MAX + 1];
	char digest[EVENT_WIRE_HELLO_STR_MAX + 1];
	char host[EVENT_WIRE_HELLO_STR_MAX + 1];
	uint8_t *frame; /* one encoded frame, EVENT_WIRE_FRAME_MAX */
	struct viewer *v;
	size_t nv;
	struct stream_server_counters cnt;
	uint64_t last_stats_ns;
	bool stats_sent;
	/* refusals' log lines: a local user connecting in a loop must not flood the journal */
	uint64_t refusal_window_ns;
	unsigned int refusals_logged;
	uint64_t refusals_unlogged;
	bool told_accept_error;
};

static struct stream_server *srv_of(struct sink *s)
{
	return (struct stream_server *)s;
}

bool stream_server_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t n,
				bool have_group, gid_t group_gid, uid_t self_uid)
{
	if (uid == 0 || uid == self_uid)
		return true;
	if (!have_group)
		return false;
	if (gid == group_gid)
		return true;
	for (size_t i = 0; i < n; i++)
		if (groups[i] == group_gid)
			return true;
	return false;
}

/* ---- a viewer's queue ------------------------------------------------------------------ */

/* Room for n more bytes at the end of v's queue, moving what is queued to the front. */
static bool room(struct stream_server *sv, struct viewer *v, size_t n)
{
	if (n > sv->cap - v->len)
		return false;
	if (n > sv->cap - v->off - v->len) {
		memmove(v->q, v->q + v->off, v->len);
		v->off = 0;
	}
	return true;
}

static void append(struct viewer *v, const void *b, size_t n)
{
	memcpy(v->q + v->off + v->len, b, n);
	v->len += n;
}

/* Queues the MISSED frame v is owed, if there is room for it now. */
static void queue_missed(struct stream_server *sv, struct viewer *v)
{
	uint8_t m[EVENT_WIRE_HDR_LEN + 8];
	ssize_t mn;

	if (!v->missed_pending)
		return;
	mn = event_wire_encode_missed(m, sizeof(m), v->missed_pending);
	if (mn > 0 && room(sv, v, (size_t)mn)) {
		append(v, m, (size_t)mn);
		v->missed_pending = 0;
	}
}

/*
 * Queues a frame for v, or drops it; an event dropped is counted (counted true) and told
 * to v before the next event it gets, so a MISSED always comes before the gap closes.
 */
static void enqueue(struct stream_server *sv, struct viewer *v, const void *f, size_t n,
		    bool counted)
{
	queue_missed(sv, v);
	if (!v->missed_pending && room(sv, v, n)) {
		append(v, f, n);
		return;
	}
	if (counted) {
		v->missed_pending++;
		v->missed++;
		sv->cnt.missed++;
	}
}

static void viewer_close(struct stream_server *sv, size_t i, const char *why)
{
	struct viewer *v = &sv->v[i];

	fprintf(sv->log,
		"llmwatch: events socket: viewer pid %" PRIu32 " (%s, uid %" PRIu32 ") %s; it "
		"missed %" PRIu64 " events\n",
		v->pid, v->comm, v->uid, why, v->missed);
	fflush(sv->log);
	close(v->fd);
	free(v->q);
	sv->v[i] = sv->v[--sv->nv];
}

/* Writes what v has queued until the socket takes no more. Returns false when v is gone. */
static bool viewer_write(struct viewer *v, const char **why)
{
	while (v->len) {
		ssize_t w = send(v->fd, v->q + v->off, v->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (w <= 0) {
			*why = errno == EPIPE || errno == ECONNRESET ? "detached" : strerror(errno);
			return false;
		}
		v->off += (size_t)w;
		v->len -= (size_t)w;
	}
	v->off = 0;
	return true;
}

/* Writes every viewer's queue; a viewer owed a MISSED gets it as soon as there is room. */
static void write_all(struct stream_server *sv)
{
	/* from the last: a viewer closed takes the last one's place, which was done already */
	for (size_t i = sv->nv; i-- > 0;) {
		const char *why = NULL;
		bool ok = viewer_write(&sv->v[i], &why);

		if (ok && sv->v[i].missed_pending) {
			queue_missed(sv, &sv->v[i]);
			ok = viewer_write(&sv->v[i], &why);
		}
		if (!ok)
			viewer_close(sv, i, why);
	}
}

/* ---- peers ------------------------------------------------------------------------------ */

/* The peer's process name, escaped, or "?" (it may be gone, or another namespace's). */
static void peer_comm(uint32_t pid, char *out, size_t size)
{
	char p[64], raw[32];
	ssize_t n;
	int fd;

	snprintf(out, size, "?");
	snprintf(p, sizeof(p), "/proc/%" PRIu32 "/comm", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	if (n <= 0)
		return;
	if (raw[n - 1] == '\n')
		n--;
	escape_bytes(out, size, raw, (size_t)n);
}

/* One log line per refusal, at most REFUSALS_LOGGED_PER_MIN a minute. */
static void log_refusal(struct stream_server *sv, uint32_t pid, uint32_t uid, const char *comm,
			const char *why)
{
	uint64_t now = timefmt_boot_now();

	if (now - sv->refusal_window_ns >= 60000000000ull) {
		sv->refusal_window_ns = now;
		sv->refusals_logged = 0;
	}
	if (sv->refusals_logged >= REFUSALS_LOGGED_PER_MIN) {
		sv->refusals_unlogged++;
		return;
	}
	sv->refusals_logged++;
	fprintf(sv->log,
		"llmwatch: events socket: refused pid %" PRIu32 " (%s, uid %" PRIu32 "): %s", pid,
		comm, uid, why);
	if (sv->refusals_unlogged)
		fprintf(sv->log, " (and %" PRIu64 " refusals before not logged)",
			sv->refusals_unlogged);
	fputc('\n', sv->log);
	fflush(sv->log);
	sv->refusals_unlogged = 0;
}

/* Tells the peer why (one small frame: its empty socket buffer takes it) and closes. */
static void refuse(struct stream_server *sv, int fd, uint32_t pid, uint32_t uid, const char *why)
{
	uint8_t f[EVENT_WIRE_HDR_LEN + 4 + EVENT_WIRE_REASON_MAX];
	ssize_t n = event_wire_encode_refused(f, sizeof(f), why);
	char comm[4 * 16 + 1];

	if (n > 0 && send(fd, f, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the peer may be gone already: its refusal is still counted and logged */
	}
	close(fd);
	sv->cnt.refused++;
	peer_comm(pid, comm, sizeof(comm));
	log_refusal(sv, pid, uid, comm, why);
}

/* Whether the peer on fd may attach; its pid and uid in *pid, *uid (0 if unreadable). */
static bool peer_check(struct stream_server *sv, int fd, uint32_t *pid, uint32_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t *groups;
	bool ok;

	*pid = *uid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred))
		return false;
	*pid = (uint32_t)cred.pid;
	*uid = (uint32_t)cred.uid;
	if (stream_server_peer_allowed(cred.uid, cred.gid, NULL, 0, sv->have_group, sv->gid,
				       sv->self))
		return true;
	if (!sv->have_group)
		return false;
	/* the supplementary groups the peer had when it connected (Linux 4.13) */
	groups = malloc(PEER_GROUPS_MAX * sizeof(*groups));
	len = PEER_GROUPS_MAX * sizeof(*groups);
	ok = groups && !getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) &&
	     stream_server_peer_allowed(cred.uid, cred.gid, groups, len / sizeof(*groups),
					sv->have_group, sv->gid, sv->self);
	free(groups);
	return ok;
}

static void queue_hello(struct stream_server *sv, struct viewer *v)
{
	struct event_wire_hello h = {
		.protocol = EVENT_WIRE_VERSION,
		.version = sv->version,
		.rules_digest = sv->digest,
		.host = sv->host,
	};
	ssize_t n = event_wire_encode_hello(sv->frame, EVENT_WIRE_FRAME_MAX, &h);

	if (n > 0)
		enqueue(sv, v, sv->frame, (size_t)n, false);
}

static void take_peer(struct stream_server *sv, int fd)
{
	char why[256];
	uint32_t pid, uid;
	struct viewer *v;

	if (!peer_check(sv, fd, &pid, &uid)) {
		snprintf(why, sizeof(why), "not root and not in group %s", sv->group);
		refuse(sv, fd, pid, uid, why);
		return;
	}
	if (sv->nv == sv->max_clients) {
		snprintf(why, sizeof(why), "too many viewers (%zu attached, the most there may be)",
			 sv->nv);
		refuse(sv, fd, pid, uid, why);
		return;
	}
	v = &sv->v[sv->nv];
	*v = (struct viewer){ .fd = fd, .pid = pid, .uid = uid, .q = malloc(sv->cap) };
	if (!v->q) {
		refuse(sv, fd, pid, uid, "the daemon is out of memory");
		return;
	}
	peer_comm(pid, v->comm, sizeof(v->comm));
	sv->nv++;
	sv->cnt.accepted++;
	fprintf(sv->log,
		"llmwatch: events socket: viewer pid %" PRIu32 " (%s, uid %" PRIu32 ") attached\n",
		pid, v->comm, uid);
	fflush(sv->log);
	queue_hello(sv, v);
}

static void accept_peers(struct stream_server *sv)
{
	for (int i = 0; i < ACCEPTS_PER_POLL; i++) {
		int fd = accept4(sv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			take_peer(sv, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* EMFILE and the like: the peer waits in the backlog; said once */
		if (errno != EAGAIN && errno != EWOULDBLOCK && !sv->told_accept_error) {
			fprintf(sv->log,
				"llmwatch: events socket %s: accepting a viewer: %s (it waits)\n",
				sv->path, strerror(errno));
			fflush(sv->log);
			sv->told_accept_error = true;
		}
		return;
	}
}

/* ---- the sink --------------------------------------------------------------------------- */

static int server_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
			size_t nv)
{
	struct stream_server *sv = srv_of(s);
	ssize_t n;

	if (!sv->nv)
		return 0; /* nobody watches: nothing encoded */
	n = event_wire_encode_event(sv->frame, EVENT_WIRE_FRAME_MAX, ev, v, nv);
	if (n < 0)
		sv->cnt.oversized++;
	for (size_t i = 0; i < sv->nv; i++) {
		struct viewer *w = &sv->v[i];

		if (n < 0) {
			w->missed_pending++, w->missed++, sv->cnt.missed++;
			continue;
		}
		enqueue(sv, w, sv->frame, (size_t)n, true);
	}
	/* a burst between two polls: half a queue waiting is written now, not at the poll */
	for (size_t i = 0; i < sv->nv; i++)
		if (sv->v[i].len > sv->cap / 2) {
			write_all(sv);
			break;
		}
	return 0;
}

int stream_server_poll(struct sink *s)
{
	struct stream_server *sv = srv_of(s);

	accept_peers(sv);
	write_all(sv);
	return 0;
}

static void send_stats(struct stream_server *sv, const struct lw_stats *st)
{
	ssize_t n;

	if (!sv->nv)
		return;
	n = event_wire_encode_stats(sv->frame, EVENT_WIRE_FRAME_MAX, st);
	if (n < 0)
		return;
	/* counters are a snapshot, not an event: a viewer with no room gets the next one */
	for (size_t i = 0; i < sv->nv; i++)
		enqueue(sv, &sv->v[i], sv->frame, (size_t)n, false);
}

void stream_server_stats(struct sink *s, const struct lw_stats *st, uint64_t now_ns)
{
	struct stream_server *sv = srv_of(s);

	/* 0.9 s: a caller ticking every second with a little jitter sends every tick */
	if (sv->stats_sent && now_ns - sv->last_stats_ns < 900000000ull)
		return;
	sv->stats_sent = true;
	sv->last_stats_ns = now_ns;
	send_stats(sv, st);
}

void stream_server_set_rules_digest(struct sink *s, const char *hex)
{
	struct stream_server *sv = srv_of(s);

	snprintf(sv->digest, sizeof(sv->digest), "%s", hex ? hex : "");
	for (size_t i = 0; i < sv->nv; i++)
		queue_hello(sv, &sv->v[i]);
}

void stream_server_counters(const struct sink *s, struct stream_server_counters *out)
{
	const struct stream_server *sv = (const struct stream_server *)s;

	*out = sv->cnt;
	out->clients = sv->nv;
}

/* The last counters to every viewer, written if they take them now, and the server's own. */
static int server_summary(struct sink *s, const struct lw_stats *st)
{
	struct stream_server *sv = srv_of(s);

	send_stats(sv, st);
	write_all(sv);
	fprintf(sv->log,
		"llmwatch: events socket %s: %" PRIu64 " viewers attached, %" PRIu64
		" refused, %" PRIu64 " events missed by slow viewers%s\n",
		sv->path, sv->cnt.accepted, sv->cnt.refused, sv->cnt.missed,
		sv->cnt.oversized ? " (some too big for a frame)" : "");
	fflush(sv->log);
	return 0;
}

static void server_destroy(struct sink *s)
{
	struct stream_server *sv = srv_of(s);
	struct stat st;

	while (sv->nv)
		viewer_close(sv, sv->nv - 1, "closed: the daemon stops");
	if (sv->lfd >= 0)
		close(sv->lfd);
	/* only the socket this server made: a new daemon's may have replaced it */
	if (!lstat(sv->path, &st) && S_ISSOCK(st.st_mode) && st.st_dev == sv->dev &&
	    st.st_ino == sv->ino)
		unlink(sv->path);
	free(sv->frame);
	free(sv->v);
	free(sv);
}

static const struct sink_ops server_ops = {
	.event = server_event,
	.summary = server_summary,
	.destroy = server_destroy,
	.flush = stream_server_poll,
};

/* ---- the socket -------------------------------------------------------------------------- */

/* The socket's directory, made 0755 when missing (its parent must exist). */
static int make_dir(const char *path, char *err, size_t n)
{
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)], *dir;
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (!stat(dir, &st)) {
		if (S_ISDIR(st.st_mode))
			return 0;
		snprintf(err, n, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (errno != ENOENT || mkdir(dir, 0755) || chmod(dir, 0755)) {
		int e = errno;

		snprintf(err, n, "%s: cannot create the directory: %s", dir, strerror(e));
		return -e;
	}
	return 0;
}

/*
 * Clears the way for the socket: a socket nobody answers on (a daemon that was killed) is
 * removed; a live one, or anything that is not a socket, is left alone and refused.
 */
static int clear_stale(const char *path, char *err, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, live;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, n, "%s exists and is not a socket: not removed", path);
		return -EEXIST;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "%s: socket: %s", path, strerror(errno));
		return -errno;
	}
	live = !connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	if (live) {
		snprintf(err, n, "%s: another llmwatch serves its events there", path);
		return -EADDRINUSE;
	}
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, n, "%s: cannot remove the stale socket: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Binds and listens, the file created 0600 (umask) and then opened to the group. */
static int make_socket(struct stream_server *sv, char *err, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old;
	struct stat st;
	int e;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sv->path);
	sv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sv->lfd < 0) {
		e = errno;
		snprintf(err, n, "%s: socket: %s", sv->path, strerror(e));
		return -e;
	}
	/* never a moment in which others could connect before the mode is set */
	old = umask(0177);
	e = bind(sv->lfd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	umask(old);
	if (e) {
		snprintf(err, n, "%s: bind: %s", sv->path, strerror(e));
		return -e;
	}
	if (lstat(sv->path, &st)) {
		e = errno;
		snprintf(err, n, "%s: %s", sv->path, strerror(e));
		return -e;
	}
	sv->dev = st.st_dev;
	sv->ino = st.st_ino;
	if (sv->have_group && (chown(sv->path, (uid_t)-1, sv->gid) || chmod(sv->path, 0660))) {
		e = errno;
		snprintf(err, n, "%s: giving it to group %s: %s", sv->path, sv->group, strerror(e));
		return -e;
	}
	if (listen(sv->lfd, (int)sv->max_clients)) {
		e = errno;
		snprintf(err, n, "%s: listen: %s", sv->path, strerror(e));
		return -e;
	}
	return 0;
}

struct sink *stream_server_open(const struct stream_server_opts *o, char *err, size_t n)
{
	struct stream_server *sv = calloc(1, sizeof(*sv));
	const char *group = o->group ? o->group : STREAM_SERVER_DEFAULT_GROUP;
	char buf[4096];
	struct group gr, *grp = NULL;
	int e;

	if (!sv || !(sv->frame = malloc(EVENT_WIRE_FRAME_MAX))) {
		free(sv);
		snprintf(err, n, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	sv->sink.ops = &server_ops;
	sv->lfd = -1;
	sv->log = o->log ? o->log : stderr;
	sv->self = geteuid();
	sv->cap = o->queue_bytes ? o->queue_bytes : STREAM_SERVER_QUEUE_BYTES;
	sv->max_clients = o->max_clients ? o->max_clients : STREAM_SERVER_CLIENTS_MAX;
	/* a queue must hold the largest frame, or a big event would never reach anyone */
	if (sv->cap < EVENT_WIRE_FRAME_MAX + EVENT_WIRE_HDR_LEN + 8)
		sv->cap = EVENT_WIRE_FRAME_MAX + EVENT_WIRE_HDR_LEN + 8;
	escape_str(sv->group, sizeof(sv->group), group);
	snprintf(sv->version, sizeof(sv->version), "%s", o->version ? o->version : "");
	snprintf(sv->digest, sizeof(sv->digest), "%s", o->rules_digest ? o->rules_digest : "");
	if (gethostname(sv->host, sizeof(sv->host) - 1))
		snprintf(sv->host, sizeof(sv->host), "?");
	e = -EINVAL;
	if (!o->path || !o->path[0] || strlen(o->path) >= sizeof(sv->path)) {
		snprintf(err, n, "a socket path of 1 to %zu bytes", sizeof(sv->path) - 1);
		goto fail;
	}
	snprintf(sv->path, sizeof(sv->path), "%s", o->path);
	sv->v = calloc(sv->max_clients, sizeof(*sv->v));
	if (!sv->v) {
		e = -ENOMEM;
		snprintf(err, n, "%s", strerror(ENOMEM));
		goto fail;
	}
	e = getgrnam_r(group, &gr, buf, sizeof(buf), &grp);
	if (e && e != ENOENT && e != ESRCH) {
		snprintf(err, n, "looking up group %s: %s", sv->group, strerror(e));
		e = -e;
		goto fail;
	}
	sv->have_group = grp != NULL;
	sv->gid = grp ? grp->gr_gid : 0;
	if ((e = make_dir(sv->path, err, n)) || (e = clear_stale(sv->path, err, n)) ||
	    (e = make_socket(sv, err, n)))
		goto fail;
	if (sv->have_group)
		fprintf(sv->log,
			"llmwatch: events socket %s: mode 0660, group %s (gid %u): root and that "
			"group may attach\n",
			sv->path, sv->group, (unsigned int)sv->gid);
	else
		fprintf(sv->log,
			"llmwatch: events socket %s: mode 0600, root only (no group %s here)\n",
			sv->path, sv->group);
	fflush(sv->log);
	return &sv->sink;
fail:
	if (sv->lfd >= 0) {
		close(sv->lfd);
		if (sv->ino)
			unlink(sv->path);
	}
	free(sv->frame);
	free(sv->v);
	free(sv);
	errno = -e;
	return NULL;
}
