/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The audit's offline table of known vulnerabilities of the inference tools, each with its
 * CVE id, the versions it affects and a citation (research/inference-tools.md), and the
 * version comparison the versions check uses to match a tool's version against it.
 */
#ifndef LW_VERSION_VULNS_H
#define LW_VERSION_VULNS_H

#include <stdbool.h>
#include <stddef.h>

struct version_vuln {
	const char *tool; /* profile name: "ollama" */
	const char *id;	  /* "CVE-2024-37032" */
	/*
	 * The affected versions: below fixed (the first fixed release), or, when only the
	 * last affected release is known, up to and including last_affected. One of the two.
	 */
	const char *fixed;
	const char *last_affected;
	const char *what;   /* one line: what an attacker can do */
	const char *source; /* where the table has it from */
};

extern const struct version_vuln version_vulns[];
extern const size_t version_n_vulns;

/*
 * Compares two release versions: "0.1.34", "v0.17.1", "0.33.0-rc2". Numeric fields are
 * compared as numbers (a missing field is 0: "0.17" == "0.17.0"); a pre-release suffix
 * ("-rc1", "~rc1") sorts before its release, and pre-releases among themselves in natural
 * order ("rc2" < "rc10"); "+build" metadata is ignored. Returns 0 and *out (<0, 0, >0), or
 * -EINVAL when either is not such a version (nothing written).
 */
int version_cmp(const char *a, const char *b, int *out);

/*
 * Whether version is affected by v: 1 yes, 0 no, -EINVAL when version is not comparable.
 */
int version_affected(const struct version_vuln *v, const char *version);

/*
 * The upstream version in a Debian package version ("1:0.1.32-2" -> "0.1.32",
 * "5882+dfsg-3" -> "5882+dfsg"): the epoch and the Debian revision (after the last '-')
 * removed. Returns 0, or -ENAMETOOLONG (out cut) / -EINVAL (empty).
 */
int version_from_dpkg(const char *dpkg, char *out, size_t size);

#endif /* LW_VERSION_VULNS_H */
