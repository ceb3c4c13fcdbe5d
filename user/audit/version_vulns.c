// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The known vulnerabilities the versions check matches installed tools against
 * (version_vulns.h). Only what research/inference-tools.md cites is here, with its
 * confidence: a row without a fixed version there (llama.cpp's GGUF CVEs are given against
 * a commit, not a build number) cannot be matched and is left out.
 */
#include "audit/version_vulns.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define RESEARCH "research/inference-tools.md section 1, Known issues"

const struct version_vuln version_vulns[] = {
	{ "ollama", "CVE-2024-28224", "0.1.29", NULL,
	  "DNS rebinding: a web page reaches the local API",
	  "NVD (text on security-resilience.ai) [H]; " RESEARCH },
	{ "ollama", "CVE-2024-37032", "0.1.34", NULL,
	  "\"Probllama\": an unvalidated digest lets a rogue registry's manifest traverse "
	  "paths through /api/pull",
	  "GHSA-8hqg-whrw-pv92; fix ollama commit 2a21363bb [H]; " RESEARCH },
	{ "ollama", "CVE-2024-45436", "0.1.47", NULL, "ZIP extraction path traversal",
	  "Juniper signature page [M]; " RESEARCH },
	{ "ollama", "CVE-2026-7482", "0.17.1", NULL,
	  "\"Bleeding Llama\": heap out-of-bounds read in the GGUF loader, exfiltrated through "
	  "/api/push",
	  "osv.dev/CVE-2026-7482 [H]; " RESEARCH },
	{ "ollama", "CVE-2026-7020", NULL, "0.20.2",
	  "digestToPath path traversal in x/imagegen/transfer", "[M]; " RESEARCH },
};

const size_t version_n_vulns = sizeof(version_vulns) / sizeof(version_vulns[0]);

#define VERSION_FIELDS 6

struct parsed_version {
	uint64_t n[VERSION_FIELDS];
	const char *pre; /* the pre-release tag after '-' or '~', or NULL */
	size_t pre_len;
};

static int parse_version(const char *s, struct parsed_version *v)
{
	size_t i = 0;

	memset(v, 0, sizeof(*v));
	if (*s == 'v' || *s == 'V')
		s++;
	for (;;) {
		uint64_t x = 0;
		int digits = 0;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s)) {
			/* 18 digits fit in 64 bits: a longer field is not a version. */
			if (++digits > 18)
				return -EINVAL;
			x = x * 10 + (uint64_t)(*s++ - '0');
		}
		if (i == VERSION_FIELDS)
			return -EINVAL;
		v->n[i++] = x;
		if (*s != '.')
			break;
		s++;
	}
	if (*s == '-' || *s == '~') {
		s++;
		v->pre = s;
		v->pre_len = strcspn(s, "+");
		if (!v->pre_len)
			return -EINVAL;
		s += v->pre_len;
	}
	if (*s == '+')
		return s[1] ? 0 : -EINVAL;
	return *s ? -EINVAL : 0;
}

int version_cmp(const char *a, const char *b, int *out)
{
	struct parsed_version x, y;
	char pa[64], pb[64];

	if (parse_version(a, &x) || parse_version(b, &y))
		return -EINVAL;
	for (size_t i = 0; i < VERSION_FIELDS; i++)
		if (x.n[i] != y.n[i]) {
			*out = x.n[i] < y.n[i] ? -1 : 1;
			return 0;
		}
	if (!x.pre || !y.pre) {
		/* A release sorts after its pre-releases. */
		*out = x.pre ? -1 : y.pre ? 1 : 0;
		return 0;
	}
	snprintf(pa, sizeof(pa), "%.*s", (int)x.pre_len, x.pre);
	snprintf(pb, sizeof(pb), "%.*s", (int)y.pre_len, y.pre);
	*out = strverscmp(pa, pb);
	*out = *out < 0 ? -1 : *out > 0;
	return 0;
}

int version_affected(const struct version_vuln *v, const char *version)
{
	int r;

	if (v->fixed) {
		if (version_cmp(version, v->fixed, &r))
			return -EINVAL;
		return r < 0;
	}
	if (!v->last_affected || version_cmp(version, v->last_affected, &r))
		return -EINVAL;
	return r <= 0;
}

int version_from_dpkg(const char *dpkg, char *out, size_t size)
{
	const char *s = dpkg, *colon = strchr(dpkg, ':'), *dash;
	size_t n;

	/* The epoch is digits before the first ':'. */
	if (colon && colon > s && strspn(s, "0123456789") == (size_t)(colon - s))
		s = colon + 1;
	dash = strrchr(s, '-');
	n = dash ? (size_t)(dash - s) : strlen(s);
	if (!n || !size)
		return -EINVAL;
	if (n >= size) {
		snprintf(out, size, "%.*s", (int)(size - 1), s);
		return -ENAMETOOLONG;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}
