// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The hygiene checks (check_hygiene.h). A unit or autostart entry belongs to a tool when
 * its name is the tool's profile name, or its command is the tool's executable (the
 * profiles' patterns), the tool's interpreter command line, or a container of the tool's
 * image. What WARNs and what is only listed:
 *  - startup: every tool that starts at boot or login WARNs (the checklist: no start-up
 *    items on air-gapped machines); none PASSes.
 *  - accounts: root, or a login account (uid 1000-65533 with a shell), WARNs; a system
 *    account (uid below 1000, or no login shell) or DynamicUser= PASSes.
 *  - extensions: MCP servers and LM Studio plugins are third-party programs the tool runs
 *    with the user's rights: any WARNs "review", naming them. Jan's extensions folder holds
 *    Jan's own extensions: it is listed in a PASS, so one that was not there stands out.
 *    Open WebUI keeps functions and tools in its SQLite database, not read here: SKIP.
 */
#include "audit/check_hygiene.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_files.h"
#include "audit/audit_homes.h"
#include "audit/audit_settings.h"
#include "audit/audit_stores.h"
#include "audit/which_tool.h"
#include "core/profiles.h"

#define UNIT_MAX (1u << 20)
#define PASSWD_MAX (4u << 20)
#define DIR_ENTRIES_MAX 4096 /* entries looked at in one folder */
#define LIST_MAX 16	     /* names shown in one finding */

#define SRC_SYSTEMD "systemd.unit(5) (.wants/ links of enabled units), systemd.exec(5) User="
#define SRC_XDG "XDG Autostart Specification 0.5 (Exec=, Hidden=)"

static int add(struct audit_report *r, enum audit_status st, const char *check, const char *tool,
	       const char *subject, const char *evidence, const char *fix, const char *source)
{
	return audit_add(r, &(struct audit_finding){
				    .item = AUDIT_ITEM_HYGIENE,
				    .status = st,
				    .check = check,
				    .tool = tool,
				    .subject = subject,
				    .evidence = evidence,
				    .fix = st == AUDIT_PASS || st == AUDIT_SKIP ? NULL : fix,
				    .source = source,
			    });
}

/* The profiles to match with: the audit's, or the built-in ones (a test's bare context). */
static const struct profile_set *profiles_of(const struct audit_ctx *c, struct profile_set **own)
{
	*own = NULL;
	if (c->profiles)
		return c->profiles;
	*own = malloc(sizeof(**own));
	if (*own)
		profiles_init(*own);
	return *own;
}

/* The tool a unit file starts: by its name, else by its ExecStart=. */
static const char *unit_tool(const struct profile_set *set, const char *name, const char *text,
			     size_t len)
{
	const char *tool = audit_name_tool(set, name), *v;
	char cmd[4096];
	unsigned int line;
	size_t vl;

	if (tool || !text)
		return tool;
	if (!audit_ini_get(text, len, "Service", "ExecStart", &v, &vl, &line))
		return NULL;
	snprintf(cmd, sizeof(cmd), "%.*s", (int)vl, v);
	return audit_command_tool(set, cmd);
}

/* ======================================================================================
 * hygiene-startup
 */

/* Which manager's units a scan is of: the system's, /etc/systemd/user's, a home's. */
enum unit_kind {
	KIND_SYSTEM,
	KIND_EVERY_USER,
	KIND_HOME
};

/* A unit of one manager, with one thing known of it. */
struct unit_note {
	char name[256];
	enum unit_kind kind;
	uint32_t uid;	  /* KIND_HOME: the home's owner; else 0 */
	const char *what; /* the tool it starts, or the fix a finding gave it */
};

struct unit_notes {
	struct unit_note *v;
	size_t n, cap;
};

/* The note of the unit name of that manager (with that what, unless NULL), or NULL. */
static const struct unit_note *notes_find(const struct unit_notes *l, const char *name,
					  enum unit_kind kind, uint32_t uid, const char *what)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == kind && l->v[i].uid == uid && strcmp(l->v[i].name, name) == 0 &&
		    (!what || strcmp(l->v[i].what, what) == 0))
			return &l->v[i];
	return NULL;
}

static int notes_add(struct unit_notes *l, const char *name, enum unit_kind kind, uint32_t uid,
		     const char *what)
{
	struct unit_note *t;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		t = realloc(l->v, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		l->v = t;
		l->cap = cap;
	}
	t = &l->v[l->n++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->kind = kind;
	t->uid = uid;
	t->what = what;
	return 0;
}

struct startup_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	const struct profile_set *set;
	struct unit_notes units; /* the tools' units as audit_units_each() read them */
	struct unit_notes said;	 /* the enabled units said, with their fix: once each */
	size_t found;
	int err;
};

static int unit_tool_add(void *arg, const struct audit_unit *u)
{
	struct startup_run *s = arg;

	return notes_add(&s->units, u->name,
			 u->system     ? KIND_SYSTEM :
			 u->every_user ? KIND_EVERY_USER :
					 KIND_HOME,
			 u->system || u->every_user ? 0 : u->uid, u->tool);
}

/* The units enabled in dir's *.wants/ and *.requires/ folders (system: user NULL; user
 * units: the home's). */
static void wants_scan(struct startup_run *s, const char *dir, enum unit_kind kind, uint32_t uid,
		       const char *scope, const char *disable)
{
	struct dirent *de, *we;
	unsigned int seen = 0;
	DIR *d = audit_opendir(s->c, dir), *w;

	if (!d)
		return;
	while (!s->err && (de = readdir(d)) && seen++ < DIR_ENTRIES_MAX) {
		size_t nl = strlen(de->d_name);
		char wants[4096];

		/* WantedBy= links go in NAME.wants/, RequiredBy= ones in NAME.requires/ */
		if (!((nl > 6 && strcmp(de->d_name + nl - 6, ".wants") == 0) ||
		      (nl > 9 && strcmp(de->d_name + nl - 9, ".requires") == 0)) ||
		    snprintf(wants, sizeof(wants), "%s/%s", dir, de->d_name) >= (int)sizeof(wants))
			continue;
		w = audit_opendir(s->c, wants);
		if (!w) {
			if (errno == EACCES && ++s->found)
				s->err = add(
					s->r, AUDIT_SKIP, "hygiene-startup", NULL,
					audit_fmt(s->r, "%s", de->d_name),
					audit_fmt(s->r,
						  "%s not read (%s): the units it enables at %s "
						  "are not known",
						  wants, strerror(errno), scope),
					NULL, SRC_SYSTEMD);
			continue;
		}
		for (unsigned int k = 0; !s->err && (we = readdir(w)) && k < DIR_ENTRIES_MAX; k++) {
			char unit[4200], *text = NULL;
			const struct unit_note *note;
			const char *tool;
			size_t len = 0;
			int rerr;

			if (we->d_name[0] == '.' || snprintf(unit, sizeof(unit), "%s/%s", wants,
							     we->d_name) >= (int)sizeof(unit))
				continue;
			/* The link leads (inside the root) to the unit file. */
			rerr = audit_read_file(s->c, unit, UNIT_MAX, &text, &len);
			/* the unit as systemd reads it first (an ExecStart= in a drop-in), then
			 * the link's target itself (a unit linked in from elsewhere) */
			note = notes_find(&s->units, we->d_name, kind, uid, NULL);
			tool = note ? note->what : NULL;
			if (!tool)
				tool = unit_tool(s->set, we->d_name, text, len);
			free(text);
			if (!tool && (rerr == -EACCES || rerr == -EFBIG)) {
				/* what it starts cannot be told: said, not passed over */
				s->found++;
				s->err = add(
					s->r, AUDIT_SKIP, "hygiene-startup", NULL,
					audit_fmt(s->r, "%s", we->d_name),
					audit_fmt(s->r,
						  "%s not read (%s): whether %s starts a tool at "
						  "%s is not known",
						  unit,
						  rerr == -EFBIG ? "larger than the audit reads" :
								   strerror(-rerr),
						  we->d_name, scope),
					NULL, SRC_SYSTEMD);
				continue;
			}
			/* once per unit and fix: a unit enabled in two targets (or seen through
			 * /lib and /usr/lib) once, one enabled both by a package and by systemctl
			 * enable twice, each with the fix for its links */
			if (!tool || notes_find(&s->said, we->d_name, kind, uid, disable))
				continue;
			/* out of memory: said again later rather than not at all */
			(void)notes_add(&s->said, we->d_name, kind, uid, disable);
			s->found++;
			s->err = add(s->r, AUDIT_WARN, "hygiene-startup", tool,
				     audit_fmt(s->r, "%s", we->d_name),
				     audit_fmt(s->r, "%s: %s starts %s at %s", unit, we->d_name,
					       tool, scope),
				     audit_fmt(s->r, "%s %.*s", disable,
					       (int)strcspn(we->d_name, "\n"), we->d_name),
				     SRC_SYSTEMD);
		}
		closedir(w);
	}
	closedir(d);
}

/* The XDG autostart entries in dir that start a tool (and are not hidden or disabled). */
static void autostart_scan(struct startup_run *s, const char *dir, const char *scope)
{
	unsigned int seen = 0;
	struct dirent *de;
	DIR *d = audit_opendir(s->c, dir);

	if (!d)
		return;
	while (!s->err && (de = readdir(d)) && seen++ < DIR_ENTRIES_MAX) {
		size_t nl = strlen(de->d_name), len, vl;
		char path[4096], cmd[4096], *text;
		const char *tool, *v;
		unsigned int line, eline = 0;

		if (nl < 9 || strcmp(de->d_name + nl - 8, ".desktop") != 0 ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    audit_read_file(s->c, path, UNIT_MAX, &text, &len))
			continue;
		tool = NULL;
		if (audit_ini_get(text, len, "Desktop Entry", "Exec", &v, &vl, &eline)) {
			snprintf(cmd, sizeof(cmd), "%.*s", (int)vl, v);
			tool = audit_command_tool(s->set, cmd);
		}
		tool = tool ?: audit_name_tool(s->set, de->d_name);
		if (tool && ((audit_ini_get(text, len, "Desktop Entry", "Hidden", &v, &vl, &line) &&
			      audit_value_true(v, vl)) ||
			     (audit_ini_get(text, len, "Desktop Entry", "X-GNOME-Autostart-enabled",
					    &v, &vl, &line) &&
			      audit_value_false(v, vl))))
			tool = NULL; /* there, but switched off */
		if (tool) {
			s->found++;
			s->err = add(s->r, AUDIT_WARN, "hygiene-startup", tool,
				     audit_fmt(s->r, "%s", de->d_name),
				     audit_fmt(s->r, "%s:%u: starts %s at %s", path,
					       eline ? eline : 1, tool, scope),
				     audit_fmt(s->r,
					       "remove %s, or turn off start at login in the "
					       "tool's settings",
					       path),
				     SRC_XDG);
		}
		free(text);
	}
	closedir(d);
}

int check_hygiene_startup(const struct audit_ctx *c, struct audit_report *r)
{
	static const char *const vendor_dirs[] = { "/usr/local/lib/systemd/system",
						   "/usr/lib/systemd/system",
						   "/lib/systemd/system" };
	struct profile_set *own;
	struct startup_run s = { .c = c, .r = r, .set = profiles_of(c, &own) };
	struct audit_ctx uc = *c;
	char path[4096];

	uc.profiles = s.set;
	if (s.set)
		s.err = audit_units_each(&uc, unit_tool_add, &s);
	/* systemctl enable's links, enable --runtime's, then the ones packages ship (static:
	 * only masking stops them) */
	if (!audit_path(c, path, sizeof(path), "/etc/systemd/system"))
		wants_scan(&s, path, KIND_SYSTEM, 0, "boot", "systemctl disable");
	if (!audit_path(c, path, sizeof(path), "/run/systemd/system"))
		wants_scan(&s, path, KIND_SYSTEM, 0, "boot (a --runtime link, until the next)",
			   "systemctl disable --runtime");
	for (size_t i = 0; i < sizeof(vendor_dirs) / sizeof(vendor_dirs[0]); i++)
		if (!audit_path(c, path, sizeof(path), "%s", vendor_dirs[i]))
			wants_scan(&s, path, KIND_SYSTEM, 0, "boot", "systemctl mask");
	if (!audit_path(c, path, sizeof(path), "/etc/systemd/user"))
		wants_scan(&s, path, KIND_EVERY_USER, 0, "every user's login",
			   "systemctl --global disable");
	if (!audit_path(c, path, sizeof(path), "/etc/xdg/autostart"))
		autostart_scan(&s, path, "every desktop login");
	for (size_t h = 0; h < c->n_homes; h++) {
		const char *home = c->homes[h].path;

		if (snprintf(path, sizeof(path), "%s/.config/systemd/user", home) <
		    (int)sizeof(path))
			wants_scan(&s, path, KIND_HOME, c->homes[h].uid, "this user's login",
				   "systemctl --user disable");
		if (snprintf(path, sizeof(path), "%s/.config/autostart", home) < (int)sizeof(path))
			autostart_scan(&s, path, "this user's desktop login");
	}
	free(s.units.v);
	free(s.said.v);
	free(own);
	if (!s.err && !s.found)
		s.err = add(r, AUDIT_PASS, "hygiene-startup", NULL, "start-up items",
			    "no enabled systemd unit (system or user) and no XDG autostart entry "
			    "starts an inference tool",
			    NULL, SRC_SYSTEMD "; " SRC_XDG);
	return s.err;
}

/* ======================================================================================
 * hygiene-updates
 */

static int store_seen(void *arg, const struct audit_store_hit *h)
{
	(void)h;
	*(bool *)arg = true;
	return 1;
}

/* Whether any of tool's stores of these kinds exists. */
static bool has_store(const struct audit_ctx *c, const char *tool, unsigned int kinds)
{
	bool seen = false;

	for (int k = 0; k < AUDIT_STORE_KINDS && !seen; k++)
		if (kinds & (1u << k))
			audit_stores_each(c, (enum audit_store_kind)k, tool, store_seen, &seen);
	return seen;
}

/* A file or folder under some home. */
static bool in_a_home(const struct audit_ctx *c, const char *rel)
{
	char path[4096];

	for (size_t h = 0; h < c->n_homes; h++)
		if (snprintf(path, sizeof(path), "%s/%s", c->homes[h].path, rel) <
			    (int)sizeof(path) &&
		    audit_exists(c, path, NULL))
			return true;
	return false;
}

int check_hygiene_updates(const struct audit_ctx *c, struct audit_report *r)
{
	const unsigned int all = (1u << AUDIT_STORE_KINDS) - 1;
	bool any = false, ollama = false, gpt4all, jan, lms;
	char path[4096];
	int err = 0;

	if (!audit_path(c, path, sizeof(path), "/usr/local/bin/ollama"))
		ollama = audit_exists(c, path, NULL);
	ollama |= in_a_home(c, ".ollama");
	/* The desktop app (its installer's maintenancetool, its settings), not the bindings. */
	gpt4all = in_a_home(c, "gpt4all/maintenancetool") ||
		  has_store(c, "gpt4all", 1u << AUDIT_STORE_SETTINGS);
	jan = has_store(c, "jan", all);
	lms = has_store(c, "lm-studio", all);
	if (ollama) {
		any = true;
		err = add(r, AUDIT_PASS, "hygiene-updates", "ollama", "Ollama",
			  "no automatic update on Linux: Ollama's updater is built for Windows and "
			  "macOS only; an upgrade is a new run of install.sh",
			  NULL,
			  "ollama app/updater/updater.go L1, L33 (build tag windows || darwin); "
			  "scripts/install.sh L171-183");
	}
	if (!err && gpt4all) {
		any = true;
		err = add(r, AUDIT_WARN, "hygiene-updates", "gpt4all", "GPT4All",
			  "GPT4All fetches http://gpt4all.io/meta/release.json and latestnews.md "
			  "over plain HTTP, and its maintenancetool installs updates from "
			  "gpt4all.io/installer_repos; no setting turns the fetches off",
			  "on an air-gapped or controlled machine block gpt4all.io, and update by "
			  "hand from a verified installer",
			  "gpt4all src/download.cpp L161, L173; CMakeLists.txt L611 (installer "
			  "repository)");
	}
	if (!err && jan) {
		any = true;
		err = add(
			r, AUDIT_SKIP, "hygiene-updates", "jan", "Jan",
			"Jan's updater asks apps.jan.ai/update-check and "
			"github.com/janhq/jan/releases/latest/download/latest.json; no setting "
			"for it is known on disk, so whether it is on is not checked (block those "
			"hosts on an air-gapped machine)",
			NULL, "jan src-tauri/tauri.conf.json (updater endpoints)");
	}
	if (!err && lms) {
		any = true;
		err = add(r, AUDIT_SKIP, "hygiene-updates", "lm-studio", "LM Studio",
			  "no update setting of LM Studio is known on disk; its runtime and "
			  "daemon update through lms runtime update and lms daemon update",
			  NULL, "lmstudio.ai docs (lms runtime update, lms daemon update)");
	}
	if (!err && !any)
		err = add(r, AUDIT_SKIP, "hygiene-updates", NULL, "updates",
			  "no Ollama, GPT4All, Jan or LM Studio install found to check", NULL,
			  NULL);
	return err;
}

/* ======================================================================================
 * hygiene-accounts
 */

struct pw_entry {
	char name[64];
	uint32_t uid;
	bool login_shell;
};

struct passwd_db {
	struct pw_entry *e;
	size_t n, cap;
	char path[4096];
};

static void take_account(void *arg, const struct audit_passwd_entry *e)
{
	struct passwd_db *db = arg;
	size_t sl = strlen(e->shell);
	struct pw_entry pe = { .uid = e->uid };

	if (strlen(e->user) >= sizeof(pe.name) || db->n == db->cap)
		return;
	snprintf(pe.name, sizeof(pe.name), "%s", e->user);
	pe.login_shell = sl && !strstr(e->shell, "nologin") &&
			 !(sl >= 5 && !strcmp(e->shell + sl - 5, "false"));
	db->e[db->n++] = pe;
}

static void passwd_load(const struct audit_ctx *c, struct passwd_db *db)
{
	size_t len, bad;
	char *text;

	memset(db, 0, sizeof(*db));
	if (audit_path(c, db->path, sizeof(db->path), "/etc/passwd") ||
	    audit_read_file(c, db->path, PASSWD_MAX, &text, &len))
		return;
	db->cap = 1;
	for (size_t i = 0; i < len; i++)
		db->cap += text[i] == '\n';
	db->e = calloc(db->cap, sizeof(*db->e));
	if (!db->e)
		db->cap = 0;
	audit_passwd_parse(text, len, take_account, db, &bad);
	free(text);
}

static const struct pw_entry *passwd_by_name(const struct passwd_db *db, const char *name)
{
	for (size_t i = 0; i < db->n; i++)
		if (!strcmp(db->e[i].name, name))
			return &db->e[i];
	return NULL;
}

static const struct pw_entry *passwd_by_uid(const struct passwd_db *db, uint32_t uid)
{
	for (size_t i = 0; i < db->n; i++)
		if (db->e[i].uid == uid)
			return &db->e[i];
	return NULL;
}

/*
 * The judgement of an account: PASS for a system account (uid 1..999, or no login shell),
 * WARN for root and for a login account. *what describes it.
 */
static enum audit_status account_status(struct audit_report *r, const struct pw_entry *pe,
					uint32_t uid, const char **what)
{
	if (uid == 0) {
		*what = "root";
		return AUDIT_WARN;
	}
	if (!pe) {
		*what = audit_fmt(r, "uid %u, not in /etc/passwd", uid);
		return AUDIT_WARN;
	}
	if (uid < 1000 || !pe->login_shell) {
		*what = audit_fmt(r, "the system account %s (uid %u, no login)", pe->name, uid);
		return AUDIT_PASS;
	}
	*what = audit_fmt(r, "the login account %s (uid %u)", pe->name, uid);
	return AUDIT_WARN;
}

#define ACCOUNT_FIX                                                                           \
	"run the tool as a dedicated system account with no login and no access to people's " \
	"files (Ollama's install.sh creates `ollama`): User= in its unit"

struct accounts_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	const struct profile_set *set;
	struct passwd_db pw;
	size_t found;
	int err;
};

/* The account a tool's unit runs as (audit_units_each()): one finding per unit. */
static int accounts_unit(void *arg, const struct audit_unit *u)
{
	struct accounts_run *a = arg;
	struct audit_unit_account acct;
	const struct pw_entry *pe;
	const char *what, *subject = audit_fmt(a->r, "%s", u->name);
	enum audit_status st;

	a->found++;
	if (u->unread)
		/* a User= in what was not read would decide: no judgement on the rest */
		return add(a->r, AUDIT_SKIP, "hygiene-accounts", u->tool, subject,
			   audit_fmt(a->r, "%s not read (%s): the account %s runs as is not known",
				     u->unread, u->unread_why, u->tool),
			   NULL, SRC_SYSTEMD);
	if (u->every_user)
		return add(
			a->r, AUDIT_WARN, "hygiene-accounts", u->tool, subject,
			audit_fmt(a->r,
				  "%s: a user unit of every user (/etc/systemd/user): %s runs as "
				  "each user whose manager starts it",
				  u->file, u->tool),
			ACCOUNT_FIX, SRC_SYSTEMD);
	if (!u->system) {
		pe = u->user ? passwd_by_name(&a->pw, u->user) : passwd_by_uid(&a->pw, u->uid);
		st = account_status(a->r, pe, pe ? pe->uid : u->uid, &what);
		return add(a->r, st, "hygiene-accounts", u->tool, subject,
			   audit_fmt(a->r, "%s: a user unit: %s runs as %s", u->file, u->tool,
				     what),
			   ACCOUNT_FIX, SRC_SYSTEMD);
	}
	audit_unit_account(u, &acct);
	if (acct.dynamic)
		return add(a->r, AUDIT_PASS, "hygiene-accounts", u->tool, subject,
			   audit_fmt(a->r, "%s: DynamicUser=yes: a transient account of its own",
				     acct.where),
			   NULL, SRC_SYSTEMD);
	if (!acct.user[0])
		return add(a->r, AUDIT_WARN, "hygiene-accounts", u->tool, subject,
			   acct.where[0] ? audit_fmt(a->r, "%s: User= empty: %s runs as root",
						     acct.where, u->tool) :
					   audit_fmt(a->r, "%s: no User=: %s runs as root", u->file,
						     u->tool),
			   ACCOUNT_FIX, SRC_SYSTEMD);
	if (acct.unknown)
		return add(a->r, AUDIT_SKIP, "hygiene-accounts", u->tool, subject,
			   audit_fmt(a->r,
				     "%s: User=%s: a specifier with no value here, the "
				     "account is not known",
				     acct.where, acct.user),
			   NULL, SRC_SYSTEMD);
	pe = passwd_by_name(&a->pw, acct.user);
	if (!pe && strspn(acct.user, "0123456789") == strlen(acct.user))
		pe = passwd_by_uid(&a->pw, (uint32_t)strtoul(acct.user, NULL, 10));
	if (!pe)
		return add(a->r, AUDIT_WARN, "hygiene-accounts", u->tool, subject,
			   audit_fmt(a->r, "%s: User=%s, an account not in %s", acct.where,
				     acct.user, a->pw.path),
			   ACCOUNT_FIX, SRC_SYSTEMD);
	st = account_status(a->r, pe, pe->uid, &what);
	return add(a->r, st, "hygiene-accounts", u->tool, subject,
		   audit_fmt(a->r, "%s: User=%s: %s runs as %s", acct.where, acct.user, u->tool,
			     what),
		   ACCOUNT_FIX, SRC_SYSTEMD);
}

struct proc_seen {
	struct accounts_run *a;
	struct {
		char tool[48];
		uint32_t uid;
	} seen[64];
	size_t n;
};

/* A running tool's account; one finding per (tool, uid), not per Electron child. */
static int accounts_proc(void *arg, const struct audit_proc *p)
{
	struct proc_seen *ps = arg;
	struct accounts_run *a = ps->a;
	const char *what;
	enum audit_status st;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->seen[i].uid == p->uid && !strcmp(ps->seen[i].tool, p->tool))
			return 0;
	if (ps->n < sizeof(ps->seen) / sizeof(ps->seen[0])) {
		snprintf(ps->seen[ps->n].tool, sizeof(ps->seen[0].tool), "%s", p->tool);
		ps->seen[ps->n++].uid = p->uid;
	}
	a->found++;
	st = account_status(a->r, passwd_by_uid(&a->pw, p->uid), p->uid, &what);
	a->err = add(a->r, st, "hygiene-accounts", p->tool, audit_fmt(a->r, "pid %u", p->pid),
		     audit_fmt(a->r, "pid %u (%s) runs as %s", p->pid, p->comm, what), ACCOUNT_FIX,
		     "/proc/PID/status Uid:");
	return a->err;
}

int check_hygiene_accounts(const struct audit_ctx *c, struct audit_report *r)
{
	struct profile_set *own;
	struct accounts_run *a = calloc(1, sizeof(*a));
	struct proc_seen *ps;
	struct audit_ctx uc;
	size_t unreadable = 0;
	int err, perr = -ENOTSUP;

	if (!a)
		return -ENOMEM;
	a->c = c;
	a->r = r;
	a->set = profiles_of(c, &own);
	passwd_load(c, &a->pw);
	uc = *c;
	uc.profiles = a->set;
	if (a->set)
		a->err = audit_units_each(&uc, accounts_unit, a);
	ps = calloc(1, sizeof(*ps));
	if (ps && !a->err && c->live) {
		ps->a = a;
		perr = audit_procs_each(c, accounts_proc, ps, &unreadable);
	}
	free(ps);
	/* As root an unreadable process is one that just exited: not worth a line. */
	if (!a->err && unreadable && !c->privileged)
		a->err = add(r, AUDIT_SKIP, "hygiene-accounts", NULL, "processes",
			     audit_fmt(r,
				       "%zu other users' process%s could not be read: a tool among "
				       "them is known only by its name (run as root)",
				       unreadable, unreadable == 1 ? "" : "es"),
			     NULL, NULL);
	if (!a->err && !a->found)
		a->err = add(r, AUDIT_SKIP, "hygiene-accounts", NULL, "accounts",
			     c->live && perr == 0 ?
				     "no inference tool runs and no systemd unit starts one" :
				     "no systemd unit starts an inference tool, and running "
				     "processes are not looked at (not the live system)",
			     NULL, NULL);
	err = a->err;
	free(a->pw.e);
	free(a);
	free(own);
	return err;
}

/* ======================================================================================
 * hygiene-extensions
 */

struct ext_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	size_t found;
	int err;
};

/* The names in a folder (dot files left out), comma-separated, at most LIST_MAX shown. */
static const char *list_dir(struct ext_run *e, const char *path, size_t *count)
{
	const char *list = NULL;
	struct dirent *de;
	unsigned int seen = 0;
	DIR *d = audit_opendir(e->c, path);

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) && seen++ < DIR_ENTRIES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if (++*count <= LIST_MAX)
			list = list ? audit_fmt(e->r, "%s, %s", list, de->d_name) :
				      audit_fmt(e->r, "%s", de->d_name);
	}
	closedir(d);
	if (*count > LIST_MAX)
		list = audit_fmt(e->r, "%s and %zu more", list, *count - LIST_MAX);
	return list;
}

/*
 * The MCP servers of a Claude-style configuration ({"mcpServers": {NAME: {"command",
 * "args", "active"?}}}, which Jan and LM Studio use): "NAME (command args)" each, inactive
 * ones marked. *active counts those not switched off.
 */
static const char *list_mcp(struct ext_run *e, const char *path, size_t *count, size_t *active,
			    const char **bad)
{
	const cJSON *servers, *s;
	const char *list = NULL;
	char *text;
	cJSON *doc;
	size_t len;
	int err;

	*count = *active = 0;
	*bad = NULL;
	err = audit_read_file(e->c, path, UNIT_MAX, &text, &len);
	if (err) {
		*bad = audit_fmt(e->r, "cannot read: %s", strerror(-err));
		return NULL;
	}
	doc = cJSON_ParseWithLength(text, len);
	free(text);
	if (!doc) {
		*bad = "not valid JSON";
		return NULL;
	}
	servers = cJSON_GetObjectItemCaseSensitive(doc, "mcpServers");
	cJSON_ArrayForEach(s, servers)
	{
		const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(s, "command");
		const cJSON *url = cJSON_GetObjectItemCaseSensitive(s, "url");
		const cJSON *on = cJSON_GetObjectItemCaseSensitive(s, "active");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(s, "args"), *x;
		const char *argv = "";
		bool off = cJSON_IsFalse(on);

		if (!s->string)
			continue;
		++*count;
		*active += !off;
		if (*count > LIST_MAX)
			continue;
		cJSON_ArrayForEach(x, args)
		{
			if (cJSON_IsString(x) && strlen(argv) < 200)
				argv = audit_fmt(e->r, "%s %s", argv, x->valuestring);
		}
		{
			const char *one = audit_fmt(e->r, "%s (%s%s)%s", s->string,
						    cJSON_IsString(cmd) ? cmd->valuestring :
						    cJSON_IsString(url) ? url->valuestring :
									  "?",
						    argv, off ? " inactive" : "");

			list = list ? audit_fmt(e->r, "%s, %s", list, one) : one;
		}
	}
	cJSON_Delete(doc);
	if (*count > LIST_MAX)
		list = audit_fmt(e->r, "%s and %zu more", list, *count - LIST_MAX);
	return list;
}

static int ext_store(void *arg, const struct audit_store_hit *h)
{
	struct ext_run *e = arg;
	struct audit_report *r = e->r;
	const struct audit_store *s = h->store;
	const char *list, *bad;
	size_t n, active;

	if (!strcmp(s->tool, "open-webui")) {
		/* Its functions and tools are rows of its SQLite database. */
		e->found++;
		e->err = add(r, AUDIT_SKIP, "hygiene-extensions", s->tool, h->path,
			     audit_fmt(r,
				       "%s: Open WebUI keeps its functions and tools in this "
				       "SQLite database, not read here: review them in Admin "
				       "Panel > Functions and Workspace > Tools",
				       h->path),
			     NULL, s->source);
		return e->err;
	}
	if (!h->is_dir) {
		list = list_mcp(e, h->path, &n, &active, &bad);
		if (bad) {
			e->found++;
			e->err = add(r, AUDIT_WARN, "hygiene-extensions", s->tool, h->path,
				     audit_fmt(r, "%s (%s): %s", h->path, s->what, bad),
				     "review the file by hand", s->source);
		} else if (n) {
			e->found++;
			e->err =
				add(r, active ? AUDIT_WARN : AUDIT_PASS, "hygiene-extensions",
				    s->tool, h->path,
				    audit_fmt(r, "%s (%s): %zu MCP server%s, %zu active: %s",
					      h->path, s->what, n, n == 1 ? "" : "s", active, list),
				    "review each MCP server: it is a program the tool starts with "
				    "your rights; remove those you do not use",
				    s->source);
		}
		return e->err;
	}
	list = list_dir(e, h->path, &n);
	if (!n)
		return 0;
	e->found++;
	/* Jan keeps its own extensions there; LM Studio's plugins folder holds only added ones. */
	if (!strcmp(s->tool, "jan"))
		e->err = add(r, AUDIT_PASS, "hygiene-extensions", s->tool, h->path,
			     audit_fmt(r, "%s (%s): %zu: %s (Jan installs its own here)", h->path,
				       s->what, n, list),
			     NULL, s->source);
	else
		e->err = add(r, AUDIT_WARN, "hygiene-extensions", s->tool, h->path,
			     audit_fmt(r, "%s (%s): %zu: %s", h->path, s->what, n, list),
			     "review each plugin: it is code the tool runs with your rights; "
			     "remove those you do not use",
			     s->source);
	return e->err;
}

int check_hygiene_extensions(const struct audit_ctx *c, struct audit_report *r)
{
	struct ext_run e = { .c = c, .r = r };

	audit_stores_each(c, AUDIT_STORE_EXTENSIONS, NULL, ext_store, &e);
	if (e.err)
		return e.err;
	if (!e.err && !e.found)
		e.err = add(r, AUDIT_PASS, "hygiene-extensions", NULL, "extensions",
			    "no extensions, plugins or MCP servers in the tools' folders (Jan's "
			    "extensions and MCP configuration, LM Studio's plugins and mcp.json)",
			    NULL, NULL);
	return e.err;
}
