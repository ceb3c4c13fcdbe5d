/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The record path run over captures, with no kernel: captures (capture/capture_reader.h)
 * are read in the order given, as one run, into one monitor whose kernel ops do nothing,
 * whose /proc cannot be read (what a process was is what the capture says: its running
 * processes, its records) and whose clock is the records' own times; the rules match again
 * and the events go to any sink. `llmwatch replay` feeds its outputs this way, and the
 * report (report_model.c) its model.
 */
#ifndef LW_CAPTURE_REPLAY_H
#define LW_CAPTURE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture_format.h"
#include "capture/capture_reader.h"
#include "core/procfacts.h"
#include "core/stats.h"
#include "rules/rules.h"

struct sink;

/* What each capture file said about itself, and how reading it went. */
struct capture_replay_file {
	const char *path;		/* as given */
	int err;			/* 0, -EBADMSG (framing broke: res.error), or -errno */
	struct capture_read_result res; /* the reader's verdict */
	uint16_t record_version;
	char llmwatch[64], host[256], kernel[256]; /* header text, untrusted, "" when absent */
	/* the capture's clock: a record's wall time is wall_ns + ts_ns - boot_ns */
	uint64_t boot_ns, wall_ns;
	bool has_clock;			  /* both were in the header */
	uint64_t first_ts_ns, last_ts_ns; /* BOOTTIME of its first and last record */
	uint64_t records_seen;		  /* records handed to the record path */
	uint64_t feed_errors;		  /* record blocks whose framing broke */
	/*
	 * rules_digest= of its header (docs/capture-format.md), "" when absent (an older
	 * capture); rules_same: the rules of this replay have that digest
	 */
	char rules_digest[2 * RULES_DIGEST_LEN + 1];
	bool rules_same;
};

/* One CAPTURE_BLOCK_LOSSES snapshot, counters in stats_loss_counters() order. */
struct capture_replay_loss {
	size_t file;	/* index into the files */
	uint64_t ts_ns; /* BOOTTIME of the snapshot */
	uint64_t v[STATS_LOSS_COUNTERS];
};

struct capture_replay_result {
	struct capture_replay_file *files; /* n of them, in the order given */
	size_t n_files;
	struct capture_replay_loss *losses; /* every snapshot, in the order read */
	size_t n_losses;
	struct lw_stats stats; /* the record path's counters at the end */
	uint64_t feed_errors;  /* over all files */
	bool profiles_differ;  /* a tool id of a capture names another profile here */
};

/*
 * Optional callbacks, for a consumer that wants more than the events (the report): each
 * file's start, once its header is read, and each process running when a capture started.
 */
struct capture_replay_hooks {
	void (*file_begin)(void *ctx, size_t index, const struct capture_replay_file *f);
	void (*proc)(void *ctx, const struct capture_proc *p, const char *exe, size_t exe_len);
	/*
	 * What the live run learned about each watched program (core/procfacts.h: argv, parent,
	 * netns, why, exe_key), before the records it goes with; the replay's monitor has
	 * already taken it when this is called. Valid during the call.
	 */
	void (*facts)(void *ctx, const struct proc_facts *f);
	/*
	 * The SHA-256 of an executable file as the facts' exe_key names it (ok false: it could
	 * not be read): a process's sha256 is the hash whose key equals its facts' exe_key.
	 * Once per file and capture file, after the first fact naming it.
	 */
	void (*exe_hash)(void *ctx, const struct exe_file_key *key, bool ok,
			 const unsigned char sha256[32]);
};

struct capture_replay_opts {
	const char *const *rules; /* --rules FILE|DIR, n_rules of them */
	size_t n_rules;
	bool no_default_rules;
	const char *const *profiles; /* --profiles FILE|DIR */
	size_t n_profiles;
	/*
	 * Where the replay says what it reads (format, host, problems, rule errors), each line
	 * starting "llmwatch: WHO: "; NULL: nowhere (rule and profile errors still go to
	 * stderr, since they end the run).
	 */
	FILE *log;
	const char *who; /* "replay", "report" */
	const struct capture_replay_hooks *hooks;
	void *hook_ctx;
};

/*
 * Replays files[0..n) into sink (which it never destroys; its summary is called with the
 * run's counters at the end). Returns 0 when the run happened (each file's verdict in
 * out->files: a file that cannot be read or whose framing broke is one of them, the
 * others still read), -EINVAL when the rules or profiles did not load (errors printed,
 * FILE:LINE:COL), or -ENOMEM. Free out with capture_replay_result_free() in every case.
 */
int capture_replay(const char *const *files, size_t n, const struct capture_replay_opts *o,
		   struct sink *sink, struct capture_replay_result *out);

void capture_replay_result_free(struct capture_replay_result *r);

#endif /* LW_CAPTURE_REPLAY_H */
