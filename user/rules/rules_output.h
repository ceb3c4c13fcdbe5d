/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How verdicts are shown: the one place that writes a verdict as text or JSON, for the sinks
 * and anyone else.
 */
#ifndef LW_RULES_OUTPUT_H
#define LW_RULES_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/event.h"
#include "util/jsonw.h"

struct rules_verdict;

/*
 * Writes v as "[severity] rule: message", without indent or newline: the words of an alert,
 * the same in every sink that shows it as text (text, journald's MESSAGE).
 */
void rules_output_line(FILE *f, const struct rules_verdict *v);

/* Writes each of the nv verdicts v[] as rules_output_line(), indented, one per line. */
void rules_output_text(FILE *f, const struct lw_event *ev, const struct rules_verdict *v,
		       size_t nv);

/* Adds "rule", "severity", "action", "tags" and "message" of v to the open object in w. */
void rules_output_verdict_json(struct jsonw *w, const struct rules_verdict *v);

/* Adds each of the nv verdicts v[] as an object to the open JSON array in w. */
void rules_output_json(struct jsonw *w, const struct rules_verdict *v, size_t nv);

/* Whether any of the verdicts asks for an alert (not only a log entry). */
bool rules_output_is_alert(const struct rules_verdict *v, size_t nv);

#endif /* LW_RULES_OUTPUT_H */
