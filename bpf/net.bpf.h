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
