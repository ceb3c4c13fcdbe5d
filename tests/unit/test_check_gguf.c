// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gguf-files (audit/check_gguf.h): the generator's fixtures (fuzz/corpus/gguf, written by
 * tests/gguf/make_gguf.py) found in a fixture home's model directories (*.gguf, and Ollama's
 * suffixless blobs by their magic) and given as --gguf files, each malformed one a FAIL
 * naming its problem, the valid one a PASS with its facts; a mapped file truncated under the
 * parse (SIGBUS, caught); the cap on files, said when reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/check_gguf.h"
#include "audit_fixture.h"

static void copy_fixture(const char *name, const char *rel)
{
	char src[256], dst[512], buf[8192];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof(src), "fuzz/corpus/gguf/%s.gguf", name);
	snprintf(dst, sizeof(dst), "%s/%s", fx_tmp, rel);
	in = fopen(src, "rb");
	out = fopen(dst, "wb");
	CHECK(in && out);
	if (!in || !out) {
		fprintf(stderr, "%s: run the tests from the repository root\n", src);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

static const struct audit_finding *find(const struct audit_report *r, const char *subj)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f), sl = strlen(subj);

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(f[i].subject);

		if (l >= sl && !strcmp(f[i].subject + l - sl, subj))
			return &f[i];
	}
	return NULL;
}

/* fx_has(), for a gguf-files finding. */
static bool has(const struct audit_finding *f, enum audit_status s, const char *needle)
{
	if (f && (strcmp(f->check, "gguf-files") != 0 || f->item != AUDIT_ITEM_GGUF)) {
		fprintf(stderr, "  a finding of %s, wanted gguf-files\n", f->check);
		return false;
	}
	return fx_has(f, s, needle);
}

static const struct {
	const char *name, *problem, *needle;
} malformed[] = {
	{ "truncated", "truncated", "tensor 3 'output_norm.weight': ne (8 bytes)" },
	{ "short-header", "truncated", "header: tensor_count" },
	{ "huge-nkv", "count", "metadata_kv_count 1099511627776" },
	{ "string-past-eof", "length-past-end", "'general.name': string value length 1000000" },
	{ "shape-overflow", "ne-overflow", "'huge.weight': ne[1] = 4294967296: product" },
	{ "offset-past-eof", "past-eof", "'output_norm.weight' offset 0x100000" },
	{ "overlap", "offset-overlap", "overlaps tensor 'token_embd.weight'" },
	{ "bad-alignment", "alignment", "general.alignment = 48" },
	{ "dup-key", "dup-key", "'general.name': duplicate key" },
	{ "nested-array", "nested-array", "'lw.nested': an array of arrays" },
	{ "unknown-type", "tensor-type", "ggml type 99 is unknown" },
	{ "not-block-multiple", "block", "ne[0] = 31 is not a multiple" },
};
#define N_MALFORMED (sizeof(malformed) / sizeof(malformed[0]))

static void test_problem_names(void)
{
	/* the names the table above expects are the checker's */
	CHECK_STR(gguf_problem_name(GGUF_E_TRUNCATED), "truncated");
	CHECK_STR(gguf_problem_name(GGUF_E_PAST_EOF), "past-eof");
	CHECK_STR(gguf_problem_name(GGUF_E_OFFSET_OVERLAP), "offset-overlap");
}

/* A fixture home: Ollama's blobs (suffixless), an LM Studio model, GPT4All's folder. */
static void test_stores(void)
{
	char home_path[128], needle[256];
	struct audit_home home;
	struct audit_ctx c;
	struct audit_report *r;
	const struct audit_finding *f;

	snprintf(home_path, sizeof(home_path), "%s/home", fx_tmp);
	home = (struct audit_home){ .path = home_path, .user = "alice", .uid = geteuid() };
	c = (struct audit_ctx){ .root = "/", .homes = &home, .n_homes = 1, .privileged = true };

	/* no store: SKIP */
	fx_tmp_mkdirs("home");
	r = audit_report_new();
	CHECK_INT(check_gguf_files(&c, r), 0);
	CHECK(has(find(r, "model directories"), AUDIT_SKIP, "no model directory"));
	audit_report_free(r);

	/* a store with no model in it: PASS, saying so */
	fx_tmp_mkdirs("home/.ollama/models/blobs");
	fx_tmp_put_n("home/.ollama/models/blobs/sha256-aaaa", "{\"license\":\"MIT\"}", 17);
	r = audit_report_new();
	CHECK_INT(check_gguf_files(&c, r), 0);
	CHECK(has(find(r, "model directories"), AUDIT_PASS, "no GGUF file in the 1 model"));
	CHECK_INT(audit_count(r, AUDIT_PASS) + audit_count(r, AUDIT_FAIL), 1);
	audit_report_free(r);

	copy_fixture("valid", "home/.ollama/models/blobs/sha256-0001");
	for (size_t i = 0; i < N_MALFORMED; i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "home/.ollama/models/blobs/sha256-1%03zu", i);
		/* short-header is 12 bytes: "GGUF" then a version, so it is sniffed too */
		copy_fixture(malformed[i].name, rel);
	}
	fx_tmp_mkdirs("home/.lmstudio/models/lmstudio-community/tiny");
	copy_fixture("valid-align64", "home/.lmstudio/models/lmstudio-community/tiny/tiny.GGUF");
	copy_fixture("overlap", "home/.lmstudio/models/lmstudio-community/tiny/bad.gguf");
	/* a link to a blob is the same file: checked once */
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/home/.lmstudio/models/link.gguf", fx_tmp);
		CHECK_INT(symlink("../../.ollama/models/blobs/sha256-0001", p), 0);
	}
	/* a file named .gguf outside a blobs directory that is not GGUF: a FAIL (magic) */
	fx_tmp_mkdirs("home/.local/share/nomic.ai/GPT4All");
	fx_tmp_put_n("home/.local/share/nomic.ai/GPT4All/fake.gguf", "not a model at all", 18);

	r = audit_report_new();
	CHECK_INT(check_gguf_files(&c, r), 0);
	f = find(r, "/blobs/sha256-0001");
	CHECK(has(f, AUDIT_PASS,
		  "GGUF v3, 4 tensors, 10 keys, architecture llama (general.name "
		  "lw-tiny), 1.7 KiB"));
	CHECK(f && f->tool && !strcmp(f->tool, "ollama") && !f->fix && f->source);
	for (size_t i = 0; i < N_MALFORMED; i++) {
		char subj[64];

		snprintf(subj, sizeof(subj), "/blobs/sha256-1%03zu", i);
		snprintf(needle, sizeof(needle), "malformed GGUF (%s): ", malformed[i].problem);
		f = find(r, subj);
		CHECK(has(f, AUDIT_FAIL, needle));
		CHECK(has(f, AUDIT_FAIL, malformed[i].needle));
		CHECK(f && f->fix && strstr(f->fix, "do not load this file"));
	}
	CHECK(!find(r, "/blobs/sha256-aaaa")); /* not GGUF: not a model, no finding */
	CHECK(has(find(r, "/tiny/tiny.GGUF"), AUDIT_PASS, "GGUF v3, 4 tensors"));
	CHECK(has(find(r, "/tiny/bad.gguf"), AUDIT_FAIL, "(offset-overlap)"));
	CHECK(!find(r, "/link.gguf"));
	CHECK(has(find(r, "/GPT4All/fake.gguf"), AUDIT_FAIL, "malformed GGUF (magic)"));
	CHECK_INT(audit_count(r, AUDIT_PASS), 2);
	CHECK_INT(audit_count(r, AUDIT_FAIL), N_MALFORMED + 2);
	CHECK_INT(audit_count(r, AUDIT_SKIP), 0);
	audit_report_free(r);
}

/* --gguf FILE...: anywhere, no tool; unreadable ones SKIP with the reason. */
static void test_given(void)
{
	const char *files[] = { "fuzz/corpus/gguf/valid.gguf", "fuzz/corpus/gguf/huge-nkv.gguf",
				"fuzz/corpus/gguf/no-such.gguf", "fuzz/corpus/gguf" };
	struct audit_ctx c = { .root = "/", .gguf = files, .n_gguf = 4 };
	struct audit_report *r = audit_report_new();
	const struct audit_finding *f;

	CHECK_INT(check_gguf_files(&c, r), 0);
	f = find(r, "/valid.gguf");
	CHECK(has(f, AUDIT_PASS, "GGUF v3, 4 tensors, 10 keys, architecture llama"));
	CHECK(f && f->tool == NULL);
	CHECK(has(find(r, "/huge-nkv.gguf"), AUDIT_FAIL, "malformed GGUF (count)"));
	CHECK(has(find(r, "/no-such.gguf"), AUDIT_SKIP, "could not be read: No such file"));
	CHECK(!find(r, "fuzz/corpus/gguf"));  /* a directory is not a file to check */
	CHECK(!find(r, "model directories")); /* files were given: no word on stores */
	audit_report_free(r);
}

/*
 * A file that shrinks after the header was read: the checker has allocated its key and
 * name sets and its tensor table when the touch of the long key, past the new end, faults.
 * The jump out of the parse frees them (ASan's leak check fails this test if it did not).
 */
static void test_sigbus_after_alloc(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)page * 3, key = (size_t)page + 100;
	struct gguf_check_result res;
	unsigned char *data = calloc(1, len);
	char path[128];
	void *map;
	int fd;

	CHECK(data != NULL);
	if (!data)
		return;
	/* GGUF v3, 1 tensor, 1 key whose name runs from the first page into the second */
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): bytes, not a string */
	memcpy(data, "GGUF\3\0\0\0\1\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0", 24);
	for (int i = 0; i < 8; i++)
		data[24 + i] = (unsigned char)(key >> (8 * i));
	memset(data + 32, 'k', key);
	snprintf(path, sizeof(path), "%s/shrinks-later.gguf", fx_tmp);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_INT(write(fd, data, len), (long long)len);
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		CHECK(map != MAP_FAILED);
		/* the first page stays: the header is read, the sets allocated, then the fault */
		CHECK_INT(ftruncate(fd, page), 0);
		if (map != MAP_FAILED) {
			CHECK_INT(check_gguf_guarded(map, len, &res), -EIO);
			CHECK(!res.ok && strstr(res.text, "shrank while it was read"));
			munmap(map, len);
		}
		close(fd);
	}
	free(data);
}

/* A mapped file truncated under the parse raises SIGBUS: caught, said, and caught again. */
static void test_sigbus(void)
{
	char path[128];
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)page * 4;
	struct gguf_check_result res;
	char *data = calloc(1, len);
	void *map;
	int fd;

	CHECK(data != NULL);
	if (!data)
		return;
	memcpy(data, "GGUF\3\0\0\0", 8); /* NOLINT(bugprone-not-null-terminated-result): bytes */
	snprintf(path, sizeof(path), "%s/shrinking.gguf", fx_tmp);
	for (int round = 0; round < 2; round++) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		CHECK(fd >= 0);
		if (fd < 0)
			break;
		CHECK_INT(write(fd, data, len), (long long)len);
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		CHECK(map != MAP_FAILED);
		/* the file shrinks to nothing while mapped: the first touch faults */
		CHECK_INT(ftruncate(fd, 0), 0);
		CHECK_INT(check_gguf_guarded(map, len, &res), -EIO);
		CHECK(!res.ok && strstr(res.text, "shrank while it was read"));
		munmap(map, len);
		close(fd);
	}
	/* and the guard is gone afterwards: a good file is judged as before */
	fd = open("fuzz/corpus/gguf/valid.gguf", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fd >= 0) {
		struct stat st;

		CHECK_INT(fstat(fd, &st), 0);
		CHECK_INT(check_gguf_fd(fd, (size_t)st.st_size, &res), 0);
		CHECK(res.ok);
		CHECK_INT(res.facts.n_tensors, 4);
		close(fd);
	}
	free(data);
}

/* Past CHECK_GGUF_MAX_FILES files the rest are counted, not checked, and said. */
static void test_cap(void)
{
	char home_path[128];
	struct audit_home home;
	struct audit_ctx c;
	struct audit_report *r;
	size_t extra = 3;

	snprintf(home_path, sizeof(home_path), "%s/capped", fx_tmp);
	home = (struct audit_home){ .path = home_path, .uid = geteuid() };
	c = (struct audit_ctx){ .root = "/", .homes = &home, .n_homes = 1, .privileged = true };
	fx_tmp_mkdirs("capped/.cache/llama.cpp");
	for (size_t i = 0; i < CHECK_GGUF_MAX_FILES + extra; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "capped/.cache/llama.cpp/m%05zu.gguf", i);
		fx_tmp_put_n(rel, "GGUF\3\0\0\0", 8);
	}
	r = audit_report_new();
	CHECK_INT(check_gguf_files(&c, r), 0);
	CHECK_INT(audit_count(r, AUDIT_FAIL), CHECK_GGUF_MAX_FILES);
	CHECK(has(find(r, "model files"), AUDIT_SKIP, "3 more files not validated: at most 10000"));
	audit_report_free(r);
}

int main(void)
{
	fx_tmp_init("check-gguf");
	test_problem_names();
	test_stores();
	test_given();
	test_sigbus();
	test_sigbus_after_alloc();
	test_cap();
	fx_tmp_done();
	return check_summary("test_check_gguf");
}
