// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Lexical path normalization, so that rules see "/a/./b/../c" as "/a/c" (events carry the
 * path the tool wrote, not the file it reached).
 */
#include "rules/rules_int.h"

#include <string.h>

size_t rules_path_normalize(char *dst, const char *src, size_t len)
{
	bool abs = len && src[0] == '/';
	size_t out = 0, root = abs ? 1 : 0, i = 0;

	if (abs)
		dst[out++] = '/';
	while (i < len) {
		size_t j = i, clen;

		while (j < len && src[j] != '/')
			j++;
		clen = j - i;
		if (clen == 0 || (clen == 1 && src[i] == '.')) {
			/* skip */
		} else if (clen == 2 && src[i] == '.' && src[i + 1] == '.') {
			size_t last = out;

			while (last > root && dst[last - 1] != '/')
				last--;
			/* [last, out) is the previous component */
			if (out > root &&
			    !(out - last == 2 && dst[last] == '.' && dst[last + 1] == '.')) {
				out = last > root ? last - 1 : root;
			} else if (!abs) {
				if (out > root)
					dst[out++] = '/';
				dst[out++] = '.';
				dst[out++] = '.';
			}
		} else {
			if (out > root)
				dst[out++] = '/';
			memcpy(dst + out, src + i, clen);
			out += clen;
		}
		i = j + 1;
	}
	dst[out] = '\0';
	return out;
}
