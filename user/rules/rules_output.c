// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* How verdicts are shown (see rules_output.h). */
#include "rules/rules_output.h"

#include "rules/rules.h"

void rules_output_line(FILE *f, const struct rules_verdict *v)
{
	/* the id is validated and the message already escaped by the rules engine */
	fprintf(f, "[%s] %s: %s", rules_severity_name(v->severity), v->rule, v->message);
}

void rules_output_text(FILE *f, const struct lw_event *ev, const struct rules_verdict *v, size_t nv)
{
	(void)ev;
	for (size_t i = 0; i < nv; i++) {
		fputs("  ", f);
		rules_output_line(f, &v[i]);
		fputc('\n', f);
	}
}

void rules_output_verdict_json(struct jsonw *w, const struct rules_verdict *v)
{
	jsonw_escaped(w, "rule", v->rule);
	jsonw_str(w, "severity", rules_severity_name(v->severity));
	jsonw_str(w, "action", rules_action_name(v->action));
	jsonw_open(w, "tags", '[');
	for (size_t t = 0; t < v->n_tags; t++)
		jsonw_elem_str(w, v->tags[t]);
	jsonw_close(w, ']');
	jsonw_escaped(w, "message", v->message);
}

void rules_output_json(struct jsonw *w, const struct rules_verdict *v, size_t nv)
{
	for (size_t i = 0; i < nv; i++) {
		jsonw_open(w, NULL, '{');
		rules_output_verdict_json(w, &v[i]);
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
