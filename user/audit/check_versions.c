// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The versions check (check_versions.h). An untrusted binary is never executed to ask its
 * version: Ollama's is read from its Go build information, where the release build's
 * `-X=github.com/ollama/ollama/version.Version=X` ldflag is recorded as text (`go version
 * -m` prints it), or from dpkg; the other tools' from dpkg, their Python package's
 * .dist-info name, or GPT4All's installer record.
 */
#include "audit/check_versions.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_settings.h"
#include "audit/tool_installs.h"
#include "audit/version_vulns.h"

#define CHECK "versions"
#define OLLAMA_MARKER "github.com/ollama/ollama/version.Version="
#define OLLAMA_DEV_VERSION "0.0.0" /* version/version.go's default: a build without ldflags */
#define BINARIES_MAX 16
#define SCAN_CHUNK (1u << 20)

static bool version_char(char ch)
{
	return isalnum((unsigned char)ch) || strchr(".+-~_", ch);
}

int check_versions_scan(int fd, const char *marker, uint64_t max, char *out, size_t size)
{
	size_t ml = strlen(marker), keep = ml + size, have = 0;
	uint64_t done = 0;
	char *buf;
	int err = -ENOENT;

	if (!ml || size < 2)
		return -EINVAL;
	/* Each chunk keeps the last marker + value bytes of the one before: no match is split. */
	buf = malloc(SCAN_CHUNK + keep);
	if (!buf)
		return -ENOMEM;
	while (done < max) {
		size_t want = SCAN_CHUNK;
		ssize_t n;
		char *hit;

		if (max - done < want)
			want = (size_t)(max - done);
		n = read(fd, buf + have, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		done += (uint64_t)n;
		have += (size_t)n;
		hit = memmem(buf, have, marker, ml);
		if (hit) {
			const char *v = hit + ml, *e = buf + have;
			size_t k = 0;

			if ((size_t)(e - v) < size - 1 && n > 0) {
				/* The value may go on in the next chunk: read it first. */
				memmove(buf, hit, (size_t)(e - hit));
				have = (size_t)(e - hit);
				continue;
			}
			while (v + k < e && k < size - 1 && version_char(v[k]))
				k++;
			if (k) {
				memcpy(out, v, k);
				out[k] = '\0';
				err = 0;
			}
			break;
		}
		if (n == 0)
			break;
		if (have > keep) {
			memmove(buf, buf + have - keep, keep);
			have = keep;
		}
	}
	free(buf);
	return err;
}

/* --- findings ------------------------------------------------------------------------- */

struct versions_run {
	const struct audit_ctx *c;
	struct audit_report *r;
	dev_t dev[BINARIES_MAX];
	ino_t ino[BINARIES_MAX];
	size_t n_bin;
	bool ollama_seen;
};

static int add(struct versions_run *v, enum audit_status st, const char *tool, const char *subject,
	       const char *evidence, const char *fix, const char *source)
{
	return audit_add(v->r, &(struct audit_finding){
				       .item = AUDIT_ITEM_VERSIONS,
				       .status = st,
				       .check = CHECK,
				       .tool = tool,
				       .subject = subject,
				       .evidence = evidence,
				       .fix = fix,
				       .source = source,
			       });
}

/*
 * The finding for version of tool, found at where: FAIL with the table's CVEs that affect it,
 * PASS when none does, SKIP when the table has nothing on the tool or the version is not
 * one it can compare.
 */
static int judge(struct versions_run *v, const char *tool, const char *display, const char *version,
		 const char *where)
{
	struct audit_report *r = v->r;
	const char *ids = NULL, *sources = NULL, *fixed = NULL, *after = NULL, *target;
	bool known = false, comparable = true;
	int cmp;

	for (size_t i = 0; i < version_n_vulns; i++) {
		const struct version_vuln *x = &version_vulns[i];
		int a;

		if (strcmp(x->tool, tool) != 0)
			continue;
		known = true;
		a = version_affected(x, version);
		if (a < 0) {
			comparable = false;
			break;
		}
		if (!a)
			continue;
		ids = ids ? audit_fmt(r, "%s, %s (%s)", ids, x->id, x->what) :
			    audit_fmt(r, "%s (%s)", x->id, x->what);
		sources = sources ? audit_fmt(r, "%s; %s: %s", sources, x->id, x->source) :
				    audit_fmt(r, "%s: %s", x->id, x->source);
		/* The fix is a release past every affected range. */
		if (x->fixed && (!fixed || (version_cmp(x->fixed, fixed, &cmp) == 0 && cmp > 0)))
			fixed = x->fixed;
		if (!x->fixed && x->last_affected &&
		    (!after || (version_cmp(x->last_affected, after, &cmp) == 0 && cmp > 0)))
			after = x->last_affected;
	}
	if (!known)
		return add(v, AUDIT_SKIP, tool, display,
			   audit_fmt(r,
				     "%s %s (%s): llmwatch's offline table has no known "
				     "vulnerabilities of %s to compare it with",
				     display, version, where, display),
			   NULL, NULL);
	if (!comparable)
		return add(v, AUDIT_SKIP, tool, display,
			   audit_fmt(r,
				     "%s version \"%s\" (%s) is not a release version to compare",
				     display, version, where),
			   NULL, NULL);
	if (!ids)
		return add(v, AUDIT_PASS, tool, display,
			   audit_fmt(r, "%s %s (%s): no known vulnerability in the table", display,
				     version, where),
			   NULL, "research/inference-tools.md section 1, Known issues");
	/* "X or later" when X is past every last affected version, else "a release after Y". */
	if (after && (!fixed || (version_cmp(fixed, after, &cmp) == 0 && cmp <= 0)))
		target = audit_fmt(r, "a release after %s", after);
	else
		target = audit_fmt(r, "%s or later", fixed ? fixed : "the latest release");
	return add(v, AUDIT_FAIL, tool, display,
		   audit_fmt(r, "%s %s (%s) is affected by %s", display, version, where, ids),
		   audit_fmt(r, "upgrade %s to %s", display, target), sources);
}

/* Whether the binary open at fd was seen already (a link to one already scanned). */
static bool seen_binary(struct versions_run *v, int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return false;
	for (size_t i = 0; i < v->n_bin; i++)
		if (v->dev[i] == st.st_dev && v->ino[i] == st.st_ino)
			return true;
	if (v->n_bin < BINARIES_MAX) {
		v->dev[v->n_bin] = st.st_dev;
		v->ino[v->n_bin++] = st.st_ino;
	}
	return false;
}

/* One candidate Ollama binary, path as opened. */
static int ollama_binary(struct versions_run *v, const char *path)
{
	struct audit_report *r = v->r;
	char ver[64];
	int fd, err;

	fd = audit_open(v->c, path, O_RDONLY);
	if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
		return 0;
	v->ollama_seen = true;
	if (fd < 0)
		return add(v, AUDIT_SKIP, "ollama", path,
			   audit_fmt(r, "%s: cannot read the binary: %s%s", path, strerror(-fd),
				     fd == -EACCES && !v->c->privileged ? " (run as root)" : ""),
			   NULL, NULL);
	if (seen_binary(v, fd)) {
		close(fd);
		return 0;
	}
	err = check_versions_scan(fd, OLLAMA_MARKER, CHECK_VERSIONS_SCAN_MAX, ver, sizeof(ver));
	close(fd);
	if (err)
		return add(v, AUDIT_SKIP, "ollama", path,
			   audit_fmt(r,
				     "%s: %s (the version is read from the Go build "
				     "information's -X ldflag, not by running the binary)",
				     path,
				     err == -ENOENT ? "no " OLLAMA_MARKER
						      " in its build information" :
						      strerror(-err)),
			   NULL, NULL);
	if (!strcmp(ver, OLLAMA_DEV_VERSION))
		return add(v, AUDIT_SKIP, "ollama", path,
			   audit_fmt(r,
				     "%s: version 0.0.0, a build from source without a release "
				     "version: compare its commit by hand",
				     path),
			   NULL, "ollama version/version.go (default 0.0.0)");
	return judge(v, "ollama", "Ollama", ver,
		     audit_fmt(r, "%s: build information " OLLAMA_MARKER "%s", path, ver));
}

/* The executable of ExecStart= in an Ollama unit, when it is an absolute path. */
static int ollama_unit_binary(struct versions_run *v, const char *unit)
{
	char path[4096], exe[4096];
	const char *val;
	size_t len, vl, n;
	unsigned int line;
	char *text;
	int ret = 0;

	if (audit_path(v->c, path, sizeof(path), "%s", unit) ||
	    audit_read_file(v->c, path, 1u << 20, &text, &len))
		return 0;
	if (audit_ini_get(text, len, "Service", "ExecStart", &val, &vl, &line)) {
		/* systemd's prefixes: @ - : + ! change how it runs, not what. */
		while (vl && strchr("@-:+!", *val)) {
			val++;
			vl--;
		}
		n = strcspn(val, " \t");
		if (n > vl)
			n = vl;
		if (n && val[0] == '/' && n < sizeof(exe)) {
			snprintf(exe, sizeof(exe), "%.*s", (int)n, val);
			if (!audit_path(v->c, path, sizeof(path), "%s", exe))
				ret = ollama_binary(v, path);
		}
	}
	free(text);
	return ret;
}

/* A running Ollama's executable (live): an install in none of the usual places. */
static int ollama_proc(void *arg, const struct audit_proc *p)
{
	struct versions_run *v = arg;
	const char *base = strrchr(p->exe, '/');
	char path[4096];

	/* Its runners (llama-server, ollama_llama_server) carry no build information. */
	if (strcmp(p->tool, "ollama") != 0 || !base || strcmp(base, "/ollama") != 0 ||
	    audit_path(v->c, path, sizeof(path), "%s", p->exe))
		return 0;
	return ollama_binary(v, path);
}

static int check_ollama(struct versions_run *v)
{
	static const char *const bins[] = {
		"/usr/local/bin/ollama",	  /* install.sh (scripts/install.sh L159-226) */
		"/usr/bin/ollama", "/bin/ollama", /* the Docker image */
	};
	static const char *const units[] = {
		"/etc/systemd/system/ollama.service",
		"/usr/lib/systemd/system/ollama.service",
		"/lib/systemd/system/ollama.service",
	};
	char path[4096], ver[128], up[128];
	unsigned int line;
	int err;

	if (!tool_dpkg_version(v->c, "ollama", ver, sizeof(ver), path, sizeof(path), &line)) {
		v->ollama_seen = true;
		if (version_from_dpkg(ver, up, sizeof(up)) == 0) {
			err = judge(v, "ollama", "Ollama", up,
				    audit_fmt(v->r, "%s:%u: package ollama, Version: %s", path,
					      line, ver));
			if (err)
				return err;
		}
	}
	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
		if (audit_path(v->c, path, sizeof(path), "%s", bins[i]))
			continue;
		err = ollama_binary(v, path);
		if (err)
			return err;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		err = ollama_unit_binary(v, units[i]);
		if (err)
			return err;
	}
	if (v->c->live) {
		/* Only a finding that could not be kept fails the check; not seeing is fine. */
		err = audit_procs_each(v->c, ollama_proc, v, NULL);
		if (err == -ENOMEM)
			return err;
	}
	if (!v->ollama_seen)
		return add(v, AUDIT_SKIP, "ollama", "Ollama",
			   "not installed (no dpkg package, no binary in /usr/local/bin, /usr/bin "
			   "or /bin, no ollama.service)",
			   NULL, NULL);
	return 0;
}

/* Tools whose Debian package names them (the table has no vulnerabilities of theirs yet). */
static int check_dpkg_others(struct versions_run *v, bool *found)
{
	static const struct {
		const char *pkg, *tool, *display;
	} pkgs[] = {
		{ "jan", "jan", "Jan" },
		{ "lm-studio", "lm-studio", "LM Studio" },
		{ "gpt4all", "gpt4all", "GPT4All" },
		{ "llama.cpp", "llama-server", "llama.cpp" },
	};
	char path[4096], ver[128];
	unsigned int line;
	int err;

	for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
		if (tool_dpkg_version(v->c, pkgs[i].pkg, ver, sizeof(ver), path, sizeof(path),
				      &line))
			continue;
		*found = true;
		err = judge(v, pkgs[i].tool, pkgs[i].display, ver,
			    audit_fmt(v->r, "%s:%u: package %s", path, line, pkgs[i].pkg));
		if (err)
			return err;
	}
	return 0;
}

struct py_arg {
	struct versions_run *v;
	const char *tool, *display;
	bool *found;
};

static int python_hit(void *arg, const struct tool_python_hit *h)
{
	struct py_arg *a = arg;

	*a->found = true;
	return judge(a->v, a->tool, a->display, h->version, h->dist_info);
}

/*
 * GPT4All's Qt installer (IFW) records what it installed in <target>/components.xml; the
 * target is ~/gpt4all (gpt4all-chat/cmake/cpack_config.cmake L10). Its first <Version> is
 * the app's [M: the file's layout is Qt IFW's, not read in GPT4All's tree].
 */
static int check_gpt4all_installer(struct versions_run *v, bool *found)
{
	char path[4096], ver[64];
	const char *s, *e;
	size_t len;
	char *text;
	int err = 0;

	for (size_t h = 0; h < v->c->n_homes && !err; h++) {
		if (snprintf(path, sizeof(path), "%s/gpt4all/components.xml",
			     v->c->homes[h].path) >= (int)sizeof(path) ||
		    audit_read_file(v->c, path, 1u << 20, &text, &len))
			continue;
		*found = true;
		s = strstr(text, "<Version>");
		e = s ? strstr(s, "</Version>") : NULL;
		if (s && e && (size_t)(e - s - 9) < sizeof(ver) && e > s + 9) {
			snprintf(ver, sizeof(ver), "%.*s", (int)(e - s - 9), s + 9);
			err = judge(v, "gpt4all", "GPT4All", ver,
				    audit_fmt(v->r, "%s:%u: <Version>", path,
					      audit_line_of(text, len, (size_t)(s - text))));
		} else {
			err = add(v, AUDIT_SKIP, "gpt4all", path,
				  audit_fmt(v->r, "%s: no <Version> element", path), NULL, NULL);
		}
		free(text);
	}
	return err;
}

int check_versions(const struct audit_ctx *c, struct audit_report *r)
{
	struct versions_run v = { .c = c, .r = r };
	bool found = false;
	struct py_arg vllm = { &v, "vllm", "vLLM", &found };
	struct py_arg owui = { &v, "open-webui", "Open WebUI", &found };
	int err;

	err = check_ollama(&v);
	if (!err)
		err = check_dpkg_others(&v, &found);
	if (!err)
		err = tool_python_each(c, "vllm", python_hit, &vllm);
	if (!err)
		err = tool_python_each(c, "open_webui", python_hit, &owui);
	if (!err)
		err = check_gpt4all_installer(&v, &found);
	return err < 0 ? err : 0;
}
