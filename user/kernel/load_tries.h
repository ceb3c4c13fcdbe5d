/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The order in which bpf_loader_start() gives up its optional choices when the kernel
 * refuses the programs: a choice found by probing (a hook attaches, a kfunc is named in the
 * kernel's BTF) can still fail at load time (a verifier older or stricter than the probe
 * can tell), and llmwatch then loads without it and says so, rather than not start.
 * Pure logic, no kernel: the unit test walks it.
 */
#ifndef LW_LOAD_TRIES_H
#define LW_LOAD_TRIES_H

#include <stdbool.h>
#include <stddef.h>

/* One way to load the programs: which of the optional choices it keeps. */
struct load_try {
	bool sysfx;    /* fentry/fexit on the syscalls' entry points, no syscall tracepoint */
	bool khooks;   /* the fentry/fexit programs below the syscall (file and socket) */
	bool regs;     /* the exits read the arguments from the saved registers */
	bool task;     /* call state in task storage (with regs) */
	bool skb_cast; /* the egress program tests the socket's storage pointer first */
	bool conn_sk;  /* TCP connections kept in socket storage, not in `conns` */
};

/* What the kernel was found to offer, and what the options force. */
struct load_choices {
	bool sysfx, khooks, regs, task, skb_cast, conn_sk;
	bool sysfx_forced; /* --syscall-hooks fexit: no try without sysfx */
};

struct load_tries {
	struct load_try cur; /* the try to make now */
	size_t order[12];    /* indexes into the ladder, of the tries the choices allow */
	size_t n, at;	     /* how many, and which of them cur is */
};

/* Sets t->cur to the first try. Every choice allows at least one try. */
void load_tries_init(struct load_tries *t, const struct load_choices *c);

/* Whether t->cur is the last try: its failure is llmwatch's. */
bool load_tries_last(const struct load_tries *t);

/*
 * After t->cur failed to load: moves t->cur to the next try and returns what it gives up,
 * for the warning ("loading with %s failed; trying without"), or NULL (t->cur unchanged)
 * when t->cur was the last. The egress program's storage-pointer test is given up first,
 * then TCP connections in socket storage, each for good: they only save time, and they were
 * found by probes, not by loading the programs that use them.
 */
const char *load_tries_give_up(struct load_tries *t);

#endif /* LW_LOAD_TRIES_H */
