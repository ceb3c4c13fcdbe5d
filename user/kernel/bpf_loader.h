/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The BPF skeleton's lifecycle: check what the kernel offers, pick programs by probing
 * (never by version number), load, attach, fill the candidate names, and tear down.
 */
#ifndef LW_BPF_LOADER_H
#define LW_BPF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cgroup.h"
#include "kernel/track_filter.h"
#include "core/profiles.h"

struct bpf_map;
struct llmwatch_bpf;
struct ring_buffer;
struct lw_conn;

/*
 * Where the syscalls are hooked: fentry/fexit on their own x86-64 entry points where those
 * attach (no syscall tracepoint, so untraced syscalls pay nothing), or the syscall
 * tracepoints, which every syscall of the machine pays for once one is attached.
 */
enum bpf_loader_syscall_hooks {
	BPF_LOADER_SYSCALLS_AUTO = 0, /* fexit where it attaches, else tracepoints */
	BPF_LOADER_SYSCALLS_FEXIT,    /* fexit or fail */
	BPF_LOADER_SYSCALLS_TRACEPOINTS,
};

struct bpf_loader_opts {
	size_t ring_bytes;	/* ring-buffer size: a power of two >= page size */
	bool verbose;		/* libbpf's own messages on stderr */
	bool enter_tracepoints; /* pair enter and exit even where registers would do */
	bool cgroups_watched;	/* cgroup programs only where watched processes live */
	enum bpf_loader_syscall_hooks syscall_hooks;
};

struct bpf_loader {
	struct llmwatch_bpf *skel;
	int cgroup_fd;
	bool cgroups_watched;	/* see bpf_loader_watch_cgroup_of() */
	struct cgroup_links cg; /* with cgroups_watched: where the programs are */
	char cgroup_path[256];
	char hooks[512];   /* what is attached, for the startup line */
	char missing[512]; /* what the kernel lacks, for the warning */
	int nprogs_attached;
	bool kernel_file_hook;	/* fexit security_file_open is attached */
	bool kernel_sock_hooks; /* fentry security_socket_connect/bind are attached */
	bool detached;		/* bpf_loader_detach() has run */
	bool syscall_fexit;	/* the syscalls are hooked by fexit: no syscall tracepoint */
	/*
	 * Datagram flows start at the egress program, on sockets cgroup/sock_create marked
	 * (and those user space marks: bpf_loader_mark_sockets), not in sendmsg4/6.
	 */
	bool flow_egress;
	struct track_filter filter; /* the tracked map's filter, mapped (track_filter.h) */
	/*
	 * TCP connections are kept in their sockets' storage (bpf/net.bpf.h, lw_conn_sk), not
	 * in `conns`; iter_link walks them for the flush (bpf_loader_conns_iter).
	 */
	bool conn_sk;
	bool conn_sk_iter; /* and the iterator loads (else: LLMWATCH_CONN_SK=1, no flush) */
	/* the egress program that tests the socket's storage pointer first (lw_cg_egress_cast) */
	bool skb_cast;
	struct bpf_link *iter_link;
};

/* What the kernel offers below the syscall layer (see bpf_loader_probe_hooks). */
struct bpf_loader_probe {
	int file_err;	 /* 0 if fexit attaches to security_file_open, or -errno */
	int sock_err;	 /* 0 if fentry attaches to security_socket_connect/bind */
	bool lsm_bpf;	 /* "bpf" is in /sys/kernel/security/lsm */
	bool regs_args;	 /* bpf_task_pt_regs() is allowed where llmwatch needs it */
	bool task_stash; /* task storage is, too (used with regs_args) */
	int sys_err;	 /* 0 if fexit attaches to every hooked syscall's __x64_sys_*, or -errno */
	bool sock_storage;     /* cgroup sock programs may use socket storage: datagram flows
			    * start without sendmsg4/6 (bpf/net.bpf.h, lw_flow_egress) */
	bool sk_storage_close; /* tp_btf on inet_sock_set_state may read socket storage, */
	bool sk_storage_iter;  /* an iterator over it loads, with a compare-and-swap (5.12
				* on): TCP connections kept there (bpf/net.bpf.h, lw_conn_sk) */
	bool rdonly_cast;      /* the kernel has the bpf_rdonly_cast() kfunc (6.2 on) */
};

/*
 * Probes, without loading llmwatch's programs, which hooks below the syscall layer this
 * kernel lets attach: loads and attaches a two-instruction program on each target and
 * removes it. Needs root (anything else reads as -EPERM). Leaves nothing loaded.
 */
void bpf_loader_probe_hooks(struct bpf_loader_probe *p);

/*
 * Checks privileges and kernel support, then opens, loads and attaches everything the
 * kernel supports: the syscalls by fexit on their __x64_sys_* functions where probing
 * shows that attaches (opts->syscall_hooks may force either way), else by their
 * tracepoints (exit only, with the arguments from the saved registers, where
 * bpf_task_pt_regs() is allowed; else enter and exit, or fentry and fexit), and the
 * fentry/fexit programs on security_file_open and security_socket_connect/bind where
 * probing shows they attach. On failure prints one line naming what is missing and what to do,
 * leaves nothing attached, and returns -errno (-EPERM not root, -ENOENT no BTF or a
 * required hook, -ENOMEM locked-memory limit, other load errors as libbpf gives them).
 */
int bpf_loader_start(struct bpf_loader *l, const struct bpf_loader_opts *opts);

/* The maps whose size, or whether they exist, depends on the programs chosen. */
struct bpf_loader_maps {
	struct bpf_map *events;	    /* the ring buffer */
	struct bpf_map *stash;	    /* calls in flight, by pid_tgid */
	struct bpf_map *task_stash; /* the same in task storage */
	struct bpf_map *open_paths; /* the kernel's paths of opens in flight */
};

/*
 * Sizes the maps before load for the programs chosen (regs: arguments from the saved
 * registers; task: call state in task storage; kfile: the security_file_open hook): the
 * ring to ring_bytes, the stash to what the chosen path needs, task_stash left uncreated
 * unless used, open_paths to one entry without the hook. Part of bpf_loader_start(),
 * exposed for its test. Returns 0, or the first refusal's -errno (-E2BIG for a ring over
 * 4 GiB) after printing one line naming the map; the maps set before it stay set.
 */
int bpf_loader_size_maps(const struct bpf_loader_maps *m, size_t ring_bytes, bool regs, bool task,
			 bool kfile);

/* Puts each profile's candidate names in the kernel's candidate map. Returns 0 or -errno. */
int bpf_loader_set_candidates(struct bpf_loader *l, const struct profile_set *set);

/* Starts tracking pid as tool (user-space decision: /proc scan, --pid). Returns 0 or -errno. */
int bpf_loader_track(struct bpf_loader *l, uint32_t pid, uint16_t tool, uint16_t reason,
		     uint32_t root_pid);

/*
 * With --cgroups watched, attaches the cgroup programs to the cgroup pid lives in (unless
 * that cgroup or an ancestor has them); otherwise does nothing. Returns 0, -ESRCH if the
 * process is gone, or -errno.
 */
int bpf_loader_watch_cgroup_of(struct bpf_loader *l, uint32_t pid);

/*
 * With --cgroups watched, brings the attachments in line with where the tracked processes
 * live now (cgroup_links_sweep(): follows moves, detaches from cgroups left for
 * BPF_LOADER_CGROUP_IDLE_SWEEPS sweeps); otherwise does nothing. Returns how many attaches
 * failed, or -errno if the tracked processes could not be read.
 */
#define BPF_LOADER_CGROUP_IDLE_SWEEPS 2
int bpf_loader_sweep_cgroups(struct bpf_loader *l);

/* Stops tracking pid. */
void bpf_loader_untrack(struct bpf_loader *l, uint32_t pid);

/* Changes the tool of a tracked pid (a candidate confirmed as another profile). */
int bpf_loader_retool(struct bpf_loader *l, uint32_t pid, uint16_t tool);

/*
 * Sums the per-CPU loss counters into out[LW_LOSS_SLOTS]. Returns 0, or -errno of the first
 * slot that could not be read (it reads 0; the others are still summed).
 */
int bpf_loader_read_losses(struct bpf_loader *l, uint64_t *out);

/* File descriptors of the maps the monitor reads directly. */
int bpf_loader_events_fd(struct bpf_loader *l);
int bpf_loader_tracked_fd(struct bpf_loader *l);
int bpf_loader_conns_fd(struct bpf_loader *l);

/* The datagram-flow map's fd (struct lw_flow_key -> struct lw_flow), for the flush. */
int bpf_loader_flows_fd(struct bpf_loader *l);

/*
 * Where TCP connections are kept in socket storage (l->conn_sk): a file descriptor that
 * reads, as struct lw_rec_conn_bytes records (reason 0, time 0), the open connections pid
 * made (all if pid is 0), each marked reported as it is written, so its close reports
 * nothing more. Returns the fd (the caller closes it), -ENOENT where connections are kept
 * in `conns` instead (the flush walks that), -EOPNOTSUPP where no iterator loads
 * (LLMWATCH_CONN_SK=1), or -errno.
 */
int bpf_loader_conns_iter(struct bpf_loader *l, uint32_t pid);

/*
 * With flow_egress, marks the UDP sockets pid holds now as tool's (sock_marks_apply()), so
 * that a socket made before pid was watched, or before its cgroup had the programs, has
 * its datagrams seen; then clears pid's LW_FILTER_UNMARKED, unless a socket could not be
 * marked. Returns how many, 0 without flow_egress, -EIO when some could not be, or -errno.
 */
int bpf_loader_mark_sockets(struct bpf_loader *l, uint32_t pid, uint16_t tool);

/* Whether pid's filter byte says it may hold sockets not marked yet (LW_FILTER_UNMARKED). */
bool bpf_loader_sockets_unmarked(struct bpf_loader *l, uint32_t pid);

/*
 * With flow_egress, takes the marks off the UDP sockets pid made (sock_marks_forget()), for
 * a process found not to be a tool. Returns how many, 0 without flow_egress, or -errno.
 */
int bpf_loader_forget_sockets(struct bpf_loader *l, uint32_t pid);

/*
 * The datagram flows the storage of pid's UDP sockets counts (LW_SK_FLOW_READY; see
 * sock_flows_read()), each handed to fn. Returns how many, or -errno.
 */
int bpf_loader_sock_flows(struct bpf_loader *l, uint32_t pid,
			  void (*fn)(void *arg, uint64_t cookie, const struct lw_conn *conn),
			  void *arg);

/*
 * Adds n to the kernel's loss counter of (type, reason): for a loss user space finds when
 * the programs are detached (the stop), so that the summary counts it with the others.
 * Returns 0 or -errno.
 */
int bpf_loader_add_loss(struct bpf_loader *l, uint32_t type, uint32_t reason, uint64_t n);

/*
 * Detaches every program, and returns once none runs any more: the tracepoint, raw
 * tracepoint and cgroup links all at once from threads (their grace periods overlap), the
 * cgroup links of --cgroups watched, then the fentry/fexit links one after the other. The
 * maps stay, so the ring buffer can be drained of everything the programs wrote and the
 * connection table read. Every link is detached even when one fails; each failure is said
 * on stderr ("llmwatch: warning: detaching SECTION: ...") and the first one's -errno returned
 * (-ENOMEM: the links were left to bpf_loader_stop()). Calling it again does nothing.
 */
int bpf_loader_detach(struct bpf_loader *l);

/*
 * Detaches (if bpf_loader_detach() has not) and frees everything; safe on a loader that
 * failed to start.
 */
void bpf_loader_stop(struct bpf_loader *l);

#endif /* LW_BPF_LOADER_H */
