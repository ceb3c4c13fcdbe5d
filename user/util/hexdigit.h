/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The value of one hexadecimal digit: the parsers of untrusted text (escapes in systemd
 * units and unit names, SHA-256 digests) each needed it, and had each a copy.
 */
#ifndef LW_HEXDIGIT_H
#define LW_HEXDIGIT_H

/* 0-15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for any other byte. */
static inline int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

#endif /* LW_HEXDIGIT_H */
