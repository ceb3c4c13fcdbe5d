// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counters of what was seen and what was lost (see stats.h). */
#include "core/stats.h"

#include <inttypes.h>

#include "core/event.h"

const char *stats_loss_reason_name(unsigned int reason)
{
	switch (reason) {
	case LW_LOSS_RESERVE:
		return "ring_full";
	case LW_LOSS_READ:
		return "read_failed";
	case LW_LOSS_MAP:
		return "map_full";
	case LW_LOSS_UNHOOKED:
		return "no_cgroup_hook";
	case LW_LOSS_LOOKUP:
		return "lookup_failed";
	}
	return "unknown";
}

uint64_t stats_kernel_losses(const struct lw_stats *s)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < LW_LOSS_SLOTS; i++)
		n += s->kernel_losses[i];
	return n;
}

uint64_t stats_total_losses(const struct lw_stats *s)
{
	return stats_kernel_losses(s) + s->decode_errors + s->proc_full + s->output_errors +
	       s->verdicts_dropped + s->names_dropped + s->cgroup_unattached + s->capture_lost;
}

void stats_loss_counters(const struct lw_stats *s, struct stats_loss_counter *out)
{
	const struct {
		const char *name;
		uint64_t value;
	} user[STATS_USER_LOSS_COUNTERS] = {
		{ "decode_errors", s->decode_errors },
		{ "proc_table_full", s->proc_full },
		{ "output_errors", s->output_errors },
		{ "verdicts_dropped", s->verdicts_dropped },
		{ "names_dropped", s->names_dropped },
		{ "cgroup_unattached", s->cgroup_unattached },
		{ "capture_records_lost", s->capture_lost },
	};

	for (unsigned int i = 0; i < LW_LOSS_SLOTS; i++) {
		out[i].type = event_type_name(i / LW_LOSS_REASON_MAX);
		out[i].reason = stats_loss_reason_name(i % LW_LOSS_REASON_MAX);
		out[i].value = s->kernel_losses[i];
	}
	for (unsigned int i = 0; i < STATS_USER_LOSS_COUNTERS; i++) {
		out[LW_LOSS_SLOTS + i].type = NULL;
		out[LW_LOSS_SLOTS + i].reason = user[i].name;
		out[LW_LOSS_SLOTS + i].value = user[i].value;
	}
}

void stats_print(const struct lw_stats *s, FILE *f)
{
	fprintf(f, "llmwatch: %" PRIu64 " records, %" PRIu64 " lost\n", s->records,
		stats_total_losses(s));
	for (unsigned int i = 0; i < LW_LOSS_SLOTS; i++) {
		if (!s->kernel_losses[i])
			continue;
		/*
		 * A flow whose socket the stop could not read is reported with what the map
		 * counted: its record is there, part of its count is what was lost.
		 */
		fprintf(f, "llmwatch: lost %s%" PRIu64 " %s records (%s)\n",
			i == LW_REC_CONN_BYTES * LW_LOSS_REASON_MAX + LW_LOSS_READ ? "part of " :
										     "",
			s->kernel_losses[i], event_type_name(i / LW_LOSS_REASON_MAX),
			stats_loss_reason_name(i % LW_LOSS_REASON_MAX));
	}
	if (s->decode_errors)
		fprintf(f, "llmwatch: lost %" PRIu64 " malformed records\n", s->decode_errors);
	if (s->proc_full)
		fprintf(f, "llmwatch: %" PRIu64 " processes not attributed (process table full)\n",
			s->proc_full);
	if (s->output_errors)
		fprintf(f, "llmwatch: lost %" PRIu64 " output lines (write failed)\n",
			s->output_errors);
	for (size_t i = 0; i < s->n_outputs && i < LW_OUTPUTS_MAX; i++) {
		if (s->outputs[i].errors)
			fprintf(f, "llmwatch: output %s: %" PRIu64 " writes failed\n",
				s->outputs[i].name, s->outputs[i].errors);
	}
	if (s->cgroup_unattached)
		fprintf(f,
			"llmwatch: %" PRIu64 " watched processes in cgroups the cgroup programs "
			"could not be attached to (their io_uring connects, bytes and names lost)\n",
			s->cgroup_unattached);
	if (s->verdicts_dropped)
		fprintf(f,
			"llmwatch: lost %" PRIu64 " rule verdicts (more matched one event than "
			"it can carry)\n",
			s->verdicts_dropped);
	if (s->capture_lost || s->capture_blocks_lost)
		fprintf(f,
			"llmwatch: --capture lost %" PRIu64 " records (%" PRIu64 " blocks not "
			"written)\n",
			s->capture_lost, s->capture_blocks_lost);
	if (s->names_dropped)
		fprintf(f,
			"llmwatch: %" PRIu64 " connections not named from their first bytes "
			"(stream table full)\n",
			s->names_dropped);
	if (s->payloads_malformed)
		fprintf(f,
			"llmwatch: %" PRIu64 " DNS answers or stream heads refused as malformed\n",
			s->payloads_malformed);
	if (s->names_evicted)
		fprintf(f,
			"llmwatch: %" PRIu64 " host names forgotten to make room (the host-name "
			"cache full, or an address past the names it keeps): later connections to "
			"those addresses may have gone unnamed\n",
			s->names_evicted);
	if (s->cmdline_unreadable || s->cmdline_cut)
		fprintf(f,
			"llmwatch: %" PRIu64 " watched programs' command lines unreadable (gone "
			"first), %" PRIu64 " cut: argv conditions matched neither\n",
			s->cmdline_unreadable, s->cmdline_cut);
	if (s->alerts_folded)
		fprintf(f,
			"llmwatch: %" PRIu64 " repeated alerts folded (counted in their "
			"summaries, not written one by one)\n",
			s->alerts_folded);
	if (s->fold_full)
		fprintf(f,
			"llmwatch: %" PRIu64 " fold windows closed early (table full; their "
			"summaries written then)\n",
			s->fold_full);
	if (s->rejected_procs)
		fprintf(f,
			"llmwatch: %" PRIu64 " name matches were not the tool (%" PRIu64
			" of their records ignored)\n",
			s->rejected_procs, s->rejected_records);
}
