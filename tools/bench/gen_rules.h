/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Generated rule packs for the benchmarks (make bench-rules, make bench's replay). */
#ifndef LW_BENCH_GEN_RULES_H
#define LW_BENCH_GEN_RULES_H

/*
 * A rule file of n rules in the shapes real packs use, a quarter each: exact hosts,
 * *.suffixes, CIDRs (/16 to /32 in 11.0.0.0/8) and path globs (some under "~"). Returns a
 * malloc'd NUL-terminated JSON text, or NULL when out of memory.
 */
char *bench_generate_rules(unsigned int n);

#endif /* LW_BENCH_GEN_RULES_H */
