// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Record timestamps to wall-clock time and RFC 3339 text (see timefmt.h). */
#include "util/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int64_t realtime_minus_boot_ns;

static int64_t ts_ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

uint64_t timefmt_boot_now(void)
{
	struct timespec b;

	clock_gettime(CLOCK_BOOTTIME, &b);
	return (uint64_t)ts_ns(b);
}

int timefmt_init(void)
{
	struct timespec r1, b, r2;

	/* bracket the boot-clock read with two realtime reads and take the midpoint */
	if (clock_gettime(CLOCK_REALTIME, &r1) || clock_gettime(CLOCK_BOOTTIME, &b) ||
	    clock_gettime(CLOCK_REALTIME, &r2))
		return -errno;
	realtime_minus_boot_ns = (ts_ns(r1) + ts_ns(r2)) / 2 - ts_ns(b);
	return 0;
}

struct timespec timefmt_wall(uint64_t boot_ns)
{
	int64_t w = (int64_t)boot_ns + realtime_minus_boot_ns;
	struct timespec t = { .tv_sec = w / 1000000000, .tv_nsec = w % 1000000000 };

	return t;
}

/*
 * The date and time of day of one second, as strftime() gave them: events come many to a
 * second, and gmtime_r() with strftime() cost more than the rest of the line. Per thread,
 * so that callers on other threads neither race nor need a lock.
 */
static _Thread_local struct {
	time_t sec;
	size_t len; /* 0: nothing cached yet */
	char day[32];
} day_cache;

size_t timefmt_rfc3339(char *buf, size_t size, struct timespec ts)
{
	struct tm tm;
	char day[32];
	int n;

	/* the cached second, with the microseconds written here (what "%06ld" would print) */
	if (day_cache.len && day_cache.sec == ts.tv_sec && ts.tv_nsec >= 0 &&
	    ts.tv_nsec < 1000000000 && size > day_cache.len + 8) {
		long us = ts.tv_nsec / 1000;
		char *p = buf + day_cache.len;

		memcpy(buf, day_cache.day, day_cache.len);
		*p++ = '.';
		for (int i = 5; i >= 0; i--, us /= 10)
			p[i] = (char)('0' + us % 10);
		p[6] = 'Z';
		p[7] = '\0';
		return day_cache.len + 8;
	}
	if (!gmtime_r(&ts.tv_sec, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		n = snprintf(buf, size, "invalid-time");
		return n < 0 ? 0 : (size_t)n;
	}
	day_cache.sec = ts.tv_sec;
	day_cache.len = strlen(day);
	memcpy(day_cache.day, day, day_cache.len + 1);
	n = snprintf(buf, size, "%s.%06ldZ", day, ts.tv_nsec / 1000);
	return n < 0 ? 0 : (size_t)n;
}
