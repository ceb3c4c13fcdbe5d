// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Path globs (docs/rules.md, "Paths"): checking a pattern when rules load, matching one
 * against a normalized path. `*` and `?` stay inside a component, `**` spans components.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <string.h>

int rules_glob_check(const char *pat, size_t *literal_len, bool *has_wild, const char **why)
{
	size_t len = strlen(pat), first_wild = len, seg_start, nseg = 0;

	*has_wild = false;
	*literal_len = len;
	if (!len) {
		*why = "empty pattern";
		return -EINVAL;
	}
	if (len > 1024) {
		*why = "longer than 1024 characters";
		return -EINVAL;
	}
	if (pat[0] == '~' && pat[1] != '/') {
		*why = "\"~\" must be followed by '/' (\"~user\" is not supported: ~ is the event's user)";
		return -EINVAL;
	}
	if (pat[0] != '/' && pat[0] != '~' && strncmp(pat, "**", 2) != 0) {
		*why = "must start with '/', \"~/\" or \"**\"";
		return -EINVAL;
	}
	if (strcmp(pat, "/") == 0)
		return 0;
	if (pat[len - 1] == '/') {
		*why = "must not end with '/'";
		return -EINVAL;
	}
	seg_start = pat[0] == '/' ? 1 : 0;
	for (size_t i = seg_start; i <= len; i++) {
		size_t slen;
		const char *s;

		if (i < len && pat[i] != '/')
			continue;
		s = pat + seg_start;
		slen = i - seg_start;
		if (++nseg > 128) {
			*why = "more than 128 path components";
			return -EINVAL;
		}
		if (slen == 0) {
			*why = "empty component (\"//\")";
			return -EINVAL;
		}
		if ((slen == 1 && s[0] == '.') || (slen == 2 && s[0] == '.' && s[1] == '.')) {
			*why = "\".\" and \"..\" components never match (paths are normalized)";
			return -EINVAL;
		}
		for (size_t k = 0; k < slen; k++) {
			if (s[k] == '*' && k + 1 < slen && s[k + 1] == '*' && !(slen == 2)) {
				*why = "\"**\" must be a whole path component";
				return -EINVAL;
			}
			if ((s[k] == '*' || s[k] == '?') && first_wild == len)
				first_wild = (size_t)(s + k - pat);
		}
		seg_start = i + 1;
	}
	if (first_wild < len) {
		size_t l = first_wild;

		*has_wild = true;
		while (l > 0 && pat[l - 1] != '/')
			l--;
		*literal_len = l;
	}
	return 0;
}

struct seg {
	const char *p;
	size_t n;
};

/* Splits s on '/'. Returns the count, or -1 when there are more than max. */
static long split(const char *s, struct seg *out, size_t max)
{
	size_t n = 0;
	const char *start = s;

	for (const char *c = s;; c++) {
		if (*c == '/' || !*c) {
			if (n == max)
				return -1;
			out[n].p = start;
			out[n].n = (size_t)(c - start);
			n++;
			if (!*c)
				break;
			start = c + 1;
		}
	}
	return (long)n;
}

/* One component: '*' is any run of bytes, '?' one byte (neither crosses '/'). */
static bool seg_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < sn) {
		if (pi < pn && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si]))) {
			pi++;
			si++;
		} else if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

static bool is_dstar(const struct seg *s)
{
	return s->n == 2 && s->p[0] == '*' && s->p[1] == '*';
}

static bool run_match(const struct seg *ps, size_t n, const struct seg *ss)
{
	for (size_t i = 0; i < n; i++)
		if (!seg_match(ps[i].p, ps[i].n, ss[i].p, ss[i].n))
			return false;
	return true;
}

bool rules_glob_match(const char *pat, const char *path)
{
	/* a path of LW_PATH_MAX bytes has at most LW_PATH_MAX / 2 + 1 components */
	struct seg ps[130], ss[LW_PATH_MAX / 2 + 2];
	long np = split(pat, ps, 130), ns = split(path, ss, LW_PATH_MAX / 2 + 2);
	size_t i, j, k;

	if (np < 0 || ns < 0)
		return false;
	for (k = 0; k < (size_t)np && !is_dstar(&ps[k]); k++)
		;
	if (k == (size_t)np)
		return np == ns && run_match(ps, (size_t)np, ss);
	/* the run before the first "**" is anchored at the start */
	if (k > (size_t)ns || !run_match(ps, k, ss))
		return false;
	j = k;
	i = k;
	for (;;) {
		size_t start = ++i, len;

		while (i < (size_t)np && !is_dstar(&ps[i]))
			i++;
		len = i - start;
		if (i == (size_t)np) {
			/* the run after the last "**" is anchored at the end; a trailing "**"
			 * needs at least one component, so "/a/ **" does not match "/a" */
			if (len == 0)
				return (size_t)ns - j >= 1;
			if ((size_t)ns - j < len)
				return false;
			return run_match(ps + start, len, ss + ns - len);
		}
		/* a run between two "**": its leftmost place leaves the most room after it */
		for (;; j++) {
			if (j + len > (size_t)ns)
				return false;
			if (run_match(ps + start, len, ss + j))
				break;
		}
		j += len;
	}
}

/* ---- text globs: command lines and process names ------------------------------------------ */

int rules_glob_text_check(const char *pat, const char **why)
{
	size_t len = strlen(pat);

	if (!len) {
		*why = "empty pattern";
		return -EINVAL;
	}
	if (len > RULES_TEXT_GLOB_MAX) {
		*why = "longer than 512 characters";
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (pat[i] == '\\') {
			if (++i == len) {
				*why = "ends in a lone '\\' (write \"\\\\\" for a backslash)";
				return -EINVAL;
			}
		} else if (pat[i] == '*' && i + 2 < len && pat[i + 1] == '*' && pat[i + 2] == '*') {
			*why = "\"***\": use \"*\" (within one argument) or \"**\" (across arguments)";
			return -EINVAL;
		}
	}
	return 0;
}

static unsigned char fold(unsigned char c, bool icase)
{
	return icase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool rules_glob_text_match(const char *pat, const char *s, size_t n, bool icase)
{
	/* reach[i]: the pattern read so far matches s[0..i) */
	unsigned char reach[RULES_TEXT_MAX + 1];
	const char *p = pat;

	if (n > RULES_TEXT_MAX)
		return false;
	memset(reach, 0, n + 1);
	reach[0] = 1;
	while (*p) {
		bool any = false;

		if (p[0] == '*' && p[1] == '*') {
			/* any bytes, spaces included */
			for (size_t i = 1; i <= n; i++)
				reach[i] |= reach[i - 1];
			p += 2;
		} else if (p[0] == '*') {
			/* any bytes within one argument */
			for (size_t i = 1; i <= n; i++)
				reach[i] |= reach[i - 1] && s[i - 1] != ' ';
			p++;
		} else {
			bool one = p[0] == '?';
			unsigned char c;

			if (p[0] == '\\')
				p++;
			c = (unsigned char)*p++;
			for (size_t i = n; i > 0; i--) {
				unsigned char b = fold((unsigned char)s[i - 1], icase);

				reach[i] = reach[i - 1] && (one ? b != ' ' : b == c);
			}
			reach[0] = 0;
		}
		for (size_t i = 0; i <= n && !any; i++)
			any = reach[i];
		if (!any)
			return false;
	}
	return reach[n];
}
