// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch audit [OPTIONS] [--gguf FILE...]`: the machine-checkable half of the local-LLM
 * security checklist (audit/audit.h). Joins the options to the checks' context (the root,
 * the homes found in its passwd, who is asking), opens the outputs (audit/audit_outputs.h),
 * runs the checks asked for and writes the report: as text or JSON, and its findings to the
 * journal or syslog. No BPF: it reads files, /proc and /sys.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/audit_approved.h"
#include "audit/audit_files.h"
#include "audit/audit_homes.h"
#include "audit/audit_outputs.h"
#include "cmd/cli.h"
#include "core/profiles.h"
#include "util/escape.h"

#define AUDIT_ONLY_MAX 64
#define AUDIT_GGUF_MAX 4096

struct audit_cli {
	const char *root;
	const char *homes[AUDIT_HOMES_MAX];
	size_t n_homes;
	const char *only[AUDIT_ONLY_MAX];
	size_t n_only;
	const char *gguf[AUDIT_GGUF_MAX];
	size_t n_gguf;
	const char *outputs[AUDIT_OUTPUTS_MAX];
	size_t n_outputs;
	bool gguf_mode, json, no_cache, no_progress, list;
	const char *out, *approved, *cache_dir;
	unsigned int jobs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch audit [--root DIR] [--home DIR]... [--only CHECK]...\n"
		"                      [--json] [-o OUT] [--output SPEC]... [--approved FILE]\n"
		"                      [--jobs N] [--cache-dir DIR | --no-cache] [--no-progress]\n"
		"       llmwatch audit --gguf FILE...\n"
		"       llmwatch audit --list\n"
		"Checks this machine against the machine-checkable half of the local-LLM security\n"
		"checklist: listeners and host settings that expose an inference API, telemetry\n"
		"settings, model checksums, malformed GGUF files, encryption and permissions of\n"
		"models and chats, known vulnerable versions, start-up items and extensions. One\n"
		"line per check, PASS / WARN / FAIL / SKIP, with the evidence and the fix, grouped\n"
		"by checklist item. Root is optional: without it, what could not be read is said.\n"
		"  --root DIR          audit a mounted image or container root instead of /: its\n"
		"                      files only (no processes, no sockets); links stay inside it\n"
		"  --home DIR          audit this home (repeatable) instead of the homes in the\n"
		"                      root's /etc/passwd (uid 0, 1000-65533, and service accounts\n"
		"                      whose home holds a tool's files, such as Ollama's)\n"
		"  --only CHECK        run only this check, or every check of an item (repeatable;\n"
		"                      --list names them)\n"
		"  --gguf FILE...      check these GGUF files, wherever they are (every argument\n"
		"                      after the options is one); alone, only they are checked\n"
		"  --approved FILE     approved model hashes, in sha256sum's format: any other\n"
		"                      model file found FAILs\n"
		"  --json              the report as the JSON document (docs/audit-format.md)\n"
		"  -o OUT              the report (text, or JSON with --json) to OUT, created mode\n"
		"                      0600 and never through a symlink; - is stdout\n"
		"  --output SPEC       where the report and the findings go (repeatable; the\n"
		"                      monitor's names and grammar):\n"
		"                        text[:PATH]     the report as text, to PATH or stdout\n"
		"                        json[:PATH]     the report as JSON, to PATH or stdout\n"
		"                        journald[:all]  a journal entry per WARN and FAIL finding\n"
		"                                        (:all, every finding) and a summary\n"
		"                        syslog[:TARGET][,OPT=V]  the same as RFC 5424 messages\n"
		"                                        (the monitor's targets and options),\n"
		"                                        waiting up to 10 s for their delivery\n"
		"                      Two outputs to one place are refused. --json and -o add the\n"
		"                      one report output they describe; with neither and no\n"
		"                      --output, the report is text on stdout\n"
		"  --jobs N            threads that hash models (default: one per online CPU)\n"
		"  --cache-dir DIR     where model hashes are cached by (device, inode, size,\n"
		"                      mtime, ctime) (default: /var/cache/llmwatch as root, else\n"
		"                      $XDG_CACHE_HOME/llmwatch or ~/.cache/llmwatch)\n"
		"  --no-cache          hash every model again, and cache nothing\n"
		"  --no-progress       no progress bar (drawn on stderr when it is a terminal)\n"
		"  --list              list the checks and exit\n"
		"Exit status: 0 when nothing FAILs, 1 when something does, 2 for bad usage, a\n"
		"check that could not run at all (the report says which, and is incomplete), or\n"
		"an output that could not be written or delivered (said on stderr).\n");
}

static void list_checks(FILE *f)
{
	for (int item = 0; item < AUDIT_ITEMS; item++)
		for (size_t i = 0; i < audit_n_checks; i++)
			if ((int)audit_checks[i].item == item)
				fprintf(f, "%-24s %-10s %s\n", audit_checks[i].name,
					audit_item_name(audit_checks[i].item),
					audit_checks[i].what);
}

/* Whether name is a check's name or an item's. */
static bool known_check(const char *name)
{
	for (size_t i = 0; i < audit_n_checks; i++)
		if (!strcmp(name, audit_checks[i].name))
			return true;
	for (int item = 0; item < AUDIT_ITEMS; item++)
		if (!strcmp(name, audit_item_name((enum audit_item)item)))
			return true;
	return false;
}

static int parse_jobs(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v == 0 || v > 1024)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int parse(int argc, char **argv, struct audit_cli *o)
{
	enum {
		O_ROOT = 256,
		O_HOME,
		O_ONLY,
		O_GGUF,
		O_APPROVED,
		O_JSON,
		O_JOBS,
		O_CACHE,
		O_NO_CACHE,
		O_NO_PROGRESS,
		O_LIST,
		O_OUTPUT
	};
	static const struct option lo[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "home", required_argument, NULL, O_HOME },
		{ "only", required_argument, NULL, O_ONLY },
		{ "gguf", no_argument, NULL, O_GGUF },
		{ "approved", required_argument, NULL, O_APPROVED },
		{ "json", no_argument, NULL, O_JSON },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "cache-dir", required_argument, NULL, O_CACHE },
		{ "no-cache", no_argument, NULL, O_NO_CACHE },
		{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
		{ "list", no_argument, NULL, O_LIST },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char shown[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		switch (c) {
		case O_ROOT:
			o->root = optarg;
			break;
		case O_HOME:
			if (o->n_homes == AUDIT_HOMES_MAX)
				return cli_usage_error("more than %d --home", AUDIT_HOMES_MAX);
			o->homes[o->n_homes++] = optarg;
			break;
		case O_ONLY:
			if (!known_check(optarg)) {
				escape_str(shown, sizeof(shown), optarg);
				return cli_usage_error("--only \"%s\": no such check or item "
						       "(llmwatch audit --list names them)",
						       shown);
			}
			if (o->n_only == AUDIT_ONLY_MAX)
				return cli_usage_error("more than %d --only", AUDIT_ONLY_MAX);
			o->only[o->n_only++] = optarg;
			break;
		case O_GGUF:
			o->gguf_mode = true;
			break;
		case O_APPROVED:
			o->approved = optarg;
			break;
		case O_JSON:
			o->json = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case O_OUTPUT:
			if (o->n_outputs == AUDIT_OUTPUTS_MAX)
				return cli_usage_error("more than %d --output", AUDIT_OUTPUTS_MAX);
			o->outputs[o->n_outputs++] = optarg;
			break;
		case O_JOBS:
			if (parse_jobs(optarg, &o->jobs)) {
				escape_str(shown, sizeof(shown), optarg);
				return cli_usage_error("--jobs \"%s\": a number from 1 to 1024",
						       shown);
			}
			break;
		case O_CACHE:
			o->cache_dir = optarg;
			break;
		case O_NO_CACHE:
			o->no_cache = true;
			break;
		case O_NO_PROGRESS:
			o->no_progress = true;
			break;
		case O_LIST:
			o->list = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return cli_usage_error("see llmwatch audit --help");
		}
	}
	if (o->no_cache && o->cache_dir)
		return cli_usage_error("--cache-dir and --no-cache: one or the other");
	for (; optind < argc; optind++) {
		if (!o->gguf_mode) {
			escape_str(shown, sizeof(shown), argv[optind]);
			return cli_usage_error("unexpected argument \"%s\" (files to check go "
					       "after --gguf)",
					       shown);
		}
		if (o->n_gguf == AUDIT_GGUF_MAX)
			return cli_usage_error("more than %d GGUF files", AUDIT_GGUF_MAX);
		o->gguf[o->n_gguf++] = argv[optind];
	}
	if (o->gguf_mode && !o->n_gguf)
		return cli_usage_error("--gguf takes one or more FILEs");
	return 0;
}

static bool selected(const struct audit_cli *o, const struct audit_check *chk)
{
	if (!o->n_only)
		return !o->gguf_mode || !strcmp(chk->name, "gguf-files");
	for (size_t i = 0; i < o->n_only; i++)
		if (!strcmp(o->only[i], chk->name) ||
		    !strcmp(o->only[i], audit_item_name(chk->item)))
			return true;
	return false;
}

/* The default cache directory: /var/cache/llmwatch for root, the user's cache otherwise. */
static const char *default_cache_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		return "/var/cache/llmwatch";
	if (xdg && xdg[0] == '/')
		return snprintf(buf, size, "%s/llmwatch", xdg) < (int)size ? buf : NULL;
	if (home && home[0] == '/')
		return snprintf(buf, size, "%s/.cache/llmwatch", home) < (int)size ? buf : NULL;
	return NULL;
}

/* The root as given, without trailing slashes ("/" stays "/"), checked to be a directory. */
static int resolve_root(const char *arg, char *out, size_t size)
{
	struct stat st;
	size_t n;

	if (!arg)
		arg = "/";
	n = strlen(arg);
	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(out, arg, n + 1);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (stat(out, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/*
 * The outputs: each --output, plus the report that --json and -o describe (json or text, to
 * OUT or stdout) when either is given or there is no --output. NULL after a usage error.
 */
static struct audit_outputs *make_outputs(const struct audit_cli *o)
{
	struct audit_outputs *outs = audit_outputs_new();
	char err[1024], shown[PATH_MAX + 16];
	int e = 0;

	if (!outs) {
		fprintf(stderr, "llmwatch: audit: out of memory\n");
		return NULL;
	}
	for (size_t i = 0; i < o->n_outputs && !e; i++) {
		e = audit_outputs_add(outs, o->outputs[i], err, sizeof(err));
		if (e)
			cli_usage_error("--output %s", err);
	}
	if (!e && (o->json || o->out || !o->n_outputs)) {
		snprintf(shown, sizeof(shown), "%s%s%s%s", o->json ? "--json" : "",
			 o->json && o->out ? " " : "", o->out ? "-o " : "", o->out ? o->out : "");
		e = audit_outputs_add_report(outs, shown[0] ? shown : "text", o->json, o->out, err,
					     sizeof(err));
		if (e)
			cli_usage_error("%s", err);
	}
	if (e) {
		audit_outputs_free(outs);
		return NULL;
	}
	return outs;
}

int cmd_audit(int argc, char **argv)
{
	struct audit_cli o = {};
	struct audit_homes homes = {};
	struct profile_set profiles;
	struct audit_report *r = NULL;
	char root[PATH_MAX], cache_buf[PATH_MAX], shown[PATH_MAX * 2], msg[512];
	struct audit_outputs *outs = NULL;
	struct audit_approved approved = {};
	struct audit_ctx c;
	int err, status = 0;

	err = parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	approved.file = o.approved;
	if (o.list) {
		list_checks(stdout);
		return 0;
	}
	outs = make_outputs(&o);
	if (!outs)
		return 2;
	err = resolve_root(o.root, root, sizeof(root));
	if (err) {
		escape_str(shown, sizeof(shown), o.root ? o.root : "/");
		fprintf(stderr, "llmwatch: audit: --root %s: %s\n", shown, strerror(-err));
		audit_outputs_free(outs);
		return 2;
	}
	profiles_init(&profiles);
	c = (struct audit_ctx){
		.root = root,
		.live = !strcmp(root, "/"),
		.proc_root = "/proc",
		.privileged = geteuid() == 0,
		.profiles = &profiles,
		/* read by the first check that uses it: a bad list is said once */
		.approved = o.approved ? &approved : NULL,
		.gguf = o.gguf,
		.n_gguf = o.n_gguf,
		.jobs = o.jobs,
		.cache_dir = o.no_cache	 ? NULL :
			     o.cache_dir ?:
					   default_cache_dir(cache_buf, sizeof(cache_buf)),
		.progress = !o.no_progress && isatty(STDERR_FILENO) ? stderr : NULL,
	};
	for (size_t i = 0; i < o.n_homes; i++) {
		err = audit_homes_add(&c, &homes, o.homes[i], NULL);
		if (err) {
			escape_str(shown, sizeof(shown), o.homes[i]);
			fprintf(stderr, "llmwatch: audit: --home %s: %s\n", shown, strerror(-err));
			status = 2;
			goto done;
		}
	}
	if (!o.n_homes && !o.gguf_mode) {
		err = audit_homes_from_passwd(&c, &homes);
		if (err && err != -ENOENT) {
			audit_path(&c, msg, sizeof(msg), "/etc/passwd");
			escape_str(shown, sizeof(shown), msg);
			fprintf(stderr,
				"llmwatch: audit: %s: %s (the homes it names are not "
				"audited; give them with --home)\n",
				shown, strerror(-err));
		}
	}
	if (homes.cut)
		fprintf(stderr,
			"llmwatch: audit: %zu more homes than %d are not audited (name them "
			"with --home)\n",
			homes.cut, AUDIT_HOMES_MAX);
	c.homes = homes.h;
	c.n_homes = homes.n;
	/* before the checks, which may hash for long: a bad output is refused at once */
	err = audit_outputs_open(outs, stderr, shown, sizeof(shown));
	if (err) {
		fprintf(stderr, "llmwatch: audit: %s\n", shown);
		status = 2;
		goto done;
	}
	r = audit_report_new();
	if (!r) {
		fprintf(stderr, "llmwatch: audit: out of memory\n");
		status = 2;
		goto done;
	}
	for (size_t i = 0; i < audit_n_checks; i++) {
		const struct audit_check *chk = &audit_checks[i];

		if (!selected(&o, chk))
			continue;
		err = chk->run(&c, r);
		if (err) {
			snprintf(msg, sizeof(msg), "%s", strerror(-err));
			audit_add_error(r, chk->name, msg);
			status = 2;
		}
	}
	if (audit_outputs_write(outs, r, &c, AUDIT_OUTPUTS_WAIT_MS))
		status = 2;
	if (!status && audit_count(r, AUDIT_FAIL))
		status = 1;
done:
	audit_report_free(r);
	audit_outputs_free(outs);
	audit_homes_free(&homes);
	audit_approved_free(&approved);
	return status;
}
