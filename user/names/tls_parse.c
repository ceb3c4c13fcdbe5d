// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TLS ClientHello parser: record reassembly and the SNI host_name (tls_parse.h). */
#include "names/tls_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define TLS_REC_HDR 5
#define TLS_REC_MAX 16384 /* RFC 8446 5.1: a plaintext record carries at most 2^14 bytes */
#define TLS_CT_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_HDR 4
#define TLS_EXT_SERVER_NAME 0
#define TLS_SNI_HOST_NAME 0

/*
 * A reader over the reassembled hello. Two limits: `end` is what the enclosing length
 * field declares (crossing it is malformed), `avail` is what we hold (crossing it means
 * the caller has not given us enough bytes yet).
 */
struct tls_cur {
	const uint8_t *p;
	size_t off, end, avail;
	int short_err; /* -EAGAIN, or -EMSGSIZE when the hello was cut at TLS_HELLO_MAX */
};

static int tls_need(const struct tls_cur *c, size_t n)
{
	if (n > c->end - c->off)
		return -EINVAL;
	/* off may already be past avail: a skipped extension can end beyond what we hold. */
	if (c->off > c->avail || n > c->avail - c->off)
		return c->short_err;
	return 0;
}

static int tls_u8(struct tls_cur *c, size_t *v)
{
	int err = tls_need(c, 1);

	if (err)
		return err;
	*v = c->p[c->off++];
	return 0;
}

static int tls_u16(struct tls_cur *c, size_t *v)
{
	int err = tls_need(c, 2);

	if (err)
		return err;
	*v = (size_t)c->p[c->off] << 8 | c->p[c->off + 1];
	c->off += 2;
	return 0;
}

static int tls_skip(struct tls_cur *c, size_t n)
{
	int err = tls_need(c, n);

	if (err)
		return err;
	c->off += n;
	return 0;
}

/*
 * Opens a sub-range of n declared bytes at the cursor: the caller reads it through `sub`
 * and then continues after it. Only the declared end is checked here, not what we hold.
 */
static int tls_sub(struct tls_cur *c, size_t n, struct tls_cur *sub)
{
	if (n > c->end - c->off)
		return -EINVAL;
	*sub = *c;
	sub->end = c->off + n;
	c->off += n;
	return 0;
}

/* The server_name extension body: a list of (type, name); RFC 6066 section 3. */
static int tls_server_name(struct tls_cur *ext, char *host, size_t host_size)
{
	struct tls_cur list;
	size_t list_len;
	int err;

	if ((err = tls_u16(ext, &list_len)))
		return err;
	if (list_len != ext->end - ext->off || list_len == 0)
		return -EINVAL;
	if ((err = tls_sub(ext, list_len, &list)))
		return err;
	while (list.off < list.end) {
		size_t type, name_len;

		if ((err = tls_u8(&list, &type)) || (err = tls_u16(&list, &name_len)))
			return err;
		if (type != TLS_SNI_HOST_NAME) {
			if ((err = tls_skip(&list, name_len)))
				return err;
			continue;
		}
		if (name_len == 0)
			return -EINVAL;
		if ((err = tls_need(&list, name_len)))
			return err;
		err = hostname_normalize(host, host_size, (const char *)list.p + list.off,
					 name_len);
		return err < 0 ? -EINVAL : 0;
	}
	return -ENOENT;
}

/* The ClientHello body after the 4-byte handshake header (RFC 8446 section 4.1.2). */
static int tls_client_hello(struct tls_cur *c, char *host, size_t host_size)
{
	struct tls_cur exts;
	size_t n;
	int err;

	if ((err = tls_skip(c, 2 + 32))) /* legacy_version, random */
		return err;
	if ((err = tls_u8(c, &n)))
		return err;
	if (n > 32)
		return -EINVAL;
	if ((err = tls_skip(c, n))) /* legacy_session_id */
		return err;
	if ((err = tls_u16(c, &n)))
		return err;
	if (n < 2 || n % 2)
		return -EINVAL;
	if ((err = tls_skip(c, n))) /* cipher_suites */
		return err;
	if ((err = tls_u8(c, &n)))
		return err;
	if (n < 1)
		return -EINVAL;
	if ((err = tls_skip(c, n))) /* legacy_compression_methods */
		return err;
	if (c->off == c->end)
		return -ENOENT; /* a hello without extensions (SSL 3.0 style) */
	if ((err = tls_u16(c, &n)))
		return err;
	if (n != c->end - c->off)
		return -EINVAL;
	if ((err = tls_sub(c, n, &exts)))
		return err;
	while (exts.off < exts.end) {
		struct tls_cur ext;
		size_t type, ext_len;

		if ((err = tls_u16(&exts, &type)) || (err = tls_u16(&exts, &ext_len)))
			return err;
		if ((err = tls_sub(&exts, ext_len, &ext)))
			return err;
		if (type != TLS_EXT_SERVER_NAME)
			continue;
		err = tls_server_name(&ext, host, host_size);
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

/* The first record header (or the part of it present) decides whether this is TLS at all. */
static bool tls_looks_like_hello_start(const uint8_t *p, size_t len)
{
	if (len >= 1 && p[0] != TLS_CT_HANDSHAKE)
		return false;
	if (len >= 2 && p[1] != 3)
		return false;
	if (len >= 3 && p[2] > 4) /* 3.0 (SSL 3) .. 3.4; anything later is not TLS 1.x */
		return false;
	return true;
}

int tls_parse_sni(const void *buf, size_t len, char *host, size_t host_size)
{
	const uint8_t *p = buf;
	uint8_t hs[TLS_HELLO_MAX];
	size_t hs_avail = 0, hs_need = 0, off = 0;
	bool capped = false;
	struct tls_cur c;
	int err;

	if (host_size > 0)
		host[0] = '\0';
	if (host_size < HOSTNAME_BUF)
		return -ENOSPC;
	if (!tls_looks_like_hello_start(p, len))
		return -ENOMSG;

	/* Reassemble the handshake message from consecutive handshake records. */
	for (;;) {
		if (hs_need && hs_avail >= hs_need)
			break;
		if (hs_avail == sizeof(hs)) {
			capped = true;
			break;
		}
		if (off == len)
			break;
		if (!tls_looks_like_hello_start(p + off, len - off))
			return off == 0 ? -ENOMSG : -EINVAL;
		if (len - off < TLS_REC_HDR)
			break;
		size_t rlen = (size_t)p[off + 3] << 8 | p[off + 4];

		if (rlen == 0 || rlen > TLS_REC_MAX)
			return -EINVAL;
		off += TLS_REC_HDR;
		size_t take = rlen < len - off ? rlen : len - off;

		if (take > sizeof(hs) - hs_avail)
			take = sizeof(hs) - hs_avail;
		memcpy(hs + hs_avail, p + off, take);
		hs_avail += take;
		off += take;
		if (take < rlen && off < len)
			capped = true; /* stopped by our buffer, not by the input */
		if (hs_avail >= 1 && hs[0] != TLS_HS_CLIENT_HELLO)
			return -ENOMSG;
		if (!hs_need && hs_avail >= TLS_HS_HDR)
			hs_need = TLS_HS_HDR + ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
		/* Bytes after the hello belong to no one we care about. */
		if (hs_need && hs_avail > hs_need)
			hs_avail = hs_need;
		if (capped)
			break;
	}
	if (hs_avail < TLS_HS_HDR)
		return -EAGAIN;

	c.p = hs;
	c.off = TLS_HS_HDR;
	c.end = hs_need;
	c.avail = hs_avail;
	c.short_err = capped ? -EMSGSIZE : -EAGAIN;
	err = tls_client_hello(&c, host, host_size);
	if (err)
		host[0] = '\0';
	return err;
}
