/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The outputs llmwatch knows by name (--output NAME[:ARG]): one row per sink, so adding a
 * sink is its own file plus one row in sink_registry.c.
 */
#ifndef LW_SINK_REGISTRY_H
#define LW_SINK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sinks/sink.h"

struct sink_registry_row {
	const char *name; /* "text" */
	/*
	 * Makes the sink for ARG (NULL when the spec has none). NULL on failure, with the
	 * reason in err[errsz] ("cannot open PATH: ...").
	 */
	struct sink *(*open)(const char *arg, char *err, size_t errsz);
	const char *arg_help; /* what may follow the name: "[:PATH]" */
	const char *help;     /* one line for --help */
	/* ARG is a file, none or "-" meaning stdout: two outputs there are refused */
	bool arg_is_path;
};

/* One parsed --output value; arg points into text. */
struct sink_spec {
	const struct sink_registry_row *row;
	const char *text; /* the whole value, as given */
	const char *arg;  /* after the first ':', or NULL */
};

/*
 * Parses "NAME[:ARG]". Returns 0, or -EINVAL with the reason in err[errsz], starting with
 * the quoted value: "\"xml\": unknown output; known: text, json".
 */
int sink_registry_parse(const char *text, struct sink_spec *spec, char *err, size_t errsz);

/*
 * Opens the n specs (1 to LW_OUTPUTS_MAX) as one tee that tells each output's first
 * failure on diag. Refuses, before opening anything, two outputs writing to stdout or to
 * the same path. NULL on failure (nothing left open), with errno set and the reason in
 * err[errsz], starting with the quoted value(s) at fault.
 */
struct sink *sink_registry_open(const struct sink_spec *specs, size_t n, FILE *diag, char *err,
				size_t errsz);

/* Writes one line per known output ("text[:PATH]  ...") to f, each after indent. */
void sink_registry_help(FILE *f, const char *indent);

#endif /* LW_SINK_REGISTRY_H */
