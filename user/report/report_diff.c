// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch diff`'s model (docs/report-format.md, "Diff"): what report B holds that report A
 * does not, and the reverse, compared by the identity keys the format names. The reports
 * may come from files anyone wrote, so every field is checked for its type before use: an
 * item without its keys is counted as ignored (never dropped unsaid), a section of the
 * wrong type likewise, and nothing here trusts a length, a number or a string.
 */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

/* ---- identity keys --------------------------------------------------------------------- */

/*
 * A key is its fields laid end to end, each with its type and, for strings, its length,
 * so two different tuples never make the same bytes ("a|b" + "c" is not "a" + "b|c").
 */
struct keybuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void key_put(struct keybuf *k, const char *s, size_t n)
{
	if (k->oom)
		return;
	if (k->len + n + 1 > k->cap) {
		size_t cap = k->cap ? k->cap : 64;
		char *p;

		while (cap < k->len + n + 1)
			cap *= 2;
		p = realloc(k->p, cap);
		if (!p) {
			k->oom = true;
			return;
		}
		k->p = p;
		k->cap = cap;
	}
	memcpy(k->p + k->len, s, n);
	k->len += n;
	k->p[k->len] = '\0';
}

static void key_str(struct keybuf *k, const char *s)
{
	char head[32];
	size_t n = strlen(s);
	int h = snprintf(head, sizeof(head), "s%zu:", n);

	key_put(k, head, (size_t)h);
	key_put(k, s, n);
}

static void key_int(struct keybuf *k, long long v)
{
	char s[32];
	int n = snprintf(s, sizeof(s), "n%lld;", v);

	key_put(k, s, (size_t)n);
}

static const cJSON *field(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* A non-empty string field, else NULL. */
static const char *field_str(const cJSON *o, const char *name)
{
	const cJSON *v = field(o, name);

	return cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? v->valuestring : NULL;
}

/* Whether a field is null or left out (a value that is not known). */
static bool field_unknown(const cJSON *o, const char *name)
{
	const cJSON *v = field(o, name);

	return !v || cJSON_IsNull(v);
}

/* A port: an integer in 0..65535, else -1. */
static long field_port(const cJSON *o, const char *name)
{
	const cJSON *v = field(o, name);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 65535 || v->valuedouble != floor(v->valuedouble))
		return -1;
	return (long)v->valuedouble;
}

/* Each returns 1 when o is an item with its key in k, 0 when o is not one of this kind
 * (skipped, not counted), -1 when it lacks its keys or has them of the wrong type. */
typedef int (*key_fn)(const cJSON *o, struct keybuf *k);

/* An endpoint: by host when named, else by address; with port and protocol. */
static int key_endpoint(const cJSON *o, struct keybuf *k)
{
	const char *host = field_str(o, "host"), *addr = field_str(o, "address");
	const char *proto = field_str(o, "protocol");
	long port = field_port(o, "port");

	if (port < 0 || !proto)
		return -1;
	if (host) {
		key_str(k, "host");
		key_str(k, host);
	} else if (field_unknown(o, "host") && addr) {
		key_str(k, "address");
		key_str(k, addr);
	} else {
		return -1;
	}
	key_int(k, port);
	key_str(k, proto);
	return 1;
}

/* A listener: address, port, protocol and reachability (true, false or not known). */
static int key_listener(const cJSON *o, struct keybuf *k)
{
	const char *addr = field_str(o, "address"), *proto = field_str(o, "protocol");
	const cJSON *reach = field(o, "reachable");
	long port = field_port(o, "port");

	if (!addr || port < 0 || !proto)
		return -1;
	key_str(k, addr);
	key_int(k, port);
	key_str(k, proto);
	if (cJSON_IsBool(reach))
		key_str(k, cJSON_IsTrue(reach) ? "reachable" : "local");
	else if (!reach || cJSON_IsNull(reach))
		key_str(k, "unknown");
	else
		return -1;
	return 1;
}

static int key_file_category(const cJSON *o, struct keybuf *k)
{
	const char *cat = field_str(o, "category");

	if (!cat)
		return -1;
	key_str(k, cat);
	return 1;
}

/*
 * An executable: path and SHA-256 (not known is a value of its own, so a hash that became
 * known reads as one removed, one added). A process whose executable is not known is no
 * executable: skipped.
 */
static int key_executable(const cJSON *o, struct keybuf *k)
{
	const char *exe = field_str(o, "exe"), *sha = field_str(o, "sha256");

	if (!exe)
		return field_unknown(o, "exe") ? 0 : -1;
	key_str(k, exe);
	if (sha)
		key_str(k, sha);
	else if (field_unknown(o, "sha256"))
		key_int(k, 0);
	else
		return -1;
	return 1;
}

static int key_alert(const cJSON *o, struct keybuf *k)
{
	const char *rule = field_str(o, "rule");

	if (!rule)
		return -1;
	key_str(k, rule);
	return 1;
}

/* ---- one side's items, keyed ----------------------------------------------------------- */

struct entry {
	char *key;
	size_t keylen;
	size_t idx; /* the item's place in its section: output follows the document's order */
	const cJSON *obj;
};

struct side {
	struct entry *e;
	size_t n;
	long ignored;
};

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c = memcmp(a->key, b->key, n);

	if (c)
		return c;
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].key);
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

/* The keyed items of doc[section], sorted by key then place. Returns 0 or -ENOMEM. */
static int side_collect(struct side *s, const cJSON *doc, const char *section, key_fn key)
{
	const cJSON *arr = field(doc, section), *it;
	size_t n = 0, idx = 0;

	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		s->ignored++;
		return 0;
	}
	cJSON_ArrayForEach(it, arr) n++;
	if (!n)
		return 0;
	s->e = calloc(n, sizeof(*s->e));
	if (!s->e)
		return -ENOMEM;
	cJSON_ArrayForEach(it, arr)
	{
		struct keybuf k = {};
		int r = cJSON_IsObject(it) ? key(it, &k) : -1;

		if (k.oom) {
			free(k.p);
			return -ENOMEM;
		}
		if (r <= 0) {
			free(k.p);
			if (r < 0)
				s->ignored++;
			idx++;
			continue;
		}
		s->e[s->n++] = (struct entry){ k.p, k.len, idx++, it };
	}
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), entry_cmp);
	return 0;
}

/* ---- the kinds ------------------------------------------------------------------------- */

/* What one key stands for in the output: the items e[0..n) of one side that share it. */
typedef cJSON *(*build_fn)(const struct entry *e, size_t n);

/* The report's own object: the first one of the key in document order. */
static cJSON *build_first(const struct entry *e, size_t n)
{
	(void)n;
	return cJSON_Duplicate(e[0].obj, true);
}

/* A file category has no object of its own: its name and the report's files of it. */
static cJSON *build_category(const struct entry *e, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *files;

	if (!o || !cJSON_AddItemToObject(o, "category",
					 cJSON_Duplicate(field(e[0].obj, "category"), true)))
		goto oom;
	files = cJSON_AddArrayToObject(o, "files");
	if (!files)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		cJSON *f = cJSON_Duplicate(e[i].obj, true);

		if (!f || !cJSON_AddItemToArray(files, f)) {
			cJSON_Delete(f);
			goto oom;
		}
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

static const struct diff_kind {
	const char *name;    /* the key in "added" and "removed" */
	const char *section; /* the report's array it is made from */
	key_fn key;
	build_fn build;
} kinds[] = {
	{ "endpoints", "endpoints", key_endpoint, build_first },
	{ "listeners", "listeners", key_listener, build_first },
	{ "file_categories", "files", key_file_category, build_category },
	{ "executables", "processes", key_executable, build_first },
	{ "alerts", "alerts", key_alert, build_first },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* A run of equal keys: [lo, hi) of a side. */
struct group {
	size_t lo, hi, first_idx;
};

static int group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	return a->first_idx < b->first_idx ? -1 : a->first_idx > b->first_idx;
}

static size_t group_end(const struct side *s, size_t i)
{
	size_t j = i + 1;

	while (j < s->n && s->e[j].keylen == s->e[i].keylen &&
	       memcmp(s->e[j].key, s->e[i].key, s->e[i].keylen) == 0)
		j++;
	return j;
}

/* Whether side o holds key e. */
static bool side_has(const struct side *o, const struct entry *e)
{
	struct entry probe = *e;
	size_t lo = 0, hi = o->n;

	/* idx 0 sorts first among equal keys: the lower bound is the match, if any */
	probe.idx = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (entry_cmp(&o->e[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->e[lo].keylen == e->keylen &&
	       memcmp(o->e[lo].key, e->key, e->keylen) == 0;
}

/* The groups of s whose key o lacks, in s's document order, built into arr. */
static int only_in(const struct side *s, const struct side *o, build_fn build, cJSON *arr)
{
	struct group *g = s->n ? calloc(s->n, sizeof(*g)) : NULL;
	size_t ng = 0;

	if (s->n && !g)
		return -ENOMEM;
	for (size_t i = 0; i < s->n;) {
		size_t j = group_end(s, i);

		if (!side_has(o, &s->e[i]))
			g[ng++] = (struct group){ i, j, s->e[i].idx };
		i = j;
	}
	if (ng)
		qsort(g, ng, sizeof(*g), group_cmp);
	for (size_t i = 0; i < ng; i++) {
		cJSON *item = build(&s->e[g[i].lo], g[i].hi - g[i].lo);

		if (!item || !cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			free(g);
			return -ENOMEM;
		}
	}
	free(g);
	return 0;
}

/* {"captures": [file, ...]}: the captures a report says it was made from. */
static cJSON *run_of(const cJSON *doc)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "captures");
	const cJSON *caps = field(doc, "captures"), *c;
	const char *verdict;

	if (!arr) {
		cJSON_Delete(o);
		return NULL;
	}
	/* whether the run is all there: a diff of an incomplete one may miss what it did */
	verdict = field_str(field(doc, "completeness"), "verdict");
	if (!cJSON_AddItemToObject(o, "verdict",
				   verdict ? cJSON_CreateString(verdict) : cJSON_CreateNull())) {
		cJSON_Delete(o);
		return NULL;
	}
	if (!cJSON_IsArray(caps))
		return o;
	cJSON_ArrayForEach(c, caps)
	{
		const char *file = cJSON_IsObject(c) ? field_str(c, "file") : NULL;
		cJSON *v = file ? cJSON_CreateString(file) : cJSON_CreateNull();

		if (!v || !cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

cJSON *report_diff(const cJSON *a, const cJSON *b)
{
	cJSON *d = cJSON_CreateObject(), *added, *removed, *ignored;
	long ign_a = 0, ign_b = 0;

	if (!d || !cJSON_AddNumberToObject(d, "report_version", REPORT_VERSION) ||
	    !cJSON_AddItemToObject(d, "a", run_of(a)) || !cJSON_AddItemToObject(d, "b", run_of(b)))
		goto oom;
	added = cJSON_AddObjectToObject(d, "added");
	removed = cJSON_AddObjectToObject(d, "removed");
	if (!added || !removed)
		goto oom;
	for (size_t k = 0; k < N_KINDS; k++) {
		struct side sa = {}, sb = {};
		cJSON *add = cJSON_AddArrayToObject(added, kinds[k].name);
		cJSON *rem = cJSON_AddArrayToObject(removed, kinds[k].name);
		int err = !add || !rem ? -ENOMEM : 0;

		if (!err)
			err = side_collect(&sa, a, kinds[k].section, kinds[k].key);
		if (!err)
			err = side_collect(&sb, b, kinds[k].section, kinds[k].key);
		if (!err)
			err = only_in(&sb, &sa, kinds[k].build, add);
		if (!err)
			err = only_in(&sa, &sb, kinds[k].build, rem);
		ign_a += sa.ignored;
		ign_b += sb.ignored;
		side_free(&sa);
		side_free(&sb);
		if (err)
			goto oom;
	}
	/* items either report held that could not be compared: said, not dropped */
	ignored = cJSON_AddObjectToObject(d, "ignored");
	if (!ignored || !cJSON_AddNumberToObject(ignored, "a", (double)ign_a) ||
	    !cJSON_AddNumberToObject(ignored, "b", (double)ign_b))
		goto oom;
	return d;
oom:
	cJSON_Delete(d);
	errno = ENOMEM;
	return NULL;
}

int report_diff_check(const cJSON *doc, char *err, size_t errsz)
{
	const cJSON *v = field(doc, "report_version");

	if (!cJSON_IsObject(doc)) {
		snprintf(err, errsz, "not a report (a JSON object with report_version)");
		return -EINVAL;
	}
	if (!v) {
		snprintf(err, errsz, "not a report (no report_version)");
		return -EINVAL;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 1 ||
	    v->valuedouble != floor(v->valuedouble)) {
		snprintf(err, errsz, "not a report (report_version is not a version number)");
		return -EINVAL;
	}
	if (v->valuedouble > REPORT_VERSION) {
		snprintf(err, errsz, "report version %.0f is newer than this llmwatch reads (%d)",
			 v->valuedouble > 1e15 ? 1e15 : v->valuedouble, REPORT_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

bool report_diff_adds(const cJSON *diff)
{
	const cJSON *added = field(diff, "added"), *arr;

	if (!cJSON_IsObject(added))
		return false;
	cJSON_ArrayForEach(arr, added)
	{
		if (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0)
			return true;
	}
	return false;
}

/* ---- the text for people --------------------------------------------------------------- */

/* s escaped (util/escape.h), whole: never a control byte to a terminal. */
static void put_esc(FILE *f, const char *s)
{
	char small[256], *buf = small;
	size_t need = escape_str(small, sizeof(small), s);

	if (need >= sizeof(small)) {
		buf = malloc(need + 1);
		if (!buf) {
			/* the cut prefix, said to be cut */
			fputs(small, f);
			fputs("...", f);
			return;
		}
		escape_str(buf, need + 1, s);
	}
	fputs(buf, f);
	if (buf != small)
		free(buf);
}

/* A string field escaped, or `dflt` when it is not a string. */
static void put_field(FILE *f, const cJSON *o, const char *name, const char *dflt)
{
	const char *s = field_str(o, name);

	if (s)
		put_esc(f, s);
	else
		fputs(dflt, f);
}

/* A count field, or nothing when it is not a non-negative integer. */
static bool get_count(const cJSON *o, const char *name, long long *out)
{
	const cJSON *v = field(o, name);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 9e15 || v->valuedouble != floor(v->valuedouble))
		return false;
	*out = (long long)v->valuedouble;
	return true;
}

/* ADDRESS:PORT, an IPv6 address in brackets. */
static void put_hostport(FILE *f, const char *host, const cJSON *o)
{
	long port = field_port(o, "port");
	bool v6 = strchr(host, ':') != NULL;

	fputs(v6 ? "[" : "", f);
	put_esc(f, host);
	fputs(v6 ? "]" : "", f);
	if (port >= 0)
		fprintf(f, ":%ld", port);
	else
		fputs(":?", f);
	fputc('/', f);
	put_field(f, o, "protocol", "?");
}

/* "by TOOL (COMM, pid N)": who, from a report object that names one process. */
static void put_by(FILE *f, const cJSON *o)
{
	long long pid;

	/* nothing known of who: nothing said */
	if (!field_str(o, "tool") && !field_str(o, "comm") && !get_count(o, "pid", &pid))
		return;
	fputs(", by ", f);
	put_field(f, o, "tool", "an unknown tool");
	fputs(" (", f);
	put_field(f, o, "comm", "?");
	if (get_count(o, "pid", &pid))
		fprintf(f, ", pid %lld", pid);
	fputc(')', f);
}

static void text_endpoint(FILE *f, const cJSON *o)
{
	const char *host = field_str(o, "host"), *addr = field_str(o, "address");
	long long n;

	put_hostport(f, host ? host : addr ? addr : "?", o);
	fputs(" (", f);
	put_field(f, o, "classification", "unclassified");
	fputc(')', f);
	if (host) {
		fputs(", address ", f);
		put_field(f, o, "address", "?");
		if (field_str(o, "host_source")) {
			fputs(", name from ", f);
			put_field(f, o, "host_source", "?");
		}
	}
	if (get_count(o, "connections", &n))
		fprintf(f, ", %lld connection%s", n, n == 1 ? "" : "s");
	if (get_count(o, "bytes_sent", &n))
		fprintf(f, ", %lld bytes sent", n);
}

static void text_listener(FILE *f, const cJSON *o)
{
	const cJSON *reach = field(o, "reachable");

	put_hostport(f, field_str(o, "address") ? field_str(o, "address") : "?", o);
	fputs(cJSON_IsTrue(reach)  ? ", reachable from the network" :
	      cJSON_IsFalse(reach) ? ", local only" :
				     ", reachability not known",
	      f);
	put_by(f, o);
}

#define CATEGORY_PATHS_SHOWN 5

static void text_category(FILE *f, const cJSON *o)
{
	const cJSON *files = field(o, "files"), *fl;
	const cJSON *list = cJSON_IsArray(files) ? files : NULL;
	int n = list ? cJSON_GetArraySize(list) : 0, shown = 0;

	put_field(f, o, "category", "?");
	fprintf(f, " (%d file%s", n, n == 1 ? "" : "s");
	cJSON_ArrayForEach(fl, list)
	{
		if (shown == CATEGORY_PATHS_SHOWN) {
			fprintf(f, ", and %d more", n - shown);
			break;
		}
		fputs(shown ? ", " : ": ", f);
		put_field(f, fl, "path", "?");
		shown++;
	}
	fputc(')', f);
}

static void text_executable(FILE *f, const cJSON *o)
{
	put_field(f, o, "exe", "?");
	fputs(", sha256 ", f);
	put_field(f, o, "sha256", "not known");
	put_by(f, o);
}

static void text_alert(FILE *f, const cJSON *o)
{
	long long n;

	fputc('[', f);
	put_field(f, o, "severity", "?");
	fputs("] ", f);
	put_field(f, o, "rule", "?");
	fputs(": ", f);
	put_field(f, o, "message", "(no message)");
	put_by(f, o);
	if (get_count(o, "count", &n) && n > 1)
		fprintf(f, ", %lld times", n);
}

static const struct {
	const char *name;
	const char *title;
	void (*line)(FILE *f, const cJSON *o);
} text_kinds[] = {
	{ "endpoints", "endpoints", text_endpoint },
	{ "listeners", "listeners", text_listener },
	{ "file_categories", "file categories", text_category },
	{ "executables", "executables", text_executable },
	{ "alerts", "alerts", text_alert },
};

static int count_items(const cJSON *part)
{
	int n = 0;

	for (size_t k = 0; k < sizeof(text_kinds) / sizeof(text_kinds[0]); k++) {
		const cJSON *arr = field(part, text_kinds[k].name);

		if (cJSON_IsArray(arr))
			n += cJSON_GetArraySize(arr);
	}
	return n;
}

static void text_part(FILE *f, const cJSON *part, char mark, const char *title)
{
	fprintf(f, "%s\n", title);
	for (size_t k = 0; k < sizeof(text_kinds) / sizeof(text_kinds[0]); k++) {
		const cJSON *arr = field(part, text_kinds[k].name), *o;

		if (!cJSON_IsArray(arr) || !cJSON_GetArraySize(arr))
			continue;
		fprintf(f, "  %s:\n", text_kinds[k].title);
		cJSON_ArrayForEach(o, arr)
		{
			fprintf(f, "    %c ", mark);
			text_kinds[k].line(f, o);
			fputc('\n', f);
		}
	}
}

/* "A: a.lwc, b.lwc (report.json)": the run's captures and the file it was read from. */
static void text_run(FILE *f, const char *name, const cJSON *run)
{
	const cJSON *caps = field(run, "captures"), *c;
	const cJSON *list = cJSON_IsArray(caps) ? caps : NULL;
	const char *file = field_str(run, "file"), *verdict;
	int n = 0;

	fprintf(f, "%s: ", name);
	cJSON_ArrayForEach(c, list)
	{
		fputs(n++ ? ", " : "", f);
		if (cJSON_IsString(c) && c->valuestring)
			put_esc(f, c->valuestring);
		else
			fputs("(capture not named)", f);
	}
	if (!n)
		fputs("no capture named", f);
	if (file) {
		fputs(" (", f);
		put_esc(f, file);
		fputc(')', f);
	}
	verdict = field_str(run, "verdict");
	if (verdict && strcmp(verdict, "complete") != 0) {
		fputs(", ", f);
		put_esc(f, verdict);
		fputs(": what it did may be missing", f);
	}
	fputc('\n', f);
}

int report_diff_write_text(FILE *f, const cJSON *diff)
{
	const cJSON *added = field(diff, "added"), *removed = field(diff, "removed");
	const cJSON *ignored = field(diff, "ignored");
	int n_add = count_items(added), n_rem = count_items(removed);
	long long ign;

	text_run(f, "A", field(diff, "a"));
	text_run(f, "B", field(diff, "b"));
	if (!n_add && !n_rem)
		fputs("no differences\n", f);
	if (n_add)
		text_part(f, added, '+', "added (B did, A did not):");
	if (n_rem)
		text_part(f, removed, '-', "removed (A did, B did not):");
	if (get_count(ignored, "a", &ign) && ign)
		fprintf(f, "%lld item%s of A not compared (missing or malformed keys)\n", ign,
			ign == 1 ? "" : "s");
	if (get_count(ignored, "b", &ign) && ign)
		fprintf(f, "%lld item%s of B not compared (missing or malformed keys)\n", ign,
			ign == 1 ? "" : "s");
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
