/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The report's model (docs/report-format.md): a sink that gathers, from every event of a
 * replay and the verdicts the rules gave it, the endpoints, listeners, files, processes and
 * alerts of a run, and writes them as the document's arrays. report_build() (report.c)
 * drives the replay and adds the captures and the completeness.
 */
#ifndef LW_REPORT_MODEL_H
#define LW_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "report/capture_replay.h"

struct report_model;

/* A new, empty model, or NULL with errno = ENOMEM. */
struct report_model *report_model_new(void);
void report_model_free(struct report_model *m);

/* The model as a sink, fed by capture_replay(); destroying it does nothing (the model owns it). */
struct sink *report_model_sink(struct report_model *m);

/* capture_replay()'s hooks, with the model as their ctx. */
extern const struct capture_replay_hooks report_model_hooks;

/*
 * Adds "summary", "endpoints", "listeners", "files", "processes" and "alerts" to doc, sorted
 * as the format says. Returns 0 or -ENOMEM (doc then holds some of them).
 */
int report_model_write(struct report_model *m, cJSON *doc);

/* Nanoseconds since the epoch as the report's time, RFC 3339 UTC with nanoseconds; 0: null. */
cJSON *report_time_json(int64_t wall_ns);

/* The wall time of a record time of capture f (its own boot/wall mapping), 0 if it has none. */
int64_t report_wall_ns(const struct capture_replay_file *f, uint64_t ts_ns);

#endif /* LW_REPORT_MODEL_H */
