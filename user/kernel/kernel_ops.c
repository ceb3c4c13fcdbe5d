// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's kernel ops over the BPF loader's maps (see kernel_ops.h). */
#include "kernel/kernel_ops.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/bpf_loader.h"
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

/* Fills r's fields from one map entry and says whose it is (*pid, *tool). */
typedef void (*flush_fill_fn)(const void *key, const void *val, struct lw_rec_conn_bytes *r,
			      uint32_t *pid, uint16_t *tool);

#define FLUSH_KEY_MAX 32
#define FLUSH_VAL_MAX 56

/*
 * Reports (as LW_REC_CONN_BYTES records through emit, with reason) and removes the entries
 * of map fd (keys of ksz bytes, values of vsz) that pid made (all of them if pid is 0).
 * Returns 0, -ENOMEM (some reported but kept, so reported again later) or the first failed
 * delete's -errno.
 */
static int flush_map(int fd, size_t ksz, size_t vsz, flush_fill_fn fill, uint32_t pid,
		     uint32_t reason, void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	_Alignas(8) unsigned char key[FLUSH_KEY_MAX], next[FLUSH_KEY_MAX], val[FLUSH_VAL_MAX];
	unsigned char *prev = NULL, *doomed = NULL;
	size_t nd = 0, cap = 0;
	int err = 0;

	if (ksz > FLUSH_KEY_MAX || vsz > FLUSH_VAL_MAX)
		return -EINVAL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		struct lw_rec_conn_bytes r = { .reason = reason };
		uint32_t owner;
		uint16_t tool;

		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		fill(key, val, &r, &owner, &tool);
		if (pid && owner != pid)
			continue;
		/* deleted after the walk: deleting under get_next_key restarts the iteration */
		if (nd == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			unsigned char *v = realloc(doomed, ncap * ksz);

			if (!v) {
				/* reported now, and again later: totals, so a duplicate beats a loss */
				err = -ENOMEM;
			} else {
				doomed = v;
				cap = ncap;
			}
		}
		if (nd < cap)
			memcpy(doomed + nd++ * ksz, key, ksz);
		lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), tool, owner,
				timefmt_boot_now());
		emit(m, &r, sizeof(r));
	}
	for (size_t i = 0; i < nd; i++) {
		/* gone already (closed meanwhile) is not a failure */
		if (bpf_map_delete_elem(fd, doomed + i * ksz) && errno != ENOENT && !err)
			err = -errno;
	}
	free(doomed);
	return err;
}

/* A connection (key: socket cookie): UDP sockets, TCP connections still open. */
static void fill_conn(const void *key, const void *val, struct lw_rec_conn_bytes *r, uint32_t *pid,
		      uint16_t *tool)
{
	const struct lw_conn *c = val;

	memcpy(&r->cookie, key, sizeof(r->cookie));
	r->bytes = c->bytes;
	r->packets = c->packets;
	r->daddr = c->daddr;
	*pid = c->pid;
	*tool = c->tool;
}

/* A datagram flow (key: socket cookie and destination), reported with protocol UDP. */
static void fill_flow(const void *key, const void *val, struct lw_rec_conn_bytes *r, uint32_t *pid,
		      uint16_t *tool)
{
	const struct lw_flow_key *k = key;
	const struct lw_flow *f = val;

	r->cookie = k->cookie;
	r->bytes = f->bytes;
	r->packets = f->packets;
	r->daddr = k->daddr;
	r->protocol = 17; /* IPPROTO_UDP */
	*pid = f->pid;
	*tool = f->tool;
}

_Static_assert(sizeof(__u64) <= FLUSH_KEY_MAX && sizeof(struct lw_flow_key) <= FLUSH_KEY_MAX,
	       "flush key buffer");
_Static_assert(sizeof(struct lw_conn) <= FLUSH_VAL_MAX && sizeof(struct lw_flow) <= FLUSH_VAL_MAX,
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
	int err = flush_map(bpf_loader_conns_fd(ctx), sizeof(__u64), sizeof(struct lw_conn),
			    fill_conn, pid, reason, emit, m);
	int err2 = flush_map(bpf_loader_flows_fd(ctx), sizeof(struct lw_flow_key),
			     sizeof(struct lw_flow), fill_flow, pid, reason, emit, m);
	int err3 = flush_sk_conns(ctx, pid, reason, emit, m);

	return err ? err : err2 ? err2 : err3;
}

const struct monitor_kernel_ops kernel_ops_bpf = {
	.track = k_track,
	.untrack = k_untrack,
	.retool = k_retool,
	.watch_cgroup = k_watch_cgroup,
	.flush_conns = k_flush,
};
