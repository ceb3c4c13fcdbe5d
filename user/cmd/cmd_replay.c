// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch replay FILE [--rules FILE|DIR]... [--no-default-rules] [--profiles FILE|DIR]...
 * [--output SPEC]...`: the record path run over a capture (capture/capture_reader.h), with
 * today's rules and any outputs, so new rules apply to old evidence. No kernel: the monitor
 * gets kernel ops that do nothing, a /proc it cannot read (what a process was is what the
 * capture says: its running processes, its records), and the records' own times as its
 * clock. The capture's verdict (chain, seal, torn tail) goes to stderr.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_reader.h"
#include "core/procfacts.h"
#include "cmd/cli.h"
#include "monitor/monitor.h"
#include "monitor/record_stream.h"
#include "rules/rules.h"
#include "rules/rules_profiles.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/escape.h"
#include "util/timefmt.h"

#define REPLAY_EXTRA_MAX 32
#define VERDICTS_MAX 8

struct replay_opts {
	const char *file;
	const char *rules[REPLAY_EXTRA_MAX], *profiles[REPLAY_EXTRA_MAX];
	size_t n_rules, n_profiles;
	bool no_default_rules;
	bool facts; /* --facts: print the process facts and hashes, run nothing */
	struct sink_spec outputs[LW_OUTPUTS_MAX];
	size_t n_outputs;
};

struct replay {
	struct monitor m;
	struct rules *rules;
	struct rules_verdict v[VERDICTS_MAX];
	uint64_t overflow;
	uint64_t now_ns;      /* the latest record's time: the replay's clock */
	uint64_t feed_errors; /* record blocks whose framing broke (the rest of it lost) */
	bool profiles_differ; /* a tool id of the capture names another profile here */
	bool digest_seen;     /* the capture's header named its rules' digest */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch replay FILE [--rules FILE|DIR]... [--no-default-rules]\n"
		"                       [--profiles FILE|DIR]... [--output SPEC]...\n"
		"       llmwatch replay FILE --facts\n"
		"Runs the record path over a capture written with --capture: the rules (the\n"
		"built-in pack and each --rules, as for the monitor) match its records again and\n"
		"the events go to the outputs (default: text on stdout). Says on stderr whether the\n"
		"capture's hash chain is intact (else the first block that is not), whether it was\n"
		"sealed by a clean stop, and any torn tail. --facts prints instead what the live\n"
		"run learned about each watched process (one line each, tab-separated key=value:\n"
		"pid, start_ns, tool, why, exe, sha256 of the executable at exec, argv,\n"
		"parent_exe, netns) and runs nothing. Exit status: 0 when read, 1 when the\n"
		"capture is unreadable or its chain is broken, 2 for bad usage.\n");
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

/* The replay's clock: each record's time, as the tap sees it first. */
static void clock_tap(void *ctx, const void *data, size_t len)
{
	struct replay *r = ctx;
	const struct lw_rec_hdr *h = data;

	if (len >= sizeof(*h) && h->ts_ns > r->now_ns)
		r->now_ns = h->ts_ns;
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
	fprintf(stderr, "llmwatch: replay: the capture's tool %lu is \"%s\", here %s\n", id, shown,
		id >= 1 && id <= set->n ? set->p[id - 1].name : "unknown");
	r->profiles_differ = true;
}

static void on_header(void *ctx, const struct capture_file_header *h, const char *meta, size_t len)
{
	struct replay *r = ctx;
	const char *p = meta, *end = meta + len;

	fprintf(stderr, "llmwatch: replay: capture format %u, records version %u\n", h->version,
		h->record_version);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[1024], shown[2048];

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (strncmp(line, "profile.", 8) == 0) {
			char *eq = strchr(line, '=');
			char *endp;
			unsigned long id = strtoul(line + 8, &endp, 10);

			if (eq && endp == eq)
				check_profile(r, id, eq + 1);
			continue;
		}
		if (strncmp(line, "rules_digest=", 13) == 0) {
			char today[2 * RULES_DIGEST_LEN + 1];

			rules_digest_hex(r->rules, today);
			r->digest_seen = true;
			escape_str(shown, sizeof(shown), line + 13);
			if (strcmp(line + 13, today) == 0)
				fprintf(stderr,
					"llmwatch: replay: rules: the same as the capture's "
					"(rules_digest=%s)\n",
					today);
			else
				fprintf(stderr,
					"llmwatch: replay: rules: NOT the same as the capture's "
					"(rules_digest=%s there, %s here)\n",
					shown, today);
			continue;
		}
		if (strncmp(line, "llmwatch=", 9) == 0 || strncmp(line, "host=", 5) == 0 ||
		    strncmp(line, "kernel=", 7) == 0) {
			escape_str(shown, sizeof(shown), line);
			fprintf(stderr, "llmwatch: replay: %s\n", shown);
		}
	}
}

static void on_proc(void *ctx, const struct capture_proc *p, const char *exe, size_t exe_len)
{
	struct replay *r = ctx;
	struct proc_entry *e = proctable_upsert(&r->m.procs, p->pid);
	char path[LW_PATH_MAX + 1];

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
		r->feed_errors++;
		fprintf(stderr,
			"llmwatch: replay: block %" PRIu64 ": %s (the rest of it skipped)\n", block,
			err);
	}
	/* held connects whose name never came are written as the live run would have */
	monitor_tick(&r->m, r->now_ns);
}

/* The last snapshot wins: the kernel's counters at the capture's end, for the summary. */
static void on_losses(void *ctx, const struct capture_losses *l, const uint64_t *v)
{
	struct replay *r = ctx;

	for (size_t i = 0; i < l->n_kernel && i < LW_LOSS_SLOTS; i++)
		r->m.stats.kernel_losses[i] = v[i];
}

/* What the live run read from /proc: the record path uses it where it would read /proc. */
static void on_facts(void *ctx, const struct proc_facts *f)
{
	struct replay *r = ctx;

	if (monitor_restore_facts(&r->m, f))
		r->m.stats.proc_full++;
}

/* A connection's name from its stream head, which the capture may not hold. */
static void on_name(void *ctx, const struct conn_name_fact *f)
{
	struct replay *r = ctx;

	monitor_restore_name(&r->m, f);
}

static void on_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "llmwatch: replay: %s\n", msg);
}

/* ---- --facts ------------------------------------------------------------------------- */

#define FACTS_PRINT_MAX 65536
#define HASHES_MAX 4096

struct facts_dump {
	char **lines; /* each process's line, its sha256 left for the end */
	struct exe_file_key *keys;
	size_t n, dropped;
	struct exe_file_key hkey[HASHES_MAX];
	char hex[HASHES_MAX][65];
	size_t nh;
};

static void dump_fact(void *ctx, const struct proc_facts *f)
{
	static const char *const netns[] = { "unknown", "host", "other" };
	struct facts_dump *d = ctx;
	char exe[LW_PATH_MAX * 4], argv[PROC_CMDLINE_MAX * 4], pexe[LW_PATH_MAX * 4];
	char *line = NULL;
	int ns = !f->netns_ino || !f->host_netns_ino ? 0 :
		 f->netns_ino == f->host_netns_ino   ? 1 :
						       2;

	if (d->n == FACTS_PRINT_MAX) {
		d->dropped++;
		return;
	}
	escape_str(exe, sizeof(exe), f->exe);
	escape_str(argv, sizeof(argv), f->cmdline);
	escape_str(pexe, sizeof(pexe), f->parent_exe);
	if (asprintf(&line,
		     "pid=%u\tstart_ns=%" PRIu64 "\ttool=%u\twhy=%s\texe=%s\targv=%s\t"
		     "parent_exe=%s\tnetns=%s",
		     f->pid, f->start_ns, f->tool, proc_why_name(f->why), exe, argv, pexe,
		     netns[ns]) < 0) {
		d->dropped++;
		return;
	}
	d->lines[d->n] = line;
	d->keys[d->n++] = f->exe_key;
}

static void dump_hash(void *ctx, const struct exe_file_key *key, bool ok,
		      const unsigned char sha256[32])
{
	struct facts_dump *d = ctx;

	if (!ok || d->nh == HASHES_MAX)
		return;
	d->hkey[d->nh] = *key;
	for (int i = 0; i < 32; i++)
		snprintf(d->hex[d->nh] + 2 * i, 3, "%02x", sha256[i]);
	d->nh++;
}

/* --facts: each process's facts, joined with its executable's hash by the file's key. */
static int print_facts(const char *file)
{
	static const struct capture_read_ops ops = {
		.facts = dump_fact,
		.exe_hash = dump_hash,
		.problem = on_problem,
	};
	struct facts_dump *d = calloc(1, sizeof(*d));
	struct capture_read_result res;
	int err;

	if (!d || !(d->lines = calloc(FACTS_PRINT_MAX, sizeof(*d->lines))) ||
	    !(d->keys = calloc(FACTS_PRINT_MAX, sizeof(*d->keys)))) {
		fprintf(stderr, "llmwatch: out of memory\n");
		if (d)
			free(d->lines);
		free(d);
		return 1;
	}
	err = capture_read_file(file, &ops, d, &res);
	for (size_t i = 0; i < d->n; i++) {
		const char *hex = "-";

		for (size_t k = 0; k < d->nh && exe_file_key_known(&d->keys[i]); k++) {
			if (!memcmp(&d->hkey[k], &d->keys[i], sizeof(d->keys[i])))
				hex = d->hex[k];
		}
		printf("%s\tsha256=%s\n", d->lines[i], hex);
		free(d->lines[i]);
	}
	if (d->dropped)
		fprintf(stderr, "llmwatch: replay --facts: %zu facts not printed (too many)\n",
			d->dropped);
	if (err && err != -EBADMSG)
		fprintf(stderr, "llmwatch: replay: %s: %s\n", file, strerror(-err));
	else if (err)
		fprintf(stderr, "llmwatch: replay: %s: %s\n", file, res.error);
	if (err != -ENOENT && (err == 0 || err == -EBADMSG))
		capture_read_verdict(file, &res, stderr);
	free(d->lines);
	free(d->keys);
	free(d);
	return err || !res.chain_ok ? 1 : 0;
}

/* ---- options, rules, the run ----------------------------------------------------------- */

static int parse(int argc, char **argv, struct replay_opts *o)
{
	static const struct option lo[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "no-default-rules", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "facts", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char err[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->n_rules == REPLAY_EXTRA_MAX)
				return cli_usage_error("too many --rules");
			o->rules[o->n_rules++] = optarg;
			break;
		case 'p':
			if (o->n_profiles == REPLAY_EXTRA_MAX)
				return cli_usage_error("too many --profiles");
			o->profiles[o->n_profiles++] = optarg;
			break;
		case 'n':
			o->no_default_rules = true;
			break;
		case 'f':
			o->facts = true;
			break;
		case 'o':
			if (o->n_outputs == LW_OUTPUTS_MAX)
				return cli_usage_error("too many --output");
			if (sink_registry_parse(optarg, &o->outputs[o->n_outputs], err,
						sizeof(err)))
				return cli_usage_error("--output %s", err);
			o->n_outputs++;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return cli_usage_error("see llmwatch replay --help");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(
			"replay takes one capture FILE (see llmwatch replay --help)");
	o->file = argv[optind];
	if (!o->n_outputs &&
	    sink_registry_parse("text", &o->outputs[o->n_outputs++], err, sizeof(err)))
		return cli_usage_error("%s", err);
	return 0;
}

/* Profiles then rules, as the monitor loads them; errors printed (FILE:LINE:COL). */
static struct rules_profiles *load(const struct replay_opts *o, struct replay *r)
{
	struct rules_profiles *pf = rules_profiles_new();
	struct rules_builder *b;
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
		fprintf(stderr, "llmwatch: replay: profiles not loaded\n");
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
		fprintf(stderr, "llmwatch: replay: rules not loaded: %zu error(s)\n",
			rules_builder_error_count(b));
		rules_profiles_free(pf);
		pf = NULL;
	}
	rules_builder_free(b);
	return pf;
}

int cmd_replay(int argc, char **argv)
{
	static const struct capture_read_ops ops = {
		.header = on_header,
		.records = on_records,
		.proc = on_proc,
		.losses = on_losses,
		.facts = on_facts,
		.conn_name = on_name,
		.problem = on_problem,
	};
	struct replay_opts o = {};
	struct capture_read_result res;
	struct rules_profiles *pf;
	struct replay *r;
	char why[512];
	int err, status = 1;

	err = parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (o.facts)
		return print_facts(o.file);
	r = calloc(1, sizeof(*r));
	if (!r || timefmt_init() || monitor_init(&r->m)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		free(r);
		return 1;
	}
	pf = load(&o, r);
	if (!pf) {
		status = 2;
		goto out;
	}
	r->m.sink = sink_registry_open(o.outputs, o.n_outputs, stderr, why, sizeof(why));
	if (!r->m.sink) {
		fprintf(stderr, "llmwatch: replay: --output %s\n", why);
		status = 2;
		goto out;
	}
	r->m.match = match;
	r->m.match_ctx = r;
	r->m.kops = &replay_kops;
	/* nothing of this machine's processes is read: ENOTDIR under /dev/null, always */
	r->m.proc_root = "/dev/null";
	r->m.record_tap = clock_tap;
	r->m.tap_ctx = r;
	err = capture_read_file(o.file, &ops, r, &res);
	if (err && err != -EBADMSG) {
		fprintf(stderr, "llmwatch: replay: %s: %s\n", o.file, strerror(-err));
		goto out;
	}
	if (!r->digest_seen && !err)
		fprintf(stderr, "llmwatch: replay: rules: the capture does not say which rules it "
				"was written with (no rules_digest)\n");
	monitor_flush(&r->m);
	r->m.stats.verdicts_dropped = r->overflow;
	monitor_collect_stats(&r->m);
	if (r->m.sink->ops->summary(r->m.sink, &r->m.stats))
		r->m.stats.output_errors++;
	sink_tee_stats(r->m.sink, &r->m.stats);
	stats_print(&r->m.stats, stderr);
	/* what the capture holds of the bytes sent and received (--capture-payloads) */
	fprintf(stderr,
		"llmwatch: replay: %" PRIu64 " payload records (DNS answers; stream heads only "
		"with --capture-payloads)\n",
		r->m.stats.by_type[LW_REC_PAYLOAD]);
	if (err)
		fprintf(stderr, "llmwatch: replay: %s: %s\n", o.file, res.error);
	capture_read_verdict(o.file, &res, stderr);
	if (r->feed_errors)
		fprintf(stderr, "llmwatch: replay: %" PRIu64 " blocks held malformed records\n",
			r->feed_errors);
	status = err || !res.chain_ok ? 1 : 0;
out:
	sink_destroy(r->m.sink);
	r->m.sink = NULL;
	monitor_free(&r->m);
	rules_free(r->rules);
	rules_profiles_free(pf);
	free(r);
	return status;
}
