// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address prefixes ("10.0.0.0/8", "fe80::/10") as rules write them, and the classes of
 * addresses (loopback, private, public...) the condition "addr_class" names.
 */
#include "rules/rules_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>

static inline unsigned int bit_at(const uint8_t *a, unsigned int i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int rules_cidr_parse(const char *s, struct rules_cidr *out, const char **why)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int maxbits, prefix;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
		maxbits = 128;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	prefix = maxbits;
	if (slash) {
		const char *p = slash + 1;

		if (!*p || strlen(p) > 3) {
			*why = "the prefix length must be a number";
			return -EINVAL;
		}
		prefix = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p)) {
				*why = "the prefix length must be a number";
				return -EINVAL;
			}
			prefix = prefix * 10 + (unsigned int)(*p - '0');
		}
		if (prefix > maxbits) {
			*why = out->family == 4 ? "the prefix length must be 0-32" :
						  "the prefix length must be 0-128";
			return -EINVAL;
		}
	}
	for (unsigned int i = prefix; i < maxbits; i++) {
		if (bit_at(out->addr, i)) {
			*why = "address bits are set after the prefix length";
			return -EINVAL;
		}
	}
	out->prefix = (uint8_t)prefix;
	/* events carry v4-mapped addresses as IPv4 (see rules_match.c), so rules must too */
	if (out->family == 6 && prefix >= 96 && memcmp(out->addr, v4mapped_prefix, 12) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = 4;
		out->prefix = (uint8_t)(prefix - 96);
	}
	return 0;
}

bool rules_cidr_contains(const struct rules_cidr *c, int family, const uint8_t *addr)
{
	unsigned int full = c->prefix / 8, rest = c->prefix % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((c->addr[full] & mask) != (addr[full] & mask))
			return false;
	}
	return true;
}

static uint32_t class4(const uint8_t *a)
{
	if (a[0] == 127)
		return RULES_C_LOOPBACK;
	if (a[0] == 0)
		return RULES_C_ANY;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64))
		return RULES_C_PRIVATE;
	if (a[0] == 169 && a[1] == 254)
		return RULES_C_LINK_LOCAL;
	if ((a[0] & 0xf0) == 224 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255))
		return RULES_C_MULTICAST;
	return RULES_C_PUBLIC;
}

static uint32_t class6(const uint8_t *a)
{
	static const uint8_t zero[16];

	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return RULES_C_LOOPBACK;
	if (memcmp(a, zero, 16) == 0)
		return RULES_C_ANY;
	if ((a[0] & 0xfe) == 0xfc)
		return RULES_C_PRIVATE;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return RULES_C_LINK_LOCAL;
	if (a[0] == 0xff)
		return RULES_C_MULTICAST;
	return RULES_C_PUBLIC;
}

uint32_t rules_cidr_class(int family, const uint8_t *addr)
{
	return family == 4 ? class4(addr) : class6(addr);
}
