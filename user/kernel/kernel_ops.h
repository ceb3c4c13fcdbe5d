/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel side as the monitor sees it (struct monitor_kernel_ops) over a started BPF
 * loader: the monitor's kctx is the struct bpf_loader.
 */
#ifndef LW_KERNEL_OPS_H
#define LW_KERNEL_OPS_H

#include "monitor/monitor.h"

extern const struct monitor_kernel_ops kernel_ops_bpf;

#endif /* LW_KERNEL_OPS_H */
