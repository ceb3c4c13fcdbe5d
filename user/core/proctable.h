/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The process table: what user space knows about each tracked process (tool, executable,
 * parent, start time, whether its candidacy was confirmed). A data model only: it neither
 * prints nor talks to the kernel, so the live view and the tests can read it directly.
 */
#ifndef LW_PROCTABLE_H
#define LW_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "llmwatch/events.h"

enum proc_state {
	PROC_CANDIDATE, /* tracked by name, not yet confirmed */
	PROC_CONFIRMED, /* belongs to a watched tool */
	PROC_REJECTED,	/* a name match that turned out not to be the tool */
};

struct proc_entry {
	uint32_t pid, ppid, root_pid, uid;
	uint16_t tool;	/* profile id */
	uint8_t state;	/* enum proc_state */
	uint8_t origin; /* LW_MATCH_* */
	uint8_t why;	/* enum proc_why (core/procfacts.h): how it was confirmed */
	bool exited;
	int32_t exit_code;
	uint64_t start_ns; /* CLOCK_BOOTTIME: exec, fork or when first seen */
	uint64_t exit_ns;
	char comm[LW_COMM_LEN + 1];
	char *exe;	/* heap; "" when unknown */
	char *evidence; /* heap or NULL: why it is watched, for its next event */
	/*
	 * What the rules may ask about the process beyond its event (docs/rules.md: argv,
	 * parent_exe, netns...), read from /proc once per program: monitor.c fills it on the
	 * process's first written event after an exec, fork or first sight (info_ready).
	 */
	bool info_ready;
	uint8_t cmdline_state;		   /* enum proc_cmdline_state */
	char *cmdline;			   /* heap or NULL: arguments joined by spaces, untrusted */
	char *parent_exe;		   /* heap or NULL: unknown */
	char parent_comm[LW_COMM_LEN + 1]; /* "" when unknown */
	uint64_t netns_ino;		   /* inode of its network namespace; 0: unknown */
	struct proc_entry *next;	   /* hash chain */
};

/* How much of a process's command line the table holds. */
enum proc_cmdline_state {
	PROC_CMDLINE_UNREAD,	 /* not read (yet) */
	PROC_CMDLINE_FULL,	 /* cmdline is all of it */
	PROC_CMDLINE_CUT,	 /* longer than PROC_CMDLINE_MAX - 1: cmdline is a prefix */
	PROC_CMDLINE_UNREADABLE, /* gone before it was read, or no access: cmdline NULL */
};

/* The most bytes of a command line the table keeps, its NUL included. */
#define PROC_CMDLINE_MAX 4096

struct proctable {
	struct proc_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t count, max;
	uint64_t full_drops; /* entries refused because the table was full */
};

/* Returns 0 or -ENOMEM. max bounds the number of entries. */
int proctable_init(struct proctable *pt, size_t max);
void proctable_free(struct proctable *pt);

/* The entry for pid, or NULL. */
struct proc_entry *proctable_get(const struct proctable *pt, uint32_t pid);

/*
 * The entry for pid, created zeroed (exe "") if absent. Returns NULL with errno ENOSPC when
 * the table is full (counted in full_drops) or ENOMEM.
 */
struct proc_entry *proctable_upsert(struct proctable *pt, uint32_t pid);

/* Replaces e->exe with a copy of path. Returns 0 or -ENOMEM (exe left unchanged). */
int proctable_set_exe(struct proc_entry *e, const char *path);

/* Replaces e->evidence with a copy of what (NULL clears it). Returns 0 or -ENOMEM. */
int proctable_set_evidence(struct proc_entry *e, const char *what);

/*
 * Replaces e->cmdline with a copy of text (NULL: none) and sets its state. Returns 0 or
 * -ENOMEM (then cmdline is NULL and the state PROC_CMDLINE_UNREADABLE: never a stale one).
 */
int proctable_set_cmdline(struct proc_entry *e, const char *text, enum proc_cmdline_state state);

/* Replaces e->parent_exe with a copy of path (NULL clears it). Returns 0 or -ENOMEM. */
int proctable_set_parent_exe(struct proc_entry *e, const char *path);

/* Forgets what was read for the rules (a new program, or a new process with this pid). */
void proctable_clear_info(struct proc_entry *e);

/* Removes pid if present. */
void proctable_remove(struct proctable *pt, uint32_t pid);

/* Removes entries that exited before now_ns - grace_ns. Returns how many. */
size_t proctable_reap(struct proctable *pt, uint64_t now_ns, uint64_t grace_ns);

/* Calls fn for each entry until it returns non-zero; returns that value or 0. */
int proctable_foreach(struct proctable *pt, int (*fn)(struct proc_entry *e, void *arg), void *arg);

#endif /* LW_PROCTABLE_H */
