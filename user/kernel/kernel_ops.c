// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's kernel ops over the BPF loader's maps (see kernel_ops.h). */
#include "kernel/kernel_ops.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/bpf_loader.h"
#include "kernel/map_flush.h"
#include "util/timefmt.h"

/*
 * Tracks pid, then marks the datagram sockets it already holds: those made from now on
 * are marked by the kernel as they are made. A socket that cannot be marked (the process
 * gone, a copy refused) leaves its datagrams unseen; tracking still succeeds.
 */
static int k_track(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root)
{
	int err = bpf_loader_track(ctx, pid, tool, reason, root);

	if (!err)
		bpf_loader_mark_sockets(ctx, pid, tool);
	return err;
}

static void k_untrack(void *ctx, uint32_t pid)
{
	bpf_loader_untrack(ctx, pid);
}

static int k_retool(void *ctx, uint32_t pid, uint16_t tool)
{
	return bpf_loader_retool(ctx, pid, tool);
}

/*
 * Marks the datagram sockets of a process the kernel began to watch at its exec (or whose
 * parent's were not marked yet when it forked): until then, its send exits report what
 * the egress program cannot see. Where its cgroup cannot have the programs (--cgroups
 * watched, the attach refused), nothing is marked and that stays so: no egress program
 * would count for the marks, and no sock_create program marks its new sockets.
 */
static void k_adopt_sockets(void *ctx, uint32_t pid)
{
	struct bpf_loader *l = ctx;
	struct lw_tracked t;

	if (!bpf_loader_sockets_unmarked(l, pid) ||
	    bpf_map_lookup_elem(bpf_loader_tracked_fd(l), &pid, &t) ||
	    bpf_loader_watch_cgroup_of(l, pid) < 0)
		return;
	bpf_loader_mark_sockets(l, pid, t.tool);
}

static void k_forget_sockets(void *ctx, uint32_t pid)
{
	bpf_loader_forget_sockets(ctx, pid);
}

/*
 * Attaches the cgroup programs where pid lives, then marks the datagram sockets it made
 * before they were there (cgroup/sock_create did not run for them), as its tracked tool.
 */
static int k_watch_cgroup(void *ctx, uint32_t pid)
{
	struct bpf_loader *l = ctx;
	struct lw_tracked t;
	int err = bpf_loader_watch_cgroup_of(l, pid);

	if (!err && l->cgroups_watched &&
	    bpf_map_lookup_elem(bpf_loader_tracked_fd(l), &pid, &t) == 0)
		bpf_loader_mark_sockets(l, pid, t.tool);
	return err;
}

/* A connection (key: socket cookie): UDP sockets, TCP connections still open. */
static enum map_flush_what fill_conn(void *arg, uint32_t flush_pid, const void *key,
				     const void *val, struct lw_rec_conn_bytes *r, uint32_t *pid,
				     uint16_t *tool)
{
	const struct lw_conn *c = val;

	(void)arg;
	(void)flush_pid;
	memcpy(&r->cookie, key, sizeof(r->cookie));
	r->bytes = c->bytes;
	r->packets = c->packets;
	r->daddr = c->daddr;
	*pid = c->pid;
	*tool = c->tool;
	return MAP_FLUSH_REPORT;
}

static void conn_counts(const void *val, uint64_t *bytes, uint64_t *packets)
{
	const struct lw_conn *c = val;

	*bytes = c->bytes;
	*packets = c->packets;
}

/* One socket's storage flow, read through a copy of the socket (LW_SK_FLOW_READY). */
struct sk_flow {
	uint64_t cookie;
	struct lw_sockaddr daddr;
	uint64_t bytes, packets;
};

/* The flush of the datagram flows: what it read of sockets' storage, and from whom. */
struct flow_flush {
	struct bpf_loader *l;
	struct sk_flow *got;
	size_t ngot, capgot;
	uint32_t *asked; /* processes whose sockets were read */
	size_t nasked, capasked;
	bool asked_tracked; /* every tracked process's */
	uint64_t unread;    /* flows whose socket could not be found at the stop */
	int err;	    /* -ENOMEM */
};

static void keep_sk_flow(void *arg, uint64_t cookie, const struct lw_conn *conn)
{
	struct flow_flush *ff = arg;
	struct sk_flow *got = map_flush_grow(ff->got, ff->ngot, &ff->capgot, sizeof(*got));

	if (!got) {
		ff->err = -ENOMEM;
		return;
	}
	ff->got = got;
	ff->got[ff->ngot++] = (struct sk_flow){ cookie, conn->daddr, conn->bytes, conn->packets };
}

/* Reads pid's sockets' storage flows, once per flush. */
static void ask(struct flow_flush *ff, uint32_t pid)
{
	uint32_t *asked;

	for (size_t i = 0; i < ff->nasked; i++)
		if (ff->asked[i] == pid)
			return;
	asked = map_flush_grow(ff->asked, ff->nasked, &ff->capasked, sizeof(*asked));
	if (!asked) {
		ff->err = -ENOMEM;
		return;
	}
	ff->asked = asked;
	ff->asked[ff->nasked++] = pid;
	/* a process gone or refused has nothing to add: its flows are then unread */
	bpf_loader_sock_flows(ff->l, pid, keep_sk_flow, ff);
}

/* Reads the sockets of every tracked process (a socket may outlive its owner in a child). */
static void ask_tracked(struct flow_flush *ff)
{
	int fd = bpf_loader_tracked_fd(ff->l);
	uint32_t key, *prev = NULL;

	ff->asked_tracked = true;
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		ask(ff, key);
		prev = &key;
	}
}

static const struct sk_flow *find_sk_flow(const struct flow_flush *ff, const struct lw_flow_key *k)
{
	for (size_t i = 0; i < ff->ngot; i++)
		if (ff->got[i].cookie == k->cookie &&
		    memcmp(&ff->got[i].daddr, &k->daddr, sizeof(k->daddr)) == 0)
			return &ff->got[i];
	return NULL;
}

/*
 * A datagram flow (key: socket cookie and destination), reported with protocol UDP. A flow
 * its socket's storage counts too (LW_FLOW_IN_SOCK) adds what that storage holds, read
 * through a copy of the socket from its owner (or, at the stop, from any tracked process).
 * Where the socket is not found: an owner's flush leaves the flow to its socket's close,
 * which reports it whole; the stop reports what `flows` holds, flagged partial
 * (LW_F_READ_FAILED) and counted lost.
 */
static enum map_flush_what fill_flow(void *arg, uint32_t flush_pid, const void *key,
				     const void *val, struct lw_rec_conn_bytes *r, uint32_t *pid,
				     uint16_t *tool)
{
	struct flow_flush *ff = arg;
	const struct lw_flow_key *k = key;
	const struct lw_flow *f = val;
	const struct sk_flow *sf;

	r->cookie = k->cookie;
	r->bytes = f->bytes;
	r->packets = f->packets;
	r->daddr = k->daddr;
	r->protocol = 17; /* IPPROTO_UDP */
	*pid = f->pid;
	*tool = f->tool;
	if (!(f->flags & LW_FLOW_IN_SOCK) || (flush_pid && f->pid != flush_pid))
		return MAP_FLUSH_REPORT;
	ask(ff, f->pid);
	sf = find_sk_flow(ff, k);
	if (!sf && !flush_pid && !ff->asked_tracked) {
		ask_tracked(ff);
		sf = find_sk_flow(ff, k);
	}
	if (sf) {
		r->bytes += sf->bytes;
		r->packets += sf->packets;
		return MAP_FLUSH_REPORT;
	}
	if (flush_pid)
		return MAP_FLUSH_LEAVE;
	r->hdr.flags |= LW_F_READ_FAILED;
	ff->unread++;
	return MAP_FLUSH_REPORT;
}

static void flow_counts(const void *val, uint64_t *bytes, uint64_t *packets)
{
	const struct lw_flow *f = val;

	*bytes = f->bytes;
	*packets = f->packets;
}

_Static_assert(sizeof(__u64) <= MAP_FLUSH_KEY_MAX &&
		       sizeof(struct lw_flow_key) <= MAP_FLUSH_KEY_MAX,
	       "flush key buffer");
_Static_assert(sizeof(struct lw_conn) <= MAP_FLUSH_VAL_MAX &&
		       sizeof(struct lw_flow) <= MAP_FLUSH_VAL_MAX,
	       "flush value buffer");

/*
 * The same for the TCP connections kept in their sockets' storage (bpf_loader_conns_iter):
 * read from the kernel's walk, which marks each reported. Returns 0 (none kept there too,
 * or no iterator), or the failed read's -errno.
 */
static int flush_sk_conns(void *ctx, uint32_t pid, uint32_t reason,
			  void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	struct lw_rec_conn_bytes recs[64];
	size_t have = 0, i, whole;
	ssize_t n;
	int fd = bpf_loader_conns_iter(ctx, pid), err = 0;

	/* kept in `conns`, or no iterator (LLMWATCH_CONN_SK=1: unreported, as it says) */
	if (fd == -ENOENT || fd == -EOPNOTSUPP)
		return 0;
	if (fd < 0)
		return fd;
	/* whole records, however the reads split them */
	while ((n = read(fd, (char *)recs + have, sizeof(recs) - have)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		have += (size_t)n;
		whole = have / sizeof(recs[0]);
		for (i = 0; i < whole; i++) {
			struct lw_rec_conn_bytes *r = &recs[i];

			r->reason = reason;
			r->hdr.ts_ns = timefmt_boot_now();
			emit(m, r, sizeof(*r));
		}
		have -= whole * sizeof(recs[0]);
		memmove(recs, (char *)recs + whole * sizeof(recs[0]), have);
	}
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Reports and removes the connections pid opened (all if pid is 0) that have not closed
 * yet (UDP sockets, and TCP connections still open when their owner exits or llmwatch
 * stops), then the datagram flows it started: the first error of either.
 */
static int k_flush(void *ctx, uint32_t pid, uint32_t reason,
		   void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	struct flow_flush ff = { .l = ctx };
	const struct map_flush conns = { bpf_loader_conns_fd(ctx),
					 sizeof(__u64),
					 sizeof(struct lw_conn),
					 fill_conn,
					 conn_counts,
					 NULL };
	const struct map_flush flows = { bpf_loader_flows_fd(ctx),
					 sizeof(struct lw_flow_key),
					 sizeof(struct lw_flow),
					 fill_flow,
					 flow_counts,
					 &ff };
	int err = map_flush(&conns, pid, reason, emit, m);
	int err2 = map_flush(&flows, pid, reason, emit, m);
	int err3 = flush_sk_conns(ctx, pid, reason, emit, m);

	if (!err2)
		err2 = ff.err;
	if (ff.unread && !err2)
		err2 = bpf_loader_add_loss(ctx, LW_REC_CONN_BYTES, LW_LOSS_READ, ff.unread);
	free(ff.got);
	free(ff.asked);
	return err ? err : err2 ? err2 : err3;
}

const struct monitor_kernel_ops kernel_ops_bpf = {
	.track = k_track,
	.untrack = k_untrack,
	.retool = k_retool,
	.watch_cgroup = k_watch_cgroup,
	.flush_conns = k_flush,
	.adopt_sockets = k_adopt_sockets,
	.forget_sockets = k_forget_sockets,
};
