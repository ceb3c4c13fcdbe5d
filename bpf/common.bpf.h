/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps and helpers shared by every llmwatch BPF object. The maps are weak so that each
 * object can see them and `bpftool gen object` links them into one set in one skeleton.
 */
#ifndef LW_COMMON_BPF_H
#define LW_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "llmwatch/events.h"
#include "prof.bpf.h"

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define EEXIST 17
#define EINPROGRESS 115
#define TCP_CLOSE 7

#ifdef LW_DEBUG
#define lw_debug(fmt, ...) bpf_printk(fmt, ##__VA_ARGS__)
#else
#define lw_debug(fmt, ...) \
	do {               \
	} while (0)
#endif

/* Default sizes; user space resizes the tables and the ring before load. */
#define LW_TRACKED_MAX 16384
#define LW_STASH_MAX 16384
#define LW_CONN_MAX 65536
#define LW_CANDIDATES_MAX 256

/*
 * Tracked processes, key tgid. Decided here at exec (candidate name) and fork (inherited),
 * confirmed or removed by user space. Every program's first act is one lookup in it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_TRACKED_MAX);
	__type(key, __u32);
	__type(value, struct lw_tracked);
} tracked SEC(".maps") __weak;

/*
 * Which tgids `tracked` may hold, a byte each (llmwatch/events.h): the unwatched process's
 * answer costs one load from this array (inlined by the verifier, one page touched) instead
 * of a hash lookup (hashing, the table's header and a bucket): ~20 ns less on every traced
 * call of every process (docs/perf-notes.md). Sized by user space to kernel.pid_max.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LW_PID_LIMIT / LW_TRACK_FILTER_SPAN);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lw_track_filter_block);
} track_filter SEC(".maps") __weak;

/* Candidate executable names (comm, NUL padded to 16 bytes) -> profile id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_CANDIDATES_MAX);
	__type(key, char[LW_COMM_LEN]);
	__type(value, __u16);
} candidates SEC(".maps") __weak;

/* The ring buffer. Sized by user space (--ring-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps") __weak;

/* Per-CPU loss counters, index type * LW_LOSS_REASON_MAX + reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LW_LOSS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} losses SEC(".maps") __weak;

/* Connections of watched processes, key socket cookie; filled by the cgroup hooks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* one insert per connection, not per syscall: not worth 4 MiB made up front */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LW_CONN_MAX);
	__type(key, __u64);
	__type(value, struct lw_conn);
} conns SEC(".maps") __weak;

/*
 * The storage of each watched socket (struct lw_sock_conn): the packet hooks run for every
 * packet of the machine and test this first (NULL for every other socket); a TCP connection
 * is kept in it whole (lw_conn_sk). Freed with the socket.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lw_sock_conn);
} conn_marks SEC(".maps") __weak;

/*
 * A call in flight, for its exit, key pid_tgid (one syscall per thread at a time): with
 * enter tracepoints, the arguments saved at enter and what hooks inside the call added;
 * with the registers (lw_regs_args), only what hooks inside the call saw, made by the
 * first of them (and kept in task_stash instead where allowed). Private to the BPF side:
 * it never crosses the ring buffer.
 */
struct lw_stash {
	__u16 type; /* LW_REC_* of the syscall in flight */
	__u8 flags; /* LW_F_* found while reading the arguments (lw_rec_hdr.flags) */
	__u8 pad0;
	__s32 fd;
	__u64 uptr;    /* open: user pointer to the path */
	__u64 oflags;  /* open: flags */
	__u64 len;     /* send: bytes requested */
	__u32 mode;    /* open: mode */
	__s32 backlog; /* listen */
	__u16 is_openat2;
	__u16 unix_path_len;
	__u16 kflags;	 /* LW_STASH_*: what a hook below the syscall has filled in */
	__u16 addrlen;	 /* connect/bind with the kernel hooks: the caller's addrlen */
	__u16 sock_type; /* with LW_STASH_SOCK: the socket's type */
	__u16 tool;	 /* the process's profile id at enter: the exit needs no lookup */
	__u16 pad[2];
	__u64 cookie; /* with LW_STASH_SOCK: the socket's cookie */
	struct lw_sockaddr addr;
	char unix_path[LW_UNIX_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_STASH_MAX);
	__type(key, __u64);
	__type(value, struct lw_stash);
} stash SEC(".maps") __weak;

/*
 * The same per-thread entry in the thread's own storage (5.11 on; used with lw_regs_args
 * where the probes allow it): found through the task, not a hash, and never deleted, only
 * emptied (type 0), so a call costs no insert and no delete. Freed with the thread.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lw_stash);
} task_stash SEC(".maps") __weak;

/* lw_stash.kflags */
#define LW_STASH_KADDR (1u << 1) /* connect/bind: addr is the kernel's copy */
#define LW_STASH_SOCK (1u << 2)	 /* a cgroup hook filled in cookie and sock_type */

/*
 * The kernel's path of an open in flight, key pid_tgid: written by the security_file_open
 * hook, read and deleted by the syscall's exit. Entries live only in between, so a few
 * hundred cover every watched thread at once; a full table falls back to the caller's
 * string (and is counted). User space shrinks it to one entry when the hook is not loaded.
 */
#define LW_OPEN_PATHS_MAX 256

struct lw_kpath {
	char path[LW_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LW_OPEN_PATHS_MAX);
	__type(key, __u64);
	__type(value, struct lw_kpath);
} open_paths SEC(".maps") __weak;

/*
 * Zeroes to insert a new `open_paths` or `stash` entry from: never written, and as large as
 * the largest of those values (both are too large for the stack).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lw_kpath);
} zeroes SEC(".maps") __weak;

_Static_assert(sizeof(struct lw_kpath) >= sizeof(struct lw_stash), "zeroes covers a stash entry");

/*
 * Per-CPU scratch where large records are built, instead of the 512-byte stack. Only
 * programs that run in task context (tracepoints, cgroup sock_addr hooks) use it; those do
 * not nest on one CPU. Softirq-context programs build their records on the stack.
 */
union lw_scratch_rec {
	struct lw_rec_exec exec;
	struct lw_rec_open open;
	struct lw_rec_sock sock;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union lw_scratch_rec);
} scratch SEC(".maps") __weak;

/*
 * Wake the consumer only when pending data crosses this many bytes; below it, records wait
 * for the consumer's timer. A wakeup is a self-IPI costing microseconds per record on a VM
 * (+7-9 us on the test VM: docs/perf-notes.md), and waking while *above* the mark storms
 * once the consumer falls behind, so the test is on crossing it.
 */
#define LW_WAKEUP_BYTES (256 * 1024)

/*
 * Where the syscall programs take the caller's arguments from. User space sets this before
 * load, by probing: true when bpf_task_pt_regs() is allowed in the tracepoint and cgroup
 * sock_addr programs (5.15 on). Then the exit tracepoint alone reads them from the task's
 * saved user registers, which the kernel leaves as they were at entry, and no enter
 * tracepoint is attached: every process on the machine pays one tracepoint per call
 * instead of two. Hooks inside a call tell which syscall they are in from the same
 * registers. False: enter tracepoints save the arguments in `stash` for the exit.
 */
const volatile bool lw_regs_args __weak = false;

/* Whether the register path keeps its per-thread entries in task_stash (set before load). */
const volatile bool lw_task_stash __weak = false;

/*
 * Whether the fexit program on security_file_open is loaded (set before load): only then
 * can open_paths hold the kernel's path for an open's exit to look up.
 */
const volatile bool lw_file_hook __weak = false;

/* x86-64 syscall numbers, as in the registers' orig_ax (the build targets x86 only). */
#define LW_NR_CONNECT 42
#define LW_NR_SENDTO 44
#define LW_NR_SENDMSG 46
#define LW_NR_BIND 49
#define LW_NR_LISTEN 50
#define LW_NR_OPENAT 257
#define LW_NR_OPENAT2 437

/* The current task's saved user registers (only with lw_regs_args). */
static __always_inline struct pt_regs *lw_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/*
 * A syscall's arguments in its saved registers (x86-64: di, si, dx, r10, r8, r9), read
 * directly: bpf_task_pt_regs() returns a pointer the verifier trusts, where
 * PT_REGS_PARM*_CORE_SYSCALL() would call bpf_probe_read_kernel() for each register.
 */
#define LW_ARG1(regs) ((regs)->di)
#define LW_ARG2(regs) ((regs)->si)
#define LW_ARG3(regs) ((regs)->dx)
#define LW_ARG4(regs) ((regs)->r10)
#define LW_ARG5(regs) ((regs)->r8)
#define LW_ARG6(regs) ((regs)->r9)

/*
 * The saved user registers an __x64_sys_* function gets, from a fentry/fexit program's
 * context. Read, not loaded from the context: 5.10's BTF declares pt_regs there only
 * forward, and its verifier then refuses even to load the argument. NULL if unreadable
 * (then each read of a field through it fails and reads 0).
 */
static __always_inline struct pt_regs *lw_sys_regs(unsigned long long *ctx)
{
	struct pt_regs *regs = NULL;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): the pointer itself is what is read */
	bpf_probe_read_kernel(&regs, sizeof(regs), ctx);
	return regs;
}

/* The syscall the current task is in, from its saved registers (only with lw_regs_args). */
static __always_inline long lw_syscall_nr(void)
{
	return lw_user_regs()->orig_ax;
}

/*
 * The register path's per-thread entry of a call in flight (made by a hook inside the
 * call, read and dropped by the exit): in task_stash where allowed, else in stash.
 */
static __always_inline struct lw_stash *lw_call_find(__u64 id)
{
	struct lw_stash *st;

	if (!lw_task_stash)
		return bpf_map_lookup_elem(&stash, &id);
	st = bpf_task_storage_get(&task_stash, bpf_get_current_task_btf(), 0, 0);
	return st && st->type ? st : NULL;
}

/*
 * The entry of the call of type the current thread is in: the one an earlier hook of the
 * same call made, else a new, empty one. NULL if none can be had (the caller counts it).
 * With task storage, one lookup that creates: the entry outlives calls (an exit only marks
 * it unused), so a second lookup to find it first would be paid on nearly every call.
 */
static __always_inline struct lw_stash *lw_call_enter(__u64 id, __u16 type)
{
	struct lw_stash *st;
	__u32 zero = 0;
	void *z;

	if (lw_task_stash) {
		st = bpf_task_storage_get(&task_stash, bpf_get_current_task_btf(), 0,
					  BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (st && st->type != type) {
			__builtin_memset(st, 0, sizeof(*st));
			st->type = type;
		}
		return st;
	}
	st = bpf_map_lookup_elem(&stash, &id);
	if (st && st->type == type)
		return st;
	z = bpf_map_lookup_elem(&zeroes, &zero);
	if (!z || bpf_map_update_elem(&stash, &id, z, BPF_ANY))
		return NULL;
	st = bpf_map_lookup_elem(&stash, &id);
	if (st)
		st->type = type;
	return st;
}

static __always_inline void lw_call_drop(__u64 id, struct lw_stash *st)
{
	if (lw_task_stash)
		st->type = 0;
	else
		bpf_map_delete_elem(&stash, &id);
}

static __always_inline void lw_count_loss(__u32 type, __u32 reason)
{
	__u32 key = type * LW_LOSS_REASON_MAX + reason;
	__u64 *n;

	if (key >= LW_LOSS_SLOTS)
		return;
	n = bpf_map_lookup_elem(&losses, &key);
	if (n)
		*n += 1; /* per-CPU: no atomics needed */
}

/*
 * Whether tgid may have an entry in `tracked`: the filter answers for the tgids it covers,
 * a 0 there meaning no entry (every writer of `tracked` sets the byte before it inserts and
 * clears it after it deletes); past its end, or with a 1, only the map itself can say.
 */
static __always_inline bool lw_tracked_maybe(__u32 tgid)
{
	__u32 block = tgid / LW_TRACK_FILTER_SPAN;
	struct lw_track_filter_block *f = bpf_map_lookup_elem(&track_filter, &block);

	return !f || f->tracked[tgid % LW_TRACK_FILTER_SPAN];
}

/* tgid's filter byte (LW_FILTER_*); past the filter's end, LW_FILTER_TRACKED. */
static __always_inline __u8 lw_filter_byte(__u32 tgid)
{
	__u32 block = tgid / LW_TRACK_FILTER_SPAN;
	struct lw_track_filter_block *f = bpf_map_lookup_elem(&track_filter, &block);

	return f ? f->tracked[tgid % LW_TRACK_FILTER_SPAN] : LW_FILTER_TRACKED;
}

/* tgid's entry in `tracked`, or NULL: the filter first, then the map. */
static __always_inline struct lw_tracked *lw_tracked_get(__u32 tgid)
{
	if (!lw_tracked_maybe(tgid))
		return NULL;
	return bpf_map_lookup_elem(&tracked, &tgid);
}

/*
 * Sets tgid's filter byte to bits (LW_FILTER_*: before an insert into `tracked`), or to 0
 * after a delete.
 */
static __always_inline void lw_track_filter_set(__u32 tgid, __u8 bits)
{
	__u32 block = tgid / LW_TRACK_FILTER_SPAN;
	struct lw_track_filter_block *f = bpf_map_lookup_elem(&track_filter, &block);

	if (f)
		f->tracked[tgid % LW_TRACK_FILTER_SPAN] = bits;
}

static __always_inline struct lw_tracked *lw_tracked_current(__u32 *tgid_out)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	*tgid_out = tgid;
	return lw_tracked_get(tgid);
}

/*
 * The header of a record made in the context of the thread it is about (its tid, uid and
 * comm). Programs that may run in softirq or on another task, whose current thread is not
 * the record's, use lw_rec_hdr_init() alone. size is left 0 for lw_emit() to set.
 */
static __always_inline void lw_fill_hdr(struct lw_rec_hdr *h, __u16 type, __u16 tool, __u32 tgid)
{
	lw_rec_hdr_init(h, type, 0, tool, tgid, bpf_ktime_get_boot_ns());
	lw_prof_mark(LW_PROF_HDR_CLOCK);
	h->tid = (__u32)bpf_get_current_pid_tgid();
	h->uid = (__u32)bpf_get_current_uid_gid();
	lw_prof_mark(LW_PROF_HDR_IDS);
	/* fails only without a current task, and then leaves comm zeroed */
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	lw_prof_mark(LW_PROF_HDR_COMM);
}

static __always_inline __u64 lw_wakeup_flags(__u64 size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	if (avail < LW_WAKEUP_BYTES && avail + size >= LW_WAKEUP_BYTES)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * Sends size bytes of rec; size is clamped to max, the size of the record's type. wakeup:
 * 0 for the batched default (lw_wakeup_flags), or BPF_RB_FORCE_WAKEUP.
 */
static __always_inline void lw_emit_flags(void *rec, __u64 size, __u64 max, __u64 wakeup)
{
	struct lw_rec_hdr *h = rec;

	if (size > max)
		size = max;
	if (size < sizeof(*h))
		size = sizeof(*h);
	h->size = size;
	if (!wakeup)
		wakeup = lw_wakeup_flags(size);
	lw_prof_mark(LW_PROF_EMIT_QUERY);
	if (bpf_ringbuf_output(&events, rec, size, wakeup))
		lw_count_loss(h->type, LW_LOSS_RESERVE);
	lw_prof_mark(LW_PROF_EMIT_OUTPUT);
}

static __always_inline void lw_emit(void *rec, __u64 size, __u64 max)
{
	lw_emit_flags(rec, size, max, 0);
}

/*
 * The per-CPU scratch record. Index 0 of a per-CPU array always exists, so NULL is not
 * expected; callers still count it (LW_LOSS_LOOKUP) rather than drop a record silently.
 */
static __always_inline union lw_scratch_rec *lw_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

#endif /* LW_COMMON_BPF_H */
