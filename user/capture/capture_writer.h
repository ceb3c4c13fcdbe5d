/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Writes a capture file (docs/capture-format.md): the ring-buffer records the record path
 * receives, buffered and written as zlib-compressed, hash-chained blocks when the buffer
 * fills or at capture_writer_tick() once flush_ns has passed (so a SIGKILL loses at most
 * that interval), synced to disk (fdatasync) at most once a flush_ns and at each tick that
 * finds unsynced blocks; the processes already running, the loss counters and what the
 * monitor learned from /proc (facts, executables' hashes) in blocks of their own; a sealed
 * footer at capture_writer_close().
 * A failed write is counted (the block's records are lost), said once on stderr, and the
 * file cut back to its last whole block so that what follows stays readable.
 */
#ifndef LW_CAPTURE_WRITER_H
#define LW_CAPTURE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct proctable;
struct profile_set;
struct lw_stats;
struct proc_facts;
struct conn_name_fact;

/* What the header says about the run, besides what the writer reads itself (uname, clocks). */
struct capture_meta {
	const char *llmwatch_version;
	const struct profile_set *profiles; /* their names, by id: what hdr.tool means */
	size_t n_rules;			    /* rules loaded */
	const char *const *rule_paths;	    /* --rules, as given */
	size_t n_rule_paths;
	int default_rules;	  /* the built-in pack was loaded */
	const char *rules_digest; /* rules_digest_hex() of the set loaded at start, or NULL */
};

/* How the writer is doing (the summary, tests). */
struct capture_writer_stats {
	uint64_t blocks, records, bytes; /* written and synced */
	uint64_t write_errors;		 /* blocks that could not be written: lost */
	uint64_t lost_records;		 /* records in them */
	uint64_t facts;			 /* process facts written (and hashes) */
	uint64_t facts_lost;		 /* in blocks that could not be written */
	/*
	 * facts not kept for the top of the next rotated file (too many processes, no
	 * memory): a file replayed alone lacks them
	 */
	uint64_t facts_unkept;
	/* executables (once per file): hashed, or why not */
	uint64_t exe_hashed;
	uint64_t exe_unhashed;	 /* a read failed */
	uint64_t exe_unopened;	 /* /proc/PID/exe could not be opened: the process was gone */
	uint64_t exe_by_path;	 /* gone, and its exe path opened instead (CAPTURE_EXE_FROM_PATH) */
	uint64_t exe_dropped;	 /* the hash queue (or cache) was full */
	uint64_t exe_unfinished; /* still hashing when the stop's wait ended */
	uint64_t heads_left_out; /* stream heads not written (no --capture-payloads) */
	uint64_t names;		 /* connection names written in their stead */
};

struct capture_writer;

struct capture_writer_opts {
	uint64_t flush_ns; /* how long a record may wait in memory */
	/*
	 * Rotation: before a block could take the file past max_size bytes (0: never), it is
	 * sealed and moved to PATH.1 (PATH.1 to PATH.2, ..., PATH.keep removed; keep 0: removed),
	 * and PATH started anew with the header and the processes watched then: each file
	 * reads on its own.
	 */
	uint64_t max_size;
	unsigned int keep;
	const char *proc_root; /* where /proc/PID/exe is opened for the hashes; NULL: "/proc" */
	/*
	 * --capture-payloads: keep the stream heads (TLS ClientHello, HTTP request head: paths,
	 * cookies) that capture_writer_tap() otherwise leaves out (counted); DNS answers, which
	 * name addresses, are kept either way.
	 */
	bool payloads;
	/*
	 * When FILE cannot be created again after a rotation: how often it is retried (0: 1 s),
	 * at most 600 times; what comes meanwhile is lost and counted (lost_records).
	 */
	uint64_t reopen_interval_ns;
};

/*
 * Creates path (mode 0600, truncated; never through a symlink) and writes its header.
 * NULL with the reason (naming path) in err[errsz] on failure.
 */
struct capture_writer *capture_writer_open(const char *path, const struct capture_meta *meta,
					   const struct capture_writer_opts *o, char *err,
					   size_t errsz);

/* Adds one record (its header's size bytes); writes a block first when the buffer is full. */
void capture_writer_add(struct capture_writer *w, const void *rec, size_t len);

/*
 * The record path's tap (struct monitor's record_tap): capture_writer_add with ctx = w, but
 * for the stream heads among LW_REC_PAYLOAD records without opts.payloads (counted).
 */
void capture_writer_tap(void *w, const void *rec, size_t len);

/*
 * Writes the processes of pt (those already running at start) as a block; pt must live as
 * long as w: a rotation writes its processes again at the top of the new file.
 */
void capture_writer_procs(struct capture_writer *w, struct proctable *pt);

/*
 * Adds what the monitor learned about a process (struct monitor's facts_tap), written as
 * a facts block before the records that follow: opens proc_root/PID/exe now (the file as
 * it was at exec, even if replaced later) and has it hashed by a worker thread, once per
 * file; the hash is written when done. Never waits: what cannot be hashed is counted
 * (capture_writer_stats, and the line capture_writer_close() prints).
 */
void capture_writer_facts(struct capture_writer *w, const struct proc_facts *f);

/* The monitor's facts_tap: capture_writer_facts with ctx = w. */
void capture_writer_facts_tap(void *w, const struct proc_facts *f);

/*
 * Adds what naming decided from a connection's first bytes (struct monitor's name_tap, ctx
 * w), written as a fact before the records that follow: a replay names the connection
 * from it when the bytes themselves were left out.
 */
void capture_writer_name_tap(void *w, const struct conn_name_fact *f);

/* Writes the loss counters of s as a block when they changed since the last one. */
void capture_writer_losses(struct capture_writer *w, const struct lw_stats *s, uint64_t now_ns);

/* Writes the buffered records when flush_ns has passed since the last block (now_ns: BOOTTIME). */
void capture_writer_tick(struct capture_writer *w, uint64_t now_ns);

/* Writes what is buffered now. */
void capture_writer_flush(struct capture_writer *w);

void capture_writer_get_stats(const struct capture_writer *w, struct capture_writer_stats *out);

/*
 * Writes what is buffered and the sealed footer, syncs and closes; prints the counts (and
 * any loss) to log when not NULL. Returns 0, or -1 if anything was lost. NULL is fine.
 */
int capture_writer_close(struct capture_writer *w, FILE *log);

#endif /* LW_CAPTURE_WRITER_H */
