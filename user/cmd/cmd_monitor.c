// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The default verb: load the BPF programs, find running tools, then stream attributed events
 * to a sink until a signal or --duration, and end with the loss summary.
 */
#include "cmd/cmd_monitor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "kernel/bpf_loader.h"
#include "monitor/monitor.h"
#include "version.h"
#include "rules/rules.h"
#include "names/rule_resolver.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/timefmt.h"

#define MAX_EXTRA 32
/*
 * Room for about 2 M records/s of ~115 bytes at the 10 ms drain period, twice over
 * (research/perf-anchors.md's sizing rule); every page of it is resident, so no bigger.
 */
#define DEFAULT_RING_BYTES (4u << 20)
/* Records are submitted without a wakeup; the consumer drains on this period. */
#define POLL_MS 10

struct monitor_opts {
	struct sink_spec outputs[LW_OUTPUTS_MAX];	/* --output, --json; text if none */
	size_t n_outputs;
	bool verbose;
	double duration;		/* seconds; 0 = until a signal */
	const char *ready_file;
	size_t ring_bytes;
	const char *watch[MAX_EXTRA];
	size_t n_watch;
	int pids[MAX_EXTRA];
	size_t n_pids;
	const char *rules[MAX_EXTRA];
	size_t n_rules;
	bool no_default_rules;
	bool enter_tracepoints;
	bool cgroups_watched;
	bool resolve_rule_hosts;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: llmwatch [OPTIONS]\n"
"       llmwatch rules check|list [...]   (validate or list rules; see llmwatch rules)\n"
"\n"
"Watches local LLM inference tools (Ollama, LM Studio, GPT4All, Jan, llama-server, vLLM,\n"
"koboldcpp, LocalAI) and their child processes, and prints what they do on the network and\n"
"the file system: connect, bind, listen, datagram sends, opens and bytes sent per\n"
"connection. Needs root. Stops on SIGINT/SIGTERM or after --duration, then prints what was\n"
"lost (if anything) to stderr.\n"
"\n"
"Options:\n"
"  --output SPEC       where and how events are written: NAME or NAME:PATH, PATH - being\n"
"                      stdout (a file is created mode 0600, or truncated); repeatable,\n"
"                      every event then goes to each (default: text on stdout). Two\n"
"                      outputs on stdout, or on one file, are refused. A failing output\n"
"                      is counted (output_errors in the summary), not fatal. NAMEs:\n");
	sink_registry_help(f, "                        ");
	fprintf(f,
"  --json              the same as --output json\n"
"  --watch NAME        also watch processes whose executable name is NAME (<= 15 bytes),\n"
"                      and their children; repeatable\n"
"  --pid PID           also watch the running process PID and its children; repeatable\n"
"  --rules FILE|DIR    add the rules in FILE (or DIR/*.json) to the default pack;\n"
"                      repeatable (format: docs/rules.md)\n"
"  --no-default-rules  use only the --rules given, not the built-in pack\n"
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
"  --verbose           libbpf's messages (the verifier's log when a load fails)\n"
"  -h, --help          this help\n"
"  -V, --version       version and the hooks this kernel offers\n"
"\n"
"Exit status: 0 after a clean stop, 1 on a runtime error, 2 for bad usage (a rule file\n"
"with errors included) or a system that cannot run llmwatch (not root, no BTF, a missing\n"
"hook it cannot do without).\n");
}

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

static int parse_opts(int argc, char **argv, struct monitor_opts *o)
{
	enum { O_JSON = 256, O_OUTPUT, O_WATCH, O_PID, O_DURATION, O_READY, O_RING, O_VERBOSE, O_RULES,
	       O_NO_DEFAULT_RULES, O_ENTER_TP, O_CGROUPS, O_RESOLVE_RULE_HOSTS };
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	char *end, err[512];
	long v;
	int c;

	o->ring_bytes = DEFAULT_RING_BYTES;
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
						       "without '/' (the kernel's comm)", optarg);
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
		case O_NO_DEFAULT_RULES:
			o->no_default_rules = true;
			break;
		case O_ENTER_TP:
			o->enter_tracepoints = true;
			break;
		case O_RESOLVE_RULE_HOSTS:
			o->resolve_rule_hosts = true;
			break;
		case O_CGROUPS:
			if (strcmp(optarg, "all") && strcmp(optarg, "watched"))
				return cli_usage_error("--cgroups \"%s\": \"all\" or \"watched\"",
						       optarg);
			o->cgroups_watched = strcmp(optarg, "watched") == 0;
			break;
		case O_READY:
			o->ready_file = optarg;
			break;
		case O_RING:
			if (parse_size(optarg, &o->ring_bytes))
				return cli_usage_error("--ring-size \"%s\": a power of two from 4096 "
						       "to 1G (K and M suffixes allowed)", optarg);
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
	if (!o->n_outputs && sink_registry_parse("text", &o->outputs[o->n_outputs++], err,
						 sizeof(err)))
		return cli_usage_error("%s", err);	/* the registry lost its default */
	return 0;
}

/* ---- rules ---------------------------------------------------------------------------- */

#define VERDICTS_MAX 8

struct rule_matcher {
	struct rules *rules;
	struct rules_verdict v[VERDICTS_MAX];
	uint64_t overflow;	/* verdicts beyond VERDICTS_MAX for one event */
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
 * The rule set the options ask for: the built-in pack unless --no-default-rules, then each
 * --rules in order. All or nothing: any error is printed (file:line:col) and NULL returned.
 */
static struct rules *load_rules(const struct monitor_opts *o)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r = NULL;

	if (!b) {
		fprintf(stderr, "llmwatch: out of memory\n");
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

/* ---- the kernel side as the monitor sees it ------------------------------------------ */

static int k_track(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root)
{
	return bpf_loader_track(ctx, pid, tool, reason, root);
}

static void k_untrack(void *ctx, uint32_t pid)
{
	bpf_loader_untrack(ctx, pid);
}

static int k_retool(void *ctx, uint32_t pid, uint16_t tool)
{
	return bpf_loader_retool(ctx, pid, tool);
}

static int k_watch_cgroup(void *ctx, uint32_t pid)
{
	return bpf_loader_watch_cgroup_of(ctx, pid);
}

/*
 * Reports (as LW_REC_CONN_BYTES records through the normal path) and removes the
 * connections pid opened (all connections if pid is 0) that have not closed yet: UDP
 * sockets, and TCP connections still open when their owner exits or llmwatch stops.
 */
static int k_flush_conns(void *ctx, uint32_t pid, uint32_t reason,
			 void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	int fd = bpf_loader_conns_fd(ctx);
	__u64 key, next, *prev = NULL, *doomed = NULL;
	size_t nd = 0, cap = 0;
	int err = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct lw_conn c;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c) || (pid && c.pid != pid))
			continue;
		/* deleted after the walk: deleting under get_next_key restarts the iteration */
		if (nd == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			__u64 *v = realloc(doomed, ncap * sizeof(*v));

			if (!v) {
				/* reported now, and again later: a duplicate beats a loss */
				err = -ENOMEM;
			} else {
				doomed = v;
				cap = ncap;
			}
		}
		if (nd < cap)
			doomed[nd++] = key;
		struct lw_rec_conn_bytes r = {
			.hdr = { .type = LW_REC_CONN_BYTES, .size = sizeof(r),
				 .version = LW_RECORD_VERSION, .tool = c.tool,
				 .ts_ns = timefmt_boot_now(), .pid = c.pid },
			.cookie = key, .bytes = c.bytes, .packets = c.packets,
			.daddr = c.daddr, .reason = reason,
		};
		emit(m, &r, sizeof(r));
	}
	for (size_t i = 0; i < nd; i++)
		bpf_map_delete_elem(fd, &doomed[i]);
	free(doomed);
	return err;
}

static const struct monitor_kernel_ops kernel_ops = {
	.track = k_track,
	.untrack = k_untrack,
	.retool = k_retool,
	.watch_cgroup = k_watch_cgroup,
	.flush_conns = k_flush_conns,
};

/* ---- the event loop ------------------------------------------------------------------ */

static int on_record(void *ctx, void *data, size_t len)
{
	monitor_handle_record(ctx, data, len);
	return 0;	/* a negative return would stop the consumer: never skip that way */
}

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

/*
 * How often --cgroups watched re-checks where the watched processes live, in ns: 5 s, or
 * LLMWATCH_CGROUP_SWEEP_MS (0: never; the tests use it). Exits with a usage error on a
 * value that is not a number.
 */
static int cgroup_sweep_ns(uint64_t *out)
{
	const char *v = getenv("LLMWATCH_CGROUP_SWEEP_MS");
	char *end;
	unsigned long long ms;

	*out = 5000000000ull;
	if (!v)
		return 0;
	errno = 0;
	ms = strtoull(v, &end, 10);
	if (errno || end == v || *end || ms > 86400000ull) {
		fprintf(stderr, "llmwatch: LLMWATCH_CGROUP_SWEEP_MS=\"%s\": a number of milliseconds "
			"(0 to 86400000)\n", v);
		return -EINVAL;
	}
	*out = ms * 1000000ull;
	return 0;
}

/*
 * Hands a finished round of rule host lookups to naming; says how the first one went,
 * since a resolver that answers nothing makes --resolve-rule-hosts do nothing.
 */
static void take_rule_names(struct monitor *m, struct rule_resolver *res, bool *told)
{
	struct rule_resolver_round round;

	if (!res || !rule_resolver_take(res, &round))
		return;
	if (!*told)
		fprintf(stderr, "llmwatch: --resolve-rule-hosts: %zu of %zu rule host names "
			"resolved, %zu addresses%s\n", round.names_resolved, round.names,
			round.n_addrs, round.names_resolved ? "" : " (host_source rule will not "
			"appear until the next round, in 10 minutes)");
	/* a round that resolved nothing (the resolver unreachable) keeps the last good one */
	if (*told && !round.names_resolved) {
		free(round.addrs);
		return;
	}
	*told = true;
	naming_set_rule_names(m->naming, round.addrs, round.n_addrs);
}

static int run_loop(struct monitor *m, struct bpf_loader *l, struct ring_buffer *rb,
		    const struct monitor_opts *o, uint64_t sweep_ns, struct rule_resolver *res)
{
	bool told = false;
	uint64_t start = timefmt_boot_now(), last_tick = start, last_sweep = start;
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;
	int epfd, sfd, err = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || epfd < 0) {
		fprintf(stderr, "llmwatch: cannot set up the event loop: %s\n", strerror(errno));
		err = -errno;
		goto out;
	}
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = ring_buffer__epoll_fd(rb);
	epoll_ctl(epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev);

	for (;;) {
		struct signalfd_siginfo si;
		struct epoll_event got[4];
		uint64_t now;
		int n = epoll_wait(epfd, got, 4, POLL_MS);

		if (n < 0 && errno != EINTR) {
			err = -errno;
			fprintf(stderr, "llmwatch: epoll_wait: %s\n", strerror(errno));
			break;
		}
		n = ring_buffer__consume(rb);
		if (n < 0) {
			err = n;
			fprintf(stderr, "llmwatch: reading the ring buffer: %s\n", strerror(-n));
			break;
		}
		if (sink_flush(m->sink))
			m->stats.output_errors++;	/* lines lost; the tee says which output */
		if (read(sfd, &si, sizeof(si)) == sizeof(si))
			break;
		now = timefmt_boot_now();
		take_rule_names(m, res, &told);
		monitor_tick(m, now);
		if (o->duration > 0 && now - start >= (uint64_t)(o->duration * 1e9))
			break;
		if (now - last_tick >= 1000000000ull) {
			last_tick = now;
			proctable_reap(&m->procs, now, 5000000000ull);
			bpf_loader_read_losses(l, m->stats.kernel_losses);
		}
		if (sweep_ns && now - last_sweep >= sweep_ns) {
			int failed = bpf_loader_sweep_cgroups(l);

			last_sweep = now;
			/* an unreadable process list is one failed sweep, not a failed attach */
			if (failed > 0)
				m->stats.cgroup_unattached += (uint64_t)failed;
			else if (failed < 0)
				fprintf(stderr, "llmwatch: warning: cannot read the tracked processes "
					"to follow their cgroups: %s\n", strerror(-failed));
		}
	}
	/* what the kernel submitted before we stopped is still owed to the user */
	ring_buffer__consume(rb);
out:
	if (sfd >= 0)
		close(sfd);
	if (epfd >= 0)
		close(epfd);
	return err;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_opts o = {};
	struct bpf_loader_opts lo = {};
	struct bpf_loader l = { .cgroup_fd = -1 };
	struct ring_buffer *rb = NULL;
	struct rule_matcher rm = {};
	uint16_t extra_tools[MAX_EXTRA];
	struct monitor m;
	int err, status = 1, found;
	uint64_t sweep_ns;
	struct rule_resolver *resolver = NULL;
	char why[512];

	err = parse_opts(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (cgroup_sweep_ns(&sweep_ns))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	/* rules first: a broken rule file is a usage error, found before anything is loaded */
	rm.rules = load_rules(&o);
	if (!rm.rules)
		return 2;
	if (timefmt_init() || monitor_init(&m)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		rules_free(rm.rules);
		return 1;
	}
	m.match = match_rules;
	m.match_ctx = &rm;
	/* outputs before the kernel: a path that cannot be opened is a usage error, too */
	m.sink = sink_registry_open(o.outputs, o.n_outputs, stderr, why, sizeof(why));
	if (!m.sink) {
		fprintf(stderr, "llmwatch: --output %s\n", why);
		status = 2;
		goto out;
	}
	profiles_init(&m.profiles);
	for (size_t i = 0; i < o.n_watch; i++)
		profiles_add_watch(&m.profiles, o.watch[i]);
	for (size_t i = 0; i < o.n_pids; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", o.pids[i]);
		if (access(path, F_OK)) {
			fprintf(stderr, "llmwatch: --pid %d: no such process\n", o.pids[i]);
			status = 2;
			goto out;
		}
		extra_tools[i] = (uint16_t)profiles_add_pid(&m.profiles, o.pids[i]);
	}

	lo.ring_bytes = o.ring_bytes;
	lo.enter_tracepoints = o.enter_tracepoints;
	lo.cgroups_watched = o.cgroups_watched;
	lo.verbose = o.verbose;
	err = bpf_loader_start(&l, &lo);
	if (err) {
		status = 2;
		goto out;
	}
	m.kops = &kernel_ops;
	m.kctx = &l;
	if (bpf_loader_set_candidates(&l, &m.profiles)) {
		fprintf(stderr, "llmwatch: setting up: %s\n", strerror(errno));
		goto out;
	}
	rb = ring_buffer__new(bpf_loader_events_fd(&l), on_record, &m, NULL);
	if (!rb) {
		fprintf(stderr, "llmwatch: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	found = monitor_scan_running(&m, o.pids, extra_tools, o.n_pids);
	if (found < 0) {
		fprintf(stderr, "llmwatch: scanning /proc: %s\n", strerror(-found));
		goto out;
	}
	fprintf(stderr, "llmwatch %s: watching %zu profiles, %d running processes, %zu rules; "
		"hooks: %s\n", LLMWATCH_VERSION, m.profiles.n, found, rules_count(rm.rules), l.hooks);
	if (l.missing[0])
		fprintf(stderr, "llmwatch: warning: this kernel lacks %s; those events are not "
			"seen\n", l.missing);
	if (o.ready_file && (err = write_ready_file(o.ready_file))) {
		fprintf(stderr, "llmwatch: --ready-file %s: %s\n", o.ready_file, strerror(-err));
		goto out;
	}
	if (o.resolve_rule_hosts) {
		size_t n = rules_condition_hosts(rm.rules, NULL, 0);
		const char **names = calloc(n ? n : 1, sizeof(*names));

		if (names)
			n = rules_condition_hosts(rm.rules, names, n);
		resolver = names ? rule_resolver_start(names, n, RULE_RESOLVER_REFRESH_S) : NULL;
		free(names);
		if (!resolver) {
			fprintf(stderr, "llmwatch: --resolve-rule-hosts: cannot start the lookups: "
				"%s\n", strerror(errno));
			goto out;
		}
	}
	err = run_loop(&m, &l, rb, &o, sweep_ns, resolver);
	k_flush_conns(&l, 0, LW_CLOSE_END, (void (*)(void *, const void *, size_t))
		      monitor_handle_record, &m);
	monitor_flush(&m);
	bpf_loader_read_losses(&l, m.stats.kernel_losses);
	monitor_collect_stats(&m);
	m.stats.verdicts_dropped = rm.overflow;
	if (m.sink->ops->summary(m.sink, &m.stats))
		m.stats.output_errors++;
	sink_tee_stats(m.sink, &m.stats);
	stats_print(&m.stats, stderr);
	status = err ? 1 : 0;
out:
	if (o.ready_file)
		unlink(o.ready_file);
	rule_resolver_stop(resolver);
	ring_buffer__free(rb);
	sink_destroy(m.sink);
	bpf_loader_stop(&l);
	monitor_free(&m);
	rules_free(rm.rules);
	return status;
}
