// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's kernel ops over the BPF loader's maps (see kernel_ops.h). */
#include "kernel/kernel_ops.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>

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

/*
 * Reports (as LW_REC_CONN_BYTES records through emit) and removes the connections pid
 * opened (all connections if pid is 0) that have not closed yet: UDP sockets, and TCP
 * connections still open when their owner exits or llmwatch stops. Returns 0, -ENOMEM
 * (some reported but kept, so reported again later) or the first failed delete's -errno.
 */
static int k_flush_conns(void *ctx, uint32_t pid, uint32_t reason,
			 void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	int fd = bpf_loader_conns_fd(ctx);
	__u64 key, next, *prev = NULL, *doomed = NULL;
	size_t nd = 0, cap = 0;
	int err = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct lw_conn c;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c) || (pid && c.pid != pid))
			continue;
		/* deleted after the walk: deleting under get_next_key restarts the iteration */
		if (nd == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			__u64 *v = realloc(doomed, ncap * sizeof(*v));

			if (!v) {
				/* reported now, and again later: a duplicate beats a loss */
				err = -ENOMEM;
			} else {
				doomed = v;
				cap = ncap;
			}
		}
		if (nd < cap)
			doomed[nd++] = key;
		struct lw_rec_conn_bytes r = {
			.cookie = key,
			.bytes = c.bytes,
			.packets = c.packets,
			.daddr = c.daddr,
			.reason = reason,
		};

		lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), c.tool, c.pid,
				timefmt_boot_now());
		emit(m, &r, sizeof(r));
	}
	for (size_t i = 0; i < nd; i++) {
		/* gone already (the connection closed meanwhile) is not a failure */
		if (bpf_map_delete_elem(fd, &doomed[i]) && errno != ENOENT && !err)
			err = -errno;
	}
	free(doomed);
	return err;
}

/*
 * The same for the datagram flows pid started (all if pid is 0): each reported with its
 * totals, as LW_REC_CONN_BYTES with protocol UDP, and removed. Returns as k_flush_conns.
 */
static int flush_flows(void *ctx, uint32_t pid, uint32_t reason,
		       void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	int fd = bpf_loader_flows_fd(ctx);
	struct lw_flow_key key, next, *prev = NULL, *doomed = NULL;
	size_t nd = 0, cap = 0;
	int err = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct lw_flow f;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &f) || (pid && f.pid != pid))
			continue;
		if (nd == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct lw_flow_key *v = realloc(doomed, ncap * sizeof(*v));

			if (!v) {
				/* reported now, and again later: totals, so the last one counts */
				err = -ENOMEM;
			} else {
				doomed = v;
				cap = ncap;
			}
		}
		if (nd < cap)
			doomed[nd++] = key;
		struct lw_rec_conn_bytes r = {
			.cookie = key.cookie,
			.bytes = f.bytes,
			.packets = f.packets,
			.daddr = key.daddr,
			.reason = reason,
			.protocol = 17, /* IPPROTO_UDP */
		};

		lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), f.tool, f.pid,
				timefmt_boot_now());
		emit(m, &r, sizeof(r));
	}
	for (size_t i = 0; i < nd; i++) {
		/* gone already (the socket closed meanwhile) is not a failure */
		if (bpf_map_delete_elem(fd, &doomed[i]) && errno != ENOENT && !err)
			err = -errno;
	}
	free(doomed);
	return err;
}

/* Connections, then datagram flows: the first error of either. */
static int k_flush(void *ctx, uint32_t pid, uint32_t reason,
		   void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	int err = k_flush_conns(ctx, pid, reason, emit, m);
	int err2 = flush_flows(ctx, pid, reason, emit, m);

	return err ? err : err2;
}

const struct monitor_kernel_ops kernel_ops_bpf = {
	.track = k_track,
	.untrack = k_untrack,
	.retool = k_retool,
	.watch_cgroup = k_watch_cgroup,
	.flush_conns = k_flush,
};
