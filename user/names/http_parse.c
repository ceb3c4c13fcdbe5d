// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP/1.x request-line and Host-header parser (http_parse.h); grammar from RFC 9110/9112. */
#include "names/http_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 5.6.2 tchar: the characters of a token (header names, methods). */
static bool http_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Header value bytes: VCHAR, SP, HTAB and obs-text; never CR, LF, NUL or other controls. */
static bool http_value_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

/*
 * The end of the line starting at pos: sets *eol to the CR or LF and *next to the start of
 * the following line. Accepts CRLF and a bare LF (RFC 9112 2.2 allows a recipient to);
 * a CR not followed by LF is an error. Returns 0, -EAGAIN if the line is not complete,
 * -EINVAL for a byte char_ok() refuses.
 */
static int http_line(const unsigned char *p, size_t len, size_t pos, bool (*char_ok)(unsigned char),
		     size_t *eol, size_t *next)
{
	for (size_t i = pos; i < len; i++) {
		if (p[i] == '\n') {
			*eol = i;
			*next = i + 1;
			return 0;
		}
		if (p[i] == '\r') {
			if (i + 1 == len)
				return -EAGAIN;
			if (p[i + 1] != '\n')
				return -EINVAL;
			*eol = i;
			*next = i + 2;
			return 0;
		}
		if (!char_ok(p[i]))
			return -EINVAL;
	}
	return -EAGAIN;
}

/* Digits of a port: 0..65535, may be empty (RFC 3986 allows "host:"). */
static int http_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;

	if (n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* A Host value with whitespace trimmed: uri-host [ ":" port ], RFC 9110 7.2. */
static int http_host_value(const char *v, size_t n, struct http_request *out)
{
	unsigned char ip6[16];
	const char *colon;
	size_t host_len;

	if (n == 0)
		return -ENOENT;
	if (v[0] == '[') {
		const char *close = memchr(v, ']', n);

		if (!close)
			return -EINVAL;
		host_len = (size_t)(close - v) - 1;
		if (host_len < 2 || host_len > HTTP_IP6_MAX)
			return -EINVAL;
		for (size_t i = 1; i <= host_len; i++) {
			char c = v[i];

			out->host[i - 1] = (char)(c >= 'A' && c <= 'F' ? c + ('a' - 'A') : c);
		}
		out->host[host_len] = '\0';
		/* Only a real IPv6 address: no "[211]", no IPvFuture, no zone ids. */
		if (inet_pton(AF_INET6, out->host, ip6) != 1) {
			out->host[0] = '\0';
			return -EINVAL;
		}
		out->host_is_ip = true;
		colon = close + 1;
		if (colon == v + n)
			return 0;
		if (*colon != ':')
			return -EINVAL;
		return http_port(colon + 1, n - (size_t)(colon + 1 - v), &out->port);
	}
	colon = memchr(v, ':', n);
	host_len = colon ? (size_t)(colon - v) : n;
	if (hostname_normalize(out->host, sizeof(out->host), v, host_len) < 0)
		return -EINVAL;
	out->host_is_ip = hostname_is_ipv4_literal(out->host);
	if (!colon)
		return 0;
	return http_port(colon + 1, n - host_len - 1, &out->port);
}

/*
 * The request line: METHOD SP request-target SP "HTTP/1." DIGIT, then the line end.
 * Returns the offset of the first header line, -EAGAIN, or -ENOMSG.
 */
static long http_request_line(const unsigned char *p, size_t len, struct http_request *out)
{
	static const char version[] = "HTTP/1.";
	size_t i = 0, t0, tn, next;

	/* Methods are tokens, but registered ones are upper case: that rejects binary early. */
	while (i < len && ((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '-' || p[i] == '_')) {
		if (++i >= HTTP_METHOD_BUF)
			return -ENOMSG;
	}
	if (i == len)
		return -EAGAIN;
	if (i == 0 || p[i] != ' ')
		return -ENOMSG;
	size_t method_len = i++;

	t0 = i;
	while (i < len && p[i] > 0x20 && p[i] < 0x7f)
		i++;
	if (i == len)
		return -EAGAIN;
	if (i == t0 || p[i] != ' ')
		return -ENOMSG;
	tn = i++ - t0;
	for (size_t k = 0; k < sizeof(version) - 1; k++, i++) {
		if (i == len)
			return -EAGAIN;
		if (p[i] != (unsigned char)version[k])
			return -ENOMSG;
	}
	if (i == len)
		return -EAGAIN;
	if (p[i] < '0' || p[i] > '9')
		return -ENOMSG;
	uint8_t minor = (uint8_t)(p[i++] - '0');

	/* The line must end right after the version; anything else is not HTTP/1.x. */
	if (i == len || (p[i] == '\r' && i + 1 == len))
		return -EAGAIN;
	if (p[i] == '\n')
		next = i + 1;
	else if (p[i] == '\r' && p[i + 1] == '\n')
		next = i + 2;
	else
		return -ENOMSG;
	memcpy(out->method, p, method_len);
	out->method[method_len] = '\0';
	out->target_cut = tn >= sizeof(out->target);
	if (out->target_cut)
		tn = sizeof(out->target) - 1;
	memcpy(out->target, p + t0, tn);
	out->target[tn] = '\0';
	out->version_minor = minor;
	return (long)next;
}

int http_parse_request(const void *buf, size_t len, struct http_request *out)
{
	const unsigned char *p = buf;
	bool have_host = false;
	long first;
	size_t pos;
	int err;

	memset(out, 0, sizeof(*out));
	first = http_request_line(p, len, out);
	if (first < 0)
		return (int)first;

	for (pos = (size_t)first;;) {
		size_t name_end, v0, v1, eol, next;

		if (pos == len)
			return have_host ? 0 : -EAGAIN;
		if (p[pos] == '\r' || p[pos] == '\n') {
			err = http_line(p, len, pos, http_value_char, &eol, &next);
			if (err == -EAGAIN)
				return have_host ? 0 : -EAGAIN;
			if (err)
				goto bad;
			return have_host ? 0 : -ENOENT; /* the empty line: end of headers */
		}
		/* A line starting with whitespace continues the previous one (obs-fold). */
		for (name_end = pos; name_end < len && http_tchar(p[name_end]); name_end++)
			;
		if (name_end == len)
			return have_host ? 0 : -EAGAIN;
		if (name_end == pos || p[name_end] != ':')
			goto bad;
		err = http_line(p, len, name_end + 1, http_value_char, &eol, &next);
		if (err == -EAGAIN)
			return have_host ? 0 : -EAGAIN;
		if (err)
			goto bad;
		if (name_end - pos == 4 && strncasecmp((const char *)p + pos, "host", 4) == 0) {
			if (have_host)
				goto bad; /* two Hosts: which one a server uses is anyone's guess */
			for (v0 = name_end + 1; v0 < eol && (p[v0] == ' ' || p[v0] == '\t'); v0++)
				;
			for (v1 = eol; v1 > v0 && (p[v1 - 1] == ' ' || p[v1 - 1] == '\t'); v1--)
				;
			err = http_host_value((const char *)p + v0, v1 - v0, out);
			if (err == -ENOENT) {
				out->host[0] = '\0';
				return -ENOENT;
			}
			if (err)
				goto bad;
			have_host = true;
		}
		pos = next;
	}
bad:
	out->host[0] = '\0';
	out->host_is_ip = false;
	out->port = 0;
	return -EINVAL;
}
