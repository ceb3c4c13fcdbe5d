/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One structured journal entry built in memory, field by field, then handed to a send
 * function as iovecs (sd_journal_sendv() in llmwatch, a capture in unit tests). Shared by
 * the journald sink (alerts) and the audit's journal output (findings), so both name their
 * fields the same way and escape untrusted values alike: every name is the caller's
 * constant, every value that came from outside goes through util/escape.h, so an entry holds
 * valid UTF-8 without control characters.
 */
#ifndef LW_JOURNAL_ENTRY_H
#define LW_JOURNAL_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/* More than the most any entry carries (a verdict on conn_bytes: 17; an audit summary: 13). */
#define JOURNAL_ENTRY_FIELDS_MAX 24

/* A MESSAGE_ID: 128 bits as 32 lower-case hex digits, as journalctl shows them. */
#define JOURNAL_MESSAGE_ID_LEN 32

/* Sends one entry of n "NAME=value" fields; 0 (or > 0) on success, -errno on failure. */
typedef int (*journal_send_fn)(const struct iovec *iov, int n, void *ctx);

struct journal_entry {
	char *buf; /* the fields laid end to end */
	size_t len, cap;
	struct {
		size_t off, len; /* offsets, since buf may move */
	} field[JOURNAL_ENTRY_FIELDS_MAX];
	struct iovec iov[JOURNAL_ENTRY_FIELDS_MAX];
	size_t n;
	bool broken; /* a field did not fit (memory, count, a formatted value): not sent */
};

/* Empties e for the next entry (its memory is kept). */
void journal_entry_reset(struct journal_entry *e);

/* Frees e's memory; e may be reused after a reset. */
void journal_entry_free(struct journal_entry *e);

/* A field whose value is known to be clean: our own words, numbers, escaped text. */
void journal_entry_clean(struct journal_entry *e, const char *name, const char *value, size_t len);
void journal_entry_str(struct journal_entry *e, const char *name, const char *value);

/* A field holding untrusted bytes value[0..len), escaped (util/escape.h). */
void journal_entry_untrusted(struct journal_entry *e, const char *name, const char *value,
			     size_t len);

/* A short formatted value (numbers): at most 63 bytes, else the entry is broken. */
void journal_entry_fmt(struct journal_entry *e, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Hands the entry to send (with ctx) and resets e. Returns 0, -ENOMEM when a field could
 * not be built (nothing sent), or send's -errno.
 */
int journal_entry_send(struct journal_entry *e, journal_send_fn send, void *ctx);

/* The real sender: sd_journal_sendv(). */
int journal_entry_sendv(const struct iovec *iov, int n, void *ctx);

/*
 * Whether journald's socket (/run/systemd/journal/socket) is there: 0, or -errno with the
 * reason in err[errsz]. An output told to write to the journal must not write into nothing.
 */
int journal_socket_check(char *err, size_t errsz);

/*
 * A MESSAGE_ID: the first 16 bytes of SHA-256(ns name) in hex, NUL-terminated in id_out.
 * Stable across runs, versions and machines. Returns 0, or -EIO when the digest fails.
 */
int journal_message_id(const char *ns, const char *name, char id_out[JOURNAL_MESSAGE_ID_LEN + 1]);

#endif /* LW_JOURNAL_ENTRY_H */
