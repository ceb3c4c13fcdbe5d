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
#include "report/capture_replay.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/timefmt.h"

#define REPLAY_EXTRA_MAX 32

struct replay_opts {
	const char *file;
	const char *rules[REPLAY_EXTRA_MAX], *profiles[REPLAY_EXTRA_MAX];
	size_t n_rules, n_profiles;
	bool no_default_rules;
	struct sink_spec outputs[LW_OUTPUTS_MAX];
	size_t n_outputs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch replay FILE [--rules FILE|DIR]... [--no-default-rules]\n"
		"                       [--profiles FILE|DIR]... [--output SPEC]...\n"
		"Runs the record path over a capture written with --capture: the rules (the\n"
		"built-in pack and each --rules, as for the monitor) match its records again and\n"
		"the events go to the outputs (default: text on stdout). Says on stderr whether the\n"
		"capture's hash chain is intact (else the first block that is not), whether it was\n"
		"sealed by a clean stop, and any torn tail. Exit status: 0 when read, 1 when the\n"
		"capture is unreadable or its chain is broken, 2 for bad usage.\n");
}

/* ---- options, the run ---------------------------------------------------------------- */

static int parse(int argc, char **argv, struct replay_opts *o)
{
	static const struct option lo[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "no-default-rules", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
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
