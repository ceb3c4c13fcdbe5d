// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Matching events against a compiled rule set: the event's host, address, port and path are
 * looked up in per-event-type indexes, the few candidates are evaluated in full, and the
 * matches become verdicts with escaped messages.
 */
#include "rules/rules_int.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/escape.h"
#include "core/event.h"

/* ---- home directories ------------------------------------------------------------------- */

static int home_getpw(uint32_t uid, char *buf, size_t size, void *ctx)
{
	struct passwd pw, *res = NULL;
	char stack[4096], *pbuf = stack;
	size_t psize = sizeof(stack);
	int err;

	(void)ctx;
	for (;;) {
		err = getpwuid_r((uid_t)uid, &pw, pbuf, psize, &res);
		if (err != ERANGE || psize >= (1u << 20))
			break;
		if (pbuf != stack)
			free(pbuf);
		psize *= 4;
		pbuf = malloc(psize);
		if (!pbuf)
			return -ENOMEM;
	}
	if (!err && res && res->pw_dir && res->pw_dir[0] == '/' && strlen(res->pw_dir) < size)
		strcpy(buf, res->pw_dir);
	else
		err = err ? err : ENOENT;
	if (pbuf != stack)
		free(pbuf);
	return -err;
}

#define HOME_CACHE_MAX 1024

/* The home of uid, cached (also when there is none), or NULL. */
static const char *home_of(struct rules_home_cache *hc, uint32_t uid)
{
	struct rules_home_ent *e;
	char buf[LW_PATH_MAX];
	size_t i;
	int err;

	if (hc->cap) {
		for (i = (uid * 2654435761u) & (hc->cap - 1);; i = (i + 1) & (hc->cap - 1)) {
			e = &hc->ents[i];
			if (!e->used)
				break;
			if (e->uid == uid)
				return e->found ? e->home : NULL;
		}
	}
	/* grow (or start over when full of stale uids: users are few, churn is rare) */
	if ((hc->used + 1) * 2 > hc->cap) {
		size_t cap = hc->cap ? hc->cap * 2 : 16;
		struct rules_home_ent *ents;

		if (cap > HOME_CACHE_MAX * 2) {
			for (i = 0; i < hc->cap; i++)
				free(hc->ents[i].home);
			memset(hc->ents, 0, hc->cap * sizeof(*hc->ents));
			hc->used = 0;
		} else {
			ents = calloc(cap, sizeof(*ents));
			if (!ents)
				return NULL;
			for (i = 0; i < hc->cap; i++) {
				size_t j;

				if (!hc->ents[i].used)
					continue;
				for (j = (hc->ents[i].uid * 2654435761u) & (cap - 1); ents[j].used;
				     j = (j + 1) & (cap - 1))
					;
				ents[j] = hc->ents[i];
			}
			free(hc->ents);
			hc->ents = ents;
			hc->cap = cap;
		}
	}
	buf[0] = '\0';	/* a lookup that succeeds without writing finds no home */
	err = (hc->fn ? hc->fn : home_getpw)(uid, buf, sizeof(buf), hc->ctx);
	for (i = (uid * 2654435761u) & (hc->cap - 1); hc->ents[i].used; i = (i + 1) & (hc->cap - 1))
		;
	e = &hc->ents[i];
	e->used = true;
	e->uid = uid;
	e->found = false;
	e->home = NULL;
	hc->used++;
	if (!err && buf[0] == '/') {
		size_t n = strlen(buf);

		e->home = malloc(n + 1);
		if (e->home) {
			/* normalized like event paths, so "/home/a/" works as a prefix */
			rules_path_normalize(e->home, buf, n);
			e->found = true;
		}
	}
	return e->found ? e->home : NULL;
}

static int cmp_len_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/*
 * Loads every user's home from passwd (only with the real passwd lookup: tests that inject
 * a home function see only the homes it gives). "/" is left out: it would make every path
 * home-relative. Failure leaves the list empty; the event's own user's home still works.
 */
static void homes_load_all(struct rules_home_cache *hc)
{
	struct passwd *pw;
	size_t cap = 0;

	hc->all_loaded = true;
	if (hc->fn)
		return;
	setpwent();
	while ((pw = getpwent())) {
		size_t n;
		char *h;

		if (!pw->pw_dir || pw->pw_dir[0] != '/' || !pw->pw_dir[1])
			continue;
		n = strlen(pw->pw_dir);
		if (n >= LW_PATH_MAX)
			continue;
		if (hc->n_all == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **v = realloc(hc->all, ncap * sizeof(*v));

			if (!v)
				break;
			hc->all = v;
			cap = ncap;
		}
		h = malloc(n + 1);
		if (!h)
			break;
		rules_path_normalize(h, pw->pw_dir, n);
		if (!h[1]) {	/* normalized to "/" */
			free(h);
			continue;
		}
		hc->all[hc->n_all++] = h;
	}
	endpwent();
	if (hc->n_all)
		qsort(hc->all, hc->n_all, sizeof(*hc->all), cmp_len_desc);
}

/* Whether path lies under home ("/home/a" covers "/home/a" and "/home/a/x", not "/home/ab"). */
static bool under_home(const char *path, const char *home, size_t hl)
{
	return strncmp(path, home, hl) == 0 && (path[hl] == '/' || path[hl] == '\0');
}

/* ---- per-event context ------------------------------------------------------------------- */

struct mctx {
	const struct lw_event *ev;
	const struct rules *r;
	int tool_idx;			/* index in rules_profile_names, or -1 */
	int fam;			/* 4, 6, or 0 */
	uint8_t addr[16];		/* v4-mapped IPv6 becomes IPv4 */
	bool has_port;
	uint16_t port;
	uint32_t cls;			/* RULES_C_* */
	const char *host;		/* lowercased, or NULL */
	size_t host_len;
	char hostbuf[256];
	uint32_t host_src;		/* RULES_HS_*: NONE without a name, 0 for another source */
	const char *path;		/* normalized, or NULL */
	size_t path_len;
	int home_state;			/* 0: not computed, 1: homepath valid, -1: none */
	size_t homepath_len;
	char pathbuf[LW_PATH_MAX + 1];
	char homepath[LW_PATH_MAX + 2];
};

static uint32_t classify4(const uint8_t *a)
{
	if (a[0] == 127)
		return RULES_C_LOOPBACK;
	if (a[0] == 0)
		return RULES_C_ANY;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64))
		return RULES_C_PRIVATE;
	if (a[0] == 169 && a[1] == 254)
		return RULES_C_LINK_LOCAL;
	if ((a[0] & 0xf0) == 224 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255))
		return RULES_C_MULTICAST;
	return RULES_C_PUBLIC;
}

static uint32_t classify6(const uint8_t *a)
{
	static const uint8_t zero[16];

	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return RULES_C_LOOPBACK;
	if (memcmp(a, zero, 16) == 0)
		return RULES_C_ANY;
	if ((a[0] & 0xfe) == 0xfc)
		return RULES_C_PRIVATE;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return RULES_C_LINK_LOCAL;
	if (a[0] == 0xff)
		return RULES_C_MULTICAST;
	return RULES_C_PUBLIC;
}

static void ctx_init(struct mctx *m, const struct rules *r, const struct lw_event *ev)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct lw_sockaddr *sa = ev->addr;
	const char *p = NULL;
	size_t plen = 0;

	m->ev = ev;
	m->r = r;
	m->tool_idx = -1;
	for (int i = 0; ev->tool && i < RULES_N_PROFILES; i++) {
		if (strcmp(ev->tool, rules_profile_names[i]) == 0) {
			m->tool_idx = i;
			break;
		}
	}
	m->fam = 0;
	m->has_port = false;
	m->cls = RULES_C_NONE;
	if (sa && sa->family == AF_INET) {
		m->fam = 4;
		memcpy(m->addr, sa->addr, 4);
	} else if (sa && sa->family == AF_INET6) {
		if (memcmp(sa->addr, mapped, 12) == 0) {
			m->fam = 4;
			memcpy(m->addr, sa->addr + 12, 4);
		} else {
			m->fam = 6;
			memcpy(m->addr, sa->addr, 16);
		}
	} else if (sa && sa->family == AF_UNIX) {
		m->cls = RULES_C_UNIX;
	}
	if (m->fam) {
		m->cls = m->fam == 4 ? classify4(m->addr) : classify6(m->addr);
		m->has_port = true;
		m->port = sa->port;
	}

	m->host = NULL;
	if (ev->host) {
		size_t n = strnlen(ev->host, sizeof(m->hostbuf));

		if (n > 0 && ev->host[n - 1] == '.')	/* "example.com." is example.com */
			n--;
		/* an empty label is no name: ".example.com" must not pass for a subdomain */
		if (n > 0 && n < sizeof(m->hostbuf) && ev->host[0] != '.' &&
		    !memmem(ev->host, n, "..", 2)) {
			for (size_t i = 0; i < n; i++) {
				char c = ev->host[i];

				m->hostbuf[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
			}
			m->hostbuf[n] = '\0';
			m->host = m->hostbuf;
			m->host_len = n;
		}
	}
	/* "none" is exactly "no name a host condition could match" */
	m->host_src = RULES_HS_NONE;
	if (m->host) {
		const char *hs = ev->host_source ? ev->host_source : "";

		m->host_src = strcmp(hs, "dns") == 0 ? RULES_HS_DNS : strcmp(hs, "sni") == 0 ?
			      RULES_HS_SNI : strcmp(hs, "http") == 0 ? RULES_HS_HTTP :
			      strcmp(hs, "rule") == 0 ? RULES_HS_RULE : 0;
	}

	if (ev->type == LW_REC_OPEN && ev->path)
		p = ev->path, plen = ev->path_len;
	else if (ev->type == LW_REC_EXEC && ev->filename)
		p = ev->filename, plen = strnlen(ev->filename, LW_PATH_MAX);
	m->path = NULL;
	m->home_state = 0;
	if (p && plen) {
		if (plen > LW_PATH_MAX)
			plen = LW_PATH_MAX;
		/* stop at an embedded NUL: the kernel would */
		plen = strnlen(p, plen);
		m->path_len = rules_path_normalize(m->pathbuf, p, plen);
		m->path = m->pathbuf;
	}
}

/*
 * The event's path relative to a home as "~/...": its own user's home if the path lies
 * under it, else the home of any user that holds it (the longest such home).
 */
static const char *ctx_homepath(struct mctx *m)
{
	struct rules_home_cache *hc = m->r->homes;
	const char *home;
	size_t hl = 0;

	if (m->home_state)
		return m->home_state > 0 ? m->homepath : NULL;
	m->home_state = -1;
	if (!m->path || m->path[0] != '/')
		return NULL;
	home = home_of(hc, m->ev->uid);
	if (home && strlen(home) == 1) {
		/* the user's home is "/": every absolute path is under it */
		hl = 0;
	} else if (home && under_home(m->path, home, strlen(home))) {
		hl = strlen(home);
	} else {
		size_t i;

		if (!hc->all_loaded)
			homes_load_all(hc);
		for (i = 0; i < hc->n_all; i++) {
			if (under_home(m->path, hc->all[i], strlen(hc->all[i])))
				break;
		}
		if (i == hc->n_all)
			return NULL;
		hl = strlen(hc->all[i]);
	}
	m->homepath[0] = '~';
	memcpy(m->homepath + 1, m->path + hl, m->path_len - hl + 1);
	m->homepath_len = m->path_len - hl + 1;
	m->home_state = 1;
	return m->homepath;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

static bool tools_match(const struct rules_tools *t, const struct mctx *m)
{
	if (t->any)
		return true;
	if (m->tool_idx >= 0 && (t->mask & (1u << m->tool_idx)))
		return true;
	for (size_t i = 0; i < t->n_names && m->ev->tool; i++)
		if (strcmp(t->names[i], m->ev->tool) == 0)
			return true;
	return false;
}

static bool host_match(const struct rules_cond *c, const struct mctx *m)
{
	if (!m->host)
		return false;
	for (size_t i = 0; i < c->n_host_exact; i++)
		if (strcmp(c->host_exact[i], m->host) == 0)
			return true;
	for (size_t i = 0; i < c->n_host_suffix; i++) {
		size_t sl = strlen(c->host_suffix[i]);

		if (m->host_len > sl + 1 && m->host[m->host_len - sl - 1] == '.' &&
		    memcmp(m->host + m->host_len - sl, c->host_suffix[i], sl) == 0)
			return true;
	}
	return false;
}

static bool path_match(const struct rules_cond *c, struct mctx *m)
{
	if (!m->path)
		return false;
	for (size_t i = 0; i < c->n_globs; i++) {
		if (c->globs[i].home) {
			const char *hp = ctx_homepath(m);

			if (hp && rules_glob_match(c->globs[i].pat, hp))
				return true;
		} else if (rules_glob_match(c->globs[i].pat, m->path)) {
			return true;
		}
	}
	return false;
}

static uint32_t open_flag_bits(uint64_t f)
{
	uint32_t b = 0;

	switch (f & O_ACCMODE) {
	case O_RDONLY: b = RULES_F_READ; break;
	case O_WRONLY: b = RULES_F_WRITE; break;
	default: b = RULES_F_READ | RULES_F_WRITE; break;
	}
	if (f & O_CREAT)
		b |= RULES_F_CREATE;
	if (f & O_TRUNC)
		b |= RULES_F_TRUNCATE;
	return b;
}

static bool result_ok(const struct lw_event *ev)
{
	/* a non-blocking connect in progress is a connection being made, not a failure */
	return ev->ret >= 0 || (ev->type == LW_REC_CONNECT && ev->ret == -EINPROGRESS);
}

static bool cond_match(const struct rules_cond *c, struct mctx *m, uint32_t skip)
{
	uint32_t k = c->keys & ~skip;

	if ((k & RULES_K_CLASS) && !(m->cls & c->classes))
		return false;
	if ((k & RULES_K_HOST_SOURCE) && !(m->host_src & c->host_sources))
		return false;
	if ((k & RULES_K_PORT)) {
		bool hit = false;

		if (!m->has_port)
			return false;
		for (size_t i = 0; !hit && i < c->n_ports; i++)
			hit = m->port >= c->ports[i].lo && m->port <= c->ports[i].hi;
		if (!hit)
			return false;
	}
	if ((k & RULES_K_FLAGS) && !(open_flag_bits(m->ev->open_flags) & c->flags))
		return false;
	if ((k & RULES_K_BYTES) && (m->ev->bytes < c->bytes_min || m->ev->bytes > c->bytes_max))
		return false;
	if ((k & RULES_K_RESULT) && c->result != RULES_R_ANY &&
	    result_ok(m->ev) != (c->result == RULES_R_OK))
		return false;
	if ((k & RULES_K_TOOL) && !tools_match(&c->tool, m))
		return false;
	if ((k & RULES_K_HOST) && !host_match(c, m))
		return false;
	if (k & RULES_K_ADDR) {
		bool hit = false;

		if (!m->fam)
			return false;
		for (size_t i = 0; !hit && i < c->n_addrs; i++)
			hit = rules_cidr_contains(&c->addrs[i], m->fam, m->addr);
		if (!hit)
			return false;
	}
	if ((k & RULES_K_PATH) && !path_match(c, m))
		return false;
	return true;
}

static bool rule_match(const struct rules_rule *r, struct mctx *m)
{
	/* the index already proved the key it was reached by (globs are only pre-filtered) */
	uint32_t skip = r->ix == RULES_IX_HOST ? RULES_K_HOST : r->ix == RULES_IX_ADDR ?
			RULES_K_ADDR : r->ix == RULES_IX_PORT ? RULES_K_PORT : 0;

	if (!tools_match(&r->tools, m) || !cond_match(&r->cond, m, skip))
		return false;
	for (size_t i = 0; i < r->n_exceptions; i++) {
		/*
		 * A name llmwatch resolved from the rules is a guess about a shared address (a
		 * CDN's): it may raise an alert, never excuse one.
		 */
		if ((r->exceptions[i].keys & RULES_K_HOST) && m->host_src == RULES_HS_RULE)
			continue;
		if (cond_match(&r->exceptions[i], m, 0))
			return false;
	}
	return true;
}

/* ---- candidates ---------------------------------------------------------------------------- */

struct idvec {
	uint32_t *v;
	size_t n, cap;
	int err;
	uint32_t stack[64];
};

static void idvec_init(struct idvec *iv)
{
	iv->v = iv->stack;
	iv->n = 0;
	iv->cap = sizeof(iv->stack) / sizeof(iv->stack[0]);
	iv->err = 0;
}

static int idvec_add(const struct rules_ids *ids, void *ctx)
{
	struct idvec *iv = ctx;

	if (!ids || !ids->n)
		return 0;
	if (iv->n + ids->n > iv->cap) {
		size_t cap = (iv->n + ids->n) * 2;
		uint32_t *v = iv->v == iv->stack ? malloc(cap * sizeof(*v)) :
						     realloc(iv->v, cap * sizeof(*v));

		if (!v) {
			iv->err = -ENOMEM;
			return 0;	/* keep what fits: a partial answer beats none */
		}
		if (iv->v == iv->stack)
			memcpy(v, iv->stack, iv->n * sizeof(*v));
		iv->v = v;
		iv->cap = cap;
	}
	memcpy(iv->v + iv->n, ids->v, ids->n * sizeof(uint32_t));
	iv->n += ids->n;
	return 0;
}

static void idvec_free(struct idvec *iv)
{
	if (iv->v != iv->stack)
		free(iv->v);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Looks up the prefixes of s (every "...'/'") and s itself in the path maps. */
static void path_candidates(const struct rules_bucket *b, const char *s, size_t len,
			    struct idvec *iv)
{
	uint64_t h = RULES_HASH_INIT;

	for (size_t i = 0; i < len; i++) {
		h = rules_hash_step(h, (unsigned char)s[i]);
		if (s[i] == '/')
			idvec_add(rules_map_get(&b->path_prefix, s, i + 1, h), iv);
	}
	idvec_add(rules_map_get(&b->path_exact, s, len, h), iv);
}

static void collect(const struct rules_bucket *b, struct mctx *m, struct idvec *iv)
{
	idvec_add(&b->scan, iv);
	if (b->has_host && m->host) {
		idvec_add(rules_map_get(&b->host_exact, m->host, m->host_len,
					rules_hash(m->host, m->host_len)), iv);
		/* every parent domain: "a.b.example.com" -> "b.example.com", "example.com", ... */
		for (size_t i = 0; i < m->host_len; i++) {
			if (m->host[i] == '.' && i + 1 < m->host_len) {
				const char *suf = m->host + i + 1;
				size_t sl = m->host_len - i - 1;

				idvec_add(rules_map_get(&b->host_suffix, suf, sl, rules_hash(suf, sl)),
					  iv);
			}
		}
	}
	if (b->has_addr && m->fam == 4)
		rules_lpm_walk(&b->lpm4, m->addr, 32, idvec_add, iv);
	else if (b->has_addr && m->fam == 6)
		rules_lpm_walk(&b->lpm6, m->addr, 128, idvec_add, iv);
	if (m->has_port) {
		uint16_t p = m->port;

		idvec_add(rules_map_get(&b->port, &p, sizeof(p), rules_hash(&p, sizeof(p))), iv);
	}
	if (b->has_path && m->path) {
		/* the empty prefix holds patterns that start with "**" */
		idvec_add(rules_map_get(&b->path_prefix, "", 0, RULES_HASH_INIT), iv);
		path_candidates(b, m->path, m->path_len, iv);
		if (b->has_home) {
			const char *hp = ctx_homepath(m);

			if (hp)
				path_candidates(b, hp, m->homepath_len, iv);
		}
	}
}

/* ---- messages ------------------------------------------------------------------------------ */

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void out_esc(struct out *o, const char *s, size_t n)
{
	size_t need;

	if (o->full)
		return;
	need = escape_bytes(o->buf + o->len, o->size - o->len, s, n);
	if (need >= o->size - o->len) {
		o->len += strlen(o->buf + o->len);
		o->full = true;
	} else {
		o->len += need;
	}
}

static void out_str(struct out *o, const char *s)
{
	out_esc(o, s, strlen(s));
}

static void fmt_addr(const struct lw_event *ev, char *buf, size_t size)
{
	const struct lw_sockaddr *sa = ev->addr;

	if (!sa || !sa->family) {
		snprintf(buf, size, "?");
	} else if (sa->family == AF_INET) {
		inet_ntop(AF_INET, sa->addr, buf, (socklen_t)size);
	} else if (sa->family == AF_INET6) {
		inet_ntop(AF_INET6, sa->addr, buf, (socklen_t)size);
	} else if (sa->family == AF_UNIX) {
		snprintf(buf, size, "unix");
	} else {
		snprintf(buf, size, "family %u", sa->family);
	}
}

static void out_unix(struct out *o, const struct lw_event *ev)
{
	const char *p = ev->unix_path;
	size_t n = ev->unix_path_len;

	out_str(o, "unix:");
	if (!p || !n) {
		out_str(o, "(unnamed)");
		return;
	}
	if (p[0] == '\0') {
		/* abstract names start with NUL; "@" is how ss(8) shows them */
		out_str(o, "@");
		p++;
		n--;
	}
	out_esc(o, p, n);
}

static void out_field(struct out *o, const struct rules_rule *r, const struct mctx *m,
		      enum rules_field f)
{
	const struct lw_event *ev = m->ev;
	char b[128];

	switch (f) {
	case RULES_FLD_TEXT:
		break;
	case RULES_FLD_TOOL:
		out_str(o, ev->tool && ev->tool[0] ? ev->tool : ev->comm);
		break;
	case RULES_FLD_PID:
		snprintf(b, sizeof(b), "%" PRIu32, ev->pid);
		out_str(o, b);
		break;
	case RULES_FLD_PPID:
		snprintf(b, sizeof(b), "%" PRIu32, ev->ppid);
		out_str(o, b);
		break;
	case RULES_FLD_UID:
		snprintf(b, sizeof(b), "%" PRIu32, ev->uid);
		out_str(o, b);
		break;
	case RULES_FLD_COMM:
		out_str(o, ev->comm);
		break;
	case RULES_FLD_EXE:
		out_str(o, ev->exe && ev->exe[0] ? ev->exe : "?");
		break;
	case RULES_FLD_HOST:
		if (ev->host && ev->host[0]) {
			out_str(o, ev->host);
		} else if (ev->addr && ev->addr->family == AF_UNIX) {
			out_unix(o, ev);
		} else {
			fmt_addr(ev, b, sizeof(b));
			out_str(o, b);
		}
		break;
	case RULES_FLD_DADDR:
		if (ev->addr && ev->addr->family == AF_UNIX) {
			out_unix(o, ev);
		} else {
			fmt_addr(ev, b, sizeof(b));
			out_str(o, b);
		}
		break;
	case RULES_FLD_DPORT:
		snprintf(b, sizeof(b), "%u", ev->addr ? ev->addr->port : 0);
		out_str(o, b);
		break;
	case RULES_FLD_DEST: {
		char a[64];

		if (ev->addr && ev->addr->family == AF_UNIX) {
			out_unix(o, ev);
			break;
		}
		fmt_addr(ev, a, sizeof(a));
		if (ev->host && ev->host[0]) {
			out_str(o, ev->host);
			snprintf(b, sizeof(b), ":%u (%s)", ev->addr ? ev->addr->port : 0, a);
		} else if (ev->addr && ev->addr->family == AF_INET6) {
			snprintf(b, sizeof(b), "[%s]:%u", a, ev->addr->port);
		} else {
			snprintf(b, sizeof(b), "%s:%u", a, ev->addr ? ev->addr->port : 0);
		}
		out_str(o, b);
		break;
	}
	case RULES_FLD_PATH:
		if (ev->type == LW_REC_EXEC)
			out_str(o, ev->filename ? ev->filename : "?");
		else if (ev->path)
			out_esc(o, ev->path, strnlen(ev->path, ev->path_len));
		else
			out_str(o, "?");
		break;
	case RULES_FLD_FILENAME:
		out_str(o, ev->filename ? ev->filename : "?");
		break;
	case RULES_FLD_FLAGS: {
		uint32_t fb = open_flag_bits(ev->open_flags);

		snprintf(b, sizeof(b), "%s%s%s",
			 (fb & RULES_F_READ) && (fb & RULES_F_WRITE) ? "read-write" :
			 (fb & RULES_F_WRITE) ? "write" : "read",
			 fb & RULES_F_CREATE ? ",create" : "", fb & RULES_F_TRUNCATE ? ",truncate" : "");
		out_str(o, b);
		break;
	}
	case RULES_FLD_BYTES:
		if (ev->bytes < 1024)
			snprintf(b, sizeof(b), "%" PRIu64 " B", ev->bytes);
		else if (ev->bytes < (1ull << 20))
			snprintf(b, sizeof(b), "%.1f KiB", ev->bytes / 1024.0);
		else if (ev->bytes < (1ull << 30))
			snprintf(b, sizeof(b), "%.1f MiB", ev->bytes / 1048576.0);
		else
			snprintf(b, sizeof(b), "%.1f GiB", ev->bytes / 1073741824.0);
		out_str(o, b);
		break;
	case RULES_FLD_RESULT:
		if (result_ok(ev)) {
			out_str(o, "ok");
		} else {
			const char *name = strerrorname_np((int)-ev->ret);

			if (name)
				snprintf(b, sizeof(b), "failed (%s)", name);
			else
				snprintf(b, sizeof(b), "failed (%" PRId64 ")", ev->ret);
			out_str(o, b);
		}
		break;
	case RULES_FLD_EVENT:
		out_str(o, ev->type == LW_REC_CONNECT ? "connect" : ev->type == LW_REC_SEND ? "send" :
			   ev->type == LW_REC_BIND ? "bind" : ev->type == LW_REC_LISTEN ? "listen" :
			   ev->type == LW_REC_OPEN ? "open" : ev->type == LW_REC_EXEC ? "exec" :
			   ev->type == LW_REC_CONN_BYTES ? "conn_bytes" : "other");
		break;
	case RULES_FLD_RULE:
		out_str(o, r->id);
		break;
	case RULES_FLD_SEVERITY:
		out_str(o, rules_severity_name(r->severity));
		break;
	}
}

static void fill_verdict(struct rules_verdict *v, const struct rules_rule *r,
			 const struct mctx *m)
{
	struct out o = { .buf = v->message, .size = sizeof(v->message) };

	v->rule = r->id;
	v->description = r->description;
	v->severity = r->severity;
	v->action = r->action;
	v->tags = (const char *const *)r->tags;
	v->n_tags = r->n_tags;
	v->message[0] = '\0';
	for (size_t i = 0; i < r->n_tpl; i++) {
		if (r->tpl[i].field == RULES_FLD_TEXT)
			out_esc(&o, r->tpl[i].text, r->tpl[i].len);
		else
			out_field(&o, r, m, r->tpl[i].field);
	}
}

/* ---- public ---------------------------------------------------------------------------------- */

int rules_match(const struct rules *r, const struct lw_event *ev, struct rules_verdict *out,
		size_t max)
{
	const struct rules_bucket *b;
	struct idvec cand, hits;
	struct mctx m;
	size_t n, w;
	int pass;

	if (!r || !ev || (max && !out))
		return -EINVAL;
	if (ev->type >= LW_REC_TYPE_MAX)
		return 0;
	b = &r->buckets[ev->type];
	ctx_init(&m, r, ev);
	idvec_init(&cand);
	collect(b, &m, &cand);
	if (!cand.n) {
		idvec_free(&cand);
		return 0;
	}
	/* several index entries can lead to the same rule; sorting also gives file order */
	qsort(cand.v, cand.n, sizeof(uint32_t), cmp_u32);
	for (n = 0, w = 0; n < cand.n; n++)
		if (!w || cand.v[w - 1] != cand.v[n])
			cand.v[w++] = cand.v[n];
	cand.n = w;

	idvec_init(&hits);
	/* pass 0: ordinary rules; pass 1: fallback rules, only when nothing else matched */
	for (pass = 0; pass < 2 && !hits.n; pass++) {
		for (n = 0; n < cand.n; n++) {
			const struct rules_rule *rule = &r->rules[cand.v[n]];
			struct rules_ids one = { .v = &cand.v[n], .n = 1, .cap = 1 };

			if (rule->fallback != (pass == 1) || !rule_match(rule, &m))
				continue;
			idvec_add(&one, &hits);
		}
	}
	for (n = 0; n < hits.n && n < max; n++)
		fill_verdict(&out[n], &r->rules[hits.v[n]], &m);
	n = hits.n;
	idvec_free(&cand);
	idvec_free(&hits);
	return (int)n;
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	rules_index_free(r);
	for (size_t i = 0; i < r->n; i++)
		rules_rule_clear(&r->rules[i]);
	free(r->rules);
	if (r->homes) {
		for (size_t i = 0; i < r->homes->cap; i++)
			free(r->homes->ents[i].home);
		free(r->homes->ents);
		for (size_t i = 0; i < r->homes->n_all; i++)
			free(r->homes->all[i]);
		free(r->homes->all);
		free(r->homes);
	}
	free(r);
}

const char *rules_severity_name(enum rules_severity s)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };

	return (unsigned int)s < 5 ? names[s] : "?";
}

const char *rules_action_name(enum rules_action a)
{
	static const char *const names[] = { "alert", "log", "block" };

	return (unsigned int)a < 3 ? names[a] : "?";
}

int rules_verdict_print(FILE *f, const struct rules_verdict *v)
{
	/* the id and message are already escaped or validated */
	if (fprintf(f, "[%s] %s: %s\n", rules_severity_name(v->severity), v->rule,
		    v->message) < 0)
		return -EIO;
	return 0;
}

int rules_verdict_to_json(struct cJSON *obj, const struct rules_verdict *v)
{
	cJSON *tags;

	if (!obj || !cJSON_IsObject(obj))
		return -EINVAL;
	if (!cJSON_AddStringToObject(obj, "rule", v->rule) ||
	    !cJSON_AddStringToObject(obj, "severity", rules_severity_name(v->severity)) ||
	    !cJSON_AddStringToObject(obj, "action", rules_action_name(v->action)))
		return -ENOMEM;
	tags = cJSON_AddArrayToObject(obj, "tags");
	if (!tags)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_tags; i++) {
		cJSON *t = cJSON_CreateString(v->tags[i]);

		if (!t || !cJSON_AddItemToArray(tags, t)) {
			cJSON_Delete(t);
			return -ENOMEM;
		}
	}
	if (!cJSON_AddStringToObject(obj, "message", v->message))
		return -ENOMEM;
	return 0;
}

size_t rules_count(const struct rules *r)
{
	return r ? r->n : 0;
}

size_t rules_condition_hosts(const struct rules *r, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; r && i < r->n; i++) {
		const struct rules_cond *c = &r->rules[i].cond;

		for (size_t j = 0; j < c->n_host_exact; j++) {
			bool seen = false;

			for (size_t k = 0; !seen && k < n && k < max; k++)
				seen = strcmp(out[k], c->host_exact[j]) == 0;
			if (seen)
				continue;
			if (n < max)
				out[n] = c->host_exact[j];
			n++;
		}
	}
	return n;
}

int rules_get_info(const struct rules *r, size_t i, struct rules_info *info)
{
	const struct rules_rule *rr;

	if (!r || i >= r->n)
		return -ERANGE;
	rr = &r->rules[i];
	info->id = rr->id;
	info->description = rr->description;
	info->severity = rr->severity;
	info->action = rr->action;
	info->fallback = rr->fallback;
	info->is_default = rr->is_default;
	info->events = rr->events;
	info->tags = (const char *const *)rr->tags;
	info->n_tags = rr->n_tags;
	info->source = rr->source;
	return 0;
}
