/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where a tool's settings are found outside its own files: the environments and command
 * lines of its running processes, and the systemd units (system and user, with their
 * drop-ins and EnvironmentFile=s) that start it. The exposure and telemetry checks ask
 * here for OLLAMA_HOST, VLLM_NO_USAGE_STATS, --host and the like, and cite the place each
 * value came from, so a finding says which file and line (or which process) to change.
 */
#ifndef LW_AUDIT_SETTINGS_H
#define LW_AUDIT_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

/* A running process of an inference tool (only when the audit is live). */
struct audit_proc {
	uint32_t pid;
	uint32_t uid;	     /* real uid */
	const char *comm;    /* untrusted */
	const char *exe;     /* readlink of /proc/PID/exe, "" when unreadable */
	const char *tool;    /* the profile it matches ("ollama"), never NULL */
	const char *cmdline; /* arguments joined by single spaces, cut at 4 KiB; untrusted */
};

/*
 * Calls fn for each running process that a profile names (by executable, by interpreter
 * and command line, or by candidate name when the executable cannot be read), in pid order.
 * *unreadable counts processes whose details could not be read (not root). Returns 0,
 * -ENOTSUP when the audit is not live (a --root image has no processes), or -errno.
 * fn returning non-zero stops the walk, and that value is returned.
 */
typedef int (*audit_proc_fn)(void *arg, const struct audit_proc *p);
int audit_procs_each(const struct audit_ctx *c, audit_proc_fn fn, void *arg, size_t *unreadable);

/* Where a setting was found. */
enum audit_setting_from {
	AUDIT_FROM_PROCESS_ENV,	 /* /proc/PID/environ of a tool's process */
	AUDIT_FROM_PROCESS_ARGV, /* /proc/PID/cmdline of a tool's process */
	AUDIT_FROM_UNIT_ENV,	 /* Environment= in a unit or drop-in */
	AUDIT_FROM_UNIT_ENVFILE, /* a line of an EnvironmentFile= */
	AUDIT_FROM_UNIT_EXEC,	 /* an option of ExecStart= */
};

struct audit_setting {
	const char *name;  /* the variable ("OLLAMA_HOST") or option ("--host") asked for */
	const char *value; /* its value, raw and untrusted ("" for an option with none) */
	enum audit_setting_from from;
	const char *where; /* "/etc/systemd/system/ollama.service.d/override.conf:3",
			    * "pid 812 (ollama) environment", "pid 90 (llama-server) argv" */
	const char *tool;  /* the tool the process or unit belongs to, or NULL */
	uint32_t pid;	   /* for the process kinds, else 0 */
};

typedef int (*audit_setting_fn)(void *arg, const struct audit_setting *s);

/*
 * Every place one of the environment variables names[0..n) is set: tool processes'
 * environments (when live), and Environment= / EnvironmentFile= of the units of the tools
 * (system units in /etc, /run, /usr/lib and /lib systemd/system; user units in each home's
 * ~/.config/systemd/user and /etc/systemd/user; with the *.conf drop-ins of NAME.d/, its
 * template's, its name's dash prefixes' ("llama-.service.d/") and service.d/, later ones
 * winning as systemd has it; systemd's specifiers expanded where their value is known, and
 * an EnvironmentFile= wildcard in its last component). A unit belongs to a tool when its
 * ExecStart= executable matches a profile or its name is a profile's name. Returns 0 or
 * -errno; fn returning non-zero stops the search and is returned.
 */
int audit_env_find(const struct audit_ctx *c, const char *const *names, size_t n,
		   audit_setting_fn fn, void *arg);

/* A file a tool's unit takes settings from that could not be read. */
struct audit_unread {
	const char *where; /* the EnvironmentFile= line ("/etc/systemd/system/ollama.service:7"),
			    * or the unit file, drop-in or drop-in directory unread */
	const char *file;  /* the EnvironmentFile= value as the unit has it ("-%h/ollama.env"),
			    * NULL for the unit's own files; untrusted */
	const char *why;   /* "/etc/ollama.env: Permission denied", "specifier %H is the
			    * host's, not expanded by the audit"; may hold untrusted bytes */
	const char *tool;  /* the unit's tool; NULL when its unit file could not be read and its
			    * name is no tool's (it may start one) */
};

typedef int (*audit_unread_fn)(void *arg, const struct audit_unread *u);

/*
 * Every file of the tools' units (read as audit_env_find() reads them) that could not be
 * read, so that a setting in it is not seen: an EnvironmentFile= not readable, too large, with
 * a specifier that has no value here (the host's name, a bare template's instance) or
 * wildcards in a directory; a unit file, drop-in or drop-in directory not readable or too
 * large, or more drop-ins than are read. A unit whose own file cannot be read is given with
 * its tool when its name is a tool's, else with none. Not said: a missing file (with "-"
 * systemd takes it as empty; without, the service does not start), a relative path or a
 * specifier systemd does not know (systemd ignores the line). Returns 0 or -errno; fn
 * returning non-zero stops the walk and is returned.
 */
int audit_env_unread(const struct audit_ctx *c, audit_unread_fn fn, void *arg);

/* A finding's subject for u: "EnvironmentFile" or "unit". */
const char *audit_unread_subject(const struct audit_unread *u);

/*
 * A finding's evidence for u, in a new string (NULL when out of memory): what was not read,
 * why, and that what (such as "a host setting") in it is not seen.
 */
char *audit_unread_text(const struct audit_unread *u, const char *what);

/* A systemd unit that starts a tool, as audit_units_each() gives it. */
struct audit_unit {
	const char *name;   /* "ollama.service", "llama-server@gpu0.service"; untrusted */
	const char *file;   /* its unit file as opened ("" when it has only drop-ins); untrusted */
	const char *tool;   /* the tool it starts (which_tool.h), never NULL */
	bool system;	    /* the system manager's; else a user manager's */
	bool every_user;    /* a user unit of /etc/systemd/user: every user's manager reads it */
	const char *user;   /* a home's user unit: the home's owner (NULL when not known: uid) */
	uint32_t uid;	    /* a home's user unit: the home's owner's uid */
	const char *unread; /* the first of its files, drop-ins or their folders that could
			     * not be read, or NULL: what it sets is not seen */
	const char *unread_why; /* why ("Permission denied"), "" when all were read */
	const void *impl;
};

typedef int (*audit_unit_fn)(void *arg, const struct audit_unit *u);

/*
 * Every unit that starts a tool, read as audit_env_find() reads them: the system's, then
 * /etc/systemd/user's once, then each home's own user units. Returns 0 or -errno; fn
 * returning non-zero stops the walk and is returned.
 */
int audit_units_each(const struct audit_ctx *c, audit_unit_fn fn, void *arg);

/* The account a unit's service runs as, as systemd.exec(5) has it. */
struct audit_unit_account {
	char user[256];		   /* the last User= (specifiers expanded), "": root */
	bool dynamic;		   /* DynamicUser=yes: a transient account */
	bool unknown;		   /* User= has a specifier with no value here: user as written */
	char where[PATH_MAX + 16]; /* FILE:LINE of the line that decided (an empty User= that
				    * reset it, too), "" when none did */
};

/* u's account: its file's and drop-ins' User= and DynamicUser=, the last of each winning. */
void audit_unit_account(const struct audit_unit *u, struct audit_unit_account *a);

/*
 * Every place one of the command-line options opts[0..n) ("--host", "--bind") is given to a
 * tool, in running processes' argv (when live) and in its units' ExecStart=: "--host X",
 * "--host=X" and, for single-dash options, "-H X". tool, when not NULL, limits the search to
 * that tool's processes and units. Returns as audit_env_find().
 */
int audit_argv_find(const struct audit_ctx *c, const char *tool, const char *const *opts, size_t n,
		    audit_setting_fn fn, void *arg);

#endif /* LW_AUDIT_SETTINGS_H */
