// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's event loop over the BPF ring buffer (see event_loop.h). */
#include "kernel/event_loop.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kernel/bpf_loader.h"
#include "monitor/monitor.h"
#include "names/naming.h"
#include "names/rule_resolver.h"
#include "kernel/ring_fill.h"
#include "util/steptime.h"
#include "util/timefmt.h"

/*
 * Records are submitted without a wakeup; the consumer drains on this period. After
 * IDLE_AFTER_NS without a record it drains every IDLE_POLL_MS instead: an idle daemon
 * wakes 10 times a second, not 100, and the first record after a quiet spell waits at
 * most that long (a burst wakes the loop at once: the kernel wakes it when the unread
 * data crosses LW_WAKEUP_BYTES, bpf/common.bpf.h). The idle spell is longer than any
 * timed work a record starts (a connect held for its name: 2 s, monitor.c), so that work
 * keeps the short period until it is done.
 */
#define POLL_MS 10
#define IDLE_POLL_MS 100
#define IDLE_AFTER_NS (5 * 1000000000ull)

struct event_loop {
	struct monitor *m;
	struct bpf_loader *l;
	struct ring_buffer *rb;
	struct ring_fill fill; /* closed when the kernel refuses the mapping: fill unknown */
	int sfd, epfd;
	bool told_rule_names; /* the first round of rule host lookups was reported */
};

static int on_record(void *ctx, void *data, size_t len)
{
	monitor_handle_record(ctx, data, len);
	return 0; /* a negative return would stop the consumer: never skip that way */
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

struct event_loop *event_loop_new(struct monitor *m, struct bpf_loader *l)
{
	struct event_loop *el = calloc(1, sizeof(*el));
	const char *what;
	sigset_t mask;
	int err;

	if (!el) {
		fprintf(stderr, "llmwatch: setting up the event loop: %s\n", strerror(errno));
		return NULL;
	}
	el->m = m;
	el->l = l;
	el->sfd = el->epfd = -1;
	what = "opening the ring buffer";
	el->rb = ring_buffer__new(bpf_loader_events_fd(l), on_record, m, NULL);
	if (!el->rb)
		goto fail;
	/* the metrics' ring fill; without it they omit the fill rather than guess */
	err = ring_fill_open(&el->fill, bpf_loader_events_fd(l));
	if (err)
		fprintf(stderr,
			"llmwatch: warning: cannot map the ring buffer's positions (%s): its "
			"fill is not reported\n",
			strerror(-err));
	m->stats.ring_size = err ? 0 : el->fill.size;
	what = "blocking SIGINT, SIGTERM, SIGHUP and SIGCHLD";
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	/* blocked, SIGCHLD is queued for the signalfd although its default action is to ignore */
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		goto fail;
	what = "setting up the event loop";
	el->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (el->sfd < 0 || el->epfd < 0)
		goto fail;
	what = "watching the signalfd";
	if ((err = epoll_add(el->epfd, el->sfd)))
		goto fail_err;
	what = "watching the ring buffer";
	if ((err = epoll_add(el->epfd, ring_buffer__epoll_fd(el->rb))))
		goto fail_err;
	return el;
fail:
	err = -errno;
fail_err:
	fprintf(stderr, "llmwatch: %s: %s\n", what, strerror(-err));
	event_loop_free(el);
	errno = -err;
	return NULL;
}

void event_loop_free(struct event_loop *el)
{
	if (!el)
		return;
	if (el->sfd >= 0)
		close(el->sfd);
	if (el->epfd >= 0)
		close(el->epfd);
	ring_buffer__free(el->rb);
	ring_fill_close(&el->fill);
	free(el);
}

/*
 * Hands a finished round of rule host lookups to naming; says how the first one went,
 * since a resolver that answers nothing makes --resolve-rule-hosts do nothing.
 */
static void take_rule_names(struct event_loop *el, struct rule_resolver *res)
{
	struct rule_resolver_round round;

	if (!res || !rule_resolver_take(res, &round))
		return;
	if (!el->told_rule_names)
		fprintf(stderr,
			"llmwatch: --resolve-rule-hosts: %zu of %zu rule host names "
			"resolved, %zu addresses%s\n",
			round.names_resolved, round.names, round.n_addrs,
			round.names_resolved ? "" :
					       " (host_source rule will not "
					       "appear until the next round, in 10 minutes)");
	/* a round that resolved nothing (the resolver unreachable) keeps the last good one */
	if (el->told_rule_names && !round.names_resolved) {
		free(round.addrs);
		return;
	}
	el->told_rule_names = true;
	naming_set_rule_names(el->m->naming, round.addrs, round.n_addrs);
}

/* How full the ring is before a drain: the last sample and the highest, into m->stats. */
static void sample_fill(struct event_loop *el)
{
	struct lw_stats *st = &el->m->stats;
	uint64_t used;

	if (ring_fill_read(&el->fill, &used))
		return;
	st->ring_used = used;
	if (used > st->ring_used_peak)
		st->ring_used_peak = used;
}

/* The kernel's loss counters into m->stats; a failed read is said once. */
static void read_losses(struct event_loop *el, bool *told)
{
	int err = bpf_loader_read_losses(el->l, el->m->stats.kernel_losses);

	if (err && !*told)
		fprintf(stderr,
			"llmwatch: warning: reading the kernel's loss counters: %s (the "
			"summary may count fewer losses than there were)\n",
			strerror(-err));
	*told = *told || err;
}

/*
 * Takes every pending signal. SIGHUP is handed to o->on_hup (ignored without one: a daemon's
 * reload must never stop it); SIGINT, SIGTERM and SIGCHLD to o->on_signal, or else SIGINT
 * or SIGTERM stops the loop and SIGCHLD is ignored. Returns true to stop.
 */
static bool read_signals(struct event_loop *el, const struct event_loop_opts *o)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(el->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			if (o->on_hup)
				o->on_hup(o->hup_arg);
			continue;
		}
		if (o->on_signal) {
			if (o->on_signal(o->signal_arg, (int)si.ssi_signo, si.ssi_code, si.ssi_pid))
				stop = true;
			continue;
		}
		if (si.ssi_signo == SIGCHLD)
			continue;
		/* who stopped a security monitor is worth a line (0: the kernel, a terminal) */
		if (!stop)
			fprintf(stderr, "llmwatch: %s from pid %u: stopping\n",
				si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM", si.ssi_pid);
		stop = true;
	}
	return stop;
}

/*
 * Puts the caller's input_fd in the epoll set. Returns true when it is there; false when
 * epoll cannot wait on it (a regular file: EPERM), and on_input is then called every pass.
 */
static bool add_input(struct event_loop *el, const struct event_loop_opts *o)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = o->input_fd };

	return epoll_ctl(el->epfd, EPOLL_CTL_ADD, o->input_fd, &ev) == 0;
}

int event_loop_run(struct event_loop *el, const struct event_loop_opts *o)
{
	struct monitor *m = el->m;
	uint64_t start = timefmt_boot_now(), last_tick = start, last_sweep = start;
	uint64_t last_rt = start, last_period = start, last_periodic = start, last_record = start;
	int timeout_ms = POLL_MS;
	bool told_rt = false;
	bool told_losses = false;
	bool input_polled = o->on_input && add_input(el, o);
	int err = 0, n;

	for (;;) {
		struct epoll_event got[4];
		bool input = o->on_input && !input_polled;
		uint64_t now;

		n = epoll_wait(el->epfd, got, 4, timeout_ms);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			fprintf(stderr, "llmwatch: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (int i = 0; input_polled && i < n; i++)
			input = input || got[i].data.fd == o->input_fd;
		sample_fill(el);
		n = ring_buffer__consume(el->rb);
		if (n < 0) {
			err = n;
			fprintf(stderr, "llmwatch: reading the ring buffer: %s\n", strerror(-n));
			break;
		}
		if (sink_flush(m->sink))
			m->stats.output_errors++; /* lines lost; the tee says which output */
		if (read_signals(el, o))
			break;
		if (input && o->on_input(o->input_arg))
			break;
		now = timefmt_boot_now();
		if (n > 0)
			last_record = now;
		timeout_ms = now - last_record >= IDLE_AFTER_NS ? IDLE_POLL_MS : POLL_MS;
		take_rule_names(el, o->resolver);
		monitor_tick(m, now);
		/* before anything slow this pass may do: a watchdog ping is never late by it */
		if (o->on_periodic && o->periodic_ns && now - last_periodic >= o->periodic_ns) {
			last_periodic = now;
			o->on_periodic(o->periodic_arg);
		}
		if (o->duration_s > 0 && now - start >= (uint64_t)(o->duration_s * 1e9))
			break;
		if (now - last_tick >= 1000000000ull) {
			last_tick = now;
			proctable_reap(&m->procs, now, 5000000000ull);
			read_losses(el, &told_losses);
		}
		if (o->on_period && now - last_period >= o->period_ns) {
			last_period = now;
			o->on_period(o->period_arg, now);
		}
		if (o->runtime_scan_ns && now - last_rt >= o->runtime_scan_ns) {
			int rt = monitor_scan_runtimes(m);

			last_rt = now;
			if (rt < 0 && !told_rt)
				fprintf(stderr,
					"llmwatch: warning: scanning /proc for inference runtimes: "
					"%s\n",
					strerror(-rt));
			told_rt = told_rt || rt < 0;
		}
		if (o->cgroup_sweep_ns && now - last_sweep >= o->cgroup_sweep_ns) {
			int failed = bpf_loader_sweep_cgroups(el->l);

			last_sweep = now;
			/* an unreadable process list is one failed sweep, not a failed attach */
			if (failed > 0)
				m->stats.cgroup_unattached += (uint64_t)failed;
			else if (failed < 0)
				fprintf(stderr,
					"llmwatch: warning: cannot read the tracked processes "
					"to follow their cgroups: %s\n",
					strerror(-failed));
		}
		if (o->on_pass && o->on_pass(o->input_arg))
			break;
	}
	steptime_mark("stop: event loop left");
	if (input_polled)
		epoll_ctl(el->epfd, EPOLL_CTL_DEL, o->input_fd, NULL);
	/*
	 * The programs first (the kernel's grace periods, a few tens of ms each, are most of it):
	 * then nothing more is written, and the drain below reads every record they wrote up
	 * to the end, where a drain before it would leave what came in the meantime unread.
	 * A detach that fails is said; the programs then stay until the object is closed.
	 */
	bpf_loader_detach(el->l);
	/* what the kernel submitted before we stopped is still owed to the user */
	n = ring_buffer__consume(el->rb);
	if (n < 0) {
		fprintf(stderr, "llmwatch: reading the ring buffer at the end: %s\n", strerror(-n));
		if (!err)
			err = n;
	}
	steptime_mark("stop: final drain");
	n = monitor_flush_conns(m, 0, LW_CLOSE_END);
	if (n < 0)
		fprintf(stderr, "llmwatch: warning: reporting the connections still open: %s\n",
			strerror(-n));
	monitor_flush(m);
	read_losses(el, &told_losses);
	monitor_collect_stats(m);
	steptime_mark("stop: connections still open reported, loss counters read");
	return err;
}
