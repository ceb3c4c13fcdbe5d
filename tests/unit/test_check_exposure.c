// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The exposure checks (check_exposure.h) on fixtures: host values as the tools read them,
 * sockets in a fixture /proc (net/tcp*, fd links) joined to the tools' processes, host
 * settings in systemd drop-ins and LM Studio's server settings, Docker's container state,
 * CORS and API keys. Each check has a failing and a passing case.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/check_exposure.h"
#include "audit_fixture.h"

static void mv(const char *from, const char *to)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "%s/%s", fx_tmp, from);
	snprintf(b, sizeof(b), "%s/%s", fx_tmp, to);
	CHECK_INT(rename(a, b), 0);
}

/* A fixture process: stat, cmdline (NUL-separated, clen bytes), exe, one socket at fd 3. */
static void proc(unsigned int pid, const char *comm, const char *exe, const char *cmdline,
		 size_t clen, unsigned long inode)
{
	char rel[128], text[256];

	fx_proc_at(fx_tmp, pid, comm, exe, cmdline, clen, "", 0);
	snprintf(rel, sizeof(rel), "proc/%u/fd/0", pid);
	fx_tmp_link("/dev/null", rel);
	if (inode) {
		snprintf(rel, sizeof(rel), "proc/%u/fd/3", pid);
		snprintf(text, sizeof(text), "socket:[%lu]", inode);
		fx_tmp_link(text, rel);
	}
}

#define NET_HEAD                                                                              \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " \
	"timeout inode\n"
#define NET6_HEAD                                                                               \
	"  sl  local_address                         remote_address                        st " \
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static void proc_fixture(void)
{
	static const char ollama[] = "/usr/local/bin/ollama\0serve";
	static const char lms[] = "/opt/lm-studio/lm-studio";
	static const char sshd[] = "sshd: /usr/sbin/sshd -D";
	static const char vllm[] = "python3\0-m\0vllm.entrypoints.openai.api_server\0--port\0"
				   "8000";
	static const char cli[] = "ollama\0run\0llama3";
	static const char kobold[] = "/opt/koboldcpp\0--host\0"
				     "127.0.0.1";

	/* little-endian hosts print 0.0.0.0 as 00000000, 127.0.0.1 as 0100007F */
	fx_tmp_put("proc/net/tcp", NET_HEAD
		   "   0: 00000000:2CAA 00000000:0000 0A 00000000:00000000 00:00000000 00000000  "
		   "1000        0 1001 1 0000000000000000 100 0 0 10 0\n"
		   "   1: 0100007F:04D2 00000000:0000 0A 00000000:00000000 00:00000000 00000000  "
		   "1000        0 1002 1 0000000000000000 100 0 0 10 0\n"
		   "   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  "
		   "0        0 1003 1 0000000000000000 100 0 0 10 0\n"
		   "   3: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000  "
		   "0        0 1004 1 0000000000000000 100 0 0 10 0\n"
		   /* a connection, not a listener */
		   "   4: 0100007F:2CAA 0100007F:A000 01 00000000:00000000 00:00000000 00000000  "
		   "1000        0 1001 1 0000000000000000 100 0 0 10 0\n"
		   "   5: garbage\n");
	fx_tmp_put(
		"proc/net/tcp6", NET6_HEAD
		"   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 "
		"0A 00000000:00000000 00:00000000 00000000  1000        0 1005 1 0 100 0 0 10 0\n"
		"   1: 0000000000000000FFFF00000100007F:1389 00000000000000000000000000000000:0000 "
		"0A 00000000:00000000 00:00000000 00000000  1000        0 1006 1 0 100 0 0 10 0\n");
	fx_tmp_put("proc/net/udp",
		   NET_HEAD "   0: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 "
			    "00000000   0        0 1007 2 0000000000000000 0\n");
	proc(100, "ollama", "/usr/local/bin/ollama", ollama, sizeof(ollama), 1001);
	proc(101, "lm-studio", "/opt/lm-studio/lm-studio", lms, sizeof(lms), 1002);
	proc(102, "sshd", "/usr/sbin/sshd", sshd, sizeof(sshd), 1004);
	proc(103, "python3", "/usr/bin/python3", vllm, sizeof(vllm), 1005);
	proc(104, "koboldcpp", "/opt/koboldcpp", kobold, sizeof(kobold), 1006);
	/* the server's environment counts; the CLI's (the address it connects to) does not */
	fx_tmp_put("proc/100/environ", "OLLAMA_HOST=127.0.0.1:11434");
	proc(105, "ollama", "/usr/local/bin/ollama", cli, sizeof(cli), 0);
	fx_tmp_put("proc/105/environ", "OLLAMA_HOST=0.0.0.0");
}

/* ---- the report's findings ---- */

static bool quiet; /* a finding expected to be absent: no listing */

static const struct audit_finding *find(struct audit_report *r, const char *check,
					enum audit_status st, const char *subject,
					const char *evidence_part)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].check, check) != 0 || f[i].status != st)
			continue;
		if (subject && strcmp(f[i].subject, subject) != 0)
			continue;
		if (evidence_part && !strstr(f[i].evidence, evidence_part))
			continue;
		return &f[i];
	}
	if (quiet)
		return NULL;
	fprintf(stderr, "no %s %s %s (%s) among:\n", audit_status_name(st), check,
		subject ? subject : "*", evidence_part ? evidence_part : "*");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s %s %s: %s\n", audit_status_name(f[i].status), f[i].check,
			f[i].subject, f[i].evidence);
	return NULL;
}

static size_t count(struct audit_report *r, const char *check)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f), k = 0;

	for (size_t i = 0; i < n; i++)
		k += strcmp(f[i].check, check) == 0;
	return k;
}

/* Whether any finding of the report holds s anywhere. */
static bool anywhere(struct audit_report *r, const char *s)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f);

	for (size_t i = 0; i < n; i++)
		if (strstr(f[i].subject, s) || strstr(f[i].evidence, s))
			return true;
	return false;
}

static struct profile_set set;

static struct audit_ctx ctx_of(const char *root, bool live, char *proc_root)
{
	snprintf(proc_root, 128, "%s/proc", fx_tmp);
	return (struct audit_ctx){
		.root = root, .live = live, .proc_root = proc_root, .profiles = &set
	};
}

static void test_hosts(void)
{
	enum check_exposure_host L = CHECK_EXPOSURE_LOOPBACK, A = CHECK_EXPOSURE_ALL,
				 O = CHECK_EXPOSURE_OTHER;
	const char *src = NULL;

	CHECK_INT(check_exposure_host_of("0.0.0.0", L), A);
	CHECK_INT(check_exposure_host_of("0.0.0.0:11434", L), A);
	CHECK_INT(check_exposure_host_of("http://0.0.0.0:11434", L), A);
	CHECK_INT(check_exposure_host_of("[::]:11434", L), A);
	CHECK_INT(check_exposure_host_of("::", L), A);
	CHECK_INT(check_exposure_host_of(":8080", L), A);
	CHECK_INT(check_exposure_host_of("127.0.0.1", A), L);
	CHECK_INT(check_exposure_host_of("127.1.2.3:8080", A), L);
	CHECK_INT(check_exposure_host_of("[::1]:8080", A), L);
	CHECK_INT(check_exposure_host_of("::1", A), L);
	CHECK_INT(check_exposure_host_of("::ffff:127.0.0.1", A), L);
	CHECK_INT(check_exposure_host_of("::ffff:10.0.0.1", A), O);
	CHECK_INT(check_exposure_host_of("localhost:11434", A), L);
	CHECK_INT(check_exposure_host_of("192.168.1.5", L), O);
	CHECK_INT(check_exposure_host_of("fe80::1", L), O);
	CHECK_INT(check_exposure_host_of("myhost.lan", L), O);
	/* empty: the tool's own default */
	CHECK_INT(check_exposure_host_of("", L), L);
	CHECK_INT(check_exposure_host_of("", A), A);
	CHECK_STR(check_exposure_port_owner(11434, &src), "Ollama");
	CHECK(src && strstr(src, "ollama"));
	CHECK(check_exposure_port_owner(22, NULL) == NULL);
}

static void test_listeners(void)
{
	char proc_root[128];
	struct audit_ctx c = ctx_of("/", true, proc_root);
	struct audit_report *r = audit_report_new();
	const struct audit_finding *f;

	CHECK_INT(check_exposure_listeners(&c, r), 0);
	f = find(r, "exposure-listeners", AUDIT_FAIL, "0.0.0.0:11434/tcp", "pid 100 (ollama)");
	CHECK(f && strstr(f->evidence, "every interface") &&
	      strstr(f->evidence, "port 11434 is usually Ollama's") && f->fix &&
	      strstr(f->fix, "OLLAMA_HOST=127.0.0.1") && f->tool && !strcmp(f->tool, "ollama"));
	CHECK(find(r, "exposure-listeners", AUDIT_PASS, "127.0.0.1:1234/tcp",
		   "pid 101 (lm-studio)"));
	/* vLLM, named by its command line, on :: */
	CHECK(find(r, "exposure-listeners", AUDIT_FAIL, "[::]:8000/tcp6",
		   "pid 103 (python3), vllm"));
	/* ::ffff:127.0.0.1 is loopback */
	CHECK(find(r, "exposure-listeners", AUDIT_PASS, "[::ffff:127.0.0.1]:5001/tcp6",
		   "koboldcpp"));
	/* a tool's port with no process found: WARN, not root */
	f = find(r, "exposure-listeners", AUDIT_WARN, "0.0.0.0:8080/tcp", "could not be found");
	CHECK(f && strstr(f->evidence, "not root"));
	/* sshd's port 22 and the UDP socket are no tool's: nothing said */
	CHECK(!anywhere(r, ":22/"));
	CHECK(!anywhere(r, "5353"));
	CHECK_INT(count(r, "exposure-listeners"), 5);
	audit_report_free(r);

	/* not live: SKIP */
	r = audit_report_new();
	c.live = false;
	CHECK_INT(check_exposure_listeners(&c, r), 0);
	CHECK(find(r, "exposure-listeners", AUDIT_SKIP, NULL, "not live"));
	audit_report_free(r);

	/* nothing listening beyond loopback: PASS */
	r = audit_report_new();
	c.live = true;
	mv("proc/net/tcp", "proc/net/tcp.keep");
	mv("proc/net/tcp6", "proc/net/tcp6.keep");
	CHECK_INT(check_exposure_listeners(&c, r), 0);
	CHECK(find(r, "exposure-listeners", AUDIT_PASS, "listening sockets",
		   "no inference tool listens beyond loopback"));
	CHECK_INT(count(r, "exposure-listeners"), 1);
	mv("proc/net/tcp.keep", "proc/net/tcp");
	mv("proc/net/tcp6.keep", "proc/net/tcp6");
	audit_report_free(r);
}

static void test_settings(void)
{
	char proc_root[128], bad[128], good[128], spec[128], home[160];
	struct audit_home homes[1] = { { .path = home } };
	struct audit_ctx c;
	struct audit_report *r;
	const struct audit_finding *f;

	snprintf(bad, sizeof(bad), "%s/bad", fx_tmp);
	snprintf(good, sizeof(good), "%s/good", fx_tmp);
	snprintf(home, sizeof(home), "%s/home/alice", bad);
	fx_tmp_put("bad/etc/systemd/system/ollama.service.d/override.conf",
		   "[Service]\nEnvironment=\"OLLAMA_HOST=0.0.0.0\"\n");
	fx_tmp_put(
		"bad/home/alice/.lmstudio/.internal/http-server-config.json",
		"{\n  \"port\": 1234,\n  \"networkInterface\": \"0.0.0.0\",\n  \"cors\": true\n}\n");
	fx_tmp_put("good/etc/systemd/system/ollama.service.d/override.conf",
		   "[Service]\nEnvironment=\"OLLAMA_HOST=127.0.0.1:11434\"\n");

	/* a drop-in setting OLLAMA_HOST=0.0.0.0: FAIL citing the file and line */
	c = ctx_of(bad, false, proc_root);
	c.homes = homes;
	c.n_homes = 1;
	r = audit_report_new();
	CHECK_INT(check_exposure_settings(&c, r), 0);
	f = find(r, "exposure-settings", AUDIT_FAIL, "OLLAMA_HOST",
		 "/etc/systemd/system/ollama.service.d/override.conf:2: OLLAMA_HOST=0.0.0.0: "
		 "every interface");
	CHECK(f && f->tool && !strcmp(f->tool, "ollama") && f->fix && f->source);
	f = find(r, "exposure-settings", AUDIT_FAIL, NULL,
		 "http-server-config.json:3: networkInterface \"0.0.0.0\"");
	CHECK(f && f->tool && !strcmp(f->tool, "lm-studio"));
	CHECK_INT(count(r, "exposure-settings"), 2);
	audit_report_free(r);

	/* a loopback one: PASS */
	c = ctx_of(good, false, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_settings(&c, r), 0);
	CHECK(find(r, "exposure-settings", AUDIT_PASS, "OLLAMA_HOST",
		   "override.conf:2: OLLAMA_HOST=127.0.0.1:11434: loopback only"));
	CHECK_INT(count(r, "exposure-settings"), 1);
	audit_report_free(r);

	/* running tools: vLLM with no --host (every interface by default), koboldcpp's
	 * --host 127.0.0.1 */
	c = ctx_of(good, true, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_settings(&c, r), 0);
	CHECK(find(r, "exposure-settings", AUDIT_FAIL, "pid 103 (python3)",
		   "runs with no --host: vllm listens on every interface by default"));
	CHECK(find(r, "exposure-settings", AUDIT_PASS, "--host",
		   "pid 104 (koboldcpp) argv: --host 127.0.0.1: loopback only"));
	CHECK(find(r, "exposure-settings", AUDIT_PASS, "OLLAMA_HOST",
		   "pid 100 (ollama) environment: OLLAMA_HOST=127.0.0.1:11434: loopback only"));
	CHECK(!anywhere(r, "pid 105"));
	audit_report_free(r);

	/* a user's unit: OLLAMA_HOST in %h/.config/ollama.env is seen (FAIL); a file named by
	 * the host's name (%H) cannot be read, so no PASS is given for it: SKIP, citing it */
	snprintf(home, sizeof(home), "%s/spec/home/bob", fx_tmp);
	fx_tmp_put("spec/home/bob/.config/systemd/user/ollama.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\n"
		   "EnvironmentFile=%h/.config/ollama.env\n");
	fx_tmp_put("spec/home/bob/.config/ollama.env", "OLLAMA_HOST=0.0.0.0\n");
	fx_tmp_put("spec/etc/systemd/system/ollama.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\n"
		   "EnvironmentFile=-/etc/ollama/%H.env\n");
	snprintf(spec, sizeof(spec), "%s/spec", fx_tmp);
	c = ctx_of(spec, false, proc_root);
	c.homes = homes;
	c.n_homes = 1;
	r = audit_report_new();
	CHECK_INT(check_exposure_settings(&c, r), 0);
	CHECK(find(r, "exposure-settings", AUDIT_FAIL, "OLLAMA_HOST",
		   "/home/bob/.config/ollama.env:1: OLLAMA_HOST=0.0.0.0: every interface"));
	f = find(r, "exposure-settings", AUDIT_SKIP, "EnvironmentFile",
		 "/etc/systemd/system/ollama.service:3: EnvironmentFile=-/etc/ollama/%H.env not "
		 "read (specifier %H is the host's, not expanded by the audit): a host setting "
		 "in it is not seen");
	CHECK(f && f->tool && !strcmp(f->tool, "ollama"));
	CHECK_INT(count(r, "exposure-settings"), 2);
	audit_report_free(r);
	snprintf(home, sizeof(home), "%s/home/alice", bad);

	/* nothing set anywhere: PASS */
	c = ctx_of(fx_tmp, false, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_settings(&c, r), 0);
	CHECK(find(r, "exposure-settings", AUDIT_PASS, "host settings", "no tool's host setting"));
	audit_report_free(r);
}

#define CID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define CONTAINERS "docker/var/lib/docker/containers/"

static void test_containers(void)
{
	char proc_root[128], root[128];
	struct audit_ctx c;
	struct audit_report *r;

	snprintf(root, sizeof(root), "%s/docker", fx_tmp);
	fx_tmp_put(CONTAINERS CID_A "/config.v2.json",
		   "{\"Name\":\"/ollama\",\"Config\":{\"Image\":\"ollama/ollama:latest\"},"
		   "\"State\":{\"Running\":true}}");
	fx_tmp_put(CONTAINERS CID_A "/hostconfig.json",
		   "{\"NetworkMode\":\"bridge\",\"PortBindings\":{\"11434/tcp\":[{\"HostIp\":\"\","
		   "\"HostPort\":\"11434\"}]}}");
	fx_tmp_put(
		CONTAINERS CID_B "/config.v2.json",
		"{\"Name\":\"/webui\",\"Config\":{\"Image\":\"ghcr.io/open-webui/open-webui:main\"},"
		"\"State\":{\"Running\":false}}");
	fx_tmp_put(
		CONTAINERS CID_B "/hostconfig.json",
		"{\"PortBindings\":{\"8080/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"3000\"}]}}");
	fx_tmp_put(CONTAINERS CID_C "/config.v2.json",
		   "{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx\"}}");
	fx_tmp_put(CONTAINERS CID_C "/hostconfig.json",
		   "{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"80\"}]}}");

	c = ctx_of(root, false, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_containers(&c, r), 0);
	CHECK(find(r, "exposure-containers", AUDIT_FAIL, "container /ollama (ollama/ollama:latest)",
		   "PortBindings 11434/tcp -> \"\":11434: published on every interface (running)"));
	CHECK(find(r, "exposure-containers", AUDIT_PASS,
		   "container /webui (ghcr.io/open-webui/open-webui:main)",
		   "127.0.0.1:3000: published on loopback only (stopped)"));
	CHECK(!anywhere(r, "nginx"));
	CHECK_INT(count(r, "exposure-containers"), 2);
	audit_report_free(r);

	/* no runtime state: SKIP */
	c = ctx_of(fx_tmp, false, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_containers(&c, r), 0);
	CHECK(find(r, "exposure-containers", AUDIT_SKIP, NULL, "no Docker state"));
	audit_report_free(r);

	/* Podman: the system's containers and a home's (rootless); a tool's image is a WARN
	 * (its ports are in Podman's database); another image is nothing */
	{
		char home[160];
		struct audit_home homes[1] = { { .path = home } };
		const struct audit_finding *f;

		snprintf(root, sizeof(root), "%s/podman", fx_tmp);
		snprintf(home, sizeof(home), "%s/home/alice", root);
		fx_tmp_put("podman/var/lib/containers/storage/overlay-containers/containers.json",
			   "[{\"id\":\"" CID_A "\",\"names\":[\"ollama\"],\"image\":\"e1\","
			   "\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/ollama/ollama:latest"
			   "\\\",\\\"name\\\":\\\"ollama\\\"}\"},"
			   "{\"id\":\"" CID_C "\",\"names\":[\"web\"],"
			   "\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/nginx\\\"}\"},"
			   "{\"id\":\"" CID_B "\",\"metadata\":\"not json\"}]");
		fx_tmp_put("podman/home/alice/.local/share/containers/storage/vfs-containers/"
			   "volatile-containers.json",
			   "[{\"id\":\"" CID_B "\",\"names\":[\"webui\"],\"metadata\":"
			   "\"{\\\"image-name\\\":\\\"ghcr.io/open-webui/open-webui:main\\\"}\"}]");
		c = ctx_of(root, false, proc_root);
		c.homes = homes;
		c.n_homes = 1;
		r = audit_report_new();
		CHECK_INT(check_exposure_containers(&c, r), 0);
		f = find(r, "exposure-containers", AUDIT_WARN,
			 "podman container ollama (docker.io/ollama/ollama:latest)",
			 "overlay-containers/containers.json: Podman container ollama runs "
			 "docker.io/ollama/ollama:latest; Podman keeps its published ports in its "
			 "database, which the audit does not read");
		CHECK(f && f->tool && !strcmp(f->tool, "ollama") && f->fix &&
		      strstr(f->fix, "podman port"));
		CHECK(find(r, "exposure-containers", AUDIT_WARN,
			   "podman container webui (ghcr.io/open-webui/open-webui:main)",
			   "home/alice/.local/share/containers/storage/vfs-containers/"
			   "volatile-containers.json: Podman container webui"));
		CHECK(!anywhere(r, "nginx"));
		CHECK_INT(count(r, "exposure-containers"), 2);
		audit_report_free(r);

		/* storage.conf moves the system's root; nothing of a tool's there: PASS */
		snprintf(root, sizeof(root), "%s/podman2", fx_tmp);
		fx_tmp_put(
			"podman2/etc/containers/storage.conf",
			"# moved\n[storage]\ndriver = \"overlay\"\ngraphroot = \"/srv/containers\"\n"
			"[storage.options]\n");
		fx_tmp_put("podman2/srv/containers/overlay-containers/containers.json",
			   "[{\"id\":\"" CID_C "\",\"names\":[\"web\"],\"metadata\":"
			   "\"{\\\"image-name\\\":\\\"docker.io/library/nginx\\\"}\"}]");
		fx_tmp_put("podman2/var/lib/containers/storage/overlay-containers/containers.json",
			   "[{\"id\":\"" CID_A "\",\"names\":[\"not-read\"],\"metadata\":"
			   "\"{\\\"image-name\\\":\\\"ollama/ollama\\\"}\"}]");
		c = ctx_of(root, false, proc_root);
		r = audit_report_new();
		CHECK_INT(check_exposure_containers(&c, r), 0);
		CHECK(find(r, "exposure-containers", AUDIT_PASS, "podman",
			   "no Podman container of an inference tool's image (1 container lists "
			   "read); no Docker state"));
		CHECK_INT(count(r, "exposure-containers"), 1);
		audit_report_free(r);
	}

	/* Quadlet .container files: the root's (a subfolder, a drop-in, /run hiding /etc), a
	 * home's, and every user's; PublishPort= without an address is every interface */
	{
		char home[160];
		struct audit_home homes[1] = { { .path = home, .uid = 1000 } };

		snprintf(root, sizeof(root), "%s/quadlet", fx_tmp);
		snprintf(home, sizeof(home), "%s/home/alice", root);
		fx_tmp_put(
			"quadlet/etc/containers/systemd/llm/ollama.container",
			"[Unit]\nDescription=Ollama\n[Container]\n"
			"Image=docker.io/ollama/ollama:latest\n"
			"PublishPort=127.0.0.1:11434:11434\n[Install]\nWantedBy=default.target\n");
		fx_tmp_put("quadlet/etc/containers/systemd/llm/ollama.container.d/lan.conf",
			   "[Container]\nPublishPort=11435:11434 [::1]:11436:11434\n");
		/* the same name in /run hides /etc's */
		fx_tmp_put("quadlet/etc/containers/systemd/webui.container",
			   "[Container]\nImage=ghcr.io/open-webui/open-webui:main\n"
			   "PublishPort=0.0.0.0:3000:8080\n");
		fx_tmp_put("quadlet/run/containers/systemd/webui.container",
			   "[Container]\nImage=ghcr.io/open-webui/open-webui:main\n");
		fx_tmp_put("quadlet/home/alice/.config/containers/systemd/llama.container",
			   "[Container]\nImage=ghcr.io/ggml-org/llama.cpp:server\nNetwork=host\n");
		fx_tmp_put(
			"quadlet/etc/containers/systemd/users/kobold.container",
			"# every user's\n[Container]\nImage=koboldai/koboldcpp\nPublishPort=5001\n");
		fx_tmp_put("quadlet/etc/containers/systemd/users/1000/web.container",
			   "[Container]\nImage=nginx\nPublishPort=80:80\n");
		c = ctx_of(root, false, proc_root);
		c.homes = homes;
		c.n_homes = 1;
		r = audit_report_new();
		CHECK_INT(check_exposure_containers(&c, r), 0);
		CHECK(find(r, "exposure-containers", AUDIT_PASS,
			   "quadlet ollama.container (docker.io/ollama/ollama:latest)",
			   "llm/ollama.container:5: PublishPort=127.0.0.1:11434:11434: published "
			   "on loopback only (rootful)"));
		CHECK(find(r, "exposure-containers", AUDIT_FAIL,
			   "quadlet ollama.container (docker.io/ollama/ollama:latest)",
			   "ollama.container.d/lan.conf:2: PublishPort=11435:11434: published on "
			   "every interface (rootful)"));
		CHECK(find(r, "exposure-containers", AUDIT_PASS,
			   "quadlet ollama.container (docker.io/ollama/ollama:latest)",
			   "lan.conf:2: PublishPort=[::1]:11436:11434: published on loopback only"));
		CHECK(find(r, "exposure-containers", AUDIT_PASS,
			   "quadlet webui.container (ghcr.io/open-webui/open-webui:main)",
			   "run/containers/systemd/webui.container: no port published on the host "
			   "(rootful)"));
		CHECK(find(r, "exposure-containers", AUDIT_FAIL,
			   "quadlet llama.container (ghcr.io/ggml-org/llama.cpp:server)",
			   "Network=host: the image's server listens on the host's own interfaces, "
			   "every one of them (rootless, this user's)"));
		CHECK(find(r, "exposure-containers", AUDIT_FAIL,
			   "quadlet kobold.container (koboldai/koboldcpp)",
			   "kobold.container:4: PublishPort=5001: published on every interface "
			   "(rootless, every user's)"));
		CHECK(!anywhere(r, "nginx"));
		CHECK(!anywhere(r, "0.0.0.0:3000"));
		CHECK_INT(count(r, "exposure-containers"), 6);
		audit_report_free(r);

		/* a NUL inside a PublishPort= line (the fuzzer's): no endless loop, the words
		 * around it read */
		{
			static const char nul[] = "[Container]\nImage=koboldai/koboldcpp\n"
						  "PublishPort=5001 \0 127.0.0.1:5002:5001\n";

			fx_tmp_put_n("quadlet/etc/containers/systemd/users/kobold.container", nul,
				     sizeof(nul) - 1);
		}
		r = audit_report_new();
		CHECK_INT(check_exposure_containers(&c, r), 0);
		CHECK(find(r, "exposure-containers", AUDIT_FAIL,
			   "quadlet kobold.container (koboldai/koboldcpp)",
			   "kobold.container:3: PublishPort=5001: published on every interface"));
		CHECK(find(r, "exposure-containers", AUDIT_PASS,
			   "quadlet kobold.container (koboldai/koboldcpp)",
			   "kobold.container:3: PublishPort=127.0.0.1:5002:5001: published on "
			   "loopback only"));
		CHECK(!anywhere(r, "PublishPort=:"));
		audit_report_free(r);
	}

	/* Docker there, no tool's container: PASS */
	snprintf(root, sizeof(root), "%s/docker2", fx_tmp);
	fx_tmp_mkdirs("docker2/var/lib/docker/containers");
	c = ctx_of(root, false, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_containers(&c, r), 0);
	CHECK(find(r, "exposure-containers", AUDIT_PASS, NULL,
		   "no container of an inference tool's image among 0"));
	audit_report_free(r);
}

static void test_cors_auth(void)
{
	char proc_root[128], root[128], home[160];
	struct audit_home homes[1] = { { .path = home } };
	struct audit_ctx c;
	struct audit_report *r;
	const struct audit_finding *f;

	snprintf(root, sizeof(root), "%s/cors", fx_tmp);
	snprintf(home, sizeof(home), "%s/bad/home/alice", fx_tmp);
	fx_tmp_put("cors/etc/systemd/system/ollama.service.d/origins.conf",
		   "[Service]\nEnvironment=OLLAMA_ORIGINS=http://localhost:3000,*\n"
		   "Environment=OLLAMA_HOST=0.0.0.0\n");
	fx_tmp_put("cors/etc/systemd/system/llama.service",
		   "[Service]\nExecStart=/usr/bin/llama-server --host 0.0.0.0 -m /m.gguf\n");
	fx_tmp_put("cors/etc/systemd/system/kobold.service",
		   "[Service]\nExecStart=/opt/koboldcpp --host 0.0.0.0 --password s3cr3t-pass\n");
	fx_tmp_put(
		"cors/etc/systemd/system/open-webui.service",
		"[Service]\nExecStart=/usr/local/bin/open-webui serve\nEnvironment=WEBUI_AUTH=False\n");

	c = ctx_of(root, false, proc_root);
	c.homes = homes;
	c.n_homes = 1;
	r = audit_report_new();
	CHECK_INT(check_exposure_cors(&c, r), 0);
	CHECK(find(r, "exposure-cors", AUDIT_FAIL, "OLLAMA_ORIGINS",
		   "origins.conf:2: OLLAMA_ORIGINS=http://localhost:3000,*: every web origin"));
	CHECK(find(r, "exposure-cors", AUDIT_WARN, NULL, "http-server-config.json:4: cors true"));
	audit_report_free(r);

	r = audit_report_new();
	CHECK_INT(check_exposure_auth(&c, r), 0);
	f = find(r, "exposure-auth", AUDIT_WARN, "ollama",
		 "exposed beyond loopback with no API key");
	CHECK(f && strstr(f->fix, "Ollama has no API key"));
	CHECK(find(r, "exposure-auth", AUDIT_WARN, "llama-server", "no API key"));
	CHECK(find(r, "exposure-auth", AUDIT_WARN, "lm-studio", "no API key"));
	/* koboldcpp's --password counts as its key, and is never shown */
	CHECK(find(r, "exposure-auth", AUDIT_PASS, "--password", "value not shown"));
	CHECK(!anywhere(r, "s3cr3t"));
	quiet = true;
	CHECK(!find(r, "exposure-auth", AUDIT_WARN, "koboldcpp", NULL));
	quiet = false;
	CHECK(find(r, "exposure-auth", AUDIT_FAIL, "WEBUI_AUTH", "Open WebUI runs with no login"));
	audit_report_free(r);

	/* nothing exposed, no CORS: PASS */
	snprintf(root, sizeof(root), "%s/good", fx_tmp);
	c = ctx_of(root, false, proc_root);
	r = audit_report_new();
	CHECK_INT(check_exposure_cors(&c, r), 0);
	CHECK_INT(check_exposure_auth(&c, r), 0);
	CHECK(find(r, "exposure-cors", AUDIT_PASS, "CORS settings", NULL));
	CHECK(find(r, "exposure-auth", AUDIT_PASS, "API keys", "no API key is needed"));
	CHECK_INT(audit_count(r, AUDIT_PASS), 2);
	audit_report_free(r);

	/* a named origin: PASS */
	fx_tmp_put("good/etc/systemd/system/ollama.service.d/origins.conf",
		   "[Service]\nEnvironment=OLLAMA_ORIGINS=http://localhost:3000\n");
	r = audit_report_new();
	CHECK_INT(check_exposure_cors(&c, r), 0);
	CHECK(find(r, "exposure-cors", AUDIT_PASS, NULL, "named origins only"));
	audit_report_free(r);
	snprintf(root, sizeof(root), "%s/good/etc/systemd/system/ollama.service.d/origins.conf",
		 fx_tmp);
	unlink(root);
}

int main(void)
{
	fx_tmp_init("check-exposure");
	profiles_init(&set);
	proc_fixture();
	test_hosts();
	test_listeners();
	test_settings();
	test_containers();
	test_cors_auth();
	fx_tmp_done();
	return check_summary("test_check_exposure");
}
