/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Validation and decoding of ring-buffer records (and, later, capture-file records). */
#ifndef LW_DECODE_H
#define LW_DECODE_H

#include <stddef.h>

#include "core/event.h"

/*
 * Checks that data[0..len) is a well-formed record of a known type and version and fills
 * ev from it. Pointers in ev point into data. Process-table fields (ppid, exe, tool name)
 * are left for the caller: tool is "", exe is "".
 * Returns 0, -EPROTO for an unknown version, -ENOMSG for an unknown type, or -EBADMSG when
 * the record is shorter than its type needs or a length field points outside it.
 */
int event_decode(const void *data, size_t len, struct lw_event *ev);

#endif /* LW_DECODE_H */
