// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The demo simulator's network code: what a chatty tool does to phone home (a name looked
 * up, then TLS with that name as SNI) and to fetch a model (plain HTTP GET to a file).
 * Every wait is bounded by socket timeouts, so a broken lab ends the run with an error.
 */
#include "chatty_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define NET_TIMEOUT_S 10
#define NET_HEAD_MAX 8192

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The first address of HOST (IPv4, from the resolver) connected on PORT: a socket or -1. */
static int connect_name(const char *host, const char *port, char *err, size_t n)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct timeval tv = { .tv_sec = NET_TIMEOUT_S };
	struct addrinfo *res = NULL;
	int fd, rc;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		return fail(err, n, "resolving %s: %s", host, gai_strerror(rc));
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0) {
		freeaddrinfo(res);
		return fail(err, n, "socket: %s", strerror(errno));
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, res->ai_addr, res->ai_addrlen)) {
		fail(err, n, "connecting to %s:%s: %s", host, port, strerror(errno));
		close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* The status code of an HTTP response head ("HTTP/1.x NNN ..."), or -1. */
static int http_status(const char *head)
{
	char *end;
	long status;

	if (strncmp(head, "HTTP/1.", 7) != 0 || (head[7] != '0' && head[7] != '1') ||
	    head[8] != ' ')
		return -1;
	status = strtol(head + 9, &end, 10);
	if (end != head + 12 || status < 100 || status > 599)
		return -1;
	return (int)status;
}

static void ssl_error(char *err, size_t n, const char *what, const char *host)
{
	unsigned long e = ERR_get_error();

	snprintf(err, n, "%s with %s: %s", what, host,
		 e ? ERR_reason_error_string(e) : "connection closed");
}

int net_https_get(const char *host, const char *path, const char *ca_file, char *err, size_t n)
{
	char req[2048], head[NET_HEAD_MAX] = { 0 };
	size_t got = 0;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd, r, status = -1;

	fd = connect_name(host, "443", err, n);
	if (fd < 0)
		return -1;
	ctx = SSL_CTX_new(TLS_client_method());
	ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl) {
		ssl_error(err, n, "TLS setup", host);
		goto out;
	}
	if (ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			ssl_error(err, n, "loading the CA file", ca_file);
			goto out;
		}
		SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
		SSL_set1_host(ssl, host);
	}
	/* the server name in the ClientHello: how llmwatch names the connection itself */
	if (SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set_fd(ssl, fd) != 1 ||
	    SSL_connect(ssl) != 1) {
		ssl_error(err, n, "TLS handshake", host);
		goto out;
	}
	r = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: chatty-tool/0.1\r\n\r\n", path,
		     host);
	if (r < 0 || (size_t)r >= sizeof(req) || SSL_write(ssl, req, r) != r) {
		ssl_error(err, n, "sending the request", host);
		goto out;
	}
	/* read to the end: the head is kept, the rest counted out */
	for (;;) {
		char buf[4096];

		r = SSL_read(ssl, buf, sizeof(buf));
		if (r <= 0)
			break;
		if (got < sizeof(head) - 1) {
			size_t take = (size_t)r < sizeof(head) - 1 - got ? (size_t)r :
									   sizeof(head) - 1 - got;
			memcpy(head + got, buf, take);
			got += take;
		}
	}
	head[got] = '\0';
	status = http_status(head);
	if (status < 0)
		fail(err, n, "https://%s%s: no HTTP response (%zu bytes)", host, path, got);
out:
	if (ssl)
		SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return status;
}

/* Reads the response head (to the blank line) into HEAD; the body's first bytes stay in it. */
static int read_head(int fd, char *head, size_t cap, size_t *len, size_t *body_at, char *err,
		     size_t n)
{
	char *end;
	ssize_t r;

	*len = 0;
	for (;;) {
		if (*len == cap - 1)
			return fail(err, n, "response head longer than %zu bytes", cap - 1);
		r = read(fd, head + *len, cap - 1 - *len);
		if (r < 0)
			return fail(err, n, "reading the response: %s", strerror(errno));
		if (r == 0)
			return fail(err, n, "connection closed before the response head ended");
		*len += (size_t)r;
		head[*len] = '\0';
		end = strstr(head, "\r\n\r\n");
		if (end) {
			*body_at = (size_t)(end - head) + 4;
			return 0;
		}
	}
}

/* The Content-Length of a response head, or -1. */
static long long content_length(const char *head, size_t head_end)
{
	const char *p = head;

	while ((p = strchr(p, '\n')) && (size_t)(p - head) < head_end) {
		p++;
		if (!strncasecmp(p, "Content-Length:", 15)) {
			char *end;
			long long v = strtoll(p + 15, &end, 10);

			return v >= 0 && (*end == '\r' || *end == '\n') ? v : -1;
		}
	}
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

long long net_http_download(const char *host, const char *path, const char *dest, char *err,
			    size_t n)
{
	char req[2048], head[NET_HEAD_MAX] = { 0 }, buf[65536];
	size_t len = 0, body_at = 0;
	long long want, done = -1, got;
	int fd, out = -1, status, r;

	fd = connect_name(host, "80", err, n);
	if (fd < 0)
		return -1;
	r = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: chatty-tool/0.1\r\n\r\n", path,
		     host);
	if (r < 0 || (size_t)r >= sizeof(req) || write_all(fd, req, (size_t)r)) {
		fail(err, n, "sending the request to %s: %s", host, strerror(errno));
		goto out;
	}
	if (read_head(fd, head, sizeof(head), &len, &body_at, err, n))
		goto out;
	status = http_status(head);
	want = content_length(head, body_at);
	if (status != 200 || want < 0) {
		fail(err, n, "http://%s%s: status %d, Content-Length %lld (want 200 and a length)",
		     host, path, status, want);
		goto out;
	}
	out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		fail(err, n, "%s: %s", dest, strerror(errno));
		goto out;
	}
	got = (long long)(len - body_at);
	if (got > want || write_all(out, head + body_at, len - body_at)) {
		fail(err, n, "%s: more than Content-Length, or a write error", dest);
		goto out;
	}
	while (got < want) {
		ssize_t rd = read(fd, buf, sizeof(buf));

		if (rd <= 0) {
			fail(err, n, "http://%s%s: %lld of %lld bytes, then %s", host, path, got,
			     want, rd < 0 ? strerror(errno) : "the connection closed");
			goto out;
		}
		if (got + rd > want || write_all(out, buf, (size_t)rd)) {
			fail(err, n, "%s: more than Content-Length, or a write error", dest);
			goto out;
		}
		got += rd;
	}
	done = got;
out:
	if (out >= 0 && close(out) && done >= 0) {
		fail(err, n, "%s: %s", dest, strerror(errno));
		done = -1;
	}
	if (out >= 0 && done < 0)
		unlink(dest);
	close(fd);
	return done;
}
