/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The record path fed from a byte stream instead of the ring buffer: records laid end to
 * end, each starting with the common header (include/llmwatch/events.h) whose size is its
 * length, as tests build them and as capture files will hold them.
 */
#ifndef LW_RECORD_STREAM_H
#define LW_RECORD_STREAM_H

#include <stddef.h>

struct monitor;

/*
 * Hands each record of buf[0..len) to monitor_handle_record(), in order, each copied first
 * to storage aligned as the ring buffer's (buf itself may be unaligned). What a record
 * holds is the record path's business (a bad type or version is a decode error counted in
 * m->stats); only the framing is checked here: fewer bytes left than a header, a size
 * below the header's or above the largest record's, or a size running past the end stop
 * the walk. Returns 0 with *offset = len, or -EBADMSG with *offset the offset of the bad
 * record (those before it were handled) and "record at offset N: ..." in err[errsz].
 */
int record_stream_feed(struct monitor *m, const void *buf, size_t len, size_t *offset, char *err,
		       size_t errsz);

#endif /* LW_RECORD_STREAM_H */
