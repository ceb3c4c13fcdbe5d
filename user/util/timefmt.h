/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Record timestamps (CLOCK_BOOTTIME) to wall-clock time and RFC 3339 text. */
#ifndef LW_TIMEFMT_H
#define LW_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Captures the offset between CLOCK_REALTIME and CLOCK_BOOTTIME now. Returns 0 or -errno. */
int timefmt_init(void);

/* The wall-clock time of a CLOCK_BOOTTIME timestamp, using the offset from timefmt_init(). */
struct timespec timefmt_wall(uint64_t boot_ns);

/* Formats ts as RFC 3339 UTC with microseconds ("2026-11-29T04:50:12.123456Z"). */
size_t timefmt_rfc3339(char *buf, size_t size, struct timespec ts);

/* CLOCK_BOOTTIME now, in nanoseconds. */
uint64_t timefmt_boot_now(void);

#endif /* LW_TIMEFMT_H */
