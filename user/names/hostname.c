// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Host-name validation and normalization shared by the host-naming parsers (hostname.h). */
#include "names/hostname.h"

#include <errno.h>

bool hostname_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int hostname_normalize(char *dst, size_t dst_size, const char *src, size_t len)
{
	size_t label = 0;

	if (dst_size == 0)
		return -ENOSPC;
	dst[0] = '\0';
	/* One trailing dot is the absolute form of the same name ("example.com."). */
	if (len > 1 && src[len - 1] == '.')
		len--;
	if (len == 0 || len > HOSTNAME_MAX)
		return -EINVAL;
	if (len >= dst_size)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '.') {
			if (label == 0)
				goto bad; /* empty label: ".x", "a..b" */
			label = 0;
			dst[i] = '.';
			continue;
		}
		if (!hostname_char_ok(c) || ++label > HOSTNAME_LABEL_MAX)
			goto bad;
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	if (label == 0)
		goto bad;
	dst[len] = '\0';
	return (int)len;
bad:
	dst[0] = '\0';
	return -EINVAL;
}

bool hostname_is_ipv4_literal(const char *name)
{
	int dots = 0;

	for (const char *p = name; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return dots == 3;
}
