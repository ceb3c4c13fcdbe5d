// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * File opens of watched processes: openat(2) and openat2(2) at their exit, with the
 * arguments from the saved registers (or, on kernels before 5.15, saved at enter); and,
 * where fexit programs load, security_file_open() below them, which gives the path the
 * kernel resolved and sees opens that bypass those syscalls (io_uring, open(2)).
 */
#include "common.bpf.h"

#define FMODE_EXEC 0x20
#define AT_FDCWD (-100)

/* Enter: save the arguments for the exit (kernels without bpf_task_pt_regs). */
static __always_inline int lw_open_enter(__u16 tool, int dfd, const char *path, __u64 flags,
					 __u32 mode, __u16 is_openat2)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct lw_stash st = {};

	st.type = LW_REC_OPEN;
	st.tool = tool;
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
	struct lw_tracked *t;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	return lw_open_enter(t->tool, ctx->args[0], (const char *)ctx->args[1], ctx->args[2],
			     ctx->args[3], 0);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int lw_openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};
	struct lw_tracked *t;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	/* the flags live in user memory; a failed read still records the path */
	if (bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]))
		lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
	return lw_open_enter(t->tool, ctx->args[0], (const char *)ctx->args[1], how.flags, how.mode,
			     1);
}

/* What the exit needs of an open's arguments, from the registers or from the stash. */
struct lw_open_args {
	__u16 tool;
	__u16 is_openat2;
	__s32 dfd;
	__u64 uptr;
	__u64 flags;
	__u32 mode;
};

static __always_inline int lw_open_emit(const struct lw_open_args *a, long ret, __u64 id)
{
	union lw_scratch_rec *s;
	struct lw_kpath *kp;
	struct lw_rec_open *r;
	long n = -1;

	s = lw_scratch();
	if (!s) {
		lw_count_loss(LW_REC_OPEN, LW_LOSS_LOOKUP);
		return 0;
	}
	r = &s->open;
	lw_prof_mark(LW_PROF_PREP);
	lw_fill_hdr(&r->hdr, LW_REC_OPEN, a->tool, id >> 32);
	r->dfd = a->dfd;
	r->ret = ret;
	r->flags = a->flags;
	r->mode = a->mode;
	r->is_openat2 = a->is_openat2;
	/* the path the kernel resolved, when the file hook kept one for this call */
	kp = lw_file_hook ? bpf_map_lookup_elem(&open_paths, &id) : NULL;
	if (kp) {
		n = bpf_probe_read_kernel_str(r->path, sizeof(r->path), kp->path);
		bpf_map_delete_elem(&open_paths, &id);
		if (n > 0)
			r->hdr.flags |= LW_F_KERNEL_PATH;
	}
	/*
	 * Without the kernel's path, read the caller's string after the call: the kernel has
	 * its own copy by now, so a racing thread could show us a different one.
	 */
	if (n <= 0)
		n = bpf_probe_read_user_str(r->path, sizeof(r->path), (void *)a->uptr);
	lw_prof_mark(LW_PROF_BODY);
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
	return 0;
}

/* The arguments from the saved registers: the only lookup an unwatched process pays. */
static __always_inline int lw_open_exit_regs(long ret, __u16 is_openat2)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct lw_tracked *t = lw_tracked_get(tgid);
	struct lw_open_args a = {};
	struct pt_regs *regs;

	if (!t)
		return 0;
	lw_prof_start();
	regs = lw_user_regs();
	a.tool = t->tool;
	a.is_openat2 = is_openat2;
	a.dfd = LW_ARG1(regs);
	a.uptr = LW_ARG2(regs);
	if (!is_openat2) {
		a.flags = LW_ARG3(regs);
		a.mode = LW_ARG4(regs);
	} else {
		struct open_how how = {};

		/* the flags live in user memory; a failed read still records the path */
		if (bpf_probe_read_user(&how, sizeof(how), (void *)LW_ARG3(regs)))
			lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
		a.flags = how.flags;
		a.mode = how.mode;
	}
	lw_open_emit(&a, ret, id);
	lw_prof_end();
	return 0;
}

/* The arguments saved at enter (kernels without bpf_task_pt_regs). */
static __always_inline int lw_open_exit_stash(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct lw_stash *st = bpf_map_lookup_elem(&stash, &id);
	struct lw_open_args a = {};

	if (!st)
		return 0;
	/* a stash entry exists only for a tracked process: the tool came with it */
	if (st->type == LW_REC_OPEN) {
		a.tool = st->tool;
		a.is_openat2 = st->is_openat2;
		a.dfd = st->fd;
		a.uptr = st->uptr;
		a.flags = st->oflags;
		a.mode = st->mode;
		lw_open_emit(&a, ret, id);
	}
	bpf_map_delete_elem(&stash, &id);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int lw_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_regs_args ? lw_open_exit_regs(ctx->ret, 0) : lw_open_exit_stash(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int lw_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_regs_args ? lw_open_exit_regs(ctx->ret, 1) : lw_open_exit_stash(ctx->ret);
}

/* ---- below the syscall: security_file_open --------------------------------------------- */

/* The kernel's path of file into buf; 1 + its length, or < 0 when it cannot be had. */
static __always_inline long lw_file_path(struct file *file, char *buf)
{
	/* f_path is const in newer kernels; the helper only reads it */
	return bpf_d_path((struct path *)&file->f_path, buf, LW_PATH_MAX);
}

/*
 * Every file the kernel opens for a task passes security_file_open(), whatever the entry
 * point. Inside a watched openat/openat2, keep the path the kernel resolved for the exit's
 * record (the first file of the call: overlayfs opens a second, real one). Outside one, no
 * tracepoint will report this open (io_uring, open(2), open_by_handle_at), so report it here,
 * with the hook's own result. Exec's open of the program is the exec record's business.
 * fexit, not an LSM program: the same call, the decision of every LSM, no lsm= boot
 * parameter, and bpf_d_path is allowed here from 5.10 on (for LSM programs from 5.11).
 */
SEC("fexit/security_file_open")
int BPF_PROG(lw_file_open, struct file *file, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0;
	struct lw_tracked *t = lw_tracked_get(tgid);
	struct lw_stash *st;
	struct lw_kpath *kp;
	struct lw_rec_open *r;
	bool in_open;
	long n, err;

	if (!t || (file->f_mode & FMODE_EXEC))
		return 0;
	if (lw_regs_args) {
		long nr = lw_syscall_nr();

		in_open = nr == LW_NR_OPENAT || nr == LW_NR_OPENAT2;
	} else {
		st = bpf_map_lookup_elem(&stash, &id);
		in_open = st && st->type == LW_REC_OPEN;
	}
	if (in_open) {
		/*
		 * fexit programs can be preempted: no per-CPU buffer holds the path across the
		 * call, the helper writes into this thread's own entry. Only the call's first
		 * file: an existing entry stays (BPF_NOEXIST).
		 */
		/* a lost kernel path is counted: the exit falls back to the caller's string */
		kp = bpf_map_lookup_elem(&zeroes, &zero);
		if (!kp) {
			lw_count_loss(LW_REC_OPEN, LW_LOSS_LOOKUP);
			return 0;
		}
		err = bpf_map_update_elem(&open_paths, &id, kp, BPF_NOEXIST);
		if (err) {
			if (err != -EEXIST)
				lw_count_loss(LW_REC_OPEN, LW_LOSS_MAP);
			return 0;
		}
		kp = bpf_map_lookup_elem(&open_paths, &id);
		if (!kp) {
			lw_count_loss(LW_REC_OPEN, LW_LOSS_LOOKUP);
			return 0;
		}
		if (lw_file_path(file, kp->path) <= 0) {
			lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
			bpf_map_delete_elem(&open_paths, &id);
		}
		return 0;
	}

	/* a whole record, reserved: nothing is built in a buffer another task could share */
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		lw_count_loss(LW_REC_OPEN, LW_LOSS_RESERVE);
		return 0;
	}
	lw_fill_hdr(&r->hdr, LW_REC_OPEN, t->tool, tgid);
	r->hdr.size = sizeof(*r);
	r->hdr.flags = LW_F_BELOW_SYSCALL | LW_F_KERNEL_PATH;
	r->dfd = AT_FDCWD; /* the path is absolute */
	r->ret = ret;
	r->flags = file->f_flags;
	r->mode = 0;
	r->is_openat2 = 0;
	n = lw_file_path(file, r->path);
	if (n <= 0) {
		lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
		r->hdr.flags = LW_F_BELOW_SYSCALL | LW_F_READ_FAILED;
		r->path[0] = 0;
		n = 1;
	}
	r->path_len = n > LW_PATH_MAX ? LW_PATH_MAX - 1 : n - 1;
	bpf_ringbuf_submit(r, lw_wakeup_flags(sizeof(*r)));
	return 0;
}

/* ---- no syscall tracepoint: fentry/fexit on the syscalls' own entry points ------------- */

/*
 * The same enter and exit as the tracepoints above, on the x86-64 syscall functions
 * themselves, where fentry/fexit attach (user space chooses one set or the other). An
 * attached syscall tracepoint sets the syscall-tracepoint work flag on every thread of the
 * machine, so every syscall of every process takes the slow entry and exit path; these cost
 * only the calls of the function they are on. Their argument is the caller's saved user
 * registers (the same ones lw_user_regs() finds), their result the syscall's, as the exit
 * tracepoint has it. The enters are attached only without lw_regs_args (5.10).
 */
SEC("fentry/__x64_sys_openat")
int lw_openat_fentry(unsigned long long *ctx)
{
	struct lw_tracked *t;
	struct pt_regs *regs;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	regs = lw_sys_regs(ctx);
	return lw_open_enter(t->tool, BPF_CORE_READ(regs, di),
			     (const char *)BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx),
			     BPF_CORE_READ(regs, r10), 0);
}

SEC("fentry/__x64_sys_openat2")
int lw_openat2_fentry(unsigned long long *ctx)
{
	struct open_how how = {};
	struct lw_tracked *t;
	struct pt_regs *regs;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	regs = lw_sys_regs(ctx);
	/* the flags live in user memory; a failed read still records the path */
	if (bpf_probe_read_user(&how, sizeof(how), (void *)BPF_CORE_READ(regs, dx)))
		lw_count_loss(LW_REC_OPEN, LW_LOSS_READ);
	return lw_open_enter(t->tool, BPF_CORE_READ(regs, di),
			     (const char *)BPF_CORE_READ(regs, si), how.flags, how.mode, 1);
}

/* ctx[1]: the result, after the one argument (the registers) */
SEC("fexit/__x64_sys_openat")
int lw_openat_fexit(unsigned long long *ctx)
{
	long ret = (long)ctx[1];

	return lw_regs_args ? lw_open_exit_regs(ret, 0) : lw_open_exit_stash(ret);
}

SEC("fexit/__x64_sys_openat2")
int lw_openat2_fexit(unsigned long long *ctx)
{
	long ret = (long)ctx[1];

	return lw_regs_args ? lw_open_exit_regs(ret, 1) : lw_open_exit_stash(ret);
}
