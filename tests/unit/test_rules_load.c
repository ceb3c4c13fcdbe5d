// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rules loader: one test per error kind, each asserting the exact "file:line:col: message";
 * all-or-nothing loading; lists across files; "disable"; files and directories.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cmd/verbs.h"
#include "rules_test.h"

/* Errors of building text (' read as "), joined with '\n'; "" when it builds. */
static const char *errors_of(const char *name, const char *text)
{
	static char out[8192];
	struct rules_builder *b = rules_builder_new();
	char *q = rt_q(text);
	struct rules *r;

	out[0] = '\0';
	rules_builder_add_text(b, name, q, strlen(q), false);
	r = rules_builder_build(b);
	for (size_t i = 0; i < rules_builder_error_count(b); i++) {
		if (i)
			strcat(out, "\n");
		strncat(out, rules_builder_error(b, i), sizeof(out) - strlen(out) - 1);
	}
	if (r && rules_builder_error_count(b))
		strcat(out, "\n(BUG: built despite errors)");
	if (!r && !rules_builder_error_count(b))
		strcat(out, "(BUG: failed without an error)");
	rules_free(r);
	rules_builder_free(b);
	free(q);
	return out;
}

/* "x.json:LINE:COL: msg" where LINE:COL is where the nth (0-based) needle starts in text. */
static const char *at(const char *text, const char *needle, int nth, const char *msg)
{
	static char out[1024];
	char *q = rt_q(text), *nq = rt_q(needle);
	const char *p = q;
	int line = 1, col = 1;

	for (int i = 0; p && i <= nth; i++)
		p = strstr(i ? p + 1 : p, nq);
	if (!p) {
		snprintf(out, sizeof(out), "(needle %s not found)", needle);
	} else {
		for (const char *c = q; c < p; c++) {
			if (*c == '\n')
				line++, col = 1;
			else if ((*c & 0xc0) != 0x80)
				col++;
		}
		snprintf(out, sizeof(out), "x.json:%d:%d: %s", line, col, msg);
	}
	free(q);
	free(nq);
	return out;
}

#define LABEL63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"
#define HEAD "{'rules':[{'id':'a','description':'d','severity':'low','tools':'*',"
#define TAIL "'message':'m'}]}"
#define RULE_A \
	"{'id':'a','description':'d','severity':'low','tools':'*','event':'open','message':'m'}"

/* Expects exactly one error, at the nth needle. */
#define EXPECT_ERR(text, needle, nth, msg)                                        \
	do {                                                                      \
		char want_[1024];                                                 \
		snprintf(want_, sizeof(want_), "%s", at(text, needle, nth, msg)); \
		CHECK_STR(errors_of("x.json", text), want_);                      \
	} while (0)

static void test_unknown_keys(void)
{
	const char *t;

	t = HEAD "'event':'connect','conditions':{'hots':'x.com'}," TAIL;
	EXPECT_ERR(t, "'hots'", 0, "unknown key \"hots\" (did you mean \"host\"?)");
	t = "{'rules':[{'id':'a','description':'d','sevrity':'low','tools':'*','event':'open'," TAIL;
	EXPECT_ERR(t, "'sevrity'", 0, "unknown key \"sevrity\" (did you mean \"severity\"?)");
	t = "{'rule':[]}";
	EXPECT_ERR(t, "'rule'", 0, "unknown key \"rule\" (did you mean \"rules\"?)");
	t = HEAD "'event':'open','zzzzzz':1," TAIL;
	EXPECT_ERR(t, "'zzzzzz'", 0, "unknown key \"zzzzzz\"");
	t = HEAD "'event':'send','conditions':{'bytes':{'mn':1}}," TAIL;
	EXPECT_ERR(t, "'mn'", 0, "unknown key \"mn\" (did you mean \"min\"?)");
}

/* The example from the design notes, in a pretty-printed multi-line file. */
static void test_position_multiline(void)
{
	const char *t = "{\n"			      /* 1 */
			"  'lists': {\n"	      /* 2 */
			"    'ssh': ['~/.ssh/**']\n"  /* 3 */
			"  },\n"		      /* 4 */
			"  'rules': [\n"	      /* 5 */
			"    {\n"		      /* 6 */
			"      'id': 'r1',\n"	      /* 7 */
			"      'description': 'd',\n" /* 8 */
			"      'severity': 'high',\n" /* 9 */
			"      'tools': ['*'],\n"     /* 10 */
			"      'event': 'connect',\n" /* 11 */
			"      'message': 'm',\n"     /* 12 */
			"      'conditions': {\n"     /* 13 */
			"        'hots': 'x.com'\n"   /* 14 */
			"      }\n"
			"    }\n"
			"  ]\n"
			"}\n";

	CHECK_STR(errors_of("x.json", t),
		  "x.json:14:9: unknown key \"hots\" (did you mean \"host\"?)");
}

static void test_values(void)
{
	const char *t;

	t = "{'rules':[{'id':'a','description':'d','severity':'hihg','tools':'*','event':'open'," TAIL;
	EXPECT_ERR(t, "'hihg'", 0, "unknown severity \"hihg\" (did you mean \"high\"?)");
	t = "{'rules':[{'id':'a','description':'d','severity':3,'tools':'*','event':'open'," TAIL;
	EXPECT_ERR(t, "3", 0, "\"severity\" must be a string, not number");
	t = HEAD "'event':'open','fallback':'yes'," TAIL;
	EXPECT_ERR(t, "'yes'", 0, "\"fallback\" must be true or false, not string");
	t = HEAD "'event':'open','conditions':[]," TAIL;
	EXPECT_ERR(t, "[]", 0, "\"conditions\" must be an object, not array");
	t = HEAD "'event':'open','conditions':{'path':{}}," TAIL;
	EXPECT_ERR(t, "{}", 0, "\"path\" must be a string or an array of strings, not object");
	t = HEAD "'event':'open','conditions':{'path':['/a',7]}," TAIL;
	EXPECT_ERR(t, "7", 0, "\"path\" values must be strings, not number");
	t = HEAD "'event':'open','conditions':{'path':[]}," TAIL;
	EXPECT_ERR(t, "[]", 0, "\"path\" is an empty array");
	t = HEAD "'event':'open','action':'deny'," TAIL;
	EXPECT_ERR(t, "'deny'", 0, "unknown action \"deny\"");
	t = HEAD "'event':'open','action':'blok'," TAIL;
	EXPECT_ERR(t, "'blok'", 0, "unknown action \"blok\" (did you mean \"block\"?)");
	t = HEAD "'event':'connect','conditions':{'addr_class':'loopbak'}," TAIL;
	EXPECT_ERR(t, "'loopbak'", 0,
		   "unknown address class \"loopbak\" (did you mean \"loopback\"?)");
	t = HEAD "'event':'connect','conditions':{'host_source':['sni','dsn']}," TAIL;
	EXPECT_ERR(t, "'dsn'", 0, "unknown host source \"dsn\" (did you mean \"dns\"?)");
	t = HEAD "'event':'listen','conditions':{'host_source':'none'}," TAIL;
	EXPECT_ERR(t, "'host_source'", 0,
		   "condition \"host_source\" does not apply to event \"listen\"");
	t = HEAD "'event':'open','conditions':{'flags':'wirte'}," TAIL;
	EXPECT_ERR(t, "'wirte'", 0, "unknown open flag \"wirte\" (did you mean \"write\"?)");
	t = HEAD "'event':'open','conditions':{'result':'fail'}," TAIL;
	EXPECT_ERR(t, "'fail'", 0, "unknown result \"fail\" (did you mean \"failed\"?)");
	t = HEAD "'event':'send','conditions':{'bytes':-1}," TAIL;
	EXPECT_ERR(t, "-1", 0, "bad byte count: a non-negative integer is expected");
	t = HEAD "'event':'send','conditions':{'bytes':{'min':10,'max':5}}," TAIL;
	EXPECT_ERR(t, "{'min'", 0, "bad byte range: \"min\" is above \"max\"");
	t = "{'rules':[{'id':'a b','description':'d','severity':'low','tools':'*','event':'open'," TAIL;
	EXPECT_ERR(t, "'a b'", 0, "bad rule id \"a b\": use 1-64 letters, digits, '.', '_' or '-'");
}

static void test_cidr_port_glob_host(void)
{
	const char *t;

	t = HEAD "'event':'connect','conditions':{'addr':['10.0.0.0/8','10.0.0.0/33']}," TAIL;
	EXPECT_ERR(t, "'10.0.0.0/33'", 0,
		   "bad CIDR \"10.0.0.0/33\": the prefix length must be 0-32");
	t = HEAD "'event':'connect','conditions':{'addr':'10.0.0.1/8'}," TAIL;
	EXPECT_ERR(t, "'10.0.0.1/8'", 0,
		   "bad CIDR \"10.0.0.1/8\": address bits are set after the prefix length");
	t = HEAD "'event':'connect','conditions':{'addr':'fe80::/129'}," TAIL;
	EXPECT_ERR(t, "'fe80", 0, "bad CIDR \"fe80::/129\": the prefix length must be 0-128");
	t = HEAD "'event':'connect','conditions':{'addr':'localhost'}," TAIL;
	EXPECT_ERR(t, "'localhost'", 0, "bad CIDR \"localhost\": not an IPv4 or IPv6 address");

	t = HEAD "'event':'connect','conditions':{'port':'8100-8000'}," TAIL;
	EXPECT_ERR(t, "'8100-8000'", 0, "bad port range \"8100-8000\": the start is after the end");
	t = HEAD "'event':'connect','conditions':{'port':70000}," TAIL;
	EXPECT_ERR(t, "70000", 0, "bad port 70000: must be an integer 0-65535");
	t = HEAD "'event':'connect','conditions':{'port':'1-70000'}," TAIL;
	EXPECT_ERR(t, "'1-70000'", 0, "bad port \"1-70000\": ports are 0-65535");
	t = HEAD "'event':'connect','conditions':{'port':'http'}," TAIL;
	EXPECT_ERR(t, "'http'", 0, "bad port \"http\": use a number or a range \"LOW-HIGH\"");

	t = HEAD "'event':'open','conditions':{'path':'/a**'}," TAIL;
	EXPECT_ERR(t, "'/a**'", 0, "bad glob \"/a**\": \"**\" must be a whole path component");
	t = HEAD "'event':'open','conditions':{'path':'etc/shadow'}," TAIL;
	EXPECT_ERR(t, "'etc/shadow'", 0,
		   "bad glob \"etc/shadow\": must start with '/', \"~/\" or \"**\"");
	t = HEAD "'event':'open','conditions':{'path':'~root/.ssh'}," TAIL;
	EXPECT_ERR(t, "'~root", 0,
		   "bad glob \"~root/.ssh\": \"~\" must be followed by '/' "
		   "(\"~user\" is not supported: ~ is the event's user)");
	t = HEAD "'event':'open','conditions':{'path':'/etc/'}," TAIL;
	EXPECT_ERR(t, "'/etc/'", 0, "bad glob \"/etc/\": must not end with '/'");
	t = HEAD "'event':'open','conditions':{'path':'/a/../b'}," TAIL;
	EXPECT_ERR(
		t, "'/a/../b'", 0,
		"bad glob \"/a/../b\": \".\" and \"..\" components never match (paths are normalized)");

	t = HEAD "'event':'connect','conditions':{'host':'*foo.com'}," TAIL;
	EXPECT_ERR(t, "'*foo.com'", 0,
		   "bad host \"*foo.com\": '*' is only allowed as a leading \"*.\"");
	t = HEAD "'event':'connect','conditions':{'host':'a..com'}," TAIL;
	EXPECT_ERR(t, "'a..com'", 0, "bad host \"a..com\": empty label (\"..\" or a leading '.')");
	t = HEAD "'event':'connect','conditions':{'host':'a b.com'}," TAIL;
	EXPECT_ERR(t, "'a b.com'", 0, "bad host \"a b.com\": invalid character in host name");
}

/*
 * A host name is at most 253 characters, however it is written: "*." and a trailing '.' do
 * not count (a check of the whole pattern against 255 used to refuse such names while
 * saying "longer than 253").
 */
static void test_host_length(void)
{
	char name[300], t[600];

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters */
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.61s", LABEL63, LABEL63, LABEL63, LABEL63);
	CHECK_INT(strlen(name), 253);
	snprintf(t, sizeof(t), HEAD "'event':'connect','conditions':{'host':'*.%s.'}," TAIL, name);
	CHECK_STR(errors_of("x.json", t), "");
	snprintf(t, sizeof(t), HEAD "'event':'connect','conditions':{'host':'%sa'}," TAIL, name);
	{
		char msg[400];

		snprintf(msg, sizeof(msg), "bad host \"%sa\": longer than 253 characters", name);
		EXPECT_ERR(t, "'abcdefghij", 0, msg);
	}
}

/* Every bad item of a list condition is reported, not only the first. */
static void test_each_bad_item(void)
{
	const char *t = HEAD "'event':'connect','conditions':{'addr':['10.0.0.1/8','10.0.0.0/8',"
			     "'nope']}," TAIL;
	char want[1024];

	snprintf(want, sizeof(want), "%s\n",
		 at(t, "'10.0.0.1/8'", 0,
		    "bad CIDR \"10.0.0.1/8\": address bits are set after the prefix length"));
	strncat(want, at(t, "'nope'", 0, "bad CIDR \"nope\": not an IPv4 or IPv6 address"),
		sizeof(want) - strlen(want) - 1);
	CHECK_STR(errors_of("x.json", t), want);
	t = HEAD "'event':'connect','conditions':{'port':['http',443,'9-1']}," TAIL;
	snprintf(want, sizeof(want), "%s\n",
		 at(t, "'http'", 0, "bad port \"http\": use a number or a range \"LOW-HIGH\""));
	strncat(want, at(t, "'9-1'", 0, "bad port range \"9-1\": the start is after the end"),
		sizeof(want) - strlen(want) - 1);
	CHECK_STR(errors_of("x.json", t), want);
}

static void test_lists(void)
{
	const char *t;

	t = "{'lists':{'ssh_keys':['~/.ssh/**']},'rules':[{'id':'a','description':'d',"
	    "'severity':'low','tools':'*','event':'open','conditions':{'path':'@ssh_kyes'}," TAIL;
	EXPECT_ERR(t, "'@ssh_kyes'", 0, "unknown list \"@ssh_kyes\" (did you mean \"@ssh_keys\"?)");
	/* an error in a list item is reported where the item is written */
	t = "{'lists':{'p':['80','x']},'rules':[{'id':'a','description':'d',"
	    "'severity':'low','tools':'*','event':'connect','conditions':{'port':'@p'}," TAIL;
	EXPECT_ERR(t, "'x'", 0,
		   "bad port \"x\": use a number or a range \"LOW-HIGH\" (in list \"p\")");
	t = "{'lists':{'a':['@b'],'b':['x']}}";
	EXPECT_ERR(t, "'@b'", 0, "lists cannot refer to other lists (\"@b\")");
	t = "{'lists':{'a b':['x']}}";
	EXPECT_ERR(t, "'a b'", 0,
		   "bad list name \"a b\": use 1-64 letters, digits, '.', '_' or '-'");
	t = "{'lists':{'a':'x'}}";
	EXPECT_ERR(t, "'x'", 0, "\"a\" must be an array, not string");
}

static void test_ids_events_tools(void)
{
	const char *t;

	t = "{'rules':[{'description':'d','severity':'low','tools':'*','event':'open'," TAIL;
	EXPECT_ERR(t, "{'desc", 0, "missing required key \"id\"");
	t = "{'rules':[" RULE_A "," RULE_A "]}";
	EXPECT_ERR(t, "'a'", 1, "duplicate rule id \"a\" (first defined at x.json:1:11)");
	/* a reused id is reported even when the rule has other errors */
	t = "{'rules':[" RULE_A ",{'id':'a','description':'d','severity':'hi','tools':'*',"
	    "'event':'open','message':'m'}]}";
	{
		char want[512];

		snprintf(want, sizeof(want), "%s\n",
			 at(t, "'a'", 1, "duplicate rule id \"a\" (first defined at x.json:1:11)"));
		strcat(want, at(t, "'hi'", 0, "unknown severity \"hi\""));
		CHECK_STR(errors_of("x.json", t), want);
	}
	t = HEAD "'event':'conect'," TAIL;
	EXPECT_ERR(t, "'conect'", 0, "unknown event type \"conect\" (did you mean \"connect\"?)");
	t = HEAD "'event':['open','fork']," TAIL;
	EXPECT_ERR(t, "'fork'", 0, "unknown event type \"fork\"");
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':['olama'],'event':'open'," TAIL;
	EXPECT_ERR(t, "'olama'", 0, "unknown tool \"olama\" (did you mean \"ollama\"?)");
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':'pid:x','event':'open'," TAIL;
	EXPECT_ERR(t, "'pid:x'", 0, "unknown tool \"pid:x\"");
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':'runtime:','event':'open'," TAIL;
	EXPECT_ERR(t, "'runtime:'", 0, "unknown tool \"runtime:\"");
	t = HEAD "'event':'connect','conditions':{'path':'/etc/shadow'}," TAIL;
	EXPECT_ERR(t, "'path'", 0, "condition \"path\" does not apply to event \"connect\"");
	t = HEAD "'event':'open','conditions':{'port':22}," TAIL;
	EXPECT_ERR(t, "'port'", 0, "condition \"port\" does not apply to event \"open\"");
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':'*','event':'connect',"
	    "'message':'{tool} to {hots}'}]}";
	EXPECT_ERR(t, "'{tool}", 0, "unknown field \"hots\" in message (did you mean \"host\"?)");
	/* a field name longer than any field: once read uninitialized suggestions (fuzz) */
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':'*','event':'connect',"
	    "'message':'{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}'}]}";
	EXPECT_ERR(t, "'{aaa", 0,
		   "unknown field \""
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" in message");
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':'*','event':'connect',"
	    "'message':'{path}'}]}";
	EXPECT_ERR(t, "'{path}'", 0,
		   "field \"path\" in message does not apply to event \"connect\"");
	t = "{'rules':[{'id':'a','description':'d','severity':'low','tools':'*','event':'connect',"
	    "'message':'{tool'}]}";
	EXPECT_ERR(t, "'{tool'", 0, "unmatched '{' in message (write \"{{\" for a literal brace)");
}

/* Errors stop at 100; the last line says so, naming the file like every other. */
static void test_error_cap(void)
{
	char text[8192];
	size_t n = 0;
	struct rules_builder *b = rules_builder_new();

	n += (size_t)snprintf(text + n, sizeof(text) - n, "{'rules':[");
	for (int i = 0; i < 120; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s{'id':'a%d'}", i ? "," : "",
				      i);
	snprintf(text + n, sizeof(text) - n, "]}");
	{
		char *q = rt_q(text);

		rules_builder_add_text(b, "cap.json", q, strlen(q), false);
		free(q);
	}
	CHECK(rules_builder_build(b) == NULL);
	CHECK_INT(rules_builder_error_count(b), 101);
	CHECK_STR(rules_builder_error(b, 100), "cap.json: too many errors; stopping here");
	rules_builder_free(b);
}

static void test_json_syntax(void)
{
	EXPECT_ERR("{'rules':[{'id':'a' 'x':1}]}", "'x'", 0, "expected ',' or '}', found '\"'");
	EXPECT_ERR("{'rules':[1,2,]}", "]", 0, "trailing comma before ']'");
	CHECK_STR(errors_of("x.json", "{'rules':[{'id':'a"), "x.json:1:19: unterminated string");
	EXPECT_ERR("{'rules':[], 'rules':[]}", "'rules'", 1,
		   "duplicate key \"rules\" (first at line 1)");
	EXPECT_ERR("{'rules':[tru]}", "tru", 0, "unexpected 't': a value was expected");
	EXPECT_ERR("{'rules':[01]}", "1]", 0, "invalid number: leading zero");
	EXPECT_ERR("{'rules':[]} x", "x", 0, "unexpected 'x' after the end of the document");
	EXPECT_ERR("{'rules':['\\q']}", "q", 0, "invalid escape in string: '\\' followed by 'q'");
	EXPECT_ERR("", "", 0, "unexpected end of input: a value was expected");
	EXPECT_ERR("[]", "[", 0, "a rule file is an object {\"rules\": [...]}, not array");
	CHECK_STR(errors_of("x.json", "{\n  'rules': [\n    {'id':\n"),
		  "x.json:4:1: unexpected end of input: a value was expected");
}

static void test_all_or_nothing_and_files(void)
{
	char dir[] = "/tmp/test_rules_load.XXXXXX", path[256];
	struct rules_builder *b;
	struct rules_info info;
	struct rules *r;
	FILE *f;

	/* one good rule and one bad one: nothing is loaded */
	b = rules_builder_new();
	rules_builder_add_text(b, "good.json", "{\"rules\":[]}", 12, false);
	{
		char *q = rt_q("{'rules':[" RULE_A ",{'id':'b'}]}");

		rules_builder_add_text(b, "bad.json", q, strlen(q), false);
		free(q);
	}
	CHECK(!rules_builder_build(b));
	CHECK_INT(errno, EINVAL);
	CHECK_INT(rules_builder_error_count(b), 5);
	{
		/* the second rule object starts right after RULE_A and its comma */
		char want[128];

		snprintf(want, sizeof(want), "bad.json:1:%zu: missing required key \"description\"",
			 strlen("{'rules':[" RULE_A ",") + 1);
		CHECK_STR(rules_builder_error(b, 0), want);
	}
	rules_builder_free(b);

	/* lists are shared across files, ids are unique across files, disable works */
	b = rules_builder_new();
	{
		char *q1 = rt_q("{'lists':{'hosts':['a.example']},'rules':[" RULE_A "]}");
		char *q2 = rt_q("{'disable':['a'],'rules':[{'id':'b','description':'d',"
				"'severity':'low','tools':'*','event':'connect',"
				"'conditions':{'host':'@hosts'},'message':'m'}]}");

		rules_builder_add_text(b, "one.json", q1, strlen(q1), true);
		rules_builder_add_text(b, "two.json", q2, strlen(q2), false);
		free(q1);
		free(q2);
	}
	r = rules_builder_build(b);
	CHECK(r);
	CHECK_INT(rules_count(r), 1);
	CHECK_INT(rules_builder_rule_count(b, false), 1);
	CHECK_INT(rules_builder_rule_count(b, true), 1);
	CHECK_INT(rules_get_info(r, 0, &info), 0);
	CHECK_STR(info.id, "b");
	CHECK_STR(info.source, "two.json:1:27");
	CHECK_INT(rules_get_info(r, 1, &info), -ERANGE);
	rules_free(r);
	rules_builder_free(b);

	b = rules_builder_new();
	{
		char *q1 = rt_q("{'rules':[" RULE_A "]}");
		char *q2 = rt_q("{'disable':['b'],\n 'rules':[" RULE_A "]}");

		rules_builder_add_text(b, "one.json", q1, strlen(q1), false);
		rules_builder_add_text(b, "two.json", q2, strlen(q2), false);
		free(q1);
		free(q2);
	}
	CHECK(!rules_builder_build(b));
	CHECK_INT(rules_builder_error_count(b), 2);
	CHECK_STR(rules_builder_error(b, 0),
		  "two.json:2:17: duplicate rule id \"a\" (first defined at one.json:1:11)");
	CHECK_STR(rules_builder_error(b, 1), "two.json:1:13: unknown rule id \"b\" in \"disable\"");
	rules_builder_free(b);

	/* files and directories */
	b = rules_builder_new();
	CHECK_INT(rules_builder_add_path(b, "/nonexistent/rules.json"), -ENOENT);
	CHECK_STR(rules_builder_error(b, 0),
		  "/nonexistent/rules.json: cannot read: No such file or directory");
	CHECK(!rules_builder_build(b));
	rules_builder_free(b);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/b.json", dir);
	f = fopen(path, "w");
	fputs("{\"rules\":[{\"id\":\"from-b\",\"description\":\"d\",\"severity\":\"low\","
	      "\"tools\":\"*\",\"event\":\"open\",\"message\":\"m\"}]}",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.json", dir);
	f = fopen(path, "w");
	fputs("{\"rules\":[{\"id\":\"from-a\",\"description\":\"d\",\"severity\":\"low\","
	      "\"tools\":\"*\",\"event\":\"open\",\"message\":\"m\"}]}",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	f = fopen(path, "w");
	fputs("not json", f);
	fclose(f);
	b = rules_builder_new();
	CHECK_INT(rules_builder_add_path(b, dir), 0);
	r = rules_builder_build(b);
	CHECK(r);
	CHECK_INT(rules_count(r), 2);
	if (r && rules_get_info(r, 0, &info) == 0)
		CHECK_STR(info.id, "from-a");
	rules_free(r);
	rules_builder_free(b);
	snprintf(path, sizeof(path), "%s/a.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	unlink(path);
	b = rules_builder_new();
	rules_builder_add_path(b, dir);
	snprintf(path, sizeof(path), "%s: no *.json files in this directory", dir);
	CHECK_STR(rules_builder_error(b, 0), path);
	rules_builder_free(b);
	rmdir(dir);
}

/* Runs cmd_rules with its output thrown away; returns its exit code. */
static int run_cmd(int argc, const char **argv)
{
	int out = dup(1), err = dup(2), null = open("/dev/null", O_WRONLY), rc;

	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	rc = cmd_rules(argc, (char **)argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	close(null);
	return rc;
}

static void test_cmd_rules(void)
{
	char good[] = "/tmp/test_cmd_rules_good.XXXXXX", bad[] = "/tmp/test_cmd_rules_bad.XXXXXX";
	int fg = mkstemp(good), fb = mkstemp(bad);
	const char *text =
		"{\"rules\":[{\"id\":\"mine\",\"description\":\"d\",\"severity\":\"low\","
		"\"tools\":\"*\",\"event\":\"connect\",\"conditions\":"
		"{\"host\":\"@huggingface_hosts\"},\"message\":\"m\"}]}";

	CHECK(fg >= 0 && fb >= 0);
	CHECK(write(fg, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK(write(fb, "{\"rules\": [", 11) == 11);
	close(fg);
	close(fb);
	CHECK_INT(run_cmd(2, (const char *[]){ "rules", "check", NULL }), 0);
	/* the file uses a list of the default pack: fine with it, an error without it */
	CHECK_INT(run_cmd(3, (const char *[]){ "rules", "check", good, NULL }), 0);
	CHECK_INT(run_cmd(4,
			  (const char *[]){ "rules", "check", "--no-default-rules", good, NULL }),
		  1);
	CHECK_INT(run_cmd(3, (const char *[]){ "rules", "check", bad, NULL }), 1);
	CHECK_INT(run_cmd(4, (const char *[]){ "rules", "check", good, bad, NULL }), 1);
	CHECK_INT(run_cmd(3, (const char *[]){ "rules", "check", "--bogus", NULL }), 2);
	CHECK_INT(run_cmd(2, (const char *[]){ "rules", "list", NULL }), 0);
	CHECK_INT(run_cmd(4, (const char *[]){ "rules", "list", "--rules", good, NULL }), 0);
	CHECK_INT(run_cmd(4, (const char *[]){ "rules", "list", "--rules", bad, NULL }), 1);
	CHECK_INT(run_cmd(2, (const char *[]){ "rules", "frobnicate", NULL }), 2);
	CHECK_INT(run_cmd(1, (const char *[]){ "rules", NULL }), 2);
	unlink(good);
	unlink(bad);
}

/* The digest of the texts loaded, in order, each: the same only for the same texts. */
static void digest_of(char *hex, const char *const *texts, size_t n, bool with_default)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r;

	if (with_default)
		rules_builder_add_default(b);
	for (size_t i = 0; i < n; i++)
		rules_builder_add_text(b, "d.json", texts[i], strlen(texts[i]), false);
	r = rules_builder_build(b);
	CHECK(r != NULL);
	rules_digest_hex(r, hex);
	rules_free(r);
	rules_builder_free(b);
}

static void test_digest(void)
{
	const char *a = "{\"rules\":[]}", *a2 = "{\"rules\": []}", *e = "{}";
	char h1[65], h2[65], h3[65], h4[65], h5[65];

	digest_of(h1, (const char *const[]){ a, e }, 2, false);
	digest_of(h2, (const char *const[]){ a, e }, 2, false);
	digest_of(h3, (const char *const[]){ a2, e }, 2, false); /* one byte more */
	digest_of(h4, (const char *const[]){ e, a }, 2, false);	 /* the other order */
	digest_of(h5, (const char *const[]){ a, e }, 2, true);	 /* the pack too */
	CHECK_INT(strlen(h1), 64);
	CHECK_STR(h1, h2);
	CHECK(strcmp(h1, h3) != 0);
	CHECK(strcmp(h1, h4) != 0);
	CHECK(strcmp(h1, h5) != 0);
	/* the sources' boundaries count: "ab" + "c" is not "a" + "bc" */
	digest_of(h1, (const char *const[]){ "{\"rules\":[]} ", "{}" }, 2, false);
	digest_of(h2, (const char *const[]){ "{\"rules\":[]}", " {}" }, 2, false);
	CHECK(strcmp(h1, h2) != 0);
}

int main(void)
{
	test_digest();
	test_unknown_keys();
	test_position_multiline();
	test_values();
	test_cidr_port_glob_host();
	test_host_length();
	test_each_bad_item();
	test_lists();
	test_ids_events_tools();
	test_json_syntax();
	test_error_cap();
	test_all_or_nothing_and_files();
	test_cmd_rules();
	return check_summary("test_rules_load");
}
