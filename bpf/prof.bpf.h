/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Stage timing of the watched paths, for finding where their nanoseconds go (make
 * PROFILE=1; tools/bpf_stages.py reads it). Compiled out of every other build: the marks
 * below are then empty statements and the map does not exist.
 *
 * kernel.bpf_stats_enabled gives one figure per program; this splits a program into
 * stages. Each mark reads the clock, files the time since the previous mark of the same
 * run into that stage's histogram (10 ns bins, the last one open-ended), and reads the
 * clock again, so the bookkeeping between two marks is not counted. A stage's figure
 * still holds one clock read (about 20-30 ns on a paravirtual clock): stage 0 is an empty
 * one, to subtract. A run goes from lw_prof_start() to lw_prof_end(); shared code marks
 * only inside one (a run left by an early return may file one stray figure).
 */
#ifndef LW_PROF_BPF_H
#define LW_PROF_BPF_H

#ifdef LW_PROFILE

/* Stages (the histogram rows, in this order in tools/bpf_stages.py). */
enum lw_prof_stage {
	LW_PROF_EMPTY = 0,   /* two marks in a row: the clock read itself, to subtract */
	LW_PROF_PREP,	     /* exit: registers, stash entry, scratch record: up to the header */
	LW_PROF_HDR_CLOCK,   /* lw_fill_hdr: the timestamp */
	LW_PROF_HDR_IDS,     /* lw_fill_hdr: tid and uid */
	LW_PROF_HDR_COMM,    /* lw_fill_hdr: comm */
	LW_PROF_BODY,	     /* the record's own fields: an open's path read, an address */
	LW_PROF_EMIT_QUERY,  /* lw_emit: the size, the ring's fill for the wakeup decision */
	LW_PROF_EMIT_OUTPUT, /* lw_emit: bpf_ringbuf_output (reserve, copy, commit) */
	LW_PROF_CG_COOKIE,   /* connect4/6: the socket cookie */
	LW_PROF_CG_CONNS,    /* connect4/6: the conns insert */
	LW_PROF_CG_MARK,     /* connect4/6: the socket's mark (socket storage, created) */
	LW_PROF_CG_STASH,    /* connect4/6: the call's stash entry, filled for the exit */
	LW_PROF_DROP,	     /* socket call exit: the stash entry dropped */
	LW_PROF_STAGES,
};

#define LW_PROF_BINS 100
#define LW_PROF_BIN_NS 10
/* the slot after the histograms: this CPU's time of its previous mark */
#define LW_PROF_LAST (LW_PROF_STAGES * LW_PROF_BINS)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LW_PROF_LAST + 1);
	__type(key, __u32);
	__type(value, __u64);
} lw_prof SEC(".maps") __weak;

/*
 * Files the time since the previous mark (or start) under stage. Task-context programs do
 * not nest on one CPU, so the per-CPU slot belongs to the current run.
 */
static __always_inline void lw_prof_mark(enum lw_prof_stage stage)
{
	__u64 now = bpf_ktime_get_ns(), bin, *last, *n;
	__u32 k = LW_PROF_LAST;

	last = bpf_map_lookup_elem(&lw_prof, &k);
	if (!last || !*last)
		return;
	bin = (now - *last) / LW_PROF_BIN_NS;
	if (bin >= LW_PROF_BINS)
		bin = LW_PROF_BINS - 1;
	k = stage * LW_PROF_BINS + bin;
	n = bpf_map_lookup_elem(&lw_prof, &k);
	if (n)
		*n += 1;
	*last = bpf_ktime_get_ns();
}

/* Starts a run, with an empty stage first (the clock read alone). */
static __always_inline void lw_prof_start(void)
{
	__u32 k = LW_PROF_LAST;
	__u64 *last = bpf_map_lookup_elem(&lw_prof, &k);

	if (!last)
		return;
	*last = bpf_ktime_get_ns();
	lw_prof_mark(LW_PROF_EMPTY);
}

/* Ends a run: marks in code that other programs share (lw_emit) file nothing after it. */
static __always_inline void lw_prof_end(void)
{
	__u32 k = LW_PROF_LAST;
	__u64 *last = bpf_map_lookup_elem(&lw_prof, &k);

	if (last)
		*last = 0;
}

#else

#define lw_prof_start() \
	do {            \
	} while (0)
#define lw_prof_mark(stage) \
	do {                \
	} while (0)
#define lw_prof_end() \
	do {          \
	} while (0)

#endif /* LW_PROFILE */

#endif /* LW_PROF_BPF_H */
