/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The versions check (issue 17, "tools kept updated"): each installed tool's version, read
 * from package metadata, the binary's build information or the tool's files (never by
 * running it), against the offline table of known vulnerabilities (version_vulns.h).
 */
#ifndef LW_CHECK_VERSIONS_H
#define LW_CHECK_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

/* "versions": FAIL naming the CVEs of an affected version, PASS, SKIP when not known. */
int check_versions(const struct audit_ctx *c, struct audit_report *r);

/* How far into a binary the build information is looked for. */
#define CHECK_VERSIONS_SCAN_MAX (512ull << 20)

/*
 * Looks in the file open at fd, from its start and for at most max bytes, for marker (a Go
 * -X ldflag as the build information records it: "github.com/ollama/ollama/version.Version=")
 * and copies the version after it (letters, digits and ".+-~_", at most size - 1 of them)
 * into out. Returns 0, -ENOENT (not found, or an empty value), or -errno (a read failed).
 */
int check_versions_scan(int fd, const char *marker, uint64_t max, char *out, size_t size);

#endif /* LW_CHECK_VERSIONS_H */
