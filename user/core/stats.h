/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Counters of what was seen and what was lost, kernel and user side. A security tool that
 * drops events silently lies: every loss lands here and is shown in the exit summary.
 */
#ifndef LW_STATS_H
#define LW_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "llmwatch/events.h"

/* The most outputs (--output) one run writes to. */
#define LW_OUTPUTS_MAX 8

/* One output's failures: writes or flushes that failed, each losing one line or more. */
struct lw_output_stats {
	const char *name; /* as given: "text", "json:/var/log/x" */
	uint64_t errors;
};

struct lw_stats {
	uint64_t kernel_losses[LW_LOSS_SLOTS]; /* summed over CPUs at the last read */
	uint64_t records;		       /* records received from the kernel */
	uint64_t by_type[LW_REC_TYPE_MAX];
	uint64_t decode_errors;	      /* malformed records: lost */
	uint64_t proc_full;	      /* process-table entries refused: attribution lost */
	uint64_t cgroup_unattached;   /* watched processes whose cgroup the cgroup
						 * programs could not be attached to */
	uint64_t output_errors;	      /* lines the sinks failed to write: lost */
	uint64_t rejected_records;    /* records of rejected candidates, dropped on purpose */
	uint64_t rejected_procs;      /* candidates whose identity was not confirmed */
	uint64_t verdicts_dropped;    /* verdicts beyond the most one event can carry: lost */
	uint64_t names_dropped;	      /* stream heads forgotten, table full: names lost */
	uint64_t capture_lost;	      /* records --capture lost (blocks not written, no file) */
	uint64_t capture_blocks_lost; /* blocks --capture could not write (records or not) */
	uint64_t payloads_malformed;  /* DNS/TLS/HTTP bytes the parsers refused */
	uint64_t alerts_folded;	      /* repeated alerts written only as a fold summary's count */
	uint64_t fold_full;	      /* fold windows closed early (table full): summary written */
	/*
	 * Host names the cache pushed out for newer ones (it was full, or the address had all
	 * the names it keeps): not a lost record, but a later connection to such an address
	 * may go unnamed (or be named by its own stream only).
	 */
	uint64_t names_evicted;
	/*
	 * Watched programs whose command line the rules could not see whole (docs/rules.md,
	 * "argv"): gone before it was read, or longer than the process table keeps.
	 */
	uint64_t cmdline_unreadable;
	uint64_t cmdline_cut;
	/*
	 * Per output, when the events go through a tee (sink_tee.h); output_errors above
	 * counts the events that did not reach every output, as with one sink.
	 */
	struct lw_output_stats outputs[LW_OUTPUTS_MAX];
	size_t n_outputs;
	/*
	 * The ring buffer's fill in bytes, sampled before each drain (kernel/ring_fill.c):
	 * the last sample and the highest. ring_size 0: the fill could not be read.
	 */
	uint64_t ring_size, ring_used, ring_used_peak;
};

/* One loss counter, as loss alerts and metrics name it. */
struct stats_loss_counter {
	const char *type;   /* kernel counters: the record type ("open"); user side: NULL */
	const char *reason; /* kernel: "ring_full", ...; user side: the counter ("decode_errors") */
	uint64_t value;
};

/* Every loss counter: the kernel's type x reason slots, then the user side's. */
#define STATS_USER_LOSS_COUNTERS 7
#define STATS_LOSS_COUNTERS (LW_LOSS_SLOTS + STATS_USER_LOSS_COUNTERS)

/*
 * Fills out[STATS_LOSS_COUNTERS], always in the same order (kernel slots by type and
 * reason, then decode_errors, proc_table_full, output_errors, verdicts_dropped,
 * names_dropped, cgroup_unattached, capture_records_lost). Their sum is stats_total_losses().
 */
void stats_loss_counters(const struct lw_stats *s, struct stats_loss_counter *out);

/* What a loss alert (LW_EV_LOSSES) carries: the counters that grew since the last one. */
struct stats_loss_report {
	struct {
		const char *type, *reason; /* as in struct stats_loss_counter */
		uint64_t increase;	   /* since the last loss alert (or the start) */
		uint64_t total;		   /* since the start */
	} grew[STATS_LOSS_COUNTERS];
	size_t n_grew;
	uint64_t increase; /* the sum of grew[].increase */
	uint64_t total;	   /* everything lost since the start (stats_total_losses()) */
	double seconds;	   /* since the last loss alert (or the start) */
};

/* Name of a loss reason ("ring_full", "read_failed", "map_full"). */
const char *stats_loss_reason_name(unsigned int reason);

/* Kernel losses over all types and reasons. */
uint64_t stats_kernel_losses(const struct lw_stats *s);

/* Everything lost, kernel and user side. */
uint64_t stats_total_losses(const struct lw_stats *s);

/*
 * Writes the human summary ("llmwatch: 1234 records, 0 lost" and one line per non-zero loss
 * counter with its record type and reason, and per output that failed) to f.
 */
void stats_print(const struct lw_stats *s, FILE *f);

#endif /* LW_STATS_H */
