/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the network programs share (net_*.bpf.c): reading a socket address from the caller's
 * or the kernel's memory, and finding the watched socket call a hook runs inside of.
 */
#ifndef LW_NET_BPF_H
#define LW_NET_BPF_H

#include "common.bpf.h"
#include <bpf/bpf_endian.h>

/* A read of the caller's (user) or the kernel's memory; user is a constant at each use. */
#define lw_read(dst, size, src, user) \
	((user) ? bpf_probe_read_user(dst, size, src) : bpf_probe_read_kernel(dst, size, src))

/* ---- datagram flows ------------------------------------------------------------------ */

/* Default size; user space may resize it before load. */
#define LW_FLOW_MAX 65536

/*
 * Datagram flows of watched processes, (socket cookie, destination) -> counts: one insert
 * per flow, then one lookup per datagram, instead of a record each (see lw_flow_key).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LW_FLOW_MAX);
	__type(key, struct lw_flow_key);
	__type(value, struct lw_flow);
} flows SEC(".maps") __weak;

/* The flows of each datagram socket of a watched process (see struct lw_sock_flows). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lw_sock_flows);
} sock_flows SEC(".maps") __weak;

/*
 * Where flows start (set before load): true where cgroup sock programs may use socket
 * storage, so `cgroup/sock_create` marks each UDP socket of a watched process and the
 * egress program starts a flow at its first datagram, and no sendmsg hook is attached;
 * false (5.10), the sendmsg4/6 hooks start them, inside each send.
 */
const volatile bool lw_flow_egress __weak = false;

/*
 * Whether the packet programs may ask for the current task's ids and name (set before
 * load, by probing: 6.10 on): a UDP datagram leaves in its sender's context, so the
 * first of a flow can carry the thread and its name at the time, as a syscall's record.
 */
const volatile bool lw_skb_task __weak = false;

/*
 * Where a TCP connection is kept (set before load): true where the close and the flush can
 * read socket storage (tp_btf on inet_sock_set_state, bpf_iter over conn_marks), so the
 * connect hook makes one allocation, the socket's storage holding the connection
 * (LW_MARK_CONN), and the packet programs count into it without a cookie or a lookup;
 * false (5.10), a `conns` entry keyed by cookie as for a DNS query.
 */
const volatile bool lw_conn_sk __weak = false;

/*
 * Adds daddr to the socket's list of flows, or notes that the list is full. Under the
 * list's lock: two CPUs may start two of the socket's flows at once, and the storage's
 * flow may be claimed only for a destination the list holds (its close reports the list).
 */
static __always_inline void lw_sock_flows_add(struct lw_sock_flows *sf,
					      const struct lw_sockaddr *daddr)
{
	struct lw_sockaddr d = *daddr;
	__u32 n;

	bpf_spin_lock(&sf->lock);
	n = sf->n;
	if (n < LW_SOCK_FLOWS) {
		sf->dst[n] = d;
		sf->n = n + 1;
	} else {
		sf->overflow = 1;
	}
	bpf_spin_unlock(&sf->lock);
}

/*
 * lw_stash.kflags from the sendmsg hooks for the exit: the datagram belongs to a flow
 * that was already there (no record: the flow counts it), or starts one. Bits clear of
 * common.bpf.h's LW_STASH_*.
 */
#define LW_STASH_FLOW_OLD (1u << 8)
#define LW_STASH_FLOW_NEW (1u << 9)

enum lw_flow_state {
	LW_FLOW_NONE, /* not a flow's: reported on its own (DNS, a full table) */
	LW_FLOW_OLD,  /* counted by its flow */
	LW_FLOW_NEW,  /* the first of a new flow */
};

/*
 * Finds or starts the flow of a watched process's datagram to daddr on socket sk (with
 * cookie): a new flow marks the socket for the egress counter and is remembered in the
 * socket's storage for its close. A full table is counted; the datagram is then reported
 * on its own.
 */
static __always_inline enum lw_flow_state lw_flow_start(struct bpf_sock *sk, __u64 cookie,
							const struct lw_sockaddr *daddr, __u32 pid,
							__u16 tool)
{
	struct lw_flow_key k = {};
	struct lw_flow f = {};
	struct lw_sock_flows *sf;
	long err;

	k.cookie = cookie;
	k.daddr.family = daddr->family;
	k.daddr.port = daddr->port;
	/* an IPv4-mapped IPv6 destination leaves as an IPv4 packet: key it so */
	if (daddr->family == AF_INET6 && *(__u64 *)daddr->addr == 0 &&
	    *(__u32 *)&daddr->addr[8] == bpf_htonl(0xffff)) {
		k.daddr.family = AF_INET;
		__builtin_memcpy(k.daddr.addr, &daddr->addr[12], 4);
	} else {
		__builtin_memcpy(k.daddr.addr, daddr->addr, 16);
	}
	if (bpf_map_lookup_elem(&flows, &k))
		return LW_FLOW_OLD;
	f.pid = pid;
	f.tool = tool;
	f.last_ns = bpf_ktime_get_boot_ns();
	err = bpf_map_update_elem(&flows, &k, &f, BPF_NOEXIST);
	if (err == -EEXIST)
		return LW_FLOW_OLD; /* another thread's datagram started it */
	if (err) {
		lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		return LW_FLOW_NONE;
	}
	/* the egress counter skips every socket without this mark */
	if (!bpf_sk_storage_get(&conn_marks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE)) {
		lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		bpf_map_delete_elem(&flows, &k);
		return LW_FLOW_NONE;
	}
	sf = bpf_sk_storage_get(&sock_flows, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!sf) {
		/* its close will not find it: the owner's exit or the stop reports it */
		lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		return LW_FLOW_NEW;
	}
	sf->cookie = cookie;
	sf->pid = pid;
	sf->tool = tool;
	lw_sock_flows_add(sf, &k.daddr);
	return LW_FLOW_NEW;
}

#define LW_FLOW_INTERIM_NS ((__u64)LW_FLOW_INTERIM_S * 1000000000ull)

/*
 * Whether sc counts datagrams to daddr: its socket's storage flow (see LW_SK_FLOW_*), to
 * that destination. The state is read before the destination, which was written before
 * it (x86-64 keeps stores in order; the barriers keep the compiler from reordering).
 */
static __always_inline bool lw_sk_flow_is(const struct lw_sock_conn *sc,
					  const struct lw_sockaddr *daddr)
{
	const __u64 *a = (const __u64 *)&sc->conn.daddr, *b = (const __u64 *)daddr;

	if (*(volatile const __u32 *)&sc->conn.sk_flow != LW_SK_FLOW_READY)
		return false;
	asm volatile("" ::: "memory");
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/*
 * A flow's record: its totals so far (LW_CLOSE_INTERIM) or its last ones. sc is the
 * socket's storage (NULL when not at hand): what it counted of the flow is added.
 */
static __always_inline void lw_flow_report(const struct lw_flow_key *k, const struct lw_flow *f,
					   const struct lw_sock_conn *sc, __u32 reason)
{
	struct lw_rec_conn_bytes r = {};

	/* may run in softirq or in another task: the header names the flow's owner */
	lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), f->tool, f->pid,
			bpf_ktime_get_boot_ns());
	r.cookie = k->cookie;
	r.bytes = f->bytes;
	r.packets = f->packets;
	if (sc && (f->flags & LW_FLOW_IN_SOCK) && lw_sk_flow_is(sc, &k->daddr)) {
		r.bytes += sc->conn.bytes;
		r.packets += sc->conn.packets;
	}
	r.daddr = k->daddr;
	r.reason = reason;
	r.protocol = 17; /* IPPROTO_UDP */
	lw_emit(&r, sizeof(r), sizeof(r));
}

/* ---- reading arguments ------------------------------------------------------------- */

/* Where lw_read_sockaddr() puts what it decodes: fields of a stash entry or of a record. */
struct lw_addr_dst {
	struct lw_sockaddr *addr;
	char *unix_path; /* LW_UNIX_PATH_MAX bytes */
	__u16 *unix_path_len;
	__u8 *flags; /* gets LW_F_READ_FAILED */
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
		d->addr->port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(d->addr->addr, &sin6.sin6_addr, 16);
		d->addr->scope_id = 0;
		/* a failed read leaves the address without its scope: flagged, counted */
		if (addrlen >= sizeof(sin6) &&
		    lw_read(&d->addr->scope_id, sizeof(d->addr->scope_id), (const char *)uaddr + 24,
			    user))
			goto fail;
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

/* ---- hooks inside a call ------------------------------------------------------------- */

enum lw_in_call {
	LW_OUTSIDE,	/* not inside a watched syscall of this type: the hook reports it */
	LW_INSIDE,	/* inside one: *stp is its stash entry, for the exit to report */
	LW_INSIDE_LOST, /* inside one, but no stash entry could be made (counted) */
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

#endif /* LW_NET_BPF_H */
