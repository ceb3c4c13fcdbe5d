// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sd_notify(3) for the daemon (see daemon_notify.h), through libsystemd. */
#include "cmd/daemon_notify.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

/* Sends state; a failure is said once (the manager may kill a daemon that never says READY). */
static void notify(const char *state)
{
	static bool told;
	int err = sd_notify(0, state);

	if (err < 0 && !told) {
		fprintf(stderr, "llmwatch: warning: telling the service manager \"%.40s\": %s\n",
			state, strerror(-err));
		told = true;
	}
}

/* "KEY=" then status with any newline made a blank (one assignment a line). */
static void notify_with_status(const char *head, const char *status)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%sSTATUS=%s", head, status);

	if (n < 0)
		return;
	for (char *p = buf + strlen(head) + 7; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	notify(buf);
}

void daemon_notify_ready(const char *status)
{
	notify_with_status("READY=1\n", status);
}

void daemon_notify_status(const char *status)
{
	notify_with_status("", status);
}

void daemon_notify_reloading(void)
{
	struct timespec ts;
	char buf[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull +
			 (unsigned long long)ts.tv_nsec / 1000);
	notify(buf);
}

void daemon_notify_stopping(void)
{
	notify("STOPPING=1");
}

uint64_t daemon_notify_watchdog_ns(void)
{
	uint64_t usec = 0;
	int r = sd_watchdog_enabled(0, &usec);

	if (r < 0) {
		fprintf(stderr,
			"llmwatch: warning: WATCHDOG_USEC/WATCHDOG_PID unusable: %s; "
			"no watchdog pings\n",
			strerror(-r));
		return 0;
	}
	/* half the timeout, as sd_watchdog_enabled(3) advises, so one late pass is no kill */
	return r > 0 ? usec * 1000ull / 2 : 0;
}

void daemon_notify_watchdog(void *arg)
{
	(void)arg;
	notify("WATCHDOG=1");
}
