// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor for `make bench`: programs that do nothing, on exactly the hooks llmwatch
 * attaches (the programs in bpf/). What an unwatched process pays with these attached is the cost of
 * the hooks themselves, before any work: the least any monitor on these hooks can charge.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NOOP_TP(name, sec)           \
	SEC(sec) int name(void *ctx) \
	{                            \
		return 0;            \
	}

NOOP_TP(f_enter_openat, "tracepoint/syscalls/sys_enter_openat")
NOOP_TP(f_enter_openat2, "tracepoint/syscalls/sys_enter_openat2")
NOOP_TP(f_exit_openat, "tracepoint/syscalls/sys_exit_openat")
NOOP_TP(f_exit_openat2, "tracepoint/syscalls/sys_exit_openat2")
NOOP_TP(f_enter_connect, "tracepoint/syscalls/sys_enter_connect")
NOOP_TP(f_enter_bind, "tracepoint/syscalls/sys_enter_bind")
NOOP_TP(f_enter_listen, "tracepoint/syscalls/sys_enter_listen")
NOOP_TP(f_enter_sendto, "tracepoint/syscalls/sys_enter_sendto")
NOOP_TP(f_enter_sendmsg, "tracepoint/syscalls/sys_enter_sendmsg")
NOOP_TP(f_exit_connect, "tracepoint/syscalls/sys_exit_connect")
NOOP_TP(f_exit_bind, "tracepoint/syscalls/sys_exit_bind")
NOOP_TP(f_exit_listen, "tracepoint/syscalls/sys_exit_listen")
NOOP_TP(f_exit_sendto, "tracepoint/syscalls/sys_exit_sendto")
NOOP_TP(f_exit_sendmsg, "tracepoint/syscalls/sys_exit_sendmsg")

SEC("tp_btf/inet_sock_set_state") int f_tcp_state(void *ctx)
{
	return 0;
}
SEC("tp_btf/sched_process_exec") int f_exec(void *ctx)
{
	return 0;
}
SEC("tp_btf/sched_process_fork") int f_fork(void *ctx)
{
	return 0;
}
SEC("tp_btf/sched_process_exit") int f_exit(void *ctx)
{
	return 0;
}

/* sock_addr and skb programs: 1 lets the operation or packet through */
SEC("cgroup/connect4") int f_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}
SEC("cgroup/connect6") int f_connect6(struct bpf_sock_addr *ctx)
{
	return 1;
}
SEC("cgroup/sendmsg4") int f_sendmsg4(struct bpf_sock_addr *ctx)
{
	return 1;
}
SEC("cgroup/sendmsg6") int f_sendmsg6(struct bpf_sock_addr *ctx)
{
	return 1;
}
SEC("cgroup/bind4") int f_bind4(struct bpf_sock_addr *ctx)
{
	return 1;
}
SEC("cgroup/bind6") int f_bind6(struct bpf_sock_addr *ctx)
{
	return 1;
}
SEC("cgroup_skb/egress") int f_egress(struct __sk_buff *skb)
{
	return 1;
}
SEC("cgroup_skb/ingress") int f_ingress(struct __sk_buff *skb)
{
	return 1;
}
SEC("cgroup/sock_release") int f_sock_release(struct bpf_sock *ctx)
{
	return 1;
}
SEC("cgroup/sock_create") int f_sock_create(struct bpf_sock *ctx)
{
	return 1;
}
