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
	struct lw_tracked *t = lw_tracked_get(tgid);
	struct lw_stash *st;
	union lw_scratch_rec *s;
	enum lw_flow_state flow = LW_FLOW_NONE;
	struct lw_rec_sock *r;
	__u32 uport, stype;
	struct lw_sock_conn *sc;
	__u64 cookie;
	long err;

	if (!t)
		return 1;
	lw_prof_start();
	cookie = bpf_get_socket_cookie(ctx);
	lw_prof_mark(LW_PROF_CG_COOKIE);
	/*
	 * Read once, here: clang would otherwise join the reads of two branches into one
	 * through a moved ctx pointer, which the verifier refuses.
	 */
	uport = ctx->user_port;
	stype = ctx->type;
	barrier_var(uport);
	barrier_var(stype);
	/*
	 * Remember the connection for byte counting and naming. An unconnected datagram to
	 * port 53 is a DNS query: remember its socket too, so the answer is captured.
	 */
	if (type == LW_REC_CONNECT || (type == LW_REC_SEND && uport == bpf_htons(53))) {
		struct lw_conn c = {};

		c.pid = tgid;
		c.tool = t->tool;
		lw_ctx_addr(ctx, &c.daddr, v6);
		if (c.daddr.port == 53)
			c.flags = LW_CONN_DNS;
		/* a TCP connection lives in its socket's storage: one allocation, no entry */
		if (lw_conn_sk && type == LW_REC_CONNECT && stype == SOCK_STREAM) {
			lw_prof_mark(LW_PROF_CG_CONNS);
			sc = bpf_sk_storage_get(&conn_marks, ctx->sk, 0,
						BPF_SK_STORAGE_GET_F_CREATE);
			if (!sc) {
				lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
			} else {
				sc->conn = c;
				sc->cookie = cookie;
				sc->flush_gen = 0;
				sc->mark = LW_MARK_CONN;
			}
			lw_prof_mark(LW_PROF_CG_MARK);
		} else {
			/*
			 * A socket that sends many queries keeps one entry (-EEXIST is no loss); a full
			 * table is, for a query too: its answer would go uncaptured.
			 */
			err = bpf_map_update_elem(&conns, &cookie, &c,
						  type == LW_REC_SEND ? BPF_NOEXIST : BPF_ANY);
			if (err && err != -EEXIST)
				lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
			lw_prof_mark(LW_PROF_CG_CONNS);
			/* mark the socket itself, so the packet hooks skip every other socket cheaply */
			sc = bpf_sk_storage_get(&conn_marks, ctx->sk, 0,
						BPF_SK_STORAGE_GET_F_CREATE);
			if (!sc)
				lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
			else
				sc->mark =
					LW_MARK_MAP; /* a connection now: the packet programs look it up */
			lw_prof_mark(LW_PROF_CG_MARK);
		}
	}
	/*
	 * Any other unconnected datagram belongs to a flow (socket, destination): the first
	 * is reported, the rest only counted (by the egress program) until the flow ends.
	 */
	if (type == LW_REC_SEND && uport != bpf_htons(53) && stype == SOCK_DGRAM) {
		struct lw_sockaddr d = {};

		lw_ctx_addr(ctx, &d, v6);
		flow = lw_flow_start(ctx->sk, cookie, &d, tgid, t->tool);
	}
	switch (lw_call_stash(type, id, &st)) {
	case LW_INSIDE:
		/* the exit reports the first datagram of a flow, and a failed send, only */
		if (flow == LW_FLOW_OLD)
			st->kflags |= LW_STASH_FLOW_OLD;
		else if (flow == LW_FLOW_NEW)
			st->kflags |= LW_STASH_FLOW_NEW;
		/*
		 * The syscall's exit reports it; hand it the kernel's copy of the address and
		 * what would otherwise cost a walk of the fd table.
		 */
		if (!(st->kflags & LW_STASH_KADDR)) {
			lw_ctx_addr(ctx, &st->addr, v6);
			st->kflags |= LW_STASH_KADDR;
		}
		st->cookie = cookie;
		st->sock_type = stype;
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
	/* outside a syscall (io_uring): the flow counts it, and its first is reported here */
	if (flow == LW_FLOW_OLD)
		return 1;
	s = lw_scratch();
	if (!s) {
		lw_count_loss(type, LW_LOSS_LOOKUP);
		return 1;
	}
	r = &s->sock;
	__builtin_memset(r, 0, sizeof(*r));
	lw_fill_hdr(&r->hdr, type, t->tool, tgid);
	r->hdr.flags = LW_F_CGROUP_HOOK | (flow == LW_FLOW_NEW ? LW_F_FLOW_FIRST : 0);
	r->fd = -1;
	r->cookie = cookie;
	r->sock_type = stype;
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
