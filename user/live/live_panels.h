/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live view's panels: the model's tables formatted into rows of text (htop's split:
 * no curses here, live/live_screen.c draws the rows). A row is already escaped and cut to
 * the width asked for, in display columns; its attribute says how it is coloured (the
 * screen maps attributes to colours, or to bold/reverse under NO_COLOR).
 */
#ifndef LW_LIVE_PANELS_H
#define LW_LIVE_PANELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live_model.h"

#define LIVE_ROW_MAX 1024 /* bytes of one row, NUL included (UTF-8) */

enum live_pane {
	LIVE_PANE_PROCESSES,   /* each watched tool as a tree, counters per process */
	LIVE_PANE_CONNECTIONS, /* remote endpoints */
	LIVE_PANE_FILES,       /* flagged reads first, then counts per directory */
	LIVE_PANE_ALERTS,      /* newest first, repeats folded with a count */
	LIVE_PANE_LOG,	       /* one process's events (Enter on a process), newest last */
	LIVE_PANES
};

enum live_attr {
	LIVE_ATTR_NORMAL,
	LIVE_ATTR_HEADER,   /* column titles */
	LIVE_ATTR_DIM,	    /* exited processes, closed connections */
	LIVE_ATTR_INFO,	    /* severity info/low */
	LIVE_ATTR_WARN,	    /* severity medium */
	LIVE_ATTR_ALERT,    /* severity high */
	LIVE_ATTR_CRITICAL, /* severity critical */
	LIVE_ATTR_EXPOSED,  /* a listener reachable from the network, a flagged file read */
	LIVE_ATTR_LOSS,	    /* a non-zero loss counter in the status line */
	LIVE_ATTRS
};

struct live_row {
	char text[LIVE_ROW_MAX]; /* escaped, at most width display columns */
	uint8_t attr;		 /* enum live_attr */
	uint32_t pid;		 /* the process a row of the processes pane is; else 0 */
};

struct live_query {
	enum live_pane pane;
	size_t width;	    /* display columns */
	const char *filter; /* rows whose text contains it (case-insensitive); NULL or "": all */
	unsigned sort;	    /* index into the pane's sort keys (live_panel_sort_name) */
	uint32_t pid;	    /* LIVE_PANE_LOG: whose events */
};

/* The pane's title ("Processes", ...), and the name of sort key k (NULL past the last). */
const char *live_panel_title(enum live_pane pane);
const char *live_panel_sort_name(enum live_pane pane, unsigned k);

/* The column titles of q's pane at q's width, into row. */
void live_panel_header(const struct live_query *q, struct live_row *row);

/*
 * Rows first..first+max of q's pane into out; returns how many were written and, in
 * *total, how many rows the pane has after the filter (for scrolling).
 */
size_t live_panel_rows(const struct live_model *m, const struct live_query *q, size_t first,
		       struct live_row *out, size_t max, size_t *total);

/*
 * The status line at width: events/s, every loss counter (a non-zero one makes the row
 * LIVE_ATTR_LOSS), the rule pack, outputs, source, uptime, and "PAUSED" when paused.
 */
void live_panel_status(const struct live_model *m, size_t width, bool paused, uint64_t now_ns,
		       struct live_row *row);

#endif /* LW_LIVE_PANELS_H */
