// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The event stream's frames (see event_wire.h, docs/live-stream.md): a cursor that writes
 * little-endian integers and length-prefixed strings, and one that reads them back with
 * every length checked before a byte is copied.
 */
#include "sinks/event_wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/escape.h"

/* A string's length on the wire that means NULL (unknown), not "". */
#define WIRE_NULL_STR 0xffffffffu

/* Which optional parts an event carries (its "present" byte). */
#define HAS_ADDR (1u << 0)
#define HAS_FOLD (1u << 1)
#define HAS_LOSSES (1u << 2)

const char *event_wire_kind_name(unsigned int kind)
{
	switch (kind) {
	case EVENT_WIRE_HELLO:
		return "hello";
	case EVENT_WIRE_EVENT:
		return "event";
	case EVENT_WIRE_STATS:
		return "stats";
	case EVENT_WIRE_MISSED:
		return "missed";
	case EVENT_WIRE_REFUSED:
		return "refused";
	}
	return "unknown";
}

/* ---- writing --------------------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t size, len;
	bool over;	/* something did not fit: the frame is refused */
	uint16_t flags; /* EVENT_WIRE_F_CUT when a string was cut */
};

static void put_bytes(struct wbuf *w, const void *b, size_t n)
{
	if (w->over || n > w->size - w->len) {
		w->over = true;
		return;
	}
	if (n)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void put_le(struct wbuf *w, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, n);
}

static void put_u8(struct wbuf *w, uint64_t v)
{
	put_le(w, v, 1);
}

static void put_u16(struct wbuf *w, uint64_t v)
{
	put_le(w, v, 2);
}

static void put_u32(struct wbuf *w, uint64_t v)
{
	put_le(w, v, 4);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
	put_le(w, v, 8);
}

/* s[0..n), or NULL; cut at max bytes (the frame then says so). */
static void put_strn(struct wbuf *w, const void *s, size_t n, size_t max)
{
	if (!s) {
		put_u32(w, WIRE_NULL_STR);
		return;
	}
	if (n > max) {
		n = max;
		w->flags |= EVENT_WIRE_F_CUT;
	}
	put_u32(w, n);
	put_bytes(w, s, n);
}

static void put_str(struct wbuf *w, const char *s, size_t max)
{
	put_strn(w, s, s ? strnlen(s, max + 1) : 0, max);
}

/* Room for the header; the payload follows. */
static void begin(struct wbuf *w, void *buf, size_t size)
{
	*w = (struct wbuf){ .p = buf, .size = size };
	put_bytes(w, (uint8_t[EVENT_WIRE_HDR_LEN]){ 0 }, EVENT_WIRE_HDR_LEN);
}

/* Writes the header in front of what was put; the frame's length or -EMSGSIZE. */
static ssize_t end(struct wbuf *w, unsigned int kind)
{
	struct wbuf h = { .p = w->p, .size = EVENT_WIRE_HDR_LEN };
	size_t payload = w->len - EVENT_WIRE_HDR_LEN;

	if (w->over || payload > EVENT_WIRE_PAYLOAD_MAX)
		return -EMSGSIZE;
	put_u32(&h, EVENT_WIRE_MAGIC);
	put_u8(&h, EVENT_WIRE_VERSION);
	put_u8(&h, kind);
	put_u16(&h, w->flags);
	put_u32(&h, payload);
	return (ssize_t)w->len;
}

static void put_ts(struct wbuf *w, struct timespec ts)
{
	put_u64(w, (uint64_t)(int64_t)ts.tv_sec);
	put_u32(w, (uint32_t)ts.tv_nsec);
}

ssize_t event_wire_encode_event(void *buf, size_t size, const struct lw_event *ev,
				const struct rules_verdict *v, size_t nv)
{
	const struct stats_loss_report *lr = ev->losses;
	unsigned int present = (ev->addr ? HAS_ADDR : 0) | (ev->fold ? HAS_FOLD : 0) |
			       (lr ? HAS_LOSSES : 0);
	struct wbuf w;

	begin(&w, buf, size);
	put_u16(&w, ev->type);
	put_u8(&w, ev->flags);
	put_u8(&w, ev->argv_state);
	put_u8(&w, ev->root_argv_state);
	put_u8(&w, ev->netns);
	put_u8(&w, ev->payload_direction);
	put_u8(&w, ev->payload_protocol);
	put_u8(&w, present);
	put_u8(&w, 0);
	put_u16(&w, ev->tool_id);
	put_u64(&w, ev->ts_boot_ns);
	put_ts(&w, ev->wall);
	put_u32(&w, ev->pid);
	put_u32(&w, ev->tid);
	put_u32(&w, ev->ppid);
	put_u32(&w, ev->uid);
	put_u32(&w, (uint32_t)ev->fd);
	put_u64(&w, (uint64_t)ev->ret);
	put_u64(&w, ev->bytes);
	put_u32(&w, ev->sock_type);
	put_u64(&w, ev->open_flags);
	put_u32(&w, (uint32_t)ev->dfd);
	put_u32(&w, ev->match);
	put_u32(&w, (uint32_t)ev->exit_code);
	put_u32(&w, (uint32_t)ev->backlog);
	put_u64(&w, ev->cookie);
	put_u64(&w, ev->packets);
	put_u32(&w, ev->close_reason);
	put_u32(&w, ev->payload_offset);
	if (ev->addr) {
		put_u16(&w, ev->addr->family);
		put_u16(&w, ev->addr->port);
		put_u32(&w, ev->addr->scope_id);
		put_bytes(&w, ev->addr->addr, sizeof(ev->addr->addr));
	}
	if (ev->fold) {
		put_u64(&w, ev->fold->count);
		put_ts(&w, ev->fold->first);
		put_ts(&w, ev->fold->last);
		put_u32(&w, ev->fold->window_s);
	}
	put_strn(&w, ev->comm, strnlen(ev->comm, LW_COMM_LEN), LW_COMM_LEN);
	put_str(&w, ev->tool, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->exe, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->evidence, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->parent_exe, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->parent_comm, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->argv, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->root_argv, EVENT_WIRE_STR_MAX);
	put_strn(&w, ev->unix_path, ev->unix_path_len, LW_UNIX_PATH_MAX);
	put_strn(&w, ev->path, ev->path_len, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->filename, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->host, EVENT_WIRE_STR_MAX);
	put_str(&w, ev->host_source, EVENT_WIRE_STR_MAX);
	put_strn(&w, ev->payload, ev->payload_len, EVENT_WIRE_BYTES_MAX);
	if (lr) {
		size_t ng = lr->n_grew < STATS_LOSS_COUNTERS ? lr->n_grew : STATS_LOSS_COUNTERS;
		uint64_t secs;

		memcpy(&secs, &lr->seconds, sizeof(secs));
		put_u32(&w, ng);
		put_u64(&w, lr->increase);
		put_u64(&w, lr->total);
		put_u64(&w, secs);
		for (size_t i = 0; i < ng; i++) {
			put_str(&w, lr->grew[i].type, EVENT_WIRE_HELLO_STR_MAX);
			put_str(&w, lr->grew[i].reason ? lr->grew[i].reason : "?",
				EVENT_WIRE_HELLO_STR_MAX);
			put_u64(&w, lr->grew[i].increase);
			put_u64(&w, lr->grew[i].total);
		}
	}
	if (nv > EVENT_WIRE_VERDICTS_MAX)
		nv = EVENT_WIRE_VERDICTS_MAX;
	put_u16(&w, nv);
	for (size_t i = 0; i < nv; i++) {
		size_t nt = v[i].n_tags < EVENT_WIRE_TAGS_MAX ? v[i].n_tags : EVENT_WIRE_TAGS_MAX;

		put_str(&w, v[i].rule ? v[i].rule : "", EVENT_WIRE_STR_MAX);
		put_str(&w, v[i].description ? v[i].description : "", EVENT_WIRE_STR_MAX);
		put_u8(&w, v[i].severity);
		put_u8(&w, v[i].action);
		put_u16(&w, nt);
		for (size_t t = 0; t < nt; t++)
			put_str(&w, v[i].tags[t] ? v[i].tags[t] : "", EVENT_WIRE_STR_MAX);
		put_strn(&w, v[i].message, strnlen(v[i].message, RULES_MESSAGE_MAX - 1),
			 RULES_MESSAGE_MAX - 1);
	}
	return end(&w, EVENT_WIRE_EVENT);
}

ssize_t event_wire_encode_hello(void *buf, size_t size, const struct event_wire_hello *h)
{
	struct wbuf w;

	begin(&w, buf, size);
	put_u16(&w, h->protocol);
	put_str(&w, h->version ? h->version : "", EVENT_WIRE_HELLO_STR_MAX);
	put_str(&w, h->rules_digest ? h->rules_digest : "", EVENT_WIRE_HELLO_STR_MAX);
	put_str(&w, h->host ? h->host : "", EVENT_WIRE_HELLO_STR_MAX);
	return end(&w, EVENT_WIRE_HELLO);
}

/*
 * The scalar counters of a STATS frame, in their pinned order: new ones are appended, so a
 * viewer takes those it knows and skips the rest.
 */
#define STATS_SCALARS(X)       \
	X(records)             \
	X(decode_errors)       \
	X(proc_full)           \
	X(cgroup_unattached)   \
	X(output_errors)       \
	X(rejected_records)    \
	X(rejected_procs)      \
	X(verdicts_dropped)    \
	X(names_dropped)       \
	X(capture_lost)        \
	X(capture_blocks_lost) \
	X(payloads_malformed)  \
	X(alerts_folded)       \
	X(fold_full)           \
	X(cmdline_unreadable)  \
	X(cmdline_cut)         \
	X(ring_size)           \
	X(ring_used)           \
	X(ring_used_peak)      \
	X(names_evicted)

#define SCALAR_SLOT(f) SCALAR_##f,
enum {
	STATS_SCALARS(SCALAR_SLOT) N_SCALARS
};
#undef SCALAR_SLOT

ssize_t event_wire_encode_stats(void *buf, size_t size, const struct lw_stats *st)
{
	size_t no = st->n_outputs < LW_OUTPUTS_MAX ? st->n_outputs : LW_OUTPUTS_MAX;
	struct wbuf w;

	begin(&w, buf, size);
	put_u16(&w, LW_REC_TYPE_MAX);
	put_u16(&w, LW_LOSS_REASON_MAX);
	put_u16(&w, N_SCALARS);
	put_u16(&w, no);
	for (size_t i = 0; i < LW_LOSS_SLOTS; i++)
		put_u64(&w, st->kernel_losses[i]);
	for (size_t i = 0; i < LW_REC_TYPE_MAX; i++)
		put_u64(&w, st->by_type[i]);
#define PUT_ONE(f) put_u64(&w, st->f);
	STATS_SCALARS(PUT_ONE)
#undef PUT_ONE
	for (size_t i = 0; i < no; i++) {
		put_str(&w, st->outputs[i].name ? st->outputs[i].name : "",
			EVENT_WIRE_HELLO_STR_MAX);
		put_u64(&w, st->outputs[i].errors);
	}
	return end(&w, EVENT_WIRE_STATS);
}

ssize_t event_wire_encode_missed(void *buf, size_t size, uint64_t n)
{
	struct wbuf w;

	begin(&w, buf, size);
	put_u64(&w, n);
	return end(&w, EVENT_WIRE_MISSED);
}

ssize_t event_wire_encode_refused(void *buf, size_t size, const char *reason)
{
	struct wbuf w;

	begin(&w, buf, size);
	put_str(&w, reason ? reason : "", EVENT_WIRE_REASON_MAX);
	return end(&w, EVENT_WIRE_REFUSED);
}

/* ---- reading --------------------------------------------------------------------------- */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	const char *kind; /* "EVENT", for the messages */
	char *err;
	size_t n;
	bool bad; /* the first problem is in err; everything after reads zeros */
};

/* Says what is wrong at the current offset (the first problem only). */
__attribute__((format(printf, 2, 3))) static void fail(struct rbuf *r, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (r->bad)
		return;
	r->bad = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (r->n)
		snprintf(r->err, r->n, "%s at offset %zu: %s", r->kind, r->off, why);
}

static bool get_bytes(struct rbuf *r, void *out, size_t n, const char *what)
{
	if (r->bad)
		return false;
	if (n > r->len - r->off) {
		fail(r, "%s needs %zu bytes, %zu left in the payload", what, n, r->len - r->off);
		return false;
	}
	memcpy(out, r->p + r->off, n);
	r->off += n;
	return true;
}

static uint64_t get_le(struct rbuf *r, size_t n, const char *what)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (!get_bytes(r, b, n, what))
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

#define get_u8(r, what) ((uint8_t)get_le(r, 1, what))
#define get_u16(r, what) ((uint16_t)get_le(r, 2, what))
#define get_u32(r, what) ((uint32_t)get_le(r, 4, what))
#define get_u64(r, what) get_le(r, 8, what)

/*
 * Where decoded strings go: dst[size], used bytes so far. A string is copied there with a
 * NUL after it.
 */
struct strs {
	char *dst;
	size_t size, used;
};

/*
 * A string of at most max bytes into s (NUL added): *out points to it, or is NULL for the
 * wire's NULL when null_ok. Returns false (reason in r) on a length past max, past the
 * payload, or no room left in s.
 */
static bool get_str(struct rbuf *r, struct strs *s, size_t max, bool null_ok, const char **out,
		    size_t *out_len, const char *what)
{
	size_t at = r->off;
	uint32_t n = get_u32(r, what);

	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (r->bad)
		return false;
	if (n == WIRE_NULL_STR) {
		if (null_ok)
			return true;
		r->off = at;
		fail(r, "%s is absent (a NULL string) where a value is required", what);
		return false;
	}
	if (n > max) {
		r->off = at;
		fail(r, "%s: length %u over the limit %zu", what, n, max);
		return false;
	}
	if (n > r->len - r->off) {
		r->off = at;
		fail(r, "%s: length %u past the end of the payload (%zu bytes left)", what, n,
		     r->len - r->off - 4);
		return false;
	}
	if ((size_t)n + 1 > s->size - s->used) {
		r->off = at;
		fail(r, "%s: no room left for it (%zu bytes of strings already)", what, s->used);
		return false;
	}
	memcpy(s->dst + s->used, r->p + r->off, n);
	s->dst[s->used + n] = '\0';
	*out = s->dst + s->used;
	if (out_len)
		*out_len = n;
	s->used += (size_t)n + 1;
	r->off += n;
	return true;
}

/*
 * Whether s[0..n) would reach a terminal unchanged by escape_bytes() (backslashes aside:
 * escaped text has them): the strings that sinks print as they are (rule ids, messages,
 * tags, loss counter names, host_source) must be, or a daemon could steer the viewer's
 * terminal.
 */
static bool plain(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		const char *piece;
		char buf[4];
		size_t k;

		if (s[i] == '\\') {
			i++;
			continue;
		}
		i += escape_step(s + i, n - i, buf, &piece, &k);
		if (piece == buf)
			return false;
	}
	return true;
}

static bool get_plain(struct rbuf *r, struct strs *s, size_t max, bool null_ok, const char **out,
		      const char *what)
{
	size_t at = r->off, n;

	if (!get_str(r, s, max, null_ok, out, &n, what))
		return false;
	if (*out && !plain(*out, n)) {
		r->off = at;
		fail(r, "%s holds a control byte or invalid UTF-8 (it is shown as it is)", what);
		return false;
	}
	return true;
}

static struct timespec get_ts(struct rbuf *r, const char *what)
{
	struct timespec ts;
	size_t at = r->off;

	ts.tv_sec = (time_t)(int64_t)get_u64(r, what);
	ts.tv_nsec = (long)get_u32(r, what);
	if (!r->bad && ts.tv_nsec >= 1000000000L) {
		r->off = at;
		fail(r, "%s: nanoseconds %ld not below 1e9", what, ts.tv_nsec);
	}
	return ts;
}

/* A payload must be read to its end: bytes left over mean the peer lays frames out otherwise. */
static int finish(struct rbuf *r)
{
	if (!r->bad && r->off != r->len)
		fail(r, "%zu bytes left over after the last field", r->len - r->off);
	return r->bad ? -EPROTO : 0;
}

static void rbuf_init(struct rbuf *r, const void *p, size_t len, const char *kind, char *err,
		      size_t n)
{
	*r = (struct rbuf){ .p = p, .len = len, .kind = kind, .err = err, .n = n };
	if (n)
		err[0] = '\0';
}

int event_wire_get_hdr(const void *buf, size_t len, struct event_wire_hdr *h, char *err, size_t n)
{
	struct rbuf r;

	if (len < EVENT_WIRE_HDR_LEN)
		return -EAGAIN;
	rbuf_init(&r, buf, EVENT_WIRE_HDR_LEN, "header", err, n);
	h->magic = get_u32(&r, "magic");
	h->version = get_u8(&r, "version");
	h->kind = get_u8(&r, "kind");
	h->flags = get_u16(&r, "flags");
	h->len = get_u32(&r, "length");
	if (h->magic != EVENT_WIRE_MAGIC) {
		r.off = 0;
		fail(&r, "magic 0x%08x, not 0x%08x: not an llmwatch event stream", h->magic,
		     EVENT_WIRE_MAGIC);
	} else if (h->version != EVENT_WIRE_VERSION) {
		r.off = 4;
		fail(&r, "protocol version %u, this end speaks %u", h->version, EVENT_WIRE_VERSION);
	} else if (h->len > EVENT_WIRE_PAYLOAD_MAX) {
		r.off = 8;
		fail(&r, "payload length %u over the limit %u", h->len, EVENT_WIRE_PAYLOAD_MAX);
	}
	return r.bad ? -EPROTO : 0;
}

/* The types whose records carry an address (event_decode()): their sinks read ev->addr. */
static bool type_has_addr(unsigned int type)
{
	switch (type) {
	case LW_REC_CONNECT:
	case LW_REC_BIND:
	case LW_REC_SEND:
	case LW_REC_LISTEN:
	case LW_REC_CONN_BYTES:
	case LW_REC_PAYLOAD:
		return true;
	}
	return false;
}

/* The loss report of a loss alert. */
static void get_losses(struct rbuf *r, struct strs *s, struct stats_loss_report *lr)
{
	size_t at = r->off;
	uint32_t ng = get_u32(r, "loss counters");
	uint64_t secs;

	if (!r->bad && ng > STATS_LOSS_COUNTERS) {
		r->off = at;
		fail(r, "%u loss counters, over the limit %d", ng, STATS_LOSS_COUNTERS);
		return;
	}
	lr->n_grew = ng;
	lr->increase = get_u64(r, "losses' increase");
	lr->total = get_u64(r, "losses' total");
	secs = get_u64(r, "losses' seconds");
	memcpy(&lr->seconds, &secs, sizeof(secs));
	for (uint32_t i = 0; i < ng && !r->bad; i++) {
		get_plain(r, s, EVENT_WIRE_HELLO_STR_MAX, true, &lr->grew[i].type,
			  "loss counter type");
		get_plain(r, s, EVENT_WIRE_HELLO_STR_MAX, false, &lr->grew[i].reason,
			  "loss counter reason");
		lr->grew[i].increase = get_u64(r, "loss counter increase");
		lr->grew[i].total = get_u64(r, "loss counter total");
	}
}

static void get_verdict(struct rbuf *r, struct strs *s, struct event_wire_event *out, size_t i)
{
	struct rules_verdict *v = &out->v[i];
	const char *msg;
	size_t at, n;
	uint8_t sev, act;
	uint16_t nt;

	get_plain(r, s, EVENT_WIRE_STR_MAX, false, &v->rule, "verdict rule");
	get_str(r, s, EVENT_WIRE_STR_MAX, false, &v->description, NULL, "verdict description");
	at = r->off;
	sev = get_u8(r, "severity");
	act = get_u8(r, "action");
	if (!r->bad && (sev > RULES_SEV_CRITICAL || act > RULES_ACTION_BLOCK)) {
		r->off = at;
		fail(r, "severity %u or action %u unknown", sev, act);
		return;
	}
	v->severity = (enum rules_severity)sev;
	v->action = (enum rules_action)act;
	at = r->off;
	nt = get_u16(r, "tag count");
	if (!r->bad && nt > EVENT_WIRE_TAGS_MAX) {
		r->off = at;
		fail(r, "%u tags, over the limit %d", nt, EVENT_WIRE_TAGS_MAX);
		return;
	}
	for (size_t t = 0; t < nt && !r->bad; t++)
		get_str(r, s, EVENT_WIRE_STR_MAX, false, &out->tags[i][t], NULL, "tag");
	v->tags = out->tags[i];
	v->n_tags = r->bad ? 0 : nt;
	/* plain: no NUL either, so strlen() is its length */
	if (!get_plain(r, s, RULES_MESSAGE_MAX - 1, false, &msg, "message"))
		return;
	n = strlen(msg);
	memcpy(v->message, msg, n + 1);
	s->used -= n + 1; /* copied into the verdict: its room is free again */
}

int event_wire_decode_event(const void *p, size_t len, uint16_t flags, struct event_wire_event *out,
			    char *err, size_t n)
{
	struct strs s = { .dst = out->strs, .size = sizeof(out->strs) };
	struct lw_event *ev = &out->ev;
	const char *comm, *bytes;
	unsigned int present;
	size_t comm_len, at;
	struct rbuf r;
	uint16_t nv;

	rbuf_init(&r, p, len, "EVENT", err, n);
	memset(ev, 0, sizeof(*ev));
	out->nv = 0;
	out->flags = flags;
	ev->type = get_u16(&r, "type");
	ev->flags = get_u8(&r, "flags");
	at = r.off;
	ev->argv_state = get_u8(&r, "argv state");
	ev->root_argv_state = get_u8(&r, "root argv state");
	ev->netns = get_u8(&r, "netns");
	if (!r.bad && (ev->argv_state > EVENT_ARGV_CUT || ev->root_argv_state > EVENT_ARGV_CUT ||
		       ev->netns > EVENT_NETNS_OTHER)) {
		r.off = at;
		fail(&r, "argv state %u/%u or netns %u unknown", ev->argv_state,
		     ev->root_argv_state, ev->netns);
	}
	ev->payload_direction = get_u8(&r, "payload direction");
	ev->payload_protocol = get_u8(&r, "payload protocol");
	at = r.off;
	present = get_u8(&r, "present");
	(void)get_u8(&r, "reserved"); /* 0 from this encoder; ignored */
	if (!r.bad && (present & ~(HAS_ADDR | HAS_FOLD | HAS_LOSSES))) {
		r.off = at;
		fail(&r, "unknown optional parts 0x%02x", present);
	}
	if (!r.bad && type_has_addr(ev->type) && !(present & HAS_ADDR)) {
		r.off = at;
		fail(&r, "a %s event without an address", event_type_name(ev->type));
	}
	if (!r.bad && ev->type == LW_EV_LOSSES && !(present & HAS_LOSSES)) {
		r.off = at;
		fail(&r, "a loss alert without its losses");
	}
	ev->tool_id = get_u16(&r, "tool id");
	ev->ts_boot_ns = get_u64(&r, "boot time");
	ev->wall = get_ts(&r, "wall time");
	ev->pid = get_u32(&r, "pid");
	ev->tid = get_u32(&r, "tid");
	ev->ppid = get_u32(&r, "ppid");
	ev->uid = get_u32(&r, "uid");
	ev->fd = (int32_t)get_u32(&r, "fd");
	ev->ret = (int64_t)get_u64(&r, "ret");
	ev->bytes = get_u64(&r, "bytes");
	ev->sock_type = get_u32(&r, "sock type");
	ev->open_flags = get_u64(&r, "open flags");
	ev->dfd = (int32_t)get_u32(&r, "dfd");
	ev->match = get_u32(&r, "match");
	ev->exit_code = (int32_t)get_u32(&r, "exit code");
	ev->backlog = (int32_t)get_u32(&r, "backlog");
	ev->cookie = get_u64(&r, "cookie");
	ev->packets = get_u64(&r, "packets");
	ev->close_reason = get_u32(&r, "close reason");
	ev->payload_offset = get_u32(&r, "payload offset");
	if (present & HAS_ADDR) {
		out->addr.family = get_u16(&r, "address family");
		out->addr.port = get_u16(&r, "port");
		out->addr.scope_id = get_u32(&r, "scope id");
		get_bytes(&r, out->addr.addr, sizeof(out->addr.addr), "address");
		ev->addr = &out->addr;
	}
	if (present & HAS_FOLD) {
		out->fold.count = get_u64(&r, "fold count");
		out->fold.first = get_ts(&r, "fold first");
		out->fold.last = get_ts(&r, "fold last");
		out->fold.window_s = get_u32(&r, "fold window");
		ev->fold = &out->fold;
	}
	get_str(&r, &s, LW_COMM_LEN, false, &comm, &comm_len, "comm");
	if (comm)
		memcpy(ev->comm, comm, comm_len + 1);
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->tool, NULL, "tool");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->exe, NULL, "exe");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->evidence, NULL, "evidence");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->parent_exe, NULL, "parent exe");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->parent_comm, NULL, "parent comm");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->argv, NULL, "argv");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->root_argv, NULL, "root argv");
	get_str(&r, &s, LW_UNIX_PATH_MAX, true, &ev->unix_path, &ev->unix_path_len, "unix path");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, ev->type != LW_REC_OPEN, &ev->path, &ev->path_len,
		"path");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, ev->type != LW_REC_EXEC, &ev->filename, NULL,
		"filename");
	get_str(&r, &s, EVENT_WIRE_STR_MAX, true, &ev->host, NULL, "host");
	get_plain(&r, &s, EVENT_WIRE_HELLO_STR_MAX, true, &ev->host_source, "host source");
	get_str(&r, &s, EVENT_WIRE_BYTES_MAX, true, &bytes, &ev->payload_len, "payload bytes");
	ev->payload = (const uint8_t *)bytes;
	/* "" and unknown are one thing for these two, and every sink prints them */
	if (!ev->tool)
		ev->tool = "";
	if (!ev->exe)
		ev->exe = "";
	if (present & HAS_LOSSES) {
		get_losses(&r, &s, &out->losses);
		ev->losses = &out->losses;
	}
	at = r.off;
	nv = get_u16(&r, "verdict count");
	if (!r.bad && nv > EVENT_WIRE_VERDICTS_MAX) {
		r.off = at;
		fail(&r, "%u verdicts, over the limit %d", nv, EVENT_WIRE_VERDICTS_MAX);
	}
	for (size_t i = 0; i < nv && !r.bad; i++)
		get_verdict(&r, &s, out, i);
	out->nv = r.bad ? 0 : nv;
	out->strs_used = s.used;
	return finish(&r);
}

int event_wire_decode_hello(const void *p, size_t len, struct event_wire_hello_buf *out, char *err,
			    size_t n)
{
	char tmp[3 * (EVENT_WIRE_HELLO_STR_MAX + 1)];
	struct strs s = { .dst = tmp, .size = sizeof(tmp) };
	const char *version, *digest, *host;
	struct rbuf r;

	rbuf_init(&r, p, len, "HELLO", err, n);
	memset(out, 0, sizeof(*out));
	out->protocol = get_u16(&r, "protocol");
	get_str(&r, &s, EVENT_WIRE_HELLO_STR_MAX, false, &version, NULL, "version");
	get_str(&r, &s, EVENT_WIRE_HELLO_STR_MAX, false, &digest, NULL, "rules digest");
	get_str(&r, &s, EVENT_WIRE_HELLO_STR_MAX, false, &host, NULL, "host");
	if (finish(&r))
		return -EPROTO;
	/* cut at an embedded NUL, if any: these are shown escaped, as C strings */
	snprintf(out->version, sizeof(out->version), "%s", version);
	snprintf(out->rules_digest, sizeof(out->rules_digest), "%s", digest);
	snprintf(out->host, sizeof(out->host), "%s", host);
	return 0;
}

int event_wire_decode_stats(const void *p, size_t len, struct event_wire_stats *out, char *err,
			    size_t n)
{
	struct lw_stats *st = &out->st;
	uint16_t ntypes, nreasons, nscalars, nout;
	uint64_t scalars[N_SCALARS] = { 0 };
	struct rbuf r;

	rbuf_init(&r, p, len, "STATS", err, n);
	memset(out, 0, sizeof(*out));
	ntypes = get_u16(&r, "record types");
	nreasons = get_u16(&r, "loss reasons");
	nscalars = get_u16(&r, "counters");
	nout = get_u16(&r, "outputs");
	if (!r.bad &&
	    (ntypes > EVENT_WIRE_KERNEL_TYPES_MAX || nreasons > EVENT_WIRE_KERNEL_REASONS_MAX ||
	     nscalars > EVENT_WIRE_STATS_SCALARS_MAX || nout > LW_OUTPUTS_MAX)) {
		r.off = 0;
		fail(&r,
		     "%u types x %u reasons, %u counters or %u outputs: over the limits %d, %d, %d, %d",
		     ntypes, nreasons, nscalars, nout, EVENT_WIRE_KERNEL_TYPES_MAX,
		     EVENT_WIRE_KERNEL_REASONS_MAX, EVENT_WIRE_STATS_SCALARS_MAX, LW_OUTPUTS_MAX);
	}
	/* a daemon of another build may know more types or reasons: each lands in its slot */
	for (size_t t = 0; t < ntypes && !r.bad; t++)
		for (size_t k = 0; k < nreasons && !r.bad; k++) {
			uint64_t v = get_u64(&r, "kernel loss counter");

			if (t < LW_REC_TYPE_MAX && k < LW_LOSS_REASON_MAX)
				st->kernel_losses[t * LW_LOSS_REASON_MAX + k] = v;
		}
	for (size_t t = 0; t < ntypes && !r.bad; t++) {
		uint64_t v = get_u64(&r, "count by type");

		if (t < LW_REC_TYPE_MAX)
			st->by_type[t] = v;
	}
	for (size_t i = 0; i < nscalars && !r.bad; i++) {
		uint64_t v = get_u64(&r, "counter");

		if (i < N_SCALARS)
			scalars[i] = v;
	}
	{
		size_t i = 0;
#define GET_ONE(f) st->f = scalars[i++];
		STATS_SCALARS(GET_ONE)
#undef GET_ONE
	}
	for (size_t i = 0; i < nout && !r.bad; i++) {
		char tmp[EVENT_WIRE_HELLO_STR_MAX + 1];
		struct strs s = { .dst = tmp, .size = sizeof(tmp) };
		const char *name;

		if (!get_str(&r, &s, EVENT_WIRE_HELLO_STR_MAX, false, &name, NULL, "output name"))
			break;
		snprintf(out->names[i], sizeof(out->names[i]), "%s", name);
		st->outputs[i].name = out->names[i];
		st->outputs[i].errors = get_u64(&r, "output errors");
	}
	st->n_outputs = r.bad ? 0 : nout;
	return finish(&r);
}

int event_wire_decode_missed(const void *p, size_t len, uint64_t *missed, char *err, size_t n)
{
	struct rbuf r;

	rbuf_init(&r, p, len, "MISSED", err, n);
	*missed = get_u64(&r, "count");
	return finish(&r);
}

int event_wire_decode_refused(const void *p, size_t len, char *reason, char *err, size_t n)
{
	char tmp[EVENT_WIRE_REASON_MAX + 1];
	struct strs s = { .dst = tmp, .size = sizeof(tmp) };
	const char *text;
	struct rbuf r;

	rbuf_init(&r, p, len, "REFUSED", err, n);
	reason[0] = '\0';
	get_str(&r, &s, EVENT_WIRE_REASON_MAX, false, &text, NULL, "reason");
	if (finish(&r))
		return -EPROTO;
	snprintf(reason, EVENT_WIRE_REASON_MAX + 1, "%s", text);
	return 0;
}
