// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Helpers shared by the verbs (see cli.h). */
#include "cmd/cli.h"
#include "version.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/bpf_loader.h"

#include "llmwatch/events.h"

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("llmwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

void cli_print_version(void)
{
	struct bpf_loader_probe p;
	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;

	printf("llmwatch %s (record format %d)\n", LLMWATCH_VERSION, LW_RECORD_VERSION);
	printf("kernel BTF: %s\n", btf ? "yes" : "no");
	if (!btf)
		return;
	if (geteuid() != 0) {
		printf("hooks: probing them needs root\n");
		return;
	}
	/* what llmwatch would attach here: the same probes bpf_loader_start() makes */
	bpf_loader_probe_hooks(&p);
	printf("hooks: tp_btf sched exec/fork/exit, the syscalls (see below), cgroup sock_addr + "
	       "cgroup_skb\n");
	if (!p.sys_err)
		printf("syscall hooks: fexit on the syscalls' entry points (__x64_sys_*): no syscall "
		       "tracepoint, untraced syscalls pay nothing\n");
	else
		printf("syscall hooks: tracepoints, which every syscall of the machine pays for "
		       "(fexit on __x64_sys_*: %s)\n",
		       strerror(-p.sys_err));
	if (p.regs_args)
		printf("syscalls: exit tracepoints alone, the arguments from the saved registers "
		       "(bpf_task_pt_regs)%s\n",
		       p.task_stash ? "; call state in task storage" : "");
	else
		printf("syscalls: enter and exit tracepoints, the arguments saved at enter "
		       "(no bpf_task_pt_regs here)\n");
	if (p.sock_storage)
		printf("datagrams: cgroup sock_create/release + egress (no sendmsg hook: no socket "
		       "lock around other processes' sends)\n");
	else
		printf("datagrams: cgroup sendmsg4/6 + egress (cgroup sock programs have no socket "
		       "storage here)\n");
	if (p.rdonly_cast)
		printf("egress packets: unwatched sockets told apart by their storage pointer "
		       "(bpf_rdonly_cast), no helper call\n");
	else
		printf("egress packets: bpf_sk_storage_get() for each (no bpf_rdonly_cast kfunc "
		       "here)\n");
	if (p.sk_storage_close && p.sk_storage_iter)
		printf("TCP connections: in socket storage (tp_btf inet_sock_set_state, bpf_iter "
		       "for the flush; no conns entry)\n");
	else
		printf("TCP connections: in the conns map (%s)\n",
		       !p.sk_storage_close ? "tp_btf programs may not read socket storage here" :
					     "no iterator over socket storage with a "
					     "compare-and-swap loads here");
	if (!p.file_err)
		printf("opens: fexit security_file_open (the kernel's paths; io_uring opens seen)\n");
	else
		printf("opens: syscall tracepoints (fexit security_file_open: %s)\n",
		       strerror(-p.file_err));
	if (!p.sock_err)
		printf("connect/bind: fentry security_socket_connect/bind (the kernel's copy of "
		       "the address)\n");
	else
		printf("connect/bind: syscall tracepoints (fentry security_socket_connect/bind: "
		       "%s)\n",
		       strerror(-p.sock_err));
	printf("BPF LSM: %s\n", p.lsm_bpf ?
					"enabled (not needed: fentry/fexit see the same calls)" :
					"not enabled (not needed)");
}
