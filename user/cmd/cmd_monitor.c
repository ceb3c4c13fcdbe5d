// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The default verb: options to a config, then the run: load the rules, open the outputs and
 * the BPF programs, find running tools, hand over to the event loop (kernel/event_loop.c)
 * until a signal or --duration, and end with the loss summary.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "kernel/bpf_loader.h"
#include "kernel/event_loop.h"
#include "kernel/kernel_ops.h"
#include "monitor/loss_alert.h"
#include "monitor/metrics_file.h"
#include "monitor/monitor.h"
#include "version.h"
#include "rules/rules.h"
#include "rules/rules_profiles.h"
#include "names/rule_resolver.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/timefmt.h"

#define MAX_EXTRA 32
/*
 * Room for about 2 M records/s of ~115 bytes at the 10 ms drain period, twice over (the
 * ring sizing rule in docs/perf-notes.md); every page of it is resident, so no bigger.
 */
#define DEFAULT_RING_BYTES (4u << 20)
/*
 * --fold-window: a tool retrying something a rule forbids every second then makes two alerts
 * a minute, not sixty, while a new alert is never delayed and a repeat's count is at most a
 * minute late; long enough to cover retry loops with back-off, short enough that "still
 * happening" is news within a minute. 0 turns folding off.
 */
#define DEFAULT_FOLD_WINDOW_S 60

struct monitor_config {
	struct sink_spec outputs[LW_OUTPUTS_MAX]; /* --output, --json; text if none */
	size_t n_outputs;
	bool verbose;
	double duration; /* seconds; 0 = until a signal */
	const char *ready_file;
	size_t ring_bytes;
	const char *watch[MAX_EXTRA];
	size_t n_watch;
	int pids[MAX_EXTRA];
	size_t n_pids;
	const char *rules[MAX_EXTRA];
	size_t n_rules;
	const char *profiles[MAX_EXTRA];
	size_t n_profiles;
	bool no_default_rules;
	bool enter_tracepoints;
	bool cgroups_watched;
	bool resolve_rule_hosts;
	uint64_t cgroup_sweep_ns; /* LLMWATCH_CGROUP_SWEEP_MS */
	uint64_t runtime_scan_ns; /* --runtime-scan, LLMWATCH_RUNTIME_SCAN_MS; 0: off */
	bool runtime_scan_set;	  /* given on the command line */
	uint64_t fold_window_ns;  /* --fold-window; 0: off */
	uint64_t loss_alert_ns;	  /* --loss-alert-interval; 0: at every check */
	const char *metrics;	  /* --metrics PATH, or NULL */
	uint64_t metrics_ns;	  /* --metrics-interval */
};

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch [OPTIONS]\n"
		"       llmwatch rules check|list [...]   (validate or list rules; see llmwatch rules)\n"
		"       llmwatch profiles list|check [...] (the tool profiles and their sources; see\n"
		"                                         llmwatch profiles help)\n"
		"\n"
		"Watches local LLM inference tools (Ollama, LM Studio, GPT4All, Jan, llama-server, vLLM,\n"
		"koboldcpp, LocalAI, llamafile, Open WebUI, AnythingLLM, text-generation-webui) and their\n"
		"child processes, and prints what they do on the network and the file system: connect,\n"
		"bind, listen, datagram sends, opens and bytes sent per connection. Tools run by an\n"
		"interpreter (python3 -m vllm..., uvicorn open_webui.main:app, node .../server/index.js)\n"
		"are recognised by their command line: at start, at exec when their name is a candidate\n"
		"(vllm, open-webui), otherwise by the --runtime-scan. Needs root. Stops on SIGINT/SIGTERM\n"
		"or after --duration, then prints what was lost (if anything) to stderr.\n"
		"\n"
		"Options:\n"
		"  --output SPEC       where and how events are written: NAME or NAME:PATH, PATH - being\n"
		"                      stdout (a file is created mode 0600 or truncated, never through\n"
		"                      a symlink); repeatable, every event then goes to each (default:\n"
		"                      text on stdout). Two outputs on stdout, or on one file, are\n"
		"                      refused. A failing output is counted (output_errors in the\n"
		"                      summary), not fatal. Every line is written whole or not at all\n"
		"                      (a full disk leaves no torn line). A file may be rotated by\n"
		"                      size: PATH,max-size=N[k|M|G][,keep=K] moves PATH to PATH.1\n"
		"                      (PATH.1 to PATH.2, ... the oldest, PATH.K, removed; K 0 to 1000,\n"
		"                      default 5) before a line would take it past N bytes. SIGHUP\n"
		"                      reopens the files (logrotate: move, then SIGHUP). NAMEs:\n");
	sink_registry_help(f, "                        ");
	fprintf(f,
		"  --json              the same as --output json\n"
		"  --fold-window SECS  identical alerts (same rules, tool, event type and subject: the\n"
		"                      far end's name or address and port, the path, the program)\n"
		"                      within SECS seconds of the first are folded: the first is\n"
		"                      written at once, the others counted, and when the window ends\n"
		"                      (or llmwatch stops) one summary alert is written: the last\n"
		"                      one, with the count and the first and last time (\"fold\" in\n"
		"                      JSON). Default 60; 0: every alert written. Events that are no\n"
		"                      alert are never folded\n"
		"  --watch NAME        also watch processes whose executable name is NAME (<= 15 bytes),\n"
		"                      and their children; repeatable\n"
		"  --pid PID           also watch the running process PID and its children; repeatable\n"
		"  --rules FILE|DIR    add the rules in FILE (or DIR/*.json) to the default pack;\n"
		"                      repeatable (format: docs/rules.md)\n"
		"  --no-default-rules  use only the --rules given, not the built-in pack\n"
		"  --profiles FILE|DIR add the tool profiles in FILE (or DIR/*.json): new tools, or a\n"
		"                      built-in profile replaced by one of its name; rules may name\n"
		"                      them in \"tools\"; repeatable (format: docs/profiles.md)\n"
		"  --duration SECS     stop after SECS seconds\n"
		"  --ready-file PATH   create PATH (holding llmwatch's pid) once every program is attached\n"
		"                      and running tools have been found\n"
		"  --ring-size BYTES   ring-buffer size, a power of two >= 4096 (default 4 MiB); K/M suffix\n"
		"  --cgroups WHERE     where the cgroup programs (io_uring connects, bytes and names per\n"
		"                      connection, DNS answers) run: \"all\" (default), every socket of\n"
		"                      the machine; or \"watched\", only the cgroups watched processes live\n"
		"                      in, attached when the first is seen there, so nothing else pays for\n"
		"                      them, but a connection made in its first milliseconds may go\n"
		"                      unseen by them (counted as lost: no_cgroup_hook). Every 5 s\n"
		"                      (LLMWATCH_CGROUP_SWEEP_MS; 0: never) they follow watched processes\n"
		"                      that moved to another cgroup, and leave a cgroup once the watched\n"
		"                      processes seen in it have exited\n"
		"  --runtime-scan MS   every MS milliseconds (default 1000; LLMWATCH_RUNTIME_SCAN_MS; 0:\n"
		"                      off), look at the processes not yet watched: one named like a\n"
		"                      profile's interpreter (python*, node, uvicorn) has its command\n"
		"                      line read once, and is watched from then on, with the processes\n"
		"                      it has started, if that names the tool (python3 -m vllm...); the\n"
		"                      others have their memory maps read, and those that loaded an\n"
		"                      inference runtime (libllama, libggml, llama-addon.node,\n"
		"                      libllmodel) or mapped a GGUF model are watched as tool\n"
		"                      \"runtime:KIND\". What they did before is not seen\n"
		"  --resolve-rule-hosts\n"
		"                      look up the host names in the rules' conditions with this machine's\n"
		"                      resolver, at start and every 10 minutes, so that a connection to one\n"
		"                      of their addresses that nothing the tool did named is reported with\n"
		"                      that name (host_source \"rule\": a guess, addresses are shared; an\n"
		"                      exception's host never excuses it). Off by default: llmwatch then\n"
		"                      sends nothing on the network itself\n"
		"  --enter-tracepoints save syscall arguments at enter tracepoints, as on kernels before\n"
		"                      5.15, instead of reading them from the saved registers at the exit\n"
		"                      (costs every process on the machine a second tracepoint per call;\n"
		"                      for comparison and tests)\n"
		"  --loss-alert-interval SECS\n"
		"                      events lost (the kernel's counters, a full ring buffer, a failing\n"
		"                      output, ...) are an alert too, rule llmwatch-events-lost, severity\n"
		"                      high, written to every output with what each loss counter gained:\n"
		"                      at most one per SECS seconds (default 10; 0: at every check, once\n"
		"                      a second or every --metrics-interval if shorter), and one at the\n"
		"                      end for what the last interval held back\n"
		"  --metrics PATH      write counters in the Prometheus text format to PATH (for\n"
		"                      node_exporter's textfile collector): events and alerts by type\n"
		"                      and tool, every loss counter, the ring buffer's fill, watched\n"
		"                      processes, uptime, the time of the write. Written whole to\n"
		"                      PATH.tmp, synced and renamed over PATH (never through a\n"
		"                      symlink); the directory must exist. No socket is opened\n"
		"  --metrics-interval SECS\n"
		"                      how often --metrics is rewritten (default 15)\n"
		"  --verbose           libbpf's messages (the verifier's log when a load fails)\n"
		"  -h, --help          this help\n"
		"  -V, --version       version and the hooks this kernel offers\n"
		"\n"
		"Exit status: 0 after a clean stop, 1 on a runtime error, 2 for bad usage (a rule file\n"
		"with errors included) or a system that cannot run llmwatch (not root, no BTF, a missing\n"
		"hook it cannot do without).\n");
}
/* clang-format on */

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || v < 4096 || v > (1ull << 30) || (v & (v - 1)))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

/* A number of milliseconds (0 to a day) into ns. Returns 0 or -EINVAL. */
static int parse_ms(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long ms;

	errno = 0;
	ms = strtoull(v, &end, 10);
	if (errno || end == v || *end || ms > 86400000ull || v[0] == '-')
		return -EINVAL;
	*out = ms * 1000000ull;
	return 0;
}

/* A number of seconds (decimals allowed, 0 only if zero_ok, at most a day) into ns. */
static int parse_seconds(const char *v, bool zero_ok, uint64_t *out)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(v, &end);
	if (errno || end == v || *end || !(s >= 0) || s > 86400 || (!zero_ok && s == 0))
		return -EINVAL;
	*out = (uint64_t)(s * 1e9);
	return 0;
}

/*
 * An interval in ns from the environment variable name, def_ns when it is unset. Returns
 * -EINVAL, said on stderr, on a value that is not a number of milliseconds.
 */
static int env_interval_ns(const char *name, uint64_t def_ns, uint64_t *out)
{
	const char *v = getenv(name);

	*out = def_ns;
	if (!v || !parse_ms(v, out))
		return 0;
	fprintf(stderr, "llmwatch: %s=\"%s\": a number of milliseconds (0 to 86400000)\n", name, v);
	return -EINVAL;
}

/*
 * Turns the command line (and LLMWATCH_CGROUP_SWEEP_MS) into *o. Returns 0, 1 when --help
 * or --version has been answered, or -1 after a usage error was printed.
 */
static int parse_config(int argc, char **argv, struct monitor_config *o)
{
	enum {
		O_JSON = 256,
		O_OUTPUT,
		O_WATCH,
		O_PID,
		O_DURATION,
		O_READY,
		O_RING,
		O_VERBOSE,
		O_RULES,
		O_NO_DEFAULT_RULES,
		O_ENTER_TP,
		O_CGROUPS,
		O_RESOLVE_RULE_HOSTS,
		O_RUNTIME_SCAN,
		O_PROFILES,
		O_FOLD_WINDOW,
		O_LOSS_ALERT_INTERVAL,
		O_METRICS,
		O_METRICS_INTERVAL
	};
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "watch", required_argument, NULL, O_WATCH },
		{ "pid", required_argument, NULL, O_PID },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "ready-file", required_argument, NULL, O_READY },
		{ "ring-size", required_argument, NULL, O_RING },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-default-rules", no_argument, NULL, O_NO_DEFAULT_RULES },
		{ "enter-tracepoints", no_argument, NULL, O_ENTER_TP },
		{ "cgroups", required_argument, NULL, O_CGROUPS },
		{ "resolve-rule-hosts", no_argument, NULL, O_RESOLVE_RULE_HOSTS },
		{ "runtime-scan", required_argument, NULL, O_RUNTIME_SCAN },
		{ "profiles", required_argument, NULL, O_PROFILES },
		{ "fold-window", required_argument, NULL, O_FOLD_WINDOW },
		{ "loss-alert-interval", required_argument, NULL, O_LOSS_ALERT_INTERVAL },
		{ "metrics", required_argument, NULL, O_METRICS },
		{ "metrics-interval", required_argument, NULL, O_METRICS_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	char *end, err[512];
	long v;
	int c;

	o->ring_bytes = DEFAULT_RING_BYTES;
	o->fold_window_ns = DEFAULT_FOLD_WINDOW_S * 1000000000ull;
	o->loss_alert_ns = 10000000000ull;
	o->metrics_ns = 15000000000ull;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON:
		case O_OUTPUT:
			if (o->n_outputs == LW_OUTPUTS_MAX)
				return cli_usage_error("too many --output and --json (at most %d)",
						       LW_OUTPUTS_MAX);
			if (sink_registry_parse(c == O_JSON ? "json" : optarg,
						&o->outputs[o->n_outputs], err, sizeof(err)))
				return cli_usage_error("--output %s", err);
			o->n_outputs++;
			break;
		case O_VERBOSE:
			o->verbose = true;
			break;
		case O_WATCH:
			if (o->n_watch == MAX_EXTRA)
				return cli_usage_error("too many --watch (at most %d)", MAX_EXTRA);
			if (!optarg[0] || strlen(optarg) > 15 || strchr(optarg, '/'))
				return cli_usage_error("--watch \"%s\": a name is 1 to 15 bytes "
						       "without '/' (the kernel's comm)",
						       optarg);
			o->watch[o->n_watch++] = optarg;
			break;
		case O_PID:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > INT_MAX)
				return cli_usage_error("--pid \"%s\": not a process id", optarg);
			if (o->n_pids == MAX_EXTRA)
				return cli_usage_error("too many --pid (at most %d)", MAX_EXTRA);
			o->pids[o->n_pids++] = (int)v;
			break;
		case O_DURATION:
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || *end || !(o->duration > 0) || o->duration > 1e9)
				return cli_usage_error("--duration \"%s\": a number of seconds > 0",
						       optarg);
			break;
		case O_RULES:
			if (o->n_rules == MAX_EXTRA)
				return cli_usage_error("too many --rules (at most %d)", MAX_EXTRA);
			o->rules[o->n_rules++] = optarg;
			break;
		case O_PROFILES:
			if (o->n_profiles == MAX_EXTRA)
				return cli_usage_error("too many --profiles (at most %d)",
						       MAX_EXTRA);
			o->profiles[o->n_profiles++] = optarg;
			break;
		case O_NO_DEFAULT_RULES:
			o->no_default_rules = true;
			break;
		case O_ENTER_TP:
			o->enter_tracepoints = true;
			break;
		case O_RESOLVE_RULE_HOSTS:
			o->resolve_rule_hosts = true;
			break;
		case O_RUNTIME_SCAN:
			if (parse_ms(optarg, &o->runtime_scan_ns))
				return cli_usage_error("--runtime-scan \"%s\": a number of "
						       "milliseconds (0 to 86400000)",
						       optarg);
			o->runtime_scan_set = true;
			break;
		case O_FOLD_WINDOW:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > 86400)
				return cli_usage_error("--fold-window \"%s\": a number of seconds "
						       "(0 to 86400; 0: off)",
						       optarg);
			o->fold_window_ns = (uint64_t)v * 1000000000ull;
			break;
		case O_LOSS_ALERT_INTERVAL:
			if (parse_seconds(optarg, true, &o->loss_alert_ns))
				return cli_usage_error("--loss-alert-interval \"%s\": a number of "
						       "seconds (0 to 86400)",
						       optarg);
			break;
		case O_METRICS:
			if (!optarg[0])
				return cli_usage_error("--metrics \"\": a file path");
			o->metrics = optarg;
			break;
		case O_METRICS_INTERVAL:
			if (parse_seconds(optarg, false, &o->metrics_ns))
				return cli_usage_error("--metrics-interval \"%s\": a number of "
						       "seconds (above 0, at most 86400)",
						       optarg);
			break;
		case O_CGROUPS:
			if (strcmp(optarg, "all") != 0 && strcmp(optarg, "watched") != 0)
				return cli_usage_error("--cgroups \"%s\": \"all\" or \"watched\"",
						       optarg);
			o->cgroups_watched = strcmp(optarg, "watched") == 0;
			break;
		case O_READY:
			o->ready_file = optarg;
			break;
		case O_RING:
			if (parse_size(optarg, &o->ring_bytes))
				return cli_usage_error(
					"--ring-size \"%s\": a power of two from 4096 "
					"to 1G (K and M suffixes allowed)",
					optarg);
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			cli_print_version();
			return 1;
		default:
			return cli_usage_error("see llmwatch --help");
		}
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument \"%s\" (see llmwatch --help)",
				       argv[optind]);
	if (!o->n_outputs &&
	    sink_registry_parse("text", &o->outputs[o->n_outputs++], err, sizeof(err)))
		return cli_usage_error("%s", err); /* the registry lost its default */
	/* how often --cgroups watched re-checks where the watched processes live */
	if (env_interval_ns("LLMWATCH_CGROUP_SWEEP_MS", 5000000000ull, &o->cgroup_sweep_ns))
		return -1;
	if (!o->runtime_scan_set &&
	    env_interval_ns("LLMWATCH_RUNTIME_SCAN_MS", 1000000000ull, &o->runtime_scan_ns))
		return -1;
	return 0;
}

/* ---- rules ---------------------------------------------------------------------------- */

#define VERDICTS_MAX 8

struct rule_matcher {
	struct rules *rules;
	struct rules_verdict v[VERDICTS_MAX];
	uint64_t overflow; /* verdicts beyond VERDICTS_MAX for one event */
};

static size_t match_rules(void *ctx, const struct lw_event *ev, const struct rules_verdict **out)
{
	struct rule_matcher *rm = ctx;
	int n = rules_match(rm->rules, ev, rm->v, VERDICTS_MAX);

	*out = rm->v;
	if (n <= 0)
		return 0;
	if (n > VERDICTS_MAX) {
		rm->overflow += (uint64_t)(n - VERDICTS_MAX);
		n = VERDICTS_MAX;
	}
	return (size_t)n;
}

/*
 * The built-in profiles and those of each --profiles into set. All or nothing: any error is
 * printed (file:line:col) and NULL returned. The set points into what is returned: free it
 * (rules_profiles_free()) only once the set is no longer used.
 */
static struct rules_profiles *load_profiles(const struct monitor_config *o, struct profile_set *set)
{
	struct rules_profiles *pf = rules_profiles_new();
	int err;

	profiles_init(set);
	if (!pf) {
		fprintf(stderr, "llmwatch: out of memory\n");
		return NULL;
	}
	for (size_t i = 0; i < o->n_profiles; i++)
		rules_profiles_add_path(pf, o->profiles[i]);
	err = rules_profiles_apply(pf, set);
	if (!err)
		return pf;
	for (size_t i = 0; i < rules_profiles_error_count(pf); i++)
		fprintf(stderr, "%s\n", rules_profiles_error(pf, i));
	if (rules_profiles_error_count(pf))
		fprintf(stderr, "llmwatch: profiles not loaded: %zu error(s)\n",
			rules_profiles_error_count(pf));
	else
		fprintf(stderr, "llmwatch: profiles not loaded: %s\n", strerror(-err));
	rules_profiles_free(pf);
	return NULL;
}

/*
 * The rule set the options ask for: the built-in pack unless --no-default-rules, then each
 * --rules in order, naming the tools of set. All or nothing: any error is printed
 * (file:line:col) and NULL returned.
 */
static struct rules *load_rules(const struct monitor_config *o, const struct profile_set *set)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r = NULL;

	if (!b || rules_builder_set_profiles(b, set)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		rules_builder_free(b);
		return NULL;
	}
	if (!o->no_default_rules)
		rules_builder_add_default(b);
	for (size_t i = 0; i < o->n_rules; i++)
		rules_builder_add_path(b, o->rules[i]);
	r = rules_builder_build(b);
	if (!r) {
		for (size_t i = 0; i < rules_builder_error_count(b); i++)
			fprintf(stderr, "%s\n", rules_builder_error(b, i));
		fprintf(stderr, "llmwatch: rules not loaded: %zu error(s)\n",
			rules_builder_error_count(b));
	}
	rules_builder_free(b);
	return r;
}

/* ---- loss alerts and metrics ----------------------------------------------------------- */

/* What the event loop's periodic hook drives: the loss alert and the metrics file. */
struct periodic {
	struct monitor *m;
	struct rule_matcher *rm;
	struct loss_alert la;
	struct metrics_file *mf; /* NULL without --metrics */
};

/* Brings the counters kept elsewhere (rules, naming, the tee's outputs) into m->stats. */
static void sync_stats(struct periodic *p)
{
	p->m->stats.verdicts_dropped = p->rm->overflow;
	monitor_collect_stats(p->m);
	sink_tee_stats(p->m->sink, &p->m->stats);
}

static void on_period(void *arg, uint64_t now_ns)
{
	struct periodic *p = arg;

	sync_stats(p);
	loss_alert_check(&p->la, p->m, now_ns, false);
	if (p->mf)
		metrics_file_tick(p->mf, p->m, now_ns);
}

/* At the end: the losses the last interval held back, and the final counts. */
static void periodic_end(struct periodic *p)
{
	uint64_t now = timefmt_boot_now();

	sync_stats(p);
	loss_alert_check(&p->la, p->m, now, true);
	if (p->mf)
		metrics_file_write(p->mf, p->m, now, false);
}

/* ---- the run ------------------------------------------------------------------------- */

static int write_ready_file(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;

	/* write then rename, so a waiting script never reads a half-written file */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", getpid());
	if (fclose(f) || rename(tmp, path))
		return -errno;
	return 0;
}

/* Starts the --resolve-rule-hosts lookups of every host name in the rules' conditions. */
static struct rule_resolver *start_resolver(const struct rules *rules)
{
	size_t n = rules_condition_hosts(rules, NULL, 0);
	const char **names = calloc(n ? n : 1, sizeof(*names));
	struct rule_resolver *res;

	if (names)
		n = rules_condition_hosts(rules, names, n);
	res = names ? rule_resolver_start(names, n, RULE_RESOLVER_REFRESH_S) : NULL;
	free(names);
	if (!res)
		fprintf(stderr, "llmwatch: --resolve-rule-hosts: cannot start the lookups: %s\n",
			strerror(errno));
	return res;
}

/*
 * SIGHUP, part one (for logrotate): every output opens its file again by its name, so a
 * file moved away is created anew; what was written before the signal is in the moved file.
 * A failure is told by the tee, and that output keeps its old file.
 */
static void reopen_outputs(struct monitor *m)
{
	sink_reopen(m->sink);
}

/* The event loop's SIGHUP callback (event_loop_opts.on_hup); arg is the monitor. */
static void on_hup(void *arg)
{
	reopen_outputs(arg);
}

/*
 * Watches until a signal or the duration: rules, outputs, the BPF programs, the tools
 * already running, then the event loop (kernel/event_loop.c), and the summary. Returns the
 * exit status.
 */
static int run(const struct monitor_config *c)
{
	struct bpf_loader_opts lo = {
		.ring_bytes = c->ring_bytes,
		.enter_tracepoints = c->enter_tracepoints,
		.cgroups_watched = c->cgroups_watched,
		.verbose = c->verbose,
	};
	struct bpf_loader l = { .cgroup_fd = -1 };
	struct event_loop_opts eo = {
		.duration_s = c->duration,
		.cgroup_sweep_ns = c->cgroup_sweep_ns,
		.runtime_scan_ns = c->runtime_scan_ns,
	};
	struct event_loop *el = NULL;
	struct rule_matcher rm = {};
	struct rules_profiles *pf = NULL;
	uint16_t extra_tools[MAX_EXTRA];
	struct monitor m;
	struct periodic pd = { .m = &m, .rm = &rm };
	int err, status = 1, found;
	char why[512];

	signal(SIGPIPE, SIG_IGN);
	/* a file size limit makes a write fail (EFBIG, counted), not kill llmwatch */
	signal(SIGXFSZ, SIG_IGN);
	if (timefmt_init() || monitor_init(&m)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		return 1;
	}
	/*
	 * Profiles, then the rules that name their tools: a broken profile or rule file is a
	 * usage error, found before anything is loaded.
	 */
	pf = load_profiles(c, &m.profiles);
	if (pf)
		rm.rules = load_rules(c, &m.profiles);
	if (!rm.rules) {
		status = 2;
		goto out;
	}
	m.match = match_rules;
	m.match_ctx = &rm;
	if (monitor_set_fold(&m, c->fold_window_ns)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		goto out;
	}
	/* outputs before the kernel: a path that cannot be opened is a usage error, too */
	m.sink = sink_registry_open(c->outputs, c->n_outputs, stderr, why, sizeof(why));
	if (!m.sink) {
		fprintf(stderr, "llmwatch: --output %s\n", why);
		status = 2;
		goto out;
	}
	/* the metrics file too: written once now, so a directory it cannot write to is found */
	if (c->metrics) {
		uint64_t now = timefmt_boot_now();

		pd.mf = metrics_file_new(c->metrics, c->metrics_ns, now, why, sizeof(why));
		if (!pd.mf) {
			fprintf(stderr, "llmwatch: --metrics %s\n", why);
			status = 2;
			goto out;
		}
		err = metrics_file_write(pd.mf, &m, now, true);
		if (err) {
			fprintf(stderr, "llmwatch: --metrics %s: cannot write it: %s\n", c->metrics,
				strerror(-err));
			status = 2;
			goto out;
		}
	}
	for (size_t i = 0; i < c->n_watch; i++)
		profiles_add_watch(&m.profiles, c->watch[i]);
	for (size_t i = 0; i < c->n_pids; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", c->pids[i]);
		if (access(path, F_OK)) {
			fprintf(stderr, "llmwatch: --pid %d: no such process\n", c->pids[i]);
			status = 2;
			goto out;
		}
		extra_tools[i] = (uint16_t)profiles_add_pid(&m.profiles, c->pids[i]);
	}

	err = bpf_loader_start(&l, &lo);
	if (err) {
		status = 2;
		goto out;
	}
	m.kops = &kernel_ops_bpf;
	m.kctx = &l;
	if (bpf_loader_set_candidates(&l, &m.profiles)) {
		fprintf(stderr, "llmwatch: setting up: %s\n", strerror(errno));
		goto out;
	}
	el = event_loop_new(&m, &l);
	if (!el)
		goto out;
	/* the "netns" rule condition compares with it; said once when it is not PID 1's */
	if (monitor_read_host_netns(&m) != MONITOR_NETNS_PID1)
		fprintf(stderr,
			"llmwatch: warning: /proc/1/ns/net is unreadable: rules' \"netns\" "
			"compares with %s\n",
			m.host_netns ? "llmwatch's own network namespace" :
				       "nothing (llmwatch's own is unreadable too), so it never "
				       "matches");
	found = monitor_scan_running(&m, c->pids, extra_tools, c->n_pids);
	if (found < 0) {
		fprintf(stderr, "llmwatch: scanning /proc: %s\n", strerror(-found));
		goto out;
	}
	/* embedded engines already running are found now, not a period later */
	if (c->runtime_scan_ns) {
		int rt = monitor_scan_runtimes(&m);

		if (rt < 0) {
			fprintf(stderr, "llmwatch: scanning /proc for inference runtimes: %s\n",
				strerror(-rt));
			goto out;
		}
		found += rt;
	}
	fprintf(stderr,
		"llmwatch %s: watching %zu profiles, %d running processes, %zu rules; "
		"hooks: %s\n",
		LLMWATCH_VERSION, m.profiles.n, found, rules_count(rm.rules), l.hooks);
	if (l.missing[0])
		fprintf(stderr,
			"llmwatch: warning: this kernel lacks %s; those events are not "
			"seen\n",
			l.missing);
	if (c->ready_file && (err = write_ready_file(c->ready_file))) {
		fprintf(stderr, "llmwatch: --ready-file %s: %s\n", c->ready_file, strerror(-err));
		goto out;
	}
	if (c->resolve_rule_hosts && !(eo.resolver = start_resolver(rm.rules)))
		goto out;
	eo.on_hup = on_hup;
	eo.hup_arg = &m;
	/* checked once a second (the kernel's loss counters are read as often), or faster */
	loss_alert_init(&pd.la, c->loss_alert_ns, timefmt_boot_now());
	eo.on_period = on_period;
	eo.period_arg = &pd;
	eo.period_ns = 1000000000ull;
	if (c->metrics_ns < eo.period_ns && c->metrics)
		eo.period_ns = c->metrics_ns;

	err = event_loop_run(el, &eo);
	periodic_end(&pd);
	m.stats.verdicts_dropped = rm.overflow;
	if (m.sink->ops->summary(m.sink, &m.stats))
		m.stats.output_errors++;
	sink_tee_stats(m.sink, &m.stats);
	stats_print(&m.stats, stderr);
	if (c->runtime_scan_ns)
		fprintf(stderr,
			"llmwatch: runtime scan: %" PRIu64 " passes, %" PRIu64
			" processes' maps read, %" PRIu64 " skipped as unchanged, %" PRIu64
			" recognised%s\n",
			m.rt.scans, m.rt.checked, m.rt.skipped, m.rt.found,
			m.rt.failed ? " (some could not be tracked)" : "");
	fprintf(stderr,
		"llmwatch: command lines: %" PRIu64 " read (of processes named like an "
		"interpreter), %" PRIu64 " named a tool\n",
		m.rt.cmdlines, m.rt.by_cmdline);
	status = err ? 1 : 0;
out:
	if (c->ready_file)
		unlink(c->ready_file);
	rule_resolver_stop(eo.resolver);
	metrics_file_free(pd.mf);
	event_loop_free(el);
	sink_destroy(m.sink);
	bpf_loader_stop(&l);
	monitor_free(&m);
	rules_free(rm.rules);
	rules_profiles_free(pf);
	return status;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_config c = {};
	int err = parse_config(argc, argv, &c);

	if (err)
		return err > 0 ? 0 : 2;
	return run(&c);
}
