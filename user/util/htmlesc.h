/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Escaping of untrusted bytes for HTML: the reversible form of util/escape.h (control bytes,
 * invalid UTF-8, bidirectional controls and line separators become visible "\xNN", a
 * backslash "\\"), with & < > " ' then written as character references. The result is safe
 * as HTML text and as the value of a quoted attribute (either quote), and is valid UTF-8;
 * it is not safe inside a script, a style, a URL or an unquoted attribute, and nothing may
 * put it there.
 */
#ifndef LW_HTMLESC_H
#define LW_HTMLESC_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes the escaped form of src[0..len) to dst, always NUL-terminated when dst_size > 0.
 * Returns the length the full form needs (excluding the NUL), like snprintf: a result >=
 * dst_size means dst holds a cut prefix that never ends inside an escape or a reference.
 */
size_t html_escape_bytes(char *dst, size_t dst_size, const char *src, size_t len);

/* html_escape_bytes() over a NUL-terminated string. */
size_t html_escape_str(char *dst, size_t dst_size, const char *src);

/* Writes the escaped form of src[0..len) to f. Returns 0, or -EIO if f reports an error. */
int html_escape_write(FILE *f, const char *src, size_t len);

#endif /* LW_HTMLESC_H */
