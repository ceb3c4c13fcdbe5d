/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A snapshot of /proc: every process's pid, parent, owner, name and executable. */
#ifndef LW_PROCSCAN_H
#define LW_PROCSCAN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "llmwatch/events.h"

struct procscan_entry {
	uint32_t pid, ppid, uid;
	uint64_t start_ns;	    /* CLOCK_BOOTTIME of the process start */
	uint64_t start_ticks;	    /* the same, in clock ticks, as /proc/PID/stat says it */
	char comm[LW_COMM_LEN + 1]; /* untrusted */
	char exe[PATH_MAX];	    /* "" when unreadable (kernel threads, gone) */
};

/*
 * Reads every process in proc_root ("/proc" outside tests). On success *out is a malloc'd
 * array of *n entries (free() it) and 0 is returned; -errno if proc_root cannot be read.
 * Processes that vanish during the scan are skipped.
 */
int procscan_list(const char *proc_root, struct procscan_entry **out, size_t *n);

/* Reads one process. Returns 0, or -ENOENT if it is gone. */
int procscan_read(const char *proc_root, uint32_t pid, struct procscan_entry *e);

/* The fields of /proc/PID/stat that llmwatch reads, as the kernel wrote them. */
struct procscan_stat {
	char comm[LW_COMM_LEN]; /* NUL-terminated, cut to LW_COMM_LEN - 1 */
	uint32_t ppid;
	uint64_t start_ticks; /* starttime, in clock ticks since boot */
	uint64_t vsize;	      /* virtual memory size in bytes; 0 for a kernel thread */
};

/* Reads and parses PROC_ROOT/PID/stat. Returns 0, or -ENOENT (gone, or not parseable). */
int procscan_read_stat(const char *proc_root, uint32_t pid, struct procscan_stat *out);

/*
 * Reads PROC_ROOT/PID/cmdline into buf (size > 0) with its arguments joined by single
 * spaces, NUL-terminated, cut to size - 1 bytes (*cut set when it was longer). The bytes are
 * the process's own (untrusted): escape them before printing. A kernel thread or a zombie
 * has an empty command line. Returns its length, or -ENOENT if the process is gone.
 */
int procscan_read_cmdline(const char *proc_root, uint32_t pid, char *buf, size_t size, int *cut);

/*
 * The inode of the network namespace of pid (0: the reading process itself, "self"), from
 * PROC_ROOT/PID/ns/net, into *ino. Returns 0, or -errno (-ENOENT: gone; -EACCES: no access).
 */
int procscan_read_netns(const char *proc_root, uint32_t pid, uint64_t *ino);

/*
 * Whether the reading process has capability cap (CAP_*) in its effective set, from
 * PROC_ROOT/self/status's CapEff. Returns 1 or 0, or -errno (-EBADMSG: no CapEff line).
 */
int procscan_self_has_cap(const char *proc_root, unsigned int cap);

#endif /* LW_PROCSCAN_H */
