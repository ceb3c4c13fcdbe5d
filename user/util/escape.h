/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Escaping of untrusted bytes (process names, paths, packet contents) before they reach a
 * terminal, a log or a JSON document. One reversible form everywhere: printable ASCII and
 * valid UTF-8 pass through, a backslash becomes "\\", \n \r \t stay as those two-character
 * escapes, and every other control byte, DEL, or byte that is not part of valid UTF-8
 * becomes "\xNN", as do the bytes of the characters that steer a terminal or reorder or
 * break what a person reads although valid (C1 controls, bidirectional overrides and
 * isolates, the line and paragraph separators U+2028 and U+2029). So a name can never move
 * the cursor, fake a log line or break JSON, and two different inputs never print the same.
 */
#ifndef LW_ESCAPE_H
#define LW_ESCAPE_H

#include <stddef.h>

/*
 * Writes the escaped form of src[0..len) to dst, always NUL-terminated when dst_size > 0.
 * Returns the length the full escaped form needs (excluding the NUL), like snprintf: a
 * result >= dst_size means dst holds a cut, still valid, prefix (never half an escape).
 */
size_t escape_bytes(char *dst, size_t dst_size, const char *src, size_t len);

/*
 * One step of escape_bytes(), for escapers of other formats built on the same form
 * (util/htmlesc.c; util/jsonw.c, which escapes and JSON-quotes in one pass): the escaped form of the character at src (len >= 1 bytes left) is put
 * in *piece, either pointing into src (passed as it is) or into buf, with its length in *n
 * (1-4). Returns how many bytes of src it stands for (>= 1).
 */
size_t escape_step(const char *src, size_t len, char buf[4], const char **piece, size_t *n);

/* escape_bytes() over a NUL-terminated string. */
size_t escape_str(char *dst, size_t dst_size, const char *src);

#endif /* LW_ESCAPE_H */
