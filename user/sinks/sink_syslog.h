/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The syslog sink: one RFC 5424 message per alert (syslog_format.h) to a local or remote
 * collector (syslog_transport.h). Its argument, after "syslog:":
 *
 *	[TARGET][,facility=NAME][,app=NAME][,queue=N][,ca=FILE][,cert=FILE][,key=FILE]
 */
#ifndef LW_SINK_SYSLOG_H
#define LW_SINK_SYSLOG_H

#include <stddef.h>
#include <stdio.h>

#include "sinks/sink.h"
#include "sinks/syslog_format.h"
#include "sinks/syslog_transport.h"

#define SINK_SYSLOG_QUEUE_DEFAULT 1000
#define SINK_SYSLOG_QUEUE_MAX 1000000

struct sink_syslog_config {
	struct syslog_target target;
	int facility; /* default daemon */
	char app[SYSLOG_APP_NAME_MAX + 1];
	size_t queue;
	char ca[4096], cert[4096], key[4096]; /* "" when not given */
};

/*
 * Parses the argument (NULL: all defaults). Returns 0, or -EINVAL with the reason in
 * err[errsz] naming the value at fault ("facility=\"locl3\": unknown facility ...").
 */
int sink_syslog_parse(const char *arg, struct sink_syslog_config *c, char *err, size_t errsz);

/*
 * The registry's constructor: parses arg, loads TLS files, resolves the host and starts
 * connecting; links going down and up are told on stderr. NULL on failure with errno set
 * and the reason in err[errsz].
 */
struct sink *sink_syslog_open(const char *arg, char *err, size_t errsz);

/*
 * The same, telling the link's state on diag, under name (for tests). Back-off times in ns
 * (0: the defaults, 200 ms doubling to 30 s).
 */
struct sink *sink_syslog_open_with(const char *arg, const char *name, FILE *diag,
				   uint64_t backoff_min_ns, uint64_t backoff_max_ns, char *err,
				   size_t errsz);

#endif /* LW_SINK_SYSLOG_H */
