// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where a tool's settings are found outside its own files (audit_settings.h): its running
 * processes (environment, arguments) and the systemd units that start it, read as systemd
 * reads them (unit precedence, drop-ins, Environment= quoting, EnvironmentFile=).
 */
#include "audit/audit_settings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/unit_specifiers.h"
#include "audit/which_tool.h"
#include "core/procscan.h"
#include "util/hexdigit.h"

/* Bounds on what is read: an environment or command line, a unit file, an env file. */
#define SETTINGS_PROC_MAX (1024 * 1024)
#define SETTINGS_UNIT_MAX (1024 * 1024)
#define SETTINGS_CMDLINE 4096
/* At most this many units per scope, drop-ins per unit: an image could hold any number. */
#define SETTINGS_UNITS_MAX 4096
#define SETTINGS_DROPINS_MAX 256

/* ---------------------------------------------------------------------------------------- */
/* Processes                                                                                */

/*
 * Reads PROC_ROOT/PID/what (environ, cmdline) into a new buffer, at most SETTINGS_PROC_MAX
 * bytes (a longer one is cut). procfs files have no size, so audit_read_file() cannot read
 * them; and /proc is the running system's, never under the audited root. Returns 0 or -errno.
 */
static int proc_read(const char *proc_root, uint32_t pid, const char *what, char **out, size_t *len)
{
	char path[PATH_MAX];
	size_t got = 0, cap = 4096;
	char *buf;
	int fd;

	*out = NULL;
	*len = 0;
	snprintf(path, sizeof(path), "%s/%u/%s", proc_root, pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (got == cap) {
			char *nb;

			if (cap >= SETTINGS_PROC_MAX)
				break;
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct procscan_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The named profile one of whose candidate names is comm, or 0. */
static unsigned int tool_by_comm(const struct profile_set *set, const char *comm)
{
	for (size_t i = 0; i < set->n; i++) {
		for (const char *const *k = set->p[i].comms; k && *k; k++)
			if (strncmp(*k, comm, LW_COMM_LEN - 1) == 0)
				return (unsigned int)(i + 1);
	}
	return 0;
}

int audit_procs_each(const struct audit_ctx *c, audit_proc_fn fn, void *arg, size_t *unreadable)
{
	static const char deleted[] = " (deleted)";
	struct procscan_entry *ps;
	size_t n, dummy;
	int err, ret = 0;
	char *cmdline;

	if (!unreadable)
		unreadable = &dummy;
	*unreadable = 0;
	if (!c->live || !c->proc_root || !c->profiles)
		return -ENOTSUP;
	err = procscan_list(c->proc_root, &ps, &n);
	if (err)
		return err;
	cmdline = malloc(SETTINGS_CMDLINE);
	if (!cmdline) {
		free(ps);
		return -ENOMEM;
	}
	qsort(ps, n, sizeof(*ps), by_pid);
	for (size_t i = 0; i < n && !ret; i++) {
		struct procscan_entry *e = &ps[i];
		size_t el = strlen(e->exe), dl = sizeof(deleted) - 1;
		unsigned int id = 0;
		int cut, len;

		/* an upgraded binary still running: its old path is the one that names it */
		if (el > dl && strcmp(e->exe + el - dl, deleted) == 0)
			e->exe[el - dl] = '\0';
		len = procscan_read_cmdline(c->proc_root, e->pid, cmdline, SETTINGS_CMDLINE, &cut);
		if (len < 0)
			continue; /* gone */
		if (!e->exe[0] && len == 0)
			continue; /* a kernel thread or a zombie */
		if (e->exe[0])
			id = profiles_match_exe(c->profiles, e->exe);
		if (!id && len > 0 && profiles_is_interpreter(c->profiles, e->comm))
			id = profiles_match_cmdline(c->profiles, e->comm, cmdline);
		if (!e->exe[0]) {
			/* another user's process, without root: its name is all there is */
			(*unreadable)++;
			if (!id)
				id = tool_by_comm(c->profiles, e->comm);
		}
		if (!id)
			continue;
		ret = fn(arg, &(struct audit_proc){
				      .pid = e->pid,
				      .uid = e->uid,
				      .comm = e->comm,
				      .exe = e->exe,
				      .tool = profiles_name(c->profiles, id),
				      .cmdline = cmdline,
			      });
	}
	free(cmdline);
	free(ps);
	return ret;
}

/* ---------------------------------------------------------------------------------------- */
/* Words: systemd's quoting                                                                 */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * One C escape after a backslash at *p (p < end): writes the byte to *o and advances *p past
 * it. systemd's cunescape: \n \t \r \a \b \f \v \\ \" \' \s and \xHH; any other byte stands
 * for itself (a lenient reading: systemd refuses some of them, and the value is then only
 * shown, never run).
 */
static void unescape_one(const char **p, const char *end, char **o)
{
	char ch = **p;

	(*p)++;
	switch (ch) {
	case 'n':
		*(*o)++ = '\n';
		return;
	case 't':
		*(*o)++ = '\t';
		return;
	case 'r':
		*(*o)++ = '\r';
		return;
	case 'a':
		*(*o)++ = '\a';
		return;
	case 'b':
		*(*o)++ = '\b';
		return;
	case 'f':
		*(*o)++ = '\f';
		return;
	case 'v':
		*(*o)++ = '\v';
		return;
	case 's':
		*(*o)++ = ' ';
		return;
	case 'x':
		if (end - *p >= 2 && hex_digit((*p)[0]) >= 0 && hex_digit((*p)[1]) >= 0) {
			*(*o)++ = (char)(hex_digit((*p)[0]) << 4 | hex_digit((*p)[1]));
			*p += 2;
			return;
		}
		*(*o)++ = 'x';
		return;
	default:
		*(*o)++ = ch;
	}
}

/*
 * The next word of [*p, end) as systemd's extract_first_word() splits Environment= and
 * ExecStart= (EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE): words are separated by blanks; double
 * or single quotes anywhere in a word group blanks into it ("A=b c" and A="b c" are both
 * one word, A=b c); backslash escapes outside single quotes. The word is written to out
 * (room for end - *p + 1 bytes: unquoting only shrinks). Returns 1 and its length in *olen,
 * 0 at the end, or -EINVAL for an unterminated quote (systemd ignores the whole setting).
 */
static int next_word(const char **p, const char *end, char *out, size_t *olen)
{
	const char *s = *p;
	char *o = out, quote = 0;

	while (s < end && is_space(*s))
		s++;
	if (s == end) {
		*p = s;
		return 0;
	}
	while (s < end) {
		char ch = *s;

		if (quote) {
			if (ch == quote) {
				quote = 0;
				s++;
			} else if (ch == '\\' && quote == '"' && s + 1 < end) {
				s++;
				unescape_one(&s, end, &o);
			} else {
				*o++ = ch;
				s++;
			}
			continue;
		}
		if (is_space(ch))
			break;
		if (ch == '"' || ch == '\'') {
			quote = ch;
			s++;
		} else if (ch == '\\' && s + 1 < end) {
			s++;
			unescape_one(&s, end, &o);
		} else {
			*o++ = ch;
			s++;
		}
	}
	*p = s;
	*o = '\0';
	*olen = (size_t)(o - out);
	return quote ? -EINVAL : 1;
}

/* The words of a setting: v[0..n), NULL after the last; the strings live in store. */
struct words {
	char **v;
	size_t n;
	char *store;
};

static void words_free(struct words *w)
{
	free(w->v);
	free(w->store);
	memset(w, 0, sizeof(*w));
}

/*
 * Splits [s, s + len) into w. Returns 0, or -ENOMEM. An unterminated quote gives no words:
 * systemd ignores the whole setting.
 */
static int words_split(const char *s, size_t len, struct words *w)
{
	size_t cap = 16, wl;
	const char *p = s, *end = s + len;
	char *o;
	int r;

	memset(w, 0, sizeof(*w));
	/* unquoting only shrinks: len bytes and one NUL per word fit in 2 * len + 1 */
	w->store = malloc(len * 2 + 1);
	w->v = malloc((cap + 1) * sizeof(*w->v));
	if (!w->store || !w->v) {
		words_free(w);
		return -ENOMEM;
	}
	o = w->store;
	while ((r = next_word(&p, end, o, &wl)) == 1) {
		if (w->n == cap) {
			char **nv = realloc(w->v, (cap * 2 + 1) * sizeof(*nv));

			if (!nv) {
				words_free(w);
				return -ENOMEM;
			}
			w->v = nv;
			cap *= 2;
		}
		w->v[w->n++] = o;
		o += wl + 1;
	}
	if (r < 0)
		w->n = 0;
	w->v[w->n] = NULL;
	return 0;
}

/* Whether word is "NAME=..." for one of names[0..n); its index, or -1. */
static int assignment_of(const char *word, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);

		if (strncmp(word, names[i], l) == 0 && word[l] == '=')
			return (int)i;
	}
	return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Options in an argument vector                                                            */

typedef int (*option_fn)(void *arg, const char *opt, const char *value);

/*
 * Each of opts in argv[1..argc): "--opt VALUE", "--opt=VALUE", "-o VALUE" for a single-dash
 * option; an option followed by nothing, or by another option, has the value "". Arguments
 * after "--" are not options.
 */
static int options_each(char *const *argv, size_t argc, const char *const *opts, size_t n,
			option_fn fn, void *arg)
{
	for (size_t i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--") == 0)
			break;
		for (size_t k = 0; k < n; k++) {
			size_t ol = strlen(opts[k]);
			const char *value = NULL;
			int r;

			if (strcmp(w, opts[k]) == 0) {
				value = i + 1 < argc && argv[i + 1][0] != '-' ? argv[i + 1] : "";
			} else if (opts[k][0] == '-' && opts[k][1] == '-' &&
				   strncmp(w, opts[k], ol) == 0 && w[ol] == '=') {
				value = w + ol + 1;
			}
			if (!value)
				continue;
			r = fn(arg, opts[k], value);
			if (r)
				return r;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Process environments and arguments                                                       */

struct proc_walk {
	const struct audit_ctx *c;
	const char *tool; /* only this tool's processes, or NULL */
	const char *const *names;
	size_t n;
	audit_setting_fn fn;
	void *arg;
	const struct audit_proc *p; /* the process being looked at (options_each's callback) */
	char where[64];
};

static int proc_env(void *arg, const struct audit_proc *p)
{
	struct proc_walk *w = arg;
	size_t len;
	char *env;
	int r = 0;

	if (proc_read(w->c->proc_root, p->pid, "environ", &env, &len))
		return 0; /* gone, or another user's (not root): nothing to say of it */
	snprintf(w->where, sizeof(w->where), "pid %u (%s) environment", p->pid, p->comm);
	for (size_t off = 0; off < len && !r;) {
		const char *var = env + off;
		size_t vl = strnlen(var, len - off);
		int k = assignment_of(var, w->names, w->n);

		off += vl + 1;
		if (k < 0)
			continue;
		r = w->fn(w->arg, &(struct audit_setting){
					  .name = w->names[k],
					  .value = var + strlen(w->names[k]) + 1,
					  .from = AUDIT_FROM_PROCESS_ENV,
					  .where = w->where,
					  .tool = p->tool,
					  .pid = p->pid,
				  });
	}
	free(env);
	return r;
}

static int proc_option(void *arg, const char *opt, const char *value)
{
	struct proc_walk *w = arg;

	return w->fn(w->arg, &(struct audit_setting){
				     .name = opt,
				     .value = value,
				     .from = AUDIT_FROM_PROCESS_ARGV,
				     .where = w->where,
				     .tool = w->p->tool,
				     .pid = w->p->pid,
			     });
}

static int proc_argv(void *arg, const struct audit_proc *p)
{
	struct proc_walk *w = arg;
	size_t len, argc = 0;
	char *buf, **argv;
	int r;

	if (w->tool && strcmp(w->tool, p->tool) != 0)
		return 0;
	if (proc_read(w->c->proc_root, p->pid, "cmdline", &buf, &len))
		return 0;
	/* the arguments as the process has them: NUL-separated, unquoted */
	for (size_t i = 0; i < len; i++)
		argc += buf[i] == '\0';
	if (len && buf[len - 1] != '\0')
		argc++;
	argv = calloc(argc + 1, sizeof(*argv));
	if (!argv) {
		free(buf);
		return -ENOMEM;
	}
	argc = 0;
	for (size_t off = 0; off < len; off += strlen(buf + off) + 1)
		argv[argc++] = buf + off;
	snprintf(w->where, sizeof(w->where), "pid %u (%s) argv", p->pid, p->comm);
	w->p = p;
	r = options_each(argv, argc, w->names, w->n, proc_option, w);
	w->p = NULL;
	free(argv);
	free(buf);
	return r;
}

/* ---------------------------------------------------------------------------------------- */
/* systemd units                                                                            */

enum unit_key {
	UNIT_ENV,
	UNIT_ENVFILE,
	UNIT_EXEC,
	UNIT_USER,
	UNIT_DYNAMIC_USER,
};

/* The [Service] settings kept, by enum unit_key. */
static const char *const unit_keys[] = { "Environment", "EnvironmentFile", "ExecStart", "User",
					 "DynamicUser" };

/* One line of [Service] with a key of unit_keys[], in the order read. */
struct unit_entry {
	enum unit_key key;
	char *value; /* the raw value after "=", continuation lines joined */
	const char *file;
	unsigned int line;
};

/* A file of a unit that exists and could not be read, so that what it sets is not seen. */
struct unit_unread {
	char *path; /* owned */
	int err;    /* -EACCES, -EFBIG, or -E2BIG: more drop-ins than are read */
};

struct unit {
	char name[NAME_MAX + 1];
	const char *tool;
	struct unit_specifiers spec; /* its manager, for "%h" and the like */
	struct unit_entry *e;
	size_t n, cap;
	char *files[SETTINGS_DROPINS_MAX + 1]; /* the paths read, owned */
	size_t n_files;
	struct unit_unread *unread; /* its unit file or drop-ins (or their directory) unread */
	size_t n_unread;
	bool fragment; /* files[0] is its unit file (else it has drop-ins only) */
};

static void unit_clear(struct unit *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->e[i].value);
	for (size_t i = 0; i < u->n_files; i++)
		free(u->files[i]);
	for (size_t i = 0; i < u->n_unread; i++)
		free(u->unread[i].path);
	free(u->unread);
	free(u->e);
	memset(u, 0, sizeof(*u));
}

/* Why x could not be read, in words, into buf. */
static void unit_unread_why(const struct unit_unread *x, char *buf, size_t size)
{
	if (x->err == -EFBIG)
		snprintf(buf, size, "larger than the audit reads (%d MiB)",
			 SETTINGS_UNIT_MAX >> 20);
	else if (x->err == -E2BIG)
		snprintf(buf, size, "more than %d drop-ins: which ones are read is arbitrary",
			 SETTINGS_DROPINS_MAX);
	else
		snprintf(buf, size, "%s", strerror(-x->err));
}

/* Remembers that path, a file or drop-in directory of u, could not be read (err). */
static int unit_unread_add(struct unit *u, const char *path, int err)
{
	struct unit_unread *v = realloc(u->unread, (u->n_unread + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	u->unread = v;
	v[u->n_unread].path = strdup(path);
	if (!v[u->n_unread].path)
		return -ENOMEM;
	v[u->n_unread++].err = err;
	return 0;
}

static int unit_push(struct unit *u, enum unit_key key, const char *v, size_t vl, const char *file,
		     unsigned int line)
{
	char *value;

	if (u->n == u->cap) {
		size_t ncap = u->cap ? u->cap * 2 : 8;
		struct unit_entry *ne = realloc(u->e, ncap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		u->e = ne;
		u->cap = ncap;
	}
	value = strndup(v, vl);
	if (!value)
		return -ENOMEM;
	u->e[u->n++] = (struct unit_entry){ key, value, file, line };
	return 0;
}

static bool span_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

/*
 * Reads the [Service] settings of one unit file or drop-in into u. A line ending in a
 * backslash continues on the next (systemd's config parser); # and ; start comments.
 * Returns 0, -ENOENT (no such file), 1 when the file masks the unit (empty, or not a
 * regular file: a link to /dev/null), or -errno.
 */
static int unit_parse(const struct audit_ctx *c, struct unit *u, const char *path)
{
	char *text, *file, *joined;
	size_t len, jcap = 256;
	bool service = false;
	unsigned int lineno = 0;
	int err;

	if (u->n_files >= SETTINGS_DROPINS_MAX + 1)
		return 0;
	err = audit_read_file(c, path, SETTINGS_UNIT_MAX, &text, &len);
	if (err == -EINVAL || (!err && len == 0)) {
		free(text);
		return 1;
	}
	if (err)
		return err;
	file = strdup(path);
	if (!file) {
		free(text);
		return -ENOMEM;
	}
	u->files[u->n_files++] = file;
	joined = malloc(jcap);
	if (!joined) {
		free(text);
		return -ENOMEM;
	}
	for (const char *p = text, *end = text + len; p < end && !err;) {
		const char *s, *e, *eq, *ks, *ke;
		unsigned int first = ++lineno;
		size_t jl = 0;

		/* one logical line: physical lines joined while they end in a backslash */
		for (;;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			bool more;

			s = p;
			p = nl ? nl + 1 : end;
			while (le > s && (le[-1] == '\r' || is_space(le[-1])))
				le--;
			if (jl > 0) {
				const char *t = s;

				while (t < le && is_space(*t))
					t++;
				/* a comment line inside a continued one is skipped, as systemd does */
				if (t < le && (*t == '#' || *t == ';') && p < end) {
					lineno++;
					continue;
				}
			}
			more = le > s && le[-1] == '\\' && p < end;
			if (jl + (size_t)(le - s) + 2 > jcap) {
				size_t ncap = (jl + (size_t)(le - s) + 2) * 2;
				char *nj = realloc(joined, ncap);

				if (!nj) {
					err = -ENOMEM;
					break;
				}
				joined = nj;
				jcap = ncap;
			}
			memcpy(joined + jl, s, (size_t)(le - s - (more ? 1 : 0)));
			jl += (size_t)(le - s - (more ? 1 : 0));
			if (more)
				joined[jl++] = ' ';
			if (!more)
				break;
			lineno++;
		}
		if (err)
			break;
		s = joined;
		e = joined + jl;
		while (s < e && is_space(*s))
			s++;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			service = span_is(s, e, "[Service]");
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (!service || !eq)
			continue;
		ks = s;
		ke = eq;
		while (ke > ks && is_space(ke[-1]))
			ke--;
		s = eq + 1;
		while (s < e && is_space(*s))
			s++;
		for (size_t k = 0; k < sizeof(unit_keys) / sizeof(unit_keys[0]) && !err; k++)
			if (span_is(ks, ke, unit_keys[k])) {
				err = unit_push(u, (enum unit_key)k, s, (size_t)(e - s), file,
						first);
				break;
			}
	}
	free(joined);
	free(text);
	return err;
}

/* A scope: the unit directories systemd reads, highest precedence first. */
struct unit_scope {
	char dirs[5][PATH_MAX];
	size_t n;
	/* only units with a file or drop-in in dirs[0..own) (a home's own directory) */
	size_t own;
	bool system; /* the system manager's units (else a user manager's) */
	/* a user manager's: its home as the audited system sees it ("" when not known: the
	 * units of /etc/systemd/user, read once for every user), user and uid */
	char home[PATH_MAX];
	const char *user;
	uint32_t uid;
};

struct name_list {
	char (*v)[NAME_MAX + 1];
	size_t n, cap;
};

static int names_add(struct name_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return 0;
	if (l->n >= SETTINGS_UNITS_MAX)
		return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		char(*nv)[NAME_MAX + 1] = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	snprintf(l->v[l->n++], NAME_MAX + 1, "%s", name);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), sl = strlen(suffix);

	return l > sl && strcmp(s + l - sl, suffix) == 0;
}

/*
 * The template an instance's name comes from ("llama@gpu0.service": "llama@.service") into
 * out; false for a name that is no instance (a plain unit, a bare template).
 */
static bool template_of(const char *name, char *out, size_t size)
{
	const char *at = strchr(name, '@');
	const char *dot = strrchr(name, '.');

	if (!at || !dot || dot <= at + 1)
		return false;
	return snprintf(out, size, "%.*s%s", (int)(at + 1 - name), name, dot) < (int)size;
}

/* The instances of templates that dir/sub (a .wants/ or .requires/ folder) enables. */
static int wanted_instances(const struct audit_ctx *c, const char *dir, const char *sub,
			    struct name_list *l)
{
	char path[PATH_MAX], tmpl[NAME_MAX + 1];
	struct dirent *d;
	DIR *dh;
	int err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >= (int)sizeof(path))
		return 0;
	dh = audit_opendir(c, path);
	if (!dh)
		return 0;
	while (!err && (d = readdir(dh)))
		if (ends_with(d->d_name, ".service") && template_of(d->d_name, tmpl, sizeof(tmpl)))
			err = names_add(l, d->d_name);
	closedir(dh);
	return err;
}

/*
 * The names of the services in dir, those that have only drop-ins there (NAME.d), and the
 * instances of templates enabled there (an instance has no file of its own: its links in
 * NAME.wants/ and NAME.requires/ are where it is named).
 */
static int scope_names(const struct audit_ctx *c, const char *dir, struct name_list *l)
{
	struct dirent *d;
	DIR *dh = audit_opendir(c, dir);
	int err = 0;

	if (!dh)
		return 0; /* no such directory: nothing there */
	while (!err && (d = readdir(dh))) {
		char name[NAME_MAX + 1];

		snprintf(name, sizeof(name), "%s", d->d_name);
		if (ends_with(name, ".wants") || ends_with(name, ".requires")) {
			err = wanted_instances(c, dir, name, l);
			continue;
		}
		if (ends_with(name, "-.service.d"))
			continue; /* a prefix's drop-ins ("llama-.service.d"), no unit's own */
		if (ends_with(name, ".service.d"))
			name[strlen(name) - 2] = '\0';
		else if (!ends_with(name, ".service"))
			continue;
		err = names_add(l, name);
	}
	closedir(dh);
	return err;
}

struct dropin {
	char name[NAME_MAX + 1];
	size_t dir;
	const char *of; /* its folder ("ollama.service.d", "service.d") */
};

static int by_dropin_name(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

/*
 * The drop-in folders of a unit called name in one directory, most specific first, as
 * systemd's unit_file_find_dirs() walks them (systemd.unit(5)): NAME.d; an instance's
 * template's, with its own prefixes; then the name cut after its last dash but one
 * ("llama-server.service" adds "llama-.service.d", "a-b@x.service" adds "a-@x.service.d" and
 * so "a-@.service.d"), and so on up. The "service.d" of every service is not among them: it
 * comes after all directories (unit_dropins()).
 */
typedef char dropin_folder[NAME_MAX + 3];

struct folders {
	dropin_folder *v;
	size_t n, cap;
};

static int folders_add(struct folders *f, const char *name)
{
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
	char tmpl[NAME_MAX + 1], prefix[NAME_MAX + 1], built[NAME_MAX + 1];
	char *dash;
	int err;

	if (!dot)
		return 0;
	/* each folder once: an instance's chain meets its template's (and a name of many
	 * dashes would otherwise make as many folders as the square of their number) */
	for (size_t i = 0; i < f->n; i++)
		if (strncmp(f->v[i], name, strlen(name)) == 0 &&
		    strcmp(f->v[i] + strlen(name), ".d") == 0)
			return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		dropin_folder *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	snprintf(f->v[f->n++], sizeof(*f->v), "%s.d", name);
	if (at && at + 1 < dot && template_of(name, tmpl, sizeof(tmpl))) {
		err = folders_add(f, tmpl);
		if (err)
			return err;
	}
	snprintf(prefix, sizeof(prefix), "%.*s", (int)((at ? at : dot) - name), name);
	dash = strrchr(prefix, '-');
	if (dash && dash > prefix && !dash[1]) { /* a trailing dash is cut once */
		*dash = '\0';
		dash = strrchr(prefix, '-');
	}
	if (!dash || dash == prefix)
		return 0; /* no dash, or only a leading one: no prefix */
	dash[1] = '\0';
	/* the instance (of "a-b@x.service": "@x"), then the type's suffix */
	if (snprintf(built, sizeof(built), "%s%.*s%s", prefix,
		     at && at + 1 < dot ? (int)(dot - at) : 0, at ? at : "",
		     dot) >= (int)sizeof(built))
		return 0;
	return folders_add(f, built);
}

struct dropins {
	struct dropin *v; /* SETTINGS_DROPINS_MAX of them */
	size_t n;
	bool full;
};

/* The *.conf files of folder in the scope's directory k not hidden by one already in d. */
static int dropins_collect(const struct audit_ctx *c, const struct unit_scope *sc, size_t k,
			   const char *folder, struct unit *u, struct dropins *d)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *dh;
	int err = 0;

	if (snprintf(dir, sizeof(dir), "%s/%s", sc->dirs[k], folder) >= (int)sizeof(dir))
		return 0;
	dh = audit_opendir(c, dir);
	if (!dh)
		return errno == EACCES ? unit_unread_add(u, dir, -EACCES) : 0;
	while (!d->full && (e = readdir(dh))) {
		bool seen = false;

		if (!ends_with(e->d_name, ".conf"))
			continue;
		for (size_t i = 0; i < d->n && !seen; i++)
			seen = strcmp(d->v[i].name, e->d_name) == 0;
		if (seen)
			continue;
		if (d->n == SETTINGS_DROPINS_MAX) {
			d->full = true; /* which ones are read is then arbitrary: said */
			err = unit_unread_add(u, dir, -E2BIG);
			break;
		}
		snprintf(d->v[d->n].name, sizeof(d->v[d->n].name), "%s", e->d_name);
		d->v[d->n].dir = k;
		d->v[d->n++].of = folder;
	}
	closedir(dh);
	return err;
}

/*
 * The drop-ins of unit u: the *.conf files of its drop-in folders (folders_add()) in every
 * directory of the scope, then of each directory's "service.d" (systemd's
 * unit_file_find_dropin_paths() order), a file earlier in that order hiding a later one of
 * the same name; applied in the order of their names whatever their folder
 * (systemd.unit(5) "drop-in").
 */
static int unit_dropins(const struct audit_ctx *c, const struct unit_scope *sc, struct unit *u)
{
	struct folders f = { 0 };
	struct dropins d = { 0 };
	int err = folders_add(&f, u->name);

	if (!err) {
		d.v = calloc(SETTINGS_DROPINS_MAX, sizeof(*d.v));
		err = d.v ? 0 : -ENOMEM;
	}
	for (size_t k = 0; k < sc->n && !err; k++)
		for (size_t j = 0; j < f.n && !err; j++)
			err = dropins_collect(c, sc, k, f.v[j], u, &d);
	for (size_t k = 0; k < sc->n && !err; k++)
		err = dropins_collect(c, sc, k, "service.d", u, &d);
	if (!err)
		qsort(d.v, d.n, sizeof(*d.v), by_dropin_name);
	for (size_t i = 0; i < d.n && !err; i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s/%s/%s", sc->dirs[d.v[i].dir], d.v[i].of,
			     d.v[i].name) >= (int)sizeof(path))
			continue;
		err = unit_parse(c, u, path);
		if (err == -EACCES || err == -EFBIG)
			err = unit_unread_add(u, path, err);
		else if (err == 1 || err == -ENOENT || err == -EISDIR)
			err = 0; /* an empty or masked drop-in adds nothing */
	}
	free(d.v);
	free(f.v);
	return err;
}

/*
 * A word of a setting with the unit's specifiers expanded into buf (systemd expands them
 * word by word, after unquoting): the word to use, or NULL when systemd ignores it (a
 * specifier it does not know) and drop says to follow it. A word whose specifiers have no
 * value here stays as written, so that a finding shows what the unit says.
 */
static const char *word_expanded(const struct unit *u, const char *word, char *buf, size_t size,
				 bool drop)
{
	int r;

	if (!strchr(word, '%'))
		return word;
	r = unit_specifiers_expand(&u->spec, word, buf, size, NULL);
	if (r == 0)
		return buf;
	return r == -EBADSLT && drop ? NULL : word;
}

/* w's words with the unit's specifiers expanded (word_expanded()). Returns 0 or -ENOMEM. */
static int words_expand(const struct unit *u, struct words *w, bool drop)
{
	char buf[SETTINGS_CMDLINE], *store = NULL;
	size_t *at = malloc((w->n + 1) * sizeof(*at)), len = 0, cap = 0, n = 0;

	if (!at)
		return -ENOMEM;
	for (size_t i = 0; i < w->n; i++) {
		const char *x = word_expanded(u, w->v[i], buf, sizeof(buf), drop);
		size_t xl;

		if (!x)
			continue;
		xl = strlen(x);
		if (len + xl + 1 > cap) {
			size_t ncap = (len + xl + 1) * 2;
			char *ns = realloc(store, ncap);

			if (!ns) {
				free(store);
				free(at);
				return -ENOMEM;
			}
			store = ns;
			cap = ncap;
		}
		memcpy(store + len, x, xl + 1);
		at[n++] = len; /* an offset: the store may move as it grows */
		len += xl + 1;
	}
	for (size_t k = 0; k < n; k++)
		w->v[k] = store + at[k];
	w->v[n] = NULL;
	w->n = n;
	free(w->store);
	w->store = store;
	free(at);
	return 0;
}

/* The words of the ExecStart= that runs, or NULL: the last one after the last reset. */
static const struct unit_entry *unit_exec(const struct unit *u)
{
	const struct unit_entry *last = NULL;

	for (size_t i = 0; i < u->n; i++) {
		if (u->e[i].key != UNIT_EXEC)
			continue;
		last = u->e[i].value[0] ? &u->e[i] : NULL;
	}
	return last;
}

/*
 * The command of an ExecStart= value of u into w: its words, specifiers expanded, with the
 * executable's prefixes ("-", "@", ":", "+", "!") taken off and, after "@", the argv[0]
 * that follows dropped, so that w->v[1..n) are the arguments. Returns 0 or -ENOMEM.
 */
static int exec_words(const struct unit *u, const char *value, struct words *w)
{
	bool at = false;
	char *p;

	if (words_split(value, strlen(value), w))
		return -ENOMEM;
	if (words_expand(u, w, false)) {
		words_free(w);
		return -ENOMEM;
	}
	if (!w->n)
		return 0;
	p = w->v[0];
	while (*p && strchr("-@:+!", *p))
		at |= *p++ == '@';
	w->v[0] = p;
	if (at && w->n > 1) {
		/* v[2..n] (the NULL included) move down over argv[0] */
		memmove(&w->v[1], &w->v[2], (w->n - 1) * sizeof(*w->v));
		w->n--;
	}
	return 0;
}

/*
 * The tool a unit belongs to: by its name, or by the command of its ExecStart= (specifiers
 * expanded), as audit_name_tool() and audit_command_tool() say for every check.
 */
static const char *unit_tool(const struct audit_ctx *c, const struct unit *u)
{
	const struct unit_entry *x = unit_exec(u);
	const char *tool = audit_name_tool(c->profiles, u->name);
	char line[SETTINGS_CMDLINE];
	size_t off = 0;
	struct words w;

	if (tool || !x || exec_words(u, x->value, &w))
		return tool;
	/* the words joined again, one with a blank in it quoted as audit_command_tool() reads */
	line[0] = '\0';
	for (size_t i = 0; i < w.n && off < sizeof(line); i++) {
		bool quote = strpbrk(w.v[i], " \t") && !strchr(w.v[i], '"');

		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s%s%s", i ? " " : "",
					quote ? "\"" : "", w.v[i], quote ? "\"" : "");
	}
	if (w.n)
		tool = audit_command_tool(c->profiles, line);
	words_free(&w);
	return tool;
}

/*
 * Whether path is a link to /dev/null: a masked unit (systemctl mask). The link is read, not
 * followed: an image has no /dev/null of its own to resolve it to.
 */
static bool unit_masked(const struct audit_ctx *c, const char *path)
{
	char target[16];
	int fd = audit_open(c, path, O_PATH | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return false;
	n = readlinkat(fd, "", target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "/dev/null") == 0;
}

/*
 * Reads the unit file called name into u: the first of the scope's directories that has
 * it. *own is set when one of the scope's own directories has it or its NAME.d. One that
 * cannot be read (not root, too large) is still the unit, as it is systemd's: it is
 * remembered in u->unread, and what it sets is not seen. Returns 0 (read, unread, or found
 * nowhere), 1 (masked) or -errno.
 */
static int unit_fragment(const struct audit_ctx *c, const struct unit_scope *sc, const char *name,
			 struct unit *u, bool *own)
{
	for (size_t k = 0; k < sc->n; k++) {
		char path[PATH_MAX];
		int err;

		if (snprintf(path, sizeof(path), "%s/%s", sc->dirs[k], name) >= (int)sizeof(path))
			continue;
		if (k < sc->own) {
			char dpath[PATH_MAX + 2];

			snprintf(dpath, sizeof(dpath), "%s.d", path);
			*own |= audit_exists(c, path, NULL) || audit_exists(c, dpath, NULL);
		}
		err = unit_masked(c, path) ? 1 : unit_parse(c, u, path);
		if (err == -EACCES || err == -EFBIG)
			return unit_unread_add(u, path, err);
		if (err == -ENOENT || err == -EISDIR)
			continue;
		return err; /* the first one found is the unit; a masked one hides the rest */
	}
	return 0;
}

/*
 * The unit called name in the scope, read with its drop-ins. named_here: the scope's own
 * directories name it (a file, a NAME.d or a link in a .wants/), so it is the scope's even
 * when its file is elsewhere. Returns 0, 1 (masked, or neither named in nor read from the
 * scope's own directories), or -errno.
 */
static int unit_load(const struct audit_ctx *c, const struct unit_scope *sc, const char *name,
		     bool named_here, struct unit *u)
{
	char tmpl[NAME_MAX + 1];
	bool own = sc->own == 0 || named_here;
	int err;

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->spec = (struct unit_specifiers){
		.name = u->name,
		.system = sc->system,
		.home = sc->home[0] ? sc->home : NULL,
		.user = sc->user,
		.uid = sc->uid,
	};
	err = unit_fragment(c, sc, name, u, &own);
	/* an instance with no file of its own is its template's (a masked one stays masked) */
	if (err == 0 && u->n_files == 0 && u->n_unread == 0 &&
	    template_of(name, tmpl, sizeof(tmpl)))
		err = unit_fragment(c, sc, tmpl, u, &own);
	u->fragment = u->n_files > 0;
	if (err == 0 && !own)
		err = 1;
	if (err == 0)
		err = unit_dropins(c, sc, u);
	if (err == 0)
		u->tool = unit_tool(c, u);
	if (err)
		unit_clear(u);
	return err;
}

typedef int (*unit_fn)(void *arg, const struct unit *u);

/* Whether name is a bare template ("llama@.service") and l holds an instance of it. */
static bool template_has_instances(const struct name_list *l, const char *name)
{
	char tmpl[NAME_MAX + 1];
	const char *at = strchr(name, '@');

	if (!at || at[1] != '.')
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (template_of(l->v[i], tmpl, sizeof(tmpl)) && strcmp(tmpl, name) == 0)
			return true;
	return false;
}

/*
 * Calls fn for each unit of the scope that belongs to tool (any tool when NULL) and, when
 * unread is set, for each unit of no known tool with a file that could not be read (it may
 * start one).
 */
static int scope_each(const struct audit_ctx *c, const struct unit_scope *sc, const char *tool,
		      bool unread, unit_fn fn, void *arg)
{
	struct name_list l = { 0 };
	size_t n_own = 0; /* l.v[0..n_own) are named in the scope's own directories */
	int err = 0;

	for (size_t k = 0; k < sc->n && !err; k++) {
		err = scope_names(c, sc->dirs[k], &l);
		if (k < sc->own)
			n_own = l.n;
	}
	for (size_t i = 0; i < l.n && !err; i++) {
		struct unit u;

		if (template_has_instances(&l, l.v[i]))
			continue; /* each instance is read instead, its %i known */
		/* an instance enabled in a home's own .wants/ is that user's, wherever its
		 * template lives (/etc/systemd/user) */
		err = unit_load(c, sc, l.v[i], i < n_own, &u);
		if (err == 1) {
			err = 0;
			continue;
		}
		if (err)
			break;
		if (u.tool ? !tool || strcmp(tool, u.tool) == 0 : unread && u.n_unread)
			err = fn(arg, &u);
		unit_clear(&u);
	}
	free(l.v);
	return err;
}

/* A home's path as the audited system sees it: without the --root prefix. */
static void home_as_seen(const struct audit_ctx *c, const char *path, char *out, size_t size)
{
	size_t rl = strlen(c->root);

	if (strcmp(c->root, "/") != 0 && strncmp(path, c->root, rl) == 0 && path[rl] == '/')
		path += rl;
	snprintf(out, size, "%s", path);
}

/*
 * The system units, then the user units of /etc, then each home's own user units, as
 * scope_each() gives them.
 */
static int units_each(const struct audit_ctx *c, const char *tool, bool unread, unit_fn fn,
		      void *arg)
{
	/* systemd's search path (systemd.unit(5)), highest first; /lib may be /usr/lib's link */
	static const char *const system[] = { "/etc/systemd/system", "/run/systemd/system",
					      "/usr/local/lib/systemd/system",
					      "/usr/lib/systemd/system", "/lib/systemd/system" };
	struct unit_scope *sc = calloc(1, sizeof(*sc));
	int err = 0;

	if (!sc)
		return -ENOMEM;
	for (size_t k = 0; k < 5; k++)
		audit_path(c, sc->dirs[sc->n++], PATH_MAX, "%s", system[k]);
	sc->system = true;
	err = scope_each(c, sc, tool, unread, fn, arg);
	sc->n = 0;
	sc->system = false;
	audit_path(c, sc->dirs[sc->n++], PATH_MAX, "/etc/systemd/user");
	if (!err)
		err = scope_each(c, sc, tool, unread, fn, arg);
	for (size_t h = 0; h < c->n_homes && !err; h++) {
		const struct audit_home *home = &c->homes[h];

		sc->n = 0;
		snprintf(sc->dirs[sc->n++], PATH_MAX, "%s/.config/systemd/user", home->path);
		audit_path(c, sc->dirs[sc->n++], PATH_MAX, "/etc/systemd/user");
		sc->own = 1;
		home_as_seen(c, home->path, sc->home, sizeof(sc->home));
		sc->user = home->user;
		sc->uid = home->uid;
		err = scope_each(c, sc, tool, unread, fn, arg);
	}
	free(sc);
	return err;
}

struct units_walk {
	audit_unit_fn fn;
	void *arg;
};

static int unit_public(void *arg, const struct unit *u)
{
	struct units_walk *w = arg;
	char why[96] = "";

	if (u->n_unread)
		unit_unread_why(&u->unread[0], why, sizeof(why));
	return w->fn(w->arg, &(struct audit_unit){
				     .name = u->name,
				     .file = u->fragment ? u->files[0] : "",
				     .tool = u->tool,
				     .system = u->spec.system,
				     .every_user = !u->spec.system && !u->spec.home,
				     .user = u->spec.user,
				     .uid = u->spec.uid,
				     .unread = u->n_unread ? u->unread[0].path : NULL,
				     .unread_why = why,
				     .impl = u,
			     });
}

int audit_units_each(const struct audit_ctx *c, audit_unit_fn fn, void *arg)
{
	struct units_walk w = { fn, arg };

	if (!c->profiles)
		return -EINVAL;
	return units_each(c, NULL, false, unit_public, &w);
}

void audit_unit_account(const struct audit_unit *au, struct audit_unit_account *a)
{
	const struct unit *u = au->impl;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < u->n; i++) {
		const struct unit_entry *x = &u->e[i];

		if (x->key == UNIT_DYNAMIC_USER) {
			size_t vl = strlen(x->value);

			a->dynamic = audit_value_true(x->value, vl);
			if (a->dynamic)
				snprintf(a->where, sizeof(a->where), "%s:%u", x->file, x->line);
		} else if (x->key == UNIT_USER) {
			/* an empty User= resets it: root again */
			a->unknown = unit_specifiers_expand(&u->spec, x->value, a->user,
							    sizeof(a->user), NULL) != 0;
			if (a->unknown)
				snprintf(a->user, sizeof(a->user), "%s", x->value);
			snprintf(a->where, sizeof(a->where), "%s:%u", x->file, x->line);
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Environment= and EnvironmentFile=                                                        */

struct env_hit {
	char *value;
	char where[PATH_MAX + 16];
	enum audit_setting_from from;
};

struct env_walk {
	const struct audit_ctx *c;
	const char *const *names;
	size_t n;
	audit_setting_fn fn;
	audit_unread_fn unread; /* audit_env_unread()'s walk: no names, only what is unread */
	void *arg;
	struct env_hit *hit; /* n of them, for the unit being read */
};

static int hit_set(struct env_hit *h, const char *v, size_t vl, enum audit_setting_from from,
		   const char *file, unsigned int line)
{
	char *nv = strndup(v, vl);

	if (!nv)
		return -ENOMEM;
	free(h->value);
	h->value = nv;
	h->from = from;
	snprintf(h->where, sizeof(h->where), "%s:%u", file, line);
	return 0;
}

/* The index of the name [s, e) among w->names, or -1. */
static int name_index(const struct env_walk *w, const char *s, const char *e)
{
	for (size_t i = 0; i < w->n; i++)
		if (span_is(s, e, w->names[i]))
			return (int)i;
	return -1;
}

/*
 * An EnvironmentFile= as systemd reads it (parse_env_file_internal()'s states): KEY=VALUE
 * lines, # and ; comments, blanks around the key and before the value ignored. At the start
 * of a value (and after a closing quote) a double quote opens a string where a backslash
 * escapes " \ ` $ and a newline, a single quote a literal one; elsewhere quotes are
 * ordinary bytes, a backslash takes the next byte as is (a newline: the value continues on
 * the next line), and trailing blanks are cut.
 */
static int envfile_parse(struct env_walk *w, const char *path, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	unsigned int line = 1;
	char *val = malloc(len + 1);
	int err = 0;

	if (!val)
		return -ENOMEM;
	while (p < end && !err) {
		const char *ks, *ke;
		unsigned int kline;
		size_t vl = 0, keep = 0;
		bool bare = false; /* systemd's VALUE state: past the start of a bare part */
		int k;

		while (p < end && is_space(*p)) {
			line += *p == '\n';
			p++;
		}
		if (p == end)
			break;
		kline = line;
		if (*p == '#' || *p == ';') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		ks = p;
		while (p < end && *p != '=' && *p != '\n')
			p++;
		if (p == end || *p == '\n')
			continue; /* no "=": not an assignment */
		ke = p++;
		while (ke > ks && is_space(ke[-1]))
			ke--;
		while (p < end && *p != '\n') {
			char ch = *p++;

			if (!bare && (ch == ' ' || ch == '\t' || ch == '\r'))
				continue;
			if (!bare && (ch == '\'' || ch == '"')) {
				/* a quoted part, to its closing quote (newlines included) */
				while (p < end && *p != ch) {
					if (ch == '"' && *p == '\\' && p + 1 < end) {
						if (p[1] == '\n') {
							line++;
						} else {
							if (!strchr("\"\\`$", p[1]))
								val[vl++] = '\\';
							val[vl++] = p[1];
						}
						p += 2;
						continue;
					}
					line += *p == '\n';
					val[vl++] = *p++;
				}
				if (p < end)
					p++;
				keep = vl;
				continue;
			}
			if (ch == '\\' && p < end) {
				if (*p == '\n')
					line++;
				else
					val[vl++] = *p;
				p++;
				keep = vl;
				bare = true;
				continue;
			}
			val[vl++] = ch;
			bare = true;
			if (ch != ' ' && ch != '\t' && ch != '\r')
				keep = vl;
		}
		k = name_index(w, ks, ke);
		if (k >= 0)
			err = hit_set(&w->hit[k], val, keep, AUDIT_FROM_UNIT_ENVFILE, path, kline);
	}
	free(val);
	return err;
}

/*
 * Says (to audit_env_unread()'s caller) which of u's own files (its unit file, drop-ins, their
 * directory) could not be read, and why.
 */
static int unit_files_unread(struct env_walk *w, const struct unit *u)
{
	int err = 0;

	for (size_t i = 0; i < u->n_unread && !err; i++) {
		const struct unit_unread *x = &u->unread[i];
		char why[96];

		unit_unread_why(x, why, sizeof(why));
		err = w->unread(w->arg, &(struct audit_unread){
						.where = x->path,
						.why = why,
						.tool = u->tool,
					});
	}
	return err;
}

/* Says (to audit_env_unread()'s caller) that the EnvironmentFile= x was not read, and why. */
static int envfile_unread(struct env_walk *w, const struct unit *u, const struct unit_entry *x,
			  const char *why)
{
	char where[PATH_MAX + 16];

	if (!w->unread)
		return 0;
	snprintf(where, sizeof(where), "%s:%u", x->file, x->line);
	return w->unread(w->arg, &(struct audit_unread){
					 .where = where,
					 .file = x->value,
					 .why = why,
					 .tool = u->tool,
				 });
}

/* One file of an EnvironmentFile= (path as audit_path() gives it): parsed, or said unread. */
static int envfile_read(struct env_walk *w, const struct unit *u, const struct unit_entry *x,
			const char *path)
{
	char *text, why[PATH_MAX + 64];
	size_t len;
	int r = audit_read_file(w->c, path, SETTINGS_UNIT_MAX, &text, &len);

	if (r == -ENOENT)
		return 0; /* with "-" systemd takes it as empty; without, the service fails */
	if (r == -ENOMEM)
		return r;
	if (r == -EFBIG)
		snprintf(why, sizeof(why), "%s is larger than the audit reads (%d MiB)", path,
			 SETTINGS_UNIT_MAX >> 20);
	else if (r == -EISDIR || r == -EINVAL)
		snprintf(why, sizeof(why), "%s is not a regular file", path);
	else if (r)
		snprintf(why, sizeof(why), "%s: %s", path, strerror(-r));
	if (r)
		return envfile_unread(w, u, x, why);
	r = w->n ? envfile_parse(w, path, text, len) : 0;
	free(text);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The files of a wildcard EnvironmentFile= (systemd takes glob(3)'s matches, sorted, a
 * leading dot matched only by a dot): only the last component may hold the wildcards here.
 */
static int envfile_glob(struct env_walk *w, const struct unit *u, const struct unit_entry *x,
			const char *dir, const char *pattern)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dh = audit_opendir(w->c, dir);
	bool cut = false;
	int err = 0;

	if (!dh) {
		char why[PATH_MAX + 64];

		if (errno == ENOENT)
			return 0;
		snprintf(why, sizeof(why), "%s: %s", dir, strerror(errno));
		return envfile_unread(w, u, x, why);
	}
	while (!err && !cut && (d = readdir(dh))) {
		if (fnmatch(pattern, d->d_name, FNM_PERIOD) != 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char **nn;

			if (ncap > SETTINGS_DROPINS_MAX) {
				cut = true; /* said below: which ones are read is then arbitrary */
				break;
			}
			nn = realloc(names, ncap * sizeof(*nn));
			if (!nn) {
				err = -ENOMEM;
				break;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(d->d_name);
		if (!names[n])
			err = -ENOMEM;
		else
			n++;
	}
	closedir(dh);
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n && !err; i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path))
			err = envfile_read(w, u, x, path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!err && cut) {
		char why[96];

		snprintf(why, sizeof(why), "more than %zu files match: only %zu of them are read",
			 n, n);
		err = envfile_unread(w, u, x, why);
	}
	return err;
}

/*
 * One EnvironmentFile= of u, as systemd resolves it: specifiers expanded, "-" (a missing
 * file is no error) taken off, an absolute path or wildcard. What a setting could hide in
 * and cannot be read is said (envfile_unread()); what systemd itself ignores is not.
 */
static int unit_envfile(struct env_walk *w, const struct unit *u, const struct unit_entry *x)
{
	char value[PATH_MAX], path[PATH_MAX], why[96], bad;
	const char *v, *slash;
	int r = unit_specifiers_expand(&u->spec, x->value, value, sizeof(value), &bad);

	if (r == -EBADSLT)
		return 0; /* systemd ignores the line */
	if (r) {
		unit_specifiers_why(r, bad, why, sizeof(why));
		return envfile_unread(w, u, x, why);
	}
	v = value[0] == '-' ? value + 1 : value;
	if (*v != '/')
		return 0; /* relative: systemd ignores the line */
	if (audit_path(w->c, path, sizeof(path), "%s", v))
		return envfile_unread(w, u, x, "too long a path");
	slash = strrchr(path, '/');
	if (!strpbrk(v, "*?["))
		return envfile_read(w, u, x, path);
	if (strpbrk(v, "*?[") < strrchr(v, '/'))
		return envfile_unread(w, u, x,
				      "wildcards in a directory are not expanded by "
				      "the audit");
	path[slash - path] = '\0';
	return envfile_glob(w, u, x, path[0] ? path : "/", slash + 1);
}

/*
 * The environment a unit gives its service, for the names asked: Environment= lines in
 * order (an empty one resets the list), then the EnvironmentFile=s, whose settings override
 * Environment= (systemd.exec(5)); a later setting of a name overrides an earlier one.
 */
static int unit_env(void *arg, const struct unit *u)
{
	struct env_walk *w = arg;
	size_t *files; /* the EnvironmentFile= entries that count, by index */
	size_t nf = 0;
	int err = 0;

	if (w->unread) {
		err = unit_files_unread(w, u);
		if (err)
			return err;
	}
	w->hit = calloc(w->n + 1, sizeof(*w->hit));
	files = calloc(u->n + 1, sizeof(*files));
	if (!w->hit || !files) {
		free(w->hit);
		free(files);
		return -ENOMEM;
	}
	for (size_t i = 0; i < u->n && !err; i++) {
		const struct unit_entry *x = &u->e[i];
		struct words words;

		if (x->key == UNIT_ENVFILE) {
			if (x->value[0])
				files[nf++] = i;
			else
				nf = 0;
			continue;
		}
		if (x->key != UNIT_ENV)
			continue;
		if (!x->value[0]) {
			for (size_t k = 0; k < w->n; k++) {
				free(w->hit[k].value);
				w->hit[k].value = NULL;
			}
			continue;
		}
		if (words_split(x->value, strlen(x->value), &words)) {
			err = -ENOMEM;
			break;
		}
		if (words_expand(u, &words, true)) {
			words_free(&words);
			err = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < words.n && !err; j++) {
			int k = assignment_of(words.v[j], w->names, w->n);

			if (k >= 0) {
				const char *v = words.v[j] + strlen(w->names[k]) + 1;

				err = hit_set(&w->hit[k], v, strlen(v), AUDIT_FROM_UNIT_ENV,
					      x->file, x->line);
			}
		}
		words_free(&words);
	}
	for (size_t i = 0; i < nf && !err; i++)
		err = unit_envfile(w, u, &u->e[files[i]]);
	for (size_t k = 0; k < w->n && !err; k++) {
		if (!w->hit[k].value)
			continue;
		err = w->fn(w->arg, &(struct audit_setting){
					    .name = w->names[k],
					    .value = w->hit[k].value,
					    .from = w->hit[k].from,
					    .where = w->hit[k].where,
					    .tool = u->tool,
				    });
	}
	for (size_t k = 0; k < w->n; k++)
		free(w->hit[k].value);
	free(w->hit);
	free(files);
	return err;
}

int audit_env_find(const struct audit_ctx *c, const char *const *names, size_t n,
		   audit_setting_fn fn, void *arg)
{
	struct proc_walk pw = { .c = c, .names = names, .n = n, .fn = fn, .arg = arg };
	struct env_walk ew = { .c = c, .names = names, .n = n, .fn = fn, .arg = arg };
	int err;

	if (!c->profiles)
		return -EINVAL;
	err = audit_procs_each(c, proc_env, &pw, NULL);
	if (err && err != -ENOTSUP)
		return err;
	return units_each(c, NULL, false, unit_env, &ew);
}

int audit_env_unread(const struct audit_ctx *c, audit_unread_fn fn, void *arg)
{
	struct env_walk ew = { .c = c, .unread = fn, .arg = arg };

	if (!c->profiles)
		return -EINVAL;
	return units_each(c, NULL, true, unit_env, &ew);
}

const char *audit_unread_subject(const struct audit_unread *u)
{
	return u->file ? "EnvironmentFile" : "unit";
}

char *audit_unread_text(const struct audit_unread *u, const char *what)
{
	char *t;
	int r;

	if (u->file)
		r = asprintf(&t, "%s: EnvironmentFile=%s not read (%s): %s in it is not seen",
			     u->where, u->file, u->why, what);
	else
		r = asprintf(&t, "%s not read (%s): %s in it is not seen%s", u->where, u->why, what,
			     u->tool ? "" : "; which tool the unit starts, if any, is not known");
	return r < 0 ? NULL : t;
}

/* ---------------------------------------------------------------------------------------- */
/* ExecStart= options                                                                       */

struct exec_walk {
	const char *const *opts;
	size_t n;
	audit_setting_fn fn;
	void *arg;
	const struct unit *u;
	char where[PATH_MAX + 16];
};

static int exec_option(void *arg, const char *opt, const char *value)
{
	struct exec_walk *w = arg;

	return w->fn(w->arg, &(struct audit_setting){
				     .name = opt,
				     .value = value,
				     .from = AUDIT_FROM_UNIT_EXEC,
				     .where = w->where,
				     .tool = w->u->tool,
			     });
}

/* The options of every ExecStart= that runs: those after the last empty one (a reset). */
static int unit_argv(void *arg, const struct unit *u)
{
	struct exec_walk *w = arg;
	size_t first = 0;
	int err = 0;

	for (size_t i = 0; i < u->n; i++)
		if (u->e[i].key == UNIT_EXEC && !u->e[i].value[0])
			first = i + 1;
	w->u = u;
	for (size_t i = first; i < u->n && !err; i++) {
		const struct unit_entry *x = &u->e[i];
		struct words argv;

		if (x->key != UNIT_EXEC)
			continue;
		if (exec_words(u, x->value, &argv))
			return -ENOMEM;
		snprintf(w->where, sizeof(w->where), "%s:%u", x->file, x->line);
		err = options_each(argv.v, argv.n, w->opts, w->n, exec_option, w);
		words_free(&argv);
	}
	return err;
}

int audit_argv_find(const struct audit_ctx *c, const char *tool, const char *const *opts, size_t n,
		    audit_setting_fn fn, void *arg)
{
	struct proc_walk pw = { .c = c, .tool = tool, .names = opts, .n = n, .fn = fn, .arg = arg };
	struct exec_walk ew = { .opts = opts, .n = n, .fn = fn, .arg = arg };
	int err;

	if (!c->profiles)
		return -EINVAL;
	err = audit_procs_each(c, proc_argv, &pw, NULL);
	if (err && err != -ENOTSUP)
		return err;
	return units_each(c, tool, false, unit_argv, &ew);
}
