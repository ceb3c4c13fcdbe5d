// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The default verb: options to a config (cmd/monitor_options.c), then the run: load the
 * rules, open the outputs and the BPF programs, find running tools, tell the service
 * manager (cmd/daemon_notify.c), hand over to the event loop (kernel/event_loop.c) until a
 * signal or --duration, reloading the config and rules on SIGHUP, and end with the loss
 * summary.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture_writer.h"
#include "cmd/cli.h"
#include "cmd/daemon_notify.h"
#include "cmd/monitor_options.h"
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
 * (file:line:col) and NULL returned, the first error also copied to first[first_size] when
 * first is not NULL.
 */
static struct rules *load_rules(const struct monitor_config *o, const struct profile_set *set,
				char *first, size_t first_size)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r = NULL;

	if (!b || rules_builder_set_profiles(b, set)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		rules_builder_free(b);
		if (first)
			snprintf(first, first_size, "out of memory");
		return NULL;
	}
	if (!o->no_default_rules)
		rules_builder_add_default(b);
	for (size_t i = 0; i < o->n_rules; i++)
		rules_builder_add_path(b, o->rules[i]);
	r = rules_builder_build(b);
	if (!r && first)
		snprintf(first, first_size, "%s",
			 rules_builder_error_count(b) ? rules_builder_error(b, 0) :
							strerror(errno));
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
	struct metrics_file *mf;   /* NULL without --metrics */
	struct capture_writer *cw; /* NULL without --capture */
};

/* Brings the counters kept elsewhere (rules, naming, the tee's outputs) into m->stats. */
static void sync_stats(struct periodic *p)
{
	p->m->stats.verdicts_dropped = p->rm->overflow;
	monitor_collect_stats(p->m);
	if (p->cw) {
		struct capture_writer_stats cs;

		capture_writer_get_stats(p->cw, &cs);
		p->m->stats.capture_lost = cs.lost_records;
		p->m->stats.capture_blocks_lost = cs.write_errors;
	}
	sink_tee_stats(p->m->sink, &p->m->stats);
}

static void on_period(void *arg, uint64_t now_ns)
{
	struct periodic *p = arg;

	sync_stats(p);
	loss_alert_check(&p->la, p->m, now_ns, false);
	if (p->mf)
		metrics_file_tick(p->mf, p->m, now_ns);
	/* the loss counters go into the capture when they changed, then what waits is synced */
	capture_writer_losses(p->cw, &p->m->stats, now_ns);
	capture_writer_tick(p->cw, now_ns);
}

/* At the end: the losses the last interval held back, and the final counts. */
static void periodic_end(struct periodic *p)
{
	uint64_t now = timefmt_boot_now();

	sync_stats(p);
	loss_alert_check(&p->la, p->m, now, true);
	if (p->mf)
		metrics_file_write(p->mf, p->m, now, false);
	capture_writer_losses(p->cw, &p->m->stats, now);
}

/*
 * Opens --capture: its header names the profiles (what each record's tool id means) and the
 * rules. Returns 0, or -1 said on stderr.
 */
static int open_capture(const struct monitor_config *c, struct periodic *p)
{
	struct capture_meta meta = {
		.llmwatch_version = LLMWATCH_VERSION,
		.profiles = &p->m->profiles,
		.n_rules = rules_count(p->rm->rules),
		.rule_paths = c->rules,
		.n_rule_paths = c->n_rules,
		.default_rules = !c->no_default_rules,
	};
	char why[512], digest[2 * RULES_DIGEST_LEN + 1];

	rules_digest_hex(p->rm->rules, digest);
	meta.rules_digest = digest;
	struct capture_writer_opts wo = {
		.flush_ns = c->capture_flush_ns,
		.max_size = c->capture_file.max_size,
		.keep = c->capture_file.keep,
		.payloads = c->capture_payloads,
	};

	p->cw = capture_writer_open(c->capture_file.path, &meta, &wo, why, sizeof(why));
	if (!p->cw) {
		fprintf(stderr, "llmwatch: --capture %s\n", why);
		return -1;
	}
	return 0;
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

/* ---- SIGHUP ---------------------------------------------------------------------------- */

/* What a reload replaces, and what it reads. */
struct monitor_run {
	const struct monitor_config *c; /* as started: the command line, and --config */
	struct monitor *m;		/* its outputs are reopened; its profiles name the tools */
	struct rule_matcher *rm;
	struct event_loop_opts *eo; /* its resolver is restarted for the new rules' hosts */
};

/*
 * SIGHUP, the config and rules part: reads the --config file and every rule file again and
 * builds the new rule set beside the running one, which goes on matching until the new one
 * is complete. Any error (in the config file or a rule file: FILE:LINE:COL on stderr, the
 * first one in the service's STATUS) keeps the running rules, and llmwatch goes on. Options
 * other than the rules' take effect only at a restart, which is said. Records wait in the
 * ring buffer meanwhile, none is lost to the reload.
 */
static void reload_config_and_rules(struct monitor_run *r)
{
	struct monitor_config nc;
	struct rules *fresh, *old;
	char first[512], changed[256], status[768];
	int err;

	daemon_notify_reloading();
	fprintf(stderr, "llmwatch: SIGHUP: reloading %s%sthe rules\n",
		r->c->config ? r->c->config : "", r->c->config ? " and " : "");
	err = monitor_options_parse(r->c->argc, r->c->argv, &nc);
	if (err) {
		snprintf(
			status, sizeof(status),
			"reload failed: %s has errors; the running configuration and rules are kept",
			r->c->config ? r->c->config : "the command line");
		fprintf(stderr, "llmwatch: %s\n", status);
		daemon_notify_ready(status);
		monitor_config_free(&nc);
		return;
	}
	/* profiles are not reloaded (a restart applies them): the running set names the tools */
	fresh = load_rules(&nc, &r->m->profiles, first, sizeof(first));
	if (!fresh) {
		snprintf(status, sizeof(status),
			 "reload failed, the %zu running rules are kept: %s",
			 rules_count(r->rm->rules), first);
		fprintf(stderr, "llmwatch: reload failed: the %zu running rules are kept\n",
			rules_count(r->rm->rules));
		daemon_notify_ready(status);
		monitor_config_free(&nc);
		return;
	}
	if (monitor_options_restart_only(r->c, &nc, changed, sizeof(changed)))
		fprintf(stderr, "llmwatch: reload: %s changed: only a restart applies that\n",
			changed);
	/*
	 * Open fold windows hold the old set's verdicts (rule ids, messages): their summaries
	 * are written now, before those strings go.
	 */
	monitor_flush_alerts(r->m);
	old = r->rm->rules;
	r->rm->rules = fresh;
	rules_free(old);
	if (r->eo->resolver) {
		rule_resolver_stop(r->eo->resolver);
		r->eo->resolver = start_resolver(fresh);
	}
	snprintf(status, sizeof(status), "reloaded: %zu rules", rules_count(fresh));
	fprintf(stderr, "llmwatch: %s\n", status);
	daemon_notify_ready(status);
	/* the rule set copied what it needed (paths, texts) */
	monitor_config_free(&nc);
}

/*
 * SIGHUP, the outputs part (for logrotate): every output opens its file again by its name,
 * so a file moved away is created anew; what was written before the signal is in the moved
 * file. A failure is told by the tee, and that output keeps its old file.
 */
static void reopen_outputs(struct monitor *m)
{
	sink_reopen(m->sink);
}

/* The event loop's SIGHUP callback (event_loop_opts.on_hup): outputs, then config and rules. */
static void on_hup(void *arg)
{
	struct monitor_run *r = arg;

	reopen_outputs(r->m);
	reload_config_and_rules(r);
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
	struct monitor m;
	struct monitor_run mr = { .c = c, .m = &m, .rm = &rm, .eo = &eo };
	struct periodic pd = { .m = &m, .rm = &rm };
	uint16_t extra_tools[MONITOR_OPTIONS_EXTRA_MAX];
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
		rm.rules = load_rules(c, &m.profiles, NULL, 0);
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

	/* after --watch and --pid: the header names every tool id the records may carry */
	if (c->capture && open_capture(c, &pd)) {
		status = 2;
		goto out;
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
	/* the processes found running: a capture's reader learns their tool and executable */
	if (pd.cw) {
		capture_writer_procs(pd.cw, &m.procs);
		m.record_tap = capture_writer_tap;
		m.tap_ctx = pd.cw;
		/* and what the monitor reads from /proc: a replay reads none */
		m.facts_tap = capture_writer_facts_tap;
		m.name_tap = capture_writer_name_tap;
		m.facts_ctx = pd.cw;
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
	eo.hup_arg = &mr;
	eo.periodic_ns = daemon_notify_watchdog_ns();
	eo.on_periodic = daemon_notify_watchdog;
	/* checked once a second (the kernel's loss counters are read as often), or faster */
	loss_alert_init(&pd.la, c->loss_alert_ns, timefmt_boot_now());
	eo.on_period = on_period;
	eo.period_arg = &pd;
	eo.period_ns = 1000000000ull;
	if (c->metrics_ns < eo.period_ns && c->metrics)
		eo.period_ns = c->metrics_ns;
	if (c->capture_flush_ns < eo.period_ns && c->capture)
		eo.period_ns = c->capture_flush_ns;
	/* everything is attached and the running tools found: a unit may start what needs us */
	snprintf(why, sizeof(why), "watching %zu profiles, %d running processes, %zu rules",
		 m.profiles.n, found, rules_count(rm.rules));
	daemon_notify_ready(why);

	err = event_loop_run(el, &eo);
	daemon_notify_stopping();
	periodic_end(&pd);
	m.stats.verdicts_dropped = rm.overflow;
	if (m.sink->ops->summary(m.sink, &m.stats))
		m.stats.output_errors++;
	sink_tee_stats(m.sink, &m.stats);
	stats_print(&m.stats, stderr);
	m.record_tap = NULL;
	capture_writer_close(pd.cw, stderr); /* a loss is counted and said there */
	pd.cw = NULL;
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
	m.record_tap = NULL;
	capture_writer_close(pd.cw, stderr);
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
	struct monitor_config c;
	int err = monitor_options_parse(argc, argv, &c);

	if (!err)
		err = run(&c);
	else
		err = err > 0 ? 0 : 2;
	monitor_config_free(&c);
	return err;
}
