/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The process tree `llmwatch eval` starts: the child that waits until it is watched before
 * it execs the command, and the tree's end. llmwatch is the tree's child subreaper, so a
 * process that daemonises (double fork, setsid) is reparented to llmwatch, not to init: it
 * stays in the tree, its exit is seen, and the tree is gone exactly when llmwatch has no
 * child left.
 */
#ifndef LW_EVAL_TREE_H
#define LW_EVAL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cmd/eval_user.h"
#include "core/profiles.h"

struct eval_child {
	pid_t pid;
	int go_fd;     /* llmwatch writes one byte: exec now */
	int status_fd; /* the child's messages; end of file when its exec succeeded */
};

/*
 * Finds what the command argv[0] names as execvp(3) would (a name without '/' on PATH, as
 * given in path_env; NULL: "/usr/local/bin:/usr/bin:/bin"), into out[size]: a regular
 * file with an execute bit. Returns 0, or -errno (-ENOENT: not found).
 */
int eval_tree_find_command(const char *cmd, const char *path_env, char *out, size_t size);

/*
 * The tool the command path (run with argv) is: the first profile one of whose candidate
 * names is its file name (cut to 15 bytes, as the kernel's comm) and whose executable
 * patterns, if it has any, match its real path; else one whose interpreter and command
 * line patterns match. Returns its id, or 0 (eval then names the tool "eval:NAME").
 */
unsigned int eval_tree_tool(const struct profile_set *set, const char *path, char *const argv[]);

/*
 * Forks the child that will exec path with argv and envp: it resets every signal to its
 * default action and unblocks all, marks every descriptor but 0, 1 and 2 close-on-exec,
 * drops privileges to u, asks the kernel to kill it if llmwatch dies, says it is ready and
 * waits for eval_tree_exec(). Returns 0, or -errno with the reason in err[n].
 */
int eval_tree_fork(struct eval_child *ch, const struct eval_user *u, const char *path,
		   char *const argv[], char *const envp[], char *err, size_t n);

/*
 * Waits until the child is ready (its privileges dropped). Returns 0, or -errno with the
 * reason in err[n] (the child has then exited).
 */
int eval_tree_wait_ready(struct eval_child *ch, char *err, size_t n);

/*
 * Lets the child exec, and waits for the outcome. Returns 0 once the exec succeeded, or
 * -errno with the reason in err[n] (the child has then exited with status 127).
 */
int eval_tree_exec(struct eval_child *ch, char *err, size_t n);

/* Closes the child's pipes (a child still waiting then exits). */
void eval_tree_close(struct eval_child *ch);

/* Makes llmwatch the subreaper of what it starts. Returns 0 or -errno. */
int eval_tree_subreaper(void);

/*
 * The processes below self (its descendants, found in /proc by their parents; those that
 * have ended and wait to be reaped left out) into out[max]. Returns how many there are (more than max: the first max are in out), or
 * -errno if /proc cannot be read.
 */
int eval_tree_list(pid_t self, pid_t *out, size_t max);

/*
 * Sends sig to pid if it is still below self. A pid from eval_tree_list() may have ended
 * since, and its number gone to an unrelated process (a grandchild reaped by its own
 * parent): the process is pinned (pidfd_open), its parents checked, and the signal sent
 * through the pidfd, so no other process is ever signalled. Returns 0, or -errno (-ESRCH:
 * gone, or not below self).
 */
int eval_tree_kill_one(pid_t self, pid_t pid, int sig);

/*
 * Sends sig to every process below self (eval_tree_kill_one), except those in process
 * group skip_pgrp (> 0; 0: none skipped). Returns how many were signalled.
 */
int eval_tree_signal(pid_t self, int sig, pid_t skip_pgrp);

/*
 * Reaps every child that has ended; the root's wait status goes to *root_status and
 * *root_done is set when root is among them. Returns true when no child is left: the tree
 * is gone.
 */
bool eval_tree_reap(pid_t root, int *root_status, bool *root_done);

#endif /* LW_EVAL_TREE_H */
