/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The demo simulator's way into the test lab: its network namespace and a private home. */
#ifndef CHATTY_LAB_ENTER_H
#define CHATTY_LAB_ENTER_H

#include <stddef.h>

/*
 * Moves the calling process (root) into the lab's client network namespace NETNS (made by
 * tests/lab/lab.sh, under /run/netns) and into a mount namespace of its own, as `ip netns
 * exec` does: the files of /etc/netns/NETNS are bound over those of /etc, so names resolve
 * through the lab's DNS only. There, HOME_FROM is bound over the user's home directory (as
 * the user database names it), so the simulator's reads of "~/.ssh" and its model store
 * land in the demo's throwaway home, while llmwatch's rules (whose ~/ is a home from the
 * user database) see the paths a real tool would use. Nothing is visible outside the two
 * namespaces. Sets HOME. Returns 0, or -1 with a message in ERR.
 */
int lab_enter(const char *netns, const char *home_from, char *err, size_t errlen);

/*
 * Whether the calling process is in the network namespace NETNS: 0 yes, -1 (message in
 * ERR) no or unknown. The simulator talks to the network only when it is.
 */
int lab_check_netns(const char *netns, char *err, size_t errlen);

/* The running executable's path, for the re-exec (comm stays its base name): 0 or -1. */
int lab_self_exe(char *buf, size_t len, char *err, size_t errlen);

#endif
