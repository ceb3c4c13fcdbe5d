/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Telling the service manager how the daemon is (sd_notify(3), Type=notify): READY=1 once
 * every program is attached, STATUS= lines, RELOADING=1 around a SIGHUP reload,
 * STOPPING=1, and WATCHDOG=1 pings. Every call does nothing when NOTIFY_SOCKET is unset
 * (llmwatch run by hand), and a failed send is said once on stderr, never fatal.
 */
#ifndef LW_DAEMON_NOTIFY_H
#define LW_DAEMON_NOTIFY_H

#include <stdint.h>

/* READY=1 with STATUS=status. */
void daemon_notify_ready(const char *status);

/* STATUS=status (one line: a newline would end the assignment). */
void daemon_notify_status(const char *status);

/* RELOADING=1 with the monotonic time systemd asks for; READY=1 ends it. */
void daemon_notify_reloading(void);

/* STOPPING=1. */
void daemon_notify_stopping(void);

/*
 * How often to ping the watchdog: half of WATCHDOG_USEC (for this process: WATCHDOG_PID,
 * when set, must be ours), in ns; 0 when the watchdog is off or the value is not a number
 * (said on stderr).
 */
uint64_t daemon_notify_watchdog_ns(void);

/* WATCHDOG=1; arg is unused (the event loop's periodic callback). */
void daemon_notify_watchdog(void *arg);

#endif /* LW_DAEMON_NOTIFY_H */
