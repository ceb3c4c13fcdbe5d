// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor's tracing programs (tools/bench/floor.c; the kernel matrix's benchmark,
 * tests/kernels/bench.sh): no-op fentry/fexit programs on the hooks llmwatch attaches where
 * the kernel allows them. f_fx_: fexit on the syscalls' entry points (llmwatch's syscall
 * hooks without tracepoints); f_fe_: fentry on the same (their enters, without the saved
 * registers); f_k_file and f_k_sock: the hooks below the syscall (security_file_open,
 * security_socket_connect/bind).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NOOP(name, sec)              \
	SEC(sec) int name(void *ctx) \
	{                            \
		return 0;            \
	}

NOOP(f_fx_openat, "fexit/__x64_sys_openat")
NOOP(f_fx_openat2, "fexit/__x64_sys_openat2")
NOOP(f_fx_connect, "fexit/__x64_sys_connect")
NOOP(f_fx_bind, "fexit/__x64_sys_bind")
NOOP(f_fx_listen, "fexit/__x64_sys_listen")
NOOP(f_fx_sendto, "fexit/__x64_sys_sendto")
NOOP(f_fx_sendmsg, "fexit/__x64_sys_sendmsg")
NOOP(f_fe_openat, "fentry/__x64_sys_openat")
NOOP(f_fe_openat2, "fentry/__x64_sys_openat2")
NOOP(f_fe_connect, "fentry/__x64_sys_connect")
NOOP(f_fe_bind, "fentry/__x64_sys_bind")
NOOP(f_fe_listen, "fentry/__x64_sys_listen")
NOOP(f_fe_sendto, "fentry/__x64_sys_sendto")
NOOP(f_fe_sendmsg, "fentry/__x64_sys_sendmsg")
NOOP(f_k_file, "fexit/security_file_open")
NOOP(f_k_sock_connect, "fentry/security_socket_connect")
NOOP(f_k_sock_bind, "fentry/security_socket_bind")
