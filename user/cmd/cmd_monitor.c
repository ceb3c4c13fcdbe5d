// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The default verb: options to a config (cmd/monitor_options.c), then the run
 * (cmd/monitor_session.c: rules, outputs, BPF programs, event loop, SIGHUP, summary) with
 * what only the monitor does: watch the profiles' candidates and the --watch and --pid
 * processes, find the tools already running, write the --ready-file.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd_live.h"
#include "cmd/monitor_options.h"
#include "cmd/monitor_session.h"
#include "version.h"

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
 * The --watch and --pid entries, the capture, the programs, the candidates and the tools
 * already running: what is watched when the loop starts. Returns 0 or the exit status.
 */
static int start_watching(struct monitor_session *s)
{
	const struct monitor_config *c = s->c;
	struct monitor *m = &s->m;
	uint16_t extra_tools[MONITOR_OPTIONS_EXTRA_MAX];
	int err;

	for (size_t i = 0; i < c->n_watch; i++)
		profiles_add_watch(&m->profiles, c->watch[i]);
	for (size_t i = 0; i < c->n_pids; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", c->pids[i]);
		if (access(path, F_OK)) {
			fprintf(stderr, "llmwatch: --pid %d: no such process\n", c->pids[i]);
			return 2;
		}
		extra_tools[i] = (uint16_t)profiles_add_pid(&m->profiles, c->pids[i]);
	}
	/* after --watch and --pid: the header names every tool id the records may carry */
	if (c->capture && (err = monitor_session_open_capture(s)))
		return err;
	if ((err = monitor_session_load(s)))
		return err;
	if (bpf_loader_set_candidates(&s->l, &m->profiles)) {
		fprintf(stderr, "llmwatch: setting up: %s\n", strerror(errno));
		return 1;
	}
	s->found = monitor_scan_running(m, c->pids, extra_tools, c->n_pids);
	if (s->found < 0) {
		fprintf(stderr, "llmwatch: scanning /proc: %s\n", strerror(-s->found));
		return 1;
	}
	/* embedded engines already running are found now, not a period later */
	if (c->runtime_scan_ns) {
		int rt = monitor_scan_runtimes(m);

		if (rt < 0) {
			fprintf(stderr, "llmwatch: scanning /proc for inference runtimes: %s\n",
				strerror(-rt));
			return 1;
		}
		s->found += rt;
	}
	/* the processes found running: a capture's reader learns their tool and executable */
	monitor_session_start_capture(s);
	return 0;
}

/* What the scans for tools not recognised by name did, at the end. */
static void print_scans(const struct monitor_config *c, const struct monitor *m)
{
	if (c->runtime_scan_ns)
		fprintf(stderr,
			"llmwatch: runtime scan: %" PRIu64 " passes, %" PRIu64
			" processes' maps read, %" PRIu64 " skipped as unchanged, %" PRIu64
			" recognised%s\n",
			m->rt.scans, m->rt.checked, m->rt.skipped, m->rt.found,
			m->rt.failed ? " (some could not be tracked)" : "");
	fprintf(stderr,
		"llmwatch: command lines: %" PRIu64 " read (of processes named like an "
		"interpreter), %" PRIu64 " named a tool\n",
		m->rt.cmdlines, m->rt.by_cmdline);
}

/*
 * Watches until a signal or the duration: rules, outputs, the BPF programs, the tools
 * already running, then the event loop (kernel/event_loop.c), and the summary; h (NULL for
 * the plain monitor) is how --live joins in (cmd/cmd_live.h). Returns the exit status.
 */
static int run(const struct monitor_config *c, const struct monitor_run_hooks *h)
{
	struct monitor_session s;
	char ready[256];
	int status, err;

	status = monitor_session_open(&s, c);
	if (!status && h)
		status = h->opened(h->ctx, &s);
	if (!status)
		status = start_watching(&s);
	if (status)
		goto out;
	fprintf(stderr,
		"llmwatch %s: watching %zu profiles, %d running processes, %zu rules; "
		"hooks: %s\n",
		LLMWATCH_VERSION, s.m.profiles.n, s.found, rules_count(s.rm.rules), s.l.hooks);
	if (s.l.missing[0])
		fprintf(stderr,
			"llmwatch: warning: this kernel lacks %s; those events are not "
			"seen\n",
			s.l.missing);
	if (c->ready_file && (err = write_ready_file(c->ready_file))) {
		fprintf(stderr, "llmwatch: --ready-file %s: %s\n", c->ready_file, strerror(-err));
		status = 1;
		goto out;
	}
	snprintf(ready, sizeof(ready), "watching %zu profiles, %d running processes, %zu rules",
		 s.m.profiles.n, s.found, rules_count(s.rm.rules));
	if (h && (status = h->running(h->ctx, &s)))
		goto out;
	status = monitor_session_run(&s, ready);
	print_scans(c, &s.m);
out:
	if (h)
		h->stopped(h->ctx, &s);
	if (c->ready_file)
		unlink(c->ready_file);
	monitor_session_close(&s);
	return status;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_config c;
	int err = monitor_options_parse(argc, argv, &c);

	if (!err)
		err = c.live ? cmd_live_run(&c, run) : run(&c, NULL);
	else
		err = err > 0 ? 0 : 2;
	monitor_config_free(&c);
	return err;
}
