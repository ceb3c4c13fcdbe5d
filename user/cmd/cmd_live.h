/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `llmwatch --live` (issue 16): picks where the view's events come from (--from captures,
 * a daemon's event socket, or the monitor's own programs), joins that source to the model
 * (live/live_model.h) and the screen (live/live_screen.h), and falls back to the text
 * output when standard output is not a terminal.
 */
#ifndef LW_CMD_LIVE_H
#define LW_CMD_LIVE_H

struct monitor_config;
struct monitor_session;

/*
 * The steps of the monitor's run (cmd/cmd_monitor.c) where --live joins in, when the view
 * loads its own programs. Each int hook returns 0 or the exit status that ends the run.
 */
struct monitor_run_hooks {
	/* the session is open (rules, outputs): the view's sink is added to the outputs */
	int (*opened)(void *ctx, struct monitor_session *s);
	/* everything is watched, the loop comes next: the terminal is taken */
	int (*running)(void *ctx, struct monitor_session *s);
	/* the run is over or never started (called whatever happened): the terminal given back */
	void (*stopped)(void *ctx, struct monitor_session *s);
	void *ctx;
};

/* The monitor's run with the hooks (NULL: the plain monitor); returns the exit status. */
typedef int (*monitor_run_fn)(const struct monitor_config *c, const struct monitor_run_hooks *h);

/* Runs the view as c says (c->live set); run is the monitor's. Returns the exit status. */
int cmd_live_run(const struct monitor_config *c, monitor_run_fn run);

#endif /* LW_CMD_LIVE_H */
