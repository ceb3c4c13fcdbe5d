/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How the sinks show a rule verdict: the one place that knows both sink and rules types. */
#ifndef LW_RULES_OUTPUT_H
#define LW_RULES_OUTPUT_H

#include <stdio.h>

#include "event.h"
#include "jsonw.h"

struct rule_verdict;

/* Writes one indented alert line for each of the nv verdicts v[] about ev. */
void rules_output_text(FILE *f, const struct lw_event *ev, const struct rule_verdict *v,
		       size_t nv);

/* Adds each of the nv verdicts v[] as an object to the open JSON array in w. */
void rules_output_json(struct jsonw *w, const struct rule_verdict *v, size_t nv);

#endif /* LW_RULES_OUTPUT_H */
