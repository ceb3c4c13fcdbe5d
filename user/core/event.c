// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Validation and decoding of ring-buffer records (see event.h). */
#include "core/event.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "util/timefmt.h"

static const char *const type_names[LW_REC_TYPE_MAX] = {
	[LW_REC_EXEC] = "exec",	      [LW_REC_FORK] = "fork", [LW_REC_EXIT] = "exit",
	[LW_REC_CONNECT] = "connect", [LW_REC_BIND] = "bind", [LW_REC_LISTEN] = "listen",
	[LW_REC_SEND] = "send",	      [LW_REC_OPEN] = "open", [LW_REC_CONN_BYTES] = "conn_bytes",
	[LW_REC_PAYLOAD] = "payload",
};

const char *event_type_name(unsigned int type)
{
	if (type < LW_REC_TYPE_MAX && type_names[type])
		return type_names[type];
	if (type == LW_EV_LOSSES)
		return "events_lost";
	return "unknown";
}

int event_kind_slot(unsigned int type)
{
	if (type < LW_REC_TYPE_MAX)
		return (int)type;
	if (type >= LW_EV_LOSSES && type <= LW_EV_LAST)
		return (int)(LW_REC_TYPE_MAX + (type - LW_EV_LOSSES));
	return -1;
}

unsigned int event_slot_kind(unsigned int slot)
{
	return slot < LW_REC_TYPE_MAX ? slot : LW_EV_LOSSES + (slot - LW_REC_TYPE_MAX);
}

/* The smallest record of each type: everything up to its variable-length tail. */
static const size_t min_size[LW_REC_TYPE_MAX] = {
	[LW_REC_EXEC] = offsetof(struct lw_rec_exec, filename) + 1,
	[LW_REC_FORK] = sizeof(struct lw_rec_fork),
	[LW_REC_EXIT] = sizeof(struct lw_rec_exit),
	[LW_REC_CONNECT] = offsetof(struct lw_rec_sock, unix_path),
	[LW_REC_BIND] = offsetof(struct lw_rec_sock, unix_path),
	[LW_REC_LISTEN] = sizeof(struct lw_rec_listen),
	[LW_REC_SEND] = offsetof(struct lw_rec_sock, unix_path),
	[LW_REC_OPEN] = offsetof(struct lw_rec_open, path) + 1,
	[LW_REC_CONN_BYTES] = sizeof(struct lw_rec_conn_bytes),
	[LW_REC_PAYLOAD] = offsetof(struct lw_rec_payload, data),
};

/*
 * The largest: the whole layout. A longer record is no producer's, and would let a length
 * field run past the end of its fixed-size field (a filename_len beyond LW_PATH_MAX).
 */
static const size_t max_size[LW_REC_TYPE_MAX] = {
	[LW_REC_EXEC] = sizeof(struct lw_rec_exec),
	[LW_REC_FORK] = sizeof(struct lw_rec_fork),
	[LW_REC_EXIT] = sizeof(struct lw_rec_exit),
	[LW_REC_CONNECT] = sizeof(struct lw_rec_sock),
	[LW_REC_BIND] = sizeof(struct lw_rec_sock),
	[LW_REC_LISTEN] = sizeof(struct lw_rec_listen),
	[LW_REC_SEND] = sizeof(struct lw_rec_sock),
	[LW_REC_OPEN] = sizeof(struct lw_rec_open),
	[LW_REC_CONN_BYTES] = sizeof(struct lw_rec_conn_bytes),
	[LW_REC_PAYLOAD] = sizeof(struct lw_rec_payload),
};

/*
 * A string field of n bytes (n excludes the NUL) that must lie inside the record. Compares
 * lengths, not pointers: s + n may lie beyond the record, where pointer arithmetic is undefined.
 */
static int check_str(const char *s, size_t n, const char *end)
{
	if (n >= (size_t)(end - s) || s[n] != '\0')
		return -EBADMSG;
	return 0;
}

int event_decode(const void *data, size_t len, struct lw_event *ev)
{
	const struct lw_rec_hdr *h = data;
	const char *end = (const char *)data + len;

	if (len < sizeof(*h) || h->size != len)
		return -EBADMSG;
	if (h->version != LW_RECORD_VERSION)
		return -EPROTO;
	if (h->type == 0 || h->type >= LW_REC_TYPE_MAX)
		return -ENOMSG;
	if (len < min_size[h->type] || len > max_size[h->type])
		return -EBADMSG;

	memset(ev, 0, sizeof(*ev));
	ev->type = h->type;
	ev->flags = h->flags;
	ev->ts_boot_ns = h->ts_ns;
	ev->wall = timefmt_wall(h->ts_ns);
	ev->pid = h->pid;
	ev->tid = h->tid;
	ev->uid = h->uid;
	ev->tool_id = h->tool;
	ev->tool = "";
	ev->exe = "";
	ev->parent_exe = "";
	ev->parent_comm = "";
	memcpy(ev->comm, h->comm, LW_COMM_LEN);
	ev->comm[LW_COMM_LEN] = '\0';
	ev->fd = -1;

	switch (h->type) {
	case LW_REC_EXEC: {
		const struct lw_rec_exec *r = data;

		if (check_str(r->filename, r->filename_len, end))
			return -EBADMSG;
		ev->ppid = r->ppid;
		ev->match = r->match;
		ev->filename = r->filename;
		break;
	}
	case LW_REC_FORK: {
		const struct lw_rec_fork *r = data;

		/* the event is about the child; its parent is the process that forked */
		ev->ppid = r->hdr.pid;
		ev->pid = r->child_pid;
		break;
	}
	case LW_REC_EXIT: {
		const struct lw_rec_exit *r = data;

		ev->exit_code = r->exit_code;
		break;
	}
	case LW_REC_CONNECT:
	case LW_REC_BIND:
	case LW_REC_SEND: {
		const struct lw_rec_sock *r = data;

		ev->fd = r->fd;
		ev->ret = r->ret;
		ev->bytes = r->bytes;
		ev->cookie = r->cookie;
		ev->addr = &r->addr;
		ev->sock_type = r->sock_type;
		if (r->addr.family == 1 /* AF_UNIX */) {
			if (r->unix_path_len > LW_UNIX_PATH_MAX ||
			    r->unix_path_len > (size_t)(end - r->unix_path))
				return -EBADMSG;
			ev->unix_path = r->unix_path;
			ev->unix_path_len = r->unix_path_len;
		}
		break;
	}
	case LW_REC_LISTEN: {
		const struct lw_rec_listen *r = data;

		ev->fd = r->fd;
		ev->ret = r->ret;
		ev->backlog = r->backlog;
		ev->addr = &r->local;
		break;
	}
	case LW_REC_OPEN: {
		const struct lw_rec_open *r = data;

		if (check_str(r->path, r->path_len, end))
			return -EBADMSG;
		ev->dfd = r->dfd;
		ev->ret = r->ret;
		ev->open_flags = r->flags;
		ev->path = r->path;
		ev->path_len = r->path_len;
		break;
	}
	case LW_REC_CONN_BYTES: {
		const struct lw_rec_conn_bytes *r = data;

		ev->cookie = r->cookie;
		ev->bytes = r->bytes;
		ev->packets = r->packets;
		ev->addr = &r->daddr;
		ev->close_reason = r->reason;
		/* a datagram flow (protocol UDP) reads as a datagram socket's; 0: a connection */
		if (r->protocol == 17 /* IPPROTO_UDP */)
			ev->sock_type = 2 /* SOCK_DGRAM */;
		break;
	}
	case LW_REC_PAYLOAD: {
		const struct lw_rec_payload *r = data;

		if (r->len > LW_PAYLOAD_MAX || r->len > (size_t)(end - (const char *)r->data))
			return -EBADMSG;
		if (r->direction != LW_DIR_OUT && r->direction != LW_DIR_IN)
			return -EBADMSG;
		ev->cookie = r->cookie;
		ev->addr = &r->remote;
		ev->payload = r->data;
		ev->payload_len = r->len;
		ev->payload_offset = r->offset;
		ev->payload_direction = r->direction;
		ev->payload_protocol = r->protocol;
		break;
	}
	}
	return 0;
}
