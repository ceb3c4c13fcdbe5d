// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view's panels (live_panels.h): the model's tables as rows of escaped text cut
 * to a width in display columns. Each pane is a list of columns with a priority; at a
 * narrow width the least important ones are left out, at a wide one the spare columns go
 * to the columns that can use them. A row is filtered on the text of all its columns, so
 * what a filter finds does not depend on the width.
 */
#include "live/live_panels.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stats.h"
#include "live/live_model_view.h"
#include "report/report_model.h"
#include "rules/rules.h"
#include "util/escape.h"
#include "util/utf8.h"

#define LP_COLS_MAX 12
#define LP_OPEN_WANT 40		 /* columns an open column takes before the others grow */
#define LP_CELL_MAX LIVE_ROW_MAX /* a cell longer than a row is cut anyway */

/* ---- display width --------------------------------------------------------------------- */

/* The columns a code point takes on a terminal: 0 for combining marks, 2 for wide ones. */
static unsigned cp_width(uint32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	    (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	    (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0x200b || cp == 0x200c || cp == 0x200d ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
	    (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

/*
 * Appends s (escaped: valid UTF-8) to dst[*len] (size bytes), at most cols display columns
 * and never half a character; pads with spaces to cols when pad. Returns the columns used.
 */
static size_t put_cut(char *dst, size_t size, size_t *len, const char *s, size_t cols, bool pad)
{
	size_t used = 0, left = strlen(s);

	while (left) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)s, left, &cp);
		unsigned w;

		/* not from the escaper (it never lets one through): one '?', never the raw byte */
		if (!n)
			cp = '?';
		w = cp_width(cp);
		if (used + w > cols || *len + (n ? n : 1) >= size)
			break;
		if (n) {
			memcpy(dst + *len, s, n);
			*len += n;
		} else {
			dst[(*len)++] = '?';
			n = 1;
		}
		used += w;
		s += n;
		left -= n;
	}
	while (pad && used < cols && *len + 1 < size) {
		dst[(*len)++] = ' ';
		used++;
	}
	dst[*len] = '\0';
	return used;
}

/* The escaped form of untrusted s into buf; NULL or "" gives dash. */
static const char *esc(char *buf, size_t size, const char *s, const char *dash)
{
	if (!s || !*s)
		return dash;
	escape_str(buf, size, s);
	return buf;
}

/* ---- columns --------------------------------------------------------------------------- */

struct lp_col {
	const char *title;
	uint16_t min, max; /* max 0: takes what is left */
	uint8_t prio;	   /* 0 first; higher ones go first when the width is short */
	bool right;
};

struct lp_layout {
	size_t n;
	const struct lp_col *cols;
	size_t w[LP_COLS_MAX]; /* 0: left out */
};

static void layout(struct lp_layout *l, const struct lp_col *cols, size_t n, size_t width)
{
	size_t used = 0, shown = 0;

	l->n = n;
	l->cols = cols;
	memset(l->w, 0, sizeof(l->w));
	for (uint8_t prio = 0; prio < 8; prio++) {
		for (size_t i = 0; i < n; i++) {
			size_t need = cols[i].min + (shown ? 1 : 0);

			if (cols[i].prio != prio || used + need > width)
				continue;
			l->w[i] = cols[i].min;
			used += need;
			shown++;
		}
	}
	/*
	 * What is left: first to the open column (a path, a message) up to a width where it
	 * reads well, then to the bounded columns that can grow, then the open one again.
	 */
	for (size_t i = 0; i < n && used < width; i++) {
		if (l->w[i] && !cols[i].max && l->w[i] < LP_OPEN_WANT) {
			size_t more = LP_OPEN_WANT - l->w[i];

			if (more > width - used)
				more = width - used;
			l->w[i] += more;
			used += more;
		}
	}
	for (uint8_t prio = 0; prio < 8 && used < width; prio++) {
		for (size_t i = 0; i < n && used < width; i++) {
			size_t more;

			if (!l->w[i] || cols[i].prio != prio || cols[i].max <= cols[i].min)
				continue;
			more = cols[i].max - l->w[i];
			if (more > width - used)
				more = width - used;
			l->w[i] += more;
			used += more;
		}
	}
	for (size_t i = 0; i < n && used < width; i++) {
		if (l->w[i] && !cols[i].max) {
			l->w[i] += width - used;
			used = width;
		}
	}
	/* a row narrower than its one column still shows that column, cut */
	if (!shown && n && width) {
		for (size_t i = 0; i < n; i++)
			if (!cols[i].prio)
				l->w[i] = width;
	}
}

/* Lays the cells out in row->text at the widths of l. */
static void join(const struct lp_layout *l, const char *const cells[], struct live_row *row)
{
	size_t len = 0, last = SIZE_MAX;

	for (size_t i = 0; i < l->n; i++)
		if (l->w[i])
			last = i;
	row->text[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		const char *c = cells[i] ? cells[i] : "";

		if (!l->w[i])
			continue;
		if (len && len + 1 < sizeof(row->text))
			row->text[len++] = ' ';
		if (l->cols[i].right) {
			char tmp[LP_CELL_MAX];
			size_t tl = 0, w = put_cut(tmp, sizeof(tmp), &tl, c, l->w[i], false);

			for (; w < l->w[i] && len + 1 < sizeof(row->text); w++)
				row->text[len++] = ' ';
			row->text[len] = '\0';
			put_cut(row->text, sizeof(row->text), &len, tmp, l->w[i], false);
		} else {
			put_cut(row->text, sizeof(row->text), &len, c, l->w[i], i != last);
		}
	}
	/* no trailing blanks: a right-aligned last column leaves none either */
	while (len && row->text[len - 1] == ' ')
		row->text[--len] = '\0';
}

/* Whether any cell contains filter, ignoring ASCII case. */
static bool matches(const char *const cells[], size_t n, const char *filter)
{
	if (!filter || !*filter)
		return true;
	for (size_t i = 0; i < n; i++)
		if (cells[i] && strcasestr(cells[i], filter))
			return true;
	return false;
}

/* ---- values as text -------------------------------------------------------------------- */

static const char *human_bytes(uint64_t b, char buf[16])
{
	static const char unit[] = "KMGTPE";
	double v = (double)b;
	size_t u = 0;

	if (b < 1024) {
		snprintf(buf, 16, "%" PRIu64, b);
		return buf;
	}
	/* b >= 1024: at least one step, so the unit is at least K */
	do {
		v /= 1024;
		u++;
	} while (v >= 1024 && u < sizeof(unit) - 1);
	snprintf(buf, 16, v < 10 ? "%.1f%c" : "%.0f%c", v, unit[u - 1]);
	return buf;
}

static const char *clock_hms(int64_t wall, char buf[16])
{
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;

	if (!wall || !localtime_r(&sec, &tm))
		return "--:--:--";
	snprintf(buf, 16, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

static const char *duration(int64_t ns, char buf[16])
{
	uint64_t s = ns > 0 ? (uint64_t)ns / 1000000000 : 0;

	if (s < 60)
		snprintf(buf, 16, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, 16, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, 16, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, 16, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
	return buf;
}

static uint8_t severity_attr(enum rules_severity s)
{
	switch (s) {
	case RULES_SEV_CRITICAL:
		return LIVE_ATTR_CRITICAL;
	case RULES_SEV_HIGH:
		return LIVE_ATTR_ALERT;
	case RULES_SEV_MEDIUM:
		return LIVE_ATTR_WARN;
	default:
		return LIVE_ATTR_INFO;
	}
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* ---- the panes' common frame ----------------------------------------------------------- */

/* Where a pane's rows go: counts them all, keeps first..first+max that pass the filter. */
struct lp_out {
	const struct live_query *q;
	struct lp_layout l;
	size_t first, max, total, written;
	struct live_row *out;
};

static void emit(struct lp_out *o, const char *const cells[], uint8_t attr, uint32_t pid)
{
	struct live_row *r;

	if (!matches(cells, o->l.n, o->q->filter))
		return;
	if (o->total++ < o->first || o->written >= o->max)
		return;
	r = &o->out[o->written++];
	join(&o->l, cells, r);
	r->attr = attr;
	r->pid = pid;
}

/* ---- processes ------------------------------------------------------------------------- */

enum {
	PC_NAME,
	PC_PID,
	PC_TOOL,
	PC_USER,
	PC_CONN,
	PC_OUT,
	PC_FILES,
	PC_LISTEN,
	PC_ALERTS,
	PC_UPTIME,
	PC_EXE,
	PC_N
};

static const struct lp_col proc_cols[PC_N] = {
	[PC_NAME] = { "PROCESS", 14, 24, 0, false },  [PC_PID] = { "PID", 7, 7, 0, true },
	[PC_TOOL] = { "TOOL", 8, 12, 0, false },      [PC_USER] = { "USER", 8, 10, 1, false },
	[PC_CONN] = { "CONN L/R", 8, 9, 0, true },    [PC_OUT] = { "OUT", 6, 7, 0, true },
	[PC_FILES] = { "FILES O/F", 9, 9, 0, true },  [PC_LISTEN] = { "LISTEN", 11, 13, 0, false },
	[PC_ALERTS] = { "ALRT", 4, 6, 0, true },      [PC_UPTIME] = { "UPTIME", 7, 7, 2, true },
	[PC_EXE] = { "EXECUTABLE", 10, 0, 3, false },
};

static const char *const proc_sorts[] = { "tree",  "alerts", "bytes out", "connections",
					  "files", "pid",    NULL };

struct lp_proc {
	struct live_proc_view v;
	size_t parent;	    /* index in the model, SIZE_MAX: a root */
	size_t child, next; /* first child and next sibling (indices), SIZE_MAX: none */
	uint32_t listeners, reachable, unknown;
	bool seen;
};

static unsigned proc_sort_key; /* qsort has no context: set just before it sorts */
static const struct lp_proc *proc_sort_base;

static int cmp_proc(const void *pa, const void *pb)
{
	const struct lp_proc *a = &proc_sort_base[*(const size_t *)pa];
	const struct lp_proc *b = &proc_sort_base[*(const size_t *)pb];
	int c = 0;

	switch (proc_sort_key) {
	case 1:
		c = cmp_u64_desc(a->v.alerts, b->v.alerts);
		break;
	case 2:
		c = cmp_u64_desc(a->v.bytes_out, b->v.bytes_out);
		break;
	case 3:
		c = cmp_u64_desc(a->v.conns_local + a->v.conns_remote,
				 b->v.conns_local + b->v.conns_remote);
		break;
	case 4:
		c = cmp_u64_desc(a->v.files_ordinary + a->v.files_flagged,
				 b->v.files_ordinary + b->v.files_flagged);
		break;
	case 5:
		break;
	default:
		c = cmp_i64(a->v.first, b->v.first);
		break;
	}
	return c ? c : a->v.pid < b->v.pid ? -1 : a->v.pid > b->v.pid;
}

static void proc_row(struct lp_out *o, const struct lp_proc *p, size_t depth)
{
	char name[LP_CELL_MAX], comm[LP_CELL_MAX], tool[LP_CELL_MAX], user[64], exe[LP_CELL_MAX];
	char pid[16], conn[48], out[16], files[48], listen[48], alerts[24], up[16];
	const char *cells[LP_COLS_MAX] = { 0 };
	uint8_t attr = LIVE_ATTR_NORMAL;
	size_t n = 0, indent = depth > 8 ? 8 : depth;

	/* a child is drawn under its parent: "`-" one step further in per generation */
	if (depth) {
		for (size_t i = 1; i < indent; i++)
			n += (size_t)snprintf(name + n, sizeof(name) - n, "  ");
		n += (size_t)snprintf(name + n, sizeof(name) - n, "`-");
	}
	snprintf(name + n, sizeof(name) - n, "%s", esc(comm, sizeof(comm), p->v.comm, "?"));
	snprintf(pid, sizeof(pid), "%u", p->v.pid);
	snprintf(conn, sizeof(conn), "%" PRIu64 "/%" PRIu64, p->v.conns_local, p->v.conns_remote);
	snprintf(files, sizeof(files), "%" PRIu64 "/%" PRIu64, p->v.files_ordinary,
		 p->v.files_flagged);
	if (p->reachable)
		snprintf(listen, sizeof(listen), "%u/%u LISTEN!", p->reachable, p->listeners);
	else if (p->unknown)
		snprintf(listen, sizeof(listen), "%u/%u ?", p->unknown, p->listeners);
	else if (p->listeners)
		snprintf(listen, sizeof(listen), "%u", p->listeners);
	else
		snprintf(listen, sizeof(listen), "-");
	snprintf(alerts, sizeof(alerts), "%" PRIu64, p->v.alerts);
	cells[PC_NAME] = name;
	cells[PC_PID] = pid;
	cells[PC_TOOL] = esc(tool, sizeof(tool), p->v.tool, "-");
	cells[PC_USER] = esc(user, sizeof(user), p->v.user, "?");
	cells[PC_CONN] = conn;
	cells[PC_OUT] = human_bytes(p->v.bytes_out, out);
	cells[PC_FILES] = files;
	cells[PC_LISTEN] = listen;
	cells[PC_ALERTS] = alerts;
	cells[PC_UPTIME] = duration(p->v.end - p->v.first, up);
	cells[PC_EXE] = esc(exe, sizeof(exe), p->v.exe, "-");
	if (p->v.exited)
		attr = LIVE_ATTR_DIM;
	else if (p->reachable)
		attr = LIVE_ATTR_EXPOSED;
	emit(o, cells, attr, p->v.pid);
}

static void processes(const struct live_model *m, struct lp_out *o)
{
	const struct report_model *rm = live_model_report(m);
	size_t n = live_model_procs(m), *order, *stack;
	struct report_model_counts c;
	struct lp_proc *p;

	if (!n)
		return;
	p = calloc(n, sizeof(*p));
	order = calloc(n, sizeof(*order));
	stack = calloc(n, sizeof(*stack));
	if (!p || !order || !stack)
		goto out;
	for (size_t i = 0; i < n; i++) {
		live_model_proc(m, i, &p[i].v);
		p[i].parent = live_model_proc_index(m, p[i].v.ppid);
		if (p[i].parent == i || !p[i].v.ppid)
			p[i].parent = SIZE_MAX;
		p[i].child = p[i].next = SIZE_MAX;
		order[i] = i;
	}
	report_model_counts(rm, &c);
	for (size_t i = 0; i < c.listeners; i++) {
		struct report_listener_view l;
		size_t ix;

		report_model_listener(rm, i, &l);
		ix = live_model_proc_index(m, l.pid);
		if (ix == SIZE_MAX)
			continue;
		p[ix].listeners++;
		p[ix].reachable += l.reachable == 1;
		p[ix].unknown += l.reachable < 0;
	}
	proc_sort_key = o->q->sort;
	proc_sort_base = p;
	if (n > 1)
		qsort(order, n, sizeof(*order), cmp_proc);
	/* children lists in sorted order: built back to front, each pushed at the head */
	for (size_t k = n; k-- > 0;) {
		size_t i = order[k];

		if (p[i].parent != SIZE_MAX) {
			p[i].next = p[p[i].parent].child;
			p[p[i].parent].child = i;
		}
	}
	/*
	 * Depth first from each root; a cycle of parents (pids used again) has no root, so
	 * what is left unseen after the roots is drawn from where the sorted order meets it.
	 */
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k], sp = 0;

			if (p[i].seen || (pass == 0 && p[i].parent != SIZE_MAX))
				continue;
			stack[sp++] = i;
			p[i].seen = true;
			/* stack holds the path; depth is its length - 1 */
			proc_row(o, &p[i], 0);
			while (sp) {
				size_t top = stack[sp - 1], ch = p[top].child;

				while (ch != SIZE_MAX && p[ch].seen)
					ch = p[ch].next;
				if (ch == SIZE_MAX) {
					sp--;
					continue;
				}
				p[top].child = p[ch].next; /* consumed: the next sibling is next */
				p[ch].seen = true;
				proc_row(o, &p[ch], sp);
				stack[sp++] = ch;
			}
		}
	}
out:
	free(p);
	free(order);
	free(stack);
}

/* ---- connections ----------------------------------------------------------------------- */

enum {
	CC_HOST,
	CC_VIA,
	CC_ADDR,
	CC_PORT,
	CC_SENT,
	CC_FIRST,
	CC_LAST,
	CC_CLASS,
	CC_CONNS,
	CC_PROC,
	CC_N
};

static const struct lp_col conn_cols[CC_N] = {
	[CC_HOST] = { "HOST", 20, 48, 0, false },    [CC_VIA] = { "VIA", 4, 4, 1, false },
	[CC_ADDR] = { "ADDRESS", 15, 39, 0, false }, [CC_PORT] = { "PORT", 5, 5, 0, true },
	[CC_SENT] = { "SENT", 6, 7, 0, true },	     [CC_FIRST] = { "FIRST", 8, 8, 3, false },
	[CC_LAST] = { "LAST", 8, 8, 2, false },	     [CC_CLASS] = { "CLASS", 14, 14, 0, false },
	[CC_CONNS] = { "CONNS", 5, 6, 4, true },     [CC_PROC] = { "PROCESS", 16, 0, 4, false },
};

static const char *const conn_sorts[] = { "last seen", "bytes sent", "class", "host", NULL };

static const char *const class_rank[] = { "telemetry", "unknown", "update", "model-download" };

struct lp_ep {
	size_t ix;
	struct report_endpoint_view v;
};

static unsigned conn_sort_key;

static int class_of(const char *c)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(c, class_rank[i]))
			return i;
	return 4;
}

static int cmp_ep(const void *pa, const void *pb)
{
	const struct lp_ep *a = pa, *b = pb;
	int c = 0;

	switch (conn_sort_key) {
	case 1:
		c = cmp_u64_desc(a->v.bytes_sent, b->v.bytes_sent);
		break;
	case 2:
		c = class_of(a->v.classification) - class_of(b->v.classification);
		break;
	case 3:
		c = strcmp(a->v.host ? a->v.host : "\x7f", b->v.host ? b->v.host : "\x7f");
		break;
	default:
		c = -cmp_i64(a->v.last, b->v.last);
		break;
	}
	return c ? c : a->ix < b->ix ? -1 : a->ix > b->ix;
}

static void connections(const struct live_model *m, struct lp_out *o)
{
	const struct report_model *rm = live_model_report(m);
	struct report_model_counts c;
	struct lp_ep *e;

	report_model_counts(rm, &c);
	if (!c.endpoints)
		return;
	e = calloc(c.endpoints, sizeof(*e));
	if (!e)
		return;
	for (size_t i = 0; i < c.endpoints; i++) {
		e[i].ix = i;
		report_model_endpoint(rm, i, &e[i].v);
	}
	conn_sort_key = o->q->sort;
	if (c.endpoints > 1)
		qsort(e, c.endpoints, sizeof(*e), cmp_ep);
	for (size_t i = 0; i < c.endpoints; i++) {
		const struct report_endpoint_view *v = &e[i].v;
		char host[LP_CELL_MAX], addr[256], port[16], sent[16], first[16], last[16];
		char conns[24], proc[128], comm[80];
		const char *cells[LP_COLS_MAX] = { 0 };

		snprintf(port, sizeof(port), "%u", v->port);
		snprintf(conns, sizeof(conns), "%" PRIu64, v->connections);
		if (v->n_procs > 1)
			snprintf(proc, sizeof(proc), "%s:%u +%zu",
				 esc(comm, sizeof(comm), v->comm, "?"), v->pid, v->n_procs - 1);
		else
			snprintf(proc, sizeof(proc), "%s:%u", esc(comm, sizeof(comm), v->comm, "?"),
				 v->pid);
		cells[CC_HOST] = esc(host, sizeof(host), v->host, "-");
		cells[CC_VIA] = v->host && v->host_source ? v->host_source : "none";
		cells[CC_ADDR] = esc(addr, sizeof(addr), v->address, "-");
		cells[CC_PORT] = port;
		cells[CC_SENT] = human_bytes(v->bytes_sent, sent);
		cells[CC_FIRST] = clock_hms(v->first, first);
		cells[CC_LAST] = clock_hms(v->last, last);
		cells[CC_CLASS] = v->classification;
		cells[CC_CONNS] = conns;
		cells[CC_PROC] = proc;
		emit(o, cells, LIVE_ATTR_NORMAL, v->pid);
	}
	free(e);
}

/* ---- files ----------------------------------------------------------------------------- */

enum {
	FC_KIND,
	FC_OPENS,
	FC_FILES,
	FC_PROC,
	FC_LAST,
	FC_RULE,
	FC_PATH,
	FC_N
};

static const struct lp_col file_cols[FC_N] = {
	[FC_KIND] = { "KIND", 11, 11, 0, false }, [FC_OPENS] = { "OPENS", 6, 7, 1, true },
	[FC_FILES] = { "FILES", 5, 6, 2, true },  [FC_PROC] = { "PROCESS", 16, 24, 1, false },
	[FC_LAST] = { "LAST", 8, 8, 2, false },	  [FC_RULE] = { "RULE", 16, 28, 3, false },
	[FC_PATH] = { "PATH", 18, 0, 0, false },
};

static const char *const file_sorts[] = { "opens", "last", "path", NULL };

struct lp_file {
	const char *path;
	size_t dir_len; /* bytes of path before its last '/' (the directory) */
	bool flagged;
	uint64_t opens, files;
	int64_t last;
	size_t ix; /* flagged: the report's file */
};

static unsigned file_sort_key;

static int cmp_dir(const void *pa, const void *pb)
{
	const struct lp_file *a = pa, *b = pb;
	size_t n = a->dir_len < b->dir_len ? a->dir_len : b->dir_len;
	int c = memcmp(a->path, b->path, n);

	return c ? c : a->dir_len < b->dir_len ? -1 : a->dir_len > b->dir_len;
}

static int cmp_file_row(const void *pa, const void *pb)
{
	const struct lp_file *a = pa, *b = pb;
	int c = 0;

	if (a->flagged != b->flagged)
		return a->flagged ? -1 : 1;
	switch (file_sort_key) {
	case 1:
		c = -cmp_i64(a->last, b->last);
		break;
	case 2:
		break;
	default:
		c = cmp_u64_desc(a->opens, b->opens);
		break;
	}
	if (c)
		return c;
	c = cmp_dir(a, b);
	return c ? c : strcmp(a->path, b->path);
}

static void files(const struct live_model *m, struct lp_out *o)
{
	const struct report_model *rm = live_model_report(m);
	struct report_model_counts c;
	struct lp_file *f, *rows;
	size_t nf = 0, nr = 0;

	report_model_counts(rm, &c);
	if (!c.files)
		return;
	f = calloc(c.files, sizeof(*f));
	rows = calloc(c.files, sizeof(*rows));
	if (!f || !rows)
		goto out;
	for (size_t i = 0; i < c.files; i++) {
		struct report_file_view v;
		const char *slash;
		struct lp_file *x;

		report_model_file(rm, i, &v);
		slash = strrchr(v.path, '/');
		x = v.flagged ? &rows[nr++] : &f[nf++];
		*x = (struct lp_file){ .path = v.path,
				       .dir_len = slash ? (size_t)(slash - v.path) : 0,
				       .flagged = v.flagged,
				       .opens = v.opens,
				       .files = 1,
				       .last = v.last,
				       .ix = i };
	}
	/* the ordinary reads, one row per directory */
	if (nf > 1)
		qsort(f, nf, sizeof(*f), cmp_dir);
	for (size_t i = 0; i < nf;) {
		struct lp_file *d = &rows[nr++];
		size_t j = i + 1;

		*d = f[i];
		for (; j < nf && !cmp_dir(&f[i], &f[j]); j++) {
			d->opens += f[j].opens;
			d->files++;
			if (f[j].last > d->last)
				d->last = f[j].last;
		}
		i = j;
	}
	file_sort_key = o->q->sort;
	if (nr > 1)
		qsort(rows, nr, sizeof(*rows), cmp_file_row);
	for (size_t i = 0; i < nr; i++) {
		const struct lp_file *r = &rows[i];
		char path[LP_CELL_MAX], raw[LW_PATH_MAX + 2], opens[24], nfiles[24], last[16];
		char proc[128], comm[80], rule[256];
		const char *cells[LP_COLS_MAX] = { 0 };
		uint32_t pid = 0;

		snprintf(opens, sizeof(opens), "%" PRIu64, r->opens);
		snprintf(nfiles, sizeof(nfiles), "%" PRIu64, r->files);
		cells[FC_OPENS] = opens;
		cells[FC_FILES] = nfiles;
		cells[FC_LAST] = clock_hms(r->last, last);
		if (r->flagged) {
			struct report_file_view v;

			report_model_file(rm, r->ix, &v);
			pid = v.pid;
			snprintf(proc, sizeof(proc), "%s:%u", esc(comm, sizeof(comm), v.comm, "?"),
				 v.pid);
			cells[FC_KIND] = v.category;
			cells[FC_PROC] = proc;
			cells[FC_RULE] = esc(rule, sizeof(rule), v.rule, "-");
			cells[FC_PATH] = esc(path, sizeof(path), v.path, "-");
		} else {
			snprintf(raw, sizeof(raw), "%.*s/", (int)r->dir_len, r->path);
			cells[FC_KIND] = "dir";
			cells[FC_PROC] = "-";
			cells[FC_RULE] = "-";
			cells[FC_PATH] = esc(path, sizeof(path), raw, "-");
		}
		emit(o, cells, r->flagged ? LIVE_ATTR_EXPOSED : LIVE_ATTR_NORMAL, pid);
	}
out:
	free(f);
	free(rows);
}

/* ---- alerts ---------------------------------------------------------------------------- */

enum {
	AC_TIME,
	AC_SEV,
	AC_COUNT,
	AC_RULE,
	AC_PROC,
	AC_MSG,
	AC_N
};

static const struct lp_col alert_cols[AC_N] = {
	[AC_TIME] = { "TIME", 8, 8, 0, false },	     [AC_SEV] = { "SEVERITY", 8, 8, 0, false },
	[AC_COUNT] = { "COUNT", 6, 7, 0, true },     [AC_RULE] = { "RULE", 16, 32, 0, false },
	[AC_PROC] = { "PROCESS", 16, 24, 1, false }, [AC_MSG] = { "MESSAGE", 20, 0, 0, false },
};

static const char *const alert_sorts[] = { "newest", "severity", "count", NULL };

struct lp_alert {
	size_t ix;
	struct report_alert_view v;
};

static unsigned alert_sort_key;

static int cmp_alert_row(const void *pa, const void *pb)
{
	const struct lp_alert *a = pa, *b = pb;
	int c = 0;

	if (alert_sort_key == 1)
		c = (int)b->v.severity - (int)a->v.severity;
	else if (alert_sort_key == 2)
		c = cmp_u64_desc(a->v.count, b->v.count);
	if (!c)
		c = -cmp_i64(a->v.last, b->v.last);
	return c ? c : a->ix > b->ix ? -1 : a->ix < b->ix;
}

static void alerts(const struct live_model *m, struct lp_out *o)
{
	const struct report_model *rm = live_model_report(m);
	struct report_model_counts c;
	struct lp_alert *a;

	report_model_counts(rm, &c);
	if (!c.alerts)
		return;
	a = calloc(c.alerts, sizeof(*a));
	if (!a)
		return;
	for (size_t i = 0; i < c.alerts; i++) {
		a[i].ix = i;
		report_model_alert(rm, i, &a[i].v);
	}
	alert_sort_key = o->q->sort;
	if (c.alerts > 1)
		qsort(a, c.alerts, sizeof(*a), cmp_alert_row);
	for (size_t i = 0; i < c.alerts; i++) {
		const struct report_alert_view *v = &a[i].v;
		char when[16], count[32], rule[256], proc[128], comm[80], msg[LP_CELL_MAX];
		const char *cells[LP_COLS_MAX] = { 0 };

		snprintf(count, sizeof(count), "x%" PRIu64, v->count);
		snprintf(proc, sizeof(proc), "%s:%u", esc(comm, sizeof(comm), v->comm, "?"),
			 v->pid);
		cells[AC_TIME] = clock_hms(v->last, when);
		cells[AC_SEV] = rules_severity_name(v->severity);
		cells[AC_COUNT] = count;
		cells[AC_RULE] = esc(rule, sizeof(rule), v->rule, "-");
		cells[AC_PROC] = proc;
		cells[AC_MSG] = esc(msg, sizeof(msg), v->message, "-");
		emit(o, cells, severity_attr(v->severity), v->pid);
	}
	free(a);
}

/* ---- one process's log ----------------------------------------------------------------- */

static const struct lp_col log_cols[1] = { { "TIME         TYPE       EVENT [RULES]", 1, 0, 0,
					     false } };

static const char *const log_sorts[] = { "oldest first", NULL };

static void process_log(const struct live_model *m, struct lp_out *o)
{
	const char *line;

	/* the lines were escaped when stored */
	for (size_t k = 0; (line = live_model_log_line(m, o->q->pid, k)); k++) {
		const char *cells[LP_COLS_MAX] = { line };

		emit(o, cells, LIVE_ATTR_NORMAL, 0);
	}
}

/* ---- the contract ---------------------------------------------------------------------- */

struct lp_pane {
	const char *title;
	const struct lp_col *cols;
	size_t n_cols;
	const char *const *sorts;
	void (*rows)(const struct live_model *m, struct lp_out *o);
};

static const struct lp_pane panes[LIVE_PANES] = {
	[LIVE_PANE_PROCESSES] = { "Processes", proc_cols, PC_N, proc_sorts, processes },
	[LIVE_PANE_CONNECTIONS] = { "Connections", conn_cols, CC_N, conn_sorts, connections },
	[LIVE_PANE_FILES] = { "Files", file_cols, FC_N, file_sorts, files },
	[LIVE_PANE_ALERTS] = { "Alerts", alert_cols, AC_N, alert_sorts, alerts },
	[LIVE_PANE_LOG] = { "Log", log_cols, 1, log_sorts, process_log },
};

const char *live_panel_title(enum live_pane pane)
{
	return (unsigned)pane < LIVE_PANES ? panes[pane].title : NULL;
}

const char *live_panel_sort_name(enum live_pane pane, unsigned k)
{
	const char *const *s;

	if ((unsigned)pane >= LIVE_PANES)
		return NULL;
	s = panes[pane].sorts;
	for (unsigned i = 0; i < k; i++)
		if (!s[i])
			return NULL;
	return s[k];
}

void live_panel_header(const struct live_query *q, struct live_row *row)
{
	const struct lp_pane *p;
	const char *titles[LP_COLS_MAX] = { 0 };
	struct lp_layout l;

	memset(row, 0, sizeof(*row));
	row->attr = LIVE_ATTR_HEADER;
	if ((unsigned)q->pane >= LIVE_PANES)
		return;
	p = &panes[q->pane];
	layout(&l, p->cols, p->n_cols, q->width);
	for (size_t i = 0; i < p->n_cols; i++)
		titles[i] = p->cols[i].title;
	join(&l, titles, row);
}

size_t live_panel_rows(const struct live_model *m, const struct live_query *q, size_t first,
		       struct live_row *out, size_t max, size_t *total)
{
	struct lp_out o = { .q = q, .first = first, .max = max, .out = out };
	const struct lp_pane *p;

	if (total)
		*total = 0;
	if ((unsigned)q->pane >= LIVE_PANES)
		return 0;
	p = &panes[q->pane];
	layout(&o.l, p->cols, p->n_cols, q->width);
	p->rows(m, &o);
	if (total)
		*total = o.total;
	return o.written;
}

/* ---- the status line ------------------------------------------------------------------- */

static void status_add(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void status_add(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len = *len + (size_t)k < size ? *len + (size_t)k : size - 1;
}

static const char *source_name(enum live_source s)
{
	switch (s) {
	case LIVE_SOURCE_DAEMON:
		return "daemon";
	case LIVE_SOURCE_CAPTURE:
		return "capture";
	default:
		return "programs";
	}
}

void live_panel_status(const struct live_model *m, size_t width, bool paused, uint64_t now_ns,
		       struct live_row *row)
{
	struct stats_loss_counter lc[STATS_LOSS_COUNTERS];
	const struct live_info *info = live_model_info(m);
	char buf[4 * LIVE_ROW_MAX], tmp[LIVE_ROW_MAX], up[16];
	uint64_t lost = 0, missed = live_model_missed(m);
	double rate = live_model_rate(m);
	size_t len = 0;

	memset(row, 0, sizeof(*row));
	buf[0] = '\0';
	stats_loss_counters(live_model_stats(m), lc);
	/* what must not be missed comes first: a narrow screen cuts the end */
	if (paused)
		status_add(buf, sizeof(buf), &len, "PAUSED | ");
	if (rate >= 10000)
		status_add(buf, sizeof(buf), &len, "%.0fk ev/s", rate / 1000);
	else
		status_add(buf, sizeof(buf), &len, "%.0f ev/s", rate);
	for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++)
		lost += lc[i].value;
	if (lost) {
		/* each counter that is not zero by its name; the others are the zero of "lost" */
		status_add(buf, sizeof(buf), &len, " | LOST %" PRIu64 ":", lost);
		for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++) {
			if (!lc[i].value)
				continue;
			if (lc[i].type)
				status_add(buf, sizeof(buf), &len, " %s/%s=%" PRIu64, lc[i].type,
					   lc[i].reason, lc[i].value);
			else
				status_add(buf, sizeof(buf), &len, " %s=%" PRIu64, lc[i].reason,
					   lc[i].value);
		}
		row->attr = LIVE_ATTR_LOSS;
	} else {
		status_add(buf, sizeof(buf), &len, " | lost 0");
	}
	status_add(buf, sizeof(buf), &len, " | %s %" PRIu64, missed ? "MISSED" : "missed", missed);
	if (missed)
		row->attr = LIVE_ATTR_LOSS;
	status_add(buf, sizeof(buf), &len, " | log drops %" PRIu64, live_model_log_dropped(m));
	/* not losses, but what the tables do not show one by one */
	if (live_model_stats(m)->alerts_folded)
		status_add(buf, sizeof(buf), &len, " | alerts folded %" PRIu64,
			   live_model_stats(m)->alerts_folded);
	if (live_model_stats(m)->names_evicted)
		status_add(buf, sizeof(buf), &len, " | names evicted %" PRIu64,
			   live_model_stats(m)->names_evicted);
	status_add(buf, sizeof(buf), &len, " | %s", source_name(info->source));
	if (info->where)
		status_add(buf, sizeof(buf), &len, " %s", esc(tmp, sizeof(tmp), info->where, "-"));
	status_add(buf, sizeof(buf), &len, " | up %s",
		   duration(now_ns > info->started_ns && info->started_ns ?
				    (int64_t)(now_ns - info->started_ns) :
				    0,
			    up));
	status_add(buf, sizeof(buf), &len, " | rules: %s",
		   esc(tmp, sizeof(tmp), info->rules, "none"));
	status_add(buf, sizeof(buf), &len, " | out: %s",
		   esc(tmp, sizeof(tmp), info->outputs, "none"));
	len = 0;
	put_cut(row->text, sizeof(row->text), &len, buf, width, false);
}
