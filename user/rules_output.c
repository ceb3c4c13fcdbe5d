// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* How the sinks show a rule verdict (see rules_output.h). Filled in with the rules engine. */
#include "rules_output.h"

void rules_output_text(FILE *f, const struct lw_event *ev, const struct rule_verdict *v,
		       size_t nv)
{
	(void)f, (void)ev, (void)v, (void)nv;
}

void rules_output_json(struct jsonw *w, const struct rule_verdict *v, size_t nv)
{
	(void)w, (void)v, (void)nv;
}
