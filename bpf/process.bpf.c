// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process lifecycle: decides at exec which processes are tracked (candidate names from user
 * space), inherits tracking at fork so a tool's first syscalls are never missed, and forgets
 * a process at exit.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct lw_tracked *t = lw_tracked_get(tgid);
	struct lw_tracked nt = {};
	union lw_scratch_rec *s;
	struct lw_rec_exec *r;
	__u8 flags = 0;
	__u64 id;
	long n;

	if (!t) {
		char comm[LW_COMM_LEN] = {};
		__u16 *tool;

		/* exec has just set comm to the new program's base name (truncated to 15) */
		bpf_get_current_comm(comm, sizeof(comm));
		tool = bpf_map_lookup_elem(&candidates, comm);
		if (!tool)
			return 0;
		nt.tool = *tool;
		nt.reason = LW_MATCH_NAME;
		nt.root_pid = tgid;
		/* the descriptors it had before the exec are its own now, and nothing marked them */
		lw_track_filter_set(tgid, LW_FILTER_TRACKED | LW_FILTER_UNMARKED);
		if (bpf_map_update_elem(&tracked, &tgid, &nt, BPF_ANY)) {
			lw_count_loss(LW_REC_EXEC, LW_LOSS_MAP);
			return 0;
		}
		t = &nt;
		flags = LW_F_CANDIDATE;
	}

	/*
	 * A new program starts with no call in flight: an entry left by a call whose exit ran
	 * while the process was not tracked must not be taken for one of the new program's.
	 */
	id = bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&stash, &id);
	bpf_map_delete_elem(&open_paths, &id);
	if (lw_task_stash) {
		struct lw_stash *st = bpf_task_storage_get(&task_stash, p, 0, 0);

		if (st)
			st->type = 0;
	}

	s = lw_scratch();
	if (!s) {
		lw_count_loss(LW_REC_EXEC, LW_LOSS_LOOKUP);
		return 0;
	}
	r = &s->exec;
	lw_fill_hdr(&r->hdr, LW_REC_EXEC, t->tool, tgid);
	r->hdr.flags = flags;
	r->ppid = BPF_CORE_READ(p, real_parent, tgid);
	r->match = t->reason;
	n = bpf_probe_read_kernel_str(r->filename, sizeof(r->filename),
				      BPF_CORE_READ(bprm, filename));
	if (n < 0) {
		lw_count_loss(LW_REC_EXEC, LW_LOSS_READ);
		r->hdr.flags |= LW_F_READ_FAILED;
		n = 1;
		r->filename[0] = 0;
	}
	r->filename_len = n - 1;
	/*
	 * Wake the consumer now, not at its next timer tick: user space confirms candidates
	 * and, with --cgroups watched, attaches the cgroup programs to this process's cgroup
	 * before its first connection if it can. Execs of watched programs are rare.
	 */
	lw_emit_flags(r, offsetof(struct lw_rec_exec, filename) + n, sizeof(*r),
		      BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(lw_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct lw_tracked *t, nt;
	struct lw_rec_fork r = {};
	__u8 filter;

	/* a new thread joins a tracked thread group; nothing to decide */
	if (ctgid == ptgid)
		return 0;
	filter = lw_filter_byte(ptgid);
	if (!filter)
		return 0;
	t = bpf_map_lookup_elem(&tracked, &ptgid);
	if (!t)
		return 0;
	nt.tool = t->tool;
	nt.reason = LW_MATCH_INHERITED;
	nt.root_pid = t->root_pid;
	/*
	 * Before the insert: the child runs only after this, and its first call finds both. It
	 * holds its parent's descriptors, so it inherits LW_FILTER_UNMARKED too.
	 */
	lw_track_filter_set(ctgid, filter | LW_FILTER_TRACKED);
	if (bpf_map_update_elem(&tracked, &ctgid, &nt, BPF_ANY))
		lw_count_loss(LW_REC_FORK, LW_LOSS_MAP);
	lw_fill_hdr(&r.hdr, LW_REC_FORK, t->tool, ptgid);
	r.child_pid = ctgid;
	lw_emit(&r, sizeof(r), sizeof(r));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(lw_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct lw_tracked *t;
	struct lw_rec_exit r = {};
	__u16 tool;
	__u64 id;

	t = lw_tracked_get(tgid);
	if (!t)
		return 0;
	/* a thread that dies inside a syscall would leave its entries behind */
	id = ((__u64)tgid << 32) | (__u32)p->pid;
	bpf_map_delete_elem(&stash, &id);
	bpf_map_delete_elem(&open_paths, &id);
	/*
	 * A process ends with its last thread, not with its leader: a leader that calls
	 * pthread_exit() leaves the other threads running, and watched (or a tool could shed
	 * the watch that way); threads killed by an exec from another thread end nothing
	 * either. do_exit() has counted this thread out of signal->live before this point.
	 */
	if (BPF_CORE_READ(p, signal, live.counter) > 0)
		return 0;
	tool = t->tool;
	/* two last threads ending together may both see 0: the one that deletes reports */
	if (bpf_map_delete_elem(&tracked, &tgid))
		return 0;
	lw_track_filter_set(tgid, 0);
	lw_fill_hdr(&r.hdr, LW_REC_EXIT, tool, tgid);
	r.exit_code = p->exit_code;
	lw_emit(&r, sizeof(r), sizeof(r));
	return 0;
}
