// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Network activity of watched processes: connect, bind, listen and datagram sends at the
 * syscall layer (at the exit, so results are known; the arguments from the saved registers,
 * or, before 5.15, saved by enter tracepoints), cgroup sock_addr hooks that see what
 * bypasses the syscalls (io_uring), and per-connection byte counts from cgroup_skb.
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>

#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* A read of the caller's (user) or the kernel's memory; user is a constant at each use. */
#define lw_read(dst, size, src, user)                                                   \
	((user) ? bpf_probe_read_user(dst, size, src) : bpf_probe_read_kernel(dst, size, src))

/* ---- reading arguments ------------------------------------------------------------- */

/* Where lw_read_sockaddr() puts what it decodes: fields of a stash entry or of a record. */
struct lw_addr_dst {
	struct lw_sockaddr *addr;
	char *unix_path;	/* LW_UNIX_PATH_MAX bytes */
	__u16 *unix_path_len;
	__u8 *flags;		/* gets LW_F_READ_FAILED */
};

/*
 * Decodes a sockaddr, in user memory or (user false) in the kernel's, into d; what cannot
 * be read is flagged and counted.
 */
static __always_inline void lw_read_sockaddr(const struct lw_addr_dst *d, __u16 type,
					     const void *uaddr, __u32 addrlen, const bool user)
{
	__u16 family = 0;

	if (!uaddr || addrlen < sizeof(family))
		return;
	if (lw_read(&family, sizeof(family), uaddr, user))
		goto fail;
	d->addr->family = family;
	if (family == AF_INET) {
		struct sockaddr_in sin;

		if (addrlen < sizeof(sin) || lw_read(&sin, sizeof(sin), uaddr, user))
			goto fail;
		d->addr->port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(d->addr->addr, &sin.sin_addr, 4);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 sin6;

		/* the scope id is optional in a 24-byte sockaddr_in6 */
		if (addrlen < 24 || lw_read(&sin6, 24, uaddr, user))
			goto fail;
		if (addrlen >= sizeof(sin6))
			lw_read(&sin6.sin6_scope_id, 4, (const char *)uaddr + 24, user);
		else
			sin6.sin6_scope_id = 0;
		d->addr->port = bpf_ntohs(sin6.sin6_port);
		d->addr->scope_id = sin6.sin6_scope_id;
		__builtin_memcpy(d->addr->addr, &sin6.sin6_addr, 16);
	} else if (family == AF_UNIX) {
		__u64 n = addrlen - sizeof(family);

		/*
		 * n = min(n, LW_UNIX_PATH_MAX), in asm so the verifier sees the bound on the very
		 * register passed to the helper (clang may compare a copy, and 5.10 does not carry
		 * the bound back): the read stays inside the field, stash entry or scratch area.
		 */
		asm volatile("if %[n] <= %[max] goto 1f\n\t%[n] = %[max]\n1:"
			     : [n] "+r"(n)
			     : [max] "i"(LW_UNIX_PATH_MAX));
		if (n && lw_read(d->unix_path, n, (const char *)uaddr + sizeof(family), user))
			goto fail;
		/* a filesystem path ends at its NUL; an abstract name (leading NUL) uses n */
		if (n && d->unix_path[0]) {
			__u32 i;

			for (i = 0; i < LW_UNIX_PATH_MAX; i++) {
				if (i >= n || !d->unix_path[i])
					break;
			}
			n = i;
		}
		*d->unix_path_len = n;
	}
	return;
fail:
	*d->flags |= LW_F_READ_FAILED;
	lw_count_loss(type, LW_LOSS_READ);
}

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
	if (!st)
		return 0;
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
	return lw_sock_enter_tracked(LW_REC_BIND, ctx->args[0], (void *)ctx->args[1],
				     ctx->args[2], 0, 0);
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
	return lw_sock_enter_tracked(LW_REC_SEND, ctx->args[0], (void *)ctx->args[4],
				     ctx->args[5], ctx->args[2], 0);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int lw_sendmsg_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct user_msghdr msg = {};
	struct lw_tracked *t;
	__u32 tgid;

	t = lw_tracked_current(&tgid);
	if (!t)
		return 0;
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)ctx->args[1])) {
		/* the kernel will fail the call (EFAULT) too: nothing is sent */
		lw_count_loss(LW_REC_SEND, LW_LOSS_READ);
		return 0;
	}
	if (!msg.msg_name)
		return 0;
	return lw_sock_enter(t->tool, LW_REC_SEND, ctx->args[0], msg.msg_name, msg.msg_namelen,
			     0, 0);
}

/* ---- syscall exit: emit with the result ---------------------------------------------- */

/* What the exit needs of a socket call's arguments, from the registers or from the stash. */
struct lw_sock_args {
	__u16 tool;
	__s32 fd;
	__u64 uptr;		/* the caller's sockaddr */
	__u32 addrlen;
	__u64 len;		/* send: bytes requested */
	__s32 backlog;		/* listen */
};

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
	s = lw_scratch();
	if (!s)
		return;
	r = &s->sock;
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
	/* a send without a destination is a connected socket: its bytes are counted per conn */
	if (type == LW_REC_SEND && !r->addr.family && !(r->hdr.flags & LW_F_READ_FAILED))
		return;
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
		lw_sock_emit(type, &a, st, ret, id);
	}
	bpf_map_delete_elem(&stash, &id);
	return 0;
}

/*
 * The arguments from the saved registers: the only lookup an unwatched process pays. A
 * stash entry exists only if a hook inside this call made one.
 */
static __always_inline int lw_sock_exit_regs(__u16 type, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct lw_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);
	struct lw_sock_args a = {};
	struct pt_regs *regs;
	struct lw_stash *st;

	if (!t)
		return 0;
	regs = lw_user_regs();
	a.tool = t->tool;
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

		/* read after the call: the kernel has its own copy; a failure means EFAULT */
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)LW_ARG2(regs)))
			return 0;
		a.uptr = (__u64)msg.msg_name;
		a.addrlen = msg.msg_namelen;
	}
	/* no destination: a connected socket, whose bytes the connection's count has */
	if (type == LW_REC_SEND && !a.uptr)
		return 0;
	st = lw_call_find(id);
	if (st && st->type == type) {
		lw_sock_emit(type, &a, st, ret, id);
	} else {
		/* nothing handed over: an empty entry (no flags) says so */
		__u32 zero = 0;
		struct lw_stash *none = bpf_map_lookup_elem(&zeroes, &zero);

		if (none)
			lw_sock_emit(type, &a, none, ret, id);
	}
	if (st)
		lw_call_drop(id, st);
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

/* ---- hooks inside a call ------------------------------------------------------------- */

enum lw_in_call {
	LW_OUTSIDE,	/* not inside a watched syscall of this type: the hook reports it */
	LW_INSIDE,	/* inside one: *stp is its stash entry, for the exit to report */
	LW_INSIDE_LOST,	/* inside one, but no stash entry could be made (counted) */
};

/*
 * Whether the current thread is inside the syscall of this type that an exit tracepoint
 * will report, and its stash entry. With the registers, the syscall number says so, and
 * the first hook of the call makes the entry; otherwise the enter made it.
 */
static __always_inline enum lw_in_call lw_call_stash(__u16 type, __u64 id, struct lw_stash **stp)
{
	struct lw_stash *st;

	if (!lw_regs_args) {
		st = bpf_map_lookup_elem(&stash, &id);
		*stp = st;
		return st && st->type == type ? LW_INSIDE : LW_OUTSIDE;
	}
	switch (lw_syscall_nr()) {
	case LW_NR_CONNECT:
		if (type != LW_REC_CONNECT)
			return LW_OUTSIDE;
		break;
	case LW_NR_BIND:
		if (type != LW_REC_BIND)
			return LW_OUTSIDE;
		break;
	case LW_NR_SENDTO:
	case LW_NR_SENDMSG:
		if (type != LW_REC_SEND)
			return LW_OUTSIDE;
		break;
	default:
		return LW_OUTSIDE;
	}
	st = lw_call_enter(id, type);
	*stp = st;
	if (st)
		return LW_INSIDE;
	/* the exit reads the caller's copy of the address instead */
	lw_count_loss(type, LW_LOSS_MAP);
	return LW_INSIDE_LOST;
}

/* ---- fentry on security_socket_connect/bind: the kernel's copy of the address -------- */

/*
 * Runs inside connect(2)/bind(2) once the kernel has copied the address from the caller: the
 * record then carries the address the kernel used, and the caller's memory is not read a
 * second time (nor changed by a racing thread in between). Outside a watched connect or
 * bind syscall (io_uring) it does nothing: the cgroup hooks below report those.
 */
static __always_inline int lw_sock_kaddr(__u16 type, struct sockaddr *address, int addrlen)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct lw_stash *st;
	struct lw_addr_dst d;

	if (addrlen < 0 || !bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	if (lw_call_stash(type, id, &st) != LW_INSIDE || (st->kflags & LW_STASH_KADDR))
		return 0;
	__builtin_memset(&st->addr, 0, sizeof(st->addr));
	st->unix_path_len = 0;
	st->flags &= ~LW_F_READ_FAILED;
	d.addr = &st->addr;
	d.unix_path = st->unix_path;
	d.unix_path_len = &st->unix_path_len;
	d.flags = &st->flags;
	lw_read_sockaddr(&d, type, address, addrlen, false);
	st->kflags |= LW_STASH_KADDR;
	return 0;
}

SEC("fentry/security_socket_connect")
int BPF_PROG(lw_connect_kaddr, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return lw_sock_kaddr(LW_REC_CONNECT, address, addrlen);
}

SEC("fentry/security_socket_bind")
int BPF_PROG(lw_bind_kaddr, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return lw_sock_kaddr(LW_REC_BIND, address, addrlen);
}

/* ---- cgroup sock_addr hooks: below the syscall layer --------------------------------- */

/* v6 is a constant: a connect4 program may not even read the user_ip6 fields. */
static __always_inline void lw_ctx_addr(struct bpf_sock_addr *ctx, struct lw_sockaddr *a,
					const bool v6)
{
	a->family = v6 ? AF_INET6 : AF_INET;
	a->port = bpf_ntohs(ctx->user_port);
	if (!v6) {
		__u32 ip = ctx->user_ip4;

		__builtin_memcpy(a->addr, &ip, 4);
	} else {
		__u32 ip6[4];

		ip6[0] = ctx->user_ip6[0];
		ip6[1] = ctx->user_ip6[1];
		ip6[2] = ctx->user_ip6[2];
		ip6[3] = ctx->user_ip6[3];
		__builtin_memcpy(a->addr, ip6, 16);
	}
}

/*
 * Called inside connect/bind/sendmsg of any socket in the cgroup tree. When the watched
 * thread is inside the matching syscall, the tracepoints report it; otherwise the call came
 * from elsewhere (io_uring) and this hook is the only witness, so it emits the record.
 */
static __always_inline int lw_sock_addr_hook(struct bpf_sock_addr *ctx, __u16 type, const bool v6)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct lw_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);
	struct lw_stash *st;
	union lw_scratch_rec *s;
	struct lw_rec_sock *r;
	__u64 cookie;

	if (!t)
		return 1;
	cookie = bpf_get_socket_cookie(ctx);
	/*
	 * Remember the connection for byte counting and naming. An unconnected datagram to
	 * port 53 is a DNS query: remember its socket too, so the answer is captured.
	 */
	if (type == LW_REC_CONNECT || (type == LW_REC_SEND && ctx->user_port == bpf_htons(53))) {
		struct lw_conn c = {};

		c.pid = tgid;
		c.tool = t->tool;
		lw_ctx_addr(ctx, &c.daddr, v6);
		if (c.daddr.port == 53)
			c.flags = LW_CONN_DNS;
		/* a socket that sends many queries keeps one entry */
		if (bpf_map_update_elem(&conns, &cookie, &c,
					type == LW_REC_SEND ? BPF_NOEXIST : BPF_ANY) &&
		    type == LW_REC_CONNECT)
			lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		/* mark the socket itself, so the packet hooks skip every other socket cheaply */
		if (!bpf_sk_storage_get(&conn_marks, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE))
			lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
	}
	switch (lw_call_stash(type, id, &st)) {
	case LW_INSIDE:
		/*
		 * The syscall's exit reports it; hand it the kernel's copy of the address and
		 * what would otherwise cost a walk of the fd table.
		 */
		if (!(st->kflags & LW_STASH_KADDR)) {
			lw_ctx_addr(ctx, &st->addr, v6);
			st->kflags |= LW_STASH_KADDR;
		}
		st->cookie = cookie;
		st->sock_type = ctx->type;
		st->kflags |= LW_STASH_SOCK;
		return 1;
	case LW_INSIDE_LOST:
		return 1;
	case LW_OUTSIDE:
		break;
	}
	s = lw_scratch();
	if (!s)
		return 1;
	r = &s->sock;
	__builtin_memset(r, 0, sizeof(*r));
	lw_fill_hdr(&r->hdr, type, t->tool, tgid);
	r->hdr.flags = LW_F_CGROUP_HOOK;
	r->fd = -1;
	r->cookie = cookie;
	r->sock_type = ctx->type;
	lw_ctx_addr(ctx, &r->addr, v6);
	lw_emit(r, offsetof(struct lw_rec_sock, unix_path), sizeof(*r));
	return 1;
}

SEC("cgroup/connect4")
int lw_cg_connect4(struct bpf_sock_addr *ctx)
{
	return lw_sock_addr_hook(ctx, LW_REC_CONNECT, false);
}

SEC("cgroup/connect6")
int lw_cg_connect6(struct bpf_sock_addr *ctx)
{
	return lw_sock_addr_hook(ctx, LW_REC_CONNECT, true);
}

SEC("cgroup/sendmsg4")
int lw_cg_sendmsg4(struct bpf_sock_addr *ctx)
{
	return lw_sock_addr_hook(ctx, LW_REC_SEND, false);
}

SEC("cgroup/sendmsg6")
int lw_cg_sendmsg6(struct bpf_sock_addr *ctx)
{
	return lw_sock_addr_hook(ctx, LW_REC_SEND, true);
}

SEC("cgroup/bind4")
int lw_cg_bind4(struct bpf_sock_addr *ctx)
{
	return lw_sock_addr_hook(ctx, LW_REC_BIND, false);
}

SEC("cgroup/bind6")
int lw_cg_bind6(struct bpf_sock_addr *ctx)
{
	return lw_sock_addr_hook(ctx, LW_REC_BIND, true);
}

/* ---- bytes per connection ------------------------------------------------------------ */

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/*
 * Where the transport payload starts in a packet (skb->data is the network header in
 * cgroup_skb programs) and which protocol carries it. Returns the offset, or 0 if the
 * packet is not TCP or UDP over IP.
 */
static __always_inline __u32 lw_payload_offset(struct __sk_buff *skb, __u8 *proto)
{
	__u32 off;
	__u8 b;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, 0, &b, 1) || bpf_skb_load_bytes(skb, 9, proto, 1))
			return 0;
		off = (b & 0x0f) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, 6, proto, 1))
			return 0;
		off = 40;	/* extension headers are rare on these flows */
	} else {
		return 0;
	}
	if (*proto == IPPROTO_TCP) {
		if (bpf_skb_load_bytes(skb, off + 12, &b, 1))
			return 0;
		return off + (b >> 4) * 4;
	}
	if (*proto == IPPROTO_UDP)
		return off + 8;
	return 0;
}

/* Sends up to LW_PAYLOAD_MAX payload bytes of this packet as a payload record. */
static __always_inline void lw_capture(struct __sk_buff *skb, struct lw_conn *c, __u64 cookie,
				       __u32 off, __u32 want, __u8 proto, __u8 dir, __u32 stream_off)
{
	struct lw_rec_payload *r;
	__u64 n = want;		/* 64-bit: no zero-extended copy for the verifier to lose */

	if (n > LW_PAYLOAD_MAX)
		n = LW_PAYLOAD_MAX;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		lw_count_loss(LW_REC_PAYLOAD, LW_LOSS_RESERVE);
		return;
	}
	/* may run in softirq: no current task; the header names the connection's owner */
	r->hdr.type = LW_REC_PAYLOAD;
	r->hdr.size = sizeof(*r);
	r->hdr.version = LW_RECORD_VERSION;
	r->hdr.flags = 0;
	r->hdr.tool = c->tool;
	r->hdr.ts_ns = bpf_ktime_get_boot_ns();
	r->hdr.pid = c->pid;
	r->hdr.tid = 0;
	r->hdr.uid = 0;
	r->hdr.reserved = 0;
	__builtin_memset(r->hdr.comm, 0, sizeof(r->hdr.comm));
	r->cookie = cookie;
	r->remote = c->daddr;
	r->direction = dir;
	r->protocol = proto;
	r->offset = stream_off;
	if (n == 0)
		goto fail;
	/*
	 * 1 <= n <= LW_PAYLOAD_MAX, on the very register the helper gets (see
	 * lw_read_sockaddr). Older verifiers (5.10, 6.1) learn no lower bound from n != 0 and
	 * refuse a size that may be 0, so bound n - 1 and add the 1 back.
	 */
	n -= 1;
	asm volatile("%[n] &= 0x3ff" : [n] "+r"(n));
	n += 1;
	if (bpf_skb_load_bytes(skb, off, r->data, n))
		goto fail;
	r->len = n;
	/* a payload record is a whole LW_PAYLOAD_MAX record; the tail past len is unused */
	bpf_ringbuf_submit(r, lw_wakeup_flags(sizeof(*r)));
	return;
fail:
	lw_count_loss(LW_REC_PAYLOAD, LW_LOSS_READ);
	bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
}

/*
 * Whether the packet's socket is one of a watched process's connections. Every packet of
 * the machine passes here, so the test is a socket-local storage read (a pointer that is
 * NULL for every socket we never marked), not a cookie and a hash lookup.
 */
static __always_inline bool lw_skb_marked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return false;
	sk = bpf_sk_fullsock(sk);
	return sk && bpf_sk_storage_get(&conn_marks, sk, 0, 0);
}

SEC("cgroup_skb/egress")
int lw_cg_egress(struct __sk_buff *skb)
{
	struct lw_conn *c;
	__u32 off, len, captured;
	__u64 cookie;
	__u8 proto = 0;

	if (!lw_skb_marked(skb))
		return 1;
	cookie = bpf_get_socket_cookie(skb);
	c = bpf_map_lookup_elem(&conns, &cookie);
	if (!c)
		return 1;
	off = lw_payload_offset(skb, &proto);
	len = off && skb->len > off ? skb->len - off : 0;
	__sync_fetch_and_add(&c->bytes, len);
	__sync_fetch_and_add(&c->packets, 1);
	/* the head of each outbound TCP stream names its far end (SNI, Host:) */
	captured = c->captured;
	if (proto == IPPROTO_TCP && len && captured < LW_CAPTURE_OUT && !(c->flags & LW_CONN_DNS)) {
		__u32 n = len < LW_CAPTURE_OUT - captured ? len : LW_CAPTURE_OUT - captured;

		c->captured = captured + n;
		lw_capture(skb, c, cookie, off, n, proto, LW_DIR_OUT, captured);
	}
	return 1;
}

/* Records a TCP DNS segment is sent in, at most: 4 KiB; the rest shows as a gap. */
#define LW_DNS_TCP_CHUNKS 4

/* DNS answers to a watched process: the names behind the addresses it will connect to. */
SEC("cgroup_skb/ingress")
int lw_cg_ingress(struct __sk_buff *skb)
{
	struct lw_conn *c;
	__u32 off, len;
	__u64 cookie;
	__u8 proto = 0;

	if (!lw_skb_marked(skb))
		return 1;
	cookie = bpf_get_socket_cookie(skb);
	c = bpf_map_lookup_elem(&conns, &cookie);
	if (!c || !(c->flags & LW_CONN_DNS))
		return 1;
	off = lw_payload_offset(skb, &proto);
	len = off && skb->len > off ? skb->len - off : 0;
	if (!len)
		return 1;
	if (proto == IPPROTO_TCP) {
		/*
		 * DNS over TCP is a stream: an answer may span segments and a segment hold
		 * several answers. Send the segment whole, in records that say where they
		 * start in the stream, so user space can join them (a gap shows as a jump).
		 * DNS connections send no head of their own, so `captured` counts received bytes.
		 */
		__u32 rx = c->captured;

		c->captured = rx + len;
#pragma unroll
		for (int k = 0; k < LW_DNS_TCP_CHUNKS; k++) {
			__u32 done = k * LW_PAYLOAD_MAX;

			if (done >= len)
				break;
			lw_capture(skb, c, cookie, off + done, len - done, proto, LW_DIR_IN, rx + done);
		}
		return 1;
	}
	lw_capture(skb, c, cookie, off, len, proto, LW_DIR_IN, 0);
	return 1;
}

/* A TCP connection of a watched process closed: report what it sent. */
SEC("tracepoint/sock/inet_sock_set_state")
int lw_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct lw_rec_conn_bytes r = {};
	struct lw_conn *c;
	__u64 cookie;

	if (ctx->newstate != TCP_CLOSE)
		return 0;
	cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	if (!cookie)
		return 0;
	c = bpf_map_lookup_elem(&conns, &cookie);
	if (!c)
		return 0;
	/* may run in softirq, not in the owner's context: build the header by hand */
	r.hdr.type = LW_REC_CONN_BYTES;
	r.hdr.version = LW_RECORD_VERSION;
	r.hdr.tool = c->tool;
	r.hdr.ts_ns = bpf_ktime_get_boot_ns();
	r.hdr.pid = c->pid;
	r.cookie = cookie;
	r.bytes = c->bytes;
	r.packets = c->packets;
	r.daddr = c->daddr;
	r.reason = LW_CLOSE_TCP;
	bpf_map_delete_elem(&conns, &cookie);
	lw_emit(&r, sizeof(r), sizeof(r));
	return 0;
}
