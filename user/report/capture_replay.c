// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The record path run over captures (capture_replay.h): the capture reader's callbacks
 * feed one monitor with no kernel, the rules match, the events go to the caller's sink.
 */
#include "report/capture_replay.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/record_stream.h"
#include "rules/rules.h"
#include "rules/rules_profiles.h"
#include "sinks/sink.h"
#include "util/escape.h"

#define VERDICTS_MAX 8

struct replay {
	struct monitor m;
	struct rules *rules;
	struct rules_verdict v[VERDICTS_MAX];
	uint64_t overflow;
	uint64_t now_ns; /* the latest record's time: the replay's clock */
	const struct capture_replay_opts *o;
	struct capture_replay_result *out;
	struct capture_replay_file *cur; /* the file being read */
	size_t cur_index;
	size_t cap_losses;
};

static void say(const struct replay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const struct replay *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->o->log)
		return;
	fprintf(r->o->log, "llmwatch: %s: ", r->o->who ? r->o->who : "replay");
	va_start(ap, fmt);
	vfprintf(r->o->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->o->log);
}

/* ---- the monitor's surroundings -------------------------------------------------------- */

static int no_track(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root)
{
	(void)ctx, (void)pid, (void)tool, (void)reason, (void)root;
	return 0;
}

static void no_untrack(void *ctx, uint32_t pid)
{
	(void)ctx, (void)pid;
}

static int no_retool(void *ctx, uint32_t pid, uint16_t tool)
{
	(void)ctx, (void)pid, (void)tool;
	return 0;
}

/* No kernel: the connections' closes were captured as records (monitor.h, record_tap). */
static const struct monitor_kernel_ops replay_kops = {
	.track = no_track,
	.untrack = no_untrack,
	.retool = no_retool,
};

static size_t match(void *ctx, const struct lw_event *ev, const struct rules_verdict **out)
{
	struct replay *r = ctx;
	int n = rules_match(r->rules, ev, r->v, VERDICTS_MAX);

	*out = r->v;
	if (n <= 0)
		return 0;
	if (n > VERDICTS_MAX) {
		r->overflow += (uint64_t)(n - VERDICTS_MAX);
		n = VERDICTS_MAX;
	}
	return (size_t)n;
}

/* The replay's clock: each record's time, as the tap sees it first; and the file's span. */
static void clock_tap(void *ctx, const void *data, size_t len)
{
	struct replay *r = ctx;
	const struct lw_rec_hdr *h = data;

	if (len < sizeof(*h))
		return;
	if (h->ts_ns > r->now_ns)
		r->now_ns = h->ts_ns;
	if (r->cur) {
		if (!r->cur->records_seen++ || h->ts_ns < r->cur->first_ts_ns)
			r->cur->first_ts_ns = h->ts_ns;
		if (h->ts_ns > r->cur->last_ts_ns)
			r->cur->last_ts_ns = h->ts_ns;
	}
}

/* ---- the capture's parts --------------------------------------------------------------- */

/* A profile id of the capture (profile.ID=NAME): the same here, or one added by the run. */
static void check_profile(struct replay *r, unsigned long id, const char *name)
{
	struct profile_set *set = &r->m.profiles;
	char shown[128];

	if (id == set->n + 1) {
		/* entries the run added (--watch, --pid): added again, in the same order */
		if (strncmp(name, "watch:", 6) == 0 && profiles_add_watch(set, name + 6) > 0)
			return;
		/* a command run by llmwatch eval; its name is made again the same */
		if (strncmp(name, "eval:", 5) == 0 && profiles_add_eval(set, name + 5) > 0 &&
		    strcmp(set->p[set->n - 1].name, name) == 0)
			return;
		/* a runtime found by --runtime-scan during the run (a profile fact) */
		if (strncmp(name, "runtime:", 8) == 0 &&
		    profiles_add_runtime(set, name + 8) == (int)id)
			return;
		if (strncmp(name, "pid:", 4) == 0) {
			char *end;
			long pid = strtol(name + 4, &end, 10);

			/* a capture's name: a number or nothing taken from it */
			if (*end == '\0' && pid > 0 && pid <= INT_MAX &&
			    profiles_add_pid(set, (int)pid) > 0)
				return;
		}
	}
	if (id >= 1 && id <= set->n && strcmp(set->p[id - 1].name, name) == 0)
		return;
	escape_str(shown, sizeof(shown), name);
	say(r, "the capture's tool %lu is \"%s\", here %s", id, shown,
	    id >= 1 && id <= set->n ? set->p[id - 1].name : "unknown");
	r->out->profiles_differ = true;
}

/* A tool id the run added after the header (capture_fact_profile). */
static void on_profile(void *ctx, unsigned int id, const char *name)
{
	check_profile(ctx, id, name);
}

static void copy_value(char *dst, size_t size, const char *value)
{
	snprintf(dst, size, "%s", value);
}

/* One "key=value" line of the header text (untrusted). */
static void header_line(struct replay *r, char *line)
{
	struct capture_replay_file *f = r->cur;
	char *eq = strchr(line, '=');
	char shown[2048];

	if (!eq)
		return;
	if (strncmp(line, "profile.", 8) == 0) {
		char *endp;
		unsigned long id = strtoul(line + 8, &endp, 10);

		if (endp == eq)
			check_profile(r, id, eq + 1);
		return;
	}
	*eq = '\0';
	if (!strcmp(line, "rules_digest")) {
		char today[2 * RULES_DIGEST_LEN + 1];

		rules_digest_hex(r->rules, today);
		escape_str(f->rules_digest, sizeof(f->rules_digest), eq + 1);
		f->rules_same = strcmp(eq + 1, today) == 0;
		if (f->rules_same)
			say(r, "rules: the same as the capture's (rules_digest=%s)", today);
		else
			say(r,
			    "rules: NOT the same as the capture's (rules_digest=%s there, %s here)",
			    f->rules_digest, today);
		return;
	}
	if (!strcmp(line, "llmwatch"))
		copy_value(f->llmwatch, sizeof(f->llmwatch), eq + 1);
	else if (!strcmp(line, "host"))
		copy_value(f->host, sizeof(f->host), eq + 1);
	else if (!strcmp(line, "kernel"))
		copy_value(f->kernel, sizeof(f->kernel), eq + 1);
	else if (!strcmp(line, "boot_ns") || !strcmp(line, "wall_ns")) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end)
			return;
		if (line[0] == 'b')
			f->boot_ns = v;
		else
			f->wall_ns = v;
		f->has_clock = f->boot_ns && f->wall_ns;
		return;
	} else
		return;
	*eq = '=';
	escape_str(shown, sizeof(shown), line);
	say(r, "%s", shown);
}

static void on_header(void *ctx, const struct capture_file_header *h, const char *meta, size_t len)
{
	struct replay *r = ctx;
	const char *p = meta, *end = meta + len;

	say(r, "capture format %u, records version %u", h->version, h->record_version);
	r->cur->record_version = h->record_version;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[1024];

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		header_line(r, line);
	}
	if (r->o->hooks && r->o->hooks->file_begin)
		r->o->hooks->file_begin(r->o->hook_ctx, r->cur_index, r->cur);
}

static void on_proc(void *ctx, const struct capture_proc *p, const char *exe, size_t exe_len)
{
	struct replay *r = ctx;
	struct proc_entry *e = proctable_upsert(&r->m.procs, p->pid);
	char path[LW_PATH_MAX + 1];

	if (r->o->hooks && r->o->hooks->proc)
		r->o->hooks->proc(r->o->hook_ctx, p, exe, exe_len);
	if (!e) {
		r->m.stats.proc_full++;
		return;
	}
	e->ppid = p->ppid;
	e->uid = p->uid;
	e->tool = p->tool;
	e->root_pid = p->root_pid;
	e->state = PROC_CONFIRMED;
	e->origin = LW_MATCH_USER;
	memcpy(e->comm, p->comm, sizeof(p->comm));
	e->comm[sizeof(p->comm)] = '\0';
	if (exe_len > LW_PATH_MAX)
		exe_len = LW_PATH_MAX;
	memcpy(path, exe, exe_len);
	path[exe_len] = '\0';
	proctable_set_exe(e, path);
}

static void on_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	struct replay *r = ctx;
	size_t off;
	char err[256];

	(void)count;
	if (record_stream_feed(&r->m, buf, len, &off, err, sizeof(err))) {
		r->cur->feed_errors++;
		r->out->feed_errors++;
		say(r, "block %" PRIu64 ": %s (the rest of it skipped)", block, err);
	}
	/* held connects whose name never came are written as the live run would have */
	monitor_tick(&r->m, r->now_ns);
}

/* Every snapshot is kept; the last one's kernel counters go to the run's summary. */
static void on_losses(void *ctx, const struct capture_losses *l, const uint64_t *v)
{
	struct replay *r = ctx;
	struct capture_replay_result *out = r->out;
	struct capture_replay_loss *s;
	size_t nk = l->n_kernel < LW_LOSS_SLOTS ? l->n_kernel : LW_LOSS_SLOTS;
	size_t nu = l->n_user < STATS_USER_LOSS_COUNTERS ? l->n_user : STATS_USER_LOSS_COUNTERS;

	for (size_t i = 0; i < nk; i++)
		r->m.stats.kernel_losses[i] = v[i];
	if (out->n_losses == r->cap_losses) {
		size_t cap = r->cap_losses ? r->cap_losses * 2 : 16;
		struct capture_replay_loss *n = realloc(out->losses, cap * sizeof(*n));

		if (!n) {
			say(r, "out of memory: a loss snapshot not kept");
			return;
		}
		out->losses = n;
		r->cap_losses = cap;
	}
	s = &out->losses[out->n_losses++];
	memset(s, 0, sizeof(*s));
	s->file = r->cur_index;
	s->ts_ns = l->ts_ns;
	memcpy(s->v, v, nk * sizeof(*v));
	/* the user side's counters follow the kernel's in the file, whatever its slot count */
	memcpy(s->v + LW_LOSS_SLOTS, v + l->n_kernel, nu * sizeof(*v));
}

/* What the live run read from /proc: the record path uses it where it would read /proc. */
static void on_facts(void *ctx, const struct proc_facts *f)
{
	struct replay *r = ctx;

	if (monitor_restore_facts(&r->m, f))
		r->m.stats.proc_full++;
	if (r->o->hooks && r->o->hooks->facts)
		r->o->hooks->facts(r->o->hook_ctx, f);
}

static void on_exe_hash(void *ctx, const struct exe_file_key *key, bool ok,
			const unsigned char sha256[32])
{
	struct replay *r = ctx;

	if (r->o->hooks && r->o->hooks->exe_hash)
		r->o->hooks->exe_hash(r->o->hook_ctx, key, ok, sha256);
}

/* A connection's name from its stream head, which the capture may not hold. */
static void on_name(void *ctx, const struct conn_name_fact *f)
{
	struct replay *r = ctx;

	monitor_restore_name(&r->m, f);
}

static void on_problem(void *ctx, const char *msg)
{
	say(ctx, "%s", msg);
}

/* ---- rules, the run -------------------------------------------------------------------- */

/* Profiles then rules, as the monitor loads them; errors printed (FILE:LINE:COL). */
static struct rules_profiles *load(const struct capture_replay_opts *o, struct replay *r)
{
	struct rules_profiles *pf = rules_profiles_new();
	struct rules_builder *b;
	const char *who = o->who ? o->who : "replay";
	int err;

	profiles_init(&r->m.profiles);
	if (!pf)
		return NULL;
	for (size_t i = 0; i < o->n_profiles; i++)
		rules_profiles_add_path(pf, o->profiles[i]);
	err = rules_profiles_apply(pf, &r->m.profiles);
	if (err) {
		for (size_t i = 0; i < rules_profiles_error_count(pf); i++)
			fprintf(stderr, "%s\n", rules_profiles_error(pf, i));
		fprintf(stderr, "llmwatch: %s: profiles not loaded\n", who);
		rules_profiles_free(pf);
		return NULL;
	}
	b = rules_builder_new();
	if (!b || rules_builder_set_profiles(b, &r->m.profiles)) {
		rules_builder_free(b);
		rules_profiles_free(pf);
		return NULL;
	}
	if (!o->no_default_rules)
		rules_builder_add_default(b);
	for (size_t i = 0; i < o->n_rules; i++)
		rules_builder_add_path(b, o->rules[i]);
	r->rules = rules_builder_build(b);
	if (!r->rules) {
		for (size_t i = 0; i < rules_builder_error_count(b); i++)
			fprintf(stderr, "%s\n", rules_builder_error(b, i));
		fprintf(stderr, "llmwatch: %s: rules not loaded: %zu error(s)\n", who,
			rules_builder_error_count(b));
		rules_profiles_free(pf);
		pf = NULL;
	}
	rules_builder_free(b);
	return pf;
}

int capture_replay(const char *const *files, size_t n, const struct capture_replay_opts *o,
		   struct sink *sink, struct capture_replay_result *out)
{
	static const struct capture_read_ops ops = {
		.header = on_header,
		.records = on_records,
		.proc = on_proc,
		.losses = on_losses,
		.facts = on_facts,
		.exe_hash = on_exe_hash,
		.conn_name = on_name,
		.profile = on_profile,
		.problem = on_problem,
	};
	struct rules_profiles *pf;
	struct replay *r;
	int status = 0;

	memset(out, 0, sizeof(*out));
	r = calloc(1, sizeof(*r));
	out->files = calloc(n ? n : 1, sizeof(*out->files));
	if (!r || !out->files || monitor_init(&r->m)) {
		free(r);
		return -ENOMEM;
	}
	out->n_files = n;
	r->o = o;
	r->out = out;
	pf = load(o, r);
	if (!pf) {
		status = -EINVAL;
		goto out;
	}
	r->m.sink = sink;
	r->m.match = match;
	r->m.match_ctx = r;
	r->m.kops = &replay_kops;
	/* nothing of this machine's processes is read: ENOTDIR under /dev/null, always */
	r->m.proc_root = "/dev/null";
	r->m.record_tap = clock_tap;
	r->m.tap_ctx = r;
	for (size_t i = 0; i < n; i++) {
		struct capture_replay_file *f = &out->files[i];

		f->path = files[i];
		r->cur = f;
		r->cur_index = i;
		f->err = capture_read_file(files[i], &ops, r, &f->res);
		if (!f->rules_digest[0] && (!f->err || f->err == -EBADMSG))
			say(r,
			    "rules: %s does not say which rules it was written with (no "
			    "rules_digest)",
			    f->path);
	}
	r->cur = NULL;
	monitor_flush(&r->m);
	r->m.stats.verdicts_dropped = r->overflow;
	monitor_collect_stats(&r->m);
	if (sink->ops->summary(sink, &r->m.stats))
		r->m.stats.output_errors++;
	out->stats = r->m.stats;
out:
	r->m.sink = NULL;
	monitor_free(&r->m);
	rules_free(r->rules);
	rules_profiles_free(pf);
	free(r);
	return status;
}

void capture_replay_result_free(struct capture_replay_result *r)
{
	free(r->files);
	free(r->losses);
	memset(r, 0, sizeof(*r));
}
