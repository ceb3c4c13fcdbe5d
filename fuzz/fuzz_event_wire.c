// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the event stream's frames (sinks/event_wire.c): the input is a
 * stream of bytes as a viewer reads it from a daemon's socket. Every frame is decoded or
 * refused with a reason; nothing is read past the input; what a decoded event holds lies
 * inside the decoder's struct, within the limits; and a decoded event encodes again into a
 * frame that decodes to the same fields.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/event_wire.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static volatile unsigned char sink;

static void touch(const void *p, size_t n)
{
	const unsigned char *q = p;

	for (size_t i = 0; i < n; i++)
		sink ^= q[i];
}

/* A decoded string: inside the struct's buffer (or a fixed default), NUL-terminated. */
static void check_str(const struct event_wire_event *d, const char *s, size_t max)
{
	if (!s)
		return;
	if (s[0] == '\0' && (s < d->strs || s >= d->strs + sizeof(d->strs)))
		return; /* the decoder's "" for an unknown tool or exe */
	FUZZ_ASSERT(s >= d->strs && s < d->strs + d->strs_used);
	FUZZ_ASSERT(strnlen(s, max + 1) <= max);
}

static void check_event(const struct event_wire_event *d)
{
	const struct lw_event *ev = &d->ev;

	FUZZ_ASSERT(d->nv <= EVENT_WIRE_VERDICTS_MAX);
	FUZZ_ASSERT(d->strs_used <= sizeof(d->strs));
	FUZZ_ASSERT(ev->tool && ev->exe);
	FUZZ_ASSERT(strlen(ev->comm) <= LW_COMM_LEN);
	check_str(d, ev->tool, EVENT_WIRE_STR_MAX);
	check_str(d, ev->exe, EVENT_WIRE_STR_MAX);
	check_str(d, ev->argv, EVENT_WIRE_STR_MAX);
	check_str(d, ev->host, EVENT_WIRE_STR_MAX);
	check_str(d, ev->filename, EVENT_WIRE_STR_MAX);
	FUZZ_ASSERT(ev->unix_path_len <= LW_UNIX_PATH_MAX);
	touch(ev->unix_path, ev->unix_path_len);
	touch(ev->path, ev->path_len);
	FUZZ_ASSERT(ev->payload_len <= EVENT_WIRE_BYTES_MAX);
	touch(ev->payload, ev->payload_len);
	if (ev->type == LW_REC_EXEC)
		FUZZ_ASSERT(ev->filename);
	if (ev->type == LW_REC_OPEN)
		FUZZ_ASSERT(ev->path);
	if (ev->losses) {
		FUZZ_ASSERT(ev->losses->n_grew <= STATS_LOSS_COUNTERS);
		for (size_t i = 0; i < ev->losses->n_grew; i++)
			FUZZ_ASSERT(ev->losses->grew[i].reason);
	}
	for (size_t i = 0; i < d->nv; i++) {
		FUZZ_ASSERT(d->v[i].rule && d->v[i].description);
		FUZZ_ASSERT(d->v[i].severity <= RULES_SEV_CRITICAL);
		FUZZ_ASSERT(d->v[i].action <= RULES_ACTION_BLOCK);
		FUZZ_ASSERT(d->v[i].n_tags <= EVENT_WIRE_TAGS_MAX);
		FUZZ_ASSERT(strnlen(d->v[i].message, RULES_MESSAGE_MAX) < RULES_MESSAGE_MAX);
		for (size_t t = 0; t < d->v[i].n_tags; t++)
			check_str(d, d->v[i].tags[t], EVENT_WIRE_STR_MAX);
	}
}

/* Encoded again, the event decodes to the same fields. */
static void round_trip(const struct event_wire_event *d, struct event_wire_event *again,
		       uint8_t *frame)
{
	struct event_wire_hdr h;
	char err[256];
	ssize_t n = event_wire_encode_event(frame, EVENT_WIRE_FRAME_MAX, &d->ev, d->v, d->nv);

	FUZZ_ASSERT(n > 0);
	FUZZ_ASSERT(event_wire_get_hdr(frame, (size_t)n, &h, err, sizeof(err)) == 0);
	FUZZ_ASSERT(event_wire_decode_event(frame + EVENT_WIRE_HDR_LEN, h.len, h.flags, again, err,
					    sizeof(err)) == 0);
	FUZZ_ASSERT(again->ev.type == d->ev.type && again->ev.pid == d->ev.pid);
	FUZZ_ASSERT(again->ev.ret == d->ev.ret && again->ev.cookie == d->ev.cookie);
	FUZZ_ASSERT(strcmp(again->ev.comm, d->ev.comm) == 0);
	FUZZ_ASSERT(strcmp(again->ev.exe, d->ev.exe) == 0);
	FUZZ_ASSERT(!again->ev.host == !d->ev.host);
	FUZZ_ASSERT(again->ev.path_len == d->ev.path_len);
	FUZZ_ASSERT(!d->ev.path || memcmp(again->ev.path, d->ev.path, d->ev.path_len) == 0);
	FUZZ_ASSERT(again->nv == d->nv);
	for (size_t i = 0; i < d->nv; i++)
		FUZZ_ASSERT(strcmp(again->v[i].message, d->v[i].message) == 0 &&
			    again->v[i].n_tags == d->v[i].n_tags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_wire_event *d, *again;
	static struct event_wire_stats *st;
	static uint8_t *frame;
	struct event_wire_hello_buf hello;
	char err[256], reason[EVENT_WIRE_REASON_MAX + 1];
	/* a copy of exactly size bytes, so ASan sees any read past the input */
	uint8_t *copy = malloc(size ? size : 1);
	size_t at = 0;

	if (!d) {
		d = malloc(sizeof(*d));
		again = malloc(sizeof(*again));
		st = malloc(sizeof(*st));
		frame = malloc(EVENT_WIRE_FRAME_MAX);
		FUZZ_ASSERT(d && again && st && frame);
	}
	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	for (;;) {
		struct event_wire_hdr h;
		const uint8_t *p;
		uint64_t missed;
		int rc = event_wire_get_hdr(copy + at, size - at, &h, err, sizeof(err));

		if (rc == -EAGAIN)
			break;
		if (rc) {
			FUZZ_ASSERT(rc == -EPROTO && err[0]);
			break;
		}
		if (h.len > size - at - EVENT_WIRE_HDR_LEN)
			break; /* the rest of the frame never came */
		p = copy + at + EVENT_WIRE_HDR_LEN;
		err[0] = '\0';
		switch (h.kind) {
		case EVENT_WIRE_EVENT:
			rc = event_wire_decode_event(p, h.len, h.flags, d, err, sizeof(err));
			if (!rc) {
				check_event(d);
				round_trip(d, again, frame);
			}
			break;
		case EVENT_WIRE_STATS:
			rc = event_wire_decode_stats(p, h.len, st, err, sizeof(err));
			FUZZ_ASSERT(rc || st->st.n_outputs <= LW_OUTPUTS_MAX);
			break;
		case EVENT_WIRE_HELLO:
			rc = event_wire_decode_hello(p, h.len, &hello, err, sizeof(err));
			break;
		case EVENT_WIRE_MISSED:
			rc = event_wire_decode_missed(p, h.len, &missed, err, sizeof(err));
			break;
		case EVENT_WIRE_REFUSED:
			rc = event_wire_decode_refused(p, h.len, reason, err, sizeof(err));
			FUZZ_ASSERT(rc || strlen(reason) <= EVENT_WIRE_REASON_MAX);
			break;
		default:
			rc = 0;
		}
		FUZZ_ASSERT(rc == 0 || (rc == -EPROTO && strstr(err, " at offset ")));
		at += EVENT_WIRE_HDR_LEN + h.len;
	}
	free(copy);
	return 0;
}
