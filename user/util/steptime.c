// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Step timing of start-up and stop under LLMWATCH_TIMING (see steptime.h). */
#include "util/steptime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static bool steptime_enabled;
static uint64_t steptime_start, steptime_last;

static uint64_t steptime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void steptime_init(void)
{
	const char *v = getenv("LLMWATCH_TIMING");

	steptime_enabled = v && *v && !(v[0] == '0' && !v[1]);
	steptime_start = steptime_last = steptime_now();
}

bool steptime_on(void)
{
	return steptime_enabled;
}

void steptime_mark(const char *what)
{
	uint64_t now;

	if (!steptime_enabled)
		return;
	now = steptime_now();
	fprintf(stderr, "llmwatch: timing: %s %.1f ms (at %.1f ms)\n", what,
		(double)(now - steptime_last) / 1e6, (double)(now - steptime_start) / 1e6);
	steptime_last = now;
}
