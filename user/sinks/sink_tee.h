/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The tee: one sink that writes each event to several (--output, repeatable). A failing
 * output is counted and told about once, and never keeps the others from being written.
 */
#ifndef LW_SINK_TEE_H
#define LW_SINK_TEE_H

#include <stdio.h>

#include "core/stats.h"
#include "sinks/sink.h"

/*
 * An empty tee. The first failure of each output is told on diag (stderr; a test's
 * memstream), with the output's name and errno. NULL with errno set on failure.
 */
struct sink *sink_tee_new(FILE *diag);

/*
 * Adds s under name (copied; "json:/var/log/x", as the user wrote it). The tee owns s from
 * now on, even when this fails. Returns 0, -ENOSPC beyond LW_OUTPUTS_MAX outputs, or
 * -ENOMEM.
 */
int sink_tee_add(struct sink *tee, struct sink *s, const char *name);

/*
 * Copies each output's name and failure count into st->outputs (names valid as long as the
 * tee). The tee's summary op does this itself for the summary it writes.
 */
void sink_tee_stats(const struct sink *tee, struct lw_stats *st);

/*
 * The tee's ops return 0 when every output took the call, else the first output's error:
 * the caller counts events that did not reach every output (lw_stats.output_errors), the
 * tee counts each output's failures (lw_stats.outputs).
 */

#endif /* LW_SINK_TEE_H */
