/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where `llmwatch audit` sends its report, so that a periodic audit (a systemd timer)
 * alerts where the monitor does: --output SPEC, repeatable, with the monitor's names and
 * grammar (sinks/sink_registry.h):
 *
 *	text[:PATH], json[:PATH]   the report (audit_write_text/json) to PATH or stdout
 *	journald[:all]             an entry per WARN and FAIL finding (":all": every finding),
 *	                           one per check that could not run, and a summary
 *	syslog[:TARGET][,OPT=V]    RFC 5424 messages, the same ones, to the sink's targets
 *
 * Every output is opened before the checks run, so a bad one is refused at once rather than
 * after an hour of hashing. Writing waits (bounded) until syslog has delivered or given up,
 * since the audit is not an event loop: what was not delivered is counted and said.
 */
#ifndef LW_AUDIT_OUTPUTS_H
#define LW_AUDIT_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "audit/audit.h"
#include "sinks/journal_entry.h"
#include "sinks/syslog_format.h"

#define AUDIT_OUTPUTS_MAX 16
/* How long all the syslog outputs together may take to deliver, once the report is made. */
#define AUDIT_OUTPUTS_WAIT_MS 10000
/* The SD-ID of the audit's syslog messages: its params are not an alert's. */
#define AUDIT_SYSLOG_SD_ID "llmwatch-audit@32473"

struct audit_outputs;

/* An empty list of outputs, or NULL (ENOMEM). */
struct audit_outputs *audit_outputs_new(void);

/*
 * Adds --output spec (kept by pointer: it must outlive o). Returns 0, or -EINVAL with the
 * reason in err[errsz], starting with the quoted spec ("\"xml\": unknown output; ...").
 */
int audit_outputs_add(struct audit_outputs *o, const char *spec, char *err, size_t errsz);

/*
 * Adds the report as JSON or text to path (NULL or "-": stdout), taken whole (no options):
 * --json and -o OUT. shown names it in errors ("--json -o OUT"). 0 or -EINVAL as above.
 */
int audit_outputs_add_report(struct audit_outputs *o, const char *shown, bool json,
			     const char *path, char *err, size_t errsz);

/* How many outputs o holds. */
size_t audit_outputs_count(const struct audit_outputs *o);

/*
 * Refuses two outputs writing to the same place (stdout, a path, the journal), naming both,
 * then opens each: files created or truncated mode 0600 and never through a symlink,
 * journald's socket looked for, syslog's options and TLS files loaded and its first
 * connection started (links going down and up are told on diag). 0, or -errno with the
 * reason in err[errsz] (what was opened is closed again by audit_outputs_free).
 */
int audit_outputs_open(struct audit_outputs *o, FILE *diag, char *err, size_t errsz);

/*
 * Writes r to every output, then waits up to wait_ms (AUDIT_OUTPUTS_WAIT_MS) for syslog
 * to deliver. Each failure is told on diag ("llmwatch: audit: output \"syslog:...\": 2 of
 * 5 messages not delivered ..."). Returns how many outputs failed: 0 when all was written
 * and delivered.
 */
int audit_outputs_write(struct audit_outputs *o, const struct audit_report *r,
			const struct audit_ctx *c, int wait_ms);

/* Closes and frees everything; NULL is fine. */
void audit_outputs_free(struct audit_outputs *o);

/* ---- the pieces, for the unit tests ---------------------------------------------------- */

/*
 * The one line people read for finding f (journal MESSAGE, syslog MSG): "audit FAIL
 * exposure-settings [ollama] OLLAMA_HOST: evidence", every string escaped, cut (cleanly)
 * to fit buf[size]. Returns the length written.
 */
size_t audit_outputs_line(char *buf, size_t size, const struct audit_finding *f);

/* The syslog(3) priority of a finding: FAIL err (3), WARN warning (4), PASS, SKIP info (6). */
int audit_outputs_priority(enum audit_status s);

/*
 * The MESSAGE_ID of check's findings: the first 16 bytes of SHA-256("llmwatch-audit:"
 * check) in hex (journal_message_id). The summary's is that of "llmwatch-audit-summary".
 */
int audit_outputs_message_id(const char *check, char id[JOURNAL_MESSAGE_ID_LEN + 1]);

/*
 * Sends the journal entries of r with send: one per WARN and FAIL finding (all: every
 * finding), one per check that could not run, then the summary. Every entry is tried.
 * Returns how many could not be sent (*total, if not NULL, how many were made), and the
 * first error in *first_err.
 */
size_t audit_journal_send(const struct audit_report *r, const struct audit_ctx *c, bool all,
			  journal_send_fn send, void *ctx, size_t *total, int *first_err);

/*
 * The RFC 5424 message of finding f, and of the report's summary, at ts. Return the length,
 * or -EMSGSIZE.
 */
int audit_syslog_finding(char *buf, size_t size, const struct syslog_ident *id, struct timespec ts,
			 const struct audit_finding *f);
int audit_syslog_summary(char *buf, size_t size, const struct syslog_ident *id, struct timespec ts,
			 const struct audit_report *r, const struct audit_ctx *c);

#endif /* LW_AUDIT_OUTPUTS_H */
