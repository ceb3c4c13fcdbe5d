// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTML report (docs/report-format.md): one self-contained file made from the report
 * document: a completeness banner, a timeline per process as inline SVG, then the tables.
 * No script, no fetch, no external style or font: the page forbids them itself (CSP), and it
 * reads the same offline in any browser. Every string of the document is untrusted and goes
 * out only through util/htmlesc (HTML text or a quoted title attribute); classes and colours
 * come from fixed tables here, never from the document. The document may come from a
 * report.json on disk, so every field may be missing or of the wrong type: that shows
 * "unknown", never a crash.
 */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/htmlesc.h"

/* The timeline's geometry, in SVG user units (the picture scales to the page's width). */
#define TL_WIDTH 1200
#define TL_LABEL 210 /* the lane labels' column */
#define TL_RIGHT 24
#define TL_AXIS 28
#define TL_LANE 40
/* Lanes drawn at most; the rest are counted under the picture (the tables hold them all). */
#define TL_MAX_LANES 200

#define NS_PER_S 1000000000LL

struct html {
	FILE *f;
	const cJSON *doc;
	bool have_span; /* t0, t1: the earliest and latest time of the document */
	int64_t t0, t1;
};

/* --- reading the document: wrong types read as absent ---------------------------------- */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* Whether o holds k as JSON null: "not known" in the contract, which some fields name. */
static bool jnull(const cJSON *o, const char *k)
{
	return cJSON_IsNull(jget(o, k));
}

static const cJSON *jarr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsArray(v) ? v : NULL;
}

/* An integer exactly representable in a double; anything else is absent. */
static bool jint(const cJSON *o, const char *k, long long *out)
{
	const cJSON *v = jget(o, k);
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
		return false;
	*out = (long long)d;
	return true;
}

/* 1 true, 0 false, -1 absent or not a bool. */
static int jbool(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/*
 * An RFC 3339 UTC time as the report writes it ("2026-12-05T10:35:16.123456789Z"), to
 * nanoseconds since the epoch. Strict: anything else is not a time.
 */
static bool parse_time(const char *s, int64_t *ns)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	int v[6] = { 0 }, field = 0;
	int64_t frac = 0, scale = NS_PER_S;
	struct tm tm = { 0 };
	time_t secs;
	size_t i;

	if (!s)
		return false;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[field] = v[field] * 10 + (s[i] - '0');
		} else if (s[i] != shape[i]) {
			return false;
		} else {
			field++;
		}
	}
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			return false;
		for (; s[i] >= '0' && s[i] <= '9'; i++) {
			if (scale > 1) {
				scale /= 10;
				frac += (s[i] - '0') * scale;
			}
		}
	}
	if (s[i] != 'Z' || s[i + 1] != '\0')
		return false;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return false;
	tm.tm_year = v[0] - 1900, tm.tm_mon = v[1] - 1, tm.tm_mday = v[2];
	tm.tm_hour = v[3], tm.tm_min = v[4], tm.tm_sec = v[5];
	secs = timegm(&tm);
	if (secs == (time_t)-1 || secs < 0 || secs > INT64_MAX / NS_PER_S - 1)
		return false;
	*ns = (int64_t)secs * NS_PER_S + frac;
	return true;
}

static bool jtime(const cJSON *o, const char *k, int64_t *ns)
{
	return parse_time(jstr(o, k), ns);
}

/* --- writing ----------------------------------------------------------------------------- */

static void put(struct html *h, const char *s)
{
	fputs(s, h->f);
}

__attribute__((format(printf, 2, 3))) static void putf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(h->f, fmt, ap);
	va_end(ap);
}

/* Untrusted text, escaped; "unknown" (marked as such) when absent. */
static void text(struct html *h, const char *s)
{
	if (s)
		html_escape_write(h->f, s, strlen(s));
	else
		put(h, "<span class=\"unk\">unknown</span>");
}

/* Untrusted text for a quoted attribute value or an SVG <title>: no markup of ours. */
static void plain(struct html *h, const char *s)
{
	html_escape_write(h->f, s ? s : "unknown", strlen(s ? s : "unknown"));
}

/* At most max bytes of the escaped form of s (cut whole, never inside an escape), "..." if cut. */
static void text_cut(struct html *h, const char *s, size_t max)
{
	char buf[128];

	if (!s) {
		put(h, "unknown");
		return;
	}
	if (max >= sizeof(buf))
		max = sizeof(buf) - 1;
	if (html_escape_str(buf, max + 1, s) > max) {
		put(h, buf);
		put(h, "\xe2\x80\xa6");
	} else {
		put(h, buf);
	}
}

/* A count with thousands separators, as the reasons write them. */
static void put_count(struct html *h, long long n)
{
	char digits[32], out[48];
	int len, o = 0;

	len = snprintf(digits, sizeof(digits), "%lld", n < 0 ? -n : n);
	if (n < 0)
		out[o++] = '-';
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	put(h, out);
}

static void put_int_or_unknown(struct html *h, const cJSON *o, const char *k)
{
	long long v;

	if (jint(o, k, &v))
		put_count(h, v);
	else
		text(h, NULL);
}

static void put_bytes(struct html *h, long long b)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b / 1024;
	int u = 0;

	if (b < 1024) {
		putf(h, "%lld B", b);
		return;
	}
	while (v >= 1024 && u < 3)
		v /= 1024, u++;
	putf(h, "<span title=\"%lld bytes\">%.1f %s</span>", b, v, units[u]);
}

/*
 * A time of the document: the time of day to the millisecond (the date too when it is not
 * the report's first day), the full string in the tooltip.
 */
static void put_time(struct html *h, const cJSON *o, const char *k, const char *if_null)
{
	const char *s = jstr(o, k);
	int64_t ns;
	time_t secs;
	struct tm tm;
	char day[16], tod[16];

	if (!s && if_null && jnull(o, k)) {
		putf(h, "<span class=\"unk\">%s</span>", if_null);
		return;
	}
	if (!parse_time(s, &ns)) {
		text(h, s);
		return;
	}
	secs = (time_t)(ns / NS_PER_S);
	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	strftime(tod, sizeof(tod), "%H:%M:%S", &tm);
	put(h, "<span class=\"t\" title=\"");
	plain(h, s);
	put(h, "\">");
	if (!h->have_span || ns / NS_PER_S / 86400 != h->t0 / NS_PER_S / 86400)
		putf(h, "%s ", day);
	putf(h, "%s.%03lld</span>", tod, (long long)(ns % NS_PER_S / 1000000));
}

/* "comm (pid)" of a process reference, the tool in the tooltip. */
static void put_proc_ref(struct html *h, const cJSON *p)
{
	long long pid;

	put(h, "<span class=\"proc\" title=\"tool: ");
	plain(h, jstr(p, "tool"));
	put(h, "\">");
	text(h, jstr(p, "comm"));
	if (jint(p, "pid", &pid))
		putf(h, " (%lld)", pid);
	else
		put(h, " (pid unknown)");
	put(h, "</span>");
}

static void put_proc_list(struct html *h, const cJSON *arr)
{
	const cJSON *p;
	bool first = true;

	if (!arr) {
		text(h, NULL);
		return;
	}
	cJSON_ArrayForEach(p, arr)
	{
		if (!first)
			put(h, ", ");
		put_proc_ref(h, p);
		first = false;
	}
	if (first)
		put(h, "none");
}

/* A list of strings (rule ids, tags), each escaped; non-strings show as unknown. */
static void put_str_list(struct html *h, const cJSON *arr)
{
	const cJSON *v;
	bool first = true;

	if (!arr) {
		text(h, NULL);
		return;
	}
	cJSON_ArrayForEach(v, arr)
	{
		if (!first)
			put(h, " ");
		put(h, "<code>");
		text(h, cJSON_IsString(v) ? v->valuestring : NULL);
		put(h, "</code>");
		first = false;
	}
	if (first)
		put(h, "none");
}

/* --- the fixed vocabularies: names from the document select one of ours --------------- */

struct word {
	const char *name;  /* as the document says it */
	const char *cls;   /* our CSS class */
	const char *color; /* our colour in the timeline */
};

static const struct word severities[] = {
	{ "critical", "sev-critical", "#862e9c" }, { "high", "sev-high", "#e03131" },
	{ "medium", "sev-medium", "#f08c00" },	   { "low", "sev-low", "#1971c2" },
	{ "info", "sev-info", "#868e96" },
};
static const struct word classifications[] = {
	{ "telemetry", "cls-telemetry", "#e8590c" },
	{ "unknown", "cls-unknown", "#7048e8" },
	{ "update", "cls-update", "#1c7ed6" },
	{ "model-download", "cls-model", "#2f9e44" },
};
static const struct word categories[] = {
	{ "credentials", "cat-credentials", "#c92a2a" },
	{ "documents", "cat-documents", "#e8590c" },
	{ "model", "cat-model", "#2f9e44" },
	{ "tool", "cat-tool", "#495057" },
	{ "other", "cat-other", "#adb5bd" },
};
static const struct word unknown_word = { NULL, "unknown-word", "#343a40" };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The rank of s in words (its sort order), or n when s is absent or not one of them. */
static size_t word_rank(const struct word *words, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(words[i].name, s) == 0)
			return i;
	return n;
}

static const struct word *word_of(const struct word *words, size_t n, const char *s)
{
	size_t r = word_rank(words, n, s);

	return r < n ? &words[r] : &unknown_word;
}

/* A badge: our class, the document's word escaped (it may be one we do not know). */
static void put_badge(struct html *h, const struct word *words, size_t n, const char *s)
{
	putf(h, "<span class=\"badge %s\">", word_of(words, n, s)->cls);
	text(h, s);
	put(h, "</span>");
}

/* --- sorting: a stable order by a rank the caller computes ------------------------------ */

struct ranked {
	const cJSON *item;
	int rank;
	int idx;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The items of arr sorted by rank(item), ties in document order; *n set. NULL: none or ENOMEM. */
static struct ranked *sort_items(const cJSON *arr, int (*rank)(const cJSON *), int *n)
{
	struct ranked *v;
	const cJSON *it;
	int i = 0;

	*n = arr ? cJSON_GetArraySize(arr) : 0;
	if (*n <= 0)
		return NULL;
	v = calloc((size_t)*n, sizeof(*v));
	if (!v) {
		*n = -1;
		return NULL;
	}
	cJSON_ArrayForEach(it, arr)
	{
		if (i >= *n)
			break;
		v[i].item = it, v[i].rank = rank(it), v[i].idx = i;
		i++;
	}
	*n = i;
	qsort(v, (size_t)i, sizeof(*v), ranked_cmp);
	return v;
}

static int alert_rank(const cJSON *a)
{
	return (int)word_rank(severities, N_OF(severities), jstr(a, "severity"));
}

static int endpoint_rank(const cJSON *e)
{
	return (int)word_rank(classifications, N_OF(classifications), jstr(e, "classification"));
}

static int listener_rank(const cJSON *l)
{
	int r = jbool(l, "reachable");

	return r == 1 ? 0 : r == -1 ? 1 : 2; /* reachable, not known, not reachable */
}

static int file_rank(const cJSON *fl)
{
	int cat = (int)word_rank(categories, N_OF(categories), jstr(fl, "category"));

	return (jbool(fl, "flagged") == 1 ? 0 : 100) + cat;
}

/* --- page frame ------------------------------------------------------------------------- */

static const char page_style[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,"
	"sans-serif;color:#212529;background:#f8f9fa}"
	"main{max-width:1400px;margin:0 auto;padding:20px 28px 40px}"
	"h1{font-size:24px;margin:4px 0 2px}h2{font-size:18px;margin:28px 0 8px;"
	"border-bottom:2px solid #dee2e6;padding-bottom:4px}"
	".sub{color:#495057;margin:0 0 14px}"
	"code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
	"font-size:12.5px}"
	".banner{border-radius:8px;padding:14px 18px;margin:14px 0;border:2px solid}"
	".banner .verdict{font-size:20px;font-weight:700}"
	".banner ul{margin:6px 0 0 0;padding-left:22px}"
	".banner.complete{background:#ebfbee;border-color:#2f9e44;color:#1b5e20}"
	".banner.incomplete{background:#fff5f5;border-color:#e03131;color:#8b1a1a}"
	".banner.unknown{background:#fff9db;border-color:#f08c00;color:#7a4a00}"
	".banner .lost{margin-top:6px;font-size:13px}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}"
	".card{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:8px 14px;"
	"min-width:120px}"
	".card b{display:block;font-size:22px}.card span{color:#495057;font-size:12px}"
	".card span.badge{color:#fff}"
	"table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dee2e6}"
	"th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e9ecef}"
	"th{background:#e9ecef;font-size:12px;text-transform:uppercase;letter-spacing:.03em}"
	"td.n{text-align:right;white-space:nowrap}"
	"td.path,td.addr,td.hash{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,"
	"monospace;font-size:12.5px}"
	"td.path{overflow-wrap:anywhere;min-width:140px}td.addr{white-space:nowrap}"
	"td.hash{word-break:break-all;max-width:260px}td.hash .unk{word-break:normal}"
	"tr.hot{background:#fff0f0}tr.hot td:first-child{border-left:4px solid #e03131}"
	"tr.none td{color:#868e96;font-style:italic}"
	".t{white-space:nowrap}.unk{color:#868e96;font-style:italic}"
	".badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;"
	"font-weight:600;color:#fff;background:#495057;white-space:nowrap}"
	".sev-critical{background:#862e9c}.sev-high{background:#e03131}"
	".sev-medium{background:#f08c00}.sev-low{background:#1971c2}.sev-info{background:#868e96}"
	".cls-telemetry{background:#e8590c}.cls-unknown{background:#7048e8}"
	".cls-update{background:#1c7ed6}.cls-model{background:#2f9e44}"
	".cat-credentials{background:#c92a2a}.cat-documents{background:#e8590c}"
	".cat-model{background:#2f9e44}.cat-tool{background:#495057}"
	".cat-other{background:#adb5bd;color:#212529}"
	".unknown-word{background:#343a40}"
	".yes{color:#c92a2a;font-weight:700}.ok{color:#2f9e44;font-weight:600}"
	".arg{background:#f1f3f5;border-radius:3px;padding:0 3px;margin-right:3px}"
	".timeline{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:6px}"
	".timeline svg.timeline-svg{display:block;width:100%;height:auto}"
	".legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:#495057;"
	"margin:6px 2px}"
	".legend span{white-space:nowrap}.legend svg{vertical-align:middle;margin-right:4px}"
	"details.more{margin-top:8px}details.more summary{cursor:pointer;color:#1864ab;"
	"padding:6px 2px;font-weight:600}"
	".eval{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:8px 14px}"
	"footer{margin-top:30px;color:#868e96;font-size:12px}";

static void page_head(struct html *h)
{
	put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	/* the page asks for nothing outside itself, and says so to the browser */
	put(h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'; img-src data:\">\n");
	put(h, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	put(h, "<meta name=\"generator\" content=\"");
	plain(h, jstr(h->doc, "generator"));
	put(h, "\">\n<title>llmwatch evaluation report</title>\n<style>");
	put(h, page_style);
	put(h, "</style>\n</head>\n<body>\n<main>\n");
}

/*
 * The command `llmwatch eval` ran (the document's "evaluation"; null in `llmwatch report`'s
 * documents, and then nothing is shown): its arguments, whom it ran as, and how it ended.
 */
static void evaluation(struct html *h)
{
	const cJSON *ev = jget(h->doc, "evaluation"), *arg;
	long long pid, uid, status, sig;

	if (!cJSON_IsObject(ev))
		return;
	put(h, "<p class=\"eval\">Evaluated command: ");
	if (jarr(ev, "command")) {
		cJSON_ArrayForEach(arg, jarr(ev, "command"))
		{
			put(h, "<code class=\"arg\">");
			text(h, cJSON_IsString(arg) ? arg->valuestring : NULL);
			put(h, "</code> ");
		}
	} else {
		text(h, NULL);
	}
	put(h, "<br>as ");
	if (jstr(ev, "user"))
		text(h, jstr(ev, "user"));
	else
		put(h, "a user with no name");
	if (jint(ev, "uid", &uid))
		putf(h, " (uid %lld)", uid);
	if (jint(ev, "pid", &pid))
		putf(h, ", pid %lld", pid);
	put(h, ", its events named ");
	text(h, jstr(ev, "tool"));
	put(h, " &middot; ");
	if (jbool(ev, "stopped") == 1)
		put(h, "<b class=\"yes\">stopped by a second Ctrl-C before the tree ended (its "
		       "processes were killed)</b>");
	else if (jint(ev, "exit_status", &status))
		putf(h, "exited with status %lld", status);
	else if (jint(ev, "signal", &sig))
		putf(h, "<b class=\"yes\">killed by signal %lld</b>", sig);
	else
		put(h, "<span class=\"unk\">its end was not seen</span>");
	put(h, "</p>\n");
}

/* The title and what the report covers: hosts, time span, captures. */
static void page_title(struct html *h)
{
	const cJSON *caps = jarr(h->doc, "captures"), *c;
	bool first = true;

	put(h, "<header>\n<h1>llmwatch evaluation report</h1>\n<p class=\"sub\">");
	put(h, "Host ");
	cJSON_ArrayForEach(c, caps)
	{
		if (!first)
			put(h, ", ");
		put(h, "<b>");
		text(h, jstr(c, "host"));
		put(h, "</b>");
		first = false;
	}
	if (first)
		text(h, NULL);
	if (h->have_span) {
		double secs = (double)(h->t1 - h->t0) / NS_PER_S;
		time_t t0 = (time_t)(h->t0 / NS_PER_S);
		struct tm tm;
		char when[32];

		gmtime_r(&t0, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		putf(h, " &middot; from %s, %.3f s of activity", when, secs);
	}
	putf(h, " &middot; %d capture file%s</p>\n", caps ? cJSON_GetArraySize(caps) : 0,
	     caps && cJSON_GetArraySize(caps) == 1 ? "" : "s");
	evaluation(h);
	put(h, "</header>\n");
}

/* --- the completeness banner ------------------------------------------------------------ */

/* The non-zero counters of an object of counters, "name N, name N"; false if none. */
static bool put_counters(struct html *h, const cJSON *obj)
{
	const cJSON *v;
	bool any = false;

	if (!cJSON_IsObject(obj))
		return false;
	cJSON_ArrayForEach(v, obj)
	{
		long long n;

		if (!cJSON_IsNumber(v) || v->valuedouble == 0)
			continue;
		if (any)
			put(h, ", ");
		text(h, v->string);
		put(h, " ");
		n = isfinite(v->valuedouble) && fabs(v->valuedouble) < 9e15 ?
			    (long long)v->valuedouble :
			    -1;
		if (n >= 0)
			put_count(h, n);
		else
			text(h, NULL);
		any = true;
	}
	return any;
}

static void banner(struct html *h)
{
	const cJSON *c = jget(h->doc, "completeness");
	const char *verdict = jstr(c, "verdict");
	const cJSON *reasons = jarr(c, "reasons"), *lost = jget(c, "lost"), *r, *w;
	const char *cls;
	long long total;

	if (verdict && strcmp(verdict, "complete") == 0)
		cls = "complete";
	else if (verdict && strcmp(verdict, "incomplete") == 0)
		cls = "incomplete";
	else
		cls = "unknown";
	putf(h, "<section class=\"banner %s\" id=\"completeness\">\n<div class=\"verdict\">", cls);
	if (strcmp(cls, "complete") == 0)
		put(h, "Capture complete: nothing was lost, every chain is intact and sealed");
	else if (strcmp(cls, "incomplete") == 0)
		put(h, "INCOMPLETE capture: this report may miss what the tool did");
	else
		put(h, "Completeness unknown: the report does not say whether events were lost");
	put(h, "</div>\n");
	if (reasons && cJSON_GetArraySize(reasons) > 0) {
		put(h, "<ul>\n");
		cJSON_ArrayForEach(r, reasons)
		{
			put(h, "<li>");
			text(h, cJSON_IsString(r) ? r->valuestring : NULL);
			put(h, "</li>\n");
		}
		put(h, "</ul>\n");
	} else if (strcmp(cls, "complete") != 0) {
		put(h, "<ul><li>no reasons given</li></ul>\n");
	}
	if (cJSON_IsObject(lost)) {
		put(h, "<div class=\"lost\">Events lost: ");
		if (jint(lost, "total", &total))
			put_count(h, total);
		else
			text(h, NULL);
		put(h, " &middot; by type: ");
		if (!put_counters(h, jget(lost, "by_type")))
			put(h, "none");
		put(h, " &middot; by reason: ");
		if (!put_counters(h, jget(lost, "by_reason")))
			put(h, "none");
		put(h, " &middot; in user space: ");
		if (!put_counters(h, jget(lost, "user")))
			put(h, "none");
		if (jint(lost, "capture_writer", &total) && total > 0) {
			put(h, " &middot; not written to the capture: ");
			put_count(h, total);
		}
		cJSON_ArrayForEach(w, jarr(lost, "windows"))
		{
			put(h, "<br>lost ");
			put_int_or_unknown(h, w, "lost");
			put(h, " between ");
			put_time(h, w, "from", NULL);
			put(h, " and ");
			put_time(h, w, "to", NULL);
		}
		put(h, "</div>\n");
	}
	put(h, "</section>\n");
}

/* --- summary cards ---------------------------------------------------------------------- */

static void card(struct html *h, const cJSON *summary, const char *key, const cJSON *arr,
		 const char *label)
{
	long long n;

	put(h, "<div class=\"card\"><b>");
	if (jint(summary, key, &n))
		put_count(h, n);
	else if (arr)
		put_count(h, cJSON_GetArraySize(arr));
	else
		text(h, NULL);
	putf(h, "</b><span>%s</span></div>\n", label);
}

static void cards(struct html *h)
{
	const cJSON *s = jget(h->doc, "summary"), *by = jget(s, "alerts_by_severity");

	put(h, "<section class=\"cards\">\n");
	card(h, s, "processes", jarr(h->doc, "processes"), "processes");
	card(h, s, "endpoints", jarr(h->doc, "endpoints"), "remote endpoints");
	card(h, s, "listeners", jarr(h->doc, "listeners"), "listeners");
	card(h, s, "file_reads", jarr(h->doc, "files"), "file reads");
	card(h, s, "alerts", jarr(h->doc, "alerts"), "alerts");
	for (size_t i = 0; i < N_OF(severities); i++) {
		long long n;

		if (jint(by, severities[i].name, &n) && n > 0)
			putf(h,
			     "<div class=\"card\"><b>%lld</b><span><span class=\"badge %s\">%s"
			     "</span> alerts</span></div>\n",
			     n, severities[i].cls, severities[i].name);
	}
	put(h, "</section>\n");
}

/* --- the timeline ----------------------------------------------------------------------- */

struct lane {
	long long pid;
	const cJSON *proc; /* the PROCESS, or the first reference to a pid it lacks */
};

struct lanes {
	struct lane *v;
	int n, cap, undrawn;
};

static int lane_find(const struct lanes *ls, long long pid)
{
	for (int i = 0; i < ls->n; i++)
		if (ls->v[i].pid == pid)
			return i;
	return -1;
}

static void lane_add(struct lanes *ls, const cJSON *p)
{
	long long pid;

	if (!jint(p, "pid", &pid) || lane_find(ls, pid) >= 0)
		return;
	if (ls->n >= TL_MAX_LANES) {
		ls->undrawn++;
		return;
	}
	if (ls->n == ls->cap) {
		int cap = ls->cap ? ls->cap * 2 : 16;
		struct lane *v = realloc(ls->v, (size_t)cap * sizeof(*v));

		if (!v) {
			ls->undrawn++;
			return;
		}
		ls->v = v, ls->cap = cap;
	}
	ls->v[ls->n].pid = pid;
	ls->v[ls->n].proc = p;
	ls->n++;
}

/* One lane per process: the PROCESS list first, then pids only other sections name. */
static void lanes_collect(struct html *h, struct lanes *ls)
{
	static const char *const with_list[] = { "endpoints", "files" };
	static const char *const with_pid[] = { "listeners", "alerts" };
	const cJSON *it, *p;

	cJSON_ArrayForEach(it, jarr(h->doc, "processes"))
	{
		lane_add(ls, it);
	}
	for (size_t s = 0; s < N_OF(with_list); s++) {
		cJSON_ArrayForEach(it, jarr(h->doc, with_list[s]))
		{
			cJSON_ArrayForEach(p, jarr(it, "processes"))
			{
				lane_add(ls, p);
			}
		}
	}
	for (size_t s = 0; s < N_OF(with_pid); s++) {
		cJSON_ArrayForEach(it, jarr(h->doc, with_pid[s]))
		{
			lane_add(ls, it);
		}
	}
}

/* Widens the document's time span by the time at o.k, if it is one. */
static void span_add(struct html *h, const cJSON *o, const char *k)
{
	int64_t t;

	if (!jtime(o, k, &t))
		return;
	if (!h->have_span || t < h->t0)
		h->t0 = t;
	if (!h->have_span || t > h->t1)
		h->t1 = t;
	h->have_span = true;
}

static void span_collect(struct html *h)
{
	static const struct {
		const char *section, *k1, *k2;
	} times[] = {
		{ "captures", "start", "end" },	  { "processes", "started", "exited" },
		{ "endpoints", "first", "last" }, { "listeners", "first", NULL },
		{ "files", "first", "last" },	  { "alerts", "first", "last" },
	};
	const cJSON *it;

	for (size_t i = 0; i < N_OF(times); i++)
		cJSON_ArrayForEach(it, jarr(h->doc, times[i].section))
		{
			span_add(h, it, times[i].k1);
			if (times[i].k2)
				span_add(h, it, times[i].k2);
		}
}

static double tl_x(const struct html *h, int64_t t)
{
	double plot = TL_WIDTH - TL_LABEL - TL_RIGHT;

	if (h->t1 <= h->t0)
		return TL_LABEL + plot / 2;
	return TL_LABEL + plot * (double)(t - h->t0) / (double)(h->t1 - h->t0);
}

static double lane_y(int lane)
{
	return TL_AXIS + (double)lane * TL_LANE;
}

/* The time at o.k as an x, or the fallback time when it is not known. */
static double tl_x_of(const struct html *h, const cJSON *o, const char *k, int64_t fallback)
{
	int64_t t;

	return tl_x(h, jtime(o, k, &t) ? t : fallback);
}

/* Relative time of an axis tick: the unit follows the tick step. */
static void put_offset(struct html *h, double secs, double step)
{
	if (step >= 86400)
		putf(h, "+%gd", secs / 86400);
	else if (step >= 1800)
		putf(h, "+%gh", secs / 3600);
	else if (step >= 60)
		putf(h, "+%gmin", secs / 60);
	else if (step >= 1)
		putf(h, "+%gs", secs);
	else
		putf(h, "+%gms", secs * 1000);
}

static void tl_axis(struct html *h, int height)
{
	static const double steps[] = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,	0.1,   0.2,  0.5,
					1,     2,     5,     10,   15,	 30,	60,    120,  300,
					600,   900,   1800,  3600, 7200, 21600, 43200, 86400 };
	double span = (double)(h->t1 - h->t0) / NS_PER_S;
	/* past the table (a capture of weeks, or a time that is wrong): whole days, <= 8 ticks */
	double step = ceil(span / 8 / 86400) * 86400;

	for (size_t i = 0; i < N_OF(steps); i++)
		if (span / steps[i] <= 8) {
			step = steps[i];
			break;
		}
	if (step <= 0)
		step = 1;
	for (int i = 0; i * step <= span + 1e-9 && i <= 64; i++) {
		double x = tl_x(h, h->t0 + (int64_t)(i * step * NS_PER_S));

		putf(h,
		     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e9ecef\"/>"
		     "<text x=\"%.1f\" y=\"18\" font-size=\"13\" fill=\"#495057\" "
		     "text-anchor=\"middle\">",
		     x, TL_AXIS - 6, x, height - 4, x);
		put_offset(h, i * step, step);
		put(h, "</text>\n");
	}
}

/* The lane's label and the process's life, from start (or the span's) to exit (or its end). */
static void tl_lane(struct html *h, int i, const struct lane *ln)
{
	const cJSON *p = ln->proc;
	double y = lane_y(i), x0 = tl_x_of(h, p, "started", h->t0),
	       x1 = tl_x_of(h, p, "exited", h->t1);

	if (i % 2)
		putf(h, "<rect x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f8f9fa\"/>\n",
		     y, TL_WIDTH, TL_LANE);
	putf(h, "<text x=\"8\" y=\"%.1f\" font-size=\"14\" fill=\"#212529\">", y + 18);
	put(h, "<title>");
	plain(h, jstr(p, "comm"));
	putf(h, " (pid %lld), tool ", ln->pid);
	plain(h, jstr(p, "tool"));
	put(h, ": ");
	plain(h, jstr(p, "exe"));
	put(h, "</title>");
	text_cut(h, jstr(p, "comm"), 22);
	putf(h, " <tspan fill=\"#868e96\">%lld</tspan></text>\n", ln->pid);
	putf(h, "<text x=\"8\" y=\"%.1f\" font-size=\"11\" fill=\"#868e96\">", y + 33);
	text_cut(h, jstr(p, "tool"), 30);
	put(h, "</text>\n");
	putf(h,
	     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"#dbe4ff\">"
	     "<title>",
	     x0, y + 4, x1 - x0 < 2 ? 2 : x1 - x0, TL_LANE - 8);
	plain(h, jstr(p, "comm"));
	putf(h, " (pid %lld): started ", ln->pid);
	plain(h, jstr(p, "started") ? jstr(p, "started") : "before the capture");
	put(h, ", exited ");
	plain(h, jstr(p, "exited") ? jstr(p, "exited") : "not before the end");
	put(h, "</title></rect>\n");
}

/* A connection to an endpoint: dots at its first and last time joined by a bar. */
static void tl_endpoint(struct html *h, const struct lanes *ls, const cJSON *e)
{
	const struct word *w =
		word_of(classifications, N_OF(classifications), jstr(e, "classification"));
	double x0 = tl_x_of(h, e, "first", h->t0), x1 = tl_x_of(h, e, "last", h->t0);
	const cJSON *p;
	long long pid, port, bytes;

	cJSON_ArrayForEach(p, jarr(e, "processes"))
	{
		int lane;
		double y;

		if (!jint(p, "pid", &pid) || (lane = lane_find(ls, pid)) < 0)
			continue;
		y = lane_y(lane) + 21;
		putf(h, "<g class=\"mark-connect\" fill=\"%s\" stroke=\"%s\"><title>connect: ",
		     w->color, w->color);
		plain(h, jstr(e, "host") ? jstr(e, "host") : "(no name seen)");
		put(h, " ");
		plain(h, jstr(e, "address"));
		if (jint(e, "port", &port))
			putf(h, ":%lld", port);
		put(h, "/");
		plain(h, jstr(e, "protocol"));
		put(h, ", ");
		plain(h, jstr(e, "classification"));
		if (jint(e, "bytes_sent", &bytes))
			putf(h, ", %lld bytes sent", bytes);
		put(h, ", first ");
		plain(h, jstr(e, "first"));
		put(h, ", last ");
		plain(h, jstr(e, "last"));
		put(h, "</title>");
		if (x1 - x0 >= 1)
			putf(h,
			     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			     "stroke-width=\"3\"/>",
			     x0, y, x1, y);
		putf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\"/>", x0, y);
		if (x1 - x0 >= 1)
			putf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\"/>", x1, y);
		put(h, "</g>\n");
	}
}

static void tl_listener(struct html *h, const struct lanes *ls, const cJSON *l)
{
	int reach = jbool(l, "reachable"), lane;
	const char *color = reach == 1 ? "#e03131" : reach == 0 ? "#495057" : "#f08c00";
	long long pid, port;
	double x, y;

	if (!jint(l, "pid", &pid) || (lane = lane_find(ls, pid)) < 0)
		return;
	x = tl_x_of(h, l, "first", h->t0);
	y = lane_y(lane) + 21;
	putf(h,
	     "<polygon class=\"mark-listen\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
	     "fill=\"%s\" stroke=\"#fff\"><title>",
	     x, y - 8, x + 8, y, x, y + 8, x - 8, y, color);
	put(h, jbool(l, "listened") == 1 ? "listening on " : "bound to ");
	plain(h, jstr(l, "address"));
	if (jint(l, "port", &port))
		putf(h, ":%lld", port);
	put(h, "/");
	plain(h, jstr(l, "protocol"));
	put(h, reach == 1 ? ", REACHABLE from the network" :
	       reach == 0 ? ", not reachable from the network" :
			    ", reachability unknown");
	put(h, ", at ");
	plain(h, jstr(l, "first"));
	put(h, "</title></polygon>\n");
}

static void tl_file(struct html *h, const struct lanes *ls, const cJSON *fl)
{
	const struct word *w = word_of(categories, N_OF(categories), jstr(fl, "category"));
	bool flagged = jbool(fl, "flagged") == 1;
	double x0 = tl_x_of(h, fl, "first", h->t0), x1 = tl_x_of(h, fl, "last", h->t0);
	double half = flagged ? 3 : 1.5, tall = flagged ? 14 : 10;
	const cJSON *p;
	long long pid, opens;

	cJSON_ArrayForEach(p, jarr(fl, "processes"))
	{
		int lane;
		double y;

		if (!jint(p, "pid", &pid) || (lane = lane_find(ls, pid)) < 0)
			continue;
		y = lane_y(lane) + 32;
		putf(h, "<g class=\"mark-file\" fill=\"%s\"%s><title>", w->color,
		     flagged ? " stroke=\"#000\" stroke-width=\"1\"" : "");
		put(h, flagged ? "FLAGGED file " : "file ");
		plain(h, jstr(fl, "path"));
		put(h, " (");
		plain(h, jstr(fl, "category"));
		if (jint(fl, "opens", &opens))
			putf(h, ", %lld opens", opens);
		put(h, "), first ");
		plain(h, jstr(fl, "first"));
		put(h, ", last ");
		plain(h, jstr(fl, "last"));
		put(h, "</title>");
		putf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\"/>", x0 - half,
		     y - tall / 2, half * 2, tall);
		if (x1 - x0 >= 2 * half + 1)
			putf(h,
			     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"2\"/>"
			     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\"/>",
			     x0, y - 1, x1 - x0, x1 - half, y - tall / 2, half * 2, tall);
		put(h, "</g>\n");
	}
}

static void tl_alert(struct html *h, const struct lanes *ls, const cJSON *a)
{
	const struct word *w = word_of(severities, N_OF(severities), jstr(a, "severity"));
	long long pid, count;
	int lane;
	double x0, x1, y;

	if (!jint(a, "pid", &pid) || (lane = lane_find(ls, pid)) < 0)
		return;
	x0 = tl_x_of(h, a, "first", h->t0);
	x1 = tl_x_of(h, a, "last", h->t0);
	y = lane_y(lane) + 2;
	putf(h, "<g class=\"mark-alert\" fill=\"%s\" stroke=\"#fff\"><title>", w->color);
	plain(h, jstr(a, "severity"));
	put(h, " alert ");
	plain(h, jstr(a, "rule"));
	put(h, ": ");
	plain(h, jstr(a, "message"));
	if (jint(a, "count", &count))
		putf(h, " (%lld times)", count);
	put(h, ", first ");
	plain(h, jstr(a, "first"));
	put(h, ", last ");
	plain(h, jstr(a, "last"));
	put(h, "</title>");
	/* the repeats: a thin line to a smaller triangle at the last one */
	if (x1 - x0 >= 8)
		putf(h,
		     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"1.5\" stroke=\"none\"/>"
		     "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>",
		     x0, y + 1, x1 - x0, x1 - 5, y, x1 + 5, y, x1, y + 8);
	putf(h, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>", x0 - 7, y, x0 + 7, y, x0,
	     y + 11);
	put(h, "</g>\n");
}

static void legend_item(struct html *h, const char *shape, const char *color, const char *label)
{
	putf(h, "<span><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\">");
	if (strcmp(shape, "dot") == 0)
		putf(h, "<circle cx=\"7\" cy=\"7\" r=\"5\" fill=\"%s\"/>", color);
	else if (strcmp(shape, "diamond") == 0)
		putf(h, "<polygon points=\"7,0 14,7 7,14 0,7\" fill=\"%s\"/>", color);
	else if (strcmp(shape, "tick") == 0)
		putf(h, "<rect x=\"5\" y=\"1\" width=\"4\" height=\"12\" fill=\"%s\"/>", color);
	else
		putf(h, "<polygon points=\"1,2 13,2 7,13\" fill=\"%s\"/>", color);
	putf(h, "</svg>%s</span>", label);
}

static void timeline(struct html *h)
{
	struct lanes ls = { 0 };
	const cJSON *it;
	int height;
	char label[64];

	put(h, "<h2 id=\"timeline\">Timeline</h2>\n");
	lanes_collect(h, &ls);
	if (!h->have_span || ls.n == 0) {
		putf(h, "<p class=\"unk\">Nothing to draw: %s.</p>\n",
		     ls.n == 0 ? "no process is known" : "no time in the report can be read");
		free(ls.v);
		return;
	}
	height = TL_AXIS + ls.n * TL_LANE + 6;
	put(h, "<div class=\"timeline\">\n");
	putf(h,
	     "<svg class=\"timeline-svg\" "
	     "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	     "aria-label=\"timeline of %d processes\">\n",
	     TL_WIDTH, height, TL_WIDTH, height, ls.n);
	tl_axis(h, height);
	for (int i = 0; i < ls.n; i++)
		tl_lane(h, i, &ls.v[i]);
	cJSON_ArrayForEach(it, jarr(h->doc, "files"))
	{
		tl_file(h, &ls, it);
	}
	cJSON_ArrayForEach(it, jarr(h->doc, "endpoints"))
	{
		tl_endpoint(h, &ls, it);
	}
	cJSON_ArrayForEach(it, jarr(h->doc, "listeners"))
	{
		tl_listener(h, &ls, it);
	}
	cJSON_ArrayForEach(it, jarr(h->doc, "alerts"))
	{
		tl_alert(h, &ls, it);
	}
	put(h, "</svg>\n<div class=\"legend\">");
	for (size_t i = 0; i < N_OF(classifications); i++) {
		snprintf(label, sizeof(label), "connect: %s", classifications[i].name);
		legend_item(h, "dot", classifications[i].color, label);
	}
	legend_item(h, "diamond", "#e03131", "listener reachable");
	legend_item(h, "diamond", "#495057", "listener local");
	for (size_t i = 0; i < N_OF(categories); i++) {
		snprintf(label, sizeof(label), "file: %s", categories[i].name);
		legend_item(h, "tick", categories[i].color, label);
	}
	for (size_t i = 0; i < N_OF(severities); i++) {
		snprintf(label, sizeof(label), "alert: %s", severities[i].name);
		legend_item(h, "triangle", severities[i].color, label);
	}
	put(h, "</div>\n");
	if (ls.undrawn)
		putf(h,
		     "<p class=\"unk\">%d more processes are not drawn; the tables list them.</p>\n",
		     ls.undrawn);
	put(h, "</div>\n");
	free(ls.v);
}

/* --- the tables ------------------------------------------------------------------------- */

static void table_open(struct html *h, const char *id, const char *title, const char *heads)
{
	putf(h, "<h2 id=\"%s\">%s</h2>\n<table class=\"%s\">\n<thead><tr>", id, title, id);
	for (const char *p = heads; *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		putf(h, "<th>%.*s</th>", (int)n, p);
		p += n + (bar ? 1 : 0);
	}
	put(h, "</tr></thead>\n<tbody>\n");
}

static void table_close(struct html *h, int rows, int cols, const char *none)
{
	if (rows == 0)
		putf(h, "<tr class=\"none\"><td colspan=\"%d\">%s</td></tr>\n", cols, none);
	else if (rows < 0)
		putf(h, "<tr class=\"none\"><td colspan=\"%d\">out of memory</td></tr>\n", cols);
	put(h, "</tbody>\n</table>\n");
}

static void td_text(struct html *h, const char *cls, const char *s)
{
	putf(h, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	text(h, s);
	put(h, "</td>");
}

static void td_int(struct html *h, const cJSON *o, const char *k)
{
	put(h, "<td class=\"n\">");
	put_int_or_unknown(h, o, k);
	put(h, "</td>");
}

/* An identifier (a pid): no thousands separators. */
static void td_id(struct html *h, const cJSON *o, const char *k)
{
	long long v;

	put(h, "<td class=\"n\">");
	if (jint(o, k, &v))
		putf(h, "%lld", v);
	else
		text(h, NULL);
	put(h, "</td>");
}

static void td_time(struct html *h, const cJSON *o, const char *k, const char *if_null)
{
	put(h, "<td>");
	put_time(h, o, k, if_null);
	put(h, "</td>");
}

static void td_yesno(struct html *h, const cJSON *o, const char *k, const char *yes, const char *no,
		     bool yes_is_bad)
{
	int b = jbool(o, k);

	if (b == 1)
		putf(h, "<td><span class=\"%s\">%s</span></td>", yes_is_bad ? "yes" : "ok", yes);
	else if (b == 0)
		putf(h, "<td>%s</td>", no);
	else
		td_text(h, NULL, NULL);
}

static void alerts_table(struct html *h)
{
	int n;
	struct ranked *v = sort_items(jarr(h->doc, "alerts"), alert_rank, &n);

	table_open(h, "alerts", "Alerts", "Severity|Rule|Message|Process|Count|First|Last|Tags");
	for (int i = 0; i < n; i++) {
		const cJSON *a = v[i].item;

		put(h, "<tr><td>");
		put_badge(h, severities, N_OF(severities), jstr(a, "severity"));
		put(h, "</td><td><code>");
		text(h, jstr(a, "rule"));
		put(h, "</code></td>");
		td_text(h, NULL, jstr(a, "message"));
		put(h, "<td>");
		put_proc_ref(h, a);
		put(h, "</td>");
		td_int(h, a, "count");
		td_time(h, a, "first", NULL);
		td_time(h, a, "last", NULL);
		put(h, "<td>");
		put_str_list(h, jarr(a, "tags"));
		put(h, "</td></tr>\n");
	}
	table_close(h, n, 8, "No alert.");
	free(v);
}

static void endpoints_table(struct html *h)
{
	int n;
	struct ranked *v = sort_items(jarr(h->doc, "endpoints"), endpoint_rank, &n);

	table_open(h, "endpoints", "Remote endpoints",
		   "Host|Address|How known|Classification|Connections (failed)|Sent|First|Last|"
		   "Processes|Rules");
	for (int i = 0; i < n; i++) {
		const cJSON *e = v[i].item;
		long long port, conns, failed, bytes;

		put(h, "<tr><td class=\"path\">");
		if (jstr(e, "host"))
			text(h, jstr(e, "host"));
		else if (jnull(e, "host"))
			put(h, "<span class=\"unk\">no name seen</span>");
		else
			text(h, NULL);
		put(h, "</td><td class=\"addr\">");
		text(h, jstr(e, "address"));
		if (jint(e, "port", &port))
			putf(h, ":%lld", port);
		else
			put(h, ":<span class=\"unk\">unknown</span>");
		put(h, "/");
		text(h, jstr(e, "protocol"));
		put(h, "</td>");
		if (!jstr(e, "host_source") && jnull(e, "host_source"))
			put(h, "<td><span class=\"unk\">not named</span></td>");
		else
			td_text(h, NULL, jstr(e, "host_source"));
		put(h, "<td>");
		put_badge(h, classifications, N_OF(classifications), jstr(e, "classification"));
		put(h, "</td><td class=\"n\">");
		if (jint(e, "connections", &conns))
			put_count(h, conns);
		else
			text(h, NULL);
		if (jint(e, "failed", &failed) && failed > 0)
			putf(h, " (%lld failed)", failed);
		put(h, "</td><td class=\"n\">");
		if (jint(e, "bytes_sent", &bytes) && bytes >= 0)
			put_bytes(h, bytes);
		else
			text(h, NULL);
		put(h, "</td>");
		td_time(h, e, "first", NULL);
		td_time(h, e, "last", NULL);
		put(h, "<td>");
		put_proc_list(h, jarr(e, "processes"));
		put(h, "</td><td>");
		put_str_list(h, jarr(e, "rules"));
		put(h, "</td></tr>\n");
	}
	table_close(h, n, 10, "No remote endpoint.");
	free(v);
}

static void listeners_table(struct html *h)
{
	int n;
	struct ranked *v = sort_items(jarr(h->doc, "listeners"), listener_rank, &n);

	table_open(
		h, "listeners", "Listeners",
		"Address|Reachable from the network|Network namespace|State|Process|First|Rules");
	for (int i = 0; i < n; i++) {
		const cJSON *l = v[i].item;
		long long port;
		int reach = jbool(l, "reachable");

		put(h, reach == 1 ? "<tr class=\"hot\">" : "<tr>");
		put(h, "<td class=\"addr\">");
		text(h, jstr(l, "address"));
		if (jint(l, "port", &port))
			putf(h, ":%lld", port);
		else
			put(h, ":<span class=\"unk\">unknown</span>");
		put(h, "/");
		text(h, jstr(l, "protocol"));
		put(h, "</td>");
		if (reach == -1 && jnull(l, "reachable"))
			put(h, "<td><span class=\"unk\">unknown (namespace not known)</span></td>");
		else
			td_yesno(h, l, "reachable", "YES", "no (loopback or another namespace)",
				 true);
		td_text(h, NULL, jstr(l, "netns"));
		td_yesno(h, l, "listened", "listening", "bound only", false);
		put(h, "<td>");
		put_proc_ref(h, l);
		put(h, "</td>");
		td_time(h, l, "first", NULL);
		put(h, "<td>");
		put_str_list(h, jarr(l, "rules"));
		put(h, "</td></tr>\n");
	}
	table_close(h, n, 7, "No listener.");
	free(v);
}

static void file_row(struct html *h, const cJSON *fl)
{
	long long opens, failed;
	bool flagged = jbool(fl, "flagged") == 1;

	put(h, flagged ? "<tr class=\"hot\">" : "<tr>");
	td_text(h, "path", jstr(fl, "path"));
	put(h, "<td>");
	put_badge(h, categories, N_OF(categories), jstr(fl, "category"));
	put(h, "</td>");
	td_yesno(h, fl, "flagged", "FLAGGED", "no", true);
	put(h, "<td class=\"n\">");
	if (jint(fl, "opens", &opens))
		put_count(h, opens);
	else
		text(h, NULL);
	if (jint(fl, "failed", &failed) && failed > 0)
		putf(h, " (%lld failed)", failed);
	put(h, "</td>");
	td_yesno(h, fl, "write", "for writing", "read only", true);
	td_time(h, fl, "first", NULL);
	td_time(h, fl, "last", NULL);
	put(h, "<td>");
	put_proc_list(h, jarr(fl, "processes"));
	put(h, "</td><td>");
	put_str_list(h, jarr(fl, "rules"));
	put(h, "</td></tr>\n");
}

/* Past this many, the unflagged "other" files (libraries, locales) fold under a summary. */
#define FILES_OTHER_SHOWN 10

static void files_table(struct html *h)
{
	static const char heads[] =
		"Path|Category|Flagged|Opens (failed)|Mode|First|Last|Processes|Rules";
	const int other = 100 + (int)word_rank(categories, N_OF(categories), "other");
	int n, k = 0;
	struct ranked *v = sort_items(jarr(h->doc, "files"), file_rank, &n);

	/* what a person should read first: everything but the unflagged "other" files */
	while (k < n && v[k].rank < other)
		k++;
	if (n - k <= FILES_OTHER_SHOWN)
		k = n;
	table_open(h, "files", "Files opened", heads);
	for (int i = 0; i < k; i++)
		file_row(h, v[i].item);
	table_close(h, n < 0 ? n : k, 9,
		    n == 0 ? "No file opened." : "Only the other files below.");
	if (k < n) {
		/* folded, not dropped: the browser opens it, and it is in the page for search */
		putf(h,
		     "<details class=\"more\"><summary>%d other files, not flagged (libraries, "
		     "locales, configuration...)</summary>\n<table class=\"files-other\">\n"
		     "<thead><tr>",
		     n - k);
		for (const char *p = heads; *p;) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);

			putf(h, "<th>%.*s</th>", (int)len, p);
			p += len + (bar ? 1 : 0);
		}
		put(h, "</tr></thead>\n<tbody>\n");
		for (int i = k; i < n; i++)
			file_row(h, v[i].item);
		put(h, "</tbody>\n</table>\n</details>\n");
	}
	free(v);
}

static void processes_table(struct html *h)
{
	const cJSON *p, *arg, *argv;
	int rows = 0;

	table_open(h, "processes", "Processes",
		   "PID|Parent|Name|Tool|Executable|SHA-256|Arguments|Tree root|Started|Exited");
	cJSON_ArrayForEach(p, jarr(h->doc, "processes"))
	{
		long long code;

		put(h, "<tr>");
		td_id(h, p, "pid");
		td_id(h, p, "ppid");
		td_text(h, NULL, jstr(p, "comm"));
		td_text(h, NULL, jstr(p, "tool"));
		td_text(h, "path", jstr(p, "exe"));
		if (!jstr(p, "sha256") && jnull(p, "sha256"))
			put(h,
			    "<td class=\"hash\"><span class=\"unk\">not in the capture</span></td>");
		else
			td_text(h, "hash", jstr(p, "sha256"));
		put(h, "<td class=\"path\">");
		argv = jarr(p, "argv");
		if (!argv && jnull(p, "argv"))
			put(h, "<span class=\"unk\">not in the capture</span>");
		else if (!argv)
			text(h, NULL);
		cJSON_ArrayForEach(arg, argv)
		{
			put(h, "<span class=\"arg\">");
			text(h, cJSON_IsString(arg) ? arg->valuestring : NULL);
			put(h, "</span> ");
		}
		put(h, "</td>");
		td_id(h, p, "root");
		td_time(h, p, "started", "running at start");
		put(h, "<td>");
		put_time(h, p, "exited", "running at end");
		/* as wait(2) reports it: the exit status times 256, or the signal */
		if (jint(p, "exit_code", &code) && code >= 0 && code <= 0xffff)
			putf(h, (code & 0x7f) ? " (signal %lld)" : " (exit %lld)",
			     (code & 0x7f) ? code & 0x7f : code >> 8);
		else if (jint(p, "exit_code", &code))
			putf(h, " (status %lld)", code);
		put(h, "</td></tr>\n");
		rows++;
	}
	table_close(h, rows, 10, "No process.");
}

static void captures_table(struct html *h)
{
	const cJSON *c;
	int rows = 0;

	table_open(h, "captures", "Capture files",
		   "File|Host|Kernel|Written by|Versions|Start|End|Blocks|Records|Chain|Sealed|"
		   "Torn tail|Skipped blocks");
	cJSON_ArrayForEach(c, jarr(h->doc, "captures"))
	{
		const char *chain = jstr(c, "chain");
		bool broken = chain && strcmp(chain, "intact") != 0;
		long long fv, rv, bad, skipped;

		put(h, broken || jbool(c, "sealed") != 1 || jbool(c, "torn_tail") != 0 ?
			       "<tr class=\"hot\">" :
			       "<tr>");
		td_text(h, "path", jstr(c, "file"));
		td_text(h, NULL, jstr(c, "host"));
		td_text(h, NULL, jstr(c, "kernel"));
		td_text(h, NULL, jstr(c, "llmwatch"));
		put(h, "<td>format ");
		if (jint(c, "format_version", &fv))
			putf(h, "%lld", fv);
		else
			text(h, NULL);
		put(h, ", records ");
		if (jint(c, "record_version", &rv))
			putf(h, "%lld", rv);
		else
			text(h, NULL);
		put(h, "</td>");
		td_time(h, c, "start", "no record");
		td_time(h, c, "end", "no record");
		td_int(h, c, "blocks");
		td_int(h, c, "records");
		put(h, "<td>");
		if (chain && strcmp(chain, "intact") == 0) {
			put(h, "<span class=\"ok\">intact</span>");
		} else {
			put(h, "<span class=\"yes\">");
			text(h, chain);
			put(h, "</span>");
			if (jint(c, "first_bad_block", &bad))
				putf(h, " from block %lld", bad);
		}
		put(h, "</td>");
		td_yesno(h, c, "sealed", "sealed", "<span class=\"yes\">NOT sealed</span>", false);
		td_yesno(h, c, "torn_tail", "TORN", "no", true);
		put(h, "<td class=\"n\">");
		if (jint(c, "skipped_blocks", &skipped))
			putf(h, skipped ? "<span class=\"yes\">%lld</span>" : "%lld", skipped);
		else
			text(h, NULL);
		put(h, "</td></tr>\n");
		if (jstr(c, "error")) {
			put(h,
			    "<tr class=\"hot\"><td colspan=\"13\">Reading stopped before the end: ");
			text(h, jstr(c, "error"));
			put(h, "</td></tr>\n");
		}
		rows++;
	}
	table_close(h, rows, 13, "No capture file.");
}

static void page_foot(struct html *h)
{
	long long ver;

	put(h, "<footer>Made by ");
	text(h, jstr(h->doc, "generator"));
	put(h, " &middot; report version ");
	if (jint(h->doc, "report_version", &ver))
		putf(h, "%lld", ver);
	else
		text(h, NULL);
	putf(h,
	     " (this page understands version %d) &middot; a self-contained page: it loads "
	     "nothing from anywhere</footer>\n</main>\n</body>\n</html>\n",
	     REPORT_VERSION);
}

int report_write_html(FILE *f, const cJSON *doc)
{
	struct html h = { .f = f, .doc = doc };

	if (!f || !doc)
		return -EINVAL;
	span_collect(&h);
	page_head(&h);
	page_title(&h);
	banner(&h);
	cards(&h);
	put(&h,
	    "<nav class=\"sub\">Jump to: <a href=\"#timeline\">timeline</a> &middot; "
	    "<a href=\"#alerts\">alerts</a> &middot; <a href=\"#endpoints\">endpoints</a> "
	    "&middot; <a href=\"#listeners\">listeners</a> &middot; <a href=\"#files\">files</a> "
	    "&middot; <a href=\"#processes\">processes</a> &middot; <a href=\"#captures\">"
	    "captures</a></nav>\n");
	timeline(&h);
	alerts_table(&h);
	endpoints_table(&h);
	listeners_table(&h);
	files_table(&h);
	processes_table(&h);
	captures_table(&h);
	page_foot(&h);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
