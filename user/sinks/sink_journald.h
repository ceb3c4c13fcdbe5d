/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The journald sink (--output journald[:events]): one structured journal entry per alert,
 * and with ":events" one per event too, sent with libsystemd's sd_journal_sendv(). The
 * fields are listed in README.md ("Outputs → journald"); every name is a constant of this
 * file and every value from the watched process is escaped (util/escape.h), so an entry
 * holds valid UTF-8 without control characters whatever the process called itself.
 */
#ifndef LW_SINK_JOURNALD_H
#define LW_SINK_JOURNALD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "sinks/journal_entry.h"
#include "sinks/sink.h"

/* A MESSAGE_ID: 128 bits as 32 lower-case hex digits, as journalctl shows them. */
#define SINK_JOURNALD_ID_LEN JOURNAL_MESSAGE_ID_LEN

/*
 * Sends one entry of n "NAME=value" fields; 0 or -errno. sd_journal_sendv() in llmwatch,
 * a capture in the unit tests.
 */
typedef journal_send_fn sink_journald_send_fn;

/*
 * A journald sink handing its entries to send (with ctx); events: one entry per event as
 * well as per alert. NULL with errno set on failure. For tests; llmwatch opens it through
 * the registry (sink_journald_open()).
 */
struct sink *sink_journald_new(bool events, sink_journald_send_fn send, void *ctx);

/*
 * The registry's constructor: arg NULL (alerts only) or "events". Refuses another arg, and
 * a machine without journald's socket (/run/systemd/journal/socket): a daemon told to
 * alert there must not start writing into nothing. NULL on failure, with errno set and the
 * reason in err[errsz].
 */
struct sink *sink_journald_open(const char *arg, char *err, size_t errsz);

/*
 * The MESSAGE_ID of rule id: the first 16 bytes of SHA-256("llmwatch-rule:" id) in hex,
 * NUL-terminated in id_out. Stable across runs, versions and machines, so `journalctl
 * MESSAGE_ID=...` finds a rule's alerts. Returns 0, or -EIO when the digest fails.
 */
int sink_journald_message_id(const char *rule, char id_out[SINK_JOURNALD_ID_LEN + 1]);

#endif /* LW_SINK_JOURNALD_H */
