/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Releasing BPF links all at once: a release may wait for an RCU grace period in the kernel,
 * and releases that wait side by side take about as long as the longest instead of the sum
 * (those the kernel serialises, tracepoint links under bpf_event_mutex, still take theirs).
 */
#ifndef LW_LINK_RELEASE_H
#define LW_LINK_RELEASE_H

#include <stddef.h>

/* Releases one link (bpf_link__destroy() in llmwatch). Returns 0 or -errno. */
typedef int (*link_release_fn)(void *link);

/*
 * Calls release(links[i]) for every i, each from a thread of its own, and returns once all
 * have returned. A release whose thread cannot be started runs in the caller's thread,
 * after the others have been started. errs[i] gets each result. Returns 0, or the -errno of
 * the first link (by index) whose release failed; every link is released either way.
 */
int link_release_all(void *const *links, size_t n, link_release_fn release, int *errs);

#endif /* LW_LINK_RELEASE_H */
