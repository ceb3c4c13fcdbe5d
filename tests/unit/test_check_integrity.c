// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The integrity checks (check_integrity.h) on a fixture home: an Ollama store with a good
 * blob, a tampered one, a manifest pointing at a missing blob, an unused blob, a wrong
 * size, a traversal digest (CVE-2024-37032), an unparsable manifest, a manifest list with
 * a manifest stored as a blob, and the downloads' temporary files; then LM Studio model
 * files recorded, approved and not approved, and approved lists that do not parse.
 */
#include <errno.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_approved.h"
#include "audit/audit_hash.h"
#include "audit/check_integrity.h"
#include "audit_fixture.h"

/* A blob holding text, named by the digest of name_of (text itself for a good blob). */
static void blob(const char *text, const char *name_of, char *hex)
{
	char rel[256];

	fx_sha256_hex(name_of ? name_of : text, strlen(name_of ? name_of : text), hex);
	snprintf(rel, sizeof(rel), "home/.ollama/models/blobs/sha256-%s", hex);
	fx_tmp_put(rel, text);
}

/* Findings of check with status whose subject or evidence holds needle. */
static int count(const struct audit_report *r, const char *check, enum audit_status st,
		 const char *needle)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f);
	int hits = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].check, check) && f[i].status == st &&
		    (strstr(f[i].evidence, needle) || strstr(f[i].subject, needle)))
			hits++;
	return hits;
}

static void dump(const struct audit_report *r)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s %s %s: %s\n", audit_status_name(f[i].status), f[i].check,
			f[i].subject, f[i].evidence);
}

static struct audit_home home;

static struct audit_ctx ctx(void)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/home", fx_tmp);
	home = (struct audit_home){ .path = path, .uid = getuid() };
	return (struct audit_ctx){
		.root = "/", .homes = &home, .n_homes = 1, .privileged = geteuid() == 0, .jobs = 2
	};
}

#define MANIFESTS "home/.ollama/models/manifests/registry.ollama.ai/library/"

static void test_ollama(void)
{
	struct audit_ctx c = ctx();
	struct audit_report *r = audit_report_new();
	char good[65], cfg[65], bad[65], unused[65], missing[65], sized[65], listed[65];
	char text[2048], rel[256], child[1024];

	fx_tmp_mkdirs("home/.ollama/models/blobs");
	blob("GGUF good weights", NULL, good);
	blob("{\"model_format\":\"gguf\"}", NULL, cfg);
	blob("GGUF evil weights", "GGUF honest weights", bad); /* tampered */
	blob("nobody's", NULL, unused);
	blob("twelve bytes", NULL, sized);
	fx_sha256_hex("never downloaded", 16, missing);
	/* what downloads and CreateTemp leave behind: ignored */
	snprintf(rel, sizeof(rel), "home/.ollama/models/blobs/sha256-%s-partial", missing);
	fx_tmp_put(rel, "half");
	snprintf(rel, sizeof(rel), "home/.ollama/models/blobs/sha256-%s-partial-0", missing);
	fx_tmp_put(rel, "{\"N\":0}");
	fx_tmp_put("home/.ollama/models/blobs/sha256-2841302933", "temp");

	fx_tmp_mkdirs(MANIFESTS "good");
	snprintf(text, sizeof(text),
		 "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:%s\",\"size\":23},"
		 "\"layers\":[{\"digest\":\"sha256:%s\",\"size\":17}]}",
		 cfg, good);
	fx_tmp_put(MANIFESTS "good/latest", text);
	fx_tmp_mkdirs(MANIFESTS "evil");
	snprintf(text, sizeof(text), "{\"layers\":[{\"digest\":\"sha256:%s\",\"size\":17}]}", bad);
	fx_tmp_put(MANIFESTS "evil/latest", text);
	fx_tmp_mkdirs(MANIFESTS "gone");
	snprintf(text, sizeof(text), "{\"layers\":[{\"digest\":\"sha256:%s\",\"size\":5}]}",
		 missing);
	fx_tmp_put(MANIFESTS "gone/latest", text);
	fx_tmp_mkdirs(MANIFESTS "sized");
	snprintf(text, sizeof(text), "{\"layers\":[{\"digest\":\"sha256:%s\",\"size\":999}]}",
		 sized);
	fx_tmp_put(MANIFESTS "sized/latest", text);
	fx_tmp_mkdirs(MANIFESTS "probllama");
	fx_tmp_put(MANIFESTS "probllama/latest",
		   "{\"layers\":[{\"digest\":\"sha256:../../../../etc/passwd\",\"size\":1}]}");
	fx_tmp_mkdirs(MANIFESTS "broken");
	fx_tmp_put(MANIFESTS "broken/latest", "{\"layers\":[\n{\"digest\": oops}]}");
	/* manifests-v2: a manifest list whose child is a manifest stored as a blob */
	snprintf(child, sizeof(child),
		 "{\"schemaVersion\":2,\"layers\":[{\"digest\":\"sha256:%s\",\"size\":17}]}", good);
	blob(child, NULL, listed);
	fx_tmp_mkdirs("home/.ollama/models/manifests-v2/ollama.com/library/multi");
	snprintf(
		text, sizeof(text),
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.ollama.manifest.list.v2+json\","
		"\"manifests\":[{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"digest\":\"sha256:%s\",\"runner\":\"ollama\"}]}",
		listed);
	fx_tmp_put("home/.ollama/models/manifests-v2/ollama.com/library/multi/latest", text);

	CHECK_INT(check_integrity_ollama(&c, r), 0);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "tampered"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, bad), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "used by model evil:latest"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "is missing from"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "model gone:latest"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_WARN, "no manifest uses it"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_WARN, unused), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL,
			"the manifest says 999 bytes, the blob holds 12"),
		  1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "CVE-2024-37032"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "../../../../etc/passwd"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "not JSON: error at line 2"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "broken/latest"), 1);
	/* good, its config, the list's child manifest blob: verified; partial/temp ignored */
	CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS, "3 of 6 blobs"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS,
			"ignored: 2 partial downloads, 1 temporary files, 0 other files"),
		  1);
	CHECK_INT(audit_count(r, AUDIT_FAIL), 5);
	CHECK_INT(audit_count(r, AUDIT_WARN), 1);
	if (check_failed)
		dump(r);
	audit_report_free(r);
}

/* A store where everything matches: one PASS, nothing else. */
static void test_ollama_clean(void)
{
	struct audit_ctx c = ctx();
	struct audit_report *r = audit_report_new();
	char dir[256], good[65], text[512];
	struct audit_approved ap;

	snprintf(dir, sizeof(dir), "%s/home/.ollama", fx_tmp);
	fx_rm_tree(dir);
	fx_tmp_mkdirs("home/.ollama/models/blobs");
	blob("GGUF good weights", NULL, good);
	fx_tmp_mkdirs(MANIFESTS "good");
	snprintf(text, sizeof(text),
		 "{\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\","
		 "\"digest\":\"sha256:%s\",\"size\":17}]}",
		 good);
	fx_tmp_put(MANIFESTS "good/latest", text);
	CHECK_INT(check_integrity_ollama(&c, r), 0);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS, "1 of 1 blobs (17 B)"), 1);
	CHECK_INT(audit_count(r, AUDIT_PASS), 1);
	CHECK_INT(audit_count(r, AUDIT_FAIL) + audit_count(r, AUDIT_WARN), 0);
	audit_report_free(r);

	/* --approved covers Ollama's weights too: approved, then not, then unparsable */
	snprintf(text, sizeof(text), "%s  good.gguf\n", good);
	fx_tmp_put("approved-ollama", text);
	snprintf(dir, sizeof(dir), "%s/approved-ollama", fx_tmp);
	ap = (struct audit_approved){ .file = dir };
	c.approved = &ap;
	r = audit_report_new();
	CHECK_INT(check_integrity_ollama(&c, r), 0);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS, "model good:latest: weights sha256:"),
		  1);
	CHECK_INT(audit_count(r, AUDIT_FAIL), 0);
	audit_report_free(r);
	fx_tmp_put("approved-ollama", "# nothing approved\n");
	audit_approved_free(&ap); /* read again */
	r = audit_report_new();
	CHECK_INT(check_integrity_ollama(&c, r), 0);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_FAIL, "are not in the approved list"), 1);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS, "1 of 1 blobs"), 1);
	audit_report_free(r);
	fx_tmp_put("approved-ollama", "not a hash\n");
	audit_approved_free(&ap);
	r = audit_report_new();
	CHECK_INT(check_integrity_ollama(&c, r), -EINVAL);
	audit_report_free(r);
	audit_approved_free(&ap);
	c.approved = NULL;

	/* manifests-v2 as Ollama writes it: a link to the manifest stored as a blob, which the
	 * manifest's own digest marks as used */
	{
		char mhex[65], link[512], target[128];

		snprintf(text, sizeof(text),
			 "{\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\","
			 "\"digest\":\"sha256:%s\",\"size\":17}]}",
			 good);
		blob(text, NULL, mhex);
		fx_tmp_mkdirs("home/.ollama/models/manifests-v2/ollama.com/library/good2");
		snprintf(link, sizeof(link),
			 "%s/home/.ollama/models/manifests-v2/ollama.com/library/good2/latest",
			 fx_tmp);
		snprintf(target, sizeof(target), "../../../../blobs/sha256-%s", mhex);
		CHECK_INT(symlink(target, link), 0);
		r = audit_report_new();
		CHECK_INT(check_integrity_ollama(&c, r), 0);
		CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS, "2 of 2 blobs ("), 1);
		CHECK_INT(count(r, "integrity-ollama", AUDIT_PASS,
				"match their names and the digests and sizes of 2 manifests;"),
			  1);
		CHECK_INT(audit_count(r, AUDIT_FAIL) + audit_count(r, AUDIT_WARN), 0);
		if (check_failed)
			dump(r);
		audit_report_free(r);
	}
	snprintf(dir, sizeof(dir), "%s/home/.ollama", fx_tmp);

	/* no store at all: SKIP with the reason */
	fx_rm_tree(dir);
	r = audit_report_new();
	CHECK_INT(check_integrity_ollama(&c, r), 0);
	CHECK_INT(count(r, "integrity-ollama", AUDIT_SKIP, "no Ollama model store"), 1);
	audit_report_free(r);
}

#define LMS "home/.lmstudio/models/pub/repo/"

/* The last list models() used, read again for each call. */
static struct audit_approved approved;
static char approved_path[256];

static int models(const char *list, struct audit_report **out)
{
	struct audit_ctx c = ctx();

	audit_approved_free(&approved);
	if (list) {
		snprintf(approved_path, sizeof(approved_path), "%s/approved.sha256", fx_tmp);
		fx_tmp_put("approved.sha256", list);
		approved.file = approved_path;
		c.approved = &approved;
	}
	*out = audit_report_new();
	return check_integrity_models(&c, *out);
}

static void test_models(void)
{
	struct audit_report *r;
	char a[65], b[65], list[512];

	fx_tmp_mkdirs(LMS);
	fx_tmp_put(LMS "a.gguf", "GGUF model a");
	fx_tmp_put(LMS "B.SafeTensors", "safetensors b");
	fx_tmp_put(LMS "README.md", "not a model");
	fx_sha256_hex("GGUF model a", 12, a);
	fx_sha256_hex("safetensors b", 13, b);

	/* no list: each model recorded with its hash, and a summary */
	CHECK_INT(models(NULL, &r), 0);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, a), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, b), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, "recorded (no --approved list"), 2);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, "2 model files"), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, "README"), 0);
	CHECK_INT(audit_count(r, AUDIT_FAIL), 0);
	audit_report_free(r);

	/* a approved (text mode, a comment, a CRLF line), b not */
	snprintf(list, sizeof(list), "# approved models\n\n%s  a.gguf\r\n", a);
	CHECK_INT(models(list, &r), 0);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, ": approved"), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, a), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_FAIL, "not in the approved list"), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_FAIL, b), 1);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, "1 not approved"), 1);
	audit_report_free(r);

	/* both approved, binary mode and an escaped name; upper-case hex */
	for (char *p = b; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	snprintf(list, sizeof(list), "%s *a.gguf\n\\%s  dir\\\\b.safetensors", a, b);
	CHECK_INT(models(list, &r), 0);
	CHECK_INT(audit_count(r, AUDIT_FAIL), 0);
	CHECK_INT(count(r, "integrity-models", AUDIT_PASS, ": approved"), 2);
	audit_report_free(r);

	/* an empty list approves nothing */
	CHECK_INT(models("", &r), 0);
	CHECK_INT(audit_count(r, AUDIT_FAIL), 2);
	audit_report_free(r);

	/* malformed lines: -EINVAL (the verb exits 2), the line named on stderr */
	snprintf(list, sizeof(list), "%s  a.gguf\n%.63s  short.gguf\n", a, a);
	CHECK_INT(models(list, &r), -EINVAL);
	audit_report_free(r);
	snprintf(list, sizeof(list), "%s a.gguf\n", a); /* one space */
	CHECK_INT(models(list, &r), -EINVAL);
	audit_report_free(r);
	snprintf(list, sizeof(list), "%s  \n", a); /* no name */
	CHECK_INT(models(list, &r), -EINVAL);
	audit_report_free(r);
	CHECK_INT(models("SHA256 (a.gguf) = 00\n", &r), -EINVAL);
	audit_report_free(r);
	{
		struct audit_ctx c = ctx();
		struct audit_approved none = { .file = "/nonexistent/approved" };

		c.approved = &none;
		r = audit_report_new();
		CHECK_INT(check_integrity_models(&c, r), -ENOENT);
		CHECK_STR(none.error,
			  "--approved /nonexistent/approved: No such file or directory");
		audit_report_free(r);
		audit_approved_free(&none);
	}
	audit_approved_free(&approved);
}

/*
 * A malformed list is read once and said once, with FILE:LINE and the line (escaped), however
 * many checks use it; the result stays the same for them all.
 */
static void test_approved_once(void)
{
	struct audit_approved ap = {};
	char path[256], want[512], *said = NULL;
	size_t said_len = 0;
	FILE *err = open_memstream(&said, &said_len);
	unsigned char d[AUDIT_SHA256_LEN] = { 0xba, 0x78 };
	char a[65];

	fx_sha256_hex("GGUF model a", 12, a);
	snprintf(path, sizeof(path), "%s/approved-once", fx_tmp);
	snprintf(want, sizeof(want), "%s  a.gguf\nnot\ta hash\x01\n", a);
	fx_tmp_put("approved-once", want);
	ap.file = path;
	CHECK(err != NULL);
	if (!err)
		return;
	CHECK_INT(audit_approved_use(&ap, err), -EINVAL);
	/* the file mended after the first use changes nothing: it was read once */
	fx_tmp_put("approved-once", "");
	CHECK_INT(audit_approved_use(&ap, err), -EINVAL);
	fclose(err);
	snprintf(want, sizeof(want),
		 "llmwatch: audit: --approved %s:2: not \"<64 hex digits>  NAME\" or \"<64 hex "
		 "digits> *NAME\" (sha256sum's format): the line is \"not\\ta hash\\x01\"\n",
		 path);
	CHECK_STR(said, want);
	free(said);
	audit_approved_free(&ap);

	/* a good list: the digests, found by audit_approved_has */
	ap = (struct audit_approved){ .file = "list" };
	snprintf(
		want, sizeof(want),
		"# c\n\\BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD *x\\ny\n");
	CHECK_INT(audit_approved_parse(&ap, want, strlen(want)), 0);
	CHECK_INT(ap.n, 1);
	CHECK(!audit_approved_has(&ap, d));
	audit_hash_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 64, d);
	CHECK(audit_approved_has(&ap, d));
	/* a long line is cut in the message */
	memset(want, 'x', 300);
	want[300] = '\0';
	CHECK_INT(audit_approved_parse(&ap, want, 300), -EINVAL);
	CHECK(strstr(ap.error, "list:1: ") && strstr(ap.error, "\" (cut)"));
	CHECK_INT(ap.n, 0);
	audit_approved_free(&ap);
}

int main(void)
{
	fx_tmp_init("integrity");
	test_ollama();
	test_ollama_clean();
	test_models();
	test_approved_once();
	fx_tmp_done();
	return check_summary("check_integrity");
}
