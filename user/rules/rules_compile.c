// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One rule object into a compiled rule: its keys, id, description, severity, action,
 * fallback, tags, tools and event types here; its conditions and exceptions through the
 * table of conditions (rules_cond.c); its message through rules_message.c.
 */
#include "rules/rules_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_keys[] = {
	"id",	      "description", "severity", "tags",    "tools",	"event",
	"conditions", "exceptions",  "action",	 "message", "fallback",
};
#define N_RULE_KEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

/* The event types a rule may name, with their record types. */
static const char *const event_names[] = {
	"connect", "send", "bind", "listen", "open", "exec", "conn_bytes",
};
static const unsigned int event_types[] = {
	LW_REC_CONNECT, LW_REC_SEND, LW_REC_BIND,	LW_REC_LISTEN,
	LW_REC_OPEN,	LW_REC_EXEC, LW_REC_CONN_BYTES,
};
#define N_EVENTS (sizeof(event_names) / sizeof(event_names[0]))

bool rules_compile_rule(struct rules_load *c, const struct rules_json *obj, struct rules_rule *r)
{
	static const char *const required[] = {
		"id", "description", "severity", "tools", "event", "message",
	};
	const struct rules_json *v;
	char sug[96], eb[256];
	uint32_t named;
	bool ok = true;
	int m;

	if (!rules_load_want(c, obj, "rules", RULES_JSON_OBJECT, "an array of objects"))
		return false;
	for (const struct rules_json *e = obj->child; e; e = e->next) {
		if (rules_load_lookup(e->key, rule_keys, N_RULE_KEYS) < 0) {
			rules_load_errorf(c->errs, c->src, e->key_line, e->key_col,
					  "unknown key \"%s\"%s",
					  rules_load_esc(eb, sizeof(eb), e->key),
					  rules_load_suggest(sug, sizeof(sug), e->key, "",
							     rule_keys, N_RULE_KEYS));
			ok = false;
		}
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		bool misspelt = false;

		/* "sevrity" already got "did you mean severity": saying it is missing is noise */
		for (const struct rules_json *e = obj->child; e && !misspelt; e = e->next)
			misspelt = rules_load_lookup(e->key, rule_keys, N_RULE_KEYS) < 0 &&
				   rules_load_distance(e->key, required[i]) <= 2;
		if (!misspelt && !rules_json_get(obj, required[i])) {
			rules_load_err(c, obj, "missing required key \"%s\"", required[i]);
			ok = false;
		}
	}
	if (!ok)
		return false;

	if (asprintf(&r->source, "%s:%d:%d", c->src->name, obj->line, obj->col) < 0) {
		r->source = NULL;
		return false;
	}
	r->is_default = c->src->is_default;

	v = rules_json_get(obj, "id");
	if (!rules_load_want(c, v, "id", RULES_JSON_STRING, "a string"))
		return false;
	if (!rules_load_valid_name(v->str)) {
		rules_load_err(c, v,
			       "bad rule id \"%s\": use 1-64 letters, digits, '.', '_' or '-'",
			       rules_load_esc(eb, sizeof(eb), v->str));
		return false;
	}
	if (!(r->id = rules_load_strdup(c, v, v->str)))
		return false;

	v = rules_json_get(obj, "description");
	if (!rules_load_want(c, v, "description", RULES_JSON_STRING, "a string"))
		ok = false;
	else if (!v->str[0]) {
		rules_load_err(c, v, "\"description\" is empty");
		ok = false;
	} else if (!(r->description = rules_load_strdup(c, v, v->str)))
		return false;

	v = rules_json_get(obj, "severity");
	if (!rules_load_want(c, v, "severity", RULES_JSON_STRING, "a string")) {
		ok = false;
	} else if ((m = rules_load_lookup(v->str, rules_severity_names, RULES_N_SEVERITIES)) < 0) {
		rules_load_err(c, v, "unknown severity \"%s\"%s",
			       rules_load_esc(eb, sizeof(eb), v->str),
			       rules_load_suggest(sug, sizeof(sug), v->str, "",
						  rules_severity_names, RULES_N_SEVERITIES));
		ok = false;
	} else {
		r->severity = (enum rules_severity)m;
	}

	r->action = RULES_ACTION_ALERT;
	if ((v = rules_json_get(obj, "action"))) {
		if (!rules_load_want(c, v, "action", RULES_JSON_STRING, "a string")) {
			ok = false;
		} else if ((m = rules_load_lookup(v->str, rules_action_names, RULES_N_ACTIONS)) <
			   0) {
			rules_load_err(c, v, "unknown action \"%s\"%s",
				       rules_load_esc(eb, sizeof(eb), v->str),
				       rules_load_suggest(sug, sizeof(sug), v->str, "",
							  rules_action_names, RULES_N_ACTIONS));
			ok = false;
		} else {
			r->action = (enum rules_action)m;
		}
	}

	if ((v = rules_json_get(obj, "fallback"))) {
		if (rules_load_want(c, v, "fallback", RULES_JSON_TRUE, "true or false"))
			r->fallback = v->type == RULES_JSON_TRUE;
		else
			ok = false;
	}

	if ((v = rules_json_get(obj, "tags"))) {
		struct rules_load_item *it;
		long n = rules_load_expand(c, v, "tags", &it);

		if (n < 0 || !rules_load_strings(c, it, n, "tags") ||
		    !(r->tags = rules_load_calloc((size_t)n, sizeof(char *)))) {
			ok = false;
		} else {
			for (long i = 0; i < n; i++) {
				r->tags[r->n_tags] = rules_load_strdup(c, it[i].v, it[i].v->str);
				if (!r->tags[r->n_tags]) {
					ok = false;
					break;
				}
				r->n_tags++;
			}
		}
		free(it);
	}

	if (!rules_cond_tool_compile(c, rules_json_get(obj, "tools"), &r->tools))
		ok = false;

	v = rules_json_get(obj, "event");
	if (!rules_load_keywords(c, v, event_names, NULL, N_EVENTS, "event type", &named))
		return false;
	for (size_t i = 0; i < N_EVENTS; i++) {
		if (named & (1u << i)) {
			r->events |= RULES_EV(event_types[i]);
			if (!c->event_name)
				c->event_name = event_names[i];
		}
	}
	c->events = r->events;

	if ((v = rules_json_get(obj, "conditions")) &&
	    !rules_cond_compile(c, v, "conditions", &r->cond))
		ok = false;
	if ((v = rules_json_get(obj, "exceptions"))) {
		if (!rules_load_want(c, v, "exceptions", RULES_JSON_ARRAY, "an array of objects") ||
		    (v->n && !(r->exceptions = calloc(v->n, sizeof(*r->exceptions))))) {
			ok = false;
		} else {
			for (const struct rules_json *e = v->child; e; e = e->next) {
				if (!rules_cond_compile(c, e, "exceptions",
							&r->exceptions[r->n_exceptions++]))
					ok = false;
			}
		}
	}
	if (!(r->message = rules_message_compile(c, rules_json_get(obj, "message"))))
		ok = false;
	return ok;
}
