// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Socket calls of watched processes at the syscall layer: connect, bind, listen and
 * datagram sends (sendto, sendmsg), reported at the exit so results are known; the arguments
 * from the saved registers, or, before 5.15, saved by enter tracepoints.
 */
#include "net.bpf.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* The socket behind fd in the current task, or NULL if fd is not a socket. */
static __always_inline struct sock *lw_fd_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	struct socket *sock;
	unsigned int max;
	umode_t mode;

	if (!fdt || fd < 0)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned int)fd >= max)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): f is the pointer fds[fd] holds */
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, sk);
}

static __always_inline __u64 lw_sock_cookie(struct sock *sk)
{
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_cookie.counter) : 0;
}

/* The local address a socket is bound to. */
static __always_inline void lw_sock_local(struct sock *sk, struct lw_sockaddr *a)
{
	a->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	a->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (a->family == AF_INET) {
		__u32 ip = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(a->addr, &ip, 4);
	} else if (a->family == AF_INET6) {
		BPF_CORE_READ_INTO(a->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	}
}

/* The address a socket is connected to (its peer). */
static __always_inline void lw_sock_peer(struct sock *sk, struct lw_sockaddr *a)
{
	a->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	a->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (a->family == AF_INET) {
		__u32 ip = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(a->addr, &ip, 4);
	} else if (a->family == AF_INET6) {
		BPF_CORE_READ_INTO(a->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/*
 * Whether the socket behind fd has no `conn_marks` storage, so that the egress program
 * counts none of its datagrams (LW_FILTER_UNMARKED). Read through the socket's storage
 * cache slot for that map: a slot another map's storage took reads as unmarked, and the
 * datagram is then reported twice (here and in its flow), never lost. Not a socket: false.
 */
static __always_inline bool lw_fd_unmarked(int fd)
{
	struct bpf_local_storage_map *smap = (struct bpf_local_storage_map *)&conn_marks;
	struct sock *sk = lw_fd_sock(fd);
	struct bpf_local_storage_data *d = NULL;
	struct bpf_local_storage *st;
	__u16 idx;

	if (!sk)
		return false;
	st = BPF_CORE_READ(sk, sk_bpf_storage);
	if (!st)
		return true;
	idx = smap->cache_idx; /* a direct read: the verifier gives a map's fields by BTF */
	if (idx >= bpf_core_field_size(st->cache) / sizeof(void *))
		return true;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): d is the pointer the slot holds */
	if (bpf_probe_read_kernel(&d, sizeof(d), &st->cache[idx]) || !d)
		return true;
	return (void *)BPF_CORE_READ(d, smap) != (void *)smap;
}

/* ---- syscall enter: save the arguments (kernels without bpf_task_pt_regs) ------------ */

static __always_inline int lw_sock_enter(__u16 tool, __u16 type, int fd, const void *uaddr,
					 __u32 addrlen, __u64 len, int backlog)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct lw_stash *st;

	/*
	 * The stash value is too large for the stack, so start from the scratch record area
	 * (task context, no nesting) and copy it into the stash map.
	 */
	st = bpf_map_lookup_elem(&scratch, &zero);
	if (!st) {
		lw_count_loss(type, LW_LOSS_LOOKUP);
		return 0;
	}
	__builtin_memset(st, 0, sizeof(*st));
	st->type = type;
	st->tool = tool;
	st->fd = fd;
	st->len = len;
	st->backlog = backlog;
	/*
	 * The address is not read here: a hook inside the call (cgroup sock_addr, or fentry on
	 * security_socket_connect/bind) hands over the kernel's own copy, which no racing
	 * thread can change. Only when none ran (AF_UNIX, a call that failed first) does the
	 * exit read the caller's memory, from where it was.
	 */
	st->uptr = (__u64)uaddr;
	st->addrlen = addrlen > 0xffff ? 0xffff : addrlen;
	if (bpf_map_update_elem(&stash, &id, st, BPF_ANY))
		lw_count_loss(type, LW_LOSS_MAP);
	return 0;
}

/* lw_sock_enter() for the current process, if it is tracked: one lookup for all others. */
static __always_inline int lw_sock_enter_tracked(__u16 type, int fd, const void *uaddr,
						 __u32 addrlen, __u64 len, int backlog)
{
	struct lw_tracked *t;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	return lw_sock_enter(t->tool, type, fd, uaddr, addrlen, len, backlog);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int lw_connect_enter(struct trace_event_raw_sys_enter *ctx)
{
	return lw_sock_enter_tracked(LW_REC_CONNECT, ctx->args[0], (void *)ctx->args[1],
				     ctx->args[2], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_bind")
int lw_bind_enter(struct trace_event_raw_sys_enter *ctx)
{
	return lw_sock_enter_tracked(LW_REC_BIND, ctx->args[0], (void *)ctx->args[1], ctx->args[2],
				     0, 0);
}

SEC("tracepoint/syscalls/sys_enter_listen")
int lw_listen_enter(struct trace_event_raw_sys_enter *ctx)
{
	return lw_sock_enter_tracked(LW_REC_LISTEN, ctx->args[0], NULL, 0, 0, ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int lw_sendto_enter(struct trace_event_raw_sys_enter *ctx)
{
	/* no destination: a connected socket, whose bytes the connection's count has */
	if (!ctx->args[4])
		return 0;
	return lw_sock_enter_tracked(LW_REC_SEND, ctx->args[0], (void *)ctx->args[4], ctx->args[5],
				     ctx->args[2], 0);
}

/* sendmsg's enter, from its arguments: the header is in the caller's memory. */
static __always_inline int lw_sendmsg_enter_args(int fd, const void *umsg)
{
	struct user_msghdr msg = {};
	struct lw_tracked *t;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	if (bpf_probe_read_user(&msg, sizeof(msg), umsg)) {
		/* the kernel will fail the call (EFAULT) too: nothing is sent */
		lw_count_loss(LW_REC_SEND, LW_LOSS_READ);
		return 0;
	}
	if (!msg.msg_name)
		return 0;
	return lw_sock_enter(t->tool, LW_REC_SEND, fd, msg.msg_name, msg.msg_namelen, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int lw_sendmsg_enter(struct trace_event_raw_sys_enter *ctx)
{
	return lw_sendmsg_enter_args(ctx->args[0], (const void *)ctx->args[1]);
}

/* ---- syscall exit: emit with the result ---------------------------------------------- */

/* What the exit needs of a socket call's arguments, from the registers or from the stash. */
struct lw_sock_args {
	__u16 tool;
	__s32 fd;
	__u64 uptr; /* the caller's sockaddr */
	__u32 addrlen;
	__u64 len;     /* send: bytes requested */
	__s32 backlog; /* listen */
	bool unmarked; /* send: on a socket the egress program does not count (lw_fd_unmarked) */
};

/*
 * With the flows started by the egress program (lw_flow_egress), a UDP datagram that went
 * out is that program's to report (its flow's first, or counted): whether this send is one.
 * The exits keep the failures, DNS queries (one record each) and the other families' sends.
 * Only the family and port are read here.
 */
static __always_inline bool lw_send_is_flows(const struct lw_sock_args *a, long ret)
{
	__u16 fp[2];

	if (!lw_flow_egress || ret < 0 || a->addrlen < 4)
		return false;
	return !bpf_probe_read_user(fp, sizeof(fp), (void *)a->uptr) &&
	       (fp[0] == AF_INET || fp[0] == AF_INET6) && fp[1] != bpf_htons(53);
}

/*
 * Emits the record of a socket call that returned ret. st holds what hooks inside the call
 * handed over (the kernel's copy of the address, the socket), if its kflags say so.
 */
static __always_inline void lw_sock_emit(__u16 type, const struct lw_sock_args *a,
					 const struct lw_stash *st, long ret, __u64 id)
{
	union lw_scratch_rec *s;
	struct lw_rec_sock *r;
	struct sock *sk;

	if (type == LW_REC_LISTEN) {
		struct lw_rec_listen l = {};

		lw_fill_hdr(&l.hdr, LW_REC_LISTEN, a->tool, id >> 32);
		l.fd = a->fd;
		l.ret = ret;
		l.backlog = a->backlog;
		sk = lw_fd_sock(a->fd);
		if (sk)
			lw_sock_local(sk, &l.local);
		lw_emit(&l, sizeof(l), sizeof(l));
		return;
	}
	/* a datagram its flow counts: reported in the flow's record, unless it failed */
	if (type == LW_REC_SEND && (st->kflags & LW_STASH_FLOW_OLD) && ret >= 0)
		return;
	s = lw_scratch();
	if (!s) {
		lw_count_loss(type, LW_LOSS_LOOKUP);
		return;
	}
	r = &s->sock;
	lw_prof_mark(LW_PROF_PREP);
	lw_fill_hdr(&r->hdr, type, a->tool, id >> 32);
	__builtin_memset(&r->addr, 0, sizeof(r->addr));
	r->unix_path_len = 0;
	if (st->kflags & LW_STASH_KADDR) {
		r->hdr.flags = st->flags;
		r->addr = st->addr;
		/* only a unix socket's record carries the path (see the size below) */
		if (st->addr.family == AF_UNIX) {
			r->unix_path_len = st->unix_path_len;
			__builtin_memcpy(r->unix_path, st->unix_path, sizeof(r->unix_path));
		}
	} else {
		/* no hook inside the call saw the address: only the caller's copy is left */
		struct lw_addr_dst d = { &r->addr, r->unix_path, &r->unix_path_len, &r->hdr.flags };

		lw_read_sockaddr(&d, type, (void *)a->uptr, a->addrlen, true);
	}
	/*
	 * A send without a destination is a connected socket: its bytes are counted per conn,
	 * or by its flow, unless nothing marked the socket: then it is its peer's datagram.
	 */
	if (type == LW_REC_SEND && !r->addr.family && !(r->hdr.flags & LW_F_READ_FAILED)) {
		sk = a->unmarked ? lw_fd_sock(a->fd) : NULL;
		if (!sk)
			return;
		lw_sock_peer(sk, &r->addr);
	}
	if (st->kflags & LW_STASH_FLOW_NEW)
		r->hdr.flags |= LW_F_FLOW_FIRST;
	r->fd = a->fd;
	r->ret = ret;
	r->bytes = type == LW_REC_SEND ? (ret >= 0 ? ret : a->len) : 0;
	if (st->kflags & LW_STASH_SOCK) {
		r->cookie = st->cookie;
		r->sock_type = st->sock_type;
	} else {
		/* no cgroup hook ran (AF_UNIX, an early failure): ask the fd table */
		sk = lw_fd_sock(a->fd);
		r->cookie = lw_sock_cookie(sk);
		r->sock_type = sk ? BPF_CORE_READ(sk, sk_type) : 0;
		/*
		 * An inet TCP or UDP connect that went ahead passes the cgroup connect hook; if
		 * it did not, the hook is not attached to this process's cgroup (yet): the
		 * connection's bytes and name will be missing, so say so.
		 */
		if (type == LW_REC_CONNECT &&
		    (r->addr.family == AF_INET || r->addr.family == AF_INET6) &&
		    (r->sock_type == SOCK_STREAM || r->sock_type == SOCK_DGRAM) &&
		    (ret == 0 || ret == -EINPROGRESS))
			lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_UNHOOKED);
	}
	r->pad = 0;
	lw_prof_mark(LW_PROF_BODY);
	/* records are sized to what they carry: only a unix socket has a path */
	if (r->addr.family != AF_UNIX)
		lw_emit(r, offsetof(struct lw_rec_sock, unix_path), sizeof(*r));
	else
		lw_emit(r, sizeof(*r), sizeof(*r));
}

/* The arguments saved at enter (kernels without bpf_task_pt_regs). */
static __always_inline int lw_sock_exit_stash(__u16 type, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct lw_stash *st = bpf_map_lookup_elem(&stash, &id);
	struct lw_sock_args a = {};

	if (!st)
		return 0;
	/* a stash entry exists only for a tracked process: the tool came with it */
	if (st->type == type) {
		a.tool = st->tool;
		a.fd = st->fd;
		a.uptr = st->uptr;
		a.addrlen = st->addrlen;
		a.len = st->len;
		a.backlog = st->backlog;
		if (type == LW_REC_SEND && lw_flow_egress &&
		    (!a.uptr || lw_send_is_flows(&a, ret))) {
			a.unmarked = (lw_filter_byte(id >> 32) & LW_FILTER_UNMARKED) && ret >= 0 &&
				     lw_fd_unmarked(a.fd);
			if (!a.unmarked)
				goto out;
		}
		lw_sock_emit(type, &a, st, ret, id);
	}
out:
	bpf_map_delete_elem(&stash, &id);
	return 0;
}

/*
 * The arguments from the saved registers: the only lookup an unwatched process pays is the
 * filter's byte. A stash entry exists only if a hook inside this call made one.
 */
static __always_inline int lw_sock_exit_regs(__u16 type, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct lw_sock_args a = {};
	struct lw_tracked *t;
	struct pt_regs *regs;
	struct lw_stash *st;
	__u8 filter = lw_filter_byte(tgid);

	if (!filter)
		return 0;
	lw_prof_start();
	regs = lw_user_regs();
	a.fd = LW_ARG1(regs);
	if (type == LW_REC_CONNECT || type == LW_REC_BIND) {
		a.uptr = LW_ARG2(regs);
		a.addrlen = LW_ARG3(regs);
	} else if (type == LW_REC_LISTEN) {
		a.backlog = LW_ARG2(regs);
	} else if (regs->orig_ax == LW_NR_SENDTO) {
		a.len = LW_ARG3(regs);
		a.uptr = LW_ARG5(regs);
		a.addrlen = LW_ARG6(regs);
	} else {
		struct user_msghdr msg = {};

		/*
		 * Read after the call: the kernel has its own copy. A failure most likely means
		 * the call failed with EFAULT too, but counted, as at enter: if it did not (a
		 * thread unmapped the header since), a send went unreported.
		 */
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)LW_ARG2(regs))) {
			lw_count_loss(LW_REC_SEND, LW_LOSS_READ);
			return 0;
		}
		a.uptr = (__u64)msg.msg_name;
		a.addrlen = msg.msg_namelen;
	}
	/*
	 * No destination: a connected socket, whose bytes the connection's count has. A
	 * datagram the egress program reports is left before the lookups of `tracked` and of
	 * the call's entry (no hook inside a send makes one then: no sendmsg hook is attached):
	 * they were a third of a watched datagram's cost in this exit. For an unwatched process
	 * whose filter byte is set (a failed insert), nothing is reported either way.
	 */
	if (type == LW_REC_SEND && (!a.uptr || lw_send_is_flows(&a, ret))) {
		/* until user space has marked the sockets it held before it was watched */
		a.unmarked = (filter & LW_FILTER_UNMARKED) && ret >= 0 && lw_fd_unmarked(a.fd);
		if (!a.unmarked)
			return 0;
	}
	t = bpf_map_lookup_elem(&tracked, &tgid);
	if (!t)
		return 0;
	a.tool = t->tool;
	st = lw_call_find(id);
	if (st && st->type == type) {
		lw_sock_emit(type, &a, st, ret, id);
	} else {
		/* nothing handed over: an empty entry (no flags) says so */
		__u32 zero = 0;
		struct lw_stash *none = bpf_map_lookup_elem(&zeroes, &zero);

		if (none)
			lw_sock_emit(type, &a, none, ret, id);
		else
			lw_count_loss(type, LW_LOSS_LOOKUP);
	}
	if (st)
		lw_call_drop(id, st);
	lw_prof_mark(LW_PROF_DROP);
	lw_prof_end();
	return 0;
}

static __always_inline int lw_sock_exit(__u16 type, long ret)
{
	return lw_regs_args ? lw_sock_exit_regs(type, ret) : lw_sock_exit_stash(type, ret);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int lw_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_sock_exit(LW_REC_CONNECT, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_bind")
int lw_bind_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_sock_exit(LW_REC_BIND, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_listen")
int lw_listen_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_sock_exit(LW_REC_LISTEN, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int lw_sendto_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_sock_exit(LW_REC_SEND, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int lw_sendmsg_exit(struct trace_event_raw_sys_exit *ctx)
{
	return lw_sock_exit(LW_REC_SEND, ctx->ret);
}

/* ---- no syscall tracepoint: fentry/fexit on the syscalls' own entry points ------------- */

/*
 * The same enter and exit as the tracepoints above, on the x86-64 syscall functions
 * themselves, where fentry/fexit attach (user space chooses one set or the other; see
 * files.bpf.c for why), their argument the caller's saved user registers, their result the
 * syscall's. The enters are attached only without lw_regs_args (5.10).
 */
/* An enter from the saved registers, one lookup for an untracked process. */
static __always_inline int lw_sock_fentry(unsigned long long *ctx, __u16 type)
{
	struct lw_tracked *t;
	struct pt_regs *regs;
	__u64 uaddr;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	regs = lw_sys_regs(ctx);
	switch (type) {
	case LW_REC_LISTEN:
		return lw_sock_enter(t->tool, type, BPF_CORE_READ(regs, di), NULL, 0, 0,
				     BPF_CORE_READ(regs, si));
	case LW_REC_SEND:
		uaddr = BPF_CORE_READ(regs, r8);
		/* no destination: a connected socket, whose bytes the connection's count has */
		if (!uaddr)
			return 0;
		return lw_sock_enter(t->tool, type, BPF_CORE_READ(regs, di), (void *)uaddr,
				     BPF_CORE_READ(regs, r9), BPF_CORE_READ(regs, dx), 0);
	default: /* connect, bind */
		return lw_sock_enter(t->tool, type, BPF_CORE_READ(regs, di),
				     (void *)BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx), 0,
				     0);
	}
}

SEC("fentry/__x64_sys_connect")
int lw_connect_fentry(unsigned long long *ctx)
{
	return lw_sock_fentry(ctx, LW_REC_CONNECT);
}

SEC("fentry/__x64_sys_bind")
int lw_bind_fentry(unsigned long long *ctx)
{
	return lw_sock_fentry(ctx, LW_REC_BIND);
}

SEC("fentry/__x64_sys_listen")
int lw_listen_fentry(unsigned long long *ctx)
{
	return lw_sock_fentry(ctx, LW_REC_LISTEN);
}

SEC("fentry/__x64_sys_sendto")
int lw_sendto_fentry(unsigned long long *ctx)
{
	return lw_sock_fentry(ctx, LW_REC_SEND);
}

SEC("fentry/__x64_sys_sendmsg")
int lw_sendmsg_fentry(unsigned long long *ctx)
{
	struct pt_regs *regs = lw_sys_regs(ctx);

	return lw_sendmsg_enter_args(BPF_CORE_READ(regs, di),
				     (const void *)BPF_CORE_READ(regs, si));
}

/* ctx[1]: the result, after the one argument (the registers) */
SEC("fexit/__x64_sys_connect")
int lw_connect_fexit(unsigned long long *ctx)
{
	return lw_sock_exit(LW_REC_CONNECT, (long)ctx[1]);
}

SEC("fexit/__x64_sys_bind")
int lw_bind_fexit(unsigned long long *ctx)
{
	return lw_sock_exit(LW_REC_BIND, (long)ctx[1]);
}

SEC("fexit/__x64_sys_listen")
int lw_listen_fexit(unsigned long long *ctx)
{
	return lw_sock_exit(LW_REC_LISTEN, (long)ctx[1]);
}

SEC("fexit/__x64_sys_sendto")
int lw_sendto_fexit(unsigned long long *ctx)
{
	return lw_sock_exit(LW_REC_SEND, (long)ctx[1]);
}

SEC("fexit/__x64_sys_sendmsg")
int lw_sendmsg_fexit(unsigned long long *ctx)
{
	return lw_sock_exit(LW_REC_SEND, (long)ctx[1]);
}
