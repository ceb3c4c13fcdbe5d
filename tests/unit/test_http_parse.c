// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the HTTP/1 Host parser on curl/urllib captures and injection attempts. */
#include <errno.h>
#include <strings.h>

#include "check.h"
#include "corpus.h"
#include "names/http_parse.h"

static struct http_request req;

/* Field by field: padding bytes say nothing about a parse. */
static bool same_request(const struct http_request *a, const struct http_request *b)
{
	return strcmp(a->method, b->method) == 0 && strcmp(a->target, b->target) == 0 &&
	       a->target_cut == b->target_cut && a->version_minor == b->version_minor &&
	       strcmp(a->host, b->host) == 0 && a->host_is_ip == b->host_is_ip &&
	       a->port == b->port;
}

static int parse_n(const void *p, size_t n)
{
	void *copy = corpus_exact(p, n);
	int err = http_parse_request(copy, n, &req);

	free(copy);
	return err;
}

static int parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static void test_captures(void)
{
	char b[2048];
	size_t n;

	n = corpus_read("http/curl-host-port.bin", b, sizeof(b));
	CHECK_INT(parse_n(b, n), 0);
	CHECK_STR(req.method, "GET");
	CHECK_STR(req.target, "/track?data=eyJ9");
	CHECK_INT(req.version_minor, 1);
	CHECK_STR(req.host, "api.mixpanel.com");
	CHECK(req.port != 0);
	CHECK(!req.host_is_ip);

	n = corpus_read("http/curl-get.bin", b, sizeof(b));
	CHECK_INT(parse_n(b, n), 0);
	CHECK_STR(req.host, "127.0.0.1");
	CHECK(req.host_is_ip);

	n = corpus_read("http/curl-post.bin", b, sizeof(b));
	CHECK_INT(parse_n(b, n), 0);
	CHECK_STR(req.method, "POST");
	CHECK_STR(req.target, "/api/generate");

	n = corpus_read("http/curl-http10.bin", b, sizeof(b));
	CHECK_INT(parse_n(b, n), 0);
	CHECK_INT(req.version_minor, 0);
	CHECK_STR(req.host, "update.example.com");
	CHECK_INT(req.port, 0);

	n = corpus_read("http/curl-ipv6-host.bin", b, sizeof(b));
	CHECK_INT(parse_n(b, n), 0);
	CHECK_STR(req.host, "::1");
	CHECK(req.host_is_ip);
	CHECK_INT(req.port, 11434);

	n = corpus_read("http/python-urllib.bin", b, sizeof(b));
	CHECK_INT(parse_n(b, n), 0);
	CHECK_STR(req.host, "localhost");
	CHECK_INT(req.port, 1234);
	CHECK_STR(req.target, "/v1/models");
}

/* Every prefix: -EAGAIN until the Host line is complete, then 0 with the same result. */
static void test_prefixes(void)
{
	static const char *const files[] = { "http/curl-host-port.bin", "http/curl-post.bin",
					     "http/python-urllib.bin" };
	char b[2048];

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t n = corpus_read(files[f], b, sizeof(b)), found = n + 1;
		int bad = 0;
		struct http_request full;

		CHECK_INT(parse_n(b, n), 0);
		full = req;
		for (size_t len = 0; len <= n; len++) {
			int err = parse_n(b, len);

			if (err == 0 && found > n)
				found = len;
			if (len < found && (err != -EAGAIN || req.host[0]))
				bad++;
			if (len >= found && (err != 0 || !same_request(&req, &full)))
				bad++;
		}
		CHECK_INT(bad, 0);
		/* The answer comes exactly when the Host line's LF arrives. */
		CHECK(found > 0 && found <= n && b[found - 1] == '\n');
		if (found == 0 || found > n)
			continue;
		size_t line = found - 1;

		while (line > 0 && b[line - 1] != '\n')
			line--;
		CHECK(strncasecmp(b + line, "Host:", 5) == 0);
	}
}

static void test_host_forms(void)
{
	CHECK_INT(parse("GET / HTTP/1.1\r\nhOsT:   Example.ORG:8080  \r\n\r\n"), 0);
	CHECK_STR(req.host, "example.org");
	CHECK_INT(req.port, 8080);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHOST:\tapi.x.com\t\r\n"), 0);
	CHECK_STR(req.host, "api.x.com");
	CHECK_INT(parse("GET / HTTP/1.1\nHost: lf.only.example\n\n"), 0);
	CHECK_STR(req.host, "lf.only.example");
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: trailing.dot.\r\n"), 0);
	CHECK_STR(req.host, "trailing.dot");
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: empty.port:\r\n"), 0);
	CHECK_INT(req.port, 0);
	CHECK_INT(parse("OPTIONS * HTTP/1.1\r\nAccept: */*\r\nHost: [2001:DB8::1]\r\n"), 0);
	CHECK_STR(req.host, "2001:db8::1");
	CHECK_STR(req.target, "*");
	CHECK_INT(parse("CONNECT api.x.com:443 HTTP/1.1\r\nHost: api.x.com:443\r\n\r\n"), 0);
	CHECK_STR(req.method, "CONNECT");
	CHECK_STR(req.host, "api.x.com");
	CHECK_INT(req.port, 443);
	/* The Host header does not have to come first; other headers are checked too. */
	CHECK_INT(parse("PUT /x HTTP/1.1\r\nContent-Length: 0\r\nX-A: b\r\nHost: h.example\r\n"),
		  0);

	/* A long target is cut, flagged, and does not stop the parse. */
	char big[1200];

	strcpy(big, "GET /");
	memset(big + 5, 'a', 700);
	strcpy(big + 705, " HTTP/1.1\r\nHost: long.example\r\n\r\n");
	CHECK_INT(parse(big), 0);
	CHECK(req.target_cut);
	CHECK_INT(strlen(req.target), HTTP_TARGET_BUF - 1);
	CHECK_STR(req.host, "long.example");
}

static void test_no_host(void)
{
	CHECK_INT(parse("GET / HTTP/1.0\r\nUser-Agent: x\r\n\r\n"), -ENOENT);
	CHECK_STR(req.method, "GET");
	CHECK_STR(req.host, "");
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n"), -ENOENT);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost:   \r\n\r\n"), -ENOENT);
	CHECK_INT(parse("GET / HTTP/1.1\r\nUser-Agent: x\r\n"), -EAGAIN);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: cut.exam"), -EAGAIN);
	CHECK_STR(req.host, "");
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: x.example\r"), -EAGAIN);
	CHECK_INT(parse("GET / HTTP/1.1\r"), -EAGAIN);
	CHECK_INT(parse(""), -EAGAIN);
	CHECK_INT(parse("GE"), -EAGAIN);
}

static void test_not_http(void)
{
	static const char *const not_http[] = {
		"get / HTTP/1.1\r\n", /* methods are upper case */
		"GET / HTTP/2\r\n",	    "GET / HTTP/1.1 \r\n",
		"GET / HTTP/1.1x\r\n",	    "GET  / HTTP/1.1\r\n",
		"GET / HTTP/1.1\rX",	    "GET /\x01 HTTP/1.1\r\n",
		"GET /a\tb HTTP/1.1\r\n",   "VERYLONGMETHODNAME / HTTP/1.1\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n",  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", /* the h2 preface */
		"\x16\x03\x01\x02\x00\x01", " GET / HTTP/1.1\r\n",
	};

	for (size_t i = 0; i < sizeof(not_http) / sizeof(not_http[0]); i++) {
		int err = parse(not_http[i]);

		if (err != -ENOMSG)
			fprintf(stderr, "not_http[%zu]: %d\n", i, err);
		CHECK_INT(err, -ENOMSG);
		CHECK_STR(req.host, "");
	}
	CHECK_INT(parse_n("GET \0 HTTP/1.1\r\n", 16), -ENOMSG);
}

/* Header lines that could make us (or a server) see another host: all refused. */
static void test_injection(void)
{
	static const char *const evil[] = {
		"GET / HTTP/1.1\r\nHost: good.example\rX: 1\r\n\r\n",  /* bare CR */
		"GET / HTTP/1.1\r\nHost: good.example\x1b[2K\r\n\r\n", /* escape */
		"GET / HTTP/1.1\r\nHost: good.example\x7f\r\n\r\n",    /* DEL */
		"GET / HTTP/1.1\r\nHost : good.example\r\n\r\n",       /* space before ':' */
		"GET / HTTP/1.1\r\nHost: a.example\r\n folded.example\r\n\r\n", /* obs-fold */
		"GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", /* two Hosts */
		"GET / HTTP/1.1\r\nHost: a.example\r\nhost: a.example\r\n",
		"GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a b.example\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a.example/path\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a.example:99999\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a.example:80x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a.example:80:81\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: [211]:\r\n\r\n", /* found by fuzz_http */
		"GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: [fe80::1%eth0]\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a..example\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Other: \x01\r\nHost: a.example\r\n\r\n", /* control before */
		"GET / HTTP/1.1\r\n: no-name\r\nHost: a.example\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Name: x\r\nHost: a.example\r\n\r\n",
		"GET / HTTP/1.1\r\n\rHost: a.example\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		int err = parse(evil[i]);

		if (err != -EINVAL)
			fprintf(stderr, "evil[%zu]: %d\n", i, err);
		CHECK_INT(err, -EINVAL);
		CHECK_STR(req.host, "");
		CHECK_INT(req.port, 0);
	}
	/* NUL in the value (strlen would stop there; give the length). */
	static const char nul[] = "GET / HTTP/1.1\r\nHost: good.example\0.evil.example\r\n\r\n";

	CHECK_INT(parse_n(nul, sizeof(nul) - 1), -EINVAL);
	/* A second Host after the first one was accepted, within the bytes we have. */
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a.example\r\nAccept: x\r\nHost: b.exam"), 0);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a.example\r\nAccept: x\r\nHost: b.example\r\n"),
		  -EINVAL);
}

int main(void)
{
	test_captures();
	test_prefixes();
	test_host_forms();
	test_no_host();
	test_not_http();
	test_injection();
	return check_summary("test_http_parse");
}
