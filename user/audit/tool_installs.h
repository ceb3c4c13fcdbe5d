/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the audit finds that a tool is installed, and which version, without running it:
 * the dpkg database of the audited root, and the Python packages (vLLM, Open WebUI) in the
 * usual site-packages folders of the root and of each home. The telemetry and versions
 * checks share it.
 */
#ifndef LW_TOOL_INSTALLS_H
#define LW_TOOL_INSTALLS_H

#include <stddef.h>

#include "audit/audit.h"

/* The most bytes of a dpkg status file read (a desktop's is a few MiB). */
#define TOOL_DPKG_STATUS_MAX (64u << 20)

/*
 * The version of package pkg when <root>/var/lib/dpkg/status says it is installed
 * ("Status: install ok installed"): copied, NUL-terminated and cut to vsize, into ver, with
 * the status file's path (as opened) into path and the line of its Version: field. Returns 0,
 * -ENOENT (no such installed package, or no dpkg database), or another -errno.
 */
int tool_dpkg_version(const struct audit_ctx *c, const char *pkg, char *ver, size_t vsize,
		      char *path, size_t psize, unsigned int *line);

/* One Python distribution found: its .dist-info folder and the version its name carries. */
struct tool_python_hit {
	const char *dist_info;	       /* ".../site-packages/vllm-0.6.3.dist-info", as opened */
	const char *version;	       /* "0.6.3"; untrusted (a folder name) */
	const struct audit_home *home; /* the home it is in, or NULL for the root's */
};

typedef int (*tool_python_fn)(void *arg, const struct tool_python_hit *h);

/*
 * Calls fn for each installed distribution named dist ("vllm", "open_webui": the name as
 * its .dist-info folder spells it) in the root's /usr/lib/python3/dist-packages and
 * /usr/{local/,}lib/python3.N/{site,dist}-packages, and in each home's .local/lib, pipx's
 * and uv's tool environments (.local/share/{pipx/venvs,uv/tools}/NAME/lib) and .venv and
 * venv (tool_installs.c lists the patterns).
 * A virtual environment elsewhere is not found (the process, when running, is).
 * Returns 0, or what fn returned when not 0.
 */
int tool_python_each(const struct audit_ctx *c, const char *dist, tool_python_fn fn, void *arg);

#endif /* LW_TOOL_INSTALLS_H */
