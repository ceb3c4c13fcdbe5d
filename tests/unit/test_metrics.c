// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the metrics: label values escaped as the exposition format says (and
 * control bytes and non-UTF-8 made harmless), the whole text of a monitor with events, alerts
 * and losses read back line by line by a strict parser of the format, and the file written
 * atomically, never through a symlink, with no temporary file left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "monitor/metrics_file.h"
#include "monitor/monitor.h"
#include "util/metrics_fmt.h"
#include "util/timefmt.h"

#define S 1000000000ull

/* ---- a strict reader of the text format ---------------------------------------------- */

#define MAX_SAMPLES 256
#define MAX_LABELS 4

struct sample {
	char name[96];
	char family[96];
	size_t nl;
	char lname[MAX_LABELS][32];
	char lvalue[MAX_LABELS][256];
	char value[64];
};

struct parsed {
	struct sample s[MAX_SAMPLES];
	size_t n;
	char families[64][96];
	char types[64][16];
	bool helped[64];
	size_t nf;
};

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *p into out; false if there is none. */
static bool read_name(const char **p, char *out, size_t size)
{
	size_t n = 0;

	if (!name_char(**p, true))
		return false;
	while (name_char(**p, n == 0) && n + 1 < size)
		out[n++] = *(*p)++;
	out[n] = '\0';
	return !name_char(**p, false);
}

/* A quoted label value, unescaped; only \\, \" and \n are escapes, as the format says. */
static bool read_value(const char **p, char *out, size_t size)
{
	size_t n = 0;

	if (*(*p)++ != '"')
		return false;
	while (**p != '"') {
		char c = *(*p)++;

		if (c == '\0' || c == '\n')
			return false;
		if (c == '\\') {
			c = *(*p)++;
			if (c == 'n')
				c = '\n';
			else if (c != '\\' && c != '"')
				return false;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	(*p)++;
	out[n] = '\0';
	return true;
}

static int family_of(const struct parsed *ps, const char *name)
{
	for (size_t i = 0; i < ps->nf; i++) {
		if (strcmp(ps->families[i], name) == 0)
			return (int)i;
	}
	return -1;
}

/* Whether value is a number the format accepts (integers and floats, +Inf, NaN). */
static bool valid_number(const char *v)
{
	char *end;

	if (!strcmp(v, "+Inf") || !strcmp(v, "-Inf") || !strcmp(v, "NaN"))
		return true;
	strtod(v, &end);
	return end != v && *end == '\0';
}

/*
 * Parses one whole document; returns the line number of the first line it refuses (0: all
 * good). Refuses: a comment other than HELP/TYPE, a TYPE after its family's samples or
 * twice, an unknown type, a sample of no declared family, a malformed label set or value,
 * the same series twice, a missing final newline.
 */
static int parse(const char *text, struct parsed *ps)
{
	const char *p = text;
	int line = 0;

	memset(ps, 0, sizeof(*ps));
	if (!*text || text[strlen(text) - 1] != '\n')
		return -1;
	while (*p) {
		const char *eol = strchr(p, '\n');
		char lbuf[1024];

		line++;
		if (!eol || (size_t)(eol - p) >= sizeof(lbuf))
			return line;
		memcpy(lbuf, p, (size_t)(eol - p));
		lbuf[eol - p] = '\0';
		p = eol + 1;
		if (lbuf[0] == '#') {
			const char *q = lbuf + 2;
			char name[96];
			int f;

			if (strncmp(lbuf, "# HELP ", 7) == 0) {
				q = lbuf + 7;
				if (!read_name(&q, name, sizeof(name)) || *q != ' ')
					return line;
				f = family_of(ps, name);
				if (f < 0) {
					if (ps->nf == 64)
						return line;
					f = (int)ps->nf++;
					snprintf(ps->families[f], sizeof(ps->families[f]), "%s",
						 name);
				}
				if (ps->helped[f])
					return line;
				ps->helped[f] = true;
				/* help text: only \\ and \n are escapes */
				for (q++; *q; q++) {
					if (*q == '\\' && q[1] != '\\' && q[1] != 'n')
						return line;
					if (*q == '\\')
						q++;
				}
				continue;
			}
			if (strncmp(lbuf, "# TYPE ", 7) != 0)
				return line;
			q = lbuf + 7;
			if (!read_name(&q, name, sizeof(name)) || *q++ != ' ')
				return line;
			if (strcmp(q, "counter") != 0 && strcmp(q, "gauge") != 0 &&
			    strcmp(q, "untyped") != 0)
				return line;
			f = family_of(ps, name);
			if (f < 0) {
				if (ps->nf == 64)
					return line;
				f = (int)ps->nf++;
				snprintf(ps->families[f], sizeof(ps->families[f]), "%s", name);
			}
			if (ps->types[f][0])
				return line; /* twice */
			for (size_t i = 0; i < ps->n; i++) {
				if (!strcmp(ps->s[i].family, name))
					return line; /* after its samples */
			}
			snprintf(ps->types[f], sizeof(ps->types[f]), "%s", q);
			continue;
		}
		{
			struct sample *s;
			const char *q = lbuf;
			int f;

			if (ps->n == MAX_SAMPLES)
				return line;
			s = &ps->s[ps->n];
			memset(s, 0, sizeof(*s));
			if (!read_name(&q, s->name, sizeof(s->name)))
				return line;
			f = family_of(ps, s->name);
			if (f < 0 || !ps->types[f][0])
				return line;
			/* a counter's samples are named as the family, which ends in _total */
			if (strcmp(ps->types[f], "counter") == 0 &&
			    strcmp(s->name + strlen(s->name) - 6, "_total") != 0)
				return line;
			memcpy(s->family, s->name, sizeof(s->family));
			if (*q == '{') {
				q++;
				while (*q != '}') {
					if (s->nl == MAX_LABELS)
						return line;
					if (!read_name(&q, s->lname[s->nl], sizeof(s->lname[0])) ||
					    *q++ != '=' ||
					    !read_value(&q, s->lvalue[s->nl], sizeof(s->lvalue[0])))
						return line;
					s->nl++;
					if (*q == ',')
						q++;
					else if (*q != '}')
						return line;
				}
				q++;
			}
			if (*q++ != ' ')
				return line;
			snprintf(s->value, sizeof(s->value), "%s", q);
			if (!valid_number(s->value))
				return line;
			/* the same series twice */
			for (size_t i = 0; i < ps->n; i++) {
				bool same = !strcmp(ps->s[i].name, s->name) && ps->s[i].nl == s->nl;

				for (size_t k = 0; same && k < s->nl; k++)
					same = !strcmp(ps->s[i].lname[k], s->lname[k]) &&
					       !strcmp(ps->s[i].lvalue[k], s->lvalue[k]);
				if (same)
					return line;
			}
			ps->n++;
		}
	}
	return 0;
}

/* The value of the series name{l1=v1,l2=v2} (labels NULL to skip), or NULL. */
static const char *get(const struct parsed *ps, const char *name, const char *l1, const char *v1,
		       const char *l2, const char *v2)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct sample *s = &ps->s[i];
		size_t want = (l1 != NULL) + (l2 != NULL);
		size_t ok = 0;

		if (strcmp(s->name, name) != 0 || s->nl != want)
			continue;
		for (size_t k = 0; k < s->nl; k++) {
			if ((l1 && !strcmp(s->lname[k], l1) && !strcmp(s->lvalue[k], v1)) ||
			    (l2 && !strcmp(s->lname[k], l2) && !strcmp(s->lvalue[k], v2)))
				ok++;
		}
		if (ok == want)
			return s->value;
	}
	return NULL;
}

/* ---- escaping ------------------------------------------------------------------------ */

static void test_label_escaping(void)
{
	char buf[128];

	CHECK_INT(metrics_fmt_label_value(buf, sizeof(buf), "ollama"), 6);
	CHECK_STR(buf, "ollama");
	CHECK_INT(metrics_fmt_label_value(buf, sizeof(buf), "a\"b\\c\nd"), 10);
	CHECK_STR(buf, "a\\\"b\\\\c\\nd");
	/* other control bytes and bytes that are not UTF-8: the text \xNN, backslash escaped */
	metrics_fmt_label_value(buf, sizeof(buf), "x\x1b[2J\ty\xff");
	CHECK_STR(buf, "x\\\\x1b[2J\\\\x09y\\\\xff");
	metrics_fmt_label_value(buf, sizeof(buf), "caf\xc3\xa9 \x7f");
	CHECK_STR(buf, "caf\xc3\xa9 \\\\x7f");
	/* a cut is never inside an escape or a UTF-8 sequence */
	CHECK_INT(metrics_fmt_label_value(buf, 3, "a\"b"), 4);
	CHECK_STR(buf, "a");
	CHECK_INT(metrics_fmt_label_value(buf, 3, "\xc3\xa9\xc3\xa9"), 4);
	CHECK_STR(buf, "\xc3\xa9");
	CHECK_INT(metrics_fmt_label_value(buf, 5, "\x01\x02"), 10);
	CHECK_STR(buf, "");
}

static void test_format_primitives(void)
{
	struct metrics_buf b = {};
	struct metrics_label l[] = { { "tool", "we\"ird\\\n" }, { "type", "open" } };
	struct parsed ps;

	metrics_fmt_family(&b, "x_total", "counter", "help with a \\ and a\nnewline");
	metrics_fmt_uint(&b, "x_total", l, 2, 18446744073709551615ull);
	metrics_fmt_family(&b, "y", "gauge", "a gauge");
	metrics_fmt_double(&b, "y", NULL, 0, 0.1);
	CHECK_INT(metrics_fmt_status(&b), 0);
	CHECK_STR(b.p, "# HELP x_total help with a \\\\ and a\\nnewline\n"
		       "# TYPE x_total counter\n"
		       "x_total{tool=\"we\\\"ird\\\\\\n\",type=\"open\"} 18446744073709551615\n"
		       "# HELP y a gauge\n"
		       "# TYPE y gauge\n"
		       "y 0.10000000000000001\n");
	CHECK_INT(parse(b.p, &ps), 0);
	CHECK_STR(get(&ps, "x_total", "tool", "we\"ird\\\n", "type", "open"),
		  "18446744073709551615");
	CHECK(strtod(get(&ps, "y", NULL, NULL, NULL, NULL), NULL) == 0.1);
	metrics_buf_free(&b);

	/* the reader is strict: it refuses what a scraper would */
	CHECK(parse("x 1\n", &ps) != 0);			    /* no TYPE */
	CHECK(parse("# TYPE x gauge\nx{a=\"\\t\"} 1\n", &ps) != 0); /* bad escape */
	CHECK(parse("# TYPE x gauge\nx 1\nx 2\n", &ps) != 0);	    /* twice */
	CHECK(parse("# TYPE x gauge\nx one\n", &ps) != 0);
	CHECK(parse("# TYPE x gauge\nx 1", &ps) != 0);
	CHECK(parse("# TYPE x_total counter\nx_total{a=\"1\"\n", &ps) != 0);
}

/* ---- the monitor's metrics ------------------------------------------------------------- */

static const char weird_tool[] = "to\"ol\\x\nname";

static void fill_monitor(struct monitor *m)
{
	struct proc_entry *e;

	CHECK_INT(monitor_init(m), 0);
	m->stats.records = 42;
	for (int i = 0; i < 3; i++)
		evcount_add(&m->counts, LW_REC_OPEN, weird_tool, i == 0);
	evcount_add(&m->counts, LW_REC_CONNECT, "ollama", true);
	evcount_add(&m->counts, LW_EV_LOSSES, "", true);
	m->stats.kernel_losses[LW_REC_OPEN * LW_LOSS_REASON_MAX + LW_LOSS_RESERVE] = 7;
	m->stats.output_errors = 2;
	m->stats.names_dropped = 1;
	m->stats.names_evicted = 6;
	m->stats.n_outputs = 1;
	m->stats.outputs[0].name = "json:/var/log/\"x\".json";
	m->stats.outputs[0].errors = 2;
	e = proctable_upsert(&m->procs, 100);
	e->state = PROC_CONFIRMED;
	e = proctable_upsert(&m->procs, 101);
	e->state = PROC_CONFIRMED;
	e->exited = true; /* gone: not watched now */
	e = proctable_upsert(&m->procs, 102);
	e->state = PROC_REJECTED;
}

static void test_monitor_metrics(void)
{
	struct monitor m;
	struct metrics_buf b = {};
	struct parsed ps;
	int bad;

	fill_monitor(&m);
	CHECK_INT(metrics_file_format(&b, &m, NULL, 5 * S), 0);
	bad = parse(b.p, &ps);
	CHECK_INT(bad, 0);
	if (bad)
		fprintf(stderr, "%s", b.p);
	CHECK_STR(get(&ps, "llmwatch_records_total", NULL, NULL, NULL, NULL), "42");
	CHECK_STR(get(&ps, "llmwatch_events_total", "type", "open", "tool", weird_tool), "3");
	CHECK_STR(get(&ps, "llmwatch_alerts_total", "type", "open", "tool", weird_tool), "1");
	CHECK_STR(get(&ps, "llmwatch_events_total", "type", "connect", "tool", "ollama"), "1");
	CHECK_STR(get(&ps, "llmwatch_alerts_total", "type", "events_lost", "tool", ""), "1");
	CHECK(get(&ps, "llmwatch_events_total", "type", "exec", "tool", "ollama") == NULL);
	/* every kernel slot, zero or not, and every user-side counter */
	CHECK_STR(get(&ps, "llmwatch_kernel_lost_total", "type", "open", "reason", "ring_full"),
		  "7");
	CHECK_STR(get(&ps, "llmwatch_kernel_lost_total", "type", "connect", "reason", "map_full"),
		  "0");
	{
		size_t kernel = 0, user = 0;

		for (size_t i = 0; i < ps.n; i++) {
			kernel += !strcmp(ps.s[i].name, "llmwatch_kernel_lost_total");
			user += !strcmp(ps.s[i].name, "llmwatch_user_lost_total");
		}
		CHECK_INT(kernel, LW_LOSS_SLOTS);
		CHECK_INT(user, STATS_USER_LOSS_COUNTERS);
	}
	CHECK_STR(get(&ps, "llmwatch_user_lost_total", "counter", "output_errors", NULL, NULL),
		  "2");
	CHECK_STR(get(&ps, "llmwatch_user_lost_total", "counter", "names_dropped", NULL, NULL),
		  "1");
	CHECK_STR(get(&ps, "llmwatch_lost_total", NULL, NULL, NULL, NULL), "10");
	/* not a loss: its own counter, outside llmwatch_lost_total */
	CHECK_STR(get(&ps, "llmwatch_host_names_evicted_total", NULL, NULL, NULL, NULL), "6");
	CHECK_STR(get(&ps, "llmwatch_output_errors_total", "output", "json:/var/log/\"x\".json",
		      NULL, NULL),
		  "2");
	CHECK_STR(get(&ps, "llmwatch_watched_processes", NULL, NULL, NULL, NULL), "1");
	/* the ring's fill unknown: no number at all rather than a made-up one */
	CHECK(strstr(b.p, "ring_buffer") == NULL);
	metrics_buf_free(&b);

	m.stats.ring_size = 4096;
	m.stats.ring_used = 100;
	m.stats.ring_used_peak = 4000;
	CHECK_INT(metrics_file_format(&b, &m, NULL, 5 * S), 0);
	CHECK_INT(parse(b.p, &ps), 0);
	CHECK_STR(get(&ps, "llmwatch_ring_buffer_size_bytes", NULL, NULL, NULL, NULL), "4096");
	CHECK_STR(get(&ps, "llmwatch_ring_buffer_used_bytes", NULL, NULL, NULL, NULL), "100");
	CHECK_STR(get(&ps, "llmwatch_ring_buffer_used_peak_bytes", NULL, NULL, NULL, NULL), "4000");
	metrics_buf_free(&b);
	monitor_free(&m);
}

/* ---- the file ------------------------------------------------------------------------- */

static char *slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_file(void)
{
	char dir[] = "/tmp/lw-metrics-XXXXXX", path[128], tmp[140], victim[128], err[256];
	struct metrics_file *mf;
	struct monitor m;
	struct parsed ps;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/llmwatch.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fill_monitor(&m);

	mf = metrics_file_new(path, 15 * S, 1 * S, err, sizeof(err));
	CHECK(mf != NULL);
	if (!mf)
		return;
	CHECK_INT(metrics_file_write(mf, &m, 3 * S, true), 0);
	CHECK_INT(parse(slurp(path), &ps), 0);
	CHECK_STR(get(&ps, "llmwatch_events_total", "type", "open", "tool", weird_tool), "3");
	CHECK_STR(get(&ps, "llmwatch_uptime_seconds", NULL, NULL, NULL, NULL), "2");
	CHECK_STR(get(&ps, "llmwatch_metrics_write_errors_total", NULL, NULL, NULL, NULL), "0");
	CHECK(get(&ps, "llmwatch_metrics_last_write_timestamp_seconds", NULL, NULL, NULL, NULL) !=
	      NULL);
	CHECK(lstat(tmp, &st) != 0 && errno == ENOENT); /* nothing left behind */
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);

	/* not due yet; then due */
	evcount_add(&m.counts, LW_REC_OPEN, weird_tool, false);
	CHECK_INT(metrics_file_tick(mf, &m, 10 * S), 0);
	CHECK_INT(parse(slurp(path), &ps), 0);
	CHECK_STR(get(&ps, "llmwatch_events_total", "type", "open", "tool", weird_tool), "3");
	CHECK_INT(metrics_file_tick(mf, &m, 18 * S), 0);
	CHECK_INT(parse(slurp(path), &ps), 0);
	CHECK_STR(get(&ps, "llmwatch_events_total", "type", "open", "tool", weird_tool), "4");

	/* symlinks planted at PATH and PATH.tmp: replaced, never followed */
	{
		FILE *f = fopen(victim, "w");

		fputs("precious\n", f);
		fclose(f);
	}
	unlink(path);
	CHECK_INT(symlink(victim, path), 0);
	CHECK_INT(symlink(victim, tmp), 0);
	CHECK_INT(metrics_file_write(mf, &m, 40 * S, true), 0);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(lstat(tmp, &st) != 0);
	CHECK_STR(slurp(victim), "precious\n");
	CHECK_INT(parse(slurp(path), &ps), 0);

	/* a write that fails (the directory gone) is counted and leaves nothing half-done */
	unlink(path);
	unlink(victim);
	CHECK_INT(rmdir(dir), 0);
	CHECK(metrics_file_write(mf, &m, 50 * S, true) < 0);
	CHECK_INT(mf->write_errors, 1);
	metrics_file_free(mf);

	/* a directory that does not exist: refused at once, saying which */
	mf = metrics_file_new("/nonexistent-lw/dir/m.prom", S, 0, err, sizeof(err));
	CHECK(mf == NULL);
	CHECK(strstr(err, "/nonexistent-lw/dir") != NULL);
	mf = metrics_file_new("/tmp/", S, 0, err, sizeof(err));
	CHECK(mf == NULL);
	monitor_free(&m);
}

int main(void)
{
	if (timefmt_init())
		return 1;
	test_label_escaping();
	test_format_primitives();
	test_monitor_metrics();
	test_file();
	return check_summary("metrics");
}
