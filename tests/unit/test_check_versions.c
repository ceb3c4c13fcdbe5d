// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The versions check (check_versions.h) and its table (version_vulns.h): version
 * comparison at its edges, Debian versions, the build-information scan of a binary across
 * read chunks, and the check on fixture roots: an old Ollama package FAILs naming its CVEs,
 * a current binary PASSes, a development build and a missing tool SKIP.
 */
#include <errno.h>
#include <fcntl.h>

#include "audit/check_versions.h"
#include "audit/version_vulns.h"
#include "audit_fixture.h"

static int cmp(const char *a, const char *b)
{
	int r = 99;

	if (version_cmp(a, b, &r))
		return 99;
	return r;
}

static void test_compare(void)
{
	CHECK_INT(cmp("0.1.34", "0.1.34"), 0);
	CHECK_INT(cmp("0.1.9", "0.1.10"), -1);
	CHECK_INT(cmp("0.1.10", "0.1.9"), 1);
	CHECK_INT(cmp("v0.17.1", "0.17.1"), 0);
	CHECK_INT(cmp("0.17", "0.17.0"), 0);
	CHECK_INT(cmp("0.17", "0.17.1"), -1);
	CHECK_INT(cmp("1", "0.99.99"), 1);
	CHECK_INT(cmp("0.1.34-rc1", "0.1.34"), -1);
	CHECK_INT(cmp("0.1.34", "0.1.34~rc1"), 1);
	CHECK_INT(cmp("0.33.0-rc2", "0.33.0-rc10"), -1);
	CHECK_INT(cmp("0.33.0-rc2", "0.33.0-rc2"), 0);
	CHECK_INT(cmp("5882+dfsg", "5882"), 0);
	CHECK_INT(cmp("0.1.33-rc1", "0.1.32"), 1);
	/* not versions */
	CHECK_INT(cmp("", "1"), 99);
	CHECK_INT(cmp("1.", "1"), 99);
	CHECK_INT(cmp("1..2", "1"), 99);
	CHECK_INT(cmp("abc", "1"), 99);
	CHECK_INT(cmp("1.2.3 ", "1"), 99);
	CHECK_INT(cmp("1-", "1"), 99);
	CHECK_INT(cmp("1+", "1"), 99);
	CHECK_INT(cmp("1.2.3.4.5.6.7", "1"), 99);
	CHECK_INT(cmp("1234567890123456789", "1"), 99);
	CHECK_INT(cmp("123456789012345678", "1"), 1);
}

static void test_table(void)
{
	const struct version_vuln *probllama = NULL;

	for (size_t i = 0; i < version_n_vulns; i++) {
		const struct version_vuln *v = &version_vulns[i];
		int r;

		CHECK(!strncmp(v->id, "CVE-", 4));
		CHECK(v->source && v->source[0] && v->what && v->what[0]);
		/* exactly one bound, and a comparable one */
		CHECK(!v->fixed != !v->last_affected);
		CHECK(version_cmp(v->fixed ? v->fixed : v->last_affected, "0", &r) == 0);
		if (!strcmp(v->id, "CVE-2024-37032"))
			probllama = v;
	}
	CHECK(probllama != NULL);
	if (!probllama)
		return;
	CHECK_INT(version_affected(probllama, "0.1.33"), 1);
	CHECK_INT(version_affected(probllama, "0.1.34-rc1"), 1);
	CHECK_INT(version_affected(probllama, "0.1.34"), 0);
	CHECK_INT(version_affected(probllama, "0.2.0"), 0);
	CHECK_INT(version_affected(probllama, "dev"), -EINVAL);
	CHECK_INT(version_affected(&(struct version_vuln){ .last_affected = "0.20.2" }, "0.20.2"),
		  1);
	CHECK_INT(version_affected(&(struct version_vuln){ .last_affected = "0.20.2" }, "0.20.3"),
		  0);
}

static void test_dpkg_version(void)
{
	char out[16];

	CHECK_INT(version_from_dpkg("1:0.1.32-2", out, sizeof(out)), 0);
	CHECK_STR(out, "0.1.32");
	CHECK_INT(version_from_dpkg("0.5.7", out, sizeof(out)), 0);
	CHECK_STR(out, "0.5.7");
	CHECK_INT(version_from_dpkg("5882+dfsg-3", out, sizeof(out)), 0);
	CHECK_STR(out, "5882+dfsg");
	CHECK_INT(version_from_dpkg("0.1.34~rc1-1ubuntu1", out, sizeof(out)), 0);
	CHECK_STR(out, "0.1.34~rc1");
	CHECK_INT(version_from_dpkg("a:1.2-3", out, sizeof(out)), 0);
	CHECK_STR(out, "a:1.2");
	CHECK_INT(version_from_dpkg("-1", out, sizeof(out)), -EINVAL);
	CHECK_INT(version_from_dpkg("0.1.32.1.2.3.4.5.6-1", out, 8), -ENAMETOOLONG);
	CHECK_INT(strlen(out), 7);
}

/* A file of size bytes of filler with text written at offset at. */
static int scan_file(const char *path, size_t size, size_t at, const char *text, char *out,
		     size_t osize, uint64_t max)
{
	char *buf = malloc(size);
	FILE *f = fopen(path, "w");
	int fd, err;

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return -99;
	}
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)(i * 7 % 251); /* no marker by chance */
	for (size_t i = 0; text[i]; i++)
		buf[at + i] = text[i];
	fwrite(buf, 1, size, f);
	fclose(f);
	free(buf);
	fd = open(path, O_RDONLY);
	err = check_versions_scan(fd, "github.com/ollama/ollama/version.Version=", max, out, osize);
	close(fd);
	return err;
}

#define BUILDINFO "build\t-ldflags=\"-w -s \\\"-X=github.com/ollama/ollama/version.Version="

static void test_scan(struct fixture *fx)
{
	char path[256], out[64];
	size_t ml = strlen("build\t-ldflags=\"-w -s \\\"-X=");

	snprintf(path, sizeof(path), "%s/bin", fx->root);
	CHECK_INT(scan_file(path, 4096, 100, BUILDINFO "0.5.7\\\" -X=x\"", out, sizeof(out),
			    1 << 20),
		  0);
	CHECK_STR(out, "0.5.7");
	/* the marker split across the first 1 MiB read */
	CHECK_INT(scan_file(path, 3u << 20, (1u << 20) - ml - 10, BUILDINFO "0.1.33\\\"", out,
			    sizeof(out), 8u << 20),
		  0);
	CHECK_STR(out, "0.1.33");
	/* the value split across the read */
	CHECK_INT(scan_file(path, 3u << 20, (1u << 20) - strlen(BUILDINFO) - 2,
			    BUILDINFO "0.17.1-rc2\\\"", out, sizeof(out), 8u << 20),
		  0);
	CHECK_STR(out, "0.17.1-rc2");
	/* the value cut to the buffer */
	CHECK_INT(scan_file(path, 4096, 0, BUILDINFO "0.17.1-rc2\\\"", out, 5, 1 << 20), 0);
	CHECK_STR(out, "0.17");
	/* past the bound, or absent, or an empty value */
	CHECK_INT(scan_file(path, 3u << 20, 2u << 20, BUILDINFO "0.1.33", out, sizeof(out),
			    1u << 20),
		  -ENOENT);
	CHECK_INT(scan_file(path, 4096, 0, "nothing here", out, sizeof(out), 1 << 20), -ENOENT);
	CHECK_INT(scan_file(path, 4096, 0, BUILDINFO "\\\"", out, sizeof(out), 1 << 20), -ENOENT);
	/* at the very end of the file */
	CHECK_INT(scan_file(path, 4096, 4096 - strlen(BUILDINFO) - 6, BUILDINFO "0.3.14", out,
			    sizeof(out), 1 << 20),
		  0);
	CHECK_STR(out, "0.3.14");
	unlink(path);
}

static const char dpkg_old[] = "Package: bash\n"
			       "Status: install ok installed\n"
			       "Version: 5.2-1\n"
			       "\n"
			       "Package: ollama\n"
			       "Status: deinstall ok config-files\n"
			       "Version: 0.1.20-1\n"
			       "\n"
			       "Package: ollama\n"
			       "Status: install ok installed\n"
			       "Architecture: amd64\n"
			       "Version: 0.1.33-1\n"
			       "Description: old\n";

static void test_check(void)
{
	struct fixture fx;
	const struct audit_finding *f;
	char path[256], out[64];

	fx_init(&fx, "versions");
	test_scan(&fx);

	/* nothing installed */
	CHECK_INT(check_versions(&fx.c, fx.r), 0);
	f = fx_find(&fx, "versions", AUDIT_SKIP, "Ollama", "not installed");
	CHECK(f != NULL);

	/* an old package: FAIL, naming the CVEs it is open to and the file and line */
	fx_reset(&fx);
	fx_put(&fx, "var/lib/dpkg/status", dpkg_old);
	CHECK_INT(check_versions(&fx.c, fx.r), 0);
	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status:12: package ollama, Version: 0.1.33-1",
		 fx.root);
	f = fx_find(&fx, "versions", AUDIT_FAIL, "Ollama", path);
	CHECK(f != NULL);
	if (f) {
		CHECK(strstr(f->evidence, "CVE-2024-37032") != NULL);
		CHECK(strstr(f->evidence, "CVE-2024-45436") != NULL);
		CHECK(strstr(f->evidence, "CVE-2026-7482") != NULL);
		CHECK(strstr(f->evidence, "CVE-2024-28224") == NULL); /* fixed in 0.1.29 */
		CHECK_STR(f->fix, "upgrade Ollama to a release after 0.20.2");
		CHECK(strstr(f->source, "GHSA-8hqg-whrw-pv92") != NULL);
		CHECK_STR(f->tool, "ollama");
		CHECK_INT(f->item, AUDIT_ITEM_VERSIONS);
	}
	CHECK_INT(fx_count(&fx, "versions", AUDIT_PASS), 0);

	/* a current binary (through a link, found once) and a unit's: PASS naming the version */
	fx_reset(&fx);
	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", fx.root);
	unlink(path);
	fx_put(&fx, "usr/local/bin/ollama", "\177ELF......" BUILDINFO "0.33.0\\\" ...");
	fx_link(&fx, "/usr/local/bin/ollama", "usr/bin/ollama");
	fx_put(&fx, "etc/systemd/system/ollama.service",
	       "[Service]\nExecStart=/opt/o/ollama serve\nUser=ollama\n");
	fx_put(&fx, "opt/o/ollama", BUILDINFO "0.0.0\\\"");
	CHECK_INT(check_versions(&fx.c, fx.r), 0);
	f = fx_find(&fx, "versions", AUDIT_PASS, "Ollama",
		    "/usr/local/bin/ollama: build information");
	CHECK(f != NULL);
	if (f)
		CHECK(strstr(f->evidence, "Ollama 0.33.0") != NULL);
	CHECK_INT(fx_count(&fx, "versions", AUDIT_PASS), 1);
	CHECK(fx_find(&fx, "versions", AUDIT_SKIP, "/opt/o/ollama", "a build from source") != NULL);

	/* a binary without build information */
	fx_reset(&fx);
	fx_put(&fx, "usr/local/bin/ollama", "\177ELF stripped");
	CHECK_INT(check_versions(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "versions", AUDIT_SKIP, "/usr/local/bin/ollama",
		      "no github.com/ollama/ollama/version.Version= in its build information") !=
	      NULL);

	/* tools the table has nothing on: their version, and SKIP */
	fx_reset(&fx);
	fx_put(&fx, "var/lib/dpkg/status",
	       "Package: jan\nStatus: install ok installed\nVersion: 0.6.4\n");
	fx_mkdirs(&fx, "home/alice/.local/lib/python3.12/site-packages/vllm-0.6.3.dist-info");
	fx_put(&fx, "home/alice/gpt4all/components.xml",
	       "<Packages>\n <Package>\n  <Name>gpt4all</Name>\n  <Version>3.10.0</Version>\n");
	CHECK_INT(check_versions(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "versions", AUDIT_SKIP, "Jan", "Jan 0.6.4") != NULL);
	CHECK(fx_find(&fx, "versions", AUDIT_SKIP, "vLLM", "vLLM 0.6.3") != NULL);
	CHECK(fx_find(&fx, "versions", AUDIT_SKIP, "GPT4All", "components.xml:4") != NULL);
	(void)out;
	fx_done(&fx);
}

/* A running Ollama installed elsewhere (live, a fixture /proc): its executable is read. */
static void test_live(void)
{
	static const char cmd[] = "/opt/o/bin/ollama\0serve\0";
	struct fixture fx;
	char proc_root[128], exe[256], runner[256];
	const struct audit_finding *f, *all;
	size_t n;

	fx_init(&fx, "versions");
	snprintf(proc_root, sizeof(proc_root), "%s/proc", fx.root);
	snprintf(exe, sizeof(exe), "%s/opt/o/bin/ollama", fx.root);
	snprintf(runner, sizeof(runner), "%s/opt/o/lib/ollama/llama-server", fx.root);
	fx_put(&fx, "opt/o/bin/ollama", "ELF " BUILDINFO "0.1.46\\\" ");
	fx_put(&fx, "opt/o/lib/ollama/llama-server", "ELF no build information");
	fx_proc(&fx, 800, "ollama", exe, cmd, sizeof(cmd));
	fx_proc(&fx, 801, "llama-server", runner, "llama-server\0", 14);
	/* live: the root is this machine's "/", the fixture's paths are absolute */
	fx.c.root = "/";
	fx.c.live = true;
	fx.c.proc_root = proc_root;
	fx.c.n_homes = 0;
	CHECK_INT(check_versions(&fx.c, fx.r), 0);
	f = fx_find(&fx, "versions", AUDIT_FAIL, "Ollama", "Ollama 0.1.46 (");
	CHECK(f != NULL);
	/* CVE-2024-45436 (< 0.1.47) and the later ones, not those fixed before */
	if (f) {
		CHECK(strstr(f->evidence, "CVE-2024-45436") != NULL);
		CHECK(strstr(f->evidence, "CVE-2024-37032") == NULL);
	}
	/* the runner carries no build information, and is not read (this machine's own
	 * /usr/local/bin/ollama, if any, may add findings: only the fixture's are asserted) */
	n = audit_findings(fx.r, &all);
	for (size_t i = 0; i < n; i++)
		CHECK(!strstr(all[i].subject, "llama-server"));
	fx.c.root = fx.root;
	fx_done(&fx);
}

int main(void)
{
	test_compare();
	test_table();
	test_dpkg_version();
	test_check();
	test_live();
	return check_summary("test_check_versions");
}
