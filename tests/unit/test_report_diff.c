// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_diff() and its text (user/report/report_diff.c): what B adds and A loses, kind by
 * kind, by the identity keys of docs/report-format.md; identical reports give nothing; a
 * hostile string never reaches the text raw; documents with missing or wrong-typed fields,
 * every node of a report replaced in turn, never crash it and are counted as ignored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report/report.h"

/* A document from JSON written with ' for " (readable in C). */
static cJSON *doc(const char *text)
{
	char *s = strdup(text);
	cJSON *d;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	d = cJSON_Parse(s);
	if (!d)
		fprintf(stderr, "test JSON does not parse: %s\n", s);
	free(s);
	return d;
}

static int n_of(const cJSON *diff, const char *part, const char *kind)
{
	const cJSON *arr = cJSON_GetObjectItem(cJSON_GetObjectItem(diff, part), kind);

	return cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
}

static const char *str_of(const cJSON *diff, const char *part, const char *kind, int i,
			  const char *field)
{
	const cJSON *arr = cJSON_GetObjectItem(cJSON_GetObjectItem(diff, part), kind);
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), field);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *text_of(const cJSON *diff)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_INT(report_diff_write_text(f, diff), 0);
	fclose(f);
	return buf;
}

static const char *REPORT_A =
	"{'report_version': 1, 'captures': [{'file': 'a.lwc'}],"
	" 'completeness': {'verdict': 'incomplete', 'reasons': ['1 event lost']},"
	" 'endpoints': ["
	"  {'address': '10.0.0.1', 'port': 443, 'protocol': 'tcp', 'host': 'models.example',"
	"   'host_source': 'dns', 'classification': 'model-download'}],"
	" 'listeners': ["
	"  {'address': '127.0.0.1', 'port': 11434, 'protocol': 'tcp', 'reachable': false,"
	"   'pid': 10, 'comm': 'ollama', 'tool': 'ollama'}],"
	" 'files': ["
	"  {'path': '/m/a.gguf', 'category': 'model'}],"
	" 'processes': ["
	"  {'pid': 10, 'comm': 'ollama', 'exe': '/usr/bin/ollama', 'sha256': 'aaaa'},"
	"  {'pid': 11, 'comm': 'sh', 'exe': null, 'sha256': null}],"
	" 'alerts': ["
	"  {'rule': 'model-download', 'severity': 'info', 'message': 'fetched a model',"
	"   'pid': 10, 'comm': 'ollama', 'tool': 'ollama', 'count': 1}]}";

/* B: the same model host at another address, a new telemetry host, the API on 0.0.0.0
 * instead of loopback, an SSH key and a config read, a rebuilt binary, a new alert. */
static const char *REPORT_B =
	"{'report_version': 1, 'captures': [{'file': 'b.lwc'}],"
	" 'completeness': {'verdict': 'complete', 'reasons': []},"
	" 'endpoints': ["
	"  {'address': '10.0.0.2', 'port': 443, 'protocol': 'tcp', 'host': 'models.example',"
	"   'host_source': 'sni', 'classification': 'model-download'},"
	"  {'address': '10.0.0.9', 'port': 443, 'protocol': 'tcp', 'host': 'stats.example',"
	"   'host_source': 'dns', 'classification': 'telemetry', 'connections': 2,"
	"   'bytes_sent': 1234}],"
	" 'listeners': ["
	"  {'address': '0.0.0.0', 'port': 11434, 'protocol': 'tcp', 'reachable': true,"
	"   'pid': 20, 'comm': 'ollama', 'tool': 'ollama'}],"
	" 'files': ["
	"  {'path': '/home/u/.ssh/id_ed25519', 'category': 'credentials', 'flagged': true},"
	"  {'path': '/m/b.gguf', 'category': 'model'},"
	"  {'path': '/home/u/.aws/credentials', 'category': 'credentials', 'flagged': true}],"
	" 'processes': ["
	"  {'pid': 20, 'comm': 'ollama', 'exe': '/usr/bin/ollama', 'sha256': 'bbbb'}],"
	" 'alerts': ["
	"  {'rule': 'ssh-key-read', 'severity': 'high', 'message': 'ollama read a key',"
	"   'pid': 20, 'comm': 'ollama', 'tool': 'ollama', 'count': 3},"
	"  {'rule': 'model-download', 'severity': 'info', 'message': 'fetched a model',"
	"   'pid': 20, 'comm': 'ollama', 'tool': 'ollama', 'count': 1}]}";

static void test_identical(void)
{
	cJSON *a = doc(REPORT_B), *b = doc(REPORT_B);
	cJSON *d = report_diff(a, b);
	char *text;

	CHECK(d != NULL);
	CHECK(!report_diff_adds(d));
	CHECK_INT(n_of(d, "added", "endpoints"), 0);
	CHECK_INT(n_of(d, "removed", "alerts"), 0);
	text = text_of(d);
	CHECK(strstr(text, "no differences\n") != NULL);
	CHECK(strstr(text, "A: b.lwc\n") != NULL);
	CHECK(strchr(text, '+') == NULL);
	free(text);
	cJSON_Delete(d);
	/* against itself, the same */
	d = report_diff(a, a);
	CHECK(d && !report_diff_adds(d));
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_each_kind(void)
{
	cJSON *a = doc(REPORT_A), *b = doc(REPORT_B);
	cJSON *d = report_diff(a, b);
	const cJSON *files;
	char *text;

	CHECK(d != NULL);
	CHECK(report_diff_adds(d));
	CHECK_INT(cJSON_GetObjectItem(d, "report_version")->valueint, REPORT_VERSION);
	/* the model host changed address: the same endpoint; the telemetry host is new */
	CHECK_INT(n_of(d, "added", "endpoints"), 1);
	CHECK_STR(str_of(d, "added", "endpoints", 0, "host"), "stats.example");
	CHECK_INT(n_of(d, "removed", "endpoints"), 0);
	/* the listener moved from loopback to everywhere: one of each */
	CHECK_INT(n_of(d, "added", "listeners"), 1);
	CHECK_STR(str_of(d, "added", "listeners", 0, "address"), "0.0.0.0");
	CHECK_INT(n_of(d, "removed", "listeners"), 1);
	CHECK_STR(str_of(d, "removed", "listeners", 0, "address"), "127.0.0.1");
	/* credentials are new, with both of B's files; models were read by both */
	CHECK_INT(n_of(d, "added", "file_categories"), 1);
	CHECK_STR(str_of(d, "added", "file_categories", 0, "category"), "credentials");
	files = cJSON_GetObjectItem(
		cJSON_GetArrayItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(d, "added"), "file_categories"), 0),
		"files");
	CHECK_INT(cJSON_GetArraySize(files), 2);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(files, 1), "path")->valuestring,
		  "/home/u/.aws/credentials");
	CHECK_INT(n_of(d, "removed", "file_categories"), 0);
	/* a changed hash: one removed, one added; a process with no known exe is none */
	CHECK_INT(n_of(d, "added", "executables"), 1);
	CHECK_STR(str_of(d, "added", "executables", 0, "sha256"), "bbbb");
	CHECK_INT(n_of(d, "removed", "executables"), 1);
	CHECK_STR(str_of(d, "removed", "executables", 0, "sha256"), "aaaa");
	/* alerts by rule id */
	CHECK_INT(n_of(d, "added", "alerts"), 1);
	CHECK_STR(str_of(d, "added", "alerts", 0, "rule"), "ssh-key-read");
	CHECK_INT(n_of(d, "removed", "alerts"), 0);
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "ignored"), "a")->valueint, 0);
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "ignored"), "b")->valueint, 0);
	CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "b"), "captures"),
				     0)
			  ->valuestring,
		  "b.lwc");

	text = text_of(d);
	CHECK(strstr(text,
		     "added (B did, A did not):\n"
		     "  endpoints:\n"
		     "    + stats.example:443/tcp (telemetry), address 10.0.0.9, name from "
		     "dns, 2 connections, 1234 bytes sent\n"
		     "  listeners:\n"
		     "    + 0.0.0.0:11434/tcp, reachable from the network, by ollama (ollama, "
		     "pid 20)\n"
		     "  file categories:\n"
		     "    + credentials (2 files: /home/u/.ssh/id_ed25519, "
		     "/home/u/.aws/credentials)\n"
		     "  executables:\n"
		     "    + /usr/bin/ollama, sha256 bbbb, by an unknown tool (ollama, pid 20)\n"
		     "  alerts:\n"
		     "    + [high] ssh-key-read: ollama read a key, by ollama (ollama, pid 20), "
		     "3 times\n"
		     "removed (A did, B did not):\n"
		     "  listeners:\n"
		     "    - 127.0.0.1:11434/tcp, local only, by ollama (ollama, pid 10)\n"
		     "  executables:\n"
		     "    - /usr/bin/ollama, sha256 aaaa, by an unknown tool (ollama, pid 10)\n") !=
	      NULL);
	CHECK(strstr(text, "no differences") == NULL);
	free(text);
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* B does all A did and more: the reverse diff only removes, and adds nothing. */
static void test_superset_reverse(void)
{
	cJSON *a = doc("{'report_version': 1, 'alerts': [{'rule': 'x'}],"
		       " 'files': [{'path': '/m/a.gguf', 'category': 'model'}]}");
	cJSON *b = doc("{'report_version': 1, 'alerts': [{'rule': 'x'}, {'rule': 'y'}],"
		       " 'files': [{'path': '/m/b.gguf', 'category': 'model'},"
		       "           {'path': '/d/x.pdf', 'category': 'documents'}]}");
	cJSON *fwd = report_diff(a, b), *rev = report_diff(b, a);
	char *text;

	CHECK(report_diff_adds(fwd));
	CHECK(!report_diff_adds(rev));
	CHECK_INT(n_of(rev, "removed", "alerts"), 1);
	CHECK_STR(str_of(rev, "removed", "alerts", 0, "rule"), "y");
	CHECK_INT(n_of(rev, "removed", "file_categories"), 1);
	CHECK_STR(str_of(rev, "removed", "file_categories", 0, "category"), "documents");
	text = text_of(rev);
	CHECK(strstr(text, "added") == NULL);
	CHECK(strstr(text, "    - documents (1 file: /d/x.pdf)\n") != NULL);
	CHECK(strstr(text, "    - [?] y: (no message)\n") != NULL);
	free(text);
	cJSON_Delete(fwd);
	cJSON_Delete(rev);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_named_and_unnamed(void)
{
	/* the same address, unnamed in A and named in B: different endpoints */
	cJSON *a = doc(
		"{'report_version': 1, 'endpoints': ["
		" {'address': '10.0.0.1', 'port': 443, 'protocol': 'tcp', 'host': null},"
		" {'address': '2001:db8::1', 'port': 53, 'protocol': 'udp'},"
		" {'address': '10.0.0.7', 'port': 80, 'protocol': 'tcp', 'host': 'h.example'}]}");
	cJSON *b =
		doc("{'report_version': 1, 'endpoints': ["
		    " {'address': '10.0.0.1', 'port': 443, 'protocol': 'tcp', 'host': 'x.example'},"
		    " {'address': '2001:db8::1', 'port': 53, 'protocol': 'tcp', 'host': null},"
		    " {'address': '10.0.0.8', 'port': 80, 'protocol': 'tcp', 'host': 'h.example'},"
		    " {'address': '10.0.0.9', 'port': 80, 'protocol': 'tcp', 'host': 'h.example'},"
		    " {'address': 'h.example', 'port': 80, 'protocol': 'tcp', 'host': null}]}");
	cJSON *d = report_diff(a, b);
	char *text;

	/* named x.example, the tcp one of 2001:db8::1, and the unnamed one whose address
	 * reads like h.example's name; h.example at other addresses is the same endpoint */
	CHECK_INT(n_of(d, "added", "endpoints"), 3);
	CHECK_STR(str_of(d, "added", "endpoints", 0, "host"), "x.example");
	CHECK_STR(str_of(d, "added", "endpoints", 1, "protocol"), "tcp");
	CHECK_STR(str_of(d, "added", "endpoints", 2, "address"), "h.example");
	CHECK_INT(n_of(d, "removed", "endpoints"), 2);
	CHECK_STR(str_of(d, "removed", "endpoints", 0, "address"), "10.0.0.1");
	CHECK_STR(str_of(d, "removed", "endpoints", 1, "protocol"), "udp");
	text = text_of(d);
	CHECK(strstr(text, "    + [2001:db8::1]:53/tcp (unclassified)\n") != NULL);
	CHECK(strstr(text, "    - 10.0.0.1:443/tcp (unclassified)\n") != NULL);
	free(text);
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* No byte below 0x20 but the line ends, no DEL, no ESC, no bidi override, in the text. */
static bool terminal_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return false;
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae) /* U+202E */
			return false;
	}
	return true;
}

static void test_hostile_strings(void)
{
	cJSON *a = doc("{'report_version': 1}");
	cJSON *b = doc("{'report_version': 1, 'captures': [{'file': 'b\\u001b]0;x\\u0007.lwc'}],"
		       " 'endpoints': [{'address': '10.0.0.1', 'port': 443, 'protocol': 'tcp',"
		       "  'host': 'evil\\u001b[2J.example', 'host_source': 'sni\\r\\n+ fake',"
		       "  'classification': 'unknown'}],"
		       " 'listeners': [{'address': '0.0.0.0', 'port': 1, 'protocol': 'tcp',"
		       "  'reachable': true, 'comm': 'c\\u009bomm', 'tool': 't\\u202eool'}],"
		       " 'files': [{'path': '/tmp/a\\nb', 'category': 'cred\\u0000entials'}],"
		       " 'processes': [{'exe': '/x/\\u007f\\u0008', 'sha256': null}],"
		       " 'alerts': [{'rule': 'r\\tule', 'severity': 'high',"
		       "  'message': 'line\\n+ endpoint fake.example:443'}]}");
	cJSON *d = report_diff(a, b);
	char *text = text_of(d);
	int lines = 0;

	CHECK(terminal_safe(text));
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	/* A, B, "added", 5 titles, 5 items: a newline of the data makes no line of its own */
	CHECK_INT(lines, 13);
	CHECK(strstr(text, "evil\\x1b[2J.example:443/tcp") != NULL);
	CHECK(strstr(text, "name from sni\\r\\n+ fake") != NULL);
	CHECK(strstr(text, "B: b\\x1b]0;x\\x07.lwc\n") != NULL);
	CHECK(strstr(text, "/tmp/a\\nb") != NULL);
	CHECK(strstr(text, "r\\tule: line\\n+ endpoint fake.example:443") != NULL);
	CHECK(strstr(text, "t\\xe2\\x80\\xaeool") != NULL);
	CHECK(strstr(text, "/x/\\x7f\\x08") != NULL);
	free(text);
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_check(void)
{
	static const struct {
		const char *json;
		int err;
		const char *says;
	} cases[] = {
		{ "{'report_version': 1}", 0, NULL },
		{ "{'report_version': 1, 'endpoints': 'x'}", 0, NULL },
		{ "[1]", -EINVAL, "not a report" },
		{ "'report_version'", -EINVAL, "not a report" },
		{ "{}", -EINVAL, "no report_version" },
		{ "{'report_version': '1'}", -EINVAL, "not a version number" },
		{ "{'report_version': 0}", -EINVAL, "not a version number" },
		{ "{'report_version': 1.5}", -EINVAL, "not a version number" },
		{ "{'report_version': -1}", -EINVAL, "not a version number" },
		{ "{'report_version': 2}", -EPROTONOSUPPORT, "report version 2 is newer" },
		{ "{'report_version': 1e300}", -EPROTONOSUPPORT, "is newer" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *d = doc(cases[i].json);

		err[0] = '\0';
		CHECK_INT(report_diff_check(d, err, sizeof(err)), cases[i].err);
		if (cases[i].says && !strstr(err, cases[i].says)) {
			fprintf(stderr, "case %zu says \"%s\"\n", i, err);
			CHECK(0);
		}
		cJSON_Delete(d);
	}
	CHECK_INT(report_diff_check(NULL, err, sizeof(err)), -EINVAL);
}

static void test_malformed_items(void)
{
	cJSON *a = doc("{'report_version': 1, 'endpoints': 'none', 'listeners': {},"
		       " 'files': [1, null, {'path': '/x'}, {'category': 7}, {'category': ''}],"
		       " 'processes': [{'exe': null}, {'pid': 3}, {'exe': 5}, {'exe': '/b',"
		       "  'sha256': 9}],"
		       " 'alerts': [{'rule': ['x']}, {'rule': 'ok'}]}");
	cJSON *b = doc("{'report_version': 1, 'endpoints': ["
		       " {'address': '10.0.0.1', 'port': 70000, 'protocol': 'tcp'},"
		       " {'address': '10.0.0.1', 'port': 44.5, 'protocol': 'tcp'},"
		       " {'address': '10.0.0.1', 'port': -1, 'protocol': 'tcp'},"
		       " {'address': '10.0.0.1', 'port': '443', 'protocol': 'tcp'},"
		       " {'address': '10.0.0.1', 'port': 443},"
		       " {'address': 5, 'port': 443, 'protocol': 'tcp'},"
		       " {'address': '10.0.0.1', 'port': 443, 'protocol': 'tcp', 'host': 5},"
		       " {'address': '10.0.0.1', 'port': 443, 'protocol': 'tcp'}],"
		       " 'listeners': [{'address': '::', 'port': 1, 'protocol': 'tcp',"
		       "  'reachable': 'yes'}],"
		       " 'alerts': [{'rule': 'ok'}], 'captures': 'x'}");
	cJSON *d = report_diff(a, b);
	char *text;

	CHECK(d != NULL);
	/* A: endpoints and listeners of the wrong type (2), files 1, null, no category,
	 * category 7 and "" (5), processes with no exe skipped, pid only (no exe: skipped),
	 * exe 5 and sha256 9 (2), rule ['x'] (1) */
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "ignored"), "a")->valueint, 10);
	/* B: seven endpoints and the listener */
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "ignored"), "b")->valueint, 8);
	CHECK_INT(n_of(d, "added", "endpoints"), 1);
	CHECK_INT(n_of(d, "added", "listeners"), 0);
	CHECK_INT(n_of(d, "added", "alerts"), 0);
	CHECK_INT(n_of(d, "removed", "alerts"), 0);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "b"), "captures")),
		  0);
	text = text_of(d);
	CHECK(strstr(text, "10 items of A not compared (missing or malformed keys)\n") != NULL);
	CHECK(strstr(text, "8 items of B not compared") != NULL);
	CHECK(strstr(text, "B: no capture named\n") != NULL);
	free(text);
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);

	/* not even objects: nothing compared, no crash */
	a = doc("[1, 2]");
	b = doc("'text'");
	d = report_diff(a, b);
	CHECK(d && !report_diff_adds(d));
	cJSON_Delete(d);
	d = report_diff(NULL, NULL);
	CHECK(d && !report_diff_adds(d));
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);

	/* a diff document of the wrong shape still prints, and adds nothing */
	d = doc("{'a': 1, 'b': {'captures': [1, {}]}, 'added': {'endpoints': [1, 'x', {}],"
		" 'listeners': 'x', 'file_categories': [{'files': 'x'}]}, 'ignored': 'x'}");
	CHECK(report_diff_adds(d));
	text = text_of(d);
	CHECK(strstr(text, "    + ?:?/? (unclassified)\n") != NULL);
	CHECK(strstr(text, "    + ? (0 files)\n") != NULL);
	free(text);
	cJSON_Delete(d);
	CHECK(!report_diff_adds(NULL));
}

/* ---- every node of a report replaced by every kind of wrong value ----------------------- */

/* The k-th node in preorder (the root is 0), and its parent. */
static cJSON *nth_node(cJSON *root, int k, cJSON **parent)
{
	cJSON *stack[64], *pstack[64];
	int top = 0, i = 0;

	stack[top] = root;
	pstack[top++] = NULL;
	while (top) {
		cJSON *n = stack[--top], *p = pstack[top], *c, *kids[256];
		int nk = 0;

		if (i++ == k) {
			*parent = p;
			return n;
		}
		for (c = n->child; c && nk < 256; c = c->next)
			kids[nk++] = c;
		while (nk && top < 64) {
			stack[top] = kids[--nk];
			pstack[top++] = n;
		}
	}
	return NULL;
}

static void test_every_node_replaced(void)
{
	static const char *const wrong[] = {
		"null", "true",		  "-1", "1e300", "65536",
		"\"\"", "\"\\u001b[2J\"", "[]", "{}",	 "[null]",
	};
	cJSON *base = doc(REPORT_B), *a = doc(REPORT_A);
	int runs = 0, failed = 0;

	for (int k = 1;; k++) {
		cJSON *probe = cJSON_Duplicate(base, true), *parent, *node;

		node = nth_node(probe, k, &parent);
		cJSON_Delete(probe);
		if (!node)
			break;
		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
			cJSON *b = cJSON_Duplicate(base, true), *d1, *d2;
			char *t1, *t2;

			cJSON *repl = cJSON_Parse(wrong[w]);

			node = nth_node(b, k, &parent);
			/* in an object, under the same key: a wrong type, not a missing field */
			if (node->string)
				repl->string = strdup(node->string);
			cJSON_ReplaceItemViaPointer(parent, node, repl);
			d1 = report_diff(a, b);
			d2 = report_diff(b, a);
			if (!d1 || !d2) {
				failed++;
			} else {
				t1 = text_of(d1);
				t2 = text_of(d2);
				if (!terminal_safe(t1) || !terminal_safe(t2))
					failed++;
				free(t1);
				free(t2);
			}
			runs++;
			cJSON_Delete(d1);
			cJSON_Delete(d2);
			cJSON_Delete(b);
		}
	}
	CHECK(runs > 500);
	CHECK_INT(failed, 0);
	cJSON_Delete(a);
	cJSON_Delete(base);
}

int main(void)
{
	test_identical();
	test_each_kind();
	test_superset_reverse();
	test_named_and_unnamed();
	test_hostile_strings();
	test_check();
	test_malformed_items();
	test_every_node_replaced();
	return check_summary("test_report_diff");
}
