// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Home directories, for "~/" in path patterns: each user's home (cached per uid, looked up
 * with getpwuid_r or the builder's function) and every home in passwd, so that a path can be
 * read relative to whichever home holds it.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"

struct rules_home_ent {
	uint32_t uid;
	bool used;
	bool found;
	char *home;
};

struct rules_home_cache {
	struct rules_home_ent *ents; /* open addressing on uid */
	size_t cap, used;
	rules_home_fn fn;
	void *ctx;
	/*
	 * Every user's home (passwd), longest first: "~" in a rule means any user's home,
	 * not only the home of the process's own user (a tool running as its service user
	 * reading /home/alice/.ssh is the case that matters most). Loaded on first use.
	 */
	char **all;
	size_t n_all;
	bool all_loaded;
};

struct rules_home_cache *rules_home_new(rules_home_fn fn, void *ctx)
{
	struct rules_home_cache *hc = calloc(1, sizeof(*hc));

	if (!hc)
		return NULL;
	hc->fn = fn;
	hc->ctx = ctx;
	return hc;
}

void rules_home_free(struct rules_home_cache *hc)
{
	if (!hc)
		return;
	for (size_t i = 0; i < hc->cap; i++)
		free(hc->ents[i].home);
	free(hc->ents);
	for (size_t i = 0; i < hc->n_all; i++)
		free(hc->all[i]);
	free(hc->all);
	free(hc);
}

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
	buf[0] = '\0'; /* a lookup that succeeds without writing finds no home */
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
		if (!h[1]) { /* normalized to "/" */
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

const char *rules_home_path(struct rules_view *m)
{
	struct rules_home_cache *hc = m->homes;
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
