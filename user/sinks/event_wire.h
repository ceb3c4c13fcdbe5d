/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The frames of a daemon's event stream (docs/live-stream.md, live/stream_server.h): a fixed
 * header, then a payload of little-endian integers and length-prefixed strings in a pinned
 * order. Encoders turn processed events (with their verdicts), the daemon's counters and its
 * hello into frames; decoders check every length against the payload and the limits below
 * before they copy a byte (the bytes come from a socket: untrusted) and refuse a frame with
 * a reason naming the offset.
 */
#ifndef LW_EVENT_WIRE_H
#define LW_EVENT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/event.h"
#include "core/stats.h"
#include "rules/rules.h"

#define EVENT_WIRE_MAGIC 0x5645574cu /* "LWEV" as little-endian bytes */
#define EVENT_WIRE_VERSION 1	     /* this end's protocol; a frame of another is refused */

/* Frame kinds. Pinned numbers: append only, never reuse. */
#define EVENT_WIRE_HELLO 1   /* the daemon's first frame: who it is */
#define EVENT_WIRE_EVENT 2   /* one processed event and its verdicts */
#define EVENT_WIRE_STATS 3   /* the daemon's counters, about once a second */
#define EVENT_WIRE_MISSED 4  /* events dropped for this viewer since the last MISSED */
#define EVENT_WIRE_REFUSED 5 /* why the daemon closes the stream (the only frame sent then) */

/* Header flags. Unknown bits are ignored by a decoder. */
#define EVENT_WIRE_F_CUT (1u << 0) /* a string of the event was longer than the limit: cut */

/*
 * The header, 12 bytes, every field little-endian. Encoders and decoders go through
 * event_wire_put_hdr()/event_wire_get_hdr() (byte by byte), never a cast: the struct is
 * only the layout's reference.
 */
struct event_wire_hdr {
	uint32_t magic;	 /* EVENT_WIRE_MAGIC */
	uint8_t version; /* EVENT_WIRE_VERSION */
	uint8_t kind;	 /* EVENT_WIRE_* */
	uint16_t flags;	 /* EVENT_WIRE_F_* */
	uint32_t len;	 /* payload bytes after the header, <= EVENT_WIRE_PAYLOAD_MAX */
};
#define EVENT_WIRE_HDR_LEN 12
_Static_assert(sizeof(struct event_wire_hdr) == EVENT_WIRE_HDR_LEN, "event_wire_hdr layout");

/*
 * Limits a decoder enforces, so nothing it is handed makes it read past the payload or
 * allocate for a count a peer merely claims. The encoder stays inside them: strings longer
 * than EVENT_WIRE_STR_MAX are cut (EVENT_WIRE_F_CUT), verdicts and tags past their limits
 * are left out (counted by the caller), which keeps an event far below the frame limit.
 */
#define EVENT_WIRE_PAYLOAD_MAX (256u << 10) /* one frame's payload */
#define EVENT_WIRE_FRAME_MAX (EVENT_WIRE_HDR_LEN + EVENT_WIRE_PAYLOAD_MAX)
#define EVENT_WIRE_STR_MAX 8192		 /* one string's bytes */
#define EVENT_WIRE_BYTES_MAX 4096	 /* an event's payload bytes (stream heads) */
#define EVENT_WIRE_VERDICTS_MAX 16	 /* verdicts per event */
#define EVENT_WIRE_TAGS_MAX 32		 /* tags per verdict */
#define EVENT_WIRE_HELLO_STR_MAX 256	 /* each string of a hello */
#define EVENT_WIRE_REASON_MAX 1024	 /* a refusal's text */
#define EVENT_WIRE_KERNEL_TYPES_MAX 256	 /* kernel loss counters: record types ... */
#define EVENT_WIRE_KERNEL_REASONS_MAX 64 /* ... times reasons */
#define EVENT_WIRE_STATS_SCALARS_MAX 256 /* the scalar counters of a STATS frame */
/*
 * Strings of one event: 14 fixed fields, two per loss counter of a loss alert, and per
 * verdict its rule, description, message and tags.
 */
#define EVENT_WIRE_STRINGS_MAX \
	(14 + 2 * STATS_LOSS_COUNTERS + EVENT_WIRE_VERDICTS_MAX * (3 + EVENT_WIRE_TAGS_MAX))

/* ---- encoding ---------------------------------------------------------------------------- */

/* What a hello says. Strings NUL-terminated; cut at EVENT_WIRE_HELLO_STR_MAX bytes. */
struct event_wire_hello {
	uint16_t protocol;	  /* EVENT_WIRE_VERSION of the daemon */
	const char *version;	  /* llmwatch's version */
	const char *rules_digest; /* rules_digest_hex() */
	const char *host;	  /* the daemon's host name */
};

/*
 * Each writes one whole frame (header and payload) into buf[size] and returns its length, or
 * -EMSGSIZE when it does not fit (nothing to be relied on is left in buf). A buffer of
 * EVENT_WIRE_FRAME_MAX bytes always fits an event within the limits above. nv above
 * EVENT_WIRE_VERDICTS_MAX and tags above EVENT_WIRE_TAGS_MAX: only the first are written.
 */
ssize_t event_wire_encode_event(void *buf, size_t size, const struct lw_event *ev,
				const struct rules_verdict *v, size_t nv);
ssize_t event_wire_encode_hello(void *buf, size_t size, const struct event_wire_hello *h);
ssize_t event_wire_encode_stats(void *buf, size_t size, const struct lw_stats *st);
ssize_t event_wire_encode_missed(void *buf, size_t size, uint64_t n);
ssize_t event_wire_encode_refused(void *buf, size_t size, const char *reason);

/* ---- decoding ---------------------------------------------------------------------------- */

/*
 * Reads the header at the start of buf[len]. Returns 0 with *h filled, -EAGAIN when fewer
 * than EVENT_WIRE_HDR_LEN bytes are there, or -EPROTO with the reason in err[n] (a bad
 * magic, another version, a payload longer than EVENT_WIRE_PAYLOAD_MAX).
 */
int event_wire_get_hdr(const void *buf, size_t len, struct event_wire_hdr *h, char *err, size_t n);

/*
 * A decoded event: the event and its verdicts, every pointer into this struct (strings
 * NUL-terminated in strs). Big (about 300 KiB): allocate it once.
 */
struct event_wire_event {
	struct lw_event ev;
	struct rules_verdict v[EVENT_WIRE_VERDICTS_MAX];
	size_t nv;
	uint16_t flags; /* the frame's EVENT_WIRE_F_* */
	struct lw_sockaddr addr;
	struct lw_fold fold;
	struct stats_loss_report losses;
	const char *tags[EVENT_WIRE_VERDICTS_MAX][EVENT_WIRE_TAGS_MAX];
	size_t strs_used;
	/* every string's bytes and a NUL each: never more than the payload plus the NULs */
	char strs[EVENT_WIRE_PAYLOAD_MAX + EVENT_WIRE_STRINGS_MAX];
};

/* A decoded hello: NUL-terminated copies, untrusted bytes (escape before showing). */
struct event_wire_hello_buf {
	uint16_t protocol;
	char version[EVENT_WIRE_HELLO_STR_MAX + 1];
	char rules_digest[EVENT_WIRE_HELLO_STR_MAX + 1];
	char host[EVENT_WIRE_HELLO_STR_MAX + 1];
};

/* Decoded counters: st's output names point into names. */
struct event_wire_stats {
	struct lw_stats st;
	char names[LW_OUTPUTS_MAX][EVENT_WIRE_HELLO_STR_MAX + 1];
};

/*
 * Each decodes the payload p[len] of a frame of its kind (the header's len; flags is the
 * header's). Returns 0, or -EPROTO with the reason in err[n], naming the payload offset:
 * "EVENT at offset 40: string length 9000 over the limit 8192". Nothing is read outside
 * p[0..len), and a payload with bytes left over is refused too.
 */
int event_wire_decode_event(const void *p, size_t len, uint16_t flags, struct event_wire_event *out,
			    char *err, size_t n);
int event_wire_decode_hello(const void *p, size_t len, struct event_wire_hello_buf *out, char *err,
			    size_t n);
int event_wire_decode_stats(const void *p, size_t len, struct event_wire_stats *out, char *err,
			    size_t n);
int event_wire_decode_missed(const void *p, size_t len, uint64_t *missed, char *err, size_t n);
/* reason[EVENT_WIRE_REASON_MAX + 1]: the daemon's text, untrusted (escape before showing) */
int event_wire_decode_refused(const void *p, size_t len, char *reason, char *err, size_t n);

/* "hello", "event", "stats", "missed", "refused", or "unknown". */
const char *event_wire_kind_name(unsigned int kind);

#endif /* LW_EVENT_WIRE_H */
