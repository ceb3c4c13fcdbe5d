// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The record path fed from a byte stream (see record_stream.h). */
#include "monitor/record_stream.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "llmwatch/events.h"
#include "monitor/monitor.h"

/* Room for the largest record, aligned for any of them. */
union record_buf {
	struct lw_rec_hdr hdr;
	struct lw_rec_exec exec;
	struct lw_rec_fork fork;
	struct lw_rec_exit exit;
	struct lw_rec_sock sock;
	struct lw_rec_listen listen;
	struct lw_rec_open open;
	struct lw_rec_conn_bytes conn_bytes;
	struct lw_rec_payload payload;
};

int record_stream_feed(struct monitor *m, const void *buf, size_t len, size_t *offset, char *err,
		       size_t errsz)
{
	const unsigned char *p = buf;
	union record_buf rec;
	size_t off = 0;

	while (off < len) {
		size_t left = len - off, size;
		struct lw_rec_hdr h;

		if (left < sizeof(h)) {
			snprintf(err, errsz,
				 "record at offset %zu: %zu bytes left, less than a "
				 "header (%zu)",
				 off, left, sizeof(h));
			goto bad;
		}
		memcpy(&h, p + off, sizeof(h));
		size = h.size;
		if (size < sizeof(h) || size > sizeof(rec)) {
			snprintf(err, errsz,
				 "record at offset %zu: size %zu, not between a header "
				 "(%zu) and the largest record (%zu)",
				 off, size, sizeof(h), sizeof(rec));
			goto bad;
		}
		if (size > left) {
			snprintf(err, errsz,
				 "record at offset %zu: size %zu runs past the end "
				 "(%zu bytes left)",
				 off, size, left);
			goto bad;
		}
		memcpy(&rec, p + off, size);
		monitor_handle_record(m, &rec, size);
		off += size;
	}
	*offset = off;
	return 0;
bad:
	*offset = off;
	return -EBADMSG;
}
