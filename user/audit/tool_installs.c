// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Installed tools and their versions from the dpkg database and Python's site-packages
 * (tool_installs.h): read, never run, so an untrusted binary is not executed to ask it.
 */
#include "audit/tool_installs.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_files.h"

/* The value of field name ("Version") on the line at s, or NULL; *n its length. */
static const char *field(const char *s, const char *e, const char *name, size_t *n)
{
	size_t nl = strlen(name);
	const char *v;

	if ((size_t)(e - s) <= nl || memcmp(s, name, nl) != 0 || s[nl] != ':')
		return NULL;
	v = s + nl + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*n = (size_t)(e - v);
	return v;
}

static bool span_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

static bool span_ends(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n >= t && memcmp(s + n - t, tail, t) == 0;
}

/* What the current stanza has said so far. */
struct dpkg_stanza {
	bool is_pkg, installed;
	const char *version;
	size_t vlen;
	unsigned int vline;
};

static bool stanza_hit(const struct dpkg_stanza *s)
{
	return s->is_pkg && s->installed && s->version;
}

int tool_dpkg_version(const struct audit_ctx *c, const char *pkg, char *ver, size_t vsize,
		      char *path, size_t psize, unsigned int *line)
{
	struct dpkg_stanza st = { 0 };
	const char *p, *end;
	unsigned int n = 0;
	size_t len;
	char *text;
	int err;

	err = audit_path(c, path, psize, "/var/lib/dpkg/status");
	if (err)
		return err;
	err = audit_read_file(c, path, TOOL_DPKG_STATUS_MAX, &text, &len);
	if (err)
		return err;
	err = -ENOENT;
	end = text + len;
	/*
	 * One stanza per package, ended by a blank line. Once a stanza has named pkg, said it
	 * is installed and given its version, the rest of it cannot change the answer.
	 */
	for (p = text; p < end && !stanza_hit(&st);) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *v;
		size_t vn;

		n++;
		if (e == p || (e == p + 1 && *p == '\r')) {
			st = (struct dpkg_stanza){ 0 };
		} else if ((v = field(p, e, "Package", &vn))) {
			st.is_pkg = span_is(v, vn, pkg);
		} else if ((v = field(p, e, "Status", &vn))) {
			st.installed = span_ends(v, vn, " installed");
		} else if ((v = field(p, e, "Version", &vn))) {
			st.version = v;
			st.vlen = vn;
			st.vline = n;
		}
		p = nl ? nl + 1 : end;
	}
	if (stanza_hit(&st)) {
		snprintf(ver, vsize, "%.*s", (int)st.vlen, st.version);
		*line = st.vline;
		err = 0;
	}
	free(text);
	return err;
}

/* --- site-packages ------------------------------------------------------------------- */

struct py_walk {
	const struct audit_ctx *c;
	const char *dist;
	const struct audit_home *home;
	tool_python_fn fn;
	void *arg;
};

/* The distributions named dist in one site-packages folder. */
static int scan_site(struct py_walk *w, const char *dir)
{
	size_t dl = strlen(w->dist);
	struct dirent *de;
	DIR *d = audit_opendir(w->c, dir);
	int ret = 0;

	if (!d)
		return 0;
	while (!ret && (de = readdir(d))) {
		const char *name = de->d_name;
		size_t nl = strlen(name);
		char ver[128], path[4096];

		/* "<dist>-<version>.dist-info"; the version holds no '-' (PEP 427 escapes it). */
		if (nl <= dl + 1 + 10 || strncasecmp(name, w->dist, dl) != 0 || name[dl] != '-' ||
		    strcmp(name + nl - 10, ".dist-info") != 0)
			continue;
		if (nl - dl - 11 >= sizeof(ver) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
			continue;
		snprintf(ver, sizeof(ver), "%.*s", (int)(nl - dl - 11), name + dl + 1);
		ret = w->fn(w->arg, &(struct tool_python_hit){
					    .dist_info = path, .version = ver, .home = w->home });
	}
	closedir(d);
	return ret;
}

/*
 * Walks pattern (components separated by '/', fnmatch(3) wildcards allowed in any) below
 * base, and scans each folder it names. Bounded: at most 64 entries per wildcard.
 */
static int walk(struct py_walk *w, const char *base, const char *pattern)
{
	const char *slash = strchr(pattern, '/');
	size_t cl = slash ? (size_t)(slash - pattern) : strlen(pattern);
	char comp[128], path[4096];
	unsigned int seen = 0;
	struct dirent *de;
	int ret = 0;
	DIR *d;

	if (!cl)
		return scan_site(w, base);
	if (cl >= sizeof(comp))
		return 0;
	memcpy(comp, pattern, cl);
	comp[cl] = '\0';
	if (!strpbrk(comp, "*?[")) {
		if (snprintf(path, sizeof(path), "%s/%s", base, comp) >= (int)sizeof(path))
			return 0;
		return slash ? walk(w, path, slash + 1) : scan_site(w, path);
	}
	d = audit_opendir(w->c, base);
	if (!d)
		return 0;
	while (!ret && seen < 64 && (de = readdir(d))) {
		if (de->d_name[0] == '.' || fnmatch(comp, de->d_name, FNM_PERIOD) != 0)
			continue;
		seen++;
		if (snprintf(path, sizeof(path), "%s/%s", base, de->d_name) >= (int)sizeof(path))
			continue;
		ret = slash ? walk(w, path, slash + 1) : scan_site(w, path);
	}
	closedir(d);
	return ret;
}

int tool_python_each(const struct audit_ctx *c, const char *dist, tool_python_fn fn, void *arg)
{
	static const char *const system[] = {
		"usr/lib/python3/dist-packages",
		"usr/lib/python3*/site-packages",
		"usr/local/lib/python3*/dist-packages",
		"usr/local/lib/python3*/site-packages",
	};
	static const char *const home[] = {
		".local/lib/python3*/site-packages",
		".local/share/pipx/venvs/*/lib/python3*/site-packages",
		".local/share/uv/tools/*/lib/python3*/site-packages",
		".venv/lib/python3*/site-packages",
		"venv/lib/python3*/site-packages",
	};
	struct py_walk w = { .c = c, .dist = dist, .fn = fn, .arg = arg };
	/* Paths join as "%s/%s": the root "/" is the empty prefix. */
	const char *base = c->root && strcmp(c->root, "/") != 0 ? c->root : "";
	int ret;

	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++) {
		ret = walk(&w, base, system[i]);
		if (ret)
			return ret;
	}
	for (size_t h = 0; h < c->n_homes; h++) {
		w.home = &c->homes[h];
		for (size_t i = 0; i < sizeof(home) / sizeof(home[0]); i++) {
			ret = walk(&w, c->homes[h].path, home[i]);
			if (ret)
				return ret;
		}
	}
	return 0;
}
