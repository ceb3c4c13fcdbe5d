/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Built-in profiles of the inference tools llmwatch knows, those of a user's profile files
 * (--profiles, read by rules/rules_profiles.c), and the extra process trees a user asks for
 * (--watch NAME, --pid PID). A profile gives the executable names the kernel
 * uses to pick candidates at exec, and the executable paths that confirm a candidate: a
 * name alone is not an identity (GPT4All's binary is called `chat`).
 */
#ifndef LW_PROFILES_H
#define LW_PROFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * At most this many built-in profiles, and at most this many from --profiles files: the rules
 * keep one bit per named tool in a 64-bit mask (rules_cond_proc.c). Adding a built-in profile
 * is one row in profiles.c's table; nothing here counts them.
 */
#define PROFILES_BUILTIN_MAX 32
#define PROFILES_FILE_MAX 32
/* Every entry: the named tools, then --watch, --pid and runtime:KIND entries. */
#define PROFILE_MAX (PROFILES_BUILTIN_MAX + PROFILES_FILE_MAX + 64)

struct profile {
	const char *name;	      /* tool name in output and rules: "ollama" */
	const char *display;	      /* "Ollama" */
	const char *const *comms;     /* candidate names, as the kernel's comm (<= 15 chars) */
	const char *const *exe_globs; /* fnmatch(3) patterns, FNM_PATHNAME off: `*` spans `/` */
	/*
	 * Tools run by an interpreter (python3 -m vllm..., uvicorn open_webui.main:app, node
	 * server/index.js) have the interpreter's name and executable: only the command line
	 * says which tool it is. interpreters: fnmatch(3) patterns over the process's comm
	 * ("python3*", "uvicorn"); only processes so named have their command line read.
	 * argv_globs: fnmatch(3) patterns, FNM_PATHNAME off, over the command line with its
	 * arguments joined by single spaces ("* -m vllm.entrypoints.*"). Both NULL for a
	 * tool recognised by its executable alone.
	 */
	const char *const *interpreters;
	const char *const *argv_globs;
	const char *source; /* where these facts come from */
	/*
	 * Where the entry was defined: "built-in", "FILE:LINE:COL" of a --profiles entry, or
	 * what added it ("--watch"). from_file: a --profiles entry, tried before the built-in
	 * ones (profiles_add_file()); replaced: it took the place of the built-in of its name.
	 */
	const char *origin;
	bool from_file;
	bool replaced;
};

struct profile_set {
	struct profile p[PROFILE_MAX]; /* id = index + 1; id 0 means "no tool" */
	size_t n;
	size_t n_named; /* entries [0, n_named): the built-in and --profiles tools */
	/* storage for names of user-added entries */
	char names[PROFILE_MAX][48];
	char *comm_store[PROFILE_MAX][2];
	char *glob_store[PROFILE_MAX][2];
};

/* How many built-in profiles there are: the tool names that rules may use (docs/rules.md). */
size_t profiles_builtin_count(void);

/* The name of built-in profile i, in table order ("ollama" first), or NULL past the end. */
const char *profiles_builtin_name(size_t i);

/* Fills set with the built-in profiles. */
void profiles_init(struct profile_set *set);

/*
 * Adds p, a profile from a --profiles file (core keeps its pointers: p's strings and lists
 * must outlive set), before any --watch, --pid or runtime entry. A built-in profile of the
 * same name is replaced in place (its id, and so its place in the rules' masks, is kept);
 * otherwise p is appended. Its patterns are tried before the built-in ones, so a user's
 * own path wins over a built-in pattern that also matches it. Returns its id, or -EEXIST
 * (another --profiles entry has that name), -ENOSPC (PROFILES_FILE_MAX reached), -EBUSY
 * (other entries were added already).
 */
int profiles_add_file(struct profile_set *set, const struct profile *p);

/* The named profile (built-in or from a file) called name, or NULL. */
const struct profile *profiles_find(const struct profile_set *set, const char *name);

/*
 * Adds a --watch NAME entry: candidates by that exact name, confirmed by name alone.
 * Returns its id, or -EINVAL (empty name or longer than 15 bytes), -ENOSPC (table full).
 */
int profiles_add_watch(struct profile_set *set, const char *name);

/* Adds a --pid entry named "pid:PID" with no candidate names. Returns its id or -ENOSPC. */
int profiles_add_pid(struct profile_set *set, int pid);

/* The most bytes of a command's name in its eval entry's name ("eval:NAME"). */
#define PROFILE_EVAL_NAME_MAX 40

/*
 * Adds the entry of a command run by `llmwatch eval` that no profile names: "eval:NAME",
 * NAME being cmd's last path component cut to PROFILE_EVAL_NAME_MAX bytes, every byte but
 * letters, digits and ".-_+" made '_'; no candidate names (the tree is tracked by pid).
 * Returns its id, or -EINVAL (no name), -ENOSPC (table full).
 */
int profiles_add_eval(struct profile_set *set, const char *cmd);

/*
 * The entry named "runtime:KIND" (a process recognised by the inference runtime or model it
 * maps, core/runtimescan.h), added with no candidate names the first time. Returns its id,
 * or -EINVAL (KIND empty or too long), -ENOSPC (table full).
 */
int profiles_add_runtime(struct profile_set *set, const char *kind);

/* The profile with this id, or NULL. */
const struct profile *profiles_get(const struct profile_set *set, unsigned int id);

/* The name for id, "" for 0 or an unknown id. */
const char *profiles_name(const struct profile_set *set, unsigned int id);

/*
 * Which profile an executable path belongs to: the first profile, --profiles entries first
 * and then in table order, one of whose exe_globs matches path. Returns its id, or 0 if none does.
 */
unsigned int profiles_match_exe(const struct profile_set *set, const char *path);

/*
 * Which profile a process run by an interpreter belongs to: the first profile, --profiles
 * entries first and then in table order, one of whose interpreters patterns matches comm and one of whose argv_globs
 * matches cmdline (arguments joined by single spaces, procscan_read_cmdline()). Returns its
 * id, or 0 if none does.
 */
unsigned int profiles_match_cmdline(const struct profile_set *set, const char *comm,
				    const char *cmdline);

/* Whether comm is one of any profile's interpreters: only those have their command line read. */
bool profiles_is_interpreter(const struct profile_set *set, const char *comm);

#endif /* LW_PROFILES_H */
