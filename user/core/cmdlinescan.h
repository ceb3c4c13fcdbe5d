/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Recognising tools run by an interpreter by their command line (issue 13 item 3): vLLM as
 * `python3 -m vllm.entrypoints...`, Open WebUI as `uvicorn open_webui.main:app`, AnythingLLM
 * as `node .../server/index.js`. Only a process whose name is one of a profile's
 * interpreters has its command line read, bounded, and at most once while it runs (a cache
 * by pid, start time and name).
 */
#ifndef LW_CMDLINESCAN_H
#define LW_CMDLINESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/profiles.h"
#include "llmwatch/events.h"

/*
 * At most this many bytes of a command line are read: argv_globs look at the interpreter,
 * its options and the script or module, which come first; a longer one is matched cut.
 */
#define CMDLINESCAN_BYTES 4096

/*
 * Which profile the process pid, whose comm is comm, is run as, by its command line: 0
 * without reading anything when comm is none of the profiles' interpreters; otherwise
 * reads PROC_ROOT/PID/cmdline into buf (size bytes, at most CMDLINESCAN_BYTES useful;
 * untrusted bytes, escape them before printing), sets *read, and returns the id of the
 * first profile whose interpreters and argv_globs match (profiles_match_cmdline()), or 0.
 * A process that is gone matches nothing.
 */
unsigned int cmdlinescan_match(const struct profile_set *set, const char *proc_root, uint32_t pid,
			       const char *comm, char *buf, size_t size, bool *read);

/*
 * Processes whose command line was read and matched no profile, by (pid, start time in
 * clock ticks, comm): a direct-mapped cache of fixed size, so memory is bounded; a
 * collision costs one more read of one command line. comm is in the key because a process
 * keeps its pid and start time across exec: one that becomes another interpreter is read
 * again (one that execs the same interpreter again is not). An empty command line is never
 * remembered: exec sets the new name before the new arguments, so a read in between sees
 * the interpreter's name and nothing to match yet.
 */
#define CMDLINESCAN_SEEN 4096

struct cmdlinescan_seen {
	uint32_t pid;
	uint64_t start;
	char comm[LW_COMM_LEN];
};

struct cmdlinescan_cache {
	struct cmdlinescan_seen slot[CMDLINESCAN_SEEN];
};

/* Whether (pid, start, comm) was read and matched nothing. */
bool cmdlinescan_cache_has(const struct cmdlinescan_cache *c, uint32_t pid, uint64_t start,
			   const char *comm);

/* Remembers a command line that matched nothing. */
void cmdlinescan_cache_put(struct cmdlinescan_cache *c, uint32_t pid, uint64_t start,
			   const char *comm);

#endif /* LW_CMDLINESCAN_H */
