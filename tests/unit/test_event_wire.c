// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the event stream's frames (sinks/event_wire.c): every field of an event and
 * its verdicts survives a round trip, odd strings included (NUL-free control bytes, an
 * abstract unix name, NULL against ""), as do hello, stats, missed and refused; and bytes
 * that are not a well-formed frame (truncated, oversized, a bad magic or version, counts
 * past the limits, strings past the payload, bytes left over) are refused with a reason
 * naming the offset, never read past.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sinks/event_wire.h"

static uint8_t frame[EVENT_WIRE_FRAME_MAX];
static struct event_wire_event dec;

static const char *const tags_a[] = { "exfil", "network" };
static const char *const tags_b[] = { "x" };

/* A connect with everything set, odd bytes in the untrusted strings. */
static void full_event(struct lw_event *ev, struct lw_sockaddr *a, struct lw_fold *fold)
{
	memset(ev, 0, sizeof(*ev));
	memset(a, 0, sizeof(*a));
	a->family = 10;
	a->port = 443;
	a->scope_id = 3;
	for (int i = 0; i < 16; i++)
		a->addr[i] = (uint8_t)(0xf0 + i);
	*fold = (struct lw_fold){ 7, { 1700000000, 5 }, { 1700000060, 999999999 }, 60 };
	ev->type = LW_REC_CONNECT;
	ev->flags = LW_F_CGROUP_HOOK | LW_F_TRUNCATED;
	ev->ts_boot_ns = 123456789012345ull;
	ev->wall = (struct timespec){ 1700000001, 42 };
	ev->pid = 101, ev->tid = 102, ev->ppid = 1, ev->uid = 1000;
	ev->tool_id = 3;
	ev->tool = "ollama";
	memcpy(ev->comm, "ol\x1b[31mla\xff", 11);
	ev->exe = "/usr/bin/ollama";
	ev->evidence = "/models/x.gguf";
	ev->parent_exe = "";
	ev->parent_comm = "bash";
	ev->argv = "ollama serve --host \"0.0.0.0\"\n";
	ev->argv_state = EVENT_ARGV_CUT;
	ev->root_argv = NULL;
	ev->root_argv_state = EVENT_ARGV_UNKNOWN;
	ev->netns = EVENT_NETNS_OTHER;
	ev->addr = a;
	ev->unix_path = NULL;
	ev->fd = -7;
	ev->ret = -111;
	ev->bytes = 1ull << 40;
	ev->sock_type = 1;
	ev->dfd = -100;
	ev->open_flags = 0x80042;
	ev->match = LW_MATCH_INHERITED;
	ev->exit_code = -9;
	ev->backlog = 4096;
	ev->cookie = 0xdeadbeefcafef00dull;
	ev->packets = 77;
	ev->close_reason = LW_CLOSE_EXIT;
	ev->host = "api.example.com";
	ev->host_source = "sni";
	ev->payload = (const uint8_t *)"\x16\x03\x01\x00\x05hello";
	ev->payload_len = 10;
	ev->payload_offset = 12;
	ev->payload_direction = LW_DIR_OUT;
	ev->payload_protocol = 6;
	ev->fold = fold;
}

static void full_verdicts(struct rules_verdict *v)
{
	memset(v, 0, 2 * sizeof(*v));
	v[0].rule = "net-remote-unknown";
	v[0].description = "a connection to\na host nobody named";
	v[0].severity = RULES_SEV_HIGH;
	v[0].action = RULES_ACTION_ALERT;
	v[0].tags = tags_a;
	v[0].n_tags = 2;
	snprintf(v[0].message, sizeof(v[0].message), "ollama connected to \\x1b[31m:443");
	v[1].rule = "log-all";
	v[1].description = "";
	v[1].severity = RULES_SEV_CRITICAL;
	v[1].action = RULES_ACTION_BLOCK;
	v[1].tags = tags_b;
	v[1].n_tags = 1;
	v[1].message[0] = '\0';
}

static void test_event_round_trip(void)
{
	struct lw_event ev;
	struct lw_sockaddr a;
	struct lw_fold fold;
	struct rules_verdict v[2];
	struct event_wire_hdr h;
	char err[256];
	ssize_t n;
	const struct lw_event *d = &dec.ev;

	full_event(&ev, &a, &fold);
	full_verdicts(v);
	n = event_wire_encode_event(frame, sizeof(frame), &ev, v, 2);
	CHECK(n > EVENT_WIRE_HDR_LEN);
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &h, err, sizeof(err)), 0);
	CHECK_INT(h.kind, EVENT_WIRE_EVENT);
	CHECK_INT(h.version, EVENT_WIRE_VERSION);
	CHECK_INT(h.flags, 0);
	CHECK_INT(h.len, n - EVENT_WIRE_HDR_LEN);
	/* the header's bytes are little-endian whatever the host */
	CHECK(memcmp(frame, "LWEV", 4) == 0);
	CHECK_INT(event_wire_decode_event(frame + EVENT_WIRE_HDR_LEN, h.len, h.flags, &dec, err,
					  sizeof(err)),
		  0);
	CHECK_STR(err, "");
	CHECK_INT(d->type, LW_REC_CONNECT);
	CHECK_INT(d->flags, LW_F_CGROUP_HOOK | LW_F_TRUNCATED);
	CHECK(d->ts_boot_ns == 123456789012345ull);
	CHECK_INT(d->wall.tv_sec, 1700000001);
	CHECK_INT(d->wall.tv_nsec, 42);
	CHECK_INT(d->pid, 101);
	CHECK_INT(d->tid, 102);
	CHECK_INT(d->ppid, 1);
	CHECK_INT(d->uid, 1000);
	CHECK_INT(d->tool_id, 3);
	CHECK_STR(d->tool, "ollama");
	CHECK(memcmp(d->comm, "ol\x1b[31mla\xff", 11) == 0);
	CHECK_STR(d->exe, "/usr/bin/ollama");
	CHECK_STR(d->evidence, "/models/x.gguf");
	CHECK_STR(d->parent_exe, "");
	CHECK_STR(d->parent_comm, "bash");
	CHECK_STR(d->argv, "ollama serve --host \"0.0.0.0\"\n");
	CHECK_INT(d->argv_state, EVENT_ARGV_CUT);
	CHECK(d->root_argv == NULL);
	CHECK_INT(d->netns, EVENT_NETNS_OTHER);
	CHECK(d->addr == &dec.addr);
	CHECK(d->addr && memcmp(d->addr, &a, sizeof(a)) == 0);
	CHECK(d->unix_path == NULL);
	CHECK_INT(d->unix_path_len, 0);
	CHECK_INT(d->fd, -7);
	CHECK_INT(d->ret, -111);
	CHECK(d->bytes == 1ull << 40);
	CHECK_INT(d->sock_type, 1);
	CHECK_INT(d->dfd, -100);
	CHECK_INT(d->open_flags, 0x80042);
	CHECK_INT(d->match, LW_MATCH_INHERITED);
	CHECK_INT(d->exit_code, -9);
	CHECK_INT(d->backlog, 4096);
	CHECK(d->cookie == 0xdeadbeefcafef00dull);
	CHECK_INT(d->packets, 77);
	CHECK_INT(d->close_reason, LW_CLOSE_EXIT);
	CHECK(d->path == NULL && d->filename == NULL);
	CHECK_STR(d->host, "api.example.com");
	CHECK_STR(d->host_source, "sni");
	CHECK_INT(d->payload_len, 10);
	CHECK(d->payload && memcmp(d->payload, "\x16\x03\x01\x00\x05hello", 10) == 0);
	CHECK_INT(d->payload_offset, 12);
	CHECK_INT(d->payload_direction, LW_DIR_OUT);
	CHECK_INT(d->payload_protocol, 6);
	CHECK(d->fold && d->fold->count == 7 && d->fold->window_s == 60);
	CHECK(d->fold && d->fold->first.tv_sec == 1700000000 && d->fold->first.tv_nsec == 5);
	CHECK(d->fold && d->fold->last.tv_nsec == 999999999);
	CHECK(d->losses == NULL);
	CHECK_INT(dec.nv, 2);
	CHECK_STR(dec.v[0].rule, "net-remote-unknown");
	CHECK_STR(dec.v[0].description, "a connection to\na host nobody named");
	CHECK_INT(dec.v[0].severity, RULES_SEV_HIGH);
	CHECK_INT(dec.v[0].action, RULES_ACTION_ALERT);
	CHECK_INT(dec.v[0].n_tags, 2);
	CHECK_STR(dec.v[0].tags[0], "exfil");
	CHECK_STR(dec.v[0].tags[1], "network");
	CHECK_STR(dec.v[0].message, "ollama connected to \\x1b[31m:443");
	CHECK_STR(dec.v[1].rule, "log-all");
	CHECK_STR(dec.v[1].description, "");
	CHECK_INT(dec.v[1].severity, RULES_SEV_CRITICAL);
	CHECK_INT(dec.v[1].action, RULES_ACTION_BLOCK);
	CHECK_INT(dec.v[1].n_tags, 1);
	CHECK_STR(dec.v[1].message, "");
	/* every string the decoder made lies inside the caller's struct */
	CHECK(d->host >= dec.strs && d->host < dec.strs + sizeof(dec.strs));
	CHECK(dec.strs_used <= (size_t)h.len + EVENT_WIRE_STRINGS_MAX);
}

/* Other event kinds: exec, open, an abstract unix name, a loss alert; cut strings. */
static void test_event_kinds(void)
{
	struct lw_event ev;
	struct lw_sockaddr a = { .family = 1 };
	struct stats_loss_report lr;
	struct event_wire_hdr h;
	static char longpath[EVENT_WIRE_STR_MAX + 100];
	char err[256];
	ssize_t n;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXEC;
	ev.filename = "/usr/bin/curl";
	ev.tool = NULL; /* read as "" */
	ev.exe = NULL;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0);
	CHECK(n > 0);
	CHECK_INT(event_wire_decode_event(frame + EVENT_WIRE_HDR_LEN,
					  (size_t)n - EVENT_WIRE_HDR_LEN, 0, &dec, err,
					  sizeof(err)),
		  0);
	CHECK_STR(dec.ev.filename, "/usr/bin/curl");
	CHECK_STR(dec.ev.tool, "");
	CHECK_STR(dec.ev.exe, "");
	CHECK_STR(dec.ev.comm, "");
	CHECK_INT(dec.nv, 0);

	/* an abstract unix name starts with a NUL and is kept whole */
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_CONNECT;
	ev.addr = &a;
	ev.unix_path = "\0abstract\0name";
	ev.unix_path_len = 14;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0);
	CHECK_INT(event_wire_decode_event(frame + EVENT_WIRE_HDR_LEN,
					  (size_t)n - EVENT_WIRE_HDR_LEN, 0, &dec, err,
					  sizeof(err)),
		  0);
	CHECK_INT(dec.ev.unix_path_len, 14);
	CHECK(dec.ev.unix_path && memcmp(dec.ev.unix_path, "\0abstract\0name", 14) == 0);
	CHECK_INT(dec.ev.addr->family, 1);

	/* an open whose path is over the limit: cut, and the header says so */
	memset(longpath, 'p', sizeof(longpath) - 1);
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN;
	ev.path = longpath;
	ev.path_len = sizeof(longpath) - 1;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0);
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &h, err, sizeof(err)), 0);
	CHECK(h.flags & EVENT_WIRE_F_CUT);
	CHECK_INT(event_wire_decode_event(frame + EVENT_WIRE_HDR_LEN, h.len, h.flags, &dec, err,
					  sizeof(err)),
		  0);
	CHECK_INT(dec.ev.path_len, EVENT_WIRE_STR_MAX);
	CHECK_INT(strlen(dec.ev.path), EVENT_WIRE_STR_MAX);
	CHECK(dec.flags & EVENT_WIRE_F_CUT);

	/* a loss alert */
	memset(&lr, 0, sizeof(lr));
	lr.n_grew = 2;
	lr.grew[0].type = "open";
	lr.grew[0].reason = "ring_full";
	lr.grew[0].increase = 5;
	lr.grew[0].total = 9;
	lr.grew[1].type = NULL;
	lr.grew[1].reason = "decode_errors";
	lr.grew[1].increase = 1;
	lr.grew[1].total = 1;
	lr.increase = 6;
	lr.total = 10;
	lr.seconds = 12.5;
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_EV_LOSSES;
	ev.losses = &lr;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0);
	CHECK_INT(event_wire_decode_event(frame + EVENT_WIRE_HDR_LEN,
					  (size_t)n - EVENT_WIRE_HDR_LEN, 0, &dec, err,
					  sizeof(err)),
		  0);
	CHECK(dec.ev.losses == &dec.losses);
	CHECK_INT(dec.losses.n_grew, 2);
	CHECK_STR(dec.losses.grew[0].type, "open");
	CHECK_STR(dec.losses.grew[0].reason, "ring_full");
	CHECK_INT(dec.losses.grew[0].increase, 5);
	CHECK_INT(dec.losses.grew[0].total, 9);
	CHECK(dec.losses.grew[1].type == NULL);
	CHECK_STR(dec.losses.grew[1].reason, "decode_errors");
	CHECK_INT(dec.losses.increase, 6);
	CHECK_INT(dec.losses.total, 10);
	CHECK(dec.losses.seconds == 12.5);

	/* too small a buffer: refused, not overrun */
	CHECK_INT(event_wire_encode_event(frame, 40, &ev, NULL, 0), -EMSGSIZE);
}

static void test_other_frames(void)
{
	struct event_wire_hello h = { EVENT_WIRE_VERSION, "v1.2-3-gabc", "00ff", "host\x1b" };
	struct event_wire_hello_buf hb;
	struct event_wire_stats *ws = calloc(1, sizeof(*ws));
	struct lw_stats st;
	struct event_wire_hdr hdr;
	char err[256], reason[EVENT_WIRE_REASON_MAX + 1];
	uint64_t missed = 0;
	ssize_t n;

	n = event_wire_encode_hello(frame, sizeof(frame), &h);
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &hdr, err, sizeof(err)), 0);
	CHECK_INT(hdr.kind, EVENT_WIRE_HELLO);
	CHECK_INT(event_wire_decode_hello(frame + EVENT_WIRE_HDR_LEN, hdr.len, &hb, err,
					  sizeof(err)),
		  0);
	CHECK_INT(hb.protocol, EVENT_WIRE_VERSION);
	CHECK_STR(hb.version, "v1.2-3-gabc");
	CHECK_STR(hb.rules_digest, "00ff");
	CHECK_STR(hb.host, "host\x1b"); /* untrusted: the client escapes it */

	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < LW_LOSS_SLOTS; i++)
		st.kernel_losses[i] = 1000 + i;
	for (size_t i = 0; i < LW_REC_TYPE_MAX; i++)
		st.by_type[i] = 2000 + i;
	st.records = 1, st.decode_errors = 2, st.proc_full = 3, st.cgroup_unattached = 4;
	st.output_errors = 5, st.rejected_records = 6, st.rejected_procs = 7;
	st.verdicts_dropped = 8, st.names_dropped = 9, st.capture_lost = 10;
	st.capture_blocks_lost = 11, st.payloads_malformed = 12, st.alerts_folded = 13;
	st.fold_full = 14, st.cmdline_unreadable = 15, st.cmdline_cut = 16;
	st.ring_size = 17, st.ring_used = 18, st.ring_used_peak = 19, st.names_evicted = 20;
	st.n_outputs = 2;
	st.outputs[0] = (struct lw_output_stats){ "text", 0 };
	st.outputs[1] = (struct lw_output_stats){ "json:/var/log/x", 3 };
	n = event_wire_encode_stats(frame, sizeof(frame), &st);
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &hdr, err, sizeof(err)), 0);
	CHECK_INT(hdr.kind, EVENT_WIRE_STATS);
	CHECK(ws != NULL);
	if (ws) {
		struct stats_loss_counter a[STATS_LOSS_COUNTERS], b[STATS_LOSS_COUNTERS];
		bool same = true;

		CHECK_INT(event_wire_decode_stats(frame + EVENT_WIRE_HDR_LEN, hdr.len, ws, err,
						  sizeof(err)),
			  0);
		CHECK(memcmp(ws->st.kernel_losses, st.kernel_losses, sizeof(st.kernel_losses)) ==
		      0);
		CHECK(memcmp(ws->st.by_type, st.by_type, sizeof(st.by_type)) == 0);
		CHECK_INT(ws->st.records, 1);
		CHECK_INT(ws->st.cmdline_cut, 16);
		CHECK_INT(ws->st.ring_used_peak, 19);
		CHECK_INT(ws->st.names_evicted, 20);
		CHECK_INT(ws->st.n_outputs, 2);
		CHECK_STR(ws->st.outputs[1].name, "json:/var/log/x");
		CHECK_INT(ws->st.outputs[1].errors, 3);
		/* the status line's loss counters come out the same, in the same order */
		stats_loss_counters(&st, a);
		stats_loss_counters(&ws->st, b);
		for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++)
			same = same && a[i].value == b[i].value;
		CHECK(same);
		CHECK(stats_total_losses(&ws->st) == stats_total_losses(&st));
	}
	free(ws);

	n = event_wire_encode_missed(frame, sizeof(frame), 123456789);
	CHECK_INT(n, EVENT_WIRE_HDR_LEN + 8);
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &hdr, err, sizeof(err)), 0);
	CHECK_INT(event_wire_decode_missed(frame + EVENT_WIRE_HDR_LEN, hdr.len, &missed, err,
					   sizeof(err)),
		  0);
	CHECK_INT(missed, 123456789);

	n = event_wire_encode_refused(frame, sizeof(frame), "not root and not in group llmwatch");
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &hdr, err, sizeof(err)), 0);
	CHECK_INT(hdr.kind, EVENT_WIRE_REFUSED);
	CHECK_INT(event_wire_decode_refused(frame + EVENT_WIRE_HDR_LEN, hdr.len, reason, err,
					    sizeof(err)),
		  0);
	CHECK_STR(reason, "not root and not in group llmwatch");
	CHECK_STR(event_wire_kind_name(EVENT_WIRE_MISSED), "missed");
	CHECK_STR(event_wire_kind_name(99), "unknown");
}

/* Decodes p[len] as an event: the result, and the reason in err. */
static int decode(const uint8_t *p, size_t len, char *err, size_t n)
{
	return event_wire_decode_event(p, len, 0, &dec, err, n);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_refused(void)
{
	struct lw_event ev;
	struct lw_sockaddr a;
	struct lw_fold fold;
	struct rules_verdict v[2];
	struct event_wire_hdr h;
	char err[256];
	uint8_t *p = frame + EVENT_WIRE_HDR_LEN, *copy;
	size_t len, fixed;
	ssize_t n;
	int bad = 0;

	full_event(&ev, &a, &fold);
	full_verdicts(v);
	n = event_wire_encode_event(frame, sizeof(frame), &ev, v, 2);
	len = (size_t)n - EVENT_WIRE_HDR_LEN;

	/* every truncation of a good payload is refused, and read inside its length only */
	for (size_t cut = 0; cut < len; cut++) {
		copy = malloc(cut ? cut : 1);
		memcpy(copy, p, cut);
		if (decode(copy, cut, err, sizeof(err)) != -EPROTO || !strstr(err, "at offset"))
			bad++;
		free(copy);
	}
	CHECK_INT(bad, 0);
	/* bytes left over */
	CHECK_INT(decode(p, len + 1, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "1 bytes left over") != NULL);

	/* the header: short, bad magic, another version, oversized */
	CHECK_INT(event_wire_get_hdr(frame, EVENT_WIRE_HDR_LEN - 1, &h, err, sizeof(err)), -EAGAIN);
	frame[0] ^= 0xff;
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &h, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "header at offset 0: magic") != NULL);
	frame[0] ^= 0xff;
	frame[4] = EVENT_WIRE_VERSION + 1;
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &h, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "offset 4: protocol version 2") != NULL);
	frame[4] = EVENT_WIRE_VERSION;
	put32(frame + 8, EVENT_WIRE_PAYLOAD_MAX + 1);
	CHECK_INT(event_wire_get_hdr(frame, (size_t)n, &h, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "offset 8: payload length") != NULL);
	put32(frame + 8, (uint32_t)len);

	/*
	 * The fixed part: type(2) flags(1) states(3) direction/protocol(2) present(1)
	 * reserved(1) tool id(2) boot(8) wall(12) pids(16) fd(4) ret(8) bytes(8) socktype(4)
	 * open flags(8) dfd(4) match(4) exit(4) backlog(4) cookie(8) packets(8) close(4)
	 * payload offset(4); then the address (24) and the fold (36), then comm.
	 */
	fixed = 2 + 1 + 3 + 2 + 1 + 1 + 2 + 8 + 12 + 16 + 4 + 8 + 8 + 4 + 8 + 4 + 4 + 4 + 4 + 8 +
		8 + 4 + 4 + 24 + 36;
	/* comm's length over its limit */
	put32(p + fixed, 17);
	CHECK_INT(decode(p, len, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "comm: length 17 over the limit 16") != NULL);
	{
		char want[64];

		snprintf(want, sizeof(want), "EVENT at offset %zu:", fixed);
		CHECK(strstr(err, want) == err);
	}
	/* a string past the end of the payload */
	put32(p + fixed, 0x7fffff);
	CHECK_INT(decode(p, len, err, sizeof(err)), -EPROTO);
	put32(p + fixed, 10); /* the real length */
	CHECK_INT(decode(p, len, err, sizeof(err)), 0);
	/* the wall time's nanoseconds */
	put32(p + 2 + 1 + 3 + 2 + 1 + 1 + 2 + 8 + 8, 1000000000);
	CHECK_INT(decode(p, len, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "nanoseconds") != NULL);
	put32(p + 2 + 1 + 3 + 2 + 1 + 1 + 2 + 8 + 8, 42);
	/* unknown optional parts, and a connect without its address */
	p[8] |= 0x80;
	CHECK_INT(decode(p, len, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "offset 8: unknown optional parts") != NULL);
	p[8] &= 0x7f;
	CHECK_INT(decode(p, len, err, sizeof(err)), 0);
	p[3] = 9; /* argv state */
	CHECK_INT(decode(p, len, err, sizeof(err)), -EPROTO);
	p[3] = EVENT_ARGV_CUT;

	/* counts past their limits: verdicts at the end, 2 of them */
	{
		/* find the verdict count: re-encode without verdicts, it is the last 2 bytes */
		ssize_t m = event_wire_encode_event(frame, sizeof(frame), &ev, v, 0);
		size_t at = (size_t)m - EVENT_WIRE_HDR_LEN - 2;

		p[at] = EVENT_WIRE_VERDICTS_MAX + 1;
		p[at + 1] = 0;
		CHECK_INT(decode(p, (size_t)m - EVENT_WIRE_HDR_LEN, err, sizeof(err)), -EPROTO);
		CHECK(strstr(err, "17 verdicts, over the limit 16") != NULL);
		p[at] = 1; /* one verdict claimed, none there */
		CHECK_INT(decode(p, (size_t)m - EVENT_WIRE_HDR_LEN, err, sizeof(err)), -EPROTO);
		CHECK(strstr(err, "verdict rule needs 4 bytes, 0 left") != NULL);
	}

	/* a verdict whose message holds a control byte would reach the screen raw: refused */
	snprintf(v[0].message, sizeof(v[0].message), "bad \x1b[2J");
	n = event_wire_encode_event(frame, sizeof(frame), &ev, v, 1);
	CHECK_INT(decode(p, (size_t)n - EVENT_WIRE_HDR_LEN, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "message holds a control byte") != NULL);
	/* a bad severity */
	full_verdicts(v);
	v[0].severity = (enum rules_severity)9;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, v, 1);
	CHECK_INT(decode(p, (size_t)n - EVENT_WIRE_HDR_LEN, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "severity 9") != NULL);
	/* an exec must carry its filename: the sinks print it */
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXEC;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0);
	CHECK_INT(decode(p, (size_t)n - EVENT_WIRE_HDR_LEN, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "filename is absent") != NULL);
	/* so must a connect its address */
	ev.type = LW_REC_CONNECT;
	n = event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0);
	CHECK_INT(decode(p, (size_t)n - EVENT_WIRE_HDR_LEN, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "a connect event without an address") != NULL);

	/* stats with counts past the limits, a missed of the wrong size, a refused cut short */
	{
		struct event_wire_stats *ws = malloc(sizeof(*ws));
		uint8_t s[8] = { 0xff, 0xff, 0, 0, 0, 0, 0, 0 };
		uint64_t m;
		char reason[EVENT_WIRE_REASON_MAX + 1];

		CHECK_INT(event_wire_decode_stats(s, sizeof(s), ws, err, sizeof(err)), -EPROTO);
		CHECK(strstr(err, "over the limits") != NULL);
		CHECK_INT(event_wire_decode_missed(s, 7, &m, err, sizeof(err)), -EPROTO);
		CHECK_INT(event_wire_decode_missed(s, 8, &m, err, sizeof(err)), 0);
		put32(s, 100);
		CHECK_INT(event_wire_decode_refused(s, 8, reason, err, sizeof(err)), -EPROTO);
		CHECK(strstr(err, "REFUSED at offset 0: reason: length 100 past the end") != NULL);
		free(ws);
	}
}

/*
 * --seeds DIR: writes the fuzz target's seeds (fuzz/corpus/event_wire): a stream of every
 * kind of frame, each event kind alone, and a stream cut in the middle of a frame.
 */
static int write_seeds(const char *dir)
{
	static uint8_t stream[4 * EVENT_WIRE_FRAME_MAX];
	struct event_wire_hello h = { EVENT_WIRE_VERSION, "v1", "00ff", "host" };
	struct stats_loss_report lr = { .n_grew = 1, .increase = 1, .total = 1, .seconds = 1 };
	struct lw_sockaddr a, ua = { .family = 1 };
	struct lw_fold fold;
	struct rules_verdict v[2];
	struct lw_stats st;
	struct lw_event ev;
	size_t len = 0, cut = 0;
	ssize_t n;
	int k = 0;

	lr.grew[0].type = "open", lr.grew[0].reason = "ring_full";
	memset(&st, 0, sizeof(st));
	st.n_outputs = 1, st.outputs[0].name = "text";
#define ADD(call)                                                                   \
	do {                                                                        \
		n = call;                                                           \
		if (n < 0)                                                          \
			return 1;                                                   \
		memcpy(stream + len, frame, (size_t)n);                             \
		len += (size_t)n;                                                   \
		snprintf(path, sizeof(path), "%s/frame-%02d", dir, k++);            \
		f = fopen(path, "wb");                                              \
		if (!f || fwrite(frame, 1, (size_t)n, f) != (size_t)n || fclose(f)) \
			return 1;                                                   \
	} while (0)
	char path[512];
	FILE *f;

	ADD(event_wire_encode_hello(frame, sizeof(frame), &h));
	full_event(&ev, &a, &fold);
	full_verdicts(v);
	ADD(event_wire_encode_event(frame, sizeof(frame), &ev, v, 2));
	cut = len - 7;
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXEC, ev.filename = "/usr/bin/curl", ev.pid = 9;
	ADD(event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0));
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN, ev.path = "/etc/shadow", ev.path_len = 11;
	ADD(event_wire_encode_event(frame, sizeof(frame), &ev, v, 1));
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_CONNECT, ev.addr = &ua, ev.unix_path = "\0x", ev.unix_path_len = 2;
	ADD(event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0));
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_EV_LOSSES, ev.losses = &lr;
	ADD(event_wire_encode_event(frame, sizeof(frame), &ev, NULL, 0));
	ADD(event_wire_encode_stats(frame, sizeof(frame), &st));
	ADD(event_wire_encode_missed(frame, sizeof(frame), 42));
	ADD(event_wire_encode_refused(frame, sizeof(frame), "not root and not in group llmwatch"));
#undef ADD
	snprintf(path, sizeof(path), "%s/stream", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(stream, 1, len, f) != len || fclose(f))
		return 1;
	snprintf(path, sizeof(path), "%s/stream-cut", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(stream, 1, cut, f) != cut || fclose(f))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	test_event_round_trip();
	test_event_kinds();
	test_other_frames();
	test_refused();
	return check_summary("test_event_wire");
}
