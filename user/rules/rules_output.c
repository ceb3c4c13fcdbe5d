// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* How the sinks show a rule verdict (see rules_output.h). */
#include "rules/rules_output.h"

#include "rules/rules.h"

void rules_output_text(FILE *f, const struct lw_event *ev, const struct rules_verdict *v,
		       size_t nv)
{
	(void)ev;
	for (size_t i = 0; i < nv; i++) {
		/* the verdict's message is already escaped by the rules engine */
		fputs("  ", f);
		rules_verdict_print(f, &v[i]);
	}
}

void rules_output_json(struct jsonw *w, const struct rules_verdict *v, size_t nv)
{
	for (size_t i = 0; i < nv; i++) {
		jsonw_open(w, NULL, '{');
		jsonw_escaped(w, "rule", v[i].rule);
		jsonw_str(w, "severity", rules_severity_name(v[i].severity));
		jsonw_str(w, "action", rules_action_name(v[i].action));
		jsonw_open(w, "tags", '[');
		for (size_t t = 0; t < v[i].n_tags; t++)
			jsonw_elem_str(w, v[i].tags[t]);
		jsonw_close(w, ']');
		jsonw_escaped(w, "message", v[i].message);
		jsonw_close(w, '}');
	}
}

bool rules_output_is_alert(const struct rules_verdict *v, size_t nv)
{
	for (size_t i = 0; i < nv; i++) {
		if (v[i].action != RULES_ACTION_LOG)
			return true;
	}
	return false;
}
