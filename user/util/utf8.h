/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* UTF-8 validation, shared by the escaper and the rule-file reader. */
#ifndef LW_UTF8_H
#define LW_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the UTF-8 sequence at s (avail bytes available, avail >= 1): returns its length
 * (1-4) with the code point in *cp, or 0 if it is not valid UTF-8 (overlong forms,
 * surrogates, code points above U+10FFFF, cut sequences, stray continuation bytes).
 */
size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

#endif /* LW_UTF8_H */
