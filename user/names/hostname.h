/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Host-name validation shared by the DNS, TLS and HTTP parsers and the DNS cache: one
 * definition of "a name we are willing to print and match rules against".
 */
#ifndef LW_HOSTNAME_H
#define LW_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

/* Longest dotted name (RFC 1035: 255 wire octets = 253 characters), and a buffer for it. */
#define HOSTNAME_MAX 253
#define HOSTNAME_BUF (HOSTNAME_MAX + 1)
#define HOSTNAME_LABEL_MAX 63

/*
 * True for the bytes a host-name label may hold here: ASCII letters, digits, '-' and '_'
 * (underscore is not LDH but real names such as _dmarc or badly named CDN hosts use it).
 * Everything else, notably '.', NUL, space and control bytes, is refused so that a label
 * can never smuggle a dot (spoofing another name) or a terminal escape.
 */
bool hostname_char_ok(unsigned char c);

/*
 * Validates src[0..len) as a dotted host name and writes it lower-cased, without one
 * trailing dot, NUL-terminated, to dst. Labels are 1..63 allowed characters, the whole
 * name 1..253 characters. Returns the length written, -EINVAL if src is not such a name
 * (dst then holds ""), or -ENOSPC if dst_size is too small (dst then holds "" as well).
 */
int hostname_normalize(char *dst, size_t dst_size, const char *src, size_t len);

/*
 * True if the normalized name is an IPv4 literal (dotted digits only): such a "name" says
 * nothing the address does not already say. IPv6 literals never pass hostname_normalize.
 */
bool hostname_is_ipv4_literal(const char *name);

#endif /* LW_HOSTNAME_H */
