// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The record path over the kernel, from the options to the summary, as the monitor verb and
 * eval share it (see monitor_session.h).
 */
#include "cmd/monitor_session.h"

#include <errno.h>
#include <linux/capability.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_writer.h"
#include "cmd/daemon_notify.h"
#include "core/procscan.h"
#include "kernel/kernel_ops.h"
#include "live/stream_server.h"
#include "monitor/metrics_file.h"
#include "names/rule_resolver.h"
#include "rules/rules_profiles.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/steptime.h"
#include "util/timefmt.h"
#include "version.h"

/* ---- rules ---------------------------------------------------------------------------- */

static size_t match_rules(void *ctx, const struct lw_event *ev, const struct rules_verdict **out)
{
	struct monitor_session_matcher *rm = ctx;
	int n = rules_match(rm->rules, ev, rm->v, MONITOR_SESSION_VERDICTS_MAX);

	*out = rm->v;
	if (n <= 0)
		return 0;
	if (n > MONITOR_SESSION_VERDICTS_MAX) {
		rm->overflow += (uint64_t)(n - MONITOR_SESSION_VERDICTS_MAX);
		n = MONITOR_SESSION_VERDICTS_MAX;
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

/* ---- loss alerts, metrics, capture sync ------------------------------------------------ */

/* Brings the counters kept elsewhere (rules, naming, the tee's outputs) into m->stats. */
static void sync_stats(struct monitor_session *s)
{
	s->m.stats.verdicts_dropped = s->rm.overflow;
	monitor_collect_stats(&s->m);
	sink_tee_stats(s->m.sink, &s->m.stats);
	if (s->cw) {
		struct capture_writer_stats cs;

		capture_writer_get_stats(s->cw, &cs);
		s->m.stats.capture_lost = cs.lost_records;
		s->m.stats.capture_blocks_lost = cs.write_errors;
	}
}

static void on_period(void *arg, uint64_t now_ns)
{
	struct monitor_session *s = arg;

	sync_stats(s);
	loss_alert_check(&s->la, &s->m, now_ns, false);
	if (s->mf)
		metrics_file_tick(s->mf, &s->m, now_ns);
	/* the viewers' status line: the counters just synced, about once a second */
	if (s->stream)
		stream_server_stats(s->stream, &s->m.stats, now_ns);
	/* the loss counters go into the capture when they changed, then what waits is synced */
	capture_writer_losses(s->cw, &s->m.stats, now_ns);
	capture_writer_tick(s->cw, now_ns);
}

/* At the end: the losses the last interval held back, and the final counts. */
static void periodic_end(struct monitor_session *s)
{
	uint64_t now = timefmt_boot_now();

	sync_stats(s);
	loss_alert_check(&s->la, &s->m, now, true);
	if (s->mf)
		metrics_file_write(s->mf, &s->m, now, false);
	capture_writer_losses(s->cw, &s->m.stats, now);
}

int monitor_session_open_capture(struct monitor_session *s)
{
	const struct monitor_config *c = s->c;
	struct capture_meta meta = {
		.llmwatch_version = LLMWATCH_VERSION,
		.profiles = &s->m.profiles,
		.n_rules = rules_count(s->rm.rules),
		.rule_paths = c->rules,
		.n_rule_paths = c->n_rules,
		.default_rules = !c->no_default_rules,
	};
	struct capture_writer_opts wo = {
		.flush_ns = c->capture_flush_ns,
		.max_size = c->capture_file.max_size,
		.keep = c->capture_file.keep,
		.payloads = c->capture_payloads,
	};
	char why[512], digest[2 * RULES_DIGEST_LEN + 1];

	rules_digest_hex(s->rm.rules, digest);
	meta.rules_digest = digest;
	s->cw = capture_writer_open(c->capture_file.path, &meta, &wo, why, sizeof(why));
	if (!s->cw) {
		fprintf(stderr, "llmwatch: --capture %s\n", why);
		return 2;
	}
	return 0;
}

void monitor_session_start_capture(struct monitor_session *s)
{
	if (!s->cw)
		return;
	capture_writer_procs(s->cw, &s->m.procs);
	s->m.record_tap = capture_writer_tap;
	s->m.tap_ctx = s->cw;
	/* and what the monitor reads from /proc, and names from stream heads: a replay has none */
	s->m.facts_tap = capture_writer_facts_tap;
	s->m.name_tap = capture_writer_name_tap;
	s->m.facts_ctx = s->cw;
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

/*
 * SIGHUP, the config and rules part: reads the --config file and every rule file again and
 * builds the new rule set beside the running one, which goes on matching until the new one
 * is complete. Any error (in the config file or a rule file: FILE:LINE:COL on stderr, the
 * first one in the service's STATUS) keeps the running rules, and llmwatch goes on. Options
 * other than the rules' take effect only at a restart, which is said. Records wait in the
 * ring buffer meanwhile, none is lost to the reload.
 */
static void reload_config_and_rules(struct monitor_session *s)
{
	const struct monitor_config *c = s->c;
	struct monitor_config nc;
	struct rules *fresh, *old;
	char first[512], changed[256], status[768];
	int err;

	daemon_notify_reloading();
	fprintf(stderr, "llmwatch: SIGHUP: reloading %s%sthe rules\n", c->config ? c->config : "",
		c->config ? " and " : "");
	err = monitor_options_parse(c->argc, c->argv, &nc);
	if (err) {
		snprintf(
			status, sizeof(status),
			"reload failed: %s has errors; the running configuration and rules are kept",
			c->config ? c->config : "the command line");
		fprintf(stderr, "llmwatch: %s\n", status);
		daemon_notify_ready(status);
		monitor_config_free(&nc);
		return;
	}
	/* profiles are not reloaded (a restart applies them): the running set names the tools */
	fresh = load_rules(&nc, &s->m.profiles, first, sizeof(first));
	if (!fresh) {
		snprintf(status, sizeof(status),
			 "reload failed, the %zu running rules are kept: %s",
			 rules_count(s->rm.rules), first);
		fprintf(stderr, "llmwatch: reload failed: the %zu running rules are kept\n",
			rules_count(s->rm.rules));
		daemon_notify_ready(status);
		monitor_config_free(&nc);
		return;
	}
	if (monitor_options_restart_only(c, &nc, changed, sizeof(changed)))
		fprintf(stderr, "llmwatch: reload: %s changed: only a restart applies that\n",
			changed);
	/*
	 * Open fold windows hold the old set's verdicts (rule ids, messages): their summaries
	 * are written now, before those strings go.
	 */
	monitor_flush_alerts(&s->m);
	old = s->rm.rules;
	s->rm.rules = fresh;
	rules_free(old);
	if (s->stream) {
		char digest[2 * RULES_DIGEST_LEN + 1];

		rules_digest_hex(fresh, digest);
		stream_server_set_rules_digest(s->stream, digest);
	}
	if (s->eo.resolver) {
		rule_resolver_stop(s->eo.resolver);
		s->eo.resolver = start_resolver(fresh);
	}
	snprintf(status, sizeof(status), "reloaded: %zu rules", rules_count(fresh));
	fprintf(stderr, "llmwatch: %s\n", status);
	daemon_notify_ready(status);
	/* the rule set copied what it needed (paths, texts) */
	monitor_config_free(&nc);
}

/*
 * The event loop's SIGHUP callback: the outputs first (for logrotate: every output opens
 * its file again by its name, so a file moved away is created anew; a failure is told by
 * the tee, and that output keeps its old file), then the config and rules. A run without
 * a command line to read again (eval) only reopens its outputs.
 */
static void on_hup(void *arg)
{
	struct monitor_session *s = arg;

	sink_reopen(s->m.sink);
	if (s->c->argv)
		reload_config_and_rules(s);
}

/* ---- the event stream ----------------------------------------------------------------- */

/*
 * --events-socket: the server joins the outputs, so every event reaches the viewers as it
 * reaches the others; the event loop's flush of the outputs accepts them and writes to
 * them. Returns 0, or 2 after saying why (a path it cannot take is a usage error).
 */
static int open_stream(struct monitor_session *s)
{
	const struct monitor_config *c = s->c;
	char why[512], digest[2 * RULES_DIGEST_LEN + 1], name[160];
	struct stream_server_opts so = {
		.path = c->events_socket,
		.group = c->events_group,
		.version = LLMWATCH_VERSION,
		.rules_digest = digest,
		.log = stderr,
	};
	int err;

	rules_digest_hex(s->rm.rules, digest);
	s->stream = stream_server_open(&so, why, sizeof(why));
	if (!s->stream) {
		fprintf(stderr, "llmwatch: --events-socket %s\n", why);
		return 2;
	}
	snprintf(name, sizeof(name), "events-socket:%s", c->events_socket);
	err = sink_tee_add(s->m.sink, s->stream, name);
	if (err) {
		s->stream = NULL; /* the tee freed it */
		fprintf(stderr, "llmwatch: --events-socket: %s\n",
			err == -ENOSPC ? "no room beside 8 outputs (at most 7 with it)" :
					 strerror(-err));
		return 2;
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------------------- */

int monitor_session_open(struct monitor_session *s, const struct monitor_config *c)
{
	char why[512];
	int err;

	steptime_init();
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->l.cgroup_fd = -1;
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit makes a write fail (EFBIG, counted), not kill llmwatch */
	signal(SIGXFSZ, SIG_IGN);
	if (timefmt_init() || monitor_init(&s->m)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		return 1;
	}
	s->opened = true;
	/*
	 * Profiles, then the rules that name their tools: a broken profile or rule file is a
	 * usage error, found before anything is loaded.
	 */
	s->pf = load_profiles(c, &s->m.profiles);
	if (s->pf)
		s->rm.rules = load_rules(c, &s->m.profiles, NULL, 0);
	if (!s->rm.rules)
		return 2;
	s->m.match = match_rules;
	s->m.match_ctx = &s->rm;
	if (monitor_set_fold(&s->m, c->fold_window_ns)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		return 1;
	}
	/* outputs before the kernel: a path that cannot be opened is a usage error, too */
	s->m.sink = c->n_outputs ?
			    sink_registry_open(c->outputs, c->n_outputs, stderr, why, sizeof(why)) :
			    sink_tee_new(stderr);
	if (!s->m.sink) {
		fprintf(stderr, "llmwatch: --output %s\n", c->n_outputs ? why : strerror(errno));
		return 2;
	}
	if (c->events_socket && (err = open_stream(s)))
		return err;
	/* the metrics file too: written once now, so a directory it cannot write to is found */
	if (c->metrics) {
		uint64_t now = timefmt_boot_now();

		s->mf = metrics_file_new(c->metrics, c->metrics_ns, now, why, sizeof(why));
		if (!s->mf) {
			fprintf(stderr, "llmwatch: --metrics %s\n", why);
			return 2;
		}
		err = metrics_file_write(s->mf, &s->m, now, true);
		if (err) {
			fprintf(stderr, "llmwatch: --metrics %s: cannot write it: %s\n", c->metrics,
				strerror(-err));
			return 2;
		}
	}
	steptime_mark("start: profiles, rules and outputs");
	return 0;
}

int monitor_session_load(struct monitor_session *s)
{
	const struct monitor_config *c = s->c;
	struct bpf_loader_opts lo = {
		.ring_bytes = c->ring_bytes,
		.enter_tracepoints = c->enter_tracepoints,
		.syscall_hooks = (enum bpf_loader_syscall_hooks)c->syscall_hooks,
		.cgroups_watched = c->cgroups_watched,
		.verbose = c->verbose,
	};

	if (bpf_loader_start(&s->l, &lo))
		return 2;
	s->m.kops = &kernel_ops_bpf;
	s->m.kctx = &s->l;
	s->el = event_loop_new(&s->m, &s->l);
	if (!s->el)
		return 1;
	/* the "netns" rule condition compares with it; said once when it is not PID 1's */
	if (monitor_read_host_netns(&s->m) != MONITOR_NETNS_PID1)
		fprintf(stderr,
			"llmwatch: warning: /proc/1/ns/net is unreadable: rules' \"netns\" "
			"compares with %s\n",
			s->m.host_netns ? "llmwatch's own network namespace" :
					  "nothing (llmwatch's own is unreadable too), so it never "
					  "matches");
	/* /proc/PID/exe, cmdline and ns/net of another user's process need it */
	if (procscan_self_has_cap("/proc", CAP_SYS_PTRACE) == 0)
		fprintf(stderr,
			"llmwatch: warning: no CAP_SYS_PTRACE: the executables, command lines "
			"and network namespaces of other users' processes cannot be read, so "
			"what llmwatch decides from them is unknown for those processes (the "
			"summary counts the command lines it could not read)\n");
	return 0;
}

int monitor_session_run(struct monitor_session *s, const char *ready)
{
	const struct monitor_config *c = s->c;
	struct monitor *m = &s->m;
	int err;

	if (c->resolve_rule_hosts && !(s->eo.resolver = start_resolver(s->rm.rules)))
		return 1;
	s->eo.duration_s = c->duration;
	s->eo.cgroup_sweep_ns = c->cgroup_sweep_ns;
	s->eo.runtime_scan_ns = c->runtime_scan_ns;
	s->eo.on_hup = on_hup;
	s->eo.hup_arg = s;
	s->eo.periodic_ns = daemon_notify_watchdog_ns();
	s->eo.on_periodic = daemon_notify_watchdog;
	/* checked once a second (the kernel's loss counters are read as often), or faster */
	loss_alert_init(&s->la, c->loss_alert_ns, timefmt_boot_now());
	s->eo.on_period = on_period;
	s->eo.period_arg = s;
	s->eo.period_ns = 1000000000ull;
	if (c->metrics_ns < s->eo.period_ns && c->metrics)
		s->eo.period_ns = c->metrics_ns;
	if (c->capture_flush_ns < s->eo.period_ns && s->cw)
		s->eo.period_ns = c->capture_flush_ns;
	/* everything is attached and the running tools found: a unit may start what needs us */
	daemon_notify_ready(ready);
	steptime_mark("start: running processes found, ready");

	err = event_loop_run(s->el, &s->eo);
	daemon_notify_stopping();
	periodic_end(s);
	m->stats.verdicts_dropped = s->rm.overflow;
	if (m->sink->ops->summary(m->sink, &m->stats))
		m->stats.output_errors++;
	sink_tee_stats(m->sink, &m->stats);
	stats_print(&m->stats, stderr);
	steptime_mark("stop: summary written");
	m->record_tap = NULL;
	m->facts_tap = NULL;
	m->name_tap = NULL;
	/* a loss is counted and said there */
	s->capture_lost = capture_writer_close(s->cw, stderr) != 0;
	s->cw = NULL;
	steptime_mark("stop: capture sealed");
	return err ? 1 : 0;
}

void monitor_session_close(struct monitor_session *s)
{
	rule_resolver_stop(s->eo.resolver);
	s->eo.resolver = NULL;
	metrics_file_free(s->mf);
	s->mf = NULL;
	s->m.record_tap = NULL;
	s->m.facts_tap = NULL;
	s->m.name_tap = NULL;
	capture_writer_close(s->cw, stderr);
	s->cw = NULL;
	event_loop_free(s->el);
	s->el = NULL;
	if (s->opened) {
		sink_destroy(s->m.sink);
		s->m.sink = NULL;
	}
	steptime_mark("stop: outputs closed");
	bpf_loader_stop(&s->l);
	if (s->opened)
		monitor_free(&s->m);
	s->opened = false;
	rules_free(s->rm.rules);
	s->rm.rules = NULL;
	rules_profiles_free(s->pf);
	s->pf = NULL;
}
