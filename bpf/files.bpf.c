// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* File opens of watched processes: openat(2) and openat2(2), paired enter and exit. */
#include "common.bpf.h"

static __always_inline int lw_open_enter(int dfd, const char *path, __u64 flags, __u32 mode,
					 __u16 is_openat2)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid;
	struct lw_stash st = {};

	if (!lw_tracked_current(&tgid))
		return 0;
	st.type = LW_REC_OPEN;
	st.fd = dfd;
	st.uptr = (__u64)path;
	st.oflags = flags;
	st.mode = mode;
	st.is_openat2 = is_openat2;
	if (bpf_map_update_elem(&stash, &id, &st, BPF_ANY))
		lw_count_loss(LW_REC_OPEN, LW_LOSS_MAP);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int lw_openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return lw_open_enter(ctx->args[0], (const char *)ctx->args[1], ctx->args[2], ctx->args[3], 0);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int lw_openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid;
	struct open_how how = {};

	if (!lw_tracked_current(&tgid))
		return 0;
	/* the flags live in user memory; a failed read still records the path */
	if (bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]))
		lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
	return lw_open_enter(ctx->args[0], (const char *)ctx->args[1], how.flags, how.mode, 1);
}

static __always_inline int lw_open_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct lw_stash *st = bpf_map_lookup_elem(&stash, &id);
	struct lw_tracked *t;
	union lw_scratch_rec *s;
	struct lw_rec_open *r;
	__u32 tgid = id >> 32;
	long n;

	if (!st)
		return 0;
	if (st->type != LW_REC_OPEN)
		goto out;
	t = bpf_map_lookup_elem(&tracked, &tgid);
	s = lw_scratch();
	if (!t || !s)
		goto out;
	r = &s->open;
	lw_fill_hdr(&r->hdr, LW_REC_OPEN, t->tool, tgid);
	r->dfd = st->fd;
	r->ret = ret;
	r->flags = st->oflags;
	r->mode = st->mode;
	r->is_openat2 = st->is_openat2;
	/*
	 * Read after the call: the kernel has its own copy by now, so a racing thread could
	 * show us a different string (hooks below the syscall layer fix that where they load).
	 */
	n = bpf_probe_read_user_str(r->path, sizeof(r->path), (void *)st->uptr);
	if (n < 0) {
		lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
		r->hdr.flags |= LW_F_READ_FAILED;
		r->path[0] = 0;
		n = 1;
	}
	if (n == sizeof(r->path))
		r->hdr.flags |= LW_F_TRUNCATED;
	r->path_len = n - 1;
	lw_emit(r, offsetof(struct lw_rec_open, path) + n, sizeof(*r));
out:
	bpf_map_delete_elem(&stash, &id);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int lw_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int lw_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_open_exit(ctx->ret);
}
