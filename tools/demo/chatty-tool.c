// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * chatty-tool: the simulator `make demo` runs under `llmwatch eval` (tools/demo/demo.sh).
 * It behaves like a chatty local-LLM tool, inside the test lab only: it serves its API on
 * all interfaces at Ollama's port, reads the user's SSH key (a fake one the demo planted)
 * to make a "device id", sends that id to api.mixpanel.com over TLS (a name resolved
 * through the lab's DNS, sent as SNI), downloads a "model" from huggingface.co into its
 * model store, and exits. Each step is one the default rules name (rules/ in the source tree).
 *
 *   chatty-tool --lab NETNS --home-from DIR [--ca FILE]
 *
 * As root: enters the lab (lab_enter.h), then executes itself again with --in-lab NETNS,
 * and only then acts, so that every action is seen in the lab's network namespace. It
 * refuses to act outside the lab's network namespace, which has no route out.
 */
#include "chatty_net.h"
#include "lab_enter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Ollama's API port: a 0.0.0.0 listener there is rule exposure-ollama's (or, in a network
 * namespace of its own, exposure-other-netns's) */
#define CHATTY_API_PORT 11434
/* Mixpanel, GPT4All's analytics: rule telemetry-mixpanel; the lab's DNS answers it */
#define CHATTY_TELEMETRY_HOST "api.mixpanel.com"
/* Hugging Face, where the tools fetch models: rule download-huggingface. demo.sh serves the
 * file at this path from the lab's HTTP server. */
#define CHATTY_MODEL_HOST "huggingface.co"
#define CHATTY_MODEL_PATH "/chatty-demo/chatty-7B-GGUF/resolve/main/chatty-7b.Q4_0.gguf"
#define CHATTY_MODEL_FILE "chatty-7b.Q4_0.gguf"
/* a credentials file: rule file-credentials (~/.ssh and everything under it) */
#define CHATTY_KEY_FILE ".ssh/id_ed25519"
#define CHATTY_STORE ".cache/chatty-tool/models"

#define ERRLEN (3 * PATH_MAX)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chatty-tool --lab NETNS --home-from DIR [--ca FILE]\n"
		"  the simulator of `make demo` (tools/demo/demo.sh): as root, enters the test\n"
		"  lab's client network namespace NETNS (tests/lab/lab.sh) with DIR bound over\n"
		"  the home directory, then listens on 0.0.0.0:%d, reads ~/%s, sends a device\n"
		"  id to https://%s, downloads http://%s%s into ~/%s, and exits\n"
		"  --ca FILE   check the telemetry server's certificate against FILE\n",
		CHATTY_API_PORT, CHATTY_KEY_FILE, CHATTY_TELEMETRY_HOST, CHATTY_MODEL_HOST,
		CHATTY_MODEL_PATH, CHATTY_STORE);
}

static int die(const char *what, const char *err)
{
	fprintf(stderr, "chatty-tool: %s: %s\n", what, err);
	return 1;
}

/* An API listener on every interface, as a tool started with OLLAMA_HOST=0.0.0.0 has. */
static int listen_any(char *err, size_t n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(CHATTY_API_PORT) };
	int fd, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		snprintf(err, n, "0.0.0.0:%d: %s", CHATTY_API_PORT, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ~/PATH into BUF (HOME from the environment, as tools find it). */
static int home_path(char *buf, size_t len, const char *rel, char *err, size_t n)
{
	const char *home = getenv("HOME");

	if (!home || home[0] != '/') {
		snprintf(err, n, "HOME is not set to an absolute path");
		return -1;
	}
	if ((size_t)snprintf(buf, len, "%s/%s", home, rel) >= len) {
		snprintf(err, n, "HOME too long");
		return -1;
	}
	return 0;
}

/* A "device id": the first 16 hex digits of the SHA-256 of the key file's bytes. */
static int device_id_from_key(char *id, size_t idlen, char *err, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[4096];
	char path[PATH_MAX];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	ssize_t r = 0;
	int fd, rc = -1;

	if (home_path(path, sizeof(path), CHATTY_KEY_FILE, err, n))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
			goto out;
	if (r < 0 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || idlen < 17)
		goto out;
	for (i = 0; i < 8; i++)
		snprintf(id + 2 * i, idlen - 2 * i, "%02x", md[i]);
	rc = 0;
out:
	if (rc)
		snprintf(err, n, "%s: %s", path, r < 0 ? strerror(errno) : "hashing failed");
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

/* Mixpanel's /track takes its event as base64 JSON in the data parameter. */
static int phone_home(const char *device_id, const char *ca, char *err, size_t n)
{
	unsigned char b64[512];
	char json[256], path[700];
	int len, status;

	len = snprintf(json, sizeof(json),
		       "{\"event\":\"app_start\",\"properties\":{\"token\":\"chatty-demo\","
		       "\"distinct_id\":\"%s\",\"api_host\":\"0.0.0.0:%d\"}}",
		       device_id, CHATTY_API_PORT);
	if (len < 0 || (size_t)len >= sizeof(json) || (size_t)len * 4 / 3 + 4 >= sizeof(b64)) {
		snprintf(err, n, "event too long");
		return -1;
	}
	EVP_EncodeBlock(b64, (const unsigned char *)json, len);
	snprintf(path, sizeof(path), "/track?ip=1&data=%s", (const char *)b64);
	status = net_https_get(CHATTY_TELEMETRY_HOST, path, ca, err, n);
	if (status < 0)
		return -1;
	if (status != 200) {
		snprintf(err, n, "https://%s/track answered %d", CHATTY_TELEMETRY_HOST, status);
		return -1;
	}
	return 0;
}

/* mkdir -p ~/REL, each level 0755. */
static int make_store(char *dir, size_t len, char *err, size_t n)
{
	const char *home = getenv("HOME");
	char *p;

	if (!home || home_path(dir, len, CHATTY_STORE, err, n))
		return home ? -1 : (snprintf(err, n, "HOME is not set"), -1);
	/* each level below HOME, which exists */
	for (p = dir + strlen(home) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	snprintf(err, n, "mkdir %s: %s", dir, strerror(errno));
	return -1;
}

/* What a tool does before loading a model: its GGUF magic and a version it knows. */
static int check_gguf(const char *path, char *err, size_t n)
{
	unsigned char h[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = fd < 0 ? -1 : read(fd, h, sizeof(h));

	if (fd >= 0)
		close(fd);
	if (r != (ssize_t)sizeof(h) || memcmp(h, "GGUF", 4) != 0 || h[4] < 2 || h[4] > 3 || h[5] ||
	    h[6] || h[7]) {
		snprintf(err, n, "%s: not a GGUF v2/v3 file", path);
		return -1;
	}
	return 0;
}

static int run_in_lab(const char *netns, const char *ca)
{
	char err[ERRLEN], id[17], store[PATH_MAX], model[PATH_MAX + 64];
	long long bytes;
	int api;

	if (lab_check_netns(netns, err, sizeof(err)))
		return die("lab", err);
	api = listen_any(err, sizeof(err));
	if (api < 0)
		return die("API listener", err);
	printf("chatty-tool: serving my API on 0.0.0.0:%d (every interface, no password)\n",
	       CHATTY_API_PORT);
	if (device_id_from_key(id, sizeof(id), err, sizeof(err)))
		return die("device id", err);
	printf("chatty-tool: read ~/%s to make a device id: %s\n", CHATTY_KEY_FILE, id);
	if (phone_home(id, ca, err, sizeof(err)))
		return die("usage analytics", err);
	printf("chatty-tool: sent app_start with that id to https://%s/track\n",
	       CHATTY_TELEMETRY_HOST);
	if (make_store(store, sizeof(store), err, sizeof(err)))
		return die("model store", err);
	snprintf(model, sizeof(model), "%s/%s", store, CHATTY_MODEL_FILE);
	bytes = net_http_download(CHATTY_MODEL_HOST, CHATTY_MODEL_PATH, model, err, sizeof(err));
	if (bytes < 0)
		return die("model download", err);
	if (check_gguf(model, err, sizeof(err)))
		return die("model", err);
	printf("chatty-tool: downloaded http://%s%s (%lld bytes) to ~/%s/%s\n", CHATTY_MODEL_HOST,
	       CHATTY_MODEL_PATH, bytes, CHATTY_STORE, CHATTY_MODEL_FILE);
	close(api);
	printf("chatty-tool: done\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *lab = NULL, *in_lab = NULL, *home_from = NULL, *ca = NULL;
	char err[ERRLEN], exe[PATH_MAX];
	char *args[6];
	int i, k = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "--lab")	    ? &lab :
				    !strcmp(argv[i], "--in-lab")    ? &in_lab :
				    !strcmp(argv[i], "--home-from") ? &home_from :
				    !strcmp(argv[i], "--ca")	    ? &ca :
								      NULL;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!slot || i + 1 == argc) {
			fprintf(stderr, "chatty-tool: %s: %s\n", argv[i],
				slot ? "needs a value" : "unknown option");
			usage(stderr);
			return 2;
		}
		*slot = argv[++i];
	}
	if (in_lab)
		return run_in_lab(in_lab, ca);
	if (!lab || !home_from) {
		usage(stderr);
		return 2;
	}
	if (lab_enter(lab, home_from, err, sizeof(err)) ||
	    lab_self_exe(exe, sizeof(exe), err, sizeof(err)))
		return die("entering the lab", err);
	/* a new exec: llmwatch reads the process's namespace afresh, now the lab's */
	args[k++] = argv[0];
	args[k++] = "--in-lab";
	args[k++] = (char *)lab;
	if (ca) {
		args[k++] = "--ca";
		args[k++] = (char *)ca;
	}
	args[k] = NULL;
	execv(exe, args);
	snprintf(err, sizeof(err), "%s: %s", exe, strerror(errno));
	return die("re-executing in the lab", err);
}
