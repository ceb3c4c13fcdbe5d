// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for every parser `llmwatch audit` runs over a machine's files: the input
 * is a set of files of a fixture root (passwd, systemd units, drop-ins and environment files,
 * GPT4All.ini, Ollama's server.json and manifests, dpkg's status, autostart entries, the
 * tools' JSON settings, Docker's container state, a model), every check of the table runs
 * over it (files only: not live), and the report is written as text and JSON. ASan and UBSan
 * watch the parsers; the target asserts that each check either adds findings or says why it
 * could not run, and that neither writer puts a control byte out raw.
 *
 * Input: records of [1 byte: which file][2 bytes little-endian: length][bytes], as many as fit.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/audit_homes.h"
#include "core/profiles.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* The files an input may write, relative to the fixture root. */
static const char *const files[] = {
	"etc/passwd",
	"etc/systemd/system/ollama.service",
	"etc/systemd/system/ollama.service.d/override.conf",
	"etc/default/ollama",
	"etc/systemd/system/vllm.service",
	"home/a/.config/nomic.ai/GPT4All.ini",
	"home/a/.ollama/server.json",
	"home/a/.ollama/models/manifests/registry.ollama.ai/library/m/latest",
	/* the blob named by SHA-256("foo"), as a manifest seed names it */
	"home/a/.ollama/models/blobs/sha256-2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
	"var/lib/dpkg/status",
	"home/a/.config/autostart/tool.desktop",
	"home/a/.lmstudio/.internal/http-server-config.json",
	"home/a/.local/share/Jan/data/mcp_config.json",
	"var/lib/docker/containers/c0/config.v2.json",
	"var/lib/docker/containers/c0/hostconfig.json",
	"home/a/.lmstudio/models/p/r/m.gguf",
	"home/a/.config/vllm/usage_stats.json",
	"home/a/.config/systemd/user/llama.service",
	"app/backend/.env",
	"home/a/.lmstudio/mcp.json",
	/* an instance of a template (its specifiers) and a file of a wildcard EnvironmentFile= */
	"etc/systemd/system/llama-server@a-b\\x2dc.service",
	"etc/ollama/conf.d/a.env",
	"var/lib/containers/storage/overlay-containers/containers.json",
	"etc/containers/storage.conf",
	"etc/containers/systemd/ollama.container",
	"etc/containers/systemd/ollama.container.d/lan.conf",
	/* every service's drop-in and a name prefix's (llama-server@a-b\x2dc's) */
	"etc/systemd/system/service.d/all.conf",
	"etc/systemd/system/llama-.service.d/prefix.conf",
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

static char root[64];

static void mkparents(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* The fixture root goes when the fuzzer exits (libFuzzer ends with exit()). */
static void cleanup(void)
{
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/lw-fuzz-audit-XXXXXX");
	FUZZ_ASSERT(mkdtemp(root));
	atexit(cleanup);
	for (size_t i = 0; i < N_FILES; i++)
		mkparents(files[i]);
}

static void write_file(size_t i, const uint8_t *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, files[i]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/* Neither writer lets a control byte other than the newline (and text's colour: off) out. */
static void check_clean(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT((unsigned char)buf[i] >= 0x20 || buf[i] == '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct profile_set profiles;
	struct audit_homes homes = {};
	struct audit_report *r;
	struct audit_ctx c;
	char home[128], *buf = NULL;
	size_t blen = 0;
	FILE *f;

	if (!root[0]) {
		setup();
		profiles_init(&profiles);
	}
	for (size_t i = 0; i < N_FILES; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		unlink(path);
	}
	while (size >= 3) {
		size_t which = data[0] % N_FILES, len = (size_t)data[1] | (size_t)data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		write_file(which, data, len);
		data += len;
		size -= len;
	}
	c = (struct audit_ctx){
		.root = root, .proc_root = "/proc", .profiles = &profiles, .jobs = 1
	};
	snprintf(home, sizeof(home), "%s/home/a", root);
	FUZZ_ASSERT(audit_homes_add(&c, &homes, home, "a") == 0);
	audit_homes_from_passwd(&c, &homes);
	c.homes = homes.h;
	c.n_homes = homes.n;
	r = audit_report_new();
	FUZZ_ASSERT(r);
	for (size_t i = 0; i < audit_n_checks; i++) {
		const struct audit_finding *fs;
		size_t before = audit_findings(r, &fs);
		int err = audit_checks[i].run(&c, r);

		/* a check adds at least one finding, or fails outright with a reason */
		FUZZ_ASSERT(err < 0 || audit_findings(r, &fs) > before || audit_lost(r));
		FUZZ_ASSERT(err <= 0);
	}
	f = open_memstream(&buf, &blen);
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(audit_write_text(r, &c, f, false) == 0);
	FUZZ_ASSERT(audit_write_json(r, &c, f) == 0);
	fclose(f);
	check_clean(buf, blen);
	free(buf);
	audit_report_free(r);
	audit_homes_free(&homes);
	return 0;
}
