// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch --live` (see cmd_live.h): the source (--from captures, a daemon's event socket,
 * or the monitor's own programs, in that order), the model fed by it, the screen driven
 * by the source's loop (redraws every --refresh, keys at once), and the text output
 * instead of the screen when standard output is not a terminal.
 */
#include "cmd/cmd_live.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cmd/monitor_options.h"
#include "cmd/monitor_session.h"
#include "live/live_model.h"
#include "live/live_model_view.h"
#include "live/live_screen.h"
#include "live/stream_client.h"
#include "report/capture_replay.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"

/* The model's events/s figure moves on about once a second (live_model_tick). */
#define TICK_NS 1000000000ull

struct live_run {
	const struct monitor_config *c;
	struct monitor_config own; /* c as the session sees it: no text on the screen */
	struct live_model *model;  /* NULL without a terminal: the text output instead */
	struct live_screen *scr;
	struct monitor_session *s; /* the own programs' session, while it runs */
	struct live_info info;
	char rules[192], outputs[512], where[PATH_MAX + 64];
	int held_fd, saved_fd; /* stderr held while the screen is up (-1: not held) */
	uint64_t start_ns, next_draw, next_tick, draws;
	struct lw_stats daemon_stats; /* the daemon's counters as its stream sent them */
	uint64_t missed;	      /* events the daemon dropped for this viewer */
	bool hello;		      /* the daemon said who it is */
	bool quit;		      /* `q`, or --iterations reached */
};

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- what the status line names ---------------------------------------------------- */

static void describe_rules(struct live_run *r, size_t loaded)
{
	const struct monitor_config *c = r->c;
	int w;

	if (c->no_default_rules)
		w = snprintf(r->rules, sizeof(r->rules), "%zu file%s", c->n_rules,
			     c->n_rules == 1 ? "" : "s");
	else if (c->n_rules)
		w = snprintf(r->rules, sizeof(r->rules), "default + %zu file%s", c->n_rules,
			     c->n_rules == 1 ? "" : "s");
	else
		w = snprintf(r->rules, sizeof(r->rules), "default");
	if (loaded != SIZE_MAX && w > 0 && (size_t)w < sizeof(r->rules))
		snprintf(r->rules + w, sizeof(r->rules) - (size_t)w, ", %zu rules", loaded);
	r->info.rules = r->rules;
}

/* The outputs given with --output, as given; "none" when the view is the only one. */
static void describe_outputs(struct live_run *r)
{
	const struct monitor_config *c = r->c;
	size_t used = 0;

	snprintf(r->outputs, sizeof(r->outputs), "none");
	for (size_t i = 0; !c->outputs_default && i < c->n_outputs; i++) {
		int w = snprintf(r->outputs + used, sizeof(r->outputs) - used, "%s%s",
				 i ? ", " : "", c->outputs[i].text);

		if (w < 0 || (size_t)w >= sizeof(r->outputs) - used)
			break;
		used += (size_t)w;
	}
	r->info.outputs = r->outputs;
}

/* ---- standard error, held while the screen is up -------------------------------------- */

/*
 * Whatever llmwatch says on stderr while the screen is up (warnings, the summary) would be
 * drawn over it: when stderr is the terminal it goes to a memory file, written out once
 * the terminal is given back.
 */
static void hold_stderr(struct live_run *r)
{
	if (!isatty(STDERR_FILENO))
		return;
	r->held_fd = memfd_create("llmwatch-stderr", MFD_CLOEXEC);
	r->saved_fd = r->held_fd < 0 ? -1 : dup(STDERR_FILENO);
	if (r->held_fd < 0 || r->saved_fd < 0 || dup2(r->held_fd, STDERR_FILENO) < 0) {
		/* not held: lines may show on the screen until the next redraw, none is lost */
		if (r->saved_fd >= 0)
			close(r->saved_fd);
		if (r->held_fd >= 0)
			close(r->held_fd);
		r->held_fd = r->saved_fd = -1;
	}
}

static void release_stderr(struct live_run *r)
{
	char buf[4096];
	ssize_t n;

	if (r->held_fd < 0)
		return;
	dup2(r->saved_fd, STDERR_FILENO);
	close(r->saved_fd);
	if (lseek(r->held_fd, 0, SEEK_SET) == 0) {
		while ((n = read(r->held_fd, buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, (size_t)n) != n)
				break;
	}
	close(r->held_fd);
	r->held_fd = r->saved_fd = -1;
}

/* ---- the screen --------------------------------------------------------------------- */

static int screen_open(struct live_run *r, bool frozen, const char *note)
{
	const char *nc = getenv("NO_COLOR");
	struct live_screen_opts so = {
		/* https://no-color.org: set and not empty */
		.no_color = nc && nc[0],
		.frozen = frozen,
		.note = note,
	};
	char err[256];

	if (!r->model)
		return 0;
	r->info.started_ns = r->start_ns;
	if (live_model_set_info(r->model, &r->info)) {
		fprintf(stderr, "llmwatch: out of memory\n");
		return 1;
	}
	r->scr = live_screen_open(r->model, &so, err, sizeof(err));
	if (!r->scr) {
		fprintf(stderr, "llmwatch: --live: %s\n", err);
		return 1;
	}
	hold_stderr(r);
	r->next_tick = r->start_ns + TICK_NS;
	r->next_draw = mono_now();
	return 0;
}

static void screen_close(struct live_run *r)
{
	live_screen_close(r->scr);
	r->scr = NULL;
	release_stderr(r);
}

/*
 * A redraw when one is due (without a terminal, only counted: --iterations ends the text
 * output too). Returns true when --iterations is reached.
 */
static bool redraw_due(struct live_run *r)
{
	uint64_t now = mono_now();

	if (r->model && now >= r->next_tick) {
		live_model_tick(r->model, now);
		r->next_tick = now + TICK_NS;
	}
	if (now < r->next_draw)
		return false;
	if (r->scr) {
		if (r->s) /* the session's counters, synced by its own period */
			live_model_set_stats(r->model, &r->s->m.stats);
		live_screen_draw(r->scr, now);
	}
	r->draws++;
	/* the next one a period after this, not after the due time: no burst after a stall */
	r->next_draw = now + r->c->live_refresh_ns;
	if (r->c->live_iterations && r->draws >= r->c->live_iterations)
		r->quit = true;
	return r->quit;
}

static bool take_keys(struct live_run *r)
{
	if (r->scr && live_screen_input(r->scr, mono_now()) == LIVE_SCREEN_QUIT)
		r->quit = true;
	return r->quit;
}

/* ---- the own programs: the monitor's run, with the view joined in ---------------------- */

static int hook_opened(void *ctx, struct monitor_session *s)
{
	struct live_run *r = ctx;
	int err;

	describe_rules(r, rules_count(s->rm.rules));
	if (!r->model)
		return 0;
	/* the session's outputs are those given, or none: the view is one more */
	err = sink_tee_add(s->m.sink, live_model_sink(r->model), "live");
	if (err) {
		fprintf(stderr, "llmwatch: --live: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

static bool on_input(void *arg)
{
	return take_keys(arg);
}

static bool on_pass(void *arg)
{
	struct live_run *r = arg;

	if (r->scr && live_screen_pending(r->scr) && take_keys(r))
		return true;
	return redraw_due(r);
}

static int hook_running(void *ctx, struct monitor_session *s)
{
	struct live_run *r = ctx;
	int err;

	r->s = s;
	r->info.source = LIVE_SOURCE_PROGRAMS;
	r->info.where = NULL;
	if ((err = screen_open(r, false, NULL)))
		return err;
	if (r->scr && live_screen_input_fd(r->scr) >= 0) {
		s->eo.input_fd = live_screen_input_fd(r->scr);
		s->eo.on_input = on_input;
	}
	s->eo.on_pass = on_pass;
	s->eo.input_arg = r;
	return 0;
}

static void hook_stopped(void *ctx, struct monitor_session *s)
{
	struct live_run *r = ctx;

	(void)s;
	screen_close(r);
	r->s = NULL;
}

static int run_programs(struct live_run *r, monitor_run_fn run)
{
	const struct monitor_run_hooks h = {
		.opened = hook_opened,
		.running = hook_running,
		.stopped = hook_stopped,
		.ctx = r,
	};

	r->own = *r->c;
	/* the text on stdout would be drawn over by the screen: the view replaces it */
	if (r->model && r->c->outputs_default)
		r->own.n_outputs = 0;
	return run(&r->own, &h);
}

/* ---- the loop of a daemon's stream and of a capture ---------------------------------- */

static void on_daemon_stats(void *ctx, const struct lw_stats *st)
{
	struct live_run *r = ctx;

	r->daemon_stats = *st;
	if (r->model)
		live_model_set_stats(r->model, st);
}

static void on_daemon_missed(void *ctx, uint64_t n)
{
	struct live_run *r = ctx;

	r->missed += n;
	if (r->model)
		live_model_add_missed(r->model, n);
}

static void on_daemon_hello(void *ctx, const char *version, const char *digest, const char *host)
{
	struct live_run *r = ctx;

	(void)host;
	r->hello = true;
	/* the status line has room for what tells rule sets apart: the digest */
	(void)version;
	snprintf(r->rules, sizeof(r->rules), "the daemon's (digest %.12s)",
		 digest && digest[0] ? digest : "none");
	r->info.rules = r->rules;
	if (r->model)
		live_model_set_info(r->model, &r->info);
}

/*
 * Until q, a signal (SIGINT, SIGTERM, SIGHUP: the terminal is gone), --duration or
 * --iterations: the stream's frames into the sink, keys, redraws. cl NULL: nothing comes
 * (a capture, replayed). Returns 0, or 1 when the stream broke.
 */
static int own_loop(struct live_run *r, struct stream_client *cl, struct sink *sink)
{
	uint64_t end = r->c->duration > 0 ? r->start_ns + (uint64_t)(r->c->duration * 1e9) : 0;
	sigset_t mask, old;
	int sfd, status = 0;
	char err[256];

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, &old) ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		fprintf(stderr, "llmwatch: --live: setting up the signals: %s\n", strerror(errno));
		return 1;
	}
	while (!r->quit) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = r->scr ? live_screen_input_fd(r->scr) : -1, .events = POLLIN },
			{ .fd = cl ? stream_client_fd(cl) : -1, .events = POLLIN },
		};
		uint64_t now = mono_now(), wait = r->next_draw > now ? r->next_draw - now : 0;
		struct signalfd_siginfo si;
		int n;

		if (end && end < r->next_draw)
			wait = end > now ? end - now : 0;
		n = poll(p, 3, (int)((wait + 999999) / 1000000));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "llmwatch: --live: poll: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (n > 0 && (p[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			fprintf(stderr, "llmwatch: %s from pid %u: stopping\n",
				si.ssi_signo == SIGINT	? "SIGINT" :
				si.ssi_signo == SIGTERM ? "SIGTERM" :
							  "SIGHUP",
				si.ssi_pid);
			break;
		}
		if (n > 0 && p[2].revents) {
			int e = stream_client_read(cl, err, sizeof(err));

			if (sink_flush(sink))
				r->daemon_stats.output_errors++;
			if (e == -EPIPE || e == -EPROTO) {
				if (e == -EPROTO)
					fprintf(stderr, "llmwatch: --live: %s: %s\n", r->info.where,
						err);
				else
					fprintf(stderr,
						"llmwatch: --live: %s: the daemon closed the "
						"stream\n",
						r->info.where);
				cl = NULL; /* nothing more comes: what came is still shown */
				if (!r->scr) {
					status = e == -EPROTO;
					break;
				}
				status = e == -EPROTO;
				live_screen_freeze(r->scr,
						   e == -EPROTO ? "stream broken" : "daemon gone");
			}
		}
		if ((n > 0 && p[1].revents) || (r->scr && live_screen_pending(r->scr)))
			take_keys(r);
		redraw_due(r);
		if (end && mono_now() >= end)
			break;
	}
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

/* The sink the events go to: the view and the outputs given, or the outputs alone. */
static struct sink *open_sink(struct live_run *r)
{
	const struct monitor_config *c = r->c;
	struct sink *sink;
	char why[512];
	int err;

	if (r->model && c->outputs_default)
		sink = sink_tee_new(stderr);
	else
		sink = sink_registry_open(c->outputs, c->n_outputs, stderr, why, sizeof(why));
	if (!sink) {
		fprintf(stderr, "llmwatch: --output %s\n",
			r->model && c->outputs_default ? strerror(errno) : why);
		return NULL;
	}
	if (r->model && (err = sink_tee_add(sink, live_model_sink(r->model), "live"))) {
		fprintf(stderr, "llmwatch: --live: %s\n", strerror(-err));
		sink_destroy(sink);
		return NULL;
	}
	return sink;
}

static int run_attached(struct live_run *r, struct stream_client *cl, struct sink *sink)
{
	int status;

	r->info.source = LIVE_SOURCE_DAEMON;
	r->info.where = r->where;
	if (!r->hello)
		snprintf(r->rules, sizeof(r->rules), "the daemon's");
	r->info.rules = r->rules;
	if ((status = screen_open(r, false, NULL)))
		return status;
	status = own_loop(r, cl, sink);
	screen_close(r);
	if (!r->model) {
		/* as the monitor ends: the summary with the daemon's counters */
		sink_tee_stats(sink, &r->daemon_stats);
		if (sink->ops->summary(sink, &r->daemon_stats))
			status = 1;
	}
	if (r->missed)
		fprintf(stderr,
			"llmwatch: --live: the daemon dropped %" PRIu64 " events for this viewer "
			"(it was too slow to read them)\n",
			r->missed);
	return status;
}

/* --from: the captures replayed into the view, then browsed until q. */
static int run_from(struct live_run *r)
{
	const struct monitor_config *c = r->c;
	struct capture_replay_opts ro = {
		.rules = c->rules,
		.n_rules = c->n_rules,
		.no_default_rules = c->no_default_rules,
		.profiles = c->profiles,
		.n_profiles = c->n_profiles,
		.log = stderr,
		.who = "live",
	};
	struct capture_replay_result res;
	struct sink *sink = open_sink(r);
	size_t read_ok = 0;
	int err, status = 0;

	if (!sink)
		return 2;
	/* the capture's clock for the model's times, its running processes for the tables */
	if (r->model) {
		ro.hooks = &live_model_hooks;
		ro.hook_ctx = r->model;
	}
	err = capture_replay(c->live_from, c->n_live_from, &ro, sink, &res);
	if (err) {
		if (err == -ENOMEM)
			fprintf(stderr, "llmwatch: out of memory\n");
		status = err == -EINVAL ? 2 : 1;
		goto out;
	}
	for (size_t i = 0; i < res.n_files; i++) {
		const struct capture_replay_file *f = &res.files[i];

		if (f->err && f->err != -EBADMSG) {
			fprintf(stderr, "llmwatch: --from %s: %s\n", f->path, strerror(-f->err));
			continue;
		}
		if (f->err)
			fprintf(stderr, "llmwatch: --from %s: %s\n", f->path, f->res.error);
		capture_read_verdict(f->path, &f->res, stderr);
		if (!f->err && f->res.chain_ok)
			read_ok++;
	}
	/* nothing to browse, or evidence that is not what was written: said, status 1 */
	if (read_ok < res.n_files)
		status = 1;
	if (!read_ok)
		goto out;
	sink_tee_stats(sink, &res.stats);
	if (!r->model) {
		stats_print(&res.stats, stderr);
		goto out;
	}
	live_model_set_stats(r->model, &res.stats);
	describe_rules(r, SIZE_MAX);
	r->info.source = LIVE_SOURCE_CAPTURE;
	snprintf(r->where, sizeof(r->where), "%s%s", c->live_from[0],
		 c->n_live_from > 1 ? " (and more)" : "");
	r->info.where = r->where;
	if ((err = screen_open(r, true, "end of capture"))) {
		status = err;
		goto out;
	}
	/* a chain that does not hold is shown all the same, and said at the exit */
	err = own_loop(r, NULL, sink);
	screen_close(r);
	if (err)
		status = err;
out:
	sink_destroy(sink);
	capture_replay_result_free(&res);
	return status;
}

/* ---- the verb ----------------------------------------------------------------------- */

/* Whether an --output given writes to stdout, which the screen has. */
static const char *output_on_stdout(const struct monitor_config *c)
{
	for (size_t i = 0; !c->outputs_default && i < c->n_outputs; i++) {
		const struct sink_spec *sp = &c->outputs[i];

		if (sp->row->arg_is_path && (!sp->arg || strcmp(sp->arg, "-") == 0))
			return sp->text;
	}
	return NULL;
}

int cmd_live_run(const struct monitor_config *c, monitor_run_fn run)
{
	static const struct stream_client_ops ops = {
		.stats = on_daemon_stats,
		.missed = on_daemon_missed,
		.hello = on_daemon_hello,
	};
	struct live_run r = { .c = c, .held_fd = -1, .saved_fd = -1 };
	struct stream_client *cl;
	struct sink *sink;
	const char *out;
	char err[512];
	int status;

	r.start_ns = mono_now();
	describe_rules(&r, SIZE_MAX);
	describe_outputs(&r);
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr, "llmwatch: --live: standard output is not a terminal; writing the "
				"text output instead\n");
	} else if ((out = output_on_stdout(c))) {
		fprintf(stderr,
			"llmwatch: --live: --output %s would write over the screen: give it a "
			"file\n",
			out);
		return 2;
	} else if (!(r.model = live_model_new(NULL))) {
		fprintf(stderr, "llmwatch: out of memory\n");
		return 1;
	}
	if (c->n_live_from) {
		status = run_from(&r);
		goto out;
	}
	if (strcmp(c->live_attach, "none") == 0) {
		status = run_programs(&r, run);
		goto out;
	}
	if (!(sink = open_sink(&r))) {
		status = 2;
		goto out;
	}
	snprintf(r.where, sizeof(r.where), "%s", c->live_attach);
	cl = stream_client_open(c->live_attach, &ops, &r, sink, err, sizeof(err));
	if (cl) {
		status = run_attached(&r, cl, sink);
		stream_client_close(cl);
		sink_destroy(sink);
		goto out;
	}
	sink_destroy(sink);
	if (errno != ENOENT && errno != ECONNREFUSED) {
		/*
		 * A daemon is there and says no: never a second copy of the programs behind it.
		 * The client's reason names the socket.
		 */
		fprintf(stderr, "llmwatch: --live: %s\n", err);
		status = 1;
		goto out;
	}
	if (c->live_attach_set)
		fprintf(stderr, "llmwatch: --live: no daemon there (%s): loading the programs\n",
			err);
	status = run_programs(&r, run);
out:
	if (r.model)
		live_model_free(r.model);
	return status;
}
