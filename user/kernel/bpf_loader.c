// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BPF skeleton's lifecycle: probe, load, attach, tear down (see bpf_loader.h). */
#include "kernel/bpf_loader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <sys/mount.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel_btf.h"
#include "kernel/link_release.h"
#include "kernel/load_tries.h"
#include "kernel/sock_marks.h"
#include "llmwatch/events.h"
#include "llmwatch.skel.h"
#include "util/steptime.h"

static bool loader_verbose;

__attribute__((format(printf, 2, 0))) static int libbpf_print(enum libbpf_print_level level,
							      const char *fmt, va_list ap)
{
	/* libbpf says this once its parse of the kernel's BTF is done: a step of its load */
	if (level == LIBBPF_DEBUG && steptime_on() &&
	    strncmp(fmt, "libbpf: loading kernel BTF", 26) == 0)
		steptime_mark("start: ... of which libbpf's feature probes and kernel BTF parse");
	if (level == LIBBPF_DEBUG || !loader_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void append(char *buf, size_t size, const char *what)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", what);
}

/* The first mounted cgroup2 hierarchy (/sys/fs/cgroup, or .../unified on hybrid systems). */
static int find_cgroup2(char *path, size_t size)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0) {
			snprintf(path, size, "%s", m->mnt_dir);
			ret = 0;
			break;
		}
	}
	endmntent(f);
	return ret;
}

/*
 * The kernel's BTF for the probes' few name lookups: the raw walk of kernel_btf.c, or, where
 * that refuses the blob (a BTF kind newer than it knows), libbpf's full parse, which costs
 * ~60 ms more at start and answers the same.
 */
struct kernel_names {
	struct kernel_btf raw;
	struct btf *parsed; /* only when the raw walk was refused */
};

static int kernel_names_open(struct kernel_names *n)
{
	int err = kernel_btf_open(&n->raw, KERNEL_BTF_PATH);

	n->parsed = NULL;
	if (err != -EINVAL)
		return err;
	n->parsed = btf__load_vmlinux_btf();
	if (!n->parsed)
		return -errno;
	fprintf(stderr,
		"llmwatch: note: %s holds BTF that kernel_btf.c cannot walk (a newer "
		"kind?); using libbpf's parser for the probes, which is slower\n",
		KERNEL_BTF_PATH);
	return 0;
}

/* The id of the type of kind named name, or -ENOENT. */
static int32_t kernel_names_find(const struct kernel_names *n, const char *name, unsigned int kind)
{
	if (n->parsed)
		return btf__find_by_name_kind(n->parsed, name, kind);
	return kernel_btf_find(&n->raw, name, kind);
}

static void kernel_names_close(struct kernel_names *n)
{
	if (n->parsed)
		btf__free(n->parsed);
	else
		kernel_btf_close(&n->raw);
}

/* Stash entries when only calls with a hook below them make one (see load_attach). */
#define LW_STASH_IN_CALL_MAX 4096

static bool tracefs_mounted_here;

/*
 * The tracefs events directory. libbpf finds a tracepoint's id there, so when tracefs is
 * not mounted (minimal systems, containers) mount it where the kernel expects it, and say so.
 */
static const char *tracefs_events(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing/events",
					    "/sys/kernel/debug/tracing/events" };

	for (size_t i = 0; i < 2; i++) {
		if (access(dirs[i], F_OK) == 0)
			return dirs[i];
	}
	if (!tracefs_mounted_here && mount("tracefs", "/sys/kernel/tracing", "tracefs",
					   MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
		tracefs_mounted_here = true;
		fprintf(stderr, "llmwatch: mounted tracefs on /sys/kernel/tracing (it was not "
				"mounted; tracepoints are found there)\n");
		if (access(dirs[0], F_OK) == 0)
			return dirs[0];
	}
	return NULL;
}

/*
 * Whether the kernel has the hook a program's section names: a tracepoint in tracefs, a
 * BTF tracepoint type in vmlinux BTF, a cgroup2 hierarchy for cgroup programs.
 */
static bool hook_available(const char *sec, const struct kernel_names *vmlinux, bool have_cgroup2)
{
	char path[512], name[128];
	const char *ev;

	if (strncmp(sec, "tracepoint/", 11) == 0) {
		ev = tracefs_events();
		if (!ev)
			return false;
		snprintf(path, sizeof(path), "%s/%s", ev, sec + 11);
		return access(path, F_OK) == 0;
	}
	if (strncmp(sec, "tp_btf/", 7) == 0) {
		snprintf(name, sizeof(name), "btf_trace_%s", sec + 7);
		return vmlinux && kernel_names_find(vmlinux, name, KERNEL_BTF_KIND_TYPEDEF) > 0;
	}
	if (strncmp(sec, "cgroup", 6) == 0)
		return have_cgroup2;
	return true;
}

/* ---- hooks below the syscall layer ------------------------------------------------------ */

/*
 * Whether a fentry/fexit program attaches to func on this kernel: loads a two-instruction
 * tracing program for it and attaches it, as libbpf-tools' fentry_can_attach() does. That
 * needs BTF for func, trampolines and a kernel that allows tracing programs (this
 * machine's 6.18 refuses them with EPERM). Returns 0 or -errno.
 */
static int probe_fentry(const struct kernel_names *vmlinux, const char *func,
			enum bpf_attach_type type)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = type);
	int id, fd, link, err = 0;

	id = vmlinux ? kernel_names_find(vmlinux, func, KERNEL_BTF_KIND_FUNC) : -ENOENT;
	if (id <= 0)
		return -ENOENT;
	o.attach_btf_id = id;
	/* not named lw_*: the tests count those as llmwatch's own programs */
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "hook_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(fd);
	return err;
}

/*
 * Whether an iterator over a socket-storage map loads (5.9 on, where tracing programs are
 * allowed at all) with a 64-bit compare-and-swap (5.12 on), which it and the TCP close use
 * to decide which of them reports a connection kept in socket storage (lw_conn_sk_take):
 * loads one that swaps a stack slot, attaches nothing.
 */
static bool probe_sk_storage_iter(const struct kernel_names *vmlinux)
{
	const struct bpf_insn insns[] = {
		/* *(u64 *)(r10 - 8) = 0; r0 = 0; r1 = 1; r0 = cmpxchg_64(r10 - 8, r0, r1) */
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
		  .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1,
		  .off = -8,
		  .imm = BPF_CMPXCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_ITER);
	int id, fd;

	id = vmlinux ? kernel_names_find(vmlinux, "bpf_iter_bpf_sk_storage_map",
					 KERNEL_BTF_KIND_FUNC) :
		       -ENOENT;
	if (id <= 0)
		return false;
	o.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "iter_probe", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), &o);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Whether programs of type may call helper. Loads `call helper; exit` with zeroed
 * arguments: the verifier refuses the arguments if the helper is allowed, and the helper
 * itself if not, so the log says which (libbpf 1.1's own probe misses the wording of newer
 * kernels, "program of this type cannot use helper", and answers yes there).
 */
static bool probe_helper_at(enum bpf_prog_type type, enum bpf_func_id helper, int btf_id);

static bool probe_helper(enum bpf_prog_type type, enum bpf_func_id helper)
{
	return probe_helper_at(type, helper, 0);
}

/* The same for a tp_btf program on the BTF tracepoint whose type has btf_id (if not 0). */
static bool probe_helper_at(enum bpf_prog_type type, enum bpf_func_id helper, int btf_id)
{
	struct bpf_insn insns[8];
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int n = 0, fd;

	if (btf_id > 0) {
		o.expected_attach_type = BPF_TRACE_RAW_TP;
		o.attach_btf_id = btf_id;
	}

	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = r };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = helper };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
					.dst_reg = BPF_REG_0,
					.imm = 1 };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	if (type == BPF_PROG_TYPE_CGROUP_SOCK_ADDR)
		o.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
	else if (type == BPF_PROG_TYPE_CGROUP_SOCK)
		o.expected_attach_type = BPF_CGROUP_INET_SOCK_RELEASE;
	/* not named lw_*: the tests count those as llmwatch's own programs */
	fd = bpf_prog_load(type, "helper_probe", "GPL", insns, n, &o);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	return !strstr(log, "unknown func") && !strstr(log, "invalid func") &&
	       !strstr(log, "cannot use helper") && !strstr(log, "not supported") && log[0] != 0;
}

/*
 * Whether the syscall programs can take the caller's arguments from its saved registers:
 * bpf_get_current_task_btf() and bpf_task_pt_regs() in tracepoint programs and in the
 * cgroup sock_addr hooks that must tell which syscall they run in (5.15 on).
 */
static bool probe_regs_args(void)
{
	return probe_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_current_task_btf) &&
	       probe_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs) &&
	       probe_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_get_current_task_btf) &&
	       probe_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_task_pt_regs);
}

/*
 * Whether the register path can keep its per-thread entries in task storage: the map type
 * and bpf_task_storage_get() in the tracepoint and cgroup sock_addr programs (and in the
 * tracing programs, which have had it since the map type came, in 5.11).
 */
static bool probe_task_stash(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1 &&
	       probe_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_storage_get) &&
	       probe_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_task_storage_get);
}

/*
 * The syscalls llmwatch hooks, by their x86-64 entry points: fexit on each replaces its
 * exit tracepoint (and fentry its enter, without the registers). All of them or none: a
 * mode that traced some syscalls by tracepoint would still tax every syscall of the machine.
 */
static const char *const syscall_funcs[] = {
	"__x64_sys_openat", "__x64_sys_openat2", "__x64_sys_connect", "__x64_sys_bind",
	"__x64_sys_listen", "__x64_sys_sendto",	 "__x64_sys_sendmsg",
};

static bool probe_sock_storage(void);

/* The probes, with the kernel's BTF open (NULL if it is not there: no tracing programs). */
static void probe_hooks(struct bpf_loader_probe *p, const struct kernel_names *vmlinux)
{
	char lsm[256] = "";
	int tp;
	FILE *f;

	p->sys_err = 0;
	for (size_t i = 0; i < sizeof(syscall_funcs) / sizeof(syscall_funcs[0]) && !p->sys_err; i++)
		p->sys_err = probe_fentry(vmlinux, syscall_funcs[i], BPF_TRACE_FEXIT);

	p->file_err = probe_fentry(vmlinux, "security_file_open", BPF_TRACE_FEXIT);
	p->regs_args = probe_regs_args();
	p->task_stash = p->regs_args && probe_task_stash();
	p->sock_storage = probe_sock_storage();
	p->sk_storage_iter = probe_sk_storage_iter(vmlinux);
	/* the TCP close may read socket storage (tp_btf programs: 5.11 on; not Debian's 5.10) */
	tp = vmlinux ? kernel_names_find(vmlinux, "btf_trace_inet_sock_set_state",
					 KERNEL_BTF_KIND_TYPEDEF) :
		       -ENOENT;
	p->sk_storage_close = tp > 0 &&
			      probe_helper_at(BPF_PROG_TYPE_TRACING, BPF_FUNC_sk_storage_get, tp);
	/* a kfunc every program type may call since it came (6.2) */
	p->rdonly_cast = vmlinux &&
			 kernel_names_find(vmlinux, "bpf_rdonly_cast", KERNEL_BTF_KIND_FUNC) > 0;
	p->sock_err = probe_fentry(vmlinux, "security_socket_connect", BPF_TRACE_FENTRY);
	if (!p->sock_err)
		p->sock_err = probe_fentry(vmlinux, "security_socket_bind", BPF_TRACE_FENTRY);
	/* informational: the hooks chosen need no BPF LSM, but say whether it is there */
	f = fopen("/sys/kernel/security/lsm", "r");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = 0;
		fclose(f);
	}
	p->lsm_bpf = false;
	for (char *tok = strtok(lsm, ",\n"); tok; tok = strtok(NULL, ",\n"))
		p->lsm_bpf |= strcmp(tok, "bpf") == 0;
}

void bpf_loader_probe_hooks(struct bpf_loader_probe *p)
{
	struct kernel_names vmlinux;
	bool have = kernel_names_open(&vmlinux) == 0;

	libbpf_set_print(libbpf_print);
	probe_hooks(p, have ? &vmlinux : NULL);
	if (have)
		kernel_names_close(&vmlinux);
}

/* Programs without which nothing can be attributed: their absence is fatal. */
static bool required(const char *prog_name)
{
	return strcmp(prog_name, "lw_exec") == 0 || strcmp(prog_name, "lw_fork") == 0 ||
	       strcmp(prog_name, "lw_exit") == 0;
}

/* Prints one error line: "llmwatch: " and the message. */
__attribute__((format(printf, 1, 0))) static void vreport(const char *fmt, va_list ap)
{
	fputs("llmwatch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Prints one error line. Returns err. */
__attribute__((format(printf, 2, 3))) static int report(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return err;
}

/* Prints one error line and stops l. Returns err. */
__attribute__((format(printf, 3, 4))) static int fail(struct bpf_loader *l, int err,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	bpf_loader_stop(l);
	return err;
}

static int set_map_size(struct bpf_map *map, uint32_t n)
{
	int err = bpf_map__set_max_entries(map, n);

	if (err)
		return report(err, "cannot set the size of BPF map %s to %u: %s",
			      bpf_map__name(map), n, strerror(-err));
	return 0;
}

int bpf_loader_size_maps(const struct bpf_loader_maps *m, size_t ring_bytes, bool regs, bool task,
			 bool kfile)
{
	int err;

	if (ring_bytes > UINT32_MAX)
		return report(-E2BIG, "ring buffer size %zu rejected: more than 4 GiB", ring_bytes);
	err = bpf_map__set_max_entries(m->events, (uint32_t)ring_bytes);
	if (err)
		return report(err, "ring buffer size %zu rejected: %s", ring_bytes, strerror(-err));
	/*
	 * The stash: with enter tracepoints, an entry per watched thread inside any traced
	 * call; with the registers, only inside a connect, bind or send that a hook below it
	 * saw (threads blocked in connect are the most there will be at once); with task
	 * storage, none. Preallocated, so the size is kernel memory (~250 bytes an entry).
	 */
	if (regs && task)
		err = set_map_size(m->stash, 1);
	else if (regs)
		err = set_map_size(m->stash, LW_STASH_IN_CALL_MAX);
	if (err)
		return err;
	/* 5.10 has no task storage: a map that is not used is not created */
	if (!(regs && task)) {
		err = bpf_map__set_autocreate(m->task_stash, false);
		if (err)
			return report(err, "cannot leave BPF map %s out: %s",
				      bpf_map__name(m->task_stash), strerror(-err));
	}
	/* the kernel's paths of opens in flight: one entry will do when nothing writes them */
	if (!kfile)
		return set_map_size(m->open_paths, 1);
	return 0;
}

static int set_autoload(struct bpf_loader *l, struct bpf_program *prog, bool on)
{
	int err = bpf_program__set_autoload(prog, on);

	if (err)
		return fail(l, err, "cannot %s BPF program %s: %s", on ? "select" : "leave out",
			    bpf_program__name(prog), strerror(-err));
	return 0;
}

/* Whether prog is one of the fentry/fexit programs, and which set. */
static bool is_kfile_prog(const char *sec)
{
	return strcmp(sec, "fexit/security_file_open") == 0;
}

static bool is_ksock_prog(const char *sec)
{
	return strncmp(sec, "fentry/security_socket_", 23) == 0;
}

/*
 * Datagram flows start in one of two ways (bpf/net.bpf.h, lw_flow_egress). Where cgroup
 * sock programs may use socket storage, `cgroup/sock_create` marks a watched process's UDP
 * sockets once each and the egress program does the rest, and `cgroup/sock_release`
 * reports a socket's flows when it closes; no sendmsg hook is attached, so no unconnected
 * UDP send of the machine takes the socket lock the kernel puts around that hook. Where
 * they may not (5.10), the sendmsg4/6 hooks start the flows inside each send, and flows
 * are reported when their owner exits or llmwatch stops.
 */
static bool is_sock_prog(const char *sec)
{
	return strcmp(sec, "cgroup/sock_create") == 0 || strcmp(sec, "cgroup/sock_release") == 0;
}

/*
 * The TCP close, on the same BTF tracepoint either way: one program where connections are
 * kept in `conns`, another (which reads socket storage, 5.11 on) with the flush's iterator
 * where they are kept in their sockets' storage (l->conn_sk). Told apart by name.
 */
static bool is_conn_sk_prog(const char *sec, const char *name)
{
	return strcmp(name, "lw_tcp_state_sk") == 0 || strcmp(sec, "iter/bpf_sk_storage_map") == 0;
}

static bool is_conn_map_prog(const char *name)
{
	return strcmp(name, "lw_tcp_state") == 0;
}

/* The egress program, with or without its storage-pointer test (l->skb_cast). */
static bool is_egress_prog(const char *name, bool *cast)
{
	*cast = strcmp(name, "lw_cg_egress_cast") == 0;
	return *cast || strcmp(name, "lw_cg_egress") == 0;
}

static bool is_sendmsg_prog(const char *sec)
{
	return strcmp(sec, "cgroup/sendmsg4") == 0 || strcmp(sec, "cgroup/sendmsg6") == 0;
}

static bool probe_sock_storage(void)
{
	return probe_helper(BPF_PROG_TYPE_CGROUP_SOCK, BPF_FUNC_sk_storage_get);
}

static bool is_enter_prog(const char *sec)
{
	return strncmp(sec, "tracepoint/syscalls/sys_enter_", 30) == 0;
}

static bool is_syscall_tp(const char *sec)
{
	return strncmp(sec, "tracepoint/syscalls/", 20) == 0;
}

/* fexit on a syscall's entry point replaces its exit tracepoint, fentry its enter */
static bool is_sys_fexit_prog(const char *sec)
{
	return strncmp(sec, "fexit/__x64_sys_", 16) == 0;
}

static bool is_sys_fentry_prog(const char *sec)
{
	return strncmp(sec, "fentry/__x64_sys_", 17) == 0;
}

/* How the syscalls are hooked, for the startup line (the kernel matrix reads its words). */
static const char *syscall_hooks_name(bool sysfx, bool regs, bool task)
{
	if (sysfx)
		return !regs ? "fentry+fexit on the syscalls (__x64_sys_*; no syscall tracepoint)" :
		       task  ? "fexit on the syscalls (__x64_sys_*; no syscall tracepoint; "
			       "arguments from the saved registers, call state in task storage)" :
			       "fexit on the syscalls (__x64_sys_*; no syscall tracepoint; "
			       "arguments from the saved registers)";
	return !regs ? "syscall enter+exit tracepoints" :
	       task  ? "syscall exit tracepoints (arguments from the saved registers, call "
		       "state in task storage)" :
		       "syscall exit tracepoints (arguments from the saved registers)";
}

/*
 * Opens, loads and attaches the skeleton with or without the fentry/fexit sets (sysfx: the
 * syscalls by fentry/fexit instead of their tracepoints). With
 * retry non-NULL, a failed load prints nothing, sets *retry and leaves l ready for another
 * try; every other failure prints its line and stops l. Returns 0 or -errno.
 */
static int load_attach(struct bpf_loader *l, const struct bpf_loader_opts *opts,
		       const struct kernel_names *vmlinux, bool have_cg, bool sysfx, bool kfile,
		       bool ksock, bool regs, bool task, bool *retry)
{
	struct bpf_program *prog;
	int err;

	l->missing[0] = 0;
	steptime_mark("start: before the BPF object");
	l->skel = llmwatch_bpf__open();
	if (!l->skel) {
		err = -errno;
		return fail(l, err, "cannot open the BPF object: %s", strerror(-err));
	}
	const struct bpf_loader_maps maps = {
		.events = l->skel->maps.events,
		.stash = l->skel->maps.stash,
		.task_stash = l->skel->maps.task_stash,
		.open_paths = l->skel->maps.open_paths,
	};

	err = bpf_loader_size_maps(&maps, opts->ring_bytes, regs, task, kfile);
	if (!err)
		err = set_map_size(
			l->skel->maps.track_filter,
			track_filter_blocks(track_filter_pid_max("/proc/sys/kernel/pid_max")));
	if (err) {
		bpf_loader_stop(l);
		return err;
	}
	l->skel->rodata->lw_regs_args = regs;
	l->skel->rodata->lw_task_stash = regs && task;
	l->skel->rodata->lw_file_hook = kfile;
	l->skel->rodata->lw_flow_egress = l->flow_egress; /* chosen in bpf_loader_start() */
	l->skel->rodata->lw_conn_sk = l->conn_sk;
	l->skel->rodata->lw_skb_task =
		probe_helper(BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_get_current_pid_tgid) &&
		probe_helper(BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_get_current_uid_gid) &&
		probe_helper(BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_get_current_comm);
	bpf_object__for_each_program(prog, l->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *name = bpf_program__name(prog);
		bool cast;

		/* alternatives, chosen by probing: not missing when left out */
		if (is_kfile_prog(sec) || is_ksock_prog(sec)) {
			err = set_autoload(l, prog, is_kfile_prog(sec) ? kfile : ksock);
			if (err)
				return err;
			continue;
		}
		/* one way to hook the syscalls: their entry points or their tracepoints */
		if (is_sys_fexit_prog(sec) || is_sys_fentry_prog(sec)) {
			/* with the arguments in the registers, the exits need no enter */
			err = set_autoload(l, prog, sysfx && (is_sys_fexit_prog(sec) || !regs));
			if (err)
				return err;
			continue;
		}
		if (is_syscall_tp(sec) && sysfx) {
			err = set_autoload(l, prog, false);
			if (err)
				return err;
			continue;
		}
		if (is_conn_sk_prog(sec, name) || is_conn_map_prog(name)) {
			/* no iterator where none loads (LLMWATCH_CONN_SK=1, for timing) */
			bool on = is_conn_sk_prog(sec, name) == l->conn_sk &&
				  !(strncmp(sec, "iter/", 5) == 0 && !l->conn_sk_iter);

			err = set_autoload(l, prog, on);
			if (err)
				return err;
			if (is_conn_sk_prog(sec, name) != l->conn_sk)
				continue;
		}
		if (is_egress_prog(name, &cast)) {
			err = set_autoload(l, prog, cast == l->skb_cast);
			if (err)
				return err;
			if (cast != l->skb_cast)
				continue;
		}
		if (is_sock_prog(sec) || is_sendmsg_prog(sec)) {
			err = set_autoload(l, prog, is_sock_prog(sec) == l->flow_egress);
			if (err)
				return err;
			if (is_sock_prog(sec) != l->flow_egress)
				continue;
		}
		/* with the arguments in the registers, the exits need no enter */
		if (is_enter_prog(sec) && regs) {
			err = set_autoload(l, prog, false);
			if (err)
				return err;
			continue;
		}
		if (hook_available(sec, vmlinux, have_cg))
			continue;
		if (required(name))
			return fail(
				l, -ENOENT,
				"this kernel lacks %s, which llmwatch needs to follow processes",
				sec);
		err = set_autoload(l, prog, false);
		if (err)
			return err;
		append(l->missing, sizeof(l->missing), sec);
	}

	steptime_mark("start: BPF object opened (ELF, BTF of the object, programs chosen)");
	err = llmwatch_bpf__load(l->skel);
	steptime_mark("start: BPF object loaded (the rest: maps, CO-RE relocation, programs "
		      "verified)");
	if (err && retry) {
		llmwatch_bpf__destroy(l->skel);
		l->skel = NULL;
		*retry = true;
		return err;
	}
	if (err) {
		if (err == -EPERM)
			return fail(l, err,
				    "loading BPF programs was refused (EPERM): run as root, "
				    "with kernel.unprivileged_bpf_disabled irrelevant for root; "
				    "check lockdown (cat /sys/kernel/security/lockdown)");
		if (err == -ENOMEM)
			return fail(l, err,
				    "not enough locked memory for BPF maps: raise the limit "
				    "(ulimit -l unlimited) or lower --ring-size");
		return fail(l, err,
			    "loading BPF programs failed: %s (run with --verbose for the "
			    "verifier's log)",
			    strerror(-err));
	}

	/*
	 * Before anything is tracked from user space: a process tracked with its filter byte
	 * unset would go unseen, so there is no running without the mapping.
	 */
	err = track_filter_map(&l->filter, bpf_map__fd(l->skel->maps.track_filter),
			       bpf_map__max_entries(l->skel->maps.track_filter));
	if (err)
		return fail(l, err, "cannot map BPF map track_filter: %s", strerror(-err));
	if (have_cg) {
		l->cgroup_fd = open(l->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l->cgroup_fd < 0)
			return fail(l, -errno, "cannot open cgroup2 hierarchy %s: %s",
				    l->cgroup_path, strerror(errno));
	}
	bpf_object__for_each_program(prog, l->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *name = bpf_program__name(prog);
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		/* the iterator is attached to its map, for the flush */
		if (strncmp(sec, "iter/", 5) == 0) {
			DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, io);
			union bpf_iter_link_info li = {};

			li.map.map_fd = bpf_map__fd(l->skel->maps.conn_marks);
			io.link_info = &li;
			io.link_info_len = sizeof(li);
			l->iter_link = bpf_program__attach_iter(prog, &io);
			if (!l->iter_link)
				return fail(l, -errno, "cannot attach %s: %s", sec,
					    strerror(errno));
			continue;
		}
		if (strncmp(sec, "cgroup", 6) == 0 && l->cgroups_watched) {
			/* attached later, to the cgroups of watched processes */
			if (l->cg.nprogs < CGROUP_PROGS_MAX)
				l->cg.progs[l->cg.nprogs++] = prog;
			else
				append(l->missing, sizeof(l->missing), sec);
			continue;
		}
		if (strncmp(sec, "cgroup", 6) == 0)
			link = bpf_program__attach_cgroup(prog, l->cgroup_fd);
		else
			link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			if (required(name))
				return fail(l, err, "cannot attach %s: %s", sec, strerror(-err));
			append(l->missing, sizeof(l->missing), sec);
			continue;
		}
		/* hand the link to the skeleton, which destroys the links it knows */
		for (int i = 0; i < l->skel->skeleton->prog_cnt; i++) {
			if (*l->skel->skeleton->progs[i].prog == prog) {
				*l->skel->skeleton->progs[i].link = link;
				break;
			}
		}
		l->nprogs_attached++;
		l->kernel_file_hook |= is_kfile_prog(sec);
		l->kernel_sock_hooks |= is_ksock_prog(sec);
		l->syscall_fexit |= is_sys_fexit_prog(sec);
	}
	steptime_mark("start: programs attached");
	/*
	 * A hook that loaded but did not attach simply never hands over the kernel's copy of
	 * an address: the syscall exit then reads the caller's, as without the hooks.
	 */
	snprintf(l->hooks, sizeof(l->hooks), "tp_btf sched exec/fork/exit, %s%s%s%s%s%s%s",
		 syscall_hooks_name(sysfx, regs, task),
		 l->kernel_file_hook ? ", fexit security_file_open" : "",
		 l->kernel_sock_hooks ? ", fentry security_socket_connect/bind" : "",
		 !have_cg ? "" :
		 l->cgroups_watched ?
			    ", cgroup sock_addr + cgroup_skb (on watched processes' cgroups)" :
			    ", cgroup sock_addr + cgroup_skb",
		 !have_cg	? "" :
		 l->flow_egress ? ", datagrams: sock_create/release + egress" :
				  ", datagrams: sendmsg4/6 + egress",
		 !have_cg || !l->skb_cast ? "" : ", egress tests the storage pointer first",
		 l->conn_sk ? ", TCP connections in socket storage" : "");
	return 0;
}

int bpf_loader_start(struct bpf_loader *l, const struct bpf_loader_opts *opts)
{
	struct bpf_loader_probe probe;
	const char *sendmsg_env, *conn_map_env, *conn_sk_env, *skb_cast_env;
	struct kernel_names vmlinux;
	bool have_cg, kfile, ksock, regs, sysfx, retry = false;
	int err = 0;

	memset(l, 0, sizeof(*l));
	l->cgroup_fd = -1;
	l->cgroups_watched = opts->cgroups_watched;
	loader_verbose = opts->verbose;
	libbpf_set_print(libbpf_print);

	if (geteuid() != 0)
		return fail(l, -EPERM, "needs root to load BPF programs: run it with sudo");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return fail(l, -ENOENT,
			    "this kernel has no BTF (/sys/kernel/btf/vmlinux): llmwatch needs a "
			    "kernel built with CONFIG_DEBUG_INFO_BTF=y");
	err = kernel_names_open(&vmlinux);
	if (err)
		return fail(l, err, "cannot read %s: %s", KERNEL_BTF_PATH,
			    err == -EINVAL ? "not BTF, or malformed" : strerror(-err));
	have_cg = find_cgroup2(l->cgroup_path, sizeof(l->cgroup_path)) == 0;
	snprintf(l->cg.root, sizeof(l->cg.root), "%s", l->cgroup_path);

	/*
	 * The hooks below the syscall layer where the kernel lets them attach, by probing, not
	 * by version. Should their programs still fail to load (a verifier older or stricter
	 * than the probe can tell), start again with the syscall tracepoints alone.
	 */
	probe_hooks(&probe, &vmlinux);
	steptime_mark("start: kernel BTF opened, hooks probed");
	/* LLMWATCH_SENDMSG_HOOKS=1: the sendmsg hooks anyway (the tests and the bench compare) */
	sendmsg_env = getenv("LLMWATCH_SENDMSG_HOOKS");
	l->flow_egress = probe.sock_storage && !(sendmsg_env && strcmp(sendmsg_env, "1") == 0);
	/*
	 * TCP connections in their sockets' storage where the close and the flush can read it
	 * (probed); LLMWATCH_CONN_MAP=1, in `conns` anyway (the tests and the bench compare);
	 * LLMWATCH_CONN_SK=1, in socket storage even where no iterator loads: for timing the
	 * hot path only, since the connections still open at an owner's exit or the stop then
	 * go unreported.
	 */
	conn_map_env = getenv("LLMWATCH_CONN_MAP");
	conn_sk_env = getenv("LLMWATCH_CONN_SK");
	l->conn_sk_iter = probe.sk_storage_close && probe.sk_storage_iter;
	l->conn_sk = probe.sk_storage_close &&
		     (probe.sk_storage_iter || (conn_sk_env && strcmp(conn_sk_env, "1") == 0)) &&
		     !(conn_map_env && strcmp(conn_map_env, "1") == 0);
	/* LLMWATCH_SKB_CAST=0: the egress program without its pointer test (tests, bench) */
	skb_cast_env = getenv("LLMWATCH_SKB_CAST");
	l->skb_cast = probe.rdonly_cast && !(skb_cast_env && strcmp(skb_cast_env, "0") == 0);
	kfile = probe.file_err == 0;
	ksock = probe.sock_err == 0;
	regs = probe.regs_args && !opts->enter_tracepoints;
	sysfx = probe.sys_err == 0 && opts->syscall_hooks != BPF_LOADER_SYSCALLS_TRACEPOINTS;
	if (opts->syscall_hooks == BPF_LOADER_SYSCALLS_FEXIT && !sysfx) {
		kernel_names_close(&vmlinux);
		return fail(l, probe.sys_err ? probe.sys_err : -EINVAL,
			    "--syscall-hooks fexit: fexit does not attach to the syscalls' entry "
			    "points on this kernel (%s); use auto or tracepoints",
			    strerror(-probe.sys_err));
	}
	/* Each try gives up one more choice, and says so (load_tries.h). */
	struct load_tries tries;
	const char *what = NULL;

	load_tries_init(&tries,
			&(struct load_choices){
				.sysfx = sysfx,
				.khooks = kfile || ksock,
				.regs = regs,
				.task = probe.task_stash,
				.skb_cast = l->skb_cast,
				.conn_sk = l->conn_sk,
				.sysfx_forced = opts->syscall_hooks == BPF_LOADER_SYSCALLS_FEXIT,
			});
	for (;;) {
		const struct load_try *t = &tries.cur;
		bool last = load_tries_last(&tries);

		if (what)
			fprintf(stderr,
				"llmwatch: warning: loading with %s failed (%s); trying "
				"without\n",
				what, strerror(-err));
		l->skb_cast = t->skb_cast;
		l->conn_sk = t->conn_sk;
		err = load_attach(l, opts, &vmlinux, have_cg, t->sysfx, t->khooks && kfile,
				  t->khooks && ksock, t->regs, t->task, last ? NULL : &retry);
		if (last || !retry)
			break;
		retry = false;
		what = load_tries_give_up(&tries);
	}
	kernel_names_close(&vmlinux);
	return err;
}

int bpf_loader_set_candidates(struct bpf_loader *l, const struct profile_set *set)
{
	int fd = bpf_map__fd(l->skel->maps.candidates);

	for (size_t i = 0; i < set->n; i++) {
		const char *const *c = set->p[i].comms;
		__u16 id = (__u16)(i + 1);

		for (; c && *c; c++) {
			char key[LW_COMM_LEN] = {};

			strncpy(key, *c, LW_COMM_LEN - 1);
			if (bpf_map_update_elem(fd, key, &id, BPF_ANY))
				return -errno;
		}
	}
	return 0;
}

int bpf_loader_track(struct bpf_loader *l, uint32_t pid, uint16_t tool, uint16_t reason,
		     uint32_t root_pid)
{
	struct lw_tracked t = { .tool = tool, .reason = reason, .root_pid = root_pid };

	/*
	 * The filter's byte first: a program that sees the entry must not be told "no". Its
	 * sockets are not marked yet (bpf_loader_mark_sockets() does that next, and clears the
	 * bit): until then its send exits report what the egress program cannot see.
	 */
	track_filter_set(&l->filter, pid, LW_FILTER_TRACKED | LW_FILTER_UNMARKED);
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.tracked), &pid, &t, BPF_ANY))
		return -errno;
	return 0;
}

void bpf_loader_untrack(struct bpf_loader *l, uint32_t pid)
{
	int fd = bpf_map__fd(l->skel->maps.tracked);
	struct lw_tracked t;

	bpf_map_delete_elem(fd, &pid);
	track_filter_set(&l->filter, pid, 0);
	/* an exec of a candidate name may have put it back between the two: keep its byte */
	if (bpf_map_lookup_elem(fd, &pid, &t) == 0)
		track_filter_set(&l->filter, pid, LW_FILTER_TRACKED | LW_FILTER_UNMARKED);
}

int bpf_loader_retool(struct bpf_loader *l, uint32_t pid, uint16_t tool)
{
	int fd = bpf_map__fd(l->skel->maps.tracked);
	struct lw_tracked t;

	if (bpf_map_lookup_elem(fd, &pid, &t))
		return -errno;
	t.tool = tool;
	if (bpf_map_update_elem(fd, &pid, &t, BPF_EXIST))
		return -errno;
	return 0;
}

/*
 * The losses map's descriptor, with a buffer for one of its per-CPU slots (*ncpu values,
 * the caller frees *vals). Returns the descriptor or -errno.
 */
static int loss_slot_buf(struct bpf_loader *l, int *ncpu, uint64_t **vals)
{
	int n = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(l->skel->maps.losses);

	if (n <= 0)
		return n ? n : -EINVAL;
	if (fd < 0)
		return fd;
	*vals = calloc((size_t)n, sizeof(**vals));
	if (!*vals)
		return -ENOMEM;
	*ncpu = n;
	return fd;
}

int bpf_loader_read_losses(struct bpf_loader *l, uint64_t *out)
{
	uint64_t *vals = NULL;
	int ncpu = 0, err = 0;
	int fd = loss_slot_buf(l, &ncpu, &vals);

	if (fd < 0)
		return fd;
	for (__u32 k = 0; k < LW_LOSS_SLOTS; k++) {
		out[k] = 0;
		/* a slot that cannot be read reads 0 and makes the result an error */
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			if (!err)
				err = -errno;
			continue;
		}
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return err;
}

int bpf_loader_events_fd(struct bpf_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int bpf_loader_tracked_fd(struct bpf_loader *l)
{
	return bpf_map__fd(l->skel->maps.tracked);
}

int bpf_loader_conns_fd(struct bpf_loader *l)
{
	return bpf_map__fd(l->skel->maps.conns);
}

int bpf_loader_flows_fd(struct bpf_loader *l)
{
	return bpf_map__fd(l->skel->maps.flows);
}

int bpf_loader_conns_iter(struct bpf_loader *l, uint32_t pid)
{
	int fd;

	if (!l->conn_sk)
		return -ENOENT;
	if (!l->iter_link)
		return -EOPNOTSUPP; /* LLMWATCH_CONN_SK=1 without an iterator */
	l->skel->bss->lw_iter_pid = pid;
	/* never 0, which a connection the flush never marked has */
	if (++l->skel->bss->lw_iter_gen == 0)
		l->skel->bss->lw_iter_gen = 1;
	fd = bpf_iter_create(bpf_link__fd(l->iter_link));
	return fd < 0 ? -errno : fd;
}

int bpf_loader_mark_sockets(struct bpf_loader *l, uint32_t pid, uint16_t tool)
{
	unsigned int failed = 0;
	int n = 0;

	if (l->flow_egress)
		n = sock_marks_apply(bpf_map__fd(l->skel->maps.conn_marks),
				     bpf_map__fd(l->skel->maps.sock_flows), "/proc", pid, tool,
				     &failed);
	/*
	 * Its send exits need not look at the socket any more, unless one could not be marked
	 * (or the descriptors could not be read): those stay reported by the exits.
	 */
	if (n >= 0 && !failed)
		track_filter_clear_unmarked(&l->filter, pid);
	return n < 0 ? n : failed ? -EIO : n;
}

bool bpf_loader_sockets_unmarked(struct bpf_loader *l, uint32_t pid)
{
	return track_filter_unmarked(&l->filter, pid);
}

int bpf_loader_forget_sockets(struct bpf_loader *l, uint32_t pid)
{
	if (!l->flow_egress)
		return 0;
	return sock_marks_forget(bpf_map__fd(l->skel->maps.conn_marks),
				 bpf_map__fd(l->skel->maps.sock_flows), "/proc", pid);
}

int bpf_loader_sock_flows(struct bpf_loader *l, uint32_t pid,
			  void (*fn)(void *arg, uint64_t cookie, const struct lw_conn *conn),
			  void *arg)
{
	return sock_flows_read(bpf_map__fd(l->skel->maps.conn_marks), "/proc", pid, fn, arg);
}

int bpf_loader_add_loss(struct bpf_loader *l, uint32_t type, uint32_t reason, uint64_t n)
{
	__u32 k = type * LW_LOSS_REASON_MAX + reason;
	uint64_t *vals = NULL;
	int ncpu = 0, err = 0, fd;

	if (reason >= LW_LOSS_REASON_MAX || k >= LW_LOSS_SLOTS)
		return -EINVAL;
	fd = loss_slot_buf(l, &ncpu, &vals);
	if (fd < 0)
		return fd;
	/* CPU 0's share: a per-CPU slot is read and written whole */
	if (bpf_map_lookup_elem(fd, &k, vals) == 0) {
		vals[0] += n;
		if (bpf_map_update_elem(fd, &k, vals, BPF_ANY))
			err = -errno;
	} else {
		err = -errno;
	}
	free(vals);
	return err;
}

int bpf_loader_watch_cgroup_of(struct bpf_loader *l, uint32_t pid)
{
	if (!l->cgroups_watched || !l->cg.nprogs)
		return 0;
	return cgroup_links_attach_pid(&l->cg, "/proc", pid);
}

int bpf_loader_sweep_cgroups(struct bpf_loader *l)
{
	size_t max, n = 0;
	uint32_t *pids, key, next;
	void *prev = NULL;
	int fd, err = 0;

	if (!l->cgroups_watched || !l->cg.nprogs)
		return 0;
	fd = bpf_map__fd(l->skel->maps.tracked);
	max = bpf_map__max_entries(l->skel->maps.tracked);
	pids = calloc(max, sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	/*
	 * A key deleted under the walk (a process exiting) restarts it at the first key: the
	 * repeats cost a second look, and the table's size bounds the walk.
	 */
	while (n < max) {
		if (bpf_map_get_next_key(fd, prev, &next)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		pids[n++] = next;
		key = next;
		prev = &key;
	}
	if (!err)
		err = (int)cgroup_links_sweep(&l->cg, "/proc", pids, n,
					      BPF_LOADER_CGROUP_IDLE_SWEEPS);
	free(pids);
	return err;
}

static int destroy_link(void *link)
{
	return bpf_link__destroy(link);
}

/* Whether a program attaches through a trampoline (fentry, fexit): see bpf_loader_detach(). */
static bool is_trampoline_prog(const char *sec)
{
	return strncmp(sec, "fentry/", 7) == 0 || strncmp(sec, "fexit/", 6) == 0;
}

/*
 * Whether a program is on a scheduler tracepoint that every thread passes as it is made or
 * ends (exec, fork, exit): see bpf_loader_detach().
 */
static bool is_sched_prog(const char *sec)
{
	return strncmp(sec, "tp_btf/sched_process_", 21) == 0;
}

/*
 * Detaches, one after the other from this thread, every link still attached whose section
 * which() accepts (NULL: all), saying which failed; *first gets the first failure's -errno
 * if it has none yet. Returns whether any was detached.
 */
static bool detach_each(struct llmwatch_bpf *skel, bool (*which)(const char *sec), int *first)
{
	bool any = false;

	for (int i = 0; i < skel->skeleton->prog_cnt; i++) {
		struct bpf_link **link = skel->skeleton->progs[i].link;
		const char *sec = bpf_program__section_name(*skel->skeleton->progs[i].prog);
		int err;

		if (!*link || (which && !which(sec)))
			continue;
		any = true;
		err = bpf_link__destroy(*link);
		*link = NULL;
		if (err) {
			fprintf(stderr, "llmwatch: warning: detaching %s: %s\n", sec,
				strerror(-err));
			if (!*first)
				*first = err;
		}
	}
	return any;
}

/*
 * The scheduler tracepoints' links go first, from this thread, before any release thread
 * is made: their release patches the tracepoint's site in kernel_clone() and do_exit()
 * (a static key), which the release threads would be passing as they start and end. Those
 * releases wait for no grace period. (This order came from the kernel matrix's guests
 * hanging at such sites; the hangs were QEMU's multi-threaded TCG mishandling text one vCPU
 * patches under another, reproduced with no llmwatch at all by tools/qemu-smc-stress.sh, and
 * the matrix now runs TCG single-threaded. The order is kept: it costs nothing.)
 * Then every other link but the trampolines' goes at once (link_release.c). A tracepoint link's release
 * waits for an RCU tasks-trace grace period, and 6.18 waits holding bpf_event_mutex, so those
 * go one after the other in the kernel whatever is done here; the raw tracepoints' and cgroup
 * links' releases overlap them (a stop of ~190 ms instead of ~285 ms one by one, docs/
 * perf-notes.md). The cgroup links of --cgroups watched go first, from this thread (no grace
 * period). The fentry/fexit trampolines are rewritten in kernel text on detach: they go
 * last, one after the other.
 */
int bpf_loader_detach(struct bpf_loader *l)
{
	struct llmwatch_bpf *skel = l->skel;
	int n = skel ? skel->skeleton->prog_cnt : 0, k = 0, first = 0, err;
	void **links = calloc((size_t)(n ? n : 1), sizeof(*links));
	int *errs = calloc((size_t)(n ? n : 1), sizeof(*errs));
	const char **secs = calloc((size_t)(n ? n : 1), sizeof(*secs));

	if (l->detached) {
		free(links);
		free(errs);
		free(secs);
		return 0;
	}
	l->detached = true;
	/* cheap (no grace period to wait for), and no cgroup gets the programs after it */
	cgroup_links_free(&l->cg);
	l->cg.nprogs = 0;
	steptime_mark("stop: cgroup links of --cgroups watched detached");
	if (!links || !errs || !secs) {
		/* out of memory: the skeleton's destroy detaches them, one after the other */
		free(links);
		free(errs);
		free(secs);
		return -ENOMEM;
	}
	detach_each(skel, is_sched_prog, &first);
	steptime_mark("stop: scheduler tracepoints detached (exec, fork, exit)");
	for (int i = 0; i < n; i++) {
		struct bpf_link **link = skel->skeleton->progs[i].link;
		const char *sec = bpf_program__section_name(*skel->skeleton->progs[i].prog);

		if (!*link || is_trampoline_prog(sec))
			continue;
		secs[k] = sec;
		links[k++] = *link;
		*link = NULL;
	}
	err = link_release_all(links, (size_t)k, destroy_link, errs);
	for (int i = 0; err && i < k; i++)
		if (errs[i])
			fprintf(stderr, "llmwatch: warning: detaching %s: %s\n", secs[i],
				strerror(-errs[i]));
	if (!first)
		first = err;
	steptime_mark("stop: links detached (tracepoints, raw tracepoints, cgroup)");
	/* what is left: the trampolines */
	if (detach_each(skel, NULL, &first))
		steptime_mark("stop: fentry/fexit links detached");
	free(links);
	free(errs);
	free(secs);
	return first;
}

void bpf_loader_stop(struct bpf_loader *l)
{
	if (l->skel)
		bpf_loader_detach(l);
	bpf_link__destroy(l->iter_link);
	l->iter_link = NULL;
	cgroup_links_free(&l->cg);
	l->cg.nprogs = 0;
	if (l->skel) {
		track_filter_unmap(&l->filter);
		llmwatch_bpf__destroy(l->skel);
		steptime_mark("stop: BPF object closed (programs, maps)");
	}
	l->skel = NULL;
	if (l->cgroup_fd >= 0)
		close(l->cgroup_fd);
	l->cgroup_fd = -1;
}
