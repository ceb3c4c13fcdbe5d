/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The demo simulator's network: a host name resolved and connected, HTTPS and HTTP GETs. */
#ifndef CHATTY_NET_H
#define CHATTY_NET_H

#include <stddef.h>

/*
 * GET https://HOST/PATH: HOST resolved through the system's resolver, TLS with HOST as the
 * server name (SNI), the certificate checked against CA_FILE and HOST (no check when
 * CA_FILE is NULL). Returns the HTTP status (the response is read to its end), or -1 with
 * a message in ERR.
 */
int net_https_get(const char *host, const char *path, const char *ca_file, char *err,
		  size_t errlen);

/*
 * GET http://HOST/PATH into DEST (created, mode 0644; replaced). Only a 200 answer with a
 * Content-Length is accepted, and all of it must arrive. Returns the number of bytes
 * written, or -1 with a message in ERR (DEST then removed).
 */
long long net_http_download(const char *host, const char *path, const char *dest, char *err,
			    size_t errlen);

#endif
