/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live view's terminal (issue 16): the one file of llmwatch that calls curses. It draws
 * the panels' rows (live/live_panels.h: already escaped and cut to width) as a tab bar of
 * panes, the pane's column titles, its rows with a selection bar, the status line and a
 * line for keys and the filter, and turns keys and mouse clicks into what is shown. It
 * never reads events: the caller feeds the model and says when to draw.
 */
#ifndef LW_LIVE_SCREEN_H
#define LW_LIVE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live_model.h"

struct live_screen;

struct live_screen_opts {
	bool no_color; /* NO_COLOR set and not empty: bold, reverse, underline only */
	/*
	 * Browsing what will not change (a capture's replay, ended): the view is paused for
	 * good, `p` does nothing, and note says why ("end of capture").
	 */
	bool frozen;
	const char *note; /* shown at the right of the tab bar (copied), or NULL */
};

/* What the caller does after live_screen_input(). */
enum live_screen_act {
	LIVE_SCREEN_GO_ON,
	LIVE_SCREEN_QUIT, /* `q`: the run ends, exit status 0 */
};

/*
 * Takes the terminal (standard input and output, which must be a terminal: the caller
 * checks): full screen, keys without echo, the mouse if there is one, colours unless
 * o->no_color. The terminal is given back by live_screen_close(), and by an atexit()
 * handler should the process exit without it. Returns NULL with errno set and the reason in
 * err[n] (an unknown TERM, ENOMEM), the terminal then untouched.
 */
struct live_screen *live_screen_open(const struct live_model *m, const struct live_screen_opts *o,
				     char *err, size_t n);

/* The descriptor keys come from (standard input), for poll(2) or epoll with POLLIN. */
int live_screen_input_fd(const struct live_screen *s);

/*
 * Reads every key and mouse event waiting (never blocks) and acts on it; redraws at once
 * when one changed what is shown, so keys feel immediate whatever the refresh period.
 * A terminal resize is one of them (KEY_RESIZE). Returns what the caller does next.
 */
enum live_screen_act live_screen_input(struct live_screen *s, uint64_t now_ns);

/*
 * Whether something waits that live_screen_input() must see although the descriptor may
 * not be readable: a resize (SIGWINCH, which makes poll(2) return EINTR).
 */
bool live_screen_pending(const struct live_screen *s);

/* Draws the model as it is now (or the rows frozen by `p`); now_ns: CLOCK_MONOTONIC. */
void live_screen_draw(struct live_screen *s, uint64_t now_ns);

/*
 * Says the view is frozen from now on (a capture's replay has ended) with note; the next
 * draw shows it.
 */
void live_screen_freeze(struct live_screen *s, const char *note);

/* Gives the terminal back as it was (endwin) and frees s. NULL is fine. */
void live_screen_close(struct live_screen *s);

#endif /* LW_LIVE_SCREEN_H */
