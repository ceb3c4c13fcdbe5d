/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The default verb: load the BPF programs and stream attributed events until stopped. */
#ifndef LW_CMD_MONITOR_H
#define LW_CMD_MONITOR_H

/* The `llmwatch [monitor options]` verb. Returns the process exit status. */
int cmd_monitor(int argc, char **argv);

#endif /* LW_CMD_MONITOR_H */
