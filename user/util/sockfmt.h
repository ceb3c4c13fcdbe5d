/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Text forms of socket addresses, families, socket types and errno values. */
#ifndef LW_SOCKFMT_H
#define LW_SOCKFMT_H

#include <stddef.h>
#include <stdint.h>

#include "llmwatch/events.h"

#define SOCKFMT_ADDR_LEN 64

/* The address alone ("10.0.0.1", "::1", "" for none). */
const char *sockfmt_addr(const struct lw_sockaddr *a, char buf[SOCKFMT_ADDR_LEN]);

/* "ipv4", "ipv6", "unix", "none" or "family-N". */
const char *sockfmt_family(uint16_t family, char buf[16]);

/* "stream", "dgram", "raw", "seqpacket", "" for 0, "type-N" otherwise. */
const char *sockfmt_socktype(uint32_t type, char buf[16]);

/*
 * Why a connection's or flow's count was reported (LW_CLOSE_*): "tcp_close", "exit",
 * "end", "socket_closed", "interim", or "" for an unknown number.
 */
const char *sockfmt_close_reason(uint32_t reason);

/* The errno name of a negative result ("ECONNREFUSED"), or NULL for ret >= 0. */
const char *sockfmt_errno_name(int64_t ret);

#endif /* LW_SOCKFMT_H */
