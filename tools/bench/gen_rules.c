// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Generated rule packs for the benchmarks (see gen_rules.h). */
#include "gen_rules.h"

#include <stdio.h>
#include <stdlib.h>

char *bench_generate_rules(unsigned int n)
{
	size_t cap = (size_t)n * 256 + 64, len = 0;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	len += (size_t)sprintf(t + len, "{\"rules\":[");
	for (unsigned int i = 0; i < n; i++) {
		char cond[160];
		const char *ev = "[\"connect\",\"send\"]";

		switch (i % 4) {
		case 0:
			snprintf(cond, sizeof(cond), "{\"host\":\"h%u.bench-exact.example\"}", i);
			break;
		case 1:
			snprintf(cond, sizeof(cond), "{\"host\":\"*.s%u.bench-suffix.example\"}",
				 i);
			break;
		case 2:
			/* spread over 11.0.0.0/8 with prefixes /16 to /32 */
			snprintf(cond, sizeof(cond), "{\"addr\":\"11.%u.%u.0/%d\"}", (i * 7) % 256,
				 (i * 13) % 256, 24);
			if (i % 8 == 2)
				snprintf(cond, sizeof(cond), "{\"addr\":\"11.%u.%u.%u/32\"}",
					 (i * 7) % 256, (i * 13) % 256, i % 256);
			break;
		default:
			ev = "\"open\"";
			if (i % 8 == 3)
				snprintf(cond, sizeof(cond), "{\"path\":\"/opt/bench/d%u/**\"}", i);
			else
				snprintf(cond, sizeof(cond), "{\"path\":\"~/bench%u/*.key\"}", i);
			break;
		}
		len += (size_t)snprintf(t + len, cap - len,
					"%s{\"id\":\"gen-%u\",\"description\":\"generated\","
					"\"severity\":\"low\",\"tools\":\"*\",\"event\":%s,"
					"\"conditions\":%s,\"message\":\"{tool} gen %u\"}",
					i ? "," : "", i, ev, cond, i);
	}
	snprintf(t + len, cap - len, "]}");
	return t;
}
