// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch eval [OPTIONS] -- CMD [ARGS...]`: starts CMD as a watched tree (cmd/eval_tree.c:
 * a child tracked by pid before it execs, so the tree is watched from CMD's first
 * instruction), under sudo as the person who asked (cmd/eval_user.c), records everything
 * the tree does into DIR/capture.lwc through the monitor's session (cmd/monitor_session.c)
 * until the tree is gone or a second Ctrl-C, then writes the reports into DIR
 * (cmd/eval_out.c) and prints the text one.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/eval_out.h"
#include "cmd/eval_tree.h"
#include "cmd/eval_user.h"
#include "cmd/monitor_options.h"
#include "cmd/monitor_session.h"
#include "report/report.h"
#include "util/escape.h"
#include "version.h"

extern char **environ;

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch eval [OPTIONS] -- CMD [ARGS...]\n"
		"\n"
		"Runs CMD (any program) as a watched tree and keeps the evidence: everything CMD and\n"
		"every process it starts do (connects, listeners, datagrams, opens, executables) is\n"
		"recorded from CMD's first instruction into DIR/capture.lwc, until the last process of\n"
		"the tree has exited; then DIR/report.txt, report.json and report.html are written\n"
		"(docs/report-format.md) and the text report printed. A process that daemonises (double\n"
		"fork, setsid) is still in the tree: llmwatch is the tree's subreaper, and waits for it\n"
		"too (say so when CMD exits first). Processes CMD asks others to start (systemd-run, a\n"
		"D-Bus service, an already running daemon) are not its descendants and not watched.\n"
		"\n"
		"The tool's name in the events and the report: the profile's, when CMD is a tool\n"
		"llmwatch knows (its name and executable, or an interpreter's command line, as llmwatch\n"
		"profiles list shows), else \"eval:NAME\", NAME being CMD's file name (letters, digits and\n"
		".-_+ kept, anything else made _, at most 40 bytes).\n"
		"\n"
		"Needs root to load its programs. Under sudo, CMD runs as the user who ran sudo\n"
		"(SUDO_UID, SUDO_GID, their groups; HOME, USER and LOGNAME set to theirs), never as\n"
		"root, and cannot become root again; DIR and its files are given to that user. Run as\n"
		"root without sudo, eval refuses unless --as-root. CMD starts with every signal at its\n"
		"default action and none blocked, whatever llmwatch was started with.\n"
		"\n"
		"Options:\n"
		"  --out DIR           write into DIR (default: a new ./llmwatch-eval-YYYYmmdd-HHMMSS,\n"
		"                      local time), created mode 0700; an existing empty directory is\n"
		"                      used, an existing non-empty one refused (never overwritten).\n"
		"                      Files are created mode 0600, never through a link\n"
		"  --offline-report    write only the capture, no reports (make them later, on any\n"
		"                      machine, with llmwatch report DIR/capture.lwc)\n"
		"  --as-root           run CMD as root (under sudo, or as root without sudo)\n"
		"  --rules FILE|DIR, --no-default-rules, --profiles FILE|DIR, --output SPEC, --json,\n"
		"  --fold-window SECS, --loss-alert-interval SECS, --ring-size BYTES, --cgroups WHERE,\n"
		"  --enter-tracepoints, --syscall-hooks HOW, --capture-flush SECS, --verbose\n"
		"                      as for the monitor (llmwatch --help). The events go to no\n"
		"                      output unless --output or --json is given (CMD's own output\n"
		"                      has the terminal); the rules apply to the capture's report\n"
		"  -h, --help          this help\n"
		"\n"
		"Signals: the first SIGINT (Ctrl-C) or SIGTERM is forwarded to every process of the\n"
		"tree (those in eval's process group already got a terminal's Ctrl-C from the terminal),\n"
		"and recording goes on until the tree has exited; a second one stops now: every process\n"
		"of the tree is killed (SIGKILL, by pid, named on stderr), and the reports are written.\n"
		"\n"
		"Exit status: 0 the tree ran to its end and the reports (or, with --offline-report, the\n"
		"capture) are written, complete; 1 written but incomplete: events were lost, the capture\n"
		"could not be written whole, recording was stopped by a second signal, or a report\n"
		"could not be written; 2 usage or setup error (bad options, DIR not new or empty, root\n"
		"without sudo, CMD not found or not runnable, the programs not loaded): nothing was\n"
		"recorded. CMD's own exit status is said on stderr at the end (\"llmwatch: eval: CMD\n"
		"exited with status N\"), not passed on.\n");
}
/* clang-format on */

/* The monitor's options eval takes as they are. */
static const char *const passed_options[] = {
	"rules",	 "no-default-rules",	"profiles",  "output",	"json",
	"fold-window",	 "loss-alert-interval", "ring-size", "cgroups", "enter-tracepoints",
	"syscall-hooks", "capture-flush",	"verbose",
};
#define N_PASSED (sizeof(passed_options) / sizeof(passed_options[0]))

enum {
	OPT_OUT = 1,
	OPT_OFFLINE,
	OPT_AS_ROOT,
	OPT_HELP,
	OPT_PASSED = 16
};

struct eval_opts {
	const char *out;
	bool offline_report;
	bool as_root;
	char **cmd; /* argv of CMD, NULL-terminated */
	struct monitor_config c;
};

/*
 * Parses eval's command line into *o (o->c: the monitor's options it passes on). Returns 0,
 * 1 when --help was answered, or -1 after saying why.
 */
static int parse(int argc, char **argv, struct eval_opts *o)
{
	struct option lo[N_PASSED + 5];
	size_t i;
	char err[512];
	int ch;

	memset(o, 0, sizeof(*o));
	monitor_config_init(&o->c);
	for (i = 0; i < N_PASSED; i++) {
		bool flag = strcmp(passed_options[i], "no-default-rules") == 0 ||
			    strcmp(passed_options[i], "json") == 0 ||
			    strcmp(passed_options[i], "enter-tracepoints") == 0 ||
			    strcmp(passed_options[i], "verbose") == 0;

		lo[i] = (struct option){ passed_options[i], flag ? no_argument : required_argument,
					 NULL, OPT_PASSED + (int)i };
	}
	lo[i++] = (struct option){ "out", required_argument, NULL, OPT_OUT };
	lo[i++] = (struct option){ "offline-report", no_argument, NULL, OPT_OFFLINE };
	lo[i++] = (struct option){ "as-root", no_argument, NULL, OPT_AS_ROOT };
	lo[i++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	lo[i] = (struct option){ 0 };
	optind = 1;
	opterr = 1;
	/* "+": options end at CMD, whose own options are its own */
	while ((ch = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (ch) {
		case OPT_OUT:
			if (o->out)
				return cli_usage_error("eval: --out given twice");
			o->out = optarg;
			break;
		case OPT_OFFLINE:
			o->offline_report = true;
			break;
		case OPT_AS_ROOT:
			o->as_root = true;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 1;
		default:
			if (ch < OPT_PASSED || ch >= OPT_PASSED + (int)N_PASSED)
				return cli_usage_error("eval: see llmwatch eval --help");
			if (monitor_options_apply(&o->c, passed_options[ch - OPT_PASSED], optarg,
						  err, sizeof(err)))
				return cli_usage_error("eval: %s", err);
		}
	}
	if (optind >= argc)
		return cli_usage_error(
			"eval: no command: llmwatch eval [OPTIONS] -- CMD [ARGS...]");
	o->cmd = &argv[optind];
	/* what the monitor's parser sets after its options; eval watches nothing else */
	o->c.cgroup_sweep_ns = 5000000000ull;
	o->c.runtime_scan_ns = 0;
	return 0;
}

/* ---- the tree's end -------------------------------------------------------------------- */

struct eval_run {
	pid_t self, pgrp, root;
	const char *cmd; /* for messages, escaped */
	int root_status;
	bool root_done, told_left;
	int interrupts; /* SIGINT and SIGTERM received */
	bool killed;	/* stopped by the second: the tree was killed */
};

static const char *sig_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/*
 * Kills every process of the tree until none is left (bounded), naming each once; each
 * through eval_tree_kill_one(), so a listed pid that another process took since is spared.
 */
static void kill_tree(struct eval_run *r)
{
	pid_t pids[64], told[256];
	size_t n_told = 0;
	int total = 0;

	for (int round = 0; round < 200; round++) {
		int n = eval_tree_list(r->self, pids, sizeof(pids) / sizeof(pids[0]));
		struct timespec ts = { 0, 10000000 };

		if (n <= 0)
			break;
		for (int i = 0; i < n && i < (int)(sizeof(pids) / sizeof(pids[0])); i++) {
			bool again = false;

			if (eval_tree_kill_one(r->self, pids[i], SIGKILL))
				continue;
			for (size_t k = 0; k < n_told && !again; k++)
				again = told[k] == pids[i];
			if (again)
				continue;
			if (n_told < sizeof(told) / sizeof(told[0]))
				told[n_told++] = pids[i];
			fprintf(stderr, "%s%d", total ? ", " : "llmwatch: eval: killed pid ",
				(int)pids[i]);
			total++;
		}
		if (eval_tree_reap(r->root, &r->root_status, &r->root_done))
			break;
		nanosleep(&ts, NULL);
	}
	if (total)
		fputc('\n', stderr);
	fprintf(stderr, "llmwatch: eval: %d process(es) of the tree killed\n", total);
	eval_tree_reap(r->root, &r->root_status, &r->root_done);
}

/* The event loop's signal hook (event_loop_opts.on_signal). */
static bool on_signal(void *arg, int signo, int code, uint32_t from)
{
	struct eval_run *r = arg;
	int sent;

	if (signo == SIGCHLD) {
		bool gone = eval_tree_reap(r->root, &r->root_status, &r->root_done);

		if (r->root_done && !gone && !r->told_left) {
			pid_t left[8];
			int n = eval_tree_list(r->self, left, 8);

			r->told_left = true;
			fprintf(stderr,
				"llmwatch: eval: %s has exited; recording goes on until the %d "
				"process(es) it left running have exited too (pid",
				r->cmd, n);
			for (int i = 0; i < n && i < 8; i++)
				fprintf(stderr, " %d", (int)left[i]);
			fprintf(stderr, "%s); Ctrl-C: forwarded to them, twice: killed\n",
				n > 8 ? " ..." : "");
		}
		return gone;
	}
	if (++r->interrupts == 1) {
		/* a terminal's Ctrl-C (from the kernel) reached eval's process group already */
		bool tty = code == SI_KERNEL;

		sent = eval_tree_signal(r->self, signo, tty ? r->pgrp : 0);
		fprintf(stderr,
			"llmwatch: eval: %s from %s%.0u: forwarded to %d process(es) of the tree%s; "
			"recording until it exits (again: stop now and kill it)\n",
			sig_name(signo), from ? "pid " : "the terminal", from, sent,
			tty ? " besides those in this terminal's foreground, which got it" : "");
		return false;
	}
	fprintf(stderr, "llmwatch: eval: second %s: stopping now, killing the tree\n",
		sig_name(signo));
	kill_tree(r);
	r->killed = true;
	return true;
}

/* ---- the run --------------------------------------------------------------------------- */

/*
 * CMD's environment: llmwatch's, with HOME, USER and LOGNAME those of u when CMD runs as
 * u. NULL on no memory. The strings belong to environ or to *owned (free both).
 */
static char **child_env(const struct eval_user *u, char ***owned)
{
	size_t n = 0, k = 0;
	char **env;

	for (char **e = environ; *e; e++)
		n++;
	env = calloc(n + 4, sizeof(*env));
	*owned = calloc(4, sizeof(**owned));
	if (!env || !*owned) {
		free(env);
		free(*owned);
		*owned = NULL;
		return NULL;
	}
	for (char **e = environ; *e; e++) {
		if (u->drop && (strncmp(*e, "HOME=", 5) == 0 || strncmp(*e, "USER=", 5) == 0 ||
				strncmp(*e, "LOGNAME=", 8) == 0))
			continue;
		env[k++] = *e;
	}
	if (u->drop) {
		const char *key[] = { "HOME", "USER", "LOGNAME" };
		const char *val[] = { u->home, u->name, u->name };

		for (int i = 0; i < 3; i++) {
			if (asprintf(&(*owned)[i], "%s=%s", key[i], val[i]) < 0) {
				(*owned)[i] = NULL;
				return env; /* freed by the caller; the child is not started */
			}
			env[k++] = (*owned)[i];
		}
	}
	return env;
}

/* The reports eval writes into DIR, one row each. */
static const struct {
	const char *file;
	int (*write)(FILE *f, const cJSON *doc);
} reports[] = {
	{ "report.txt", report_write_text },
	{ "report.json", report_write_json },
	{ "report.html", report_write_html },
};

/*
 * The report step: the report of DIR/capture.lwc (report/report.h) written into DIR as each
 * row of reports[] says, and the text report printed to stdout. Returns 0, 1 when the
 * report says the capture is incomplete or a file could not be written (said on stderr).
 */
static int write_reports(const struct eval_out *out, const struct monitor_config *c,
			 const char *capture, cJSON *evaluation)
{
	const char *files[] = { capture };
	struct report_opts ro = {
		.rules = c->rules,
		.n_rules = c->n_rules,
		.no_default_rules = c->no_default_rules,
		.profiles = c->profiles,
		.n_profiles = c->n_profiles,
		.version = LLMWATCH_VERSION,
	};
	const cJSON *verdict;
	char why[512], shown[1024];
	cJSON *doc;
	int status = 0, err;

	err = report_build(files, 1, &ro, &doc, why, sizeof(why));
	if (err) {
		escape_str(shown, sizeof(shown), why);
		fprintf(stderr, "llmwatch: eval: no report: %s\n", shown);
		cJSON_Delete(evaluation);
		return 1;
	}
	/* the document's "evaluation" (docs/report-format.md), null until now */
	if (!evaluation || !cJSON_ReplaceItemInObjectCaseSensitive(doc, "evaluation", evaluation)) {
		cJSON_Delete(evaluation);
		fprintf(stderr, "llmwatch: eval: out of memory\n");
		cJSON_Delete(doc);
		return 1;
	}
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		FILE *f = eval_out_create(out, reports[i].file);

		err = f ? reports[i].write(f, doc) : -errno;
		if (f && fclose(f) && !err)
			err = -errno;
		if (err) {
			fprintf(stderr, "llmwatch: eval: writing %s/%s: %s\n", out->dir,
				reports[i].file, strerror(-err));
			status = 1;
		}
	}
	if (report_write_text(stdout, doc) || fflush(stdout))
		status = 1; /* the files are there; the terminal is gone */
	verdict = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "completeness"), "verdict");
	if (!cJSON_IsString(verdict) || strcmp(verdict->valuestring, "complete") != 0) {
		fprintf(stderr, "llmwatch: eval: the report says the capture is incomplete\n");
		status = 1;
	}
	cJSON_Delete(doc);
	fprintf(stderr, "llmwatch: eval: the capture and reports are in %s\n", out->dir);
	return status;
}

/* The report's "evaluation": the command, whom it ran as, how it ended. NULL on no memory. */
static cJSON *evaluation_json(char *const *cmd, const struct eval_run *r, const struct eval_user *u,
			      const char *tool)
{
	cJSON *ev = cJSON_CreateObject(), *args = cJSON_AddArrayToObject(ev, "command");
	bool exited = r->root_done && WIFEXITED(r->root_status);
	bool killed = r->root_done && WIFSIGNALED(r->root_status);
	uid_t uid = u->drop ? u->uid : geteuid();
	struct passwd *pw = getpwuid(uid);
	bool ok = args != NULL;

	for (; ok && *cmd; cmd++)
		ok = cJSON_AddItemToArray(args, cJSON_CreateString(*cmd));
	ok = ok && cJSON_AddNumberToObject(ev, "pid", r->root) &&
	     (pw ? cJSON_AddStringToObject(ev, "user", pw->pw_name) :
		   cJSON_AddNullToObject(ev, "user")) &&
	     cJSON_AddNumberToObject(ev, "uid", uid) && cJSON_AddStringToObject(ev, "tool", tool) &&
	     (exited ? cJSON_AddNumberToObject(ev, "exit_status", WEXITSTATUS(r->root_status)) :
		       cJSON_AddNullToObject(ev, "exit_status")) &&
	     (killed ? cJSON_AddNumberToObject(ev, "signal", WTERMSIG(r->root_status)) :
		       cJSON_AddNullToObject(ev, "signal")) &&
	     cJSON_AddBoolToObject(ev, "stopped", r->killed);
	if (!ok) {
		cJSON_Delete(ev);
		return NULL;
	}
	return ev;
}

static int run(struct eval_opts *o)
{
	static const char *const files[] = { EVAL_OUT_CAPTURE, "report.txt", "report.json",
					     "report.html", NULL };
	struct eval_user_env ue = {
		.euid = geteuid(),
		.sudo_uid = getenv("SUDO_UID"),
		.sudo_gid = getenv("SUDO_GID"),
		.sudo_user = getenv("SUDO_USER"),
		.as_root = o->as_root,
	};
	struct eval_run r = { .self = getpid(), .pgrp = getpgrp() };
	struct eval_child ch = { .pid = -1, .go_fd = -1, .status_fd = -1 };
	struct monitor_session s;
	struct eval_user u;
	struct eval_out out;
	char err[512], path[PATH_MAX], capture[PATH_MAX + 16] = "", shown[512], dflt[64];
	char **env = NULL, **owned = NULL, tool_name[64];
	unsigned int tool;
	int status, e;
	bool session = false;

	if (eval_user_decide(&ue, &u, err, sizeof(err))) {
		fprintf(stderr, "llmwatch: eval: %s\n", err);
		return 2;
	}
	escape_str(shown, sizeof(shown), o->cmd[0]);
	r.cmd = shown;
	e = eval_tree_find_command(o->cmd[0], getenv("PATH"), path, sizeof(path));
	if (e) {
		fprintf(stderr, "llmwatch: eval: %s: %s\n", shown,
			e == -ENOENT ? "command not found" : strerror(-e));
		return 2;
	}
	if (!o->out)
		eval_out_default_name(time(NULL), dflt, sizeof(dflt));
	if (eval_out_prepare(&out, o->out ? o->out : dflt, err, sizeof(err))) {
		fprintf(stderr, "llmwatch: eval: %s\n", err);
		return 2;
	}
	status = 2;
	if (eval_out_path(&out, EVAL_OUT_CAPTURE, capture, sizeof(capture)) ||
	    snprintf(o->c.capture_file.path, sizeof(o->c.capture_file.path), "%s", capture) >=
		    (int)sizeof(o->c.capture_file.path)) {
		fprintf(stderr, "llmwatch: eval: --out: path too long\n");
		goto out;
	}
	o->c.capture = o->c.capture_file.path;
	session = true;
	status = monitor_session_open(&s, &o->c);
	if (status)
		goto out;
	tool = eval_tree_tool(&s.m.profiles, path, o->cmd);
	if (!tool) {
		e = profiles_add_eval(&s.m.profiles, path);
		if (e <= 0) {
			fprintf(stderr, "llmwatch: eval: %s: no name for the tool: %s\n", shown,
				strerror(-e));
			status = 2;
			goto out;
		}
		tool = (unsigned int)e;
	}
	/* after the tool's entry: the capture's header names it */
	status = monitor_session_open_capture(&s);
	if (!status)
		status = monitor_session_load(&s);
	if (status)
		goto out;
	status = 2;
	env = child_env(&u, &owned);
	if (!env || (u.drop && (!owned[0] || !owned[1] || !owned[2]))) {
		fprintf(stderr, "llmwatch: eval: out of memory\n");
		goto out;
	}
	if ((e = eval_tree_subreaper())) {
		fprintf(stderr, "llmwatch: eval: becoming the tree's subreaper: %s\n",
			strerror(-e));
		goto out;
	}
	if (eval_tree_fork(&ch, &u, path, o->cmd, env, err, sizeof(err)) ||
	    eval_tree_wait_ready(&ch, err, sizeof(err))) {
		fprintf(stderr, "llmwatch: eval: %s\n", err);
		goto out;
	}
	/* watched before its exec: what CMD does is seen from its first instruction */
	e = s.m.kops->track(s.m.kctx, (uint32_t)ch.pid, (uint16_t)tool, LW_MATCH_USER,
			    (uint32_t)ch.pid);
	if (e) {
		fprintf(stderr, "llmwatch: eval: watching pid %d: %s\n", (int)ch.pid, strerror(-e));
		goto out;
	}
	monitor_session_start_capture(&s);
	if (eval_tree_exec(&ch, err, sizeof(err))) {
		fprintf(stderr, "llmwatch: eval: %s: %s\n", shown, err);
		goto out;
	}
	r.root = ch.pid;
	eval_tree_close(&ch);
	fprintf(stderr,
		"llmwatch %s: eval: %s is pid %d, running as %s%s%u, tool \"%s\"; recording to "
		"%s (Ctrl-C: forwarded to it; twice: stop now)\n",
		LLMWATCH_VERSION, shown, (int)ch.pid, u.drop ? u.name : "",
		u.drop ? ", uid " : "uid ", (unsigned int)(u.drop ? u.uid : geteuid()),
		profiles_name(&s.m.profiles, tool), capture);
	if (s.l.missing[0])
		fprintf(stderr,
			"llmwatch: warning: this kernel lacks %s; those events are not seen\n",
			s.l.missing);
	s.eo.on_signal = on_signal;
	s.eo.signal_arg = &r;
	snprintf(err, sizeof(err), "eval: recording %.400s", shown);
	status = monitor_session_run(&s, err);
	if (r.root_done && WIFEXITED(r.root_status))
		fprintf(stderr, "llmwatch: eval: %s exited with status %d\n", shown,
			WEXITSTATUS(r.root_status));
	else if (r.root_done && WIFSIGNALED(r.root_status))
		fprintf(stderr, "llmwatch: eval: %s was killed by signal %d\n", shown,
			WTERMSIG(r.root_status));
	if (!status && (r.killed || s.capture_lost || stats_total_losses(&s.m.stats))) {
		fprintf(stderr, "llmwatch: eval: the capture is incomplete: %s\n",
			r.killed ? "recording was stopped before the tree ended" :
				   "events were lost (see above)");
		status = 1;
	}
	snprintf(tool_name, sizeof(tool_name), "%s", profiles_name(&s.m.profiles, tool));
	monitor_session_close(&s);
	session = false;
	if (o->offline_report)
		fprintf(stderr,
			"llmwatch: eval: --offline-report: the capture is %s; llmwatch report "
			"makes the reports\n",
			capture);
	else if (write_reports(&out, &o->c, capture, evaluation_json(o->cmd, &r, &u, tool_name)) &&
		 !status)
		status = 1;
out:
	if (ch.pid > 0 && !r.root) {
		/* never ran CMD: it ends at the closed pipe (or has, its exec failed) */
		eval_tree_close(&ch);
		waitpid(ch.pid, NULL, 0);
	}
	eval_tree_close(&ch);
	if (session)
		monitor_session_close(&s);
	if (status == 2) {
		/* nothing recorded: a capture with only its header is no evidence */
		unlink(capture);
		if (out.created)
			rmdir(out.dir);
	} else if (u.sudo && eval_out_give(&out, files, u.uid, u.gid) && !status) {
		status = 1;
	}
	if (owned)
		for (int i = 0; i < 3; i++)
			free(owned[i]);
	free(owned);
	free(env);
	return status;
}

int cmd_eval(int argc, char **argv)
{
	struct eval_opts o;
	int err = parse(argc, argv, &o);

	if (!err)
		err = run(&o);
	else
		err = err > 0 ? 0 : 2;
	monitor_config_free(&o.c);
	return err;
}
