// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Folding of identical alerts within a window (see alert_fold.h). */
#include "monitor/alert_fold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/rules_output.h"
#include "util/sockfmt.h"

/* One open window. */
struct fold_entry {
	char *key; /* NULL: a closed slot, skipped until it reaches the head */
	size_t key_len;
	uint64_t hash;
	uint64_t start_ns; /* the first alert's CLOCK_BOOTTIME */
	struct lw_fold fold;
	/* a deep copy of the latest repeat: the summary is written from it (NULL: none yet) */
	struct lw_event *last;
	size_t last_nv, last_cap;
};

/*
 * Windows in the order they opened, which is the order they end (all are as long), so the
 * oldest is at the head: expiry and eviction look at the head alone. Lookup is a scan: alerts
 * are rare next to events, and ALERT_FOLD_MAX hashes compare in well under a microsecond.
 */
struct alert_fold {
	uint64_t window_ns;
	alert_fold_emit_fn emit;
	void *ctx;
	size_t max, head, count;
	struct fold_entry *e;
	char *scratch; /* the key being built */
	size_t scratch_cap;
	struct alert_fold_stats st;
};

struct alert_fold *alert_fold_new(uint64_t window_ns, size_t max, alert_fold_emit_fn emit,
				  void *ctx)
{
	struct alert_fold *f;

	if (!window_ns || !max || !emit) {
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->e = calloc(max, sizeof(*f->e));
	if (!f->e) {
		free(f);
		return NULL;
	}
	f->window_ns = window_ns;
	f->max = max;
	f->emit = emit;
	f->ctx = ctx;
	return f;
}

static void entry_clear(struct fold_entry *e)
{
	free(e->key);
	free(e->last);
	memset(e, 0, sizeof(*e));
}

void alert_fold_free(struct alert_fold *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->max; i++)
		entry_clear(&f->e[i]);
	free(f->e);
	free(f->scratch);
	free(f);
}

const struct alert_fold_stats *alert_fold_stats(const struct alert_fold *f)
{
	return &f->st;
}

/* ---- the key: rules, tool, type, subject ----------------------------------------------- */

/* Appends n bytes and a 0 separator to the scratch key at *len. Returns 0 or -ENOMEM. */
static int key_put(struct alert_fold *f, size_t *len, const void *s, size_t n)
{
	if (*len + n + 1 > f->scratch_cap) {
		size_t cap = (*len + n + 1) * 2;
		char *p = realloc(f->scratch, cap);

		if (!p)
			return -ENOMEM;
		f->scratch = p;
		f->scratch_cap = cap;
	}
	memcpy(f->scratch + *len, s, n);
	f->scratch[*len + n] = '\0';
	*len += n + 1;
	return 0;
}

static int key_str(struct alert_fold *f, size_t *len, const char *s)
{
	return key_put(f, len, s ? s : "", s ? strlen(s) : 0);
}

/* What an alert is about: the far end (its name if known) and port, the path, the program. */
static int key_subject(struct alert_fold *f, size_t *len, const struct lw_event *ev)
{
	const struct lw_sockaddr *a = ev->addr;
	char buf[SOCKFMT_ADDR_LEN + 16];

	switch (ev->type) {
	case LW_REC_OPEN:
		return key_put(f, len, ev->path, ev->path_len);
	case LW_REC_EXEC:
		return key_str(f, len, ev->filename);
	}
	if (!a)
		return key_put(f, len, "", 0);
	if (a->family == 1)
		return key_put(f, len, ev->unix_path ? ev->unix_path : "", ev->unix_path_len);
	if (a->family != 2 && a->family != 10)
		return key_put(f, len, "", 0);
	if (ev->host && key_str(f, len, ev->host))
		return -ENOMEM;
	if (!ev->host && key_str(f, len, sockfmt_addr(a, buf)))
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "%u", a->port);
	return key_str(f, len, buf);
}

/* Builds the key of ev into f->scratch. Returns its length, or 0 when out of memory. */
static size_t build_key(struct alert_fold *f, const struct lw_event *ev,
			const struct rules_verdict *v, size_t nv)
{
	size_t len = 0;
	char type[8];

	for (size_t i = 0; i < nv; i++) {
		if (key_str(f, &len, v[i].rule))
			return 0;
	}
	snprintf(type, sizeof(type), "%u", ev->type);
	if (key_str(f, &len, type) || key_str(f, &len, ev->tool) || key_subject(f, &len, ev))
		return 0;
	return len;
}

/* FNV-1a */
static uint64_t hash_key(const char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)k[i]) * 0x100000001b3ull;
	return h;
}

/* ---- the summary's copy of the last repeat --------------------------------------------- */

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies n bytes of s (and a NUL) to *at; returns the copy, or NULL for a NULL s. */
static const char *put_str(char **at, const char *s, size_t n)
{
	char *r = *at;

	if (!s)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	*at += n + 1;
	return r;
}

/*
 * Keeps a deep copy of ev and its verdicts in e: the event's strings point into a record
 * and a process table that are gone by the time the window closes. One allocation, reused
 * while big enough. Returns 0 or -ENOMEM (the entry then keeps its previous copy).
 */
static int keep_last(struct fold_entry *e, const struct lw_event *ev, const struct rules_verdict *v,
		     size_t nv)
{
	size_t need = sizeof(*ev) + nv * sizeof(*v) + sizeof(struct lw_sockaddr) +
		      str_size(ev->tool) + str_size(ev->exe) + str_size(ev->evidence) +
		      (ev->unix_path ? ev->unix_path_len + 1 : 0) +
		      (ev->path ? ev->path_len + 1 : 0) + str_size(ev->filename) +
		      str_size(ev->host) + str_size(ev->host_source);
	struct lw_event *c;
	struct rules_verdict *cv;
	struct lw_sockaddr *ca;
	char *at;

	if (need > e->last_cap) {
		c = malloc(need);
		if (!c)
			return -ENOMEM;
		free(e->last);
		e->last = c;
		e->last_cap = need;
	}
	c = e->last;
	*c = *ev;
	cv = (struct rules_verdict *)(c + 1);
	if (nv)
		memcpy(cv, v, nv * sizeof(*v));
	ca = (struct lw_sockaddr *)(cv + nv);
	if (ev->addr)
		*ca = *ev->addr;
	c->addr = ev->addr ? ca : NULL;
	at = (char *)(ca + 1);
	c->tool = put_str(&at, ev->tool, str_size(ev->tool) - !!ev->tool);
	c->exe = put_str(&at, ev->exe, str_size(ev->exe) - !!ev->exe);
	c->evidence = put_str(&at, ev->evidence, str_size(ev->evidence) - !!ev->evidence);
	c->unix_path = put_str(&at, ev->unix_path, ev->unix_path_len);
	c->path = put_str(&at, ev->path, ev->path_len);
	c->filename = put_str(&at, ev->filename, str_size(ev->filename) - !!ev->filename);
	c->host = put_str(&at, ev->host, str_size(ev->host) - !!ev->host);
	c->host_source =
		put_str(&at, ev->host_source, str_size(ev->host_source) - !!ev->host_source);
	/* bytes for naming are never an alert's business */
	c->payload = NULL;
	c->payload_len = 0;
	c->fold = NULL;
	e->last_nv = nv;
	return 0;
}

/* ---- windows --------------------------------------------------------------------------- */

/* Ends a window: its summary written if anything was folded into it; the slot freed. */
static void close_entry(struct alert_fold *f, struct fold_entry *e)
{
	if (e->fold.count > 1 && e->last) {
		struct lw_event ev = *e->last;

		ev.fold = &e->fold;
		f->st.summaries++;
		f->emit(f->ctx, &ev, (const struct rules_verdict *)(e->last + 1), e->last_nv);
	}
	entry_clear(e);
}

/* Frees closed slots at the head. */
static void trim_head(struct alert_fold *f)
{
	while (f->count && !f->e[f->head].key) {
		f->head = (f->head + 1) % f->max;
		f->count--;
	}
}

static struct fold_entry *find(struct alert_fold *f, const char *key, size_t len, uint64_t h)
{
	for (size_t i = 0; i < f->count; i++) {
		struct fold_entry *e = &f->e[(f->head + i) % f->max];

		if (e->key && e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

/* Opens a window for an alert just written; when none can be had it is simply not folded. */
static void open_entry(struct alert_fold *f, const struct lw_event *ev, size_t len, uint64_t h)
{
	struct fold_entry *e;
	char *key = malloc(len);

	if (!key)
		return;
	memcpy(key, f->scratch, len);
	trim_head(f);
	if (f->count == f->max) {
		/* full: the oldest window ends now, its summary written; nothing is dropped */
		f->st.closed_early++;
		close_entry(f, &f->e[f->head]);
		trim_head(f);
	}
	e = &f->e[(f->head + f->count) % f->max];
	f->count++;
	e->key = key;
	e->key_len = len;
	e->hash = h;
	e->start_ns = ev->ts_boot_ns;
	e->fold = (struct lw_fold){ .count = 1,
				    .first = ev->wall,
				    .last = ev->wall,
				    .window_s = (uint32_t)(f->window_ns / 1000000000ull) };
}

bool alert_fold_admit(struct alert_fold *f, const struct lw_event *ev,
		      const struct rules_verdict *v, size_t nv)
{
	struct fold_entry *e;
	size_t len;
	uint64_t h;

	if (!rules_output_is_alert(v, nv))
		return true;
	len = build_key(f, ev, v, nv);
	if (!len)
		return true; /* out of memory: written as it is, not folded */
	h = hash_key(f->scratch, len);
	e = find(f, f->scratch, len, h);
	if (e && ev->ts_boot_ns >= e->start_ns + f->window_ns) {
		/* its window ended before the tick saw it: close it, this one opens the next */
		close_entry(f, e);
		e = NULL;
	}
	if (!e) {
		open_entry(f, ev, len, h);
		return true;
	}
	if (keep_last(e, ev, v, nv))
		return true; /* cannot be summarised: written on its own */
	e->fold.count++;
	e->fold.last = ev->wall;
	f->st.folded++;
	return false;
}

void alert_fold_expire(struct alert_fold *f, uint64_t now_ns)
{
	trim_head(f);
	while (f->count) {
		struct fold_entry *e = &f->e[f->head];

		if (now_ns < e->start_ns + f->window_ns)
			break;
		close_entry(f, e);
		trim_head(f);
	}
}

void alert_fold_flush(struct alert_fold *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++)
		close_entry(f, &f->e[(f->head + i) % f->max]);
	f->head = f->count = 0;
}
