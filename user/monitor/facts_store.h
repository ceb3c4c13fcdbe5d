/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The process facts a replay restores from a capture (core/procfacts.h), waiting for the
 * record path to need them: where the live monitor read /proc (a process's executable, its
 * parent's, its command line, its network namespace), the replay's monitor looks here. In
 * arrival order per pid (a process that execs twice has two), bounded: when full, the oldest
 * is dropped (counted). Copies everything it is given.
 */
#ifndef LW_FACTS_STORE_H
#define LW_FACTS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/procfacts.h"

struct facts_store;

/* A store of at most max facts; NULL without memory. */
struct facts_store *facts_store_new(size_t max);
void facts_store_free(struct facts_store *s);

/*
 * Copies f in. Returns 0, 1 when the oldest fact was dropped to make room (never needed,
 * or its process never got here), or -ENOMEM (f not stored).
 */
int facts_store_add(struct facts_store *s, const struct proc_facts *f);

/*
 * The first fact of pid for the process that started at start_ns (any when start_ns is 0,
 * or the fact's is): facts of pid that started earlier belong to a process gone before this
 * one and are dropped; a later one is left for its own process. NULL when none. Valid until
 * the next add or take.
 */
const struct proc_facts *facts_store_find(struct facts_store *s, uint32_t pid, uint64_t start_ns);

/* Removes f (a pointer facts_store_find() returned): it was used. */
void facts_store_take(struct facts_store *s, const struct proc_facts *f);

/* Facts dropped unused (to make room, or older than their process), cumulative. */
uint64_t facts_store_dropped(const struct facts_store *s);

#endif /* LW_FACTS_STORE_H */
