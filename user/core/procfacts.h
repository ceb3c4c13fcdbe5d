/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the live monitor learned from /proc, or decided, about one watched process: the facts
 * a capture keeps (docs/capture-format.md, block kind 5) so that a replay, which reads no
 * /proc, decides as the live run did, and a report can say what each process was (its
 * command line, its parent, its executable's SHA-256). A plain value: the monitor fills one
 * when it reads a process's context (monitor.h, facts_tap), the capture writer stores it, the
 * reader gives it back, and monitor_restore_facts() puts it where the replay's monitor looks.
 */
#ifndef LW_PROCFACTS_H
#define LW_PROCFACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "llmwatch/events.h"

/* Why a process is watched: how it was confirmed (pinned numbers, stored in captures). */
enum proc_why {
	PROC_WHY_UNKNOWN = 0,
	PROC_WHY_EXE = 1,	/* its executable matched a profile's paths */
	PROC_WHY_EXEC_PATH = 2, /* the path it was exec'd by (a script) matched them */
	PROC_WHY_PARENT = 3,	/* a helper: its parent is the tool's executable */
	PROC_WHY_CMDLINE = 4,	/* an interpreter whose command line names the tool */
	PROC_WHY_NAME = 5,	/* a --watch entry: by name alone */
	PROC_WHY_INHERITED = 6, /* forked by (or exec'd in) a watched process */
	PROC_WHY_SCAN = 7,	/* found running at start by name and executable */
	PROC_WHY_RUNTIME = 8,	/* its mapped files show an inference runtime (--runtime-scan) */
	PROC_WHY_PID = 9,	/* a --pid tree */
	PROC_WHY_MAX
};

/* Names a proc_why for output ("exe", "cmdline"...); "unknown" for anything else. */
static inline const char *proc_why_name(unsigned int why)
{
	static const char *const names[PROC_WHY_MAX] = {
		"unknown", "exe",	"exec_path", "parent",	"cmdline",
		"name",	   "inherited", "scan",	     "runtime", "pid",
	};

	return why < PROC_WHY_MAX ? names[why] : "unknown";
}

/* Which file an executable was, so its hash is computed once: all zero when not known. */
struct exe_file_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

static inline bool exe_file_key_known(const struct exe_file_key *k)
{
	return k->dev || k->ino || k->size || k->mtime_ns;
}

struct proc_facts {
	uint32_t pid, ppid, root_pid, uid;
	uint64_t start_ns; /* the table's start time (CLOCK_BOOTTIME): exec, fork or first sight */
	uint64_t ts_ns;	   /* when it was learned: the time of the record being handled */
	uint16_t tool;	   /* profile id, as the capture header's profile.N names it */
	uint8_t origin;	   /* LW_MATCH_* */
	uint8_t why;	   /* enum proc_why */
	uint8_t cmdline_state;	 /* enum proc_cmdline_state (core/proctable.h) */
	uint64_t netns_ino;	 /* its network namespace's inode; 0: unknown */
	uint64_t host_netns_ino; /* the host's, as the live run judged it; 0: unknown */
	char comm[LW_COMM_LEN + 1], parent_comm[LW_COMM_LEN + 1];
	/* NUL-terminated, untrusted; never NULL ("" when unknown) */
	const char *exe, *cmdline, *parent_exe, *evidence;
	struct exe_file_key exe_key; /* the file /proc/PID/exe was (the capture writer fills it) */
};

/* Where a connection's name came from, in its own stream (pinned numbers, in captures). */
enum conn_name_source {
	CONN_NAME_NONE = 0, /* its head was seen and carries no name */
	CONN_NAME_SNI = 1,  /* the TLS ClientHello's server name */
	CONN_NAME_HTTP = 2, /* the HTTP request's Host header */
};

/*
 * What the live monitor's naming decided from a connection's first bytes (TLS server name,
 * HTTP Host): a capture keeps it so that a replay names the connection although the bytes
 * themselves are left out (--capture-payloads not given).
 */
struct conn_name_fact {
	uint64_t cookie; /* the socket's */
	uint64_t ts_ns;	 /* when it was decided (the payload record's time) */
	uint32_t pid, root_pid;
	struct lw_sockaddr remote;
	uint8_t source;	  /* enum conn_name_source */
	const char *host; /* NUL-terminated, untrusted; "" with CONN_NAME_NONE */
};

#endif /* LW_PROCFACTS_H */
