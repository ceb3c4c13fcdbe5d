// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * exposure-listeners, -settings, -containers, -cors and -auth (check_exposure.h): whether an
 * inference tool's API can be reached from beyond this machine, and by whom.
 */
#include "audit/check_exposure.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_settings.h"
#include "audit/audit_stores.h"
#include "audit/which_tool.h"

#define NET_MAX (16u << 20)  /* /proc/net/tcp of a busy server: 150 bytes a socket */
#define JSON_MAX (4u << 20)  /* a container's config.v2.json, a settings file */
#define CONTAINERS_MAX 4096u /* containers looked at */
#define CHECKLIST_SRC "research/inference-tools.md"

/* ---- the tools' facts -------------------------------------------------------------- */

struct tool_facts {
	const char *tool;
	enum check_exposure_host empty; /* what an empty host (no --host, "") means to it */
	const char *fix;		/* how to keep it on loopback */
	const char *source;		/* where its listening defaults come from */
};

static const struct tool_facts facts[] = {
	{ "ollama", CHECK_EXPOSURE_LOOPBACK,
	  "set OLLAMA_HOST=127.0.0.1 (or unset it) where the server starts (systemctl edit "
	  "ollama, its environment), then restart it; Ollama's API has no key, so beyond "
	  "loopback it needs an authenticating reverse proxy in front",
	  "ollama envconfig/config.go Host(), docs/faq.mdx L185 (default 127.0.0.1:11434); "
	  "Dockerfile L317 (the image sets OLLAMA_HOST=0.0.0.0:11434)" },
	{ "lm-studio", CHECK_EXPOSURE_LOOPBACK,
	  "serve on loopback: lms server start --bind 127.0.0.1 (no LMS_SERVER_HOST), and turn "
	  "off \"Serve on Local Network\"",
	  "lmstudio-ai/lms src/subcommands/server.ts L82-125 (--bind, LMS_SERVER_HOST, default "
	  "127.0.0.1, --cors off by default); src/createClient.ts (port 1234)" },
	{ "llama-server", CHECK_EXPOSURE_LOOPBACK,
	  "start llama-server with --host 127.0.0.1 and no LLAMA_ARG_HOST (its server image "
	  "sets LLAMA_ARG_HOST=0.0.0.0)",
	  "ggml-org/llama.cpp common/common.h (127.0.0.1:8080), common/arg.cpp (LLAMA_ARG_HOST, "
	  "--api-key, LLAMA_API_KEY); .devops/cpu.Dockerfile @bb0e507a" },
	{ "jan", CHECK_EXPOSURE_LOOPBACK,
	  "set Jan's Local API Server host to 127.0.0.1 (Settings > Local API Server)",
	  "janhq/jan web-app/src/hooks/useLocalApiServer.ts @69b62a55 (127.0.0.1:1337, CORS on, "
	  "optional apiKey); jan.ai/docs/desktop/cli (jan serve, 127.0.0.1:6767)" },
	{ "koboldcpp", CHECK_EXPOSURE_ALL,
	  "start koboldcpp with --host 127.0.0.1: without --host it accepts every routable "
	  "interface",
	  "LostRuins/koboldcpp koboldcpp.py argparse (--host default \"\": all routable "
	  "interfaces; port 5001; --password)" },
	{ "vllm", CHECK_EXPOSURE_ALL,
	  "start vLLM with --host 127.0.0.1: without --host it binds every interface",
	  "vllm-project/vllm vllm/entrypoints/openai/api_server.py @0001948b ((args.host or "
	  "\"\", args.port)); docs.vllm.ai (port 8000, --api-key, VLLM_API_KEY)" },
	{ "localai", CHECK_EXPOSURE_ALL,
	  "start LocalAI with --address 127.0.0.1:8080 (LOCALAI_ADDRESS): its default :8080 is "
	  "every interface",
	  "mudler/LocalAI core/cli/run.go L70 @82c191af (:8080), core/cli/run_safety.go (refuses "
	  "a public address without keys)" },
	{ "open-webui", CHECK_EXPOSURE_ALL,
	  "run Open WebUI with HOST=127.0.0.1 (or --host 127.0.0.1): open-webui serve and "
	  "start.sh bind 0.0.0.0",
	  "open-webui/open-webui backend/open_webui/__init__.py @00843237 (serve(host=\"0.0.0.0\", "
	  "port=8080)); backend/start.sh (HOST=${HOST:-0.0.0.0})" },
	{ "llamafile", CHECK_EXPOSURE_LOOPBACK, "start llamafile with --host 127.0.0.1",
	  "Mozilla-Ocho/llamafile llamafile/flags.cpp L62 @6b464191 (127.0.0.1:8080)" },
	{ "text-generation-webui", CHECK_EXPOSURE_LOOPBACK,
	  "start it without --listen: the UI (7860) and the API (5000) then stay on 127.0.0.1",
	  "oobabooga/text-generation-webui server.py @1dcde41d L238 (--listen), "
	  "modules/api/script.py L562-568 (API 5000)" },
	{ "gpt4all", CHECK_EXPOSURE_LOOPBACK,
	  "GPT4All's API server binds loopback only: something else forwards its port; remove "
	  "that forward",
	  "nomic-ai/gpt4all gpt4all-chat/src/server.cpp L463-464 (QHostAddress::LocalHost:4891)" },
};

static const struct tool_facts generic = {
	NULL, CHECK_EXPOSURE_LOOPBACK,
	"bind it to 127.0.0.1, or put it behind an authenticating proxy and a firewall",
	CHECKLIST_SRC " (the tools' listening defaults)"
};

static const struct tool_facts *facts_of(const char *tool)
{
	for (size_t i = 0; tool && i < sizeof(facts) / sizeof(facts[0]); i++)
		if (strcmp(facts[i].tool, tool) == 0)
			return &facts[i];
	return &generic;
}

static const struct {
	unsigned int port;
	const char *owner;
	const char *source;
} ports[] = {
	{ 11434, "Ollama", "ollama envconfig/config.go Host(); docs/faq.mdx L185" },
	{ 1234, "LM Studio", "lmstudio-ai/lms src/createClient.ts DEFAULT_SERVER_PORT" },
	{ 4891, "GPT4All", "nomic-ai/gpt4all src/server.cpp L463-464; mysettings.cpp L63-65" },
	{ 1337, "Jan", "janhq/jan web-app/src/hooks/useLocalApiServer.ts @69b62a55" },
	{ 6767, "Jan (jan serve)", "jan.ai/docs/desktop/cli" },
	{ 39291, "Jan (cortex-server)",
	  "janhq/jan extensions/inference-cortex-extension/src/node/index.ts @2c11caf8" },
	{ 8080, "llama-server, LocalAI, Open WebUI, llamafile",
	  "llama.cpp common/common.h; LocalAI core/cli/run.go L70; open-webui "
	  "backend/open_webui/__init__.py @00843237; llamafile/flags.cpp L62" },
	{ 8000, "vLLM", "docs.vllm.ai (API server port 8000)" },
	{ 5001, "koboldcpp", "LostRuins/koboldcpp koboldcpp.py argparse" },
	{ 3001, "AnythingLLM", "Mintplex-Labs/anything-llm server/index.js (SERVER_PORT || 3001)" },
	{ 7860, "text-generation-webui (Gradio)",
	  "oobabooga/text-generation-webui server.py L238" },
	{ 5000, "text-generation-webui (API)",
	  "oobabooga/text-generation-webui modules/api/script.py L562-568" },
};

const char *check_exposure_port_owner(unsigned int port, const char **source)
{
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (ports[i].port == port) {
			if (source)
				*source = ports[i].source;
			return ports[i].owner;
		}
	return NULL;
}

/* ---- addresses ---------------------------------------------------------------------- */

static enum check_exposure_host host_of_v4(const unsigned char a[4])
{
	if (a[0] == 127)
		return CHECK_EXPOSURE_LOOPBACK;
	if (!a[0] && !a[1] && !a[2] && !a[3])
		return CHECK_EXPOSURE_ALL;
	return CHECK_EXPOSURE_OTHER;
}

static enum check_exposure_host host_of_v6(const unsigned char a[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	bool zero = true;

	/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d: ::ffff:127.0.0.1 is loopback */
	if (memcmp(a, mapped, 12) == 0)
		return host_of_v4(a + 12);
	for (int i = 0; i < 15; i++)
		zero &= a[i] == 0;
	if (zero && a[15] == 1)
		return CHECK_EXPOSURE_LOOPBACK;
	if (zero && a[15] == 0)
		return CHECK_EXPOSURE_ALL;
	return CHECK_EXPOSURE_OTHER;
}

enum check_exposure_host check_exposure_host_of(const char *value, enum check_exposure_host dflt)
{
	char host[256];
	const char *s = value, *e, *colon;
	unsigned char a[16];
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'')
		s++;
	if (!*s)
		return dflt;
	/* OLLAMA_HOST may carry a scheme: http://0.0.0.0:11434 */
	colon = strstr(s, "://");
	if (colon)
		s = colon + 3;
	e = s + strcspn(s, "/ \t\"'");
	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(e - s));

		if (!close)
			return CHECK_EXPOSURE_OTHER;
		s++;
		e = close;
	} else {
		colon = memchr(s, ':', (size_t)(e - s));
		/* one colon: host:port; more: an IPv6 address without brackets */
		if (colon && !memchr(colon + 1, ':', (size_t)(e - colon - 1)))
			e = colon;
	}
	n = (size_t)(e - s);
	if (n == 0)
		return CHECK_EXPOSURE_ALL; /* ":8080": every interface */
	if (n >= sizeof(host))
		return CHECK_EXPOSURE_OTHER;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, a) == 1)
		return host_of_v4(a);
	if (inet_pton(AF_INET6, host, a) == 1)
		return host_of_v6(a);
	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost.localdomain") ||
	    !strcasecmp(host, "ip6-localhost") || !strcasecmp(host, "ip6-loopback"))
		return CHECK_EXPOSURE_LOOPBACK;
	return CHECK_EXPOSURE_OTHER; /* a name: it resolves to some address beyond loopback */
}

static const char *host_words(enum check_exposure_host h)
{
	switch (h) {
	case CHECK_EXPOSURE_LOOPBACK:
		return "loopback only";
	case CHECK_EXPOSURE_ALL:
		return "every interface";
	default:
		return "an address beyond loopback";
	}
}

/* ---- small helpers ------------------------------------------------------------------ */

/*
 * Reads a file of the running system's /proc (no size to trust, so audit_read_file() cannot:
 * it is not under the audited root either), at most max bytes. Returns 0 or -errno.
 */
static int proc_read(const char *path, size_t max, char **out, size_t *len)
{
	size_t got = 0, cap = 16384;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), err = 0;

	*out = NULL;
	*len = 0;
	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (got == cap) {
			char *nb;

			if (cap >= max)
				break;
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return err;
}

/* A new string, printf-style, or NULL. */
static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* What a check found, before it is a finding: kept so that exposure-auth can reuse it. */
struct hit {
	enum audit_status status;
	const char *tool; /* static (a profile's name or the facts table) */
	char *subject, *evidence;
	const char *fix, *source;
};

struct hits {
	struct hit *v;
	size_t n, cap;
	int err;
};

static void hit_add(struct hits *l, enum audit_status st, const char *tool, char *subject,
		    char *evidence, const char *fix, const char *source)
{
	if (!subject || !evidence) {
		l->err = -ENOMEM;
		goto drop;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct hit *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->err = -ENOMEM;
			goto drop;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct hit){ st, tool, subject, evidence, fix, source };
	return;
drop:
	free(subject);
	free(evidence);
}

static void hits_free(struct hits *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].subject);
		free(l->v[i].evidence);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Adds every hit to the report as a finding of check. Returns 0 or -ENOMEM. */
static int hits_report(const struct hits *l, struct audit_report *r, const char *check)
{
	int err = l->err;

	for (size_t i = 0; i < l->n; i++) {
		const struct hit *h = &l->v[i];
		int e = audit_add(r, &(struct audit_finding){
					     .item = AUDIT_ITEM_EXPOSURE,
					     .status = h->status,
					     .check = check,
					     .tool = h->tool,
					     .subject = h->subject,
					     .evidence = h->evidence,
					     .fix = h->status == AUDIT_PASS ? NULL : h->fix,
					     .source = h->source,
				     });

		if (e && !err)
			err = e;
	}
	return err;
}

static int add1(struct audit_report *r, const char *check, enum audit_status st, const char *tool,
		const char *subject, const char *evidence, const char *fix, const char *source)
{
	return audit_add(r, &(struct audit_finding){
				    .item = AUDIT_ITEM_EXPOSURE,
				    .status = st,
				    .check = check,
				    .tool = tool,
				    .subject = subject,
				    .evidence = evidence,
				    .fix = fix,
				    .source = source,
			    });
}

/* ---- the tools' processes ------------------------------------------------------------ */

struct tproc {
	uint32_t pid;
	char comm[32];
	const char *tool;
	char *cmdline;
};

struct tprocs {
	struct tproc *v;
	size_t n, cap, unreadable;
};

static int tproc_add(void *arg, const struct audit_proc *p)
{
	struct tprocs *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct tproc *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct tproc){ .pid = p->pid, .tool = p->tool };
	snprintf(l->v[l->n].comm, sizeof(l->v[l->n].comm), "%s", p->comm);
	l->v[l->n].cmdline = strdup(p->cmdline);
	if (!l->v[l->n].cmdline)
		return -ENOMEM;
	l->n++;
	return 0;
}

static void tprocs_free(struct tprocs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].cmdline);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The tools' processes, or none when not live. Returns 0 or -errno. */
static int tprocs_get(const struct audit_ctx *c, struct tprocs *l)
{
	int err;

	memset(l, 0, sizeof(*l));
	err = audit_procs_each(c, tproc_add, l, &l->unreadable);
	return err == -ENOTSUP ? 0 : err;
}

static const struct tproc *tproc_find(const struct tprocs *l, uint32_t pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].pid == pid)
			return &l->v[i];
	return NULL;
}

/* Whether word is one of cmdline's arguments (after the program). */
static bool has_word(const char *cmdline, const char *word)
{
	size_t wl = strlen(word);
	const char *p = strchr(cmdline, ' ');

	while (p) {
		p++;
		if (strncmp(p, word, wl) == 0 && (p[wl] == ' ' || p[wl] == '\0'))
			return true;
		p = strchr(p, ' ');
	}
	return false;
}

/*
 * Whether a tool's process is its server, whose settings decide what listens: Ollama's CLI
 * (ollama run) reads OLLAMA_HOST as the address to connect to, and its runners inherit the
 * server's environment but listen on 127.0.0.1 whatever it says.
 */
static bool is_server(const struct tproc *p)
{
	if (strcmp(p->tool, "ollama") == 0)
		return has_word(p->cmdline, "serve") && !has_word(p->cmdline, "runner");
	return true;
}

/* ---- exposure-listeners -------------------------------------------------------------- */

struct sock {
	bool udp, v6;
	unsigned char addr[16];
	unsigned int port;
	unsigned long long inode;
	enum check_exposure_host host;
	uint32_t owner; /* a pid holding it, 0: not found */
	const struct tproc *tool_owner;
};

struct socks {
	struct sock *v;
	size_t n, cap;
};

static int hexbytes(const char *s, size_t n, unsigned char *out, bool v6)
{
	/* the kernel prints each 32-bit word of the address as a host-order number */
	for (size_t w = 0; w < (v6 ? 4u : 1u); w++) {
		char word[9];
		uint32_t v;
		char *end;

		if (n < (w + 1) * 8)
			return -1;
		memcpy(word, s + w * 8, 8);
		word[8] = '\0';
		v = (uint32_t)strtoul(word, &end, 16);
		if (*end)
			return -1;
		memcpy(out + w * 4, &v, 4);
	}
	return 0;
}

/*
 * Parses PROC/net/{tcp,tcp6,udp,udp6}: "sl local rem st tx:rx tr:when retr uid timeout inode".
 * Keeps listening TCP sockets (state 0A) and unconnected bound UDP ones (07, remote port 0).
 */
static int net_parse(const char *text, bool udp, bool v6, struct socks *l)
{
	const char *p = text ? strchr(text, '\n') : NULL;

	while (p && *++p) {
		const char *nl = strchr(p, '\n');
		char line[512], *f[12], *save = NULL, *tok;
		size_t ll = nl ? (size_t)(nl - p) : strlen(p), nf = 0;
		struct sock s = { .udp = udp, .v6 = v6 };
		const char *colon;
		unsigned long st;
		char *end;

		if (ll >= sizeof(line))
			ll = sizeof(line) - 1;
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl;
		for (tok = strtok_r(line, " \t", &save); tok && nf < 12;
		     tok = strtok_r(NULL, " \t", &save))
			f[nf++] = tok;
		if (nf < 10)
			continue;
		colon = strchr(f[1], ':');
		if (!colon || hexbytes(f[1], (size_t)(colon - f[1]), s.addr, v6))
			continue;
		s.port = (unsigned int)strtoul(colon + 1, &end, 16);
		if (*end || s.port == 0 || s.port > 65535)
			continue;
		st = strtoul(f[3], &end, 16);
		if (*end)
			continue;
		if (!udp && st != 0x0A)
			continue;
		if (udp && (st != 0x07 || !strstr(f[2], ":0000")))
			continue;
		errno = 0;
		s.inode = strtoull(f[9], &end, 10);
		if (*end || errno)
			continue;
		s.host = v6 ? host_of_v6(s.addr) : host_of_v4(s.addr);
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 64;
			struct sock *v = realloc(l->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = s;
	}
	return 0;
}

/*
 * Finds the pid holding each socket: every PROC/PID/fd/N that links to "socket:[INODE]".
 * *unreadable counts the processes whose descriptors could not be listed (not root).
 */
static int socks_owners(const char *proc_root, struct socks *l, const struct tprocs *tp,
			size_t *unreadable)
{
	struct dirent *d;
	DIR *dir = opendir(proc_root);

	*unreadable = 0;
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char path[PATH_MAX];
		struct dirent *fd;
		unsigned long pid;
		char *end;
		DIR *fds;

		pid = strtoul(d->d_name, &end, 10);
		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%lu/fd", proc_root, pid);
		fds = opendir(path);
		if (!fds) {
			*unreadable += errno == EACCES;
			continue;
		}
		while ((fd = readdir(fds))) {
			char link[64], target[64];
			unsigned long long ino;
			ssize_t n;

			if (fd->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%.20s", fd->d_name);
			n = readlinkat(dirfd(fds), link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strncmp(target, "socket:[", 8) != 0)
				continue;
			errno = 0;
			ino = strtoull(target + 8, &end, 10);
			if (errno || *end != ']')
				continue;
			for (size_t i = 0; i < l->n; i++) {
				const struct tproc *t;

				if (l->v[i].inode != ino)
					continue;
				t = tproc_find(tp, (uint32_t)pid);
				/* a socket shared after fork: the tool's process names it best */
				if (!l->v[i].owner || (t && !l->v[i].tool_owner)) {
					l->v[i].owner = (uint32_t)pid;
					l->v[i].tool_owner = t;
				}
			}
		}
		closedir(fds);
	}
	closedir(dir);
	return 0;
}

static char *sock_name(const struct sock *s)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(s->v6 ? AF_INET6 : AF_INET, s->addr, a, sizeof(a));
	return xfmt(s->v6 ? "[%s]:%u/%s" : "%s:%u/%s", a, s->port,
		    s->udp ? (s->v6 ? "udp6" : "udp") : (s->v6 ? "tcp6" : "tcp"));
}

/*
 * The tools' sockets, as hits: FAIL for one beyond loopback, PASS for one on loopback, WARN
 * for a socket beyond loopback on a tool's usual port whose owner could not be found.
 * *skip is set (and nothing found) when the audit is not live.
 */
static int scan_listeners(const struct audit_ctx *c, struct hits *h, const char **skip,
			  size_t *n_socks)
{
	static const char *const files[] = { "tcp", "tcp6", "udp", "udp6" };
	struct socks l = { 0 };
	struct tprocs tp;
	size_t unreadable = 0;
	int err;

	*skip = NULL;
	*n_socks = 0;
	if (!c->live || !c->proc_root) {
		*skip = "not live: a --root image has no sockets to look at";
		return 0;
	}
	err = tprocs_get(c, &tp);
	if (err)
		return err;
	for (size_t i = 0; i < 4 && !err; i++) {
		char path[PATH_MAX], *text;
		size_t len;

		snprintf(path, sizeof(path), "%s/net/%s", c->proc_root, files[i]);
		if (proc_read(path, NET_MAX, &text, &len))
			continue; /* no IPv6 in this kernel, say */
		err = net_parse(text, i >= 2, i % 2 == 1, &l);
		free(text);
	}
	if (!err)
		err = socks_owners(c->proc_root, &l, &tp, &unreadable);
	*n_socks = l.n;
	for (size_t i = 0; i < l.n && !err; i++) {
		const struct sock *s = &l.v[i];
		const struct tproc *t = s->tool_owner;
		const char *usual_src = NULL,
			   *usual = check_exposure_port_owner(s->port, &usual_src);
		const struct tool_facts *f = facts_of(t ? t->tool : NULL);
		char usual_words[160] = "", *name = sock_name(s);

		if (usual)
			snprintf(usual_words, sizeof(usual_words), "; port %u is usually %s's",
				 s->port, usual);
		if (t && s->host == CHECK_EXPOSURE_LOOPBACK) {
			hit_add(h, AUDIT_PASS, t->tool, name,
				xfmt("pid %u (%s), %s, listens on %s: loopback only", t->pid,
				     t->comm, t->tool, name ? name : "?"),
				NULL, f->source);
		} else if (t) {
			hit_add(h, AUDIT_FAIL, t->tool, name,
				xfmt("pid %u (%s), %s, listens on %s: %s%s", t->pid, t->comm,
				     t->tool, name ? name : "?", host_words(s->host), usual_words),
				f->fix, f->source);
		} else if (!s->owner && usual && s->host != CHECK_EXPOSURE_LOOPBACK) {
			hit_add(h, AUDIT_WARN, NULL, name,
				xfmt("%s listens on %s, on %s's usual port, and its process could "
				     "not be found%s",
				     name ? name : "?", host_words(s->host), usual,
				     c->privileged ? " (another network namespace, or gone)" :
						     " (not root: other users' descriptors are "
						     "unreadable)"),
				c->privileged ?
					"find what holds it (ss -ltnup) and bind it to "
					"127.0.0.1 if it is an inference tool" :
					"run the audit as root to see which process holds it",
				usual_src);
		} else {
			free(name);
		}
	}
	(void)unreadable;
	free(l.v);
	tprocs_free(&tp);
	return err ? err : h->err;
}

int check_exposure_listeners(const struct audit_ctx *c, struct audit_report *r)
{
	struct hits h = { 0 };
	const char *skip;
	size_t n;
	int err = scan_listeners(c, &h, &skip, &n);

	if (!err && skip)
		err = add1(r, "exposure-listeners", AUDIT_SKIP, NULL, "listening sockets", skip,
			   NULL, NULL);
	else if (!err)
		err = hits_report(&h, r, "exposure-listeners");
	if (!err && !skip) {
		bool bad = false;

		for (size_t i = 0; i < h.n; i++)
			bad |= h.v[i].status != AUDIT_PASS;
		if (!bad)
			err = add1(r, "exposure-listeners", AUDIT_PASS, NULL, "listening sockets",
				   audit_fmt(r,
					     "no inference tool listens beyond loopback (listening "
					     "sockets looked at: %zu%s)",
					     n,
					     c->privileged ? "" :
							     "; not root: other users' sockets "
							     "could not be matched to processes"),
				   NULL, CHECKLIST_SRC " (section Summary table: default listen)");
	}
	hits_free(&h);
	return err;
}

/* ---- settings found in processes and units -------------------------------------------- */

struct found {
	char *name, *value, *where;
	const char *tool;
	uint32_t pid;
	enum audit_setting_from from;
};

struct founds {
	struct found *v;
	size_t n, cap;
	const struct tprocs *tp;
	/* names[i] counts only for tools[i] (a NULL-terminated list; NULL: any tool) */
	const char *const *names;
	const char *const *const *tools;
	size_t n_names;
};

static bool tool_in(const char *tool, const char *const *tools)
{
	if (!tools)
		return true;
	for (; *tools; tools++)
		if (tool && strcmp(*tools, tool) == 0)
			return true;
	return false;
}

static int found_add(void *arg, const struct audit_setting *s)
{
	struct founds *l = arg;
	struct found *f;
	size_t k;

	for (k = 0; k < l->n_names; k++)
		if (strcmp(l->names[k], s->name) == 0)
			break;
	if (k == l->n_names || !tool_in(s->tool, l->tools[k]))
		return 0;
	if (s->pid && l->tp) {
		const struct tproc *p = tproc_find(l->tp, s->pid);

		if (p && !is_server(p))
			return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct found *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	f = &l->v[l->n];
	*f = (struct found){ strdup(s->name), strdup(s->value), strdup(s->where),
			     s->tool,	      s->pid,		s->from };
	if (!f->name || !f->value || !f->where) {
		free(f->name);
		free(f->value);
		free(f->where);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static void founds_free(struct founds *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
		free(l->v[i].where);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* The environment variables and options names[] (opts: which are options) of their tools. */
static int founds_get(const struct audit_ctx *c, struct founds *l, const bool *opt)
{
	const char *env[16], *opts[16];
	size_t ne = 0, no = 0;
	int err = 0;

	for (size_t k = 0; k < l->n_names && k < 16; k++) {
		if (opt[k])
			opts[no++] = l->names[k];
		else
			env[ne++] = l->names[k];
	}
	if (ne)
		err = audit_env_find(c, env, ne, found_add, l);
	if (!err && no)
		err = audit_argv_find(c, NULL, opts, no, found_add, l);
	return err;
}

static bool found_for_pid(const struct founds *l, uint32_t pid, const char *const *names)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].pid != pid)
			continue;
		for (const char *const *n = names; *n; n++)
			if (strcmp(l->v[i].name, *n) == 0)
				return true;
	}
	return false;
}

/* "WHERE: --host 0.0.0.0" or "WHERE: OLLAMA_HOST=0.0.0.0", then what it means. */
static char *setting_evidence(const struct found *f, const char *meaning)
{
	if (f->name[0] != '-')
		return xfmt("%s: %s=%s: %s", f->where, f->name, f->value, meaning);
	if (!f->value[0])
		return xfmt("%s: %s: %s", f->where, f->name, meaning);
	return xfmt("%s: %s %s: %s", f->where, f->name, f->value, meaning);
}

/* ---- settings files (JSON) ------------------------------------------------------------- */

/* The first member called key anywhere in j (depth-first), or NULL. */
static const cJSON *json_find(const cJSON *j, const char *key, int depth)
{
	if (!j || depth > 16)
		return NULL;
	for (const cJSON *m = j->child; m; m = m->next) {
		const cJSON *hit;

		if (m->string && strcmp(m->string, key) == 0)
			return m;
		hit = json_find(m, key, depth + 1);
		if (hit)
			return hit;
	}
	return NULL;
}

/* The line of "key" in a JSON text (its first occurrence: the one cJSON takes, mostly). */
static unsigned int json_line(const char *text, size_t len, const char *key)
{
	char quoted[80];
	const char *at;

	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	at = strstr(text, quoted);
	return at ? audit_line_of(text, len, (size_t)(at - text)) : 0;
}

struct json_file {
	char *path;
	char *text;
	size_t len;
	cJSON *json;
	const char *tool;
};

struct json_files {
	struct json_file v[32];
	size_t n;
};

static int json_collect(void *arg, const struct audit_store_hit *h)
{
	struct json_files *l = arg;
	struct json_file *f;

	if (l->n >= 32 || h->is_dir)
		return 0;
	f = &l->v[l->n];
	f->path = strdup(h->path);
	f->tool = h->store->tool;
	if (!f->path)
		return -ENOMEM;
	l->n++;
	return 0;
}

/* The settings files of tool that exist, read and parsed (those that parse). */
static int json_files_get(const struct audit_ctx *c, const char *tool, struct json_files *l)
{
	int err = audit_stores_each(c, AUDIT_STORE_SETTINGS, tool, json_collect, l);

	for (size_t i = 0; i < l->n; i++) {
		struct json_file *f = &l->v[i];

		if (audit_read_file(c, f->path, JSON_MAX, &f->text, &f->len))
			continue;
		f->json = cJSON_ParseWithLength(f->text, f->len);
	}
	return err;
}

static void json_files_free(struct json_files *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].text);
		cJSON_Delete(l->v[i].json);
	}
	l->n = 0;
}

#define LMS_CONFIG_SRC                                                                        \
	"lmstudio-ai/lms src/lmstudioPaths.ts (.internal/http-server-config.json); its keys " \
	"networkInterface and cors as third-party setups show them [M]"
#define JAN_SETTINGS_SRC                                                                        \
	"janhq/jan web-app/src/hooks/useLocalApiServer.ts @69b62a55 (serverHost, corsEnabled, " \
	"apiKey; kept in the webview's storage, in a settings file only when one holds them) [M]"

/* ---- exposure-settings ---------------------------------------------------------------- */

static const char *const T_OLLAMA[] = { "ollama", NULL };
static const char *const T_LMS[] = { "lm-studio", NULL };
static const char *const T_LLAMA[] = { "llama-server", "jan", NULL };
static const char *const T_WEBUI[] = { "open-webui", NULL };
static const char *const T_LOCALAI[] = { "localai", NULL };
static const char *const T_TGW[] = { "text-generation-webui", NULL };
static const char *const T_HOSTOPT[] = { "llama-server", "jan",	       "koboldcpp",
					 "vllm",	 "open-webui", "llamafile",
					 "ollama",	 "localai",    NULL };

static const char *const host_names[] = { "OLLAMA_HOST", "LMS_SERVER_HOST", "LLAMA_ARG_HOST",
					  "HOST",	 "LOCALAI_ADDRESS", "ADDRESS",
					  "--host",	 "--bind",	    "--address",
					  "--listen" };
static const char *const *const host_tools[] = { T_OLLAMA,  T_LMS,     T_LLAMA,	  T_WEBUI,
						 T_LOCALAI, T_LOCALAI, T_HOSTOPT, T_LMS,
						 T_LOCALAI, T_TGW };
static const bool host_opt[] = { false, false, false, false, false, false, true, true, true, true };
#define N_HOST (sizeof(host_names) / sizeof(host_names[0]))

/* The tools that listen on every interface unless told otherwise, and what tells them. */
static const struct {
	const char *tool;
	const char *const *names; /* settings that set its address */
	const char *word;	  /* an argument its server's command line must hold, or NULL */
} all_by_default[] = {
	{ "koboldcpp", (const char *const[]){ "--host", NULL }, NULL },
	{ "vllm", (const char *const[]){ "--host", NULL }, NULL },
	{ "localai", (const char *const[]){ "--address", "LOCALAI_ADDRESS", "ADDRESS", NULL },
	  NULL },
	{ "open-webui", (const char *const[]){ "--host", "HOST", NULL }, "serve" },
};

static void scan_host_settings(const struct audit_ctx *c, struct hits *h, const struct founds *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct found *f = &l->v[i];
		const struct tool_facts *tf = facts_of(f->tool);
		enum check_exposure_host host;

		if (strcmp(f->name, "--listen") == 0)
			host = CHECK_EXPOSURE_ALL; /* text-generation-webui: 0.0.0.0 */
		else
			host = check_exposure_host_of(f->value, tf->empty);
		hit_add(h, host == CHECK_EXPOSURE_LOOPBACK ? AUDIT_PASS : AUDIT_FAIL, f->tool,
			xfmt("%s", f->name), setting_evidence(f, host_words(host)), tf->fix,
			tf->source);
	}
	(void)c;
}

/* Running servers of tools that listen on every interface by default, with nothing to say
 * otherwise. */
static void scan_host_defaults(struct hits *h, const struct tprocs *tp, const struct founds *l)
{
	for (size_t i = 0; i < tp->n; i++) {
		const struct tproc *p = &tp->v[i];

		for (size_t k = 0; k < sizeof(all_by_default) / sizeof(all_by_default[0]); k++) {
			const struct tool_facts *tf = facts_of(p->tool);

			if (strcmp(all_by_default[k].tool, p->tool) != 0)
				continue;
			if (all_by_default[k].word && !has_word(p->cmdline, all_by_default[k].word))
				continue;
			if (found_for_pid(l, p->pid, all_by_default[k].names))
				continue;
			hit_add(h, AUDIT_FAIL, p->tool, xfmt("pid %u (%s)", p->pid, p->comm),
				xfmt("pid %u (%s) runs with no %s: %s listens on every interface "
				     "by default",
				     p->pid, p->comm, all_by_default[k].names[0], p->tool),
				tf->fix, tf->source);
		}
	}
}

static void scan_host_files(const struct audit_ctx *c, struct hits *h)
{
	struct json_files l = { 0 };
	static const struct {
		const char *tool, *key, *src;
	} keys[] = {
		{ "lm-studio", "networkInterface", LMS_CONFIG_SRC },
		{ "jan", "serverHost", JAN_SETTINGS_SRC },
	};

	for (size_t k = 0; k < 2; k++) {
		if (json_files_get(c, keys[k].tool, &l))
			h->err = -ENOMEM;
		for (size_t i = 0; i < l.n; i++) {
			const struct json_file *f = &l.v[i];
			const cJSON *v = json_find(f->json, keys[k].key, 0);
			const struct tool_facts *tf = facts_of(keys[k].tool);
			enum check_exposure_host host;

			if (!cJSON_IsString(v))
				continue;
			host = check_exposure_host_of(v->valuestring, tf->empty);
			hit_add(h, host == CHECK_EXPOSURE_LOOPBACK ? AUDIT_PASS : AUDIT_FAIL,
				keys[k].tool, xfmt("%s", f->path),
				xfmt("%s:%u: %s \"%s\": %s", f->path,
				     json_line(f->text, f->len, keys[k].key), keys[k].key,
				     v->valuestring, host_words(host)),
				tf->fix, keys[k].src);
		}
		json_files_free(&l);
	}
}

/* Tools' servers whose environment could not be read (another user's, not root): SKIP. */
static void scan_unreadable(const struct audit_ctx *c, struct hits *h, const struct tprocs *tp)
{
	for (size_t i = 0; i < tp->n; i++) {
		const struct tproc *p = &tp->v[i];
		char path[PATH_MAX];
		int fd;

		if (!is_server(p))
			continue;
		snprintf(path, sizeof(path), "%s/%u/environ", c->proc_root, p->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != EACCES && errno != EPERM)
			continue; /* gone */
		hit_add(h, AUDIT_SKIP, p->tool, xfmt("pid %u (%s)", p->pid, p->comm),
			xfmt("pid %u (%s): its environment is not readable (not root): a host "
			     "variable set there is not seen",
			     p->pid, p->comm),
			NULL, NULL);
	}
}

static int unread_hit(void *arg, const struct audit_unread *u)
{
	hit_add(arg, AUDIT_SKIP, u->tool, xfmt("%s", audit_unread_subject(u)),
		audit_unread_text(u, "a host setting"), NULL, NULL);
	return 0;
}

/*
 * The tools' units' files (their unit files, drop-ins and environment files) that could not
 * be read, and units of no known tool whose unit file could not be: SKIP, each.
 */
static int scan_unread_envfiles(const struct audit_ctx *c, struct hits *h)
{
	return audit_env_unread(c, unread_hit, h);
}

/* Everything exposure-settings finds, as hits. */
static int scan_settings(const struct audit_ctx *c, struct hits *h)
{
	struct tprocs tp;
	struct founds l = { .names = host_names, .tools = host_tools, .n_names = N_HOST };
	int err = tprocs_get(c, &tp);

	l.tp = &tp;
	if (!err)
		err = founds_get(c, &l, host_opt);
	if (!err) {
		scan_host_settings(c, h, &l);
		scan_host_defaults(h, &tp, &l);
		scan_host_files(c, h);
		scan_unreadable(c, h, &tp);
		err = scan_unread_envfiles(c, h);
	}
	founds_free(&l);
	tprocs_free(&tp);
	return err ? err : h->err;
}

int check_exposure_settings(const struct audit_ctx *c, struct audit_report *r)
{
	struct hits h = { 0 };
	int err = scan_settings(c, &h);

	if (!err)
		err = hits_report(&h, r, "exposure-settings");
	if (!err && h.n == 0)
		err = add1(r, "exposure-settings", AUDIT_PASS, NULL, "host settings",
			   audit_fmt(r,
				     "no tool's host setting found%s in units%s or settings files: "
				     "each keeps its default (loopback for Ollama, LM Studio, "
				     "llama-server, Jan)",
				     c->live ? " in running tools' environments and arguments," :
					       "",
				     c->n_homes ? " (system and users')" : ""),
			   NULL, CHECKLIST_SRC " (section Summary table: default listen)");
	hits_free(&h);
	return err;
}

/* ---- exposure-containers ---------------------------------------------------------------- */

#define IMAGES_SRC                                                                              \
	"ollama Dockerfile L317 (OLLAMA_HOST=0.0.0.0:11434); llama.cpp .devops/cpu.Dockerfile " \
	"@bb0e507a (LLAMA_ARG_HOST=0.0.0.0); open-webui backend/start.sh (HOST 0.0.0.0); "      \
	"LocalAI core/cli/run.go L70; Docker: PortBindings HostIp \"\" publishes on every "     \
	"address"

static const char *json_str(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One container: its published ports as hits. Returns 0, 1 (not a tool's), or -errno. */
static int container_scan(const struct audit_ctx *c, const char *dir, struct hits *h)
{
	char path[PATH_MAX], *cfg_text = NULL, *host_text = NULL;
	size_t len;
	cJSON *cfg = NULL, *hc = NULL;
	const char *image, *name, *tool, *mode;
	const cJSON *bindings, *state;
	bool running, any = false;
	int ret = 1;

	if (snprintf(path, sizeof(path), "%s/config.v2.json", dir) >= (int)sizeof(path) ||
	    audit_read_file(c, path, JSON_MAX, &cfg_text, &len))
		goto out;
	cfg = cJSON_ParseWithLength(cfg_text, len);
	image = json_str(cJSON_GetObjectItemCaseSensitive(cfg, "Config"), "Image");
	if (!image)
		image = json_str(cfg, "Image");
	tool = image ? audit_image_tool(image) : NULL;
	if (!tool)
		goto out;
	ret = 0;
	name = json_str(cfg, "Name");
	state = cJSON_GetObjectItemCaseSensitive(cfg, "State");
	running = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(state, "Running"));
	if (snprintf(path, sizeof(path), "%s/hostconfig.json", dir) < (int)sizeof(path) &&
	    !audit_read_file(c, path, JSON_MAX, &host_text, &len))
		hc = cJSON_ParseWithLength(host_text, len);
	mode = json_str(hc, "NetworkMode");
	if (mode && strcmp(mode, "host") == 0) {
		hit_add(h, AUDIT_FAIL, tool, xfmt("container %s (%s)", name ? name : dir, image),
			xfmt("%s: NetworkMode \"host\": the image's server listens on the host's "
			     "own interfaces, every one of them (%s)",
			     path, running ? "running" : "stopped"),
			"run it on a bridge network publishing the port on loopback only "
			"(docker run -p 127.0.0.1:PORT:PORT), or set its host variable to 127.0.0.1",
			IMAGES_SRC);
		goto out;
	}
	bindings = cJSON_GetObjectItemCaseSensitive(hc, "PortBindings");
	for (const cJSON *p = bindings ? bindings->child : NULL; p; p = p->next) {
		for (const cJSON *b = p->child; b; b = b->next) {
			const char *ip = json_str(b, "HostIp"), *port = json_str(b, "HostPort");
			enum check_exposure_host host;

			if (!ip || !ip[0])
				host = CHECK_EXPOSURE_ALL;
			else
				host = check_exposure_host_of(ip, CHECK_EXPOSURE_ALL);
			any = true;
			hit_add(h, host == CHECK_EXPOSURE_LOOPBACK ? AUDIT_PASS : AUDIT_FAIL, tool,
				xfmt("container %s (%s)", name ? name : dir, image),
				xfmt("%s: PortBindings %s -> %s:%s: published on %s (%s)", path,
				     p->string ? p->string : "?", ip && ip[0] ? ip : "\"\"",
				     port ? port : "?", host_words(host),
				     running ? "running" : "stopped"),
				"publish it on loopback only: -p 127.0.0.1:PORT:PORT (ports: - "
				"\"127.0.0.1:PORT:PORT\" in compose)",
				IMAGES_SRC);
		}
	}
	if (!any)
		hit_add(h, AUDIT_PASS, tool, xfmt("container %s (%s)", name ? name : dir, image),
			xfmt("%s: no port published on the host (%s)", path,
			     running ? "running" : "stopped"),
			NULL, IMAGES_SRC);
out:
	cJSON_Delete(cfg);
	cJSON_Delete(hc);
	free(cfg_text);
	free(host_text);
	return ret;
}

/* ---- Podman's containers ---- */

#define PODMAN_SRC                                                                                \
	"podman libpod/storage.go RuntimeContainerMetadata (\"image-name\"); containers/storage " \
	"containers.go (DRIVER-containers/containers.json); containers-storage.conf(5) "          \
	"graphroot; port bindings kept in libpod's database (bolt_state.db or db.sql)"

/*
 * Podman's containers in one storage root (DRIVER-containers/containers.json and its
 * volatile twin, as containers/storage keeps them): each of a tool's image is a WARN, since
 * its published ports are in Podman's own database, which is not read. *found counts the
 * container lists read; what cannot be read is a SKIP (out of memory: h->err).
 */
static void podman_scan(const struct audit_ctx *c, const char *root, struct hits *h, size_t *found)
{
	static const char *const lists[] = { "containers.json", "volatile-containers.json" };
	struct dirent *d;
	DIR *dh = audit_opendir(c, root);

	if (!dh) {
		if (errno != ENOENT)
			hit_add(h, AUDIT_SKIP, NULL, xfmt("%s", root),
				xfmt("%s: %s: Podman's containers there are not seen", root,
				     errno == EACCES ? "not readable (not root)" : strerror(errno)),
				NULL, NULL);
		return;
	}
	while ((d = readdir(dh))) {
		size_t dl = strlen(d->d_name);

		if (dl <= 11 || strcmp(d->d_name + dl - 11, "-containers") != 0)
			continue;
		for (size_t k = 0; k < 2; k++) {
			char path[PATH_MAX], *text;
			size_t len;
			cJSON *list;
			int r;

			if (snprintf(path, sizeof(path), "%s/%s/%s", root, d->d_name, lists[k]) >=
			    (int)sizeof(path))
				continue;
			r = audit_read_file(c, path, JSON_MAX, &text, &len);
			if (r == -ENOENT)
				continue;
			if (r) {
				hit_add(h, AUDIT_SKIP, NULL, xfmt("%s", path),
					xfmt("%s: %s: Podman's containers there are not seen", path,
					     r == -EACCES ? "not readable (not root)" :
					     r == -EFBIG  ? "larger than the audit reads" :
							    strerror(-r)),
					NULL, NULL);
				continue;
			}
			(*found)++;
			list = cJSON_ParseWithLength(text, len);
			for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e;
			     e = e->next) {
				const cJSON *names = cJSON_GetObjectItemCaseSensitive(e, "names");
				const char *md = json_str(e, "metadata"), *id = json_str(e, "id");
				const char *name = cJSON_IsArray(names) &&
								   cJSON_IsString(names->child) ?
							   names->child->valuestring :
							   id;
				cJSON *meta = md ? cJSON_Parse(md) : NULL;
				const char *image = json_str(meta, "image-name");
				const char *tool = image ? audit_image_tool(image) : NULL;

				if (tool)
					hit_add(h, AUDIT_WARN, tool,
						xfmt("podman container %s (%s)", name ? name : "?",
						     image),
						xfmt("%s: Podman container %s runs %s; Podman keeps "
						     "its published ports in its database, which the "
						     "audit does not read: published with no address "
						     "(-p PORT:PORT) the API is on every interface",
						     path, name ? name : "?", image),
						"see `podman port NAME` (as the container's owner); "
						"publish on loopback only: -p 127.0.0.1:PORT:PORT",
						PODMAN_SRC);
				cJSON_Delete(meta);
			}
			cJSON_Delete(list);
			free(text);
		}
	}
	closedir(dh);
}

/*
 * The graphroot a containers-storage.conf sets ([storage] graphroot = "..."), into out as
 * the checks open it; false when there is none (or it is not absolute).
 */
static bool storage_conf_root(const struct audit_ctx *c, const char *conf, char *out, size_t size)
{
	char *text;
	const char *v;
	size_t len, vl;
	unsigned int line;
	bool ok = false;

	if (audit_read_file(c, conf, JSON_MAX, &text, &len))
		return false;
	if (audit_ini_get(text, len, "storage", "graphroot", &v, &vl, &line)) {
		if (vl >= 2 && v[0] == '\'' && v[vl - 1] == '\'') {
			v++;
			vl -= 2;
		}
		ok = vl > 1 && v[0] == '/' && !audit_path(c, out, size, "%.*s", (int)vl, v);
	}
	free(text);
	return ok;
}

/* Podman's storage roots: the system's (storage.conf's graphroot, else /var/lib/containers/
 * storage) and each home's (~/.local/share/containers/storage, or its own storage.conf's
 * graphroot). */
static void podman_scan_all(const struct audit_ctx *c, struct hits *h, size_t *found)
{
	char root[PATH_MAX], conf[PATH_MAX];

	if (!(!audit_path(c, conf, sizeof(conf), "/etc/containers/storage.conf") &&
	      storage_conf_root(c, conf, root, sizeof(root))) &&
	    !(!audit_path(c, conf, sizeof(conf), "/usr/share/containers/storage.conf") &&
	      storage_conf_root(c, conf, root, sizeof(root))))
		audit_path(c, root, sizeof(root), "/var/lib/containers/storage");
	podman_scan(c, root, h, found);
	for (size_t i = 0; i < c->n_homes; i++) {
		const char *home = c->homes[i].path;

		if (snprintf(conf, sizeof(conf), "%s/.config/containers/storage.conf", home) >=
			    (int)sizeof(conf) ||
		    !storage_conf_root(c, conf, root, sizeof(root)))
			snprintf(root, sizeof(root), "%s/.local/share/containers/storage", home);
		podman_scan(c, root, h, found);
	}
}

/* ---- Podman Quadlet .container files ---- */

#define QUADLET_SRC                                                                            \
	"podman-systemd.unit(5) (search paths; [Container] Image=, Network=, PublishPort= as " \
	"podman run --publish [[ip:][hostPort]:]containerPort: no address or 0.0.0.0 binds "   \
	"every IPv4 address)"
#define QUADLET_PORTS_MAX 64
#define QUADLET_DEPTH 3		/* subfolders of a search path looked into */
#define QUADLET_FILES_MAX 4096u /* .container files looked at */

/* What a .container file (and its drop-ins) says of the container. */
struct quadlet {
	char image[512], network[64];
	struct {
		char value[128];
		char where[PATH_MAX + 16];
	} port[QUADLET_PORTS_MAX];
	size_t n_ports;
};

/*
 * The PublishPort= words of [v, e) into q, each cited path:line. Bounded by e alone: the
 * file's bytes may hold a NUL, which ends no word here.
 */
static void quadlet_ports(struct quadlet *q, const char *v, const char *e, const char *path,
			  unsigned int line)
{
	while (v < e && q->n_ports < QUADLET_PORTS_MAX) {
		const char *we = v;

		while (we < e && *we != ' ' && *we != '\t')
			we++;
		/* a word that starts with a NUL is no value: podman would refuse it */
		if (we > v && *v) {
			snprintf(q->port[q->n_ports].value, sizeof(q->port[0].value), "%.*s",
				 (int)(we - v), v);
			snprintf(q->port[q->n_ports++].where, sizeof(q->port[0].where), "%s:%u",
				 path, line);
		}
		for (v = we; v < e && (*v == ' ' || *v == '\t');)
			v++;
	}
}

/*
 * Reads the [Container] keys that decide exposure from one file of systemd unit syntax
 * into q: the last Image= and Network=, every PublishPort= word (each cited FILE:LINE).
 */
static void quadlet_parse(struct quadlet *q, const char *path, const char *text, size_t len)
{
	bool container = false;
	unsigned int line = 0;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end, *eq;
		size_t kl;

		p = nl ? nl + 1 : end;
		line++;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			container = (size_t)(e - s) == 11 && !memcmp(s, "[Container]", 11);
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (!container || !eq)
			continue;
		kl = (size_t)(eq - s);
		while (kl && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
			kl--;
		for (eq++; eq < e && (*eq == ' ' || *eq == '\t');)
			eq++;
		if (kl == 5 && !memcmp(s, "Image", 5))
			snprintf(q->image, sizeof(q->image), "%.*s", (int)(e - eq), eq);
		else if (kl == 7 && !memcmp(s, "Network", 7))
			snprintf(q->network, sizeof(q->network), "%.*s", (int)(e - eq), eq);
		else if (kl == 11 && !memcmp(s, "PublishPort", 11))
			quadlet_ports(q, eq, e, path, line);
	}
}

/* The address a PublishPort= value binds: "[::1]:8080:80", "127.0.0.1::80", "8080:80". */
static enum check_exposure_host quadlet_port_host(const char *v)
{
	char ip[128];
	const char *c1, *c2;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || (size_t)(close - v) + 1 >= sizeof(ip))
			return CHECK_EXPOSURE_OTHER;
		snprintf(ip, sizeof(ip), "%.*s", (int)(close - v + 1), v);
		return check_exposure_host_of(ip, CHECK_EXPOSURE_ALL);
	}
	c1 = strchr(v, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return CHECK_EXPOSURE_ALL; /* "80" or "8080:80": no address given */
	if (c1 == v)
		return CHECK_EXPOSURE_ALL;
	snprintf(ip, sizeof(ip), "%.*s", (int)(c1 - v), v);
	return check_exposure_host_of(ip, CHECK_EXPOSURE_ALL);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The drop-ins of the .container file at path (path.d/ *.conf beside it, applied in name
 * order; at most 64) into q; one that cannot be read is a SKIP in h. Returns 0 or -ENOMEM.
 */
static int quadlet_dropins(const struct audit_ctx *c, const char *path, struct quadlet *q,
			   struct hits *h)
{
	char(*names)[NAME_MAX + 1] = calloc(64, sizeof(*names));
	char ddir[PATH_MAX + 2];
	struct dirent *d;
	size_t n = 0;
	DIR *dh;

	if (!names)
		return -ENOMEM;
	snprintf(ddir, sizeof(ddir), "%s.d", path);
	dh = audit_opendir(c, ddir);
	while (dh && (d = readdir(dh)) && n < 64) {
		size_t nl = strlen(d->d_name);

		if (nl > 5 && !strcmp(d->d_name + nl - 5, ".conf"))
			snprintf(names[n++], NAME_MAX + 1, "%s", d->d_name);
	}
	if (dh)
		closedir(dh);
	qsort(names, n, sizeof(*names), by_str);
	for (size_t i = 0; i < n; i++) {
		char dpath[PATH_MAX + NAME_MAX + 4], *text;
		size_t len;

		int r;

		snprintf(dpath, sizeof(dpath), "%s/%s", ddir, names[i]);
		r = audit_read_file(c, dpath, JSON_MAX, &text, &len);
		if (r) {
			if (r != -ENOENT)
				hit_add(h, AUDIT_SKIP, NULL, xfmt("%s", dpath),
					xfmt("%s: %s: what it sets of a container is not seen",
					     dpath, strerror(-r)),
					NULL, NULL);
			continue;
		}
		quadlet_parse(q, dpath, text, len);
		free(text);
	}
	free(names);
	return 0;
}

/* One .container file (dir/name) with its drop-ins. */
static void quadlet_scan(const struct audit_ctx *c, const char *dir, const char *name,
			 const char *who, struct hits *h)
{
	struct quadlet *q = calloc(1, sizeof(*q));
	char path[PATH_MAX], *text;
	const char *tool;
	size_t len;
	int r;

	if (!q) {
		h->err = -ENOMEM;
		return;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		goto out;
	r = audit_read_file(c, path, JSON_MAX, &text, &len);
	if (r) {
		if (r != -ENOENT)
			hit_add(h, AUDIT_SKIP, NULL, xfmt("%s", path),
				xfmt("%s: %s: a container it defines is not seen", path,
				     strerror(-r)),
				NULL, NULL);
		goto out;
	}
	quadlet_parse(q, path, text, len);
	free(text);
	if (quadlet_dropins(c, path, q, h)) {
		h->err = -ENOMEM;
		goto out;
	}
	tool = q->image[0] ? audit_image_tool(q->image) : NULL;
	if (!tool)
		goto out;
	if (!strncmp(q->network, "host", 4) && (!q->network[4] || q->network[4] == ':')) {
		hit_add(h, AUDIT_FAIL, tool, xfmt("quadlet %s (%s)", name, q->image),
			xfmt("%s: Network=%s: the image's server listens on the host's own "
			     "interfaces, every one of them (%s)",
			     path, q->network, who),
			"drop Network=host and publish the port on loopback only: "
			"PublishPort=127.0.0.1:PORT:PORT",
			QUADLET_SRC);
		goto out;
	}
	for (size_t i = 0; i < q->n_ports; i++) {
		enum check_exposure_host host = quadlet_port_host(q->port[i].value);

		hit_add(h, host == CHECK_EXPOSURE_LOOPBACK ? AUDIT_PASS : AUDIT_FAIL, tool,
			xfmt("quadlet %s (%s)", name, q->image),
			xfmt("%s: PublishPort=%s: published on %s (%s)", q->port[i].where,
			     q->port[i].value, host_words(host), who),
			"publish it on loopback only: PublishPort=127.0.0.1:PORT:PORT",
			QUADLET_SRC);
	}
	if (!q->n_ports)
		hit_add(h, AUDIT_PASS, tool, xfmt("quadlet %s (%s)", name, q->image),
			xfmt("%s: no port published on the host (%s)", path, who), NULL,
			QUADLET_SRC);
out:
	free(q);
}

struct quadlet_walk {
	const struct audit_ctx *c;
	struct hits *h;
	const char *who;
	char seen[64][NAME_MAX + 1]; /* names found in a higher search path hide lower ones */
	size_t n_seen, files;
};

static bool quadlet_seen(struct quadlet_walk *w, const char *name)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (!strcmp(w->seen[i], name))
			return true;
	if (w->n_seen < 64)
		snprintf(w->seen[w->n_seen++], NAME_MAX + 1, "%s", name);
	return false;
}

/* The .container files of a search path and its subfolders (skip: a subfolder not to enter
 * at the top, /etc/containers/systemd's users/). */
static void quadlet_dir(struct quadlet_walk *w, const char *dir, int depth, const char *skip)
{
	struct dirent *d;
	DIR *dh = audit_opendir(w->c, dir);

	if (!dh)
		return;
	while ((d = readdir(dh)) && w->files < QUADLET_FILES_MAX) {
		size_t nl = strlen(d->d_name);
		char sub[PATH_MAX];
		bool is_dir = false;

		if (d->d_name[0] == '.')
			continue;
		if (nl > 10 && !strcmp(d->d_name + nl - 10, ".container")) {
			w->files++;
			if (!quadlet_seen(w, d->d_name))
				quadlet_scan(w->c, dir, d->d_name, w->who, w->h);
			continue;
		}
		if (depth >= QUADLET_DEPTH || (skip && !strcmp(d->d_name, skip)) ||
		    (nl > 2 && !strcmp(d->d_name + nl - 2, ".d")) ||
		    snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) >= (int)sizeof(sub) ||
		    !audit_exists(w->c, sub, &is_dir) || !is_dir)
			continue;
		quadlet_dir(w, sub, depth + 1, NULL);
	}
	closedir(dh);
}

/* Quadlet's search paths (podman-systemd.unit(5)): the root's, every user's, each home's. */
static void quadlet_scan_all(const struct audit_ctx *c, struct hits *h)
{
	static const char *const rootful[] = { "/run/containers/systemd", "/etc/containers/systemd",
					       "/usr/share/containers/systemd" };
	struct quadlet_walk *w = calloc(1, sizeof(*w));
	char dir[PATH_MAX];

	if (!w) {
		h->err = -ENOMEM;
		return;
	}
	w->c = c;
	w->h = h;
	w->who = "rootful";
	for (size_t k = 0; k < 3; k++)
		if (!audit_path(c, dir, sizeof(dir), "%s", rootful[k]))
			quadlet_dir(w, dir, 0, k == 1 ? "users" : NULL);
	for (size_t i = 0; i < c->n_homes; i++) {
		w->n_seen = 0;
		w->who = "rootless, this user's";
		if (snprintf(dir, sizeof(dir), "%s/.config/containers/systemd", c->homes[i].path) <
		    (int)sizeof(dir))
			quadlet_dir(w, dir, 0, NULL);
		if (!audit_path(c, dir, sizeof(dir), "/etc/containers/systemd/users/%u",
				c->homes[i].uid))
			quadlet_dir(w, dir, 0, NULL);
	}
	/* files directly in users/ are every user's: read once */
	w->n_seen = 0;
	w->who = "rootless, every user's";
	if (!audit_path(c, dir, sizeof(dir), "/etc/containers/systemd/users"))
		quadlet_dir(w, dir, QUADLET_DEPTH, NULL);
	free(w);
}

/* Docker's data root: daemon.json's "data-root", else /var/lib/docker. */
static void docker_root(const struct audit_ctx *c, char *out, size_t size)
{
	char path[PATH_MAX], *text;
	size_t len;

	audit_path(c, out, size, "/var/lib/docker");
	if (audit_path(c, path, sizeof(path), "/etc/docker/daemon.json") ||
	    audit_read_file(c, path, JSON_MAX, &text, &len))
		return;
	{
		cJSON *j = cJSON_ParseWithLength(text, len);
		const char *dr = json_str(j, "data-root");

		if (dr && dr[0] == '/')
			audit_path(c, out, size, "%s", dr);
		cJSON_Delete(j);
	}
	free(text);
}

int check_exposure_containers(const struct audit_ctx *c, struct audit_report *r)
{
	char root[PATH_MAX], dir[PATH_MAX];
	struct hits h = { 0 };
	size_t seen = 0, podman_lists = 0;
	struct dirent *d;
	DIR *dh;
	int err = 0, e;

	podman_scan_all(c, &h, &podman_lists);
	quadlet_scan_all(c, &h);
	docker_root(c, root, sizeof(root));
	if (snprintf(dir, sizeof(dir), "%s/containers", root) >= (int)sizeof(dir))
		dir[0] = '\0';
	dh = dir[0] ? audit_opendir(c, dir) : NULL;
	e = dh ? 0 : dir[0] ? errno : ENAMETOOLONG;
	if (!dh && (podman_lists || h.n)) {
		/* Podman's findings stand alone; a Docker state that is there but unreadable is
		 * said too */
		if (e != ENOENT)
			hit_add(&h, AUDIT_SKIP, NULL, xfmt("%s", dir),
				xfmt("%s: %s", dir,
				     e == EACCES ? "not readable (not root)" : strerror(e)),
				NULL, NULL);
		err = hits_report(&h, r, "exposure-containers");
		if (!err && h.n == 0)
			err = add1(
				r, "exposure-containers", AUDIT_PASS, NULL, "podman",
				audit_fmt(r,
					  "no Podman container of an inference tool's image (%zu "
					  "container lists read); no Docker state at %s",
					  podman_lists, dir),
				NULL, PODMAN_SRC);
		hits_free(&h);
		return err;
	}
	if (!dh)
		return add1(r, "exposure-containers", AUDIT_SKIP, NULL, "container runtimes",
			    audit_fmt(r, "%s: %s; no Podman state", dir,
				      e == ENOENT ? "no Docker state" :
				      e == EACCES ? "not readable (not root)" :
						    strerror(e)),
			    NULL, NULL);
	while ((d = readdir(dh)) && seen < CONTAINERS_MAX && !err) {
		char cdir[PATH_MAX];
		int ret;

		if (strlen(d->d_name) != 64 || strspn(d->d_name, "0123456789abcdef") != 64)
			continue;
		seen++;
		if (snprintf(cdir, sizeof(cdir), "%s/%s", dir, d->d_name) >= (int)sizeof(cdir))
			continue;
		ret = container_scan(c, cdir, &h);
		if (ret < 0)
			err = ret;
	}
	closedir(dh);
	if (!err)
		err = hits_report(&h, r, "exposure-containers");
	if (!err && h.n == 0)
		err = add1(r, "exposure-containers", AUDIT_PASS, NULL, dir,
			   audit_fmt(r,
				     "no container of an inference tool's image among %zu (Docker)"
				     "%s",
				     seen,
				     podman_lists ? ", nor among Podman's" : "; no Podman state"),
			   NULL, IMAGES_SRC);
	hits_free(&h);
	return err;
}

/* ---- exposure-cors ---------------------------------------------------------------------- */

#define OLLAMA_ORIGINS_SRC                                                                        \
	"ollama envconfig/config.go AllowedOrigins() (OLLAMA_ORIGINS adds to a built-in list of " \
	"localhost, app://, file://, tauri://, vscode-webview:// origins)"

/*
 * OLLAMA_ORIGINS: comma-separated origins, "*" patterns. "*" (or any http(s) origin) lets
 * every web page a browser here opens call the API: FAIL. Another pattern with a "*" (an
 * extension scheme) admits more than one origin: WARN.
 */
static enum audit_status origins_status(const char *v)
{
	enum audit_status st = AUDIT_PASS;
	const char *p = v;

	while (*p) {
		size_t n = strcspn(p, ",");
		char o[256];

		snprintf(o, sizeof(o), "%.*s", (int)(n < 255 ? n : 255), p);
		{
			char *s = o, *e = o + strlen(o);

			while (*s == ' ')
				s++;
			while (e > s && e[-1] == ' ')
				*--e = '\0';
			if (!strcmp(s, "*") || !strncmp(s, "http://*", 8) ||
			    !strncmp(s, "https://*", 9) || !strcmp(s, "*://*"))
				return AUDIT_FAIL;
			if (strchr(s, '*'))
				st = AUDIT_WARN;
		}
		p += n;
		if (*p)
			p++;
	}
	return st;
}

static const char *const cors_names[] = { "OLLAMA_ORIGINS", "--cors" };
static const char *const *const cors_tools[] = { T_OLLAMA, T_LMS };
static const bool cors_opt[] = { false, true };

int check_exposure_cors(const struct audit_ctx *c, struct audit_report *r)
{
	struct tprocs tp;
	struct founds l = { .names = cors_names, .tools = cors_tools, .n_names = 2 };
	struct hits h = { 0 };
	struct json_files jf = { 0 };
	int err = tprocs_get(c, &tp);

	l.tp = &tp;
	if (!err)
		err = founds_get(c, &l, cors_opt);
	for (size_t i = 0; i < l.n && !err; i++) {
		const struct found *f = &l.v[i];

		if (strcmp(f->name, "--cors") == 0) {
			hit_add(&h, AUDIT_WARN, f->tool, xfmt("%s", f->name),
				setting_evidence(f, "lms server start --cors: any web page "
						    "opened here may call the API"),
				"start the server without --cors unless a web app on this machine "
				"needs it",
				"lmstudio-ai/lms src/subcommands/server.ts L82-125 (--cors, off by "
				"default)");
			continue;
		}
		{
			enum audit_status st = origins_status(f->value);

			hit_add(&h, st, f->tool, xfmt("%s", f->name),
				setting_evidence(
					f, st == AUDIT_FAIL ? "every web origin may call the API" :
					   st == AUDIT_WARN ? "a pattern admits many origins" :
							      "named origins only"),
				"list only the origins that need the API in OLLAMA_ORIGINS (never "
				"\"*\"): a page in any browser here can otherwise drive it",
				OLLAMA_ORIGINS_SRC);
		}
	}
	/* LM Studio's server settings and Jan's, when on disk */
	for (size_t k = 0; k < 2 && !err; k++) {
		const char *tool = k ? "jan" : "lm-studio", *key = k ? "corsEnabled" : "cors";

		if (json_files_get(c, tool, &jf))
			err = -ENOMEM;
		for (size_t i = 0; i < jf.n; i++) {
			const struct json_file *f = &jf.v[i];
			const cJSON *v = json_find(f->json, key, 0);

			if (!cJSON_IsBool(v))
				continue;
			hit_add(&h, cJSON_IsTrue(v) ? AUDIT_WARN : AUDIT_PASS, tool,
				xfmt("%s", f->path),
				xfmt("%s:%u: %s %s", f->path, json_line(f->text, f->len, key), key,
				     cJSON_IsTrue(v) ?
					     "true: web pages opened here may call the API" :
					     "false"),
				k ? "turn CORS off in Jan's Local API Server settings unless a web "
				    "app needs it" :
				    "turn CORS off in LM Studio's server settings",
				k ? JAN_SETTINGS_SRC : LMS_CONFIG_SRC);
		}
		json_files_free(&jf);
	}
	if (!err)
		err = h.err ? h.err : hits_report(&h, r, "exposure-cors");
	if (!err && h.n == 0)
		err = add1(r, "exposure-cors", AUDIT_PASS, NULL, "CORS settings",
			   "no CORS setting found that admits other origins (OLLAMA_ORIGINS, lms "
			   "--cors, LM Studio's and Jan's server settings)",
			   NULL, OLLAMA_ORIGINS_SRC);
	hits_free(&h);
	founds_free(&l);
	tprocs_free(&tp);
	return err;
}

/* ---- exposure-auth ---------------------------------------------------------------------- */

static const char *const T_LLAMA_KEY[] = { "llama-server", "jan", "llamafile", NULL };
static const char *const T_VLLM[] = { "vllm", NULL };
static const char *const T_KOBOLD[] = { "koboldcpp", NULL };

static const char *const key_names[] = { "LLAMA_API_KEY",   "VLLM_API_KEY", "API_KEY",
					 "LOCALAI_API_KEY", "WEBUI_AUTH",   "--api-key",
					 "--api-key-file",  "--api-keys",   "--password" };
static const char *const *const key_tools[] = { T_LLAMA_KEY, T_VLLM,	T_LOCALAI,
						T_LOCALAI,   T_WEBUI,	T_HOSTOPT,
						T_LLAMA_KEY, T_LOCALAI, T_KOBOLD };
static const bool key_opt[] = { false, false, false, false, false, true, true, true, true };

#define AUTH_SRC                                                                                  \
	"llama.cpp common/arg.cpp (--api-key, --api-key-file, LLAMA_API_KEY); docs.vllm.ai "      \
	"(--api-key, VLLM_API_KEY); LocalAI docs (API_KEY, --api-keys); koboldcpp.py "            \
	"(--password); Jan useLocalApiServer.ts (apiKey); Open WebUI docs (WEBUI_AUTH); Ollama: " \
	"no API authentication (" CHECKLIST_SRC ", section 1)"

struct exposed {
	const char *tool;
	char why[256];
};

static void exposed_add(struct exposed *v, size_t *n, const char *tool, const char *why)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(v[i].tool, tool) == 0)
			return;
	if (*n >= 32)
		return;
	v[*n].tool = tool;
	snprintf(v[*n].why, sizeof(v[*n].why), "%s", why);
	(*n)++;
}

int check_exposure_auth(const struct audit_ctx *c, struct audit_report *r)
{
	struct tprocs tp;
	struct founds l = { .names = key_names, .tools = key_tools, .n_names = 9 };
	struct hits lh = { 0 }, sh = { 0 }, out = { 0 };
	struct json_files jf = { 0 };
	struct exposed ex[32];
	size_t n_ex = 0, n_socks;
	const char *skip;
	bool keyed[32] = { false };
	int err = tprocs_get(c, &tp);

	/* what is exposed: the listeners' and the settings' FAILs */
	if (!err)
		err = scan_listeners(c, &lh, &skip, &n_socks);
	if (!err)
		err = scan_settings(c, &sh);
	for (size_t i = 0; i < lh.n; i++)
		if (lh.v[i].status == AUDIT_FAIL && lh.v[i].tool)
			exposed_add(ex, &n_ex, lh.v[i].tool, lh.v[i].evidence);
	for (size_t i = 0; i < sh.n; i++)
		if (sh.v[i].status == AUDIT_FAIL && sh.v[i].tool)
			exposed_add(ex, &n_ex, sh.v[i].tool, sh.v[i].evidence);
	l.tp = &tp;
	if (!err)
		err = founds_get(c, &l, key_opt);
	for (size_t i = 0; i < l.n && !err; i++) {
		const struct found *f = &l.v[i];

		if (strcmp(f->name, "WEBUI_AUTH") == 0) {
			if (audit_value_false(f->value, strlen(f->value)))
				hit_add(&out, AUDIT_FAIL, f->tool, xfmt("%s", f->name),
					xfmt("%s: WEBUI_AUTH=%s: Open WebUI runs with no login",
					     f->where, f->value),
					"remove WEBUI_AUTH=False: without it every visitor is the admin",
					AUTH_SRC);
			continue;
		}
		if (!f->value[0] && f->name[0] != '-')
			continue;
		for (size_t k = 0; k < n_ex; k++)
			keyed[k] |= f->tool && strcmp(ex[k].tool, f->tool) == 0;
		/* the key itself is a secret: never in the report */
		hit_add(&out, AUDIT_PASS, f->tool, xfmt("%s", f->name),
			xfmt("%s: %s is set (value not shown)", f->where, f->name), NULL, AUTH_SRC);
	}
	if (!err && json_files_get(c, "jan", &jf))
		err = -ENOMEM;
	for (size_t i = 0; i < jf.n && !err; i++) {
		const struct json_file *f = &jf.v[i];
		const cJSON *v = json_find(f->json, "apiKey", 0);

		if (!cJSON_IsString(v) || !v->valuestring[0])
			continue;
		for (size_t k = 0; k < n_ex; k++)
			keyed[k] |= strcmp(ex[k].tool, "jan") == 0;
		hit_add(&out, AUDIT_PASS, "jan", xfmt("%s", f->path),
			xfmt("%s:%u: apiKey is set (value not shown)", f->path,
			     json_line(f->text, f->len, "apiKey")),
			NULL, JAN_SETTINGS_SRC);
	}
	json_files_free(&jf);
	for (size_t k = 0; k < n_ex && !err; k++) {
		bool ollama = strcmp(ex[k].tool, "ollama") == 0;

		if (keyed[k])
			continue;
		hit_add(&out, AUDIT_WARN, ex[k].tool, xfmt("%s", ex[k].tool),
			xfmt("exposed beyond loopback with no API key: %s", ex[k].why),
			ollama ?
				"Ollama has no API key: keep it on loopback (OLLAMA_HOST=127.0.0.1) "
				"or put it behind a reverse proxy that authenticates" :
				"set an API key (llama-server/vLLM --api-key, LocalAI API_KEY, "
				"koboldcpp --password, Jan's API key), or keep it on loopback",
			AUTH_SRC);
	}
	if (!err)
		err = out.err ? out.err : hits_report(&out, r, "exposure-auth");
	if (!err && out.n == 0)
		err = add1(r, "exposure-auth", AUDIT_PASS, NULL, "API keys",
			   "no inference tool found exposed beyond loopback: no API key is needed",
			   NULL, AUTH_SRC);
	hits_free(&lh);
	hits_free(&sh);
	hits_free(&out);
	founds_free(&l);
	tprocs_free(&tp);
	return err;
}
