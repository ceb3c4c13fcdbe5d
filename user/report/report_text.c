// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The report for people (report_write_text, report.h), made from the document alone: the
 * completeness verdict first, then alerts, endpoints (with how each name is known),
 * listeners (reachable first), files (flagged first, by category) and processes. Every
 * string of the document may hold the watched machine's bytes: each is escaped
 * (util/escape.h) before it reaches the terminal.
 */
#include "report/report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/escape.h"

#define ESC_MAX 4096

/* The escaped form of a string member of o (or "-" when null or missing). */
static const char *s_of(const cJSON *o, const char *k, char buf[ESC_MAX])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(v) || !v->valuestring)
		return "-";
	escape_str(buf, ESC_MAX, v->valuestring);
	return buf;
}

static double n_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool b_of(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const cJSON *arr_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsArray(v) ? v : NULL;
}

/* "1.2 KiB", "340 B" */
static const char *bytes_text(double n, char buf[32])
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (n >= 1024 && u < 4) {
		n /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, 32, "%.1f %s", n, unit[u]);
	else
		snprintf(buf, 32, "%.0f B", n);
	return buf;
}

/* "ollama[4121] ollama, chat[4130]": each process of an item, escaped. */
static void print_procs(FILE *f, const cJSON *o)
{
	const cJSON *p;
	char a[ESC_MAX], b[ESC_MAX];
	bool first = true;

	cJSON_ArrayForEach(p, arr_of(o, "processes"))
	{
		fprintf(f, "%s%s[%.0f]", first ? "" : ", ", s_of(p, "comm", a), n_of(p, "pid"));
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "tool")))
			fprintf(f, " (%s)", s_of(p, "tool", b));
		first = false;
	}
}

static void print_rules(FILE *f, const cJSON *o)
{
	const cJSON *r;
	char a[ESC_MAX];
	bool first = true;

	cJSON_ArrayForEach(r, arr_of(o, "rules"))
	{
		if (!cJSON_IsString(r))
			continue;
		escape_str(a, sizeof(a), r->valuestring);
		fprintf(f, "%s%s", first ? "; rules: " : ", ", a);
		first = false;
	}
}

/* ---- the sections ---------------------------------------------------------------------- */

/* llmwatch eval's command and how it ended (nothing for a report of any capture). */
static void print_evaluation(FILE *f, const cJSON *ev)
{
	const cJSON *arg, *code = cJSON_GetObjectItemCaseSensitive(ev, "exit_status");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(ev, "signal");
	char a[ESC_MAX], b[ESC_MAX];

	if (!cJSON_IsObject(ev))
		return;
	fprintf(f, "  command:");
	cJSON_ArrayForEach(arg, arr_of(ev, "command"))
	{
		if (cJSON_IsString(arg)) {
			escape_str(a, sizeof(a), arg->valuestring);
			fprintf(f, " %s", a);
		}
	}
	fprintf(f, "\n    pid %.0f, user %s (uid %.0f), tool %s: ", n_of(ev, "pid"),
		s_of(ev, "user", a), n_of(ev, "uid"), s_of(ev, "tool", b));
	if (cJSON_IsNumber(code))
		fprintf(f, "exited with status %.0f", code->valuedouble);
	else if (cJSON_IsNumber(sig))
		fprintf(f, "killed by signal %.0f", sig->valuedouble);
	else
		fprintf(f, "its end not seen");
	fprintf(f, "; %s\n",
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "stopped")) ?
			"recording was stopped before the tree ended (a second Ctrl-C: the tree "
			"was killed)" :
			"recorded until its last process exited");
}

static void print_captures(FILE *f, const cJSON *doc)
{
	const cJSON *c;
	char a[ESC_MAX], b[ESC_MAX], h[ESC_MAX], s[ESC_MAX], e[ESC_MAX];

	fprintf(f, "llmwatch report (%s)\n", s_of(doc, "generator", a));
	cJSON_ArrayForEach(c, arr_of(doc, "captures"))
	{
		fprintf(f,
			"  capture %s: host %s, llmwatch %s, %s to %s, %.0f records in %.0f blocks\n",
			s_of(c, "file", a), s_of(c, "host", h), s_of(c, "llmwatch", b),
			s_of(c, "start", s), s_of(c, "end", e), n_of(c, "records"),
			n_of(c, "blocks"));
	}
	print_evaluation(f, cJSON_GetObjectItemCaseSensitive(doc, "evaluation"));
}

static void print_completeness(FILE *f, const cJSON *doc)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "completeness");
	const cJSON *lost = cJSON_GetObjectItemCaseSensitive(c, "lost");
	const cJSON *r, *w;
	char a[ESC_MAX], b[ESC_MAX];
	bool complete =
		cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "verdict")) &&
		!strcmp(cJSON_GetObjectItemCaseSensitive(c, "verdict")->valuestring, "complete");

	fprintf(f, "\nCompleteness: %s\n",
		complete ? "COMPLETE (nothing lost, chain intact, sealed)" :
			   "INCOMPLETE (what follows may not be all the tool did)");
	cJSON_ArrayForEach(r, arr_of(c, "reasons"))
	{
		if (cJSON_IsString(r)) {
			escape_str(a, sizeof(a), r->valuestring);
			fprintf(f, "  - %s\n", a);
		}
	}
	cJSON_ArrayForEach(w, arr_of(lost, "windows"))
	{
		fprintf(f, "  - %.0f lost between %s and %s\n", n_of(w, "lost"), s_of(w, "from", a),
			s_of(w, "to", b));
	}
}

static void print_alerts(FILE *f, const cJSON *doc)
{
	const cJSON *arr = arr_of(doc, "alerts"), *al;
	char rule[ESC_MAX], sev[ESC_MAX], comm[ESC_MAX], msg[ESC_MAX], t1[ESC_MAX], t2[ESC_MAX];

	fprintf(f, "\nAlerts (%d)\n", cJSON_GetArraySize(arr));
	if (!cJSON_GetArraySize(arr))
		fprintf(f, "  none\n");
	cJSON_ArrayForEach(al, arr)
	{
		fprintf(f, "  [%s] %s: %s[%.0f], %.0f time%s, %s to %s\n",
			s_of(al, "severity", sev), s_of(al, "rule", rule), s_of(al, "comm", comm),
			n_of(al, "pid"), n_of(al, "count"), n_of(al, "count") == 1 ? "" : "s",
			s_of(al, "first", t1), s_of(al, "last", t2));
		fprintf(f, "      %s\n", s_of(al, "message", msg));
	}
}

static void print_endpoints(FILE *f, const cJSON *doc)
{
	const cJSON *arr = arr_of(doc, "endpoints"), *e;
	char cls[ESC_MAX], host[ESC_MAX], src[ESC_MAX], addr[ESC_MAX], proto[ESC_MAX];
	char t1[ESC_MAX], t2[ESC_MAX], by[32];

	fprintf(f, "\nEndpoints (%d)\n", cJSON_GetArraySize(arr));
	if (!cJSON_GetArraySize(arr))
		fprintf(f, "  none\n");
	cJSON_ArrayForEach(e, arr)
	{
		bool named = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "host"));

		fprintf(f, "  %-10s %s:%.0f/%s", s_of(e, "classification", cls),
			named ? s_of(e, "host", host) : s_of(e, "address", addr), n_of(e, "port"),
			s_of(e, "protocol", proto));
		if (named)
			fprintf(f, " (%s, name from %s)", s_of(e, "address", addr),
				s_of(e, "host_source", src));
		else
			fprintf(f, " (no name seen)");
		fprintf(f, "\n      %.0f connection%s (%.0f failed), %s sent, %s to %s, by ",
			n_of(e, "connections"), n_of(e, "connections") == 1 ? "" : "s",
			n_of(e, "failed"), bytes_text(n_of(e, "bytes_sent"), by),
			s_of(e, "first", t1), s_of(e, "last", t2));
		print_procs(f, e);
		print_rules(f, e);
		fputc('\n', f);
	}
}

static void print_listeners(FILE *f, const cJSON *doc)
{
	const cJSON *arr = arr_of(doc, "listeners"), *l;
	char addr[ESC_MAX], proto[ESC_MAX], comm[ESC_MAX], t[ESC_MAX];
	bool unknown = false;

	fprintf(f, "\nListeners (%d)\n", cJSON_GetArraySize(arr));
	if (!cJSON_GetArraySize(arr))
		fprintf(f, "  none\n");
	cJSON_ArrayForEach(l, arr)
	{
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(l, "reachable");

		fprintf(f, "  %-22s %s:%.0f/%s, %s, %s[%.0f], from %s",
			cJSON_IsTrue(r)	 ? "REACHABLE" :
			cJSON_IsFalse(r) ? "local only" :
					   "reachability unknown",
			s_of(l, "address", addr), n_of(l, "port"), s_of(l, "protocol", proto),
			b_of(l, "listened") ? "listening" : "bound", s_of(l, "comm", comm),
			n_of(l, "pid"), s_of(l, "first", t));
		print_rules(f, l);
		fputc('\n', f);
		if (!r || cJSON_IsNull(r))
			unknown = true;
	}
	if (unknown)
		fprintf(f, "  (reachability unknown: the capture does not say which network "
			   "namespace the process was in)\n");
}

static void print_files(FILE *f, const cJSON *doc)
{
	const cJSON *arr = arr_of(doc, "files"), *fl;
	char path[ESC_MAX], cat[ESC_MAX], last_cat[ESC_MAX] = "";
	int last_flagged = -1;

	fprintf(f, "\nFiles (%d)\n", cJSON_GetArraySize(arr));
	if (!cJSON_GetArraySize(arr))
		fprintf(f, "  none\n");
	cJSON_ArrayForEach(fl, arr)
	{
		bool flagged = b_of(fl, "flagged");

		s_of(fl, "category", cat);
		if ((int)flagged != last_flagged || strcmp(cat, last_cat) != 0) {
			fprintf(f, "  %s%s:\n", flagged ? "FLAGGED " : "", cat);
			snprintf(last_cat, sizeof(last_cat), "%s", cat);
			last_flagged = flagged;
		}
		fprintf(f, "    %s %s: %.0f open%s (%.0f failed)%s, by ", flagged ? "!" : " ",
			s_of(fl, "path", path), n_of(fl, "opens"),
			n_of(fl, "opens") == 1 ? "" : "s", n_of(fl, "failed"),
			b_of(fl, "write") ? ", written" : "");
		print_procs(f, fl);
		print_rules(f, fl);
		fputc('\n', f);
	}
}

static void print_processes(FILE *f, const cJSON *doc)
{
	const cJSON *arr = arr_of(doc, "processes"), *p;
	char comm[ESC_MAX], exe[ESC_MAX], tool[ESC_MAX], start[ESC_MAX], sha[ESC_MAX];
	char argv[ESC_MAX], ex[ESC_MAX];

	fprintf(f, "\nProcesses (%d)\n", cJSON_GetArraySize(arr));
	if (!cJSON_GetArraySize(arr))
		fprintf(f, "  none\n");
	cJSON_ArrayForEach(p, arr)
	{
		bool started = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "started"));
		bool exited = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "exited"));

		fprintf(f, "  %.0f %s (tool %s, parent %.0f, tree of %.0f): %s\n", n_of(p, "pid"),
			s_of(p, "comm", comm), s_of(p, "tool", tool), n_of(p, "ppid"),
			n_of(p, "root"), s_of(p, "exe", exe));
		fprintf(f, "      sha256 %s; %s%s; ",
			cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "sha256")) ?
				s_of(p, "sha256", sha) :
				"not in the capture",
			started ? "started " : "running at the start",
			started ? s_of(p, "started", start) : "");
		if (exited) {
			/* as wait(2) reports it */
			int code = (int)n_of(p, "exit_code");

			if (code & 0x7f)
				fprintf(f, "killed by signal %d at %s\n", code & 0x7f,
					s_of(p, "exited", ex));
			else
				fprintf(f, "exited with status %d at %s\n", (code >> 8) & 0xff,
					s_of(p, "exited", ex));
		} else
			fprintf(f, "running at the end\n");
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "argv")))
			fprintf(f, "      argv: %s\n", s_of(p, "argv", argv));
	}
}

int report_write_text(FILE *f, const cJSON *doc)
{
	print_captures(f, doc);
	print_completeness(f, doc);
	print_alerts(f, doc);
	print_endpoints(f, doc);
	print_listeners(f, doc);
	print_files(f, doc);
	print_processes(f, doc);
	return ferror(f) ? -EIO : 0;
}
