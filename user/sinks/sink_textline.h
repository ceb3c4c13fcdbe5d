/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The words of one event as the text sink shows them, shared with every sink that carries
 * a line of text for people (journald's MESSAGE), so the same event reads the same
 * everywhere.
 */
#ifndef LW_SINK_TEXTLINE_H
#define LW_SINK_TEXTLINE_H

#include <stdio.h>

#include "core/event.h"

/*
 * Writes ev as one line without the newline: "TIME TOOL pid=N ppid=N TYPE details comm=..
 * exe=..". Every untrusted byte is escaped (util/escape.h), so the line holds no control
 * character and is valid UTF-8. Write errors are left on f's error flag.
 */
void sink_textline_event(FILE *f, const struct lw_event *ev);

#endif /* LW_SINK_TEXTLINE_H */
