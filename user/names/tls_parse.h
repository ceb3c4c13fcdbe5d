/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TLS ClientHello parser: finds the server name (SNI) a client asks for in the first bytes
 * it sends on a TCP connection, so that a connection to an address has a name even when no
 * DNS answer was seen (DNS over HTTPS, /etc/hosts, a name cached before we started).
 *
 * A ClientHello may be split over several TLS records; they are reassembled within the
 * bytes given. When the bytes end first, the answer says so (-EAGAIN), distinct from a
 * malformed hello (-EINVAL) and from a complete hello without a name (-ENOENT).
 *
 * With Encrypted Client Hello the name found is the outer, public one (the ECH provider's),
 * which is still the true name of the server the client connects to.
 */
#ifndef LW_TLS_PARSE_H
#define LW_TLS_PARSE_H

#include <stddef.h>

#include "names/hostname.h"

/*
 * Bytes of one ClientHello reassembled at most. Real ones are 200 B to 2 KiB (post-quantum
 * key shares); the limit only bounds the work a hostile stream can cause.
 */
#define TLS_HELLO_MAX 16384

/*
 * Looks for the server_name extension's host_name in the TLS stream prefix buf[0..len).
 * host (at least HOSTNAME_BUF bytes) receives the name, validated and lower-cased by
 * hostname_normalize(); it holds "" on every error. Returns:
 *   0        found;
 *   -EAGAIN  the bytes end before the name could be found (or before the hello ends):
 *            call again with more bytes of the same stream;
 *   -ENOMSG  not a TLS stream starting with a ClientHello (first byte not a handshake
 *            record, not TLS 1.x, or the first handshake message is another type): try
 *            other protocols;
 *   -EINVAL  a malformed ClientHello (lengths that disagree, a record that is too big or
 *            empty, another record type in the middle of the hello), or an SNI that is
 *            not a plausible host name (control bytes, NUL, empty labels...);
 *   -ENOENT  the ClientHello has no host_name: known once the header of its last
 *            extension is in (its body, never the name, may still be missing);
 *   -EMSGSIZE the hello is larger than TLS_HELLO_MAX and the name is not in its first part;
 *   -ENOSPC  host_size < HOSTNAME_BUF.
 * buf is never read outside [buf, buf + len).
 */
int tls_parse_sni(const void *buf, size_t len, char *host, size_t host_size);

#endif /* LW_TLS_PARSE_H */
