/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * HTTP/1.x request parser: from the first bytes a process sends on a plain-text TCP
 * connection, the Host header (the name the client meant), plus the method and target for
 * messages. Strict where laxness would let a request lie about its host: bare CR, control
 * bytes, folded lines, space before the colon and a second Host header are all refused.
 */
#ifndef LW_HTTP_PARSE_H
#define LW_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names/hostname.h"

#define HTTP_METHOD_BUF 16  /* methods of up to 15 characters */
#define HTTP_TARGET_BUF 256 /* longer targets are cut (target_cut) */
#define HTTP_IP6_MAX 45	    /* longest textual IPv6 address, with an IPv4 tail */

struct http_request {
	char method[HTTP_METHOD_BUF]; /* "GET", "POST", ...; "" until the line is complete */
	char target[HTTP_TARGET_BUF]; /* printable ASCII only, cut to fit */
	bool target_cut;
	uint8_t version_minor; /* the x of HTTP/1.x */
	/*
	 * The Host header's host, lower case, port and brackets removed. It may be an IP
	 * literal (host_is_ip): that names nothing, so do not put it in the DNS cache.
	 */
	char host[HOSTNAME_BUF];
	bool host_is_ip;
	uint16_t port; /* from the Host header; 0 when absent or empty */
};

/*
 * Parses the request line and the headers present in buf[0..len). Returns:
 *   0        a Host header was found (out->host);
 *   -EAGAIN  the bytes end before the Host header (or within it): call again with more;
 *   -ENOMSG  not an HTTP/1.x request line (METHOD SP target SP HTTP/1.x CRLF);
 *   -EINVAL  a request line, but the header block is malformed: a control byte or bare CR,
 *            an obsolete folded line, whitespace before a colon, two Host headers, or a
 *            Host value that is no host name or IP literal with an optional port;
 *   -ENOENT  the header block is complete and has no Host (HTTP/1.0) or an empty one.
 * out->method, target and version_minor are set once the request line is complete, even
 * when the headers then fail; out->host is "" unless 0 is returned. Bytes after the Host
 * line are checked as far as they go (a second Host is refused), but their end is not
 * waited for. Never reads outside [buf, buf + len).
 */
int http_parse_request(const void *buf, size_t len, struct http_request *out);

#endif /* LW_HTTP_PARSE_H */
