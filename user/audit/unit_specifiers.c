// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * systemd's unit specifiers, expanded for the audit's reading of units (unit_specifiers.h).
 * The table follows systemd.unit(5) of Debian 12's systemd 252; a user manager's
 * directories are the XDG defaults (a user who moved XDG_CONFIG_HOME is not followed).
 */
#include "audit/unit_specifiers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/hexdigit.h"

/* Letters systemd knows whose values are the host's, not the unit's: never expanded here. */
static const char HOST_FACTS[] = "aAbBdHlmMoqvwWyY";

/* The parts of a unit name: "prefix@instance.type", or "prefix.type". */
struct name_parts {
	const char *prefix, *instance;
	size_t prefix_len, instance_len, stem_len; /* stem: the name without ".type" */
	bool has_at;
};

static void name_split(const char *name, struct name_parts *np)
{
	const char *dot = strrchr(name, '.');
	const char *at = strchr(name, '@');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);

	memset(np, 0, sizeof(*np));
	np->prefix = name;
	np->stem_len = stem;
	if (at && (size_t)(at - name) < stem) {
		np->has_at = true;
		np->prefix_len = (size_t)(at - name);
		np->instance = at + 1;
		np->instance_len = stem - np->prefix_len - 1;
	} else {
		np->prefix_len = stem;
	}
}

/* out gets s[0..n), appended at *o; false when it does not fit */
static bool put(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
	if (n == 0)
		return true; /* s may be NULL: a plain unit's instance */
	if (n >= outsz - *o)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return true;
}

/* unit_name_unescape(): "-" is "/", "\xNN" a byte (but a NUL, no byte of a path, stays
 * as written). */
static bool put_unescaped(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '-') {
			ch = '/';
		} else if (ch == '\\' && i + 3 < n && s[i + 1] == 'x' && hex_digit(s[i + 2]) >= 0 &&
			   hex_digit(s[i + 3]) >= 0 &&
			   (hex_digit(s[i + 2]) | hex_digit(s[i + 3]))) {
			ch = (char)(hex_digit(s[i + 2]) * 16 + hex_digit(s[i + 3]));
			i += 3;
		}
		if (!put(out, outsz, o, &ch, 1))
			return false;
	}
	return true;
}

/* A user manager's directory under its home ("%h/.config"), or -ENOKEY without a home. */
static int put_home(const struct unit_specifiers *s, char *out, size_t outsz, size_t *o,
		    const char *below)
{
	if (!s->home)
		return -ENOKEY;
	if (!put(out, outsz, o, s->home, strlen(s->home)) ||
	    !put(out, outsz, o, below, strlen(below)))
		return -ENAMETOOLONG;
	return 0;
}

/* The manager's directories: the system manager's, and a user manager's under its home. */
static const struct {
	char letter;
	const char *system, *below_home;
} MANAGER_DIRS[] = {
	{ 'h', "/root", "" },
	{ 'E', "/etc", "/.config" },
	{ 'C', "/var/cache", "/.cache" },
	{ 'S', "/var/lib", "/.local/state" },
	{ 'L', "/var/log", "/.local/state/log" },
};

/* One specifier's value appended to out; 0 or -errno as unit_specifiers_expand(). */
static int expand_one(const struct unit_specifiers *s, const struct name_parts *np, char ch,
		      char *out, size_t outsz, size_t *o)
{
	const char *v = NULL; /* a plain string value, when it is one */
	char num[16];
	bool fits = true;

	for (size_t i = 0; i < sizeof(MANAGER_DIRS) / sizeof(MANAGER_DIRS[0]); i++) {
		if (MANAGER_DIRS[i].letter != ch)
			continue;
		if (!s->system)
			return put_home(s, out, outsz, o, MANAGER_DIRS[i].below_home);
		fits = put(out, outsz, o, MANAGER_DIRS[i].system, strlen(MANAGER_DIRS[i].system));
		return fits ? 0 : -ENAMETOOLONG;
	}
	switch (ch) {
	case 'n':
		v = s->name;
		break;
	case 'N':
		fits = put(out, outsz, o, s->name, np->stem_len);
		break;
	case 'p':
		fits = put(out, outsz, o, np->prefix, np->prefix_len);
		break;
	case 'P':
		fits = put_unescaped(out, outsz, o, np->prefix, np->prefix_len);
		break;
	case 'i':
	case 'I':
		if (np->has_at && np->instance_len == 0)
			return -ENOKEY; /* a bare template: every instance has its own */
		fits = ch == 'i' ? put(out, outsz, o, np->instance, np->instance_len) :
				   put_unescaped(out, outsz, o, np->instance, np->instance_len);
		break;
	case 'j':
	case 'J': {
		const char *dash = memrchr(np->prefix, '-', np->prefix_len);
		const char *j = dash ? dash + 1 : np->prefix;
		size_t jl = np->prefix_len - (size_t)(j - np->prefix);

		fits = ch == 'j' ? put(out, outsz, o, j, jl) : put_unescaped(out, outsz, o, j, jl);
		break;
	}
	case 'f': {
		/* "/" and the instance (or the prefix) unescaped as a path */
		const char *x = np->has_at ? np->instance : np->prefix;
		size_t xl = np->has_at ? np->instance_len : np->prefix_len;

		if (np->has_at && xl == 0)
			return -ENOKEY;
		fits = put(out, outsz, o, "/", 1);
		if (fits && !(xl == 1 && x[0] == '-')) /* "-" alone is the root */
			fits = put_unescaped(out, outsz, o, x, xl);
		break;
	}
	case 't':
		if (s->system) {
			v = "/run";
		} else if (s->home) {
			snprintf(num, sizeof(num), "%u", s->uid);
			fits = put(out, outsz, o, "/run/user/", 10) &&
			       put(out, outsz, o, num, strlen(num));
		} else {
			return -ENOKEY;
		}
		break;
	case 'u':
		v = s->system ? "root" : s->user;
		if (!v)
			return -ENOKEY;
		break;
	case 'U':
		if (!s->system && !s->home)
			return -ENOKEY;
		snprintf(num, sizeof(num), "%u", s->system ? 0 : s->uid);
		v = num;
		break;
	case 'g':
	case 'G':
	case 's':
		/* a user's group and shell are in passwd, which this reading does not take */
		if (!s->system)
			return -ENOKEY;
		v = ch == 'g' ? "root" : ch == 'G' ? "0" : "/bin/sh";
		break;
	case 'T':
		v = "/tmp";
		break;
	case 'V':
		v = "/var/tmp";
		break;
	default:
		return strchr(HOST_FACTS, ch) ? -ENOKEY : -EBADSLT;
	}
	if (v)
		fits = put(out, outsz, o, v, strlen(v));
	return fits ? 0 : -ENAMETOOLONG;
}

int unit_specifiers_expand(const struct unit_specifiers *s, const char *in, char *out, size_t outsz,
			   char *bad)
{
	struct name_parts np;
	size_t o = 0;

	if (bad)
		*bad = '\0';
	if (outsz == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	name_split(s->name, &np);
	for (const char *p = in; *p; p++) {
		int err;

		if (*p != '%' || !p[1]) {
			/* a "%" at the end stays, as systemd has it */
			if (!put(out, outsz, &o, p, 1))
				return -ENAMETOOLONG;
			continue;
		}
		p++;
		if (*p == '%') {
			if (!put(out, outsz, &o, "%", 1))
				return -ENAMETOOLONG;
			continue;
		}
		err = expand_one(s, &np, *p, out, outsz, &o);
		if (err) {
			if (bad)
				*bad = *p;
			return err;
		}
	}
	return 0;
}

void unit_specifiers_why(int err, char bad, char *buf, size_t size)
{
	const char *what = "has no value here";

	if (err == -ENAMETOOLONG) {
		snprintf(buf, size, "too long once its specifiers are expanded");
		return;
	}
	if (err == -EBADSLT) {
		snprintf(buf, size, "specifier %%%c is not one systemd knows", bad);
		return;
	}
	if (bad == 'i' || bad == 'I' || bad == 'f')
		what = "depends on the instance of a template";
	else if (strchr("hEClStuUgGs", bad))
		what = "depends on the user, who is not known here";
	else if (bad)
		what = "is the host's, not expanded by the audit";
	snprintf(buf, size, "specifier %%%c %s", bad, what);
}
