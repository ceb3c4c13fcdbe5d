/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where start-up and stop spend their time: with LLMWATCH_TIMING set in the environment,
 * each step's wall time is said on stderr as it ends; without it, nothing is printed and a
 * mark costs one branch.
 */
#ifndef LW_STEPTIME_H
#define LW_STEPTIME_H

#include <stdbool.h>

/* Reads LLMWATCH_TIMING once and starts the clock (the first step runs from here). */
void steptime_init(void);

/* Whether LLMWATCH_TIMING asked for the steps. */
bool steptime_on(void);

/*
 * Ends the step named what: "llmwatch: timing: WHAT MS ms (at TOTAL ms)", MS since the last
 * mark and TOTAL since steptime_init(). Only from one thread: the steps are the main one's.
 */
void steptime_mark(const char *what);

#endif /* LW_STEPTIME_H */
