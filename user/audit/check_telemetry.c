// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The telemetry checks (check_telemetry.h), one per tool. A setting is judged the way the
 * tool itself reads it (vLLM honours only "1", AnythingLLM only "true", Ollama any value
 * Go's ParseBool does not call false), and every place it is set gets its own finding, so
 * the report names each file, unit or process to change. A tool found nowhere is SKIPped
 * as not installed.
 */
#include "audit/check_telemetry.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_files.h"
#include "audit/audit_settings.h"
#include "audit/audit_stores.h"
#include "audit/tool_installs.h"

#define SETTINGS_MAX (1u << 20) /* a settings or .env file: far larger is not one */
#define ENV_HITS_MAX 32

#define SRC_GPT4ALL                                                                         \
	"gpt4all src/network.cpp (Mixpanel api.mixpanel.com/track, api.ipify.org; opt_out " \
	"event L157, L310-319), src/mysettings.cpp L52-53, L722-756"
#define SRC_OLLAMA                                                                    \
	"ollama server/model_recommendations.go L189, L202; auth/auth.go; envconfig/" \
	"config.go NoCloud(); docs/faq.mdx L163-181"
#define SRC_VLLM                                                                              \
	"vllm vllm/usage/usage_lib.py @01ff1262 (stats.vllm.ai, do_not_track); vllm/envs.py " \
	"(VLLM_NO_USAGE_STATS, VLLM_DO_NOT_TRACK, DO_NOT_TRACK: only \"1\"); "                \
	"docs.vllm.ai usage_stats"
#define SRC_OWUI_TELEMETRY                                                                   \
	"open-webui Dockerfile (ANONYMIZED_TELEMETRY=false, DO_NOT_TRACK, "                  \
	"SCARF_NO_ANALYTICS); Chroma's anonymized telemetry [M: Open WebUI's Chroma client " \
	"settings not read]"
#define SRC_OWUI_UPDATE                                                                     \
	"open-webui backend/open_webui/env.py (ENABLE_VERSION_UPDATE_CHECK: on unless not " \
	"\"true\"; OFFLINE_MODE) [M]; docs.openwebui.com offline-mode; update check "       \
	"api.github.com/repos/open-webui/open-webui/releases/latest"
#define SRC_ANYTHINGLLM \
	"anything-llm server/models/telemetry.js @064b0b8e (PostHog unless DISABLE_TELEMETRY === \"true\")"

static int add(struct audit_report *r, enum audit_status st, const char *check, const char *tool,
	       const char *subject, const char *evidence, const char *fix, const char *source)
{
	return audit_add(r, &(struct audit_finding){
				    .item = AUDIT_ITEM_TELEMETRY,
				    .status = st,
				    .check = check,
				    .tool = tool,
				    .subject = subject,
				    .evidence = evidence,
				    .fix = st == AUDIT_PASS || st == AUDIT_SKIP ? NULL : fix,
				    .source = source,
			    });
}

/* Whether any store of tool exists in the homes audited (or at its absolute path). */
static int store_seen(void *arg, const struct audit_store_hit *h)
{
	(void)h;
	*(bool *)arg = true;
	return 1;
}

static bool tool_has_stores(const struct audit_ctx *c, const char *tool)
{
	bool seen = false;

	for (int k = 0; k < AUDIT_STORE_KINDS && !seen; k++)
		audit_stores_each(c, (enum audit_store_kind)k, tool, store_seen, &seen);
	return seen;
}

/* --- settings in units' and processes' environments ----------------------------------- */

struct env_hit {
	char *name, *value, *where, *tool;
	enum audit_setting_from from;
};

struct env_hits {
	struct env_hit h[ENV_HITS_MAX];
	size_t n;
	const char *tool; /* only hits of this tool's units and processes (or of no tool) */
	int err;	  /* audit_env_find()'s, when it could not look */
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int env_collect(void *arg, const struct audit_setting *s)
{
	struct env_hits *e = arg;
	struct env_hit *h;

	if (e->tool && s->tool && strcmp(e->tool, s->tool) != 0)
		return 0;
	if (e->n == ENV_HITS_MAX)
		return 0;
	h = &e->h[e->n];
	h->name = dup_or_empty(s->name);
	h->value = dup_or_empty(s->value);
	h->where = dup_or_empty(s->where);
	h->tool = s->tool ? strdup(s->tool) : NULL;
	h->from = s->from;
	if (!h->name || !h->value || !h->where || (s->tool && !h->tool)) {
		free(h->name);
		free(h->value);
		free(h->where);
		free(h->tool);
		return -ENOMEM;
	}
	e->n++;
	return 0;
}

static void env_find(const struct audit_ctx *c, const char *tool, const char *const *names,
		     size_t n, struct env_hits *e)
{
	memset(e, 0, sizeof(*e));
	e->tool = tool;
	e->err = audit_env_find(c, names, n, env_collect, e);
}

static void env_free(struct env_hits *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->h[i].name);
		free(e->h[i].value);
		free(e->h[i].where);
		free(e->h[i].tool);
	}
	e->n = 0;
}

struct unread_run {
	struct audit_report *r;
	const char *check, *tool;
	size_t n;
};

static int unread_add(void *arg, const struct audit_unread *u)
{
	struct unread_run *run = arg;
	char *text;
	int err;

	/* a unit of no known tool is said by exposure-settings, once */
	if (!u->tool || strcmp(u->tool, run->tool) != 0)
		return 0;
	run->n++;
	text = audit_unread_text(u, "a setting");
	if (!text)
		return -ENOMEM;
	err = add(run->r, AUDIT_SKIP, run->check, run->tool, audit_unread_subject(u),
		  audit_fmt(run->r, "%s", text), NULL, NULL);
	free(text);
	return err;
}

/*
 * The files of tool's units (unit files, drop-ins, environment files) that could not be
 * read: SKIP, each (a setting there, an opt-out or its undoing, is not seen). *n (when not NULL) gets how many: each is
 * a unit of the tool's.
 */
static int unread_report(const struct audit_ctx *c, struct audit_report *r, const char *check,
			 const char *tool, size_t *n)
{
	struct unread_run run = { r, check, tool, 0 };
	int err = 0;

	if (c->profiles) /* else no tool is known, and no unit is a tool's */
		err = audit_env_unread(c, unread_add, &run);
	if (n)
		*n = run.n;
	return err;
}

/* Whether some hit belongs to the tool's own unit or process (so the tool is there). */
static bool env_tool_seen(const struct env_hits *e, const char *tool)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->h[i].tool && !strcmp(e->h[i].tool, tool))
			return true;
	return false;
}

/* --- .env files ---------------------------------------------------------------------- */

/*
 * The value of key in a dotenv file (python-dotenv and the dotenv npm package: KEY=VALUE,
 * an optional "export ", quotes removed, " #" starting a comment after an unquoted value).
 * The last assignment wins. On a hit: true, *v and *vl, *line.
 */
static bool dotenv_get(const char *text, size_t len, const char *key, const char **v, size_t *vl,
		       unsigned int *line)
{
	const char *p = text, *end = text + len;
	size_t kl = strlen(key);
	unsigned int n = 0;
	bool found = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p, *vs, *ve;

		n++;
		p = nl ? nl + 1 : end;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(e - s) > 7 && !memcmp(s, "export ", 7))
			s += 7;
		if ((size_t)(e - s) <= kl || memcmp(s, key, kl) != 0)
			continue;
		vs = s + kl;
		while (vs < e && (*vs == ' ' || *vs == '\t'))
			vs++;
		if (vs == e || *vs != '=')
			continue;
		vs++;
		while (vs < e && (*vs == ' ' || *vs == '\t'))
			vs++;
		ve = e;
		if (vs < e && (*vs == '"' || *vs == '\'')) {
			const char *q = memchr(vs + 1, *vs, (size_t)(e - vs - 1));

			if (q) {
				vs++;
				ve = q;
			}
		} else {
			for (const char *h = vs; h < e; h++)
				if (*h == '#' && (h == vs || h[-1] == ' ' || h[-1] == '\t')) {
					ve = h;
					break;
				}
		}
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
			ve--;
		*v = vs;
		*vl = (size_t)(ve - vs);
		*line = n;
		found = true;
	}
	return found;
}

/* A setting read from a .env file or an environment: where, and its value. */
struct found_setting {
	const char *where; /* "FILE:LINE" or audit_setting.where */
	const char *value;
};

struct dotenv_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	const char *key;
	struct found_setting *out;
	size_t n, max;
	bool *present;
};

static int dotenv_file(void *arg, const struct audit_store_hit *h)
{
	struct dotenv_run *d = arg;
	const char *v;
	size_t len, vl;
	unsigned int line;
	char *text;

	if (d->n == d->max)
		return 1;
	if (audit_read_file(d->c, h->path, SETTINGS_MAX, &text, &len))
		return 0;
	*d->present = true;
	if (dotenv_get(text, len, d->key, &v, &vl, &line))
		d->out[d->n++] = (struct found_setting){
			.where = audit_fmt(d->r, "%s:%u", h->path, line),
			.value = audit_fmt(d->r, "%.*s", (int)vl, v),
		};
	free(text);
	return 0;
}

/*
 * The .env files of tool (its settings rows, audit_stores.c) that set key: each into out
 * (report-owned strings). Returns how many, and sets *present when any of the files exists.
 */
static size_t dotenv_find(const struct audit_ctx *c, struct audit_report *r, const char *tool,
			  const char *key, struct found_setting *out, size_t max, bool *present)
{
	struct dotenv_run d = {
		.c = c, .r = r, .key = key, .out = out, .max = max, .present = present
	};

	audit_stores_each(c, AUDIT_STORE_SETTINGS, tool, dotenv_file, &d);
	return d.n;
}

/* ======================================================================================
 * GPT4All
 */

struct gpt4all_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	bool seen;
	int err;
};

/* One [network] switch of GPT4All.ini: FAIL when on, PASS when off or unset. */
static int gpt4all_switch(struct gpt4all_run *g, const char *path, const char *text, size_t len,
			  const char *key, const char *what, const char *fix)
{
	struct audit_report *r = g->r;
	const char *subject = audit_fmt(r, "[network] %s", key), *v;
	size_t vl;
	unsigned int line;

	if (!audit_ini_get(text, len, "network", key, &v, &vl, &line))
		return add(r, AUDIT_PASS, "telemetry-gpt4all", "gpt4all", subject,
			   audit_fmt(r,
				     "%s: no %s: off (the default) until chosen; GPT4All asks at "
				     "first start",
				     path, key),
			   NULL, SRC_GPT4ALL);
	if (audit_value_true(v, vl))
		return add(r, AUDIT_FAIL, "telemetry-gpt4all", "gpt4all", subject,
			   audit_fmt(r, "%s:%u: %s=%.*s: %s", path, line, key, (int)vl, v, what),
			   fix, SRC_GPT4ALL);
	if (audit_value_false(v, vl))
		return add(r, AUDIT_PASS, "telemetry-gpt4all", "gpt4all", subject,
			   audit_fmt(r, "%s:%u: %s=%.*s", path, line, key, (int)vl, v), NULL,
			   SRC_GPT4ALL);
	return add(r, AUDIT_WARN, "telemetry-gpt4all", "gpt4all", subject,
		   audit_fmt(r, "%s:%u: %s=%.*s: not a value Qt reads as true or false", path, line,
			     key, (int)vl, v),
		   fix, SRC_GPT4ALL);
}

static int gpt4all_ini(void *arg, const struct audit_store_hit *h)
{
	struct gpt4all_run *g = arg;
	struct audit_report *r = g->r;
	const char *v;
	size_t len, vl;
	unsigned int line;
	char *text;
	int err;

	g->seen = true;
	err = audit_read_file(g->c, h->path, SETTINGS_MAX, &text, &len);
	if (err) {
		g->err = add(r, AUDIT_SKIP, "telemetry-gpt4all", "gpt4all", h->path,
			     audit_fmt(r, "%s: cannot read: %s%s", h->path, strerror(-err),
				       err == -EACCES && !g->c->privileged ? " (run as root)" : ""),
			     NULL, SRC_GPT4ALL);
		return g->err;
	}
	err = gpt4all_switch(g, h->path, text, len, "usageStatsActive",
			     "usage statistics go to Mixpanel with this machine's public IP, "
			     "CPU, GPU and kernel details",
			     "set usageStatsActive=false under [network] while GPT4All is closed "
			     "(or turn off anonymous usage analytics in its settings)");
	if (!err)
		err = gpt4all_switch(g, h->path, text, len, "isActive",
				     "Datalake on: whole conversations are sent to "
				     "api.gpt4all.io/v1/ingest/chat",
				     "set isActive=false under [network] while GPT4All is closed "
				     "(or leave the Datalake in its settings)");
	/*
	 * The device id leaves the machine even when both switches are off: in the opt_out
	 * event GPT4All sends at the first start of each new version. No setting stops it,
	 * so it is a WARN with a network-level fix; its value is not printed (an identifier).
	 */
	if (!err && audit_ini_get(text, len, "network", "uniqueId", &v, &vl, &line) && vl)
		err = add(
			r, AUDIT_WARN, "telemetry-gpt4all", "gpt4all", "[network] uniqueId",
			audit_fmt(r,
				  "%s:%u: uniqueId is set (a device id, not shown): GPT4All "
				  "sends it to Mixpanel in an opt_out event at the first start of "
				  "each new version, even with usage statistics off",
				  h->path, line),
			"block api.mixpanel.com where GPT4All runs (no setting turns this "
			"event off)",
			SRC_GPT4ALL);
	free(text);
	g->err = err;
	return err;
}

int check_telemetry_gpt4all(const struct audit_ctx *c, struct audit_report *r)
{
	struct gpt4all_run g = { .c = c, .r = r };

	audit_stores_each(c, AUDIT_STORE_SETTINGS, "gpt4all", gpt4all_ini, &g);
	if (g.err)
		return g.err;
	if (!g.seen)
		return add(
			r, AUDIT_SKIP, "telemetry-gpt4all", "gpt4all", "GPT4All.ini",
			tool_has_stores(c, "gpt4all") ?
				"GPT4All's data is here but no ~/.config/nomic.ai/GPT4All.ini: "
				"it has not been started (it asks about telemetry at first start)" :
				"not installed (no ~/.config/nomic.ai/GPT4All.ini in the homes "
				"audited)",
			NULL, NULL);
	return 0;
}

/* ======================================================================================
 * Ollama
 */

/*
 * How envconfig.Bool reads OLLAMA_NO_CLOUD: unset or empty is false, Go's ParseBool
 * decides the rest, and a value it cannot parse counts as true.
 */
static bool ollama_bool(const char *v)
{
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	if (!v[0])
		return false;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(v, no[i]))
			return false;
	return true;
}

/* server.json's disable_ollama_cloud: 1 true, 0 false or absent, -1 unreadable. */
static int ollama_server_json(const struct audit_ctx *c, const char *home, char *where,
			      size_t wsize)
{
	char path[4096], *text;
	const cJSON *v;
	cJSON *doc;
	size_t len;
	int ret = 0;

	if (snprintf(path, sizeof(path), "%s/.ollama/server.json", home) >= (int)sizeof(path) ||
	    audit_read_file(c, path, SETTINGS_MAX, &text, &len))
		return 0;
	doc = cJSON_ParseWithLength(text, len);
	if (!doc) {
		snprintf(where, wsize, "%s: not valid JSON", path);
		ret = -1;
	} else {
		v = cJSON_GetObjectItemCaseSensitive(doc, "disable_ollama_cloud");
		if (cJSON_IsBool(v)) {
			const char *at = strstr(text, "\"disable_ollama_cloud\"");

			snprintf(where, wsize, "%s:%u: \"disable_ollama_cloud\": %s", path,
				 at ? audit_line_of(text, len, (size_t)(at - text)) : 1,
				 cJSON_IsTrue(v) ? "true" : "false");
			ret = cJSON_IsTrue(v);
		}
		cJSON_Delete(doc);
	}
	free(text);
	return ret;
}

int check_telemetry_ollama(const struct audit_ctx *c, struct audit_report *r)
{
	static const char *const names[] = { "OLLAMA_NO_CLOUD" };
	const char *env_on = NULL, *env_off = NULL;
	struct env_hits e;
	bool any = false;
	int err = 0;

	env_find(c, "ollama", names, 1, &e);
	for (size_t i = 0; i < e.n; i++) {
		const char *s = audit_fmt(r, "%s: OLLAMA_NO_CLOUD=%s", e.h[i].where, e.h[i].value);

		if (ollama_bool(e.h[i].value))
			env_on = env_on ?: s;
		else
			env_off = env_off ?: s;
	}
	/* The environment applies to every install it reaches: one finding for it. */
	if (env_on) {
		any = true;
		err = add(r, AUDIT_PASS, "telemetry-ollama", "ollama", "OLLAMA_NO_CLOUD",
			  audit_fmt(r, "%s: Ollama cloud disabled (no recommendations poll)",
				    env_on),
			  NULL, SRC_OLLAMA);
	}
	for (size_t h = 0; h < c->n_homes && !err && !env_on; h++) {
		const char *home = c->homes[h].path;
		char dir[4096], key[4200], where[4200] = "";
		bool is_dir;
		int js;

		if (snprintf(dir, sizeof(dir), "%s/.ollama", home) >= (int)sizeof(dir) ||
		    !audit_exists(c, dir, &is_dir) || !is_dir)
			continue;
		any = true;
		js = ollama_server_json(c, home, where, sizeof(where));
		snprintf(key, sizeof(key), "%s/id_ed25519", dir);
		if (js == 1)
			err = add(r, AUDIT_PASS, "telemetry-ollama", "ollama",
				  "disable_ollama_cloud",
				  audit_fmt(r, "%s: Ollama cloud disabled", where), NULL,
				  SRC_OLLAMA);
		else if (audit_exists(c, key, NULL))
			err = add(
				r, AUDIT_WARN, "telemetry-ollama", "ollama", key,
				audit_fmt(r,
					  "%s exists and Ollama cloud is not disabled (%s%s%s): "
					  "since v0.33 the server polls ollama.com for model "
					  "recommendations every 4 h, signed with this "
					  "per-install key",
					  key,
					  env_off ? env_off :
						    "no OLLAMA_NO_CLOUD in its units or processes",
					  where[0] ? "; " : "",
					  where[0] ? where :
						     "; no disable_ollama_cloud in server.json"),
				"set OLLAMA_NO_CLOUD=1 in the service's environment (systemctl "
				"edit ollama: Environment=\"OLLAMA_NO_CLOUD=1\"), or "
				"{\"disable_ollama_cloud\": true} in ~/.ollama/server.json of the "
				"account that runs it",
				SRC_OLLAMA);
		else
			err = add(r, AUDIT_PASS, "telemetry-ollama", "ollama", dir,
				  audit_fmt(r,
					    "%s: no id_ed25519: no per-install identifier signs "
					    "requests to ollama.com (cloud is not disabled%s%s)",
					    dir, where[0] ? ": " : "", where),
				  NULL, SRC_OLLAMA);
	}
	if (!err && !any)
		err = add(r, AUDIT_SKIP, "telemetry-ollama", "ollama", "~/.ollama",
			  "not installed (no ~/.ollama in the homes audited, no OLLAMA_NO_CLOUD "
			  "in a unit or process)",
			  NULL, NULL);
	if (!err)
		err = unread_report(c, r, "telemetry-ollama", "ollama", NULL);
	env_free(&e);
	return err;
}

/* ======================================================================================
 * vLLM
 */

struct vllm_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	const char *install; /* where vLLM was found, for the evidence */
	bool home_install[64];
};

static int vllm_python(void *arg, const struct tool_python_hit *h)
{
	struct vllm_run *v = arg;

	if (!v->install)
		v->install = audit_fmt(v->r, "%s", h->dist_info);
	if (h->home) {
		size_t i = (size_t)(h->home - v->c->homes);

		if (i < sizeof(v->home_install) / sizeof(v->home_install[0]))
			v->home_install[i] = true;
	}
	return 0;
}

static int vllm_proc(void *arg, const struct audit_proc *p)
{
	struct vllm_run *v = arg;

	if (strcmp(p->tool, "vllm") != 0)
		return 0;
	v->install = audit_fmt(v->r, "pid %u (%s)", p->pid, p->comm);
	return 1;
}

/* A home's vLLM config root: $VLLM_CONFIG_ROOT when set (absolute or ~/), else ~/.config/vllm. */
static void vllm_config_root(const struct audit_ctx *c, const struct env_hits *roots,
			     const char *home, char *out, size_t size)
{
	for (size_t i = 0; i < roots->n; i++) {
		const char *v = roots->h[i].value;

		/* vLLM expands "~" (os.path.expanduser): the home of whoever runs it. */
		if (v[0] == '~' && v[1] == '/' &&
		    snprintf(out, size, "%s%s", home, v + 1) < (int)size)
			return;
		if (v[0] == '/' && !audit_path(c, out, size, "%s", v))
			return;
	}
	snprintf(out, size, "%s/.config/vllm", home);
}

int check_telemetry_vllm(const struct audit_ctx *c, struct audit_report *r)
{
	static const char *const names[] = { "VLLM_NO_USAGE_STATS", "VLLM_DO_NOT_TRACK",
					     "DO_NOT_TRACK" };
	static const char *const root_name[] = { "VLLM_CONFIG_ROOT" };
	struct vllm_run v = { .c = c, .r = r };
	struct env_hits e, roots;
	bool opted_out = false, judged = false;
	size_t unread;
	int err;

	env_find(c, "vllm", names, 3, &e);
	env_find(c, "vllm", root_name, 1, &roots);
	err = unread_report(c, r, "telemetry-vllm", "vllm", &unread);
	tool_python_each(c, "vllm", vllm_python, &v);
	if (!v.install && c->live)
		audit_procs_each(c, vllm_proc, &v, NULL);
	if (!v.install && (env_tool_seen(&e, "vllm") || env_tool_seen(&roots, "vllm")))
		v.install = "a vLLM unit or process";
	if (!v.install && unread)
		v.install = "a vLLM unit";

	/* Each place an opt-out variable is set: vLLM takes only "1". */
	for (size_t i = 0; i < e.n && !err; i++) {
		const struct env_hit *h = &e.h[i];
		bool one = !strcmp(h->value, "1");

		opted_out |= one;
		err = add(r, one ? AUDIT_PASS : AUDIT_WARN, "telemetry-vllm", "vllm", h->name,
			  audit_fmt(r, "%s: %s=%s%s", h->where, h->name, h->value,
				    one ? ": usage stats off" :
					  ": vLLM opts out only when the value is exactly \"1\""),
			  audit_fmt(r, "set %s=1", h->name), SRC_VLLM);
	}
	if (e.n)
		v.install = v.install ?: "a unit or process setting its opt-out";
	for (size_t h = 0; h < c->n_homes && !err; h++) {
		char root[4096], dnt[4200], stats[4200];
		bool is_dir, here;

		vllm_config_root(c, &roots, c->homes[h].path, root, sizeof(root));
		snprintf(dnt, sizeof(dnt), "%s/do_not_track", root);
		snprintf(stats, sizeof(stats), "%s/usage_stats.json", root);
		here = (audit_exists(c, root, &is_dir) && is_dir) ||
		       (h < sizeof(v.home_install) / sizeof(v.home_install[0]) &&
			v.home_install[h]);
		if (!here)
			continue;
		v.install = v.install ?: audit_fmt(r, "%s", root);
		if (audit_exists(c, stats, NULL))
			err = add(r, AUDIT_WARN, "telemetry-vllm", "vllm", stats,
				  audit_fmt(r,
					    "%s exists: vLLM keeps a copy of the usage report it "
					    "sent to stats.vllm.ai there, so stats were sent from "
					    "this account",
					    stats),
				  "opt out (below) and delete the file", SRC_VLLM);
		if (err || opted_out)
			continue;
		judged = true;
		if (audit_exists(c, dnt, NULL))
			err = add(r, AUDIT_PASS, "telemetry-vllm", "vllm", dnt,
				  audit_fmt(r, "%s exists: usage stats off", dnt), NULL, SRC_VLLM);
		else
			err = add(
				r, AUDIT_FAIL, "telemetry-vllm", "vllm", dnt,
				audit_fmt(r,
					  "vLLM is used here (%s) and neither %s nor "
					  "VLLM_NO_USAGE_STATS=1 / DO_NOT_TRACK=1 in its units or "
					  "processes: usage stats (hardware, model, a uuid "
					  "heartbeat every 600 s) go to stats.vllm.ai, on by "
					  "default",
					  root, dnt),
				audit_fmt(r,
					  "touch %s, or set VLLM_NO_USAGE_STATS=1 where vLLM "
					  "is started",
					  dnt),
				SRC_VLLM);
	}
	if (!err && !opted_out && !judged && v.install)
		err = add(
			r, AUDIT_FAIL, "telemetry-vllm", "vllm", "usage stats",
			audit_fmt(r,
				  "vLLM is installed (%s) and no opt-out was found (no "
				  "VLLM_NO_USAGE_STATS=1, VLLM_DO_NOT_TRACK=1 or DO_NOT_TRACK=1 in "
				  "its units or processes, no do_not_track in the homes' "
				  "~/.config/vllm): usage stats go to stats.vllm.ai, on by default",
				  v.install),
			"set VLLM_NO_USAGE_STATS=1 where vLLM is started, or create "
			"~/.config/vllm/do_not_track for each account that runs it",
			SRC_VLLM);
	if (!err && !v.install)
		err = add(r, AUDIT_SKIP, "telemetry-vllm", "vllm", "vLLM",
			  "not installed (no vllm package in the usual site-packages, no "
			  "~/.config/vllm, no vLLM unit or process)",
			  NULL, NULL);
	env_free(&e);
	env_free(&roots);
	return err;
}

/* ======================================================================================
 * Open WebUI and AnythingLLM: environment variables, in units, processes and .env files
 */

/* Where Open WebUI's image keeps its code: the image's defaults then apply. */
#define OWUI_IMAGE_CODE "/app/backend/open_webui"

static int owui_python(void *arg, const struct tool_python_hit *h)
{
	(void)h;
	*(bool *)arg = true;
	return 1;
}

static int owui_proc(void *arg, const struct audit_proc *p)
{
	if (strcmp(p->tool, "open-webui") != 0)
		return 0;
	*(bool *)arg = true;
	return 1;
}

/*
 * The places one variable is set for a tool: its units' and processes' environments, then
 * its .env files (the stores table's settings rows). Up to max into out; *present when the tool
 * showed itself (a unit, a process, a .env file).
 */
static size_t settings_of(const struct audit_ctx *c, struct audit_report *r, const char *tool,
			  const char *name, struct found_setting *out, size_t max, bool *present)
{
	struct env_hits e;
	size_t k = 0;

	env_find(c, tool, &name, 1, &e);
	for (size_t i = 0; i < e.n && k < max; i++) {
		out[k++] = (struct found_setting){ .where = audit_fmt(r, "%s", e.h[i].where),
						   .value = audit_fmt(r, "%s", e.h[i].value) };
		*present |= e.h[i].tool != NULL;
	}
	env_free(&e);
	return k + dotenv_find(c, r, tool, name, out + k, max - k, present);
}

int check_telemetry_openwebui(const struct audit_ctx *c, struct audit_report *r)
{
	struct found_setting tel[16], upd[16], off[16];
	char code[4096];
	bool present = false, image = false, is_dir;
	size_t nt, nu, no;
	int err = 0;

	if (!audit_path(c, code, sizeof(code), OWUI_IMAGE_CODE))
		image = audit_exists(c, code, &is_dir) && is_dir;
	present = image;
	tool_python_each(c, "open_webui", owui_python, &present);
	if (!present && c->live)
		audit_procs_each(c, owui_proc, &present, NULL);
	nt = settings_of(c, r, "open-webui", "ANONYMIZED_TELEMETRY", tel, 16, &present);
	nu = settings_of(c, r, "open-webui", "ENABLE_VERSION_UPDATE_CHECK", upd, 16, &present);
	no = settings_of(c, r, "open-webui", "OFFLINE_MODE", off, 16, &present);
	if (!present)
		return add(r, AUDIT_SKIP, "telemetry-openwebui", "open-webui", "Open WebUI",
			   "not installed (no open_webui package, no /app/backend/open_webui, no "
			   "Open WebUI unit, process or .env)",
			   NULL, NULL);
	err = unread_report(c, r, "telemetry-openwebui", "open-webui", NULL);

	/* Chroma's anonymized telemetry: each place it is set, else the image's default. */
	for (size_t i = 0; i < nt && !err; i++) {
		bool on = !audit_value_false(tel[i].value, strlen(tel[i].value));

		err = add(r, on ? AUDIT_FAIL : AUDIT_PASS, "telemetry-openwebui", "open-webui",
			  "ANONYMIZED_TELEMETRY",
			  audit_fmt(r, "%s: ANONYMIZED_TELEMETRY=%s", tel[i].where, tel[i].value),
			  "set ANONYMIZED_TELEMETRY=false", SRC_OWUI_TELEMETRY);
	}
	if (!nt && !err)
		err = add(
			r, image ? AUDIT_PASS : AUDIT_WARN, "telemetry-openwebui", "open-webui",
			"ANONYMIZED_TELEMETRY",
			image ? audit_fmt(r,
					  "not overridden; %s is the Open WebUI image, which sets "
					  "ANONYMIZED_TELEMETRY=false",
					  code) :
				"not set in Open WebUI's units, processes or .env: Chroma's "
				"anonymized telemetry is on unless it is false",
			"set ANONYMIZED_TELEMETRY=false in the environment that starts Open WebUI",
			SRC_OWUI_TELEMETRY);

	/* The version check: on unless the value is not "true", or OFFLINE_MODE=true. */
	for (size_t i = 0; i < no && !err; i++)
		if (!strcasecmp(off[i].value, "true")) {
			err = add(r, AUDIT_PASS, "telemetry-openwebui", "open-webui",
				  "ENABLE_VERSION_UPDATE_CHECK",
				  audit_fmt(r, "%s: OFFLINE_MODE=%s: no version check",
					    off[i].where, off[i].value),
				  NULL, SRC_OWUI_UPDATE);
			return err;
		}
	for (size_t i = 0; i < nu && !err; i++) {
		bool on = !strcasecmp(upd[i].value, "true");

		err = add(r, on ? AUDIT_WARN : AUDIT_PASS, "telemetry-openwebui", "open-webui",
			  "ENABLE_VERSION_UPDATE_CHECK",
			  audit_fmt(r, "%s: ENABLE_VERSION_UPDATE_CHECK=%s%s", upd[i].where,
				    upd[i].value,
				    on ? ": Open WebUI asks api.github.com for its latest release" :
					 ""),
			  "set ENABLE_VERSION_UPDATE_CHECK=false (or OFFLINE_MODE=true)",
			  SRC_OWUI_UPDATE);
	}
	if (!nu && !err)
		err = add(r, AUDIT_WARN, "telemetry-openwebui", "open-webui",
			  "ENABLE_VERSION_UPDATE_CHECK",
			  "not set (on by default): Open WebUI asks api.github.com for its latest "
			  "release",
			  "set ENABLE_VERSION_UPDATE_CHECK=false (or OFFLINE_MODE=true) in the "
			  "environment that starts Open WebUI",
			  SRC_OWUI_UPDATE);
	return err;
}

int check_telemetry_anythingllm(const struct audit_ctx *c, struct audit_report *r)
{
	struct found_setting s[16];
	bool present = false;
	size_t n;
	int err = 0;

	n = settings_of(c, r, "anythingllm", "DISABLE_TELEMETRY", s, 16, &present);
	if (!present && !n)
		return add(r, AUDIT_SKIP, "telemetry-anythingllm", "anythingllm", "AnythingLLM",
			   "not installed (no server/.env in the known places, no AnythingLLM "
			   "unit or process)",
			   NULL, NULL);
	err = unread_report(c, r, "telemetry-anythingllm", "anythingllm", NULL);
	for (size_t i = 0; i < n && !err; i++) {
		bool off = !strcmp(s[i].value, "true");

		err = add(r, off ? AUDIT_PASS : AUDIT_FAIL, "telemetry-anythingllm", "anythingllm",
			  "DISABLE_TELEMETRY",
			  audit_fmt(r, "%s: DISABLE_TELEMETRY=%s%s", s[i].where, s[i].value,
				    off ? ": PostHog telemetry off" :
					  ": telemetry stays on: only the exact value \"true\" "
					  "turns it off"),
			  "set DISABLE_TELEMETRY=\"true\"", SRC_ANYTHINGLLM);
	}
	if (!n && !err)
		err = add(r, AUDIT_FAIL, "telemetry-anythingllm", "anythingllm",
			  "DISABLE_TELEMETRY",
			  "not set in AnythingLLM's units, processes or server/.env: PostHog "
			  "telemetry is on by default",
			  "set DISABLE_TELEMETRY=\"true\" in server/.env (or the container's "
			  "environment)",
			  SRC_ANYTHINGLLM);
	return err;
}

/* ======================================================================================
 * Jan and LM Studio: nothing on disk to read, and said so
 */

int check_telemetry_jan(const struct audit_ctx *c, struct audit_report *r)
{
	if (!tool_has_stores(c, "jan"))
		return add(r, AUDIT_SKIP, "telemetry-jan", "jan", "Jan",
			   "not installed (none of Jan's folders in the homes audited)", NULL,
			   NULL);
	return add(r, AUDIT_SKIP, "telemetry-jan", "jan", "productAnalytic",
		   "Jan's analytics consent (productAnalytic, PostHog; off until accepted at the "
		   "first-start prompt) is kept in the webview's localStorage, not in a file "
		   "llmwatch reads: check Settings > Privacy in Jan",
		   NULL,
		   "jan web-app/src/hooks/useAnalytic.ts @911d7043; AnalyticProvider.tsx "
		   "@c5ea4cb8");
}

int check_telemetry_lmstudio(const struct audit_ctx *c, struct audit_report *r)
{
	if (!tool_has_stores(c, "lm-studio"))
		return add(r, AUDIT_SKIP, "telemetry-lmstudio", "lm-studio", "LM Studio",
			   "not installed (no ~/.lmstudio or ~/.cache/lm-studio in the homes "
			   "audited)",
			   NULL, NULL);
	return add(r, AUDIT_SKIP, "telemetry-lmstudio", "lm-studio", "LM Studio",
		   "no telemetry setting of LM Studio is known on disk (the closed-source "
		   "app's privacy policy reportedly says it has no telemetry [M]; its Electron "
		   "processes run with --enable-crash-reporter [M])",
		   NULL, "research/inference-tools.md section 2 (lmstudio-bug-tracker #120, #358)");
}
