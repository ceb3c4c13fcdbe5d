// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The audit's file access (audit_files.h) and stores table (audit_stores.h): paths under a
 * root, links that cannot leave an image, bounded reads, Qt's INI, yes/no values, and the
 * stores found in a fixture home.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_stores.h"
#include "audit_fixture.h"

static void test_paths(void)
{
	struct audit_ctx slash = { .root = "/" }, img = { .root = "/mnt/img" };
	char out[32];

	CHECK_INT(audit_path(&slash, out, sizeof(out), "/etc/%s", "passwd"), 0);
	CHECK_STR(out, "/etc/passwd");
	CHECK_INT(audit_path(&img, out, sizeof(out), "/etc/passwd"), 0);
	CHECK_STR(out, "/mnt/img/etc/passwd");
	CHECK_INT(audit_path(&img, out, 12, "/etc/passwd"), -ENAMETOOLONG);
	CHECK_INT(strlen(out), 11);
}

/* An absolute link inside the image resolves inside it, never to this machine's file. */
static void test_root_links(void)
{
	struct audit_ctx c = { .root = fx_tmp };
	char path[512], *text;
	size_t len;

	fx_tmp_mkdirs("etc");
	fx_tmp_put("etc/hostname", "image\n");
	snprintf(path, sizeof(path), "%s/link", fx_tmp);
	CHECK_INT(symlink("/etc/hostname", path), 0);
	CHECK_INT(audit_read_file(&c, path, 4096, &text, &len), 0);
	CHECK_STR(text ? text : "", "image\n");
	free(text);
	snprintf(path, sizeof(path), "%s/up", fx_tmp);
	CHECK_INT(symlink("../../../../../etc/hostname", path), 0);
	CHECK_INT(audit_read_file(&c, path, 4096, &text, &len), 0);
	CHECK_STR(text ? text : "", "image\n");
	free(text);
}

static void test_read_bounds(void)
{
	struct audit_ctx c = { .root = "/" };
	char path[512], *text = (char *)1;
	size_t len = 9;

	fx_tmp_put("big", "0123456789");
	snprintf(path, sizeof(path), "%s/big", fx_tmp);
	CHECK_INT(audit_read_file(&c, path, 9, &text, &len), -EFBIG);
	CHECK(text == NULL);
	CHECK_INT(len, 0);
	CHECK_INT(audit_read_file(&c, path, 10, &text, &len), 0);
	CHECK_INT(len, 10);
	free(text);
	snprintf(path, sizeof(path), "%s/missing", fx_tmp);
	CHECK_INT(audit_read_file(&c, path, 10, &text, &len), -ENOENT);
	CHECK_INT(audit_read_file(&c, fx_tmp, 10, &text, &len), -EISDIR);
	CHECK_INT(audit_read_file(&c, "/dev/null", 10, &text, &len), -EINVAL);
}

static void test_ini(void)
{
	static const char ini[] = "uniqueId=abc\n"
				  "[network]\n"
				  "usageStatsActive=false\n"
				  "  isActive = \"true\"  \r\n"
				  "[other]\n"
				  "usageStatsActive=true\n"
				  "[network]\n"
				  "usageStatsActive=true\n";
	const char *v;
	size_t n;
	unsigned int line;

	CHECK(audit_ini_get(ini, strlen(ini), "network", "usageStatsActive", &v, &n, &line));
	CHECK_INT(line, 8); /* the last assignment in the section wins, as in Qt */
	CHECK(audit_value_true(v, n));
	CHECK(audit_ini_get(ini, strlen(ini), "network", "isActive", &v, &n, &line));
	CHECK_INT(line, 4);
	CHECK_INT(n, 4);
	CHECK(audit_value_true(v, n));
	CHECK(audit_ini_get(ini, strlen(ini), NULL, "uniqueId", &v, &n, &line));
	CHECK_INT(line, 1);
	CHECK(!audit_ini_get(ini, strlen(ini), "network", "uniqueId", &v, &n, &line));
	CHECK(!audit_ini_get(ini, 10, "network", "isActive", &v, &n, &line));
	CHECK(!audit_ini_get("[network", 8, "network", "x", &v, &n, &line));
	CHECK(audit_value_false(" Off", 4));
	CHECK(!audit_value_true("truee", 5));
	CHECK(!audit_value_false("", 0));
	CHECK_INT(audit_line_of("a\nb\nc", 5, 4), 3);
	CHECK_INT(audit_line_of("a\nb", 3, 99), 2);
}

struct seen {
	char what[8][128];
	size_t n;
};

static int collect(void *arg, const struct audit_store_hit *h)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->what[s->n++], sizeof(s->what[0]), "%s %s%s", h->store->tool,
			 h->path + strlen(fx_tmp), h->is_dir ? "/" : "");
	return 0;
}

static void test_stores(void)
{
	struct audit_home home = { .path = NULL, .user = "alice" };
	struct audit_ctx c = { .root = fx_tmp, .homes = &home, .n_homes = 1 };
	char hp[256];
	struct seen s = {};

	snprintf(hp, sizeof(hp), "%s/home/alice", fx_tmp);
	home.path = hp;
	fx_tmp_mkdirs("home/alice/.ollama/models");
	fx_tmp_mkdirs("home/alice/.config/nomic.ai");
	fx_tmp_put("home/alice/.config/nomic.ai/GPT4All.ini", "[network]\n");
	CHECK_INT(audit_stores_each(&c, AUDIT_STORE_MODELS, NULL, collect, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.what[0], "ollama /home/alice/.ollama/models/");
	s.n = 0;
	CHECK_INT(audit_stores_each(&c, AUDIT_STORE_SETTINGS, "gpt4all", collect, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.what[0], "gpt4all /home/alice/.config/nomic.ai/GPT4All.ini");
	s.n = 0;
	CHECK_INT(audit_stores_each(&c, AUDIT_STORE_SETTINGS, "jan", collect, &s), 0);
	CHECK_INT(s.n, 0);
	for (size_t i = 0; i < audit_n_stores; i++) {
		CHECK(audit_stores[i].source != NULL && audit_stores[i].source[0]);
		CHECK(audit_stores[i].kind < AUDIT_STORE_KINDS);
	}
}

int main(void)
{
	fx_tmp_init("audit-files");
	test_paths();
	test_root_links();
	test_read_bounds();
	test_ini();
	test_stores();
	fx_tmp_done();
	return check_summary("test_audit_files");
}
