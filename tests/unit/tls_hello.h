/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TLS ClientHello handshake messages for the TLS parser tests and the replay benchmark,
 * written with bytebuf.h: a TLS 1.3-style hello with supported_versions, an optional
 * server_name, optional padding before or after it, and ALPN h2.
 */
#ifndef LW_TLS_HELLO_H
#define LW_TLS_HELLO_H

#include <stdbool.h>

#include "bytebuf.h"

static inline void tls_put_padding(struct bytebuf *ext, size_t pad)
{
	put16(ext, 21);
	put16(ext, (unsigned int)pad);
	memset(ext->b + ext->n, 0, pad);
	ext->n += pad;
}

/*
 * The handshake message (type, 24-bit length, body) of a ClientHello, with a padding
 * extension (21) of pad bytes before the server name, or after it when pad_after.
 */
static inline void tls_hello_msg(struct bytebuf *hs, const char *name, size_t name_len,
				 bool with_sni, size_t pad, bool pad_after)
{
	static struct bytebuf body, ext;

	body.n = ext.n = 0;

	put16(&body, 0x0303);
	for (int i = 0; i < 32; i++)
		put8(&body, (unsigned int)i);
	put8(&body, 32);
	for (int i = 0; i < 32; i++)
		put8(&body, 0xa0);
	put16(&body, 4);
	put16(&body, 0x1301);
	put16(&body, 0xc02f);
	put8(&body, 1);
	put8(&body, 0);

	/* supported_versions first, so the SNI is not at a fixed place */
	put16(&ext, 43);
	put16(&ext, 3);
	put8(&ext, 2);
	put16(&ext, 0x0304);
	if (pad && !pad_after)
		tls_put_padding(&ext, pad);
	if (with_sni) {
		put16(&ext, 0);
		put16(&ext, (unsigned int)name_len + 5);
		put16(&ext, (unsigned int)name_len + 3);
		put8(&ext, 0);
		put16(&ext, (unsigned int)name_len);
		putraw(&ext, name, name_len);
	}
	if (pad && pad_after)
		tls_put_padding(&ext, pad);
	put16(&ext, 16); /* ALPN: h2 */
	put16(&ext, 5);
	put16(&ext, 3);
	put8(&ext, 2);
	putraw(&ext, "h2", 2);

	put16(&body, (unsigned int)ext.n);
	putraw(&body, ext.b, ext.n);

	hs->n = 0;
	put8(hs, 1);
	put8(hs, (unsigned int)(body.n >> 16));
	put16(hs, (unsigned int)(body.n & 0xffff));
	putraw(hs, body.b, body.n);
}

#endif /* LW_TLS_HELLO_H */
