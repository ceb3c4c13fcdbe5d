// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup sock_addr hooks (connect, sendmsg, bind; v4 and v6): below the syscall layer, they
 * see what bypasses the syscalls (io_uring), remember connections for byte counting and
 * naming, and hand the syscall exit the kernel's copy of the address.
 */
#include "net.bpf.h"

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
	lw_prof_start();
	cookie = bpf_get_socket_cookie(ctx);
	lw_prof_mark(LW_PROF_CG_COOKIE);
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
		lw_prof_mark(LW_PROF_CG_CONNS);
		/* mark the socket itself, so the packet hooks skip every other socket cheaply */
		if (!bpf_sk_storage_get(&conn_marks, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE))
			lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		lw_prof_mark(LW_PROF_CG_MARK);
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
		lw_prof_mark(LW_PROF_CG_STASH);
		lw_prof_end();
		return 1;
	case LW_INSIDE_LOST:
		lw_prof_end();
		return 1;
	case LW_OUTSIDE:
		break;
	}
	s = lw_scratch();
	if (!s) {
		lw_count_loss(type, LW_LOSS_LOOKUP);
		return 1;
	}
	r = &s->sock;
	__builtin_memset(r, 0, sizeof(*r));
	lw_fill_hdr(&r->hdr, type, t->tool, tgid);
	r->hdr.flags = LW_F_CGROUP_HOOK;
	r->fd = -1;
	r->cookie = cookie;
	r->sock_type = ctx->type;
	lw_ctx_addr(ctx, &r->addr, v6);
	lw_emit(r, offsetof(struct lw_rec_sock, unix_path), sizeof(*r));
	lw_prof_end();
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
