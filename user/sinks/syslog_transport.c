// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The syslog sink's links: unix, UDP, TCP and TLS, never blocking (see syslog_transport.h). */
#include "sinks/syslog_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sinks/syslog_format.h"
#include "util/timefmt.h"

/* A connection or handshake that takes longer than this is given up and retried. */
#define CONNECT_TIMEOUT_NS (10 * 1000000000ull)
/*
 * In TLS 1.3 the client's handshake is over before the server has checked the client's
 * certificate: a server that refuses it says so only afterwards, and what was written in the
 * meantime is lost. So the link is up only once the server has said something after the
 * handshake (a session ticket, sent once it accepted us) or, from a server that sends no
 * tickets, after this long without a refusal.
 */
#define TLS13_CONFIRM_NS (500 * 1000000ull)
#define IDLE_CHECK_NS 1000000000ull

enum link_state {
	LINK_DOWN,
	LINK_CONNECTING,
	LINK_HANDSHAKE,
	LINK_CONFIRM, /* TLS 1.3: waiting for the server to accept or refuse our certificate */
	LINK_UP
};

struct item {
	char *buf; /* framed for TCP and TLS */
	size_t len;
};

struct syslog_transport {
	struct syslog_transport_opts o;
	char *name;
	struct addrinfo *ai; /* TCP, UDP, TLS: the host's addresses, resolved once */
	struct addrinfo *ai_cur;
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	enum link_state st;
	uint64_t next_try_ns, backoff_ns, connect_started_ns, confirm_until_ns;
	bool ticket;		/* the server sent a session ticket since the handshake */
	uint64_t idle_check_ns; /* when an idle link is next checked for a closed far end */
	struct item *q;		/* ring of o.queue_max */
	size_t q_head, q_len;
	size_t off;	    /* bytes of the current item already written (stream) */
	struct item notice; /* the dropped-count message, sent before the queue */
	bool fresh;	    /* connected, nothing written yet */
	bool told_down;	    /* this outage was told on diag */
	uint64_t dropped_at_down;
	struct syslog_transport_stats stats;
};

static bool is_stream(const struct syslog_transport *tr)
{
	return tr->o.target.proto == SYSLOG_TCP || tr->o.target.proto == SYSLOG_TLS;
}

/* ---- targets ------------------------------------------------------------------------------- */

int syslog_target_parse(const char *text, struct syslog_target *t, char *err, size_t errsz)
{
	static const struct {
		const char *scheme;
		enum syslog_proto proto;
		const char *port;
	} schemes[] = {
		{ "udp://", SYSLOG_UDP, "514" },
		{ "tcp://", SYSLOG_TCP, "514" },
		{ "tls://", SYSLOG_TLS, "6514" },
	};
	const char *rest, *port = NULL, *host_end;
	size_t hl;

	memset(t, 0, sizeof(*t));
	if (!text || !*text)
		text = "unix:/dev/log";
	if (strncmp(text, "unix:", 5) == 0 || text[0] == '/') {
		const char *p = text[0] == '/' ? text : text + 5;

		t->proto = SYSLOG_UNIX;
		if (p[0] != '/' || strlen(p) >= sizeof(t->path)) {
			snprintf(err, errsz,
				 "bad target \"%s\": unix:PATH needs an absolute path of at most "
				 "%zu bytes",
				 text, sizeof(t->path) - 1);
			return -EINVAL;
		}
		strcpy(t->path, p);
		return 0;
	}
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t sl = strlen(schemes[i].scheme);

		if (strncmp(text, schemes[i].scheme, sl) != 0)
			continue;
		t->proto = schemes[i].proto;
		rest = text + sl;
		if (rest[0] == '[') {
			host_end = strchr(rest, ']');
			if (!host_end || (host_end[1] && host_end[1] != ':'))
				goto bad;
			hl = (size_t)(host_end - rest - 1);
			memcpy(t->host, rest + 1, hl < sizeof(t->host) ? hl : 0);
			port = host_end[1] == ':' ? host_end + 2 : NULL;
		} else {
			host_end = strchr(rest, ':');
			if (host_end && strchr(host_end + 1, ':'))
				goto bad; /* an IPv6 literal needs its brackets */
			hl = host_end ? (size_t)(host_end - rest) : strlen(rest);
			if (hl < sizeof(t->host))
				memcpy(t->host, rest, hl);
			port = host_end ? host_end + 1 : NULL;
		}
		if (hl == 0 || hl >= sizeof(t->host))
			goto bad;
		for (size_t k = 0; k < hl; k++) {
			unsigned char c = (unsigned char)t->host[k];

			if (c <= ' ' || c >= 127 || c == '/' || c == '@')
				goto bad;
		}
		if (port) {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(port, &end, 10);
			if (!*port || *end || errno || n == 0 || n > 65535 || port[0] == '+' ||
			    port[0] == '-')
				goto bad;
			snprintf(t->port, sizeof(t->port), "%lu", n);
		} else {
			strcpy(t->port, schemes[i].port);
		}
		return 0;
	}
bad:
	snprintf(err, errsz,
		 "bad target \"%s\": expected unix:PATH, udp://HOST[:PORT], tcp://HOST[:PORT] or "
		 "tls://HOST[:PORT] (an IPv6 HOST in brackets)",
		 text);
	return -EINVAL;
}

/* ---- telling ------------------------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void say(struct syslog_transport *tr, const char *fmt,
						      ...)
{
	va_list ap;

	if (!tr->o.diag)
		return;
	fprintf(tr->o.diag, "llmwatch: output %s: ", tr->name);
	va_start(ap, fmt);
	vfprintf(tr->o.diag, fmt, ap);
	va_end(ap);
	fputc('\n', tr->o.diag);
	fflush(tr->o.diag);
}

/* The reason of the last TLS failure: the certificate check's, else OpenSSL's error queue. */
static const char *tls_reason(struct syslog_transport *tr, char *buf, size_t size)
{
	unsigned long e;
	long v = tr->ssl ? SSL_get_verify_result(tr->ssl) : X509_V_OK;

	if (v != X509_V_OK) {
		snprintf(buf, size, "certificate not accepted: %s",
			 X509_verify_cert_error_string(v));
		return buf;
	}
	e = ERR_get_error();
	if (!e)
		return errno ? strerror(errno) : "connection closed";
	ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

/* ---- the link ------------------------------------------------------------------------------ */

static void link_close(struct syslog_transport *tr)
{
	if (tr->ssl) {
		SSL_free(tr->ssl);
		tr->ssl = NULL;
	}
	if (tr->fd >= 0)
		close(tr->fd);
	tr->fd = -1;
	/* a message cut by the failure is sent whole again: the collector drops the piece */
	tr->off = 0;
	tr->stats.up = false;
}

static void link_fail(struct syslog_transport *tr, uint64_t now, const char *why)
{
	link_close(tr);
	tr->st = LINK_DOWN;
	tr->next_try_ns = now + tr->backoff_ns;
	tr->backoff_ns = tr->backoff_ns * 2 > tr->o.backoff_max_ns ? tr->o.backoff_max_ns :
								     tr->backoff_ns * 2;
	if (!tr->told_down) {
		say(tr, "link down (%s); reconnecting with back-off, keeping up to %zu messages",
		    why, tr->o.queue_max);
		tr->told_down = true;
		tr->dropped_at_down = tr->stats.dropped;
	}
}

static void link_up(struct syslog_transport *tr)
{
	tr->st = LINK_UP;
	tr->stats.up = true;
	tr->stats.connects++;
	tr->backoff_ns = tr->o.backoff_min_ns;
	tr->fresh = true;
	if (tr->told_down) {
		say(tr, "link up again: %zu messages queued to send, %llu dropped meanwhile",
		    tr->q_len, (unsigned long long)(tr->stats.dropped - tr->dropped_at_down));
		tr->told_down = false;
	}
}

static int socket_for(int family, int type)
{
	return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static void tls_start(struct syslog_transport *tr, uint64_t now)
{
	const char *host = tr->o.target.host;
	struct in6_addr a6;
	char why[256];
	int ok;

	ERR_clear_error();
	tr->ssl = SSL_new(tr->ctx);
	if (!tr->ssl) {
		link_fail(tr, now, tls_reason(tr, why, sizeof(why)));
		return;
	}
	SSL_set_mode(tr->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_app_data(tr->ssl, tr);
	ok = SSL_set_fd(tr->ssl, tr->fd);
	/* an address is checked against the certificate's IP names, and sent no SNI (RFC 6066) */
	if (inet_pton(AF_INET, host, &a6) == 1 || inet_pton(AF_INET6, host, &a6) == 1) {
		ok = ok && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tr->ssl), host);
	} else {
		ok = ok && SSL_set1_host(tr->ssl, host);
		ok = ok && SSL_set_tlsext_host_name(tr->ssl, host);
	}
	if (!ok) {
		link_fail(tr, now, tls_reason(tr, why, sizeof(why)));
		return;
	}
	tr->st = LINK_HANDSHAKE;
}

/* The session-ticket callback: the server accepted us. The session is not kept. */
static int tls_ticket(SSL *ssl, SSL_SESSION *sess)
{
	struct syslog_transport *tr = SSL_get_app_data(ssl);

	(void)sess;
	if (tr)
		tr->ticket = true;
	return 0;
}

/* TLS 1.3 after the handshake: up on a ticket or the quiet period's end, down on a refusal. */
static void tls_confirm(struct syslog_transport *tr, uint64_t now)
{
	char buf[256], why[600];
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_read(tr->ssl, buf, sizeof(buf));
	e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(tr->ssl, r);
	if (r <= 0 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
		snprintf(why, sizeof(why), "TLS with %s, after the handshake: ", tr->o.target.host);
		if (e == SSL_ERROR_ZERO_RETURN)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "closed by the collector");
		else
			tls_reason(tr, why + strlen(why), sizeof(why) - strlen(why));
		link_fail(tr, now, why);
		return;
	}
	if (tr->ticket || now >= tr->confirm_until_ns)
		link_up(tr);
}

static void tls_handshake(struct syslog_transport *tr, uint64_t now)
{
	char why[600];
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_connect(tr->ssl);
	if (r == 1) {
		if (SSL_version(tr->ssl) < TLS1_3_VERSION) {
			link_up(tr); /* the server's Finished came after it checked us */
			return;
		}
		tr->st = LINK_CONFIRM;
		tr->ticket = false;
		tr->confirm_until_ns = now + TLS13_CONFIRM_NS;
		tls_confirm(tr, now);
		return;
	}
	e = SSL_get_error(tr->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return;
	snprintf(why, sizeof(why), "TLS handshake with %s: ", tr->o.target.host);
	tls_reason(tr, why + strlen(why), sizeof(why) - strlen(why));
	link_fail(tr, now, why);
}

/* The stream is connected: up for TCP, a handshake to do for TLS. */
static void stream_connected(struct syslog_transport *tr, uint64_t now)
{
	if (tr->o.target.proto == SYSLOG_TLS) {
		tls_start(tr, now);
		if (tr->st == LINK_HANDSHAKE)
			tls_handshake(tr, now);
	} else {
		link_up(tr);
	}
}

/* Starts connecting to the addresses from a, the first that does not fail at once. */
static void stream_try_from(struct syslog_transport *tr, struct addrinfo *a, uint64_t now)
{
	int last = ECONNREFUSED;

	for (; a; a = a->ai_next) {
		tr->fd = socket_for(a->ai_family, SOCK_STREAM);
		if (tr->fd < 0) {
			last = errno;
			continue;
		}
		tr->ai_cur = a;
		tr->connect_started_ns = now;
		if (connect(tr->fd, a->ai_addr, a->ai_addrlen) == 0) {
			stream_connected(tr, now);
			return;
		}
		if (errno == EINPROGRESS) {
			tr->st = LINK_CONNECTING;
			return;
		}
		last = errno;
		close(tr->fd);
		tr->fd = -1;
	}
	char why[320];

	snprintf(why, sizeof(why), "connecting to %s port %s: %s", tr->o.target.host,
		 tr->o.target.port, strerror(last));
	link_fail(tr, now, why);
}

static void link_start(struct syslog_transport *tr, uint64_t now)
{
	char why[320];

	if (tr->o.target.proto == SYSLOG_UNIX) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		strcpy(sa.sun_path, tr->o.target.path);
		tr->fd = socket_for(AF_UNIX, SOCK_DGRAM);
		if (tr->fd >= 0 && connect(tr->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			link_up(tr);
			return;
		}
		snprintf(why, sizeof(why), "connecting to %s: %s", tr->o.target.path,
			 strerror(errno));
		link_fail(tr, now, why);
		return;
	}
	if (tr->o.target.proto == SYSLOG_UDP) {
		int last = 0;

		for (struct addrinfo *a = tr->ai; a; a = a->ai_next) {
			tr->fd = socket_for(a->ai_family, SOCK_DGRAM);
			if (tr->fd >= 0 && connect(tr->fd, a->ai_addr, a->ai_addrlen) == 0) {
				link_up(tr);
				return;
			}
			last = errno;
			if (tr->fd >= 0)
				close(tr->fd);
			tr->fd = -1;
		}
		snprintf(why, sizeof(why), "connecting to %s port %s: %s", tr->o.target.host,
			 tr->o.target.port, strerror(last));
		link_fail(tr, now, why);
		return;
	}
	stream_try_from(tr, tr->ai, now);
}

/* A non-blocking connect in progress: done, failed (next address), or still waiting. */
static void link_connecting(struct syslog_transport *tr, uint64_t now)
{
	struct pollfd p = { .fd = tr->fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (poll(&p, 1, 0) <= 0) {
		if (now - tr->connect_started_ns > CONNECT_TIMEOUT_NS)
			link_fail(tr, now, "connection timed out");
		return;
	}
	if (getsockopt(tr->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
		stream_connected(tr, now);
		return;
	}
	close(tr->fd);
	tr->fd = -1;
	if (tr->ai_cur && tr->ai_cur->ai_next) {
		stream_try_from(tr, tr->ai_cur->ai_next, now);
		return;
	}
	char why[320];

	snprintf(why, sizeof(why), "connecting to %s port %s: %s", tr->o.target.host,
		 tr->o.target.port, strerror(soerr ? soerr : ECONNREFUSED));
	link_fail(tr, now, why);
}

/*
 * A syslog collector never writes to us, so a readable stream means it closed the connection
 * (or reset it): noticed before writing, so that alerts are queued rather than written into
 * a socket whose far end is gone.
 */
static bool stream_alive(struct syslog_transport *tr, uint64_t now)
{
	struct pollfd p = { .fd = tr->fd, .events = POLLIN | POLLRDHUP };
	char buf[512];

	if (poll(&p, 1, 0) <= 0)
		return true;
	if (tr->ssl) {
		char why[256];
		int r, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_read(tr->ssl, buf, sizeof(buf));
		if (r > 0)
			return true;
		e = SSL_get_error(tr->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return true;
		link_fail(tr, now,
			  e == SSL_ERROR_ZERO_RETURN ? "closed by the collector" :
						       tls_reason(tr, why, sizeof(why)));
		return false;
	}
	ssize_t n = recv(tr->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return true;
	link_fail(tr, now, n == 0 ? "closed by the collector" : strerror(errno));
	return false;
}

/* ---- sending ------------------------------------------------------------------------------- */

/*
 * Writes p[0..n) once. Returns the bytes written (a datagram: all), -EAGAIN when the socket is
 * full, or another -errno (the link failed; why says it).
 */
static ssize_t write_some(struct syslog_transport *tr, const char *p, size_t n, char *why,
			  size_t whysz)
{
	ssize_t w;

	if (tr->ssl) {
		int r, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_write(tr->ssl, p, (int)n);
		if (r > 0)
			return r;
		e = SSL_get_error(tr->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return -EAGAIN;
		tls_reason(tr, why, whysz);
		return -EPIPE;
	}
	w = send(tr->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w >= 0)
		return w;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR)
		return -EAGAIN;
	snprintf(why, whysz, "sending: %s", strerror(errno));
	return -errno;
}

static void item_free(struct item *it)
{
	free(it->buf);
	*it = (struct item){ 0 };
}

/* The message to write next: the dropped-count notice, else the queue's head; or NULL. */
static struct item *current(struct syslog_transport *tr)
{
	if (tr->notice.buf)
		return &tr->notice;
	return tr->q_len ? &tr->q[tr->q_head] : NULL;
}

static void finish_current(struct syslog_transport *tr, struct item *it, bool delivered)
{
	bool was_notice = it == &tr->notice;

	item_free(it);
	tr->off = 0;
	if (was_notice)
		return;
	tr->q_head = (tr->q_head + 1) % tr->o.queue_max;
	tr->q_len--;
	if (delivered)
		tr->stats.sent++;
}

static int make_item(struct syslog_transport *tr, const char *msg, size_t len, struct item *it)
{
	char pre[24];
	size_t pl = is_stream(tr) ? syslog_frame_prefix(pre, sizeof(pre), len) : 0;

	it->buf = malloc(pl + len);
	if (!it->buf)
		return -ENOMEM;
	memcpy(it->buf, pre, pl);
	memcpy(it->buf + pl, msg, len);
	it->len = pl + len;
	return 0;
}

/*
 * The dropped-count message goes out first when the link is fresh or the queue is empty: at
 * those moments no write is half done, which TLS needs (a retried SSL_write must repeat
 * its bytes).
 */
static void maybe_notice(struct syslog_transport *tr)
{
	char msg[SYSLOG_MSG_MAX];
	int n;

	if (!tr->stats.unreported || tr->notice.buf || !tr->o.dropped_msg)
		return;
	if (!tr->fresh && tr->q_len)
		return;
	n = tr->o.dropped_msg(tr->o.dropped_arg, tr->stats.unreported, msg, sizeof(msg));
	if (n <= 0 || make_item(tr, msg, (size_t)n, &tr->notice))
		return; /* still unreported: tried again on the next pass */
	tr->stats.unreported = 0;
}

static void pump_out(struct syslog_transport *tr, uint64_t now)
{
	struct item *it;
	char why[256];

	/* idle, the link is looked at once a second (the event loop polls every few ms) */
	if (!current(tr) && !tr->stats.unreported && now < tr->idle_check_ns)
		return;
	tr->idle_check_ns = now + IDLE_CHECK_NS;
	if (is_stream(tr) && !stream_alive(tr, now))
		return;
	maybe_notice(tr);
	tr->fresh = false;
	while ((it = current(tr))) {
		ssize_t w = write_some(tr, it->buf + tr->off, it->len - tr->off, why, sizeof(why));

		if (w == -EAGAIN)
			return;
		if (w == -EMSGSIZE) {
			/* never deliverable: counted as dropped and told like the others */
			say(tr, "a %zu-byte message is too long for the link; dropped", it->len);
			if (it != &tr->notice) {
				tr->stats.dropped++;
				tr->stats.unreported++;
			}
			finish_current(tr, it, false);
			continue;
		}
		if (w < 0) {
			link_fail(tr, now, why);
			return;
		}
		tr->off += (size_t)w;
		if (tr->off >= it->len)
			finish_current(tr, it, true);
		if (!current(tr))
			maybe_notice(tr);
	}
}

int syslog_transport_poll(struct syslog_transport *tr, uint64_t now_ns)
{
	if (tr->st == LINK_DOWN && now_ns >= tr->next_try_ns)
		link_start(tr, now_ns);
	if (tr->st == LINK_CONNECTING)
		link_connecting(tr, now_ns);
	if (tr->st == LINK_HANDSHAKE) {
		if (now_ns - tr->connect_started_ns > CONNECT_TIMEOUT_NS)
			link_fail(tr, now_ns, "TLS handshake timed out");
		else
			tls_handshake(tr, now_ns);
	} else if (tr->st == LINK_CONFIRM) {
		tls_confirm(tr, now_ns);
	}
	if (tr->st == LINK_UP)
		pump_out(tr, now_ns);
	return 0;
}

int syslog_transport_send(struct syslog_transport *tr, const char *msg, size_t len, uint64_t now_ns)
{
	struct item it;
	int e;

	if (len > SYSLOG_MSG_MAX)
		return -EMSGSIZE;
	if (tr->q_len >= tr->o.queue_max) {
		tr->stats.dropped++;
		tr->stats.unreported++;
		syslog_transport_poll(tr, now_ns);
		return -ENOBUFS;
	}
	e = make_item(tr, msg, len, &it);
	if (e)
		return e;
	tr->q[(tr->q_head + tr->q_len) % tr->o.queue_max] = it;
	tr->q_len++;
	syslog_transport_poll(tr, now_ns);
	return 0;
}

size_t syslog_transport_drain(struct syslog_transport *tr, int timeout_ms)
{
	uint64_t deadline = timefmt_boot_now() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		uint64_t now = timefmt_boot_now();
		struct pollfd p = { .fd = tr->fd, .events = POLLOUT };
		int wait_ms;

		syslog_transport_poll(tr, now);
		if (!current(tr) || now >= deadline)
			break;
		wait_ms = (int)((deadline - now) / 1000000ull) + 1;
		if (tr->st == LINK_DOWN) {
			if (tr->next_try_ns > deadline)
				break; /* the next attempt comes after the deadline */
			if ((int)((tr->next_try_ns - now) / 1000000ull) + 1 < wait_ms)
				wait_ms = (int)((tr->next_try_ns - now) / 1000000ull) + 1;
			p.fd = -1;
		} else if (tr->st != LINK_UP) {
			/* connecting or in TLS: poll the state again shortly */
			p.fd = -1;
			wait_ms = wait_ms < 10 ? wait_ms : 10;
		}
		if (wait_ms > 50)
			wait_ms = 50;
		poll(&p, 1, wait_ms);
	}
	return tr->q_len;
}

/* ---- set-up -------------------------------------------------------------------------------- */

static int readable(const char *what, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		int e = errno;

		snprintf(err, errsz, "%s=%s: cannot read: %s", what, path, strerror(e));
		return -e;
	}
	fclose(f);
	return 0;
}

static int tls_setup(struct syslog_transport *tr, char *err, size_t errsz)
{
	const struct syslog_tls_files *f = &tr->o.tls;
	char why[256];
	int e;

	ERR_clear_error();
	tr->ctx = SSL_CTX_new(TLS_client_method());
	if (!tr->ctx) {
		snprintf(err, errsz, "TLS: %s", tls_reason(tr, why, sizeof(why)));
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(tr->ctx, TLS1_2_VERSION);
	/* tickets are how a TLS 1.3 server says it accepted us (tls_confirm); none is kept */
	SSL_CTX_set_session_cache_mode(tr->ctx,
				       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(tr->ctx, tls_ticket);
	SSL_CTX_set_verify(tr->ctx, SSL_VERIFY_PEER, NULL);
	if (f->ca) {
		e = readable("ca", f->ca, err, errsz);
		if (e)
			return e;
		if (SSL_CTX_load_verify_locations(tr->ctx, f->ca, NULL) != 1) {
			snprintf(err, errsz, "ca=%s: no CA certificate in it: %s", f->ca,
				 tls_reason(tr, why, sizeof(why)));
			return -EINVAL;
		}
	} else if (SSL_CTX_set_default_verify_paths(tr->ctx) != 1) {
		snprintf(err, errsz, "TLS: cannot load the system's trusted CAs (give ca=FILE): %s",
			 tls_reason(tr, why, sizeof(why)));
		return -EINVAL;
	}
	if (!f->cert && f->key) {
		snprintf(err, errsz, "key=%s without cert=FILE", f->key);
		return -EINVAL;
	}
	if (!f->cert)
		return 0;
	e = readable("cert", f->cert, err, errsz);
	if (!e && f->key)
		e = readable("key", f->key, err, errsz);
	if (e)
		return e;
	if (SSL_CTX_use_certificate_chain_file(tr->ctx, f->cert) != 1) {
		snprintf(err, errsz, "cert=%s: no usable certificate: %s", f->cert,
			 tls_reason(tr, why, sizeof(why)));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(tr->ctx, f->key ? f->key : f->cert, SSL_FILETYPE_PEM) !=
		    1 ||
	    SSL_CTX_check_private_key(tr->ctx) != 1) {
		snprintf(err, errsz, "key=%s: no private key for the certificate: %s",
			 f->key ? f->key : f->cert, tls_reason(tr, why, sizeof(why)));
		return -EINVAL;
	}
	return 0;
}

static int resolve(struct syslog_transport *tr, char *err, size_t errsz)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = tr->o.target.proto == SYSLOG_UDP ? SOCK_DGRAM : SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	int r = getaddrinfo(tr->o.target.host, tr->o.target.port, &hints, &tr->ai);

	if (r) {
		snprintf(err, errsz, "cannot resolve %s: %s", tr->o.target.host,
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -EHOSTUNREACH;
	}
	return 0;
}

struct syslog_transport *syslog_transport_new(const struct syslog_transport_opts *o,
					      uint64_t now_ns, char *err, size_t errsz)
{
	struct syslog_transport *tr = calloc(1, sizeof(*tr));
	int e = -ENOMEM;

	if (!tr) {
		snprintf(err, errsz, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	tr->o = *o;
	tr->fd = -1;
	if (!tr->o.queue_max)
		tr->o.queue_max = 1;
	if (!tr->o.backoff_min_ns)
		tr->o.backoff_min_ns = 200000000ull;
	if (tr->o.backoff_max_ns < tr->o.backoff_min_ns)
		tr->o.backoff_max_ns = tr->o.backoff_min_ns;
	tr->backoff_ns = tr->o.backoff_min_ns;
	tr->name = strdup(o->name ? o->name : "syslog");
	tr->q = calloc(tr->o.queue_max, sizeof(*tr->q));
	if (!tr->name || !tr->q) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if (o->target.proto != SYSLOG_UNIX) {
		e = resolve(tr, err, errsz);
		if (e)
			goto fail;
	}
	if (o->target.proto == SYSLOG_TLS) {
		e = tls_setup(tr, err, errsz);
		if (e)
			goto fail;
	}
	/* the TLS file names are not kept: the context has loaded them */
	tr->o.tls = (struct syslog_tls_files){ 0 };
	syslog_transport_poll(tr, now_ns);
	return tr;
fail:
	syslog_transport_free(tr);
	errno = -e;
	return NULL;
}

void syslog_transport_stats(const struct syslog_transport *tr, struct syslog_transport_stats *st)
{
	*st = tr->stats;
	st->queued = tr->q_len;
}

void syslog_transport_free(struct syslog_transport *tr)
{
	if (!tr)
		return;
	if (tr->ssl && tr->st == LINK_UP)
		SSL_shutdown(tr->ssl); /* close_notify, best effort: the socket is non-blocking */
	link_close(tr);
	for (size_t i = 0; tr->q && i < tr->q_len; i++)
		item_free(&tr->q[(tr->q_head + i) % tr->o.queue_max]);
	item_free(&tr->notice);
	free(tr->q);
	if (tr->ai)
		freeaddrinfo(tr->ai);
	SSL_CTX_free(tr->ctx);
	free(tr->name);
	free(tr);
}
