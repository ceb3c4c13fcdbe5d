// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The viewer's end of the event stream (see stream_client.h): connect, the daemon's first
 * frame (HELLO, or REFUSED and why), then frames read without blocking, decoded with every
 * length checked, and handed to the sink and the callbacks.
 */
#include "live/stream_client.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sinks/event_wire.h"
#include "sinks/sink.h"
#include "util/escape.h"

/* How long the daemon may take to greet: it accepts on its event loop's next pass. */
#define HELLO_TIMEOUT_MS 5000
/* Bytes one stream_client_read() takes from the socket, so a flood never starves the view. */
#define READ_BUDGET (4u << 20)

struct stream_client {
	int fd;
	const struct stream_client_ops *ops;
	void *ctx;
	struct sink *sink;
	uint8_t *buf; /* received, not yet decoded: buf[0, len) */
	size_t len, cap;
	struct event_wire_event *ev;
	struct event_wire_stats *st;
	bool closed; /* the daemon closed the stream, or it broke: reads say so */
};

int stream_client_fd(const struct stream_client *c)
{
	return c->fd;
}

void stream_client_close(struct stream_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->ev);
	free(c->st);
	free(c);
}

/* The daemon's hello, escaped, to the callback. */
static void tell_hello(struct stream_client *c, const struct event_wire_hello_buf *h)
{
	char v[4 * EVENT_WIRE_HELLO_STR_MAX + 1], d[4 * EVENT_WIRE_HELLO_STR_MAX + 1];
	char host[4 * EVENT_WIRE_HELLO_STR_MAX + 1];

	if (!c->ops || !c->ops->hello)
		return;
	escape_str(v, sizeof(v), h->version);
	escape_str(d, sizeof(d), h->rules_digest);
	escape_str(host, sizeof(host), h->host);
	c->ops->hello(c->ctx, v, d, host);
}

/*
 * One whole frame (hdr, payload p) to where it goes. Returns 0, -EPROTO (reason in err) on
 * one that does not decode, or -EPIPE (the daemon's reason in err) on a REFUSED.
 */
static int dispatch(struct stream_client *c, const struct event_wire_hdr *h, const uint8_t *p,
		    char *err, size_t n)
{
	char reason[EVENT_WIRE_REASON_MAX + 1], shown[4 * EVENT_WIRE_REASON_MAX + 1];
	struct event_wire_hello_buf hello;
	uint64_t missed;

	switch (h->kind) {
	case EVENT_WIRE_EVENT:
		if (event_wire_decode_event(p, h->len, h->flags, c->ev, err, n))
			return -EPROTO;
		if (c->sink)
			c->sink->ops->event(c->sink, &c->ev->ev, c->ev->v, c->ev->nv);
		return 0;
	case EVENT_WIRE_STATS:
		if (event_wire_decode_stats(p, h->len, c->st, err, n))
			return -EPROTO;
		if (c->ops && c->ops->stats)
			c->ops->stats(c->ctx, &c->st->st);
		return 0;
	case EVENT_WIRE_MISSED:
		if (event_wire_decode_missed(p, h->len, &missed, err, n))
			return -EPROTO;
		if (c->ops && c->ops->missed)
			c->ops->missed(c->ctx, missed);
		return 0;
	case EVENT_WIRE_HELLO: /* again after the daemon reloaded its rules */
		if (event_wire_decode_hello(p, h->len, &hello, err, n))
			return -EPROTO;
		tell_hello(c, &hello);
		return 0;
	case EVENT_WIRE_REFUSED:
		if (event_wire_decode_refused(p, h->len, reason, err, n))
			return -EPROTO;
		escape_str(shown, sizeof(shown), reason);
		snprintf(err, n, "the daemon closed the stream: %s", shown);
		return -EPIPE;
	}
	/* a kind from a newer daemon of the same protocol version would be a protocol bug */
	snprintf(err, n, "frame kind %u unknown", h->kind);
	return -EPROTO;
}

/* Decodes every whole frame in buf and keeps the partial one. 0, -EPROTO or -EPIPE. */
static int drain(struct stream_client *c, char *err, size_t n)
{
	size_t at = 0;
	int rc = 0;

	while (!rc) {
		struct event_wire_hdr h;

		rc = event_wire_get_hdr(c->buf + at, c->len - at, &h, err, n);
		if (rc == -EAGAIN) {
			rc = 0;
			break;
		}
		if (rc)
			break;
		if (h.len > c->len - at - EVENT_WIRE_HDR_LEN)
			break; /* the rest of it is still on its way */
		rc = dispatch(c, &h, c->buf + at + EVENT_WIRE_HDR_LEN, err, n);
		at += EVENT_WIRE_HDR_LEN + h.len;
	}
	memmove(c->buf, c->buf + at, c->len - at);
	c->len -= at;
	if (rc)
		c->closed = true;
	return rc;
}

int stream_client_read(struct stream_client *c, char *err, size_t n)
{
	size_t taken = 0;
	bool got = false;
	int rc;

	if (n)
		err[0] = '\0';
	if (c->closed) {
		snprintf(err, n, "the stream is closed");
		return -EPIPE;
	}
	while (taken < READ_BUDGET) {
		ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return got ? 0 : -EAGAIN;
		if (r < 0) {
			snprintf(err, n, "reading the stream: %s", strerror(errno));
			c->closed = true;
			return -EPIPE;
		}
		if (r == 0) {
			c->closed = true;
			snprintf(err, n, "the daemon closed the stream%s",
				 c->len ? " in the middle of a frame" : "");
			return -EPIPE;
		}
		got = true;
		taken += (size_t)r;
		c->len += (size_t)r;
		if ((rc = drain(c, err, n)))
			return rc;
	}
	return 0;
}

/* Reads exactly n bytes, waiting up to the deadline. 0, -ETIMEDOUT, -EPIPE or -errno. */
static int read_exact(int fd, void *buf, size_t n, int timeout_ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int pr = poll(&p, 1, timeout_ms);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		r = recv(fd, (uint8_t *)buf + got, n - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (r == 0)
			return -EPIPE;
		got += (size_t)r;
	}
	return 0;
}

/* Why connect() said EACCES: the socket's mode and group, for the message. */
static void explain_eacces(const char *path, char *err, size_t n)
{
	char grp_name[256] = "?", buf[4096], shown[64 * 4 + 1];
	struct group gr, *g = NULL;
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, n, "cannot connect to %s: %s", path, strerror(EACCES));
		return;
	}
	if (!(st.st_mode & 0060)) {
		snprintf(err, n, "cannot connect to %s: %s (mode %04o: only root may attach)", path,
			 strerror(EACCES), (unsigned int)(st.st_mode & 07777));
		return;
	}
	if (!getgrgid_r(st.st_gid, &gr, buf, sizeof(buf), &g) && g)
		snprintf(grp_name, sizeof(grp_name), "%s", g->gr_name);
	escape_str(shown, sizeof(shown), grp_name);
	snprintf(err, n,
		 "cannot connect to %s: %s (mode %04o, group %s: only root and that group may "
		 "attach)",
		 path, strerror(EACCES), (unsigned int)(st.st_mode & 07777), shown);
}

/* The daemon's first frame: HELLO (0), REFUSED (-EACCES), anything else -EPROTO. */
static int greet(struct stream_client *c, const char *path, char *err, size_t n)
{
	char reason[EVENT_WIRE_REASON_MAX + 1], shown[4 * EVENT_WIRE_REASON_MAX + 1];
	struct event_wire_hello_buf hello;
	struct event_wire_hdr h;
	int rc;

	/* exactly one frame: what follows stays in the socket, where poll(2) sees it */
	rc = read_exact(c->fd, c->buf, EVENT_WIRE_HDR_LEN, HELLO_TIMEOUT_MS);
	if (!rc && (rc = event_wire_get_hdr(c->buf, EVENT_WIRE_HDR_LEN, &h, err, n)))
		return -EPROTO;
	if (!rc)
		rc = read_exact(c->fd, c->buf + EVENT_WIRE_HDR_LEN, h.len, HELLO_TIMEOUT_MS);
	if (rc == -ETIMEDOUT) {
		snprintf(err, n, "%s: no answer from the daemon within %d s", path,
			 HELLO_TIMEOUT_MS / 1000);
		return rc;
	}
	if (rc) {
		snprintf(err, n, "%s: the daemon closed the stream before its hello (%s)", path,
			 strerror(-rc));
		return rc == -EPIPE ? -EPROTO : rc;
	}
	if (h.kind == EVENT_WIRE_REFUSED) {
		if (event_wire_decode_refused(c->buf + EVENT_WIRE_HDR_LEN, h.len, reason, err, n))
			return -EPROTO;
		escape_str(shown, sizeof(shown), reason);
		snprintf(err, n, "%s: refused by the daemon: %s", path, shown);
		return -EACCES;
	}
	if (h.kind != EVENT_WIRE_HELLO) {
		snprintf(err, n, "%s: the daemon's first frame is %s, not hello", path,
			 event_wire_kind_name(h.kind));
		return -EPROTO;
	}
	if (event_wire_decode_hello(c->buf + EVENT_WIRE_HDR_LEN, h.len, &hello, err, n))
		return -EPROTO;
	tell_hello(c, &hello);
	return 0;
}

struct stream_client *stream_client_open(const char *path, const struct stream_client_ops *ops,
					 void *ctx, struct sink *sink, char *err, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stream_client *c = calloc(1, sizeof(*c));
	int rc;

	if (n)
		err[0] = '\0';
	if (!c || !(c->buf = malloc(2 * EVENT_WIRE_FRAME_MAX)) ||
	    !(c->ev = malloc(sizeof(*c->ev))) || !(c->st = malloc(sizeof(*c->st)))) {
		if (c)
			c->fd = -1;
		stream_client_close(c);
		snprintf(err, n, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	c->cap = 2 * EVENT_WIRE_FRAME_MAX;
	c->ops = ops;
	c->ctx = ctx;
	c->sink = sink;
	c->fd = -1;
	if (!path || strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, n, "a socket path of 1 to %zu bytes", sizeof(a.sun_path) - 1);
		rc = -EINVAL;
		goto fail;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	/* non-blocking: a daemon whose backlog is full answers EAGAIN, it never hangs us */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = -errno;
		snprintf(err, n, "socket: %s", strerror(-rc));
		goto fail;
	}
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a))) {
		rc = -errno;
		if (rc == -EACCES || rc == -EPERM) {
			explain_eacces(path, err, n);
			rc = -EACCES;
		} else {
			snprintf(err, n, "cannot connect to %s: %s", path, strerror(-rc));
		}
		goto fail;
	}
	if ((rc = greet(c, path, err, n)))
		goto fail;
	return c;
fail:
	stream_client_close(c);
	errno = -rc;
	return NULL;
}
