// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fentry on security_socket_connect/bind, where the kernel allows it: the kernel's own copy
 * of a watched connect's or bind's address, handed to the syscall exit (net_syscalls.bpf.c).
 */
#include "net.bpf.h"

/* ---- fentry on security_socket_connect/bind: the kernel's copy of the address -------- */

/*
 * Runs inside connect(2)/bind(2) once the kernel has copied the address from the caller: the
 * record then carries the address the kernel used, and the caller's memory is not read a
 * second time (nor changed by a racing thread in between). Outside a watched connect or
 * bind syscall (io_uring) it does nothing: the cgroup hooks report those
 * (net_sock_addr.bpf.c).
 */
static __always_inline int lw_sock_kaddr(__u16 type, struct sockaddr *address, int addrlen)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct lw_stash *st;
	struct lw_addr_dst d;

	if (addrlen < 0 || !lw_tracked_get(tgid))
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
