/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Text forms of open(2) flags. */
#ifndef LW_OPENFLAGS_H
#define LW_OPENFLAGS_H

#include <stddef.h>
#include <stdint.h>

/* "read", "write" or "rdwr": the access mode of flags. */
const char *openflags_access(uint64_t flags);

/* "O_RDONLY|O_CLOEXEC|...", unknown bits as a hex remainder. Returns buf. */
const char *openflags_str(uint64_t flags, char *buf, size_t size);

#endif /* LW_OPENFLAGS_H */
