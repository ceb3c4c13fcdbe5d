// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The compiled rule set: what it owns (rules, their indexes, the home cache), how it is made
 * from compiled rules and freed, and the read-only views of it (rules_get_info(),
 * rules_condition_hosts()). The names of severities and actions are defined here, once.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rules_severity_names[RULES_N_SEVERITIES] = {
	[RULES_SEV_INFO] = "info", [RULES_SEV_LOW] = "low",	      [RULES_SEV_MEDIUM] = "medium",
	[RULES_SEV_HIGH] = "high", [RULES_SEV_CRITICAL] = "critical",
};

const char *const rules_action_names[RULES_N_ACTIONS] = {
	[RULES_ACTION_ALERT] = "alert",
	[RULES_ACTION_LOG] = "log",
	[RULES_ACTION_BLOCK] = "block",
};

const char *rules_severity_name(enum rules_severity s)
{
	return (unsigned int)s < RULES_N_SEVERITIES ? rules_severity_names[s] : "?";
}

const char *rules_action_name(enum rules_action a)
{
	return (unsigned int)a < RULES_N_ACTIONS ? rules_action_names[a] : "?";
}

void rules_rule_clear(struct rules_rule *r)
{
	free(r->id);
	free(r->description);
	for (size_t i = 0; i < r->n_tags; i++)
		free(r->tags[i]);
	free(r->tags);
	if (r->tools)
		rules_cond_tool_free(r->tools);
	rules_cond_clear(&r->cond);
	for (size_t i = 0; i < r->n_exceptions; i++)
		rules_cond_clear(&r->exceptions[i]);
	free(r->exceptions);
	rules_message_free(r->message);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

struct rules *rules_new(struct rules_rule *rules, size_t n, const char *const *tools,
			size_t n_tools, rules_home_fn home_fn, void *home_ctx)
{
	struct rules *r = calloc(1, sizeof(*r));
	bool nomem = false;

	if (!r) {
		for (size_t i = 0; i < n; i++)
			rules_rule_clear(&rules[i]);
		free(rules);
		errno = ENOMEM;
		return NULL;
	}
	r->rules = rules;
	r->n = n;
	for (; r->n_tools < n_tools && r->n_tools < RULES_TOOLS_MAX; r->n_tools++)
		nomem |= !(r->tools[r->n_tools] = strdup(tools[r->n_tools]));
	r->homes = rules_home_new(home_fn, home_ctx);
	if (nomem || !r->homes || rules_index_build(r)) {
		rules_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	rules_index_free(r);
	for (size_t i = 0; i < r->n; i++)
		rules_rule_clear(&r->rules[i]);
	free(r->rules);
	for (size_t i = 0; i < r->n_tools; i++)
		free(r->tools[i]);
	rules_home_free(r->homes);
	free(r);
}

size_t rules_count(const struct rules *r)
{
	return r ? r->n : 0;
}

void rules_digest_hex(const struct rules *r, char hex[2 * RULES_DIGEST_LEN + 1])
{
	hex[0] = '\0';
	for (size_t i = 0; r && i < RULES_DIGEST_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->digest[i]);
}

size_t rules_condition_hosts(const struct rules *r, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; r && i < r->n; i++) {
		const struct rules_vec *hosts = r->rules[i].cond.data[RULES_COND_host];

		for (size_t j = 0; hosts && j < hosts->n; j++) {
			const struct rules_host *h = &((const struct rules_host *)hosts->v)[j];
			bool seen = false;

			if (h->suffix)
				continue;
			for (size_t k = 0; !seen && k < n && k < max; k++)
				seen = strcmp(out[k], h->name) == 0;
			if (seen)
				continue;
			if (n < max)
				out[n] = h->name;
			n++;
		}
	}
	return n;
}

int rules_get_info(const struct rules *r, size_t i, struct rules_info *info)
{
	const struct rules_rule *rr;

	if (!r || i >= r->n)
		return -ERANGE;
	rr = &r->rules[i];
	info->id = rr->id;
	info->description = rr->description;
	info->severity = rr->severity;
	info->action = rr->action;
	info->fallback = rr->fallback;
	info->is_default = rr->is_default;
	info->events = rr->events;
	info->tags = (const char *const *)rr->tags;
	info->n_tags = rr->n_tags;
	info->source = rr->source;
	return 0;
}
