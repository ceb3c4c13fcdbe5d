// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch replay FILE [--rules FILE|DIR]... [--no-default-rules] [--profiles FILE|DIR]...
 * [--output SPEC]...`: the record path run over a capture (report/capture_replay.h), with
 * today's rules and any outputs, so new rules apply to old evidence. The capture's verdict
 * (chain, seal, torn tail) goes to stderr.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_reader.h"
#include "cmd/cli.h"
#include "core/procfacts.h"
#include "core/proctable.h"
#include "report/capture_replay.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/escape.h"
#include "util/timefmt.h"

#define REPLAY_EXTRA_MAX 32

struct replay_opts {
	const char *file;
	const char *rules[REPLAY_EXTRA_MAX], *profiles[REPLAY_EXTRA_MAX];
	size_t n_rules, n_profiles;
	bool no_default_rules;
	bool facts; /* --facts: print the process facts and hashes, run nothing */
	struct sink_spec outputs[LW_OUTPUTS_MAX];
	size_t n_outputs;
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
		"sealed by a clean stop, and any torn tail, and whether today's rules are the ones\n"
		"the capture was written with. --facts prints instead what the live run learned\n"
		"about each watched process (one line each, tab-separated key=value: pid,\n"
		"start_ns, tool, why, exe, argv, parent_exe, netns, and sha256 of the executable at\n"
		"exec) and runs nothing. Exit status: 0 when read, 1 when the capture is unreadable\n"
		"or its chain is broken, 2 for bad usage.\n");
}

/* ---- --facts ------------------------------------------------------------------------- */

static void facts_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "llmwatch: replay: %s\n", msg);
}

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
		.problem = facts_problem,
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

/* ---- options, the run ---------------------------------------------------------------- */

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

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o = {};
	struct capture_replay_opts ro = { .log = stderr, .who = "replay" };
	struct capture_replay_result res;
	const struct capture_replay_file *f;
	struct sink *sink;
	char why[512];
	int err, status = 1;

	err = parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (o.facts)
		return print_facts(o.file);
	if (timefmt_init()) {
		fprintf(stderr, "llmwatch: replay: cannot read the clocks\n");
		return 1;
	}
	ro.rules = o.rules;
	ro.n_rules = o.n_rules;
	ro.no_default_rules = o.no_default_rules;
	ro.profiles = o.profiles;
	ro.n_profiles = o.n_profiles;
	sink = sink_registry_open(o.outputs, o.n_outputs, stderr, why, sizeof(why));
	if (!sink) {
		fprintf(stderr, "llmwatch: replay: --output %s\n", why);
		return 2;
	}
	err = capture_replay(&o.file, 1, &ro, sink, &res);
	if (err) {
		if (err == -ENOMEM)
			fprintf(stderr, "llmwatch: out of memory\n");
		status = err == -EINVAL ? 2 : 1;
		goto out;
	}
	f = &res.files[0];
	if (f->err && f->err != -EBADMSG) {
		fprintf(stderr, "llmwatch: replay: %s: %s\n", o.file, strerror(-f->err));
		goto out;
	}
	sink_tee_stats(sink, &res.stats); /* the registry's sink is a tee */
	stats_print(&res.stats, stderr);
	/* what the capture holds of the bytes sent and received (--capture-payloads) */
	fprintf(stderr,
		"llmwatch: replay: %" PRIu64 " payload records (DNS answers; stream heads only "
		"with --capture-payloads)\n",
		res.stats.by_type[LW_REC_PAYLOAD]);
	if (f->err)
		fprintf(stderr, "llmwatch: replay: %s: %s\n", o.file, f->res.error);
	capture_read_verdict(o.file, &f->res, stderr);
	if (res.feed_errors)
		fprintf(stderr, "llmwatch: replay: %" PRIu64 " blocks held malformed records\n",
			res.feed_errors);
	status = f->err || !f->res.chain_ok ? 1 : 0;
out:
	sink_destroy(sink);
	capture_replay_result_free(&res);
	return status;
}
