// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rules engine matcher: hosts, CIDRs, ports, globs, ~, exceptions, fallback, messages. */

#include "check.h"
#include "core/profiles.h"
#include "rules/rules_int.h"
#include "rules/rules_output.h"
#include "rules_test.h"

#define RULE(id, ev, cond)                                                          \
	"{'id':'" id "','description':'d','severity':'low','tools':'*','event':" ev \
	",'conditions':" cond ",'message':'m'}"

static void test_hosts(void)
{
	struct rules *r = rt_build(
		"h.json",
		"{'rules':[" RULE("exact", "'connect'", "{'host':'example.com'}") "," RULE(
			"suffix", "'connect'",
			"{'host':'*.example.com'}") "," RULE("both", "'connect'",
							     "{'host':['example.org','*.example.org']}") "]}",
		false);
	struct lw_sockaddr sa = rt_addr("93.184.216.34", 443);
	struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", "example.com", &sa);

	CHECK(r);
	if (!r)
		return;
	CHECK_STR(rt_ids(r, &ev), "exact");
	ev.host = "a.example.com";
	CHECK_STR(rt_ids(r, &ev), "suffix");
	ev.host = "a.b.example.com";
	CHECK_STR(rt_ids(r, &ev), "suffix");
	ev.host = "badexample.com";
	CHECK_STR(rt_ids(r, &ev), "");
	ev.host = "example.com.evil";
	CHECK_STR(rt_ids(r, &ev), "");
	ev.host = ".example.com"; /* not a name, and never a subdomain */
	CHECK_STR(rt_ids(r, &ev), "");
	ev.host = "EXAMPLE.Com."; /* DNS is case-insensitive; the root dot is the same name */
	CHECK_STR(rt_ids(r, &ev), "exact");
	ev.host = "example.org";
	CHECK_STR(rt_ids(r, &ev), "both");
	ev.host = "x.example.org";
	CHECK_STR(rt_ids(r, &ev), "both");
	ev.host = NULL; /* name unknown: host rules cannot match */
	CHECK_STR(rt_ids(r, &ev), "");
	ev.type = LW_REC_SEND; /* other event type: other bucket */
	ev.host = "example.com";
	CHECK_STR(rt_ids(r, &ev), "");
	rules_free(r);
}

static void test_cidrs(void)
{
	struct rules *r = rt_build(
		"c.json",
		"{'rules':[" RULE("all4", "'connect'", "{'addr':'0.0.0.0/0'}") "," RULE("net24", "'connect'", "{'addr':'10.1.2.0/24'}") "," RULE("host32", "'connect'", "{'addr':'10.1.2.3/32'}") "," RULE(
			"all6", "'connect'",
			"{'addr':'::/0'}") "," RULE("net32v6", "'connect'",
						    "{'addr':'2001:db8::/32'}") "," RULE("host128",
											 "'connect'",
											 "{'addr':'2001:db8::1'}") "," RULE("mapped",
															    "'connect'",
															    "{'addr':'::ffff:192.0.2.0/120'}") "," RULE("odd",
																					"'connect'",
																					"{'addr':'172.16.0.0/12'}") "]}",
		false);
	struct lw_sockaddr sa;
	struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", NULL, &sa);

	CHECK(r);
	if (!r)
		return;
	sa = rt_addr("10.1.2.3", 1);
	CHECK_STR(rt_ids(r, &ev), "all4,net24,host32");
	sa = rt_addr("10.1.2.4", 1);
	CHECK_STR(rt_ids(r, &ev), "all4,net24");
	sa = rt_addr("10.1.2.2", 1);
	CHECK_STR(rt_ids(r, &ev), "all4,net24");
	sa = rt_addr("10.1.3.0", 1); /* one past the /24 */
	CHECK_STR(rt_ids(r, &ev), "all4");
	sa = rt_addr("10.1.1.255", 1); /* one before it */
	CHECK_STR(rt_ids(r, &ev), "all4");
	sa = rt_addr("172.31.255.255", 1);
	CHECK_STR(rt_ids(r, &ev), "all4,odd");
	sa = rt_addr("172.32.0.0", 1);
	CHECK_STR(rt_ids(r, &ev), "all4");
	sa = rt_addr("172.15.255.255", 1);
	CHECK_STR(rt_ids(r, &ev), "all4");
	sa = rt_addr("::ffff:10.1.2.3", 1); /* v4-mapped matches the IPv4 rules only */
	CHECK_STR(rt_ids(r, &ev), "all4,net24,host32");
	sa = rt_addr("192.0.2.77", 1);
	CHECK_STR(rt_ids(r, &ev), "all4,mapped");
	sa = rt_addr("::ffff:192.0.2.77", 1);
	CHECK_STR(rt_ids(r, &ev), "all4,mapped");
	sa = rt_addr("2001:db8::1", 1);
	CHECK_STR(rt_ids(r, &ev), "all6,net32v6,host128");
	sa = rt_addr("2001:db8::2", 1);
	CHECK_STR(rt_ids(r, &ev), "all6,net32v6");
	sa = rt_addr("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 1);
	CHECK_STR(rt_ids(r, &ev), "all6,net32v6");
	sa = rt_addr("2001:db9::", 1);
	CHECK_STR(rt_ids(r, &ev), "all6");
	sa.family = AF_UNIX;
	CHECK_STR(rt_ids(r, &ev), "");
	ev.addr = NULL;
	CHECK_STR(rt_ids(r, &ev), "");
	rules_free(r);
}

static void test_cidr_parse(void)
{
	struct rules_cidr c;
	const char *why = NULL;

	CHECK_INT(rules_cidr_parse("::ffff:10.0.0.0/104", &c, &why), 0);
	CHECK_INT(c.family, 4);
	CHECK_INT(c.prefix, 8);
	CHECK_INT(rules_cidr_parse("::ffff:0:0/96", &c, &why), 0);
	CHECK_INT(c.family, 4);
	CHECK_INT(c.prefix, 0);
	CHECK_INT(rules_cidr_parse("::ffff:0:0/95", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("::/95", &c, &why), 0);
	CHECK_INT(c.family, 6);
	CHECK_INT(rules_cidr_parse("10.0.0.0/33", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("10.0.0.1/31", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("10.0.0.2/31", &c, &why), 0);
	CHECK_INT(rules_cidr_parse("2001:db8::/129", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("10.0.0.0/", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("10.0.0.0/-1", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("10.0.0", &c, &why), -EINVAL);
	CHECK_INT(rules_cidr_parse("0.0.0.0/0", &c, &why), 0);
	CHECK_INT(c.prefix, 0);
}

static void test_ports(void)
{
	struct rules *r = rt_build(
		"p.json",
		"{'rules':[" RULE("range", "'connect'", "{'port':'8000-8100'}") "," RULE(
			"https", "'connect'",
			"{'port':[443, '8443']}") "," RULE("all", "'connect'",
							   "{'port':'0-65535','addr_class':'loopback'}") "]}",
		false);
	struct lw_sockaddr sa;
	struct lw_event ev = rt_net(LW_REC_CONNECT, "vllm", NULL, &sa);

	CHECK(r);
	if (!r)
		return;
	sa = rt_addr("1.1.1.1", 7999);
	CHECK_STR(rt_ids(r, &ev), "");
	sa = rt_addr("1.1.1.1", 8000);
	CHECK_STR(rt_ids(r, &ev), "range");
	sa = rt_addr("1.1.1.1", 8100);
	CHECK_STR(rt_ids(r, &ev), "range");
	sa = rt_addr("1.1.1.1", 8101);
	CHECK_STR(rt_ids(r, &ev), "");
	sa = rt_addr("1.1.1.1", 443);
	CHECK_STR(rt_ids(r, &ev), "https");
	sa = rt_addr("1.1.1.1", 8443);
	CHECK_STR(rt_ids(r, &ev), "https");
	sa = rt_addr("1.1.1.1", 444);
	CHECK_STR(rt_ids(r, &ev), "");
	sa = rt_addr("127.0.0.1", 0);
	CHECK_STR(rt_ids(r, &ev), "all");
	sa = rt_addr("::1", 65535);
	CHECK_STR(rt_ids(r, &ev), "all");
	rules_free(r);
}

static void test_glob_functions(void)
{
	char buf[256];

	CHECK(rules_glob_match("/etc/shadow", "/etc/shadow"));
	CHECK(!rules_glob_match("/etc/shadow", "/etc/shadow-"));
	CHECK(!rules_glob_match("/etc/shadow", "/etc/shadow/x"));
	CHECK(!rules_glob_match("/etc/shadow", "/etc"));
	CHECK(rules_glob_match("/etc/shadow*", "/etc/shadow-"));
	CHECK(rules_glob_match("/a/*", "/a/b"));
	CHECK(rules_glob_match("/a/*", "/a/.hidden"));
	CHECK(!rules_glob_match("/a/*", "/a/b/c"));
	CHECK(!rules_glob_match("/a/*", "/a"));
	CHECK(rules_glob_match("/a/**", "/a/b"));
	CHECK(rules_glob_match("/a/**", "/a/b/c/d"));
	CHECK(!rules_glob_match("/a/**", "/a"));
	CHECK(!rules_glob_match("/a/**", "/ab/c"));
	CHECK(rules_glob_match("/a/**/z", "/a/z"));
	CHECK(rules_glob_match("/a/**/z", "/a/b/z"));
	CHECK(rules_glob_match("/a/**/z", "/a/b/c/z"));
	CHECK(!rules_glob_match("/a/**/z", "/a/b/zz"));
	CHECK(!rules_glob_match("/a/**/z", "/a/z/y"));
	CHECK(rules_glob_match("/a/**/m/**/z", "/a/1/m/2/3/z"));
	CHECK(rules_glob_match("/a/**/m/**/z", "/a/m/z"));
	CHECK(!rules_glob_match("/a/**/m/**/z", "/a/1/2/z"));
	CHECK(rules_glob_match("/dev/sd?", "/dev/sda"));
	CHECK(!rules_glob_match("/dev/sd?", "/dev/sda1"));
	CHECK(!rules_glob_match("/dev/sd?", "/dev/sd"));
	CHECK(rules_glob_match("/dev/nvidia*", "/dev/nvidia0"));
	CHECK(rules_glob_match("/dev/nvidia*", "/dev/nvidia"));
	CHECK(!rules_glob_match("/dev/nvidia*", "/dev/nvidia-caps/x"));
	CHECK(rules_glob_match("/x/*a*b*c", "/x/aaabbbccc"));
	CHECK(!rules_glob_match("/x/*a*b*c", "/x/aaabbbcccd"));
	CHECK(rules_glob_match("**/id_rsa", "/home/x/.ssh/id_rsa"));
	CHECK(rules_glob_match("**/id_rsa", "id_rsa"));
	CHECK(rules_glob_match("**/id_rsa", "/id_rsa"));
	CHECK(!rules_glob_match("**/id_rsa", "/home/x/id_rsa.pub"));
	CHECK(rules_glob_match("**", "/anything/at/all"));

	rules_path_normalize(buf, "//etc/./shadow", 14);
	CHECK_STR(buf, "/etc/shadow");
	rules_path_normalize(buf, "/etc/../etc/shadow/", 19);
	CHECK_STR(buf, "/etc/shadow");
	rules_path_normalize(buf, "/../../etc", 10);
	CHECK_STR(buf, "/etc");
	rules_path_normalize(buf, "../a/../../b", 12);
	CHECK_STR(buf, "../../b");
	rules_path_normalize(buf, "a/b/..", 6);
	CHECK_STR(buf, "a");
	rules_path_normalize(buf, "/", 1);
	CHECK_STR(buf, "/");
}

static void test_paths(void)
{
	struct rules *r = rt_build(
		"f.json",
		"{'rules':[" RULE("shadow", "'open'", "{'path':'/etc/shadow'}") "," RULE("shadow-any", "'open'", "{'path':'/etc/shadow*'}") "," RULE(
			"ssh", "'open'",
			"{'path':'~/.ssh/**'}") "," RULE("netrc", "'open'",
							 "{'path':'~/.netrc'}") "," RULE("homedir",
											 "'open'",
											 "{'path':'~/*'}") "," RULE("anykey",
														    "'open'",
														    "{'path':'**/id_ed25519'}") "," RULE("curl",
																			 "'exec'",
																			 "{'path':'/usr/bin/curl'}") "]}",
		false);
	struct lw_event ev;

	CHECK(r);
	if (!r)
		return;
	rt_home_calls = 0;
	ev = rt_open("ollama", 1000, "/etc/shadow", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "shadow,shadow-any");
	ev = rt_open("ollama", 1000, "/etc/shadow-", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "shadow-any");
	ev = rt_open("ollama", 1000, "/etc//./shadow", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "shadow,shadow-any");
	ev = rt_open("ollama", 1000, "/tmp/../etc/shadow", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "shadow,shadow-any");
	ev = rt_open("ollama", 1000, "etc/shadow", O_RDONLY, 3); /* relative: unknown dir */
	CHECK_STR(rt_ids(r, &ev), "");

	/* ~ is the home of the event's uid */
	ev = rt_open("ollama", 1000, "/home/alice/.ssh/id_ed25519", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "ssh,anykey");
	ev = rt_open("ollama", 1001, "/home/alice/.ssh/id_rsa", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "");
	ev = rt_open("ollama", 1001, "/home/bob/.ssh/id_rsa", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "ssh");
	ev = rt_open("ollama", 1001, "/home/bob/.ssh", O_RDONLY | O_DIRECTORY, 3);
	CHECK_STR(rt_ids(r, &ev), "homedir");
	ev = rt_open("ollama", 1000, "/home/alice2/.ssh/id_rsa", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "");
	ev = rt_open("ollama", 1000, "/home/alice/.netrc", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "netrc,homedir");
	ev = rt_open("ollama", 0, "/root/.netrc", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "netrc,homedir");
	ev = rt_open("ollama", 4242, "/home/alice/.netrc", O_RDONLY, 3); /* no passwd entry */
	CHECK_STR(rt_ids(r, &ev), "");
	ev = rt_open("ollama", 1000, "/home/alice", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "");
	ev = rt_open("ollama", 1000, "~/.netrc", O_RDONLY, 3); /* a directory named "~" */
	CHECK_STR(rt_ids(r, &ev), "");
	/* four users looked up once each, however many events */
	CHECK_INT(rt_home_calls, 4);

	ev = rt_open("ollama", 1000, "/usr/bin/curl", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "");
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXEC;
	ev.tool = "ollama";
	ev.filename = "/usr/bin/curl";
	CHECK_STR(rt_ids(r, &ev), "curl");
	rules_free(r);
}

static void test_flags_result_bytes(void)
{
	struct rules *r = rt_build(
		"x.json",
		"{'rules':[" RULE("reads", "'open'", "{'path':'/data/**','flags':'read','result':'ok'}") "," RULE("writes", "'open'", "{'path':'/data/**','flags':['write','create']}") "," RULE(
			"failed", "'open'",
			"{'path':'/data/**','result':'failed'}") "," RULE("big", "'conn_bytes'",
									  "{'bytes':{'min':1000,'max':2000}}") "," RULE("ok-connect",
															"'connect'",
															"{'result':'ok'}") "]}",
		false);
	struct lw_sockaddr sa = rt_addr("1.2.3.4", 443);
	struct lw_event ev;

	CHECK(r);
	if (!r)
		return;
	ev = rt_open("jan", 1000, "/data/x", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "reads");
	ev = rt_open("jan", 1000, "/data/x", O_RDWR, 3);
	CHECK_STR(rt_ids(r, &ev), "reads,writes");
	ev = rt_open("jan", 1000, "/data/x", O_WRONLY | O_CREAT, 3);
	CHECK_STR(rt_ids(r, &ev), "writes");
	ev = rt_open("jan", 1000, "/data/x", O_RDONLY, -ENOENT);
	CHECK_STR(rt_ids(r, &ev), "failed");
	ev = rt_net(LW_REC_CONN_BYTES, "jan", NULL, &sa);
	ev.bytes = 999;
	CHECK_STR(rt_ids(r, &ev), "");
	ev.bytes = 1000;
	CHECK_STR(rt_ids(r, &ev), "big");
	ev.bytes = 2000;
	CHECK_STR(rt_ids(r, &ev), "big");
	ev.bytes = 2001;
	CHECK_STR(rt_ids(r, &ev), "");
	ev = rt_net(LW_REC_CONNECT, "jan", NULL, &sa);
	ev.ret = -EINPROGRESS; /* non-blocking connect under way */
	CHECK_STR(rt_ids(r, &ev), "ok-connect");
	ev.ret = -ECONNREFUSED;
	CHECK_STR(rt_ids(r, &ev), "");
	rules_free(r);
}

static void test_tools_exceptions_fallback(void)
{
	struct rules *r = rt_build(
		"t.json",
		"{'lists':{'doc_tools':['gpt4all','jan']},'rules':["
		"{'id':'watched','description':'d','severity':'low','tools':['watch:foo','pid:12',"
		"'runtime:ggml'],'event':'open','conditions':{'path':'/w/**'},'message':'m'},"
		"{'id':'docs','description':'d','severity':'medium','tools':'*','event':'open',"
		" 'conditions':{'path':'~/Documents/**'},'exceptions':[{'tool':'@doc_tools'},"
		" {'path':'~/Documents/public/**'}],'message':'m'},"
		"{'id':'known','description':'d','severity':'info','tools':['ollama'],"
		" 'event':['connect','send'],'conditions':{'host':'registry.ollama.ai'},"
		" 'action':'log','message':'m'},"
		"{'id':'unknown','description':'d','severity':'medium','tools':'*',"
		" 'event':['connect','send'],'conditions':{'addr_class':'public'},'fallback':true,"
		" 'message':'m'},"
		"{'id':'unknown-lan','description':'d','severity':'low','tools':'*',"
		" 'event':['connect'],'conditions':{'addr_class':['private','link_local']},"
		" 'fallback':true,'message':'m'}]}",
		false);
	struct lw_sockaddr sa = rt_addr("104.18.1.1", 443);
	struct lw_event ev;

	CHECK(r);
	if (!r)
		return;
	ev = rt_open("watch:foo", 1000, "/w/x", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "watched");
	ev.tool = "pid:12";
	CHECK_STR(rt_ids(r, &ev), "watched");
	ev.tool = "pid:123";
	CHECK_STR(rt_ids(r, &ev), "");
	ev.tool = "runtime:ggml";
	CHECK_STR(rt_ids(r, &ev), "watched");
	ev.tool = "runtime:gguf";
	CHECK_STR(rt_ids(r, &ev), "");
	ev.tool = "ollama";
	CHECK_STR(rt_ids(r, &ev), "");

	ev = rt_open("ollama", 1000, "/home/alice/Documents/tax.pdf", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "docs");
	ev.tool = "gpt4all";
	CHECK_STR(rt_ids(r, &ev), "");
	ev.tool = "watch:bar";
	CHECK_STR(rt_ids(r, &ev), "docs");
	ev = rt_open("ollama", 1000, "/home/alice/Documents/public/a.txt", O_RDONLY, 3);
	CHECK_STR(rt_ids(r, &ev), "");

	ev = rt_net(LW_REC_CONNECT, "ollama", "registry.ollama.ai", &sa);
	CHECK_STR(rt_ids(r, &ev), "known");
	ev.tool = "jan"; /* the known rule is for ollama only */
	CHECK_STR(rt_ids(r, &ev), "unknown");
	ev.host = NULL;
	ev.tool = "ollama";
	CHECK_STR(rt_ids(r, &ev), "unknown");
	ev.type = LW_REC_SEND;
	CHECK_STR(rt_ids(r, &ev), "unknown");
	sa = rt_addr("192.168.1.20", 8080);
	ev.type = LW_REC_CONNECT;
	CHECK_STR(rt_ids(r, &ev), "unknown-lan");
	sa = rt_addr("fe80::1", 8080);
	CHECK_STR(rt_ids(r, &ev), "unknown-lan");
	sa = rt_addr("127.0.0.1", 8080);
	CHECK_STR(rt_ids(r, &ev), "");
	sa = rt_addr("::", 8080);
	CHECK_STR(rt_ids(r, &ev), "");
	rules_free(r);
}

/* "host_source": how the name was learned, and "none" for no usable name at all. */
static void test_host_source(void)
{
	struct rules *r = rt_build(
		"hs.json",
		"{'rules':[" RULE("unnamed", "['connect','send','conn_bytes']", "{'host_source':'none','addr_class':'public'}") "," RULE(
			"from-stream", "'connect'",
			"{'host_source':['sni','http']}") "," RULE("resolved", "'connect'",
								   "{'host_source':'dns','host':'*.example.com'}") ","
														   "{'id':'mixed','description':'d','severity':'low','tools':'*',"
														   " 'event':['connect','bind'],'conditions':{'host_source':'none'},"
														   " 'exceptions':[{'addr_class':['loopback','any']}],'message':'m'}]}",
		false);
	struct lw_sockaddr sa = rt_addr("203.0.113.20", 443);
	struct lw_event ev = rt_net(LW_REC_CONNECT, "gpt4all", NULL, &sa);

	CHECK(r);
	if (!r)
		return;
	ev.host_source = "none";
	CHECK_STR(rt_ids(r, &ev), "unnamed,mixed");
	ev.host_source = NULL; /* no source given and no name: none */
	CHECK_STR(rt_ids(r, &ev), "unnamed,mixed");
	ev.type = LW_REC_SEND;
	CHECK_STR(rt_ids(r, &ev), "unnamed");
	ev.type = LW_REC_CONN_BYTES;
	CHECK_STR(rt_ids(r, &ev), "unnamed");
	ev.type = LW_REC_CONNECT;
	ev.host = "a.example.com";
	ev.host_source = "dns";
	CHECK_STR(rt_ids(r, &ev), "resolved");
	ev.host_source = "sni";
	CHECK_STR(rt_ids(r, &ev), "from-stream");
	ev.host_source = "http";
	CHECK_STR(rt_ids(r, &ev), "from-stream");
	ev.host = "b.example.org";
	ev.host_source = "dns"; /* dns, but the host condition fails */
	CHECK_STR(rt_ids(r, &ev), "");
	ev.host_source = NULL; /* a name of unknown origin is a name: not none */
	CHECK_STR(rt_ids(r, &ev), "");
	ev.host_source = "rule";
	CHECK_STR(rt_ids(r, &ev), "");
	/* a name no host condition could match counts as none, whatever it claims */
	ev.host = ".example.com";
	ev.host_source = "sni";
	CHECK_STR(rt_ids(r, &ev), "unnamed,mixed");
	ev.host = "";
	CHECK_STR(rt_ids(r, &ev), "unnamed,mixed");
	/* private address: only the rule without an address class */
	ev.host = NULL;
	ev.host_source = "none";
	sa = rt_addr("192.168.1.1", 443);
	CHECK_STR(rt_ids(r, &ev), "mixed");
	sa = rt_addr("127.0.0.1", 443);
	CHECK_STR(rt_ids(r, &ev), "");
	/* a bind has no far end to name: none */
	ev.type = LW_REC_BIND;
	sa = rt_addr("192.168.1.1", 8080);
	CHECK_STR(rt_ids(r, &ev), "mixed");
	rules_free(r);
}

static void test_messages(void)
{
	struct rules *r = rt_build(
		"m.json",
		"{'rules':["
		"{'id':'net','description':'d','severity':'high','tags':['a','b'],'tools':'*',"
		" 'event':'connect','conditions':{'port':443},"
		" 'message':'{tool} (pid {pid}) -> {dest} [{daddr}:{dport}] host={host} {{x}} {result}'},"
		"{'id':'file','description':'d','severity':'low','tools':'*','event':'open',"
		" 'conditions':{'path':'/tmp/**'},'message':'{comm} opened {path} ({flags}) uid {uid}'}"
		"]}",
		false);
	struct lw_sockaddr sa = rt_addr("2001:db8::5", 443);
	struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", NULL, &sa);
	struct rules_verdict v[1];
	struct jsonw w;

	CHECK(r);
	if (!r)
		return;
	CHECK_STR(
		rt_msg(r, &ev),
		"ollama (pid 4121) -> [2001:db8::5]:443 [2001:db8::5:443] host=2001:db8::5 {x} ok");
	sa = rt_addr("1.2.3.4", 443);
	ev.host = "api.example.com";
	ev.ret = -ECONNREFUSED;
	CHECK_STR(rt_msg(r, &ev), "ollama (pid 4121) -> api.example.com:443 (1.2.3.4) "
				  "[1.2.3.4:443] host=api.example.com {x} failed (ECONNREFUSED)");
	/* event bytes are escaped: no terminal control, no fake second line */
	ev.host = "evil\n\x1b[2Jhost";
	CHECK_STR(rt_msg(r, &ev),
		  "ollama (pid 4121) -> evil\\n\\x1b[2Jhost:443 (1.2.3.4) "
		  "[1.2.3.4:443] host=evil\\n\\x1b[2Jhost {x} failed (ECONNREFUSED)");
	ev = rt_open("gpt4all", 1001, "/tmp/a\tb\x7f", O_WRONLY | O_CREAT | O_TRUNC, 3);
	snprintf(ev.comm, sizeof(ev.comm), "ch\x1bt");
	CHECK_STR(rt_msg(r, &ev),
		  "ch\\x1bt opened /tmp/a\\tb\\x7f (write,create,truncate) uid 1001");

	/* more matches than room: the count says so */
	CHECK_INT(rules_match(r, &ev, v, 0), 1);
	CHECK_INT(rules_match(r, &ev, v, 1), 1);
	CHECK_INT(rules_match(NULL, &ev, v, 1), -EINVAL);

	ev = rt_net(LW_REC_CONNECT, "ollama", "h", &sa);
	CHECK_INT(rules_match(r, &ev, v, 1), 1);
	jsonw_init(&w);
	jsonw_begin(&w);
	rules_output_verdict_json(&w, &v[0]);
	CHECK_INT(jsonw_end(&w), 0);
	CHECK_STR(w.buf,
		  "{\"rule\":\"net\",\"severity\":\"high\",\"action\":\"alert\","
		  "\"tags\":[\"a\",\"b\"],\"message\":\"ollama (pid 4121) -> h:443 (1.2.3.4) "
		  "[1.2.3.4:443] host=h {x} ok\"}");
	jsonw_free(&w);
	rules_free(r);
}

static void test_many_matches(void)
{
	char *text = malloc(200000), *p = text;
	struct rules_verdict v[4];
	struct lw_sockaddr sa = rt_addr("9.9.9.9", 1);
	struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", "many.example", &sa);
	struct rules *r;

	/* 300 rules on one host: more candidates than the matcher's stack buffer holds */
	p += sprintf(p, "{'rules':[");
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "%s" RULE("r%03d", "'connect'", "{'host':'many.example'}"),
			     i ? "," : "", i);
	sprintf(p, "]}");
	r = rt_build("many.json", text, false);
	CHECK(r);
	if (r) {
		CHECK_INT(rules_match(r, &ev, v, 4), 300);
		CHECK_STR(v[0].rule, "r000");
		CHECK_STR(v[3].rule, "r003");
	}
	rules_free(r);
	free(text);
}

/*
 * A name from the rules' own host names, resolved by llmwatch (host_source "rule"): host
 * conditions match it, host_source can ask for it, and an exception naming a host never
 * excuses it (a guessed name for a shared address must not silence an alert).
 */
static void test_rule_names(void)
{
	struct rules *r = rt_build(
		"rn.json",
		"{'rules':[" RULE("telemetry", "'connect'", "{'host':['api.example.com','t.example.com']}") "," RULE(
			"guessed", "'connect'",
			"{'host_source':'rule'}") ","
						  "{'id':'unknown','description':'d','severity':'low','tools':'*',"
						  " 'event':'connect','conditions':{'addr_class':'public'},"
						  " 'exceptions':[{'host':['cdn.example.net','API.example.com']}],'message':'m'},"
						  "{'id':'wild','description':'d','severity':'low','tools':'*','event':'connect',"
						  " 'conditions':{'host':['*.example.org','t.example.com']},"
						  " 'exceptions':[{'host':'ignored.example.com'}],'message':'m'}]}",
		false);
	struct lw_sockaddr sa = rt_addr("203.0.113.7", 443);
	struct lw_event ev = rt_net(LW_REC_CONNECT, "ollama", "cdn.example.net", &sa);
	const char *names[8];

	CHECK(r);
	if (!r)
		return;
	/* observed by the tool: the exception excuses it */
	ev.host_source = "dns";
	CHECK_STR(rt_ids(r, &ev), "");
	/* guessed by llmwatch: the same exception does not */
	ev.host_source = "rule";
	CHECK_STR(rt_ids(r, &ev), "guessed,unknown");
	ev.host = "api.example.com";
	CHECK_STR(rt_ids(r, &ev), "telemetry,guessed,unknown");
	ev.host_source = "sni";
	CHECK_STR(rt_ids(r, &ev), "telemetry");
	/* the names to resolve: exact names of conditions, once each (no suffix, no exception) */
	CHECK_INT(rules_condition_hosts(r, names, 8), 2);
	CHECK_STR(names[0], "api.example.com");
	CHECK_STR(names[1], "t.example.com");
	/* too small: an upper bound to allocate by (the repeat is counted) */
	CHECK_INT(rules_condition_hosts(r, NULL, 0), 3);
	rules_free(r);
	/* the default pack names hosts to resolve */
	r = rt_build("none.json", NULL, true);
	CHECK(r && rules_condition_hosts(r, names, 0) > 0);
	rules_free(r);
}

/*
 * A list condition counts only the items that parsed: after an error its vector holds the
 * good addresses and nothing else (a bad one used to be counted too).
 */
static void test_list_counts_parsed_items(void)
{
	const char *text = "{\"addr\": [\"10.0.0.1\", \"nope\", \"10.0.0.0/8\"]}";
	struct rules_src src = { .name = "t.json" };
	struct rules_errors errs = { 0 };
	struct rules_load c = {
		.errs = &errs, .src = &src, .events = RULES_EV_NET, .event_name = "connect"
	};
	const struct rules_cond_type *addr = &rules_cond_types[RULES_COND_addr];
	struct rules_json *root = rules_json_parse(text, strlen(text), NULL, 0, NULL, NULL);
	const struct rules_vec *vec;
	void *data = NULL;

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(addr->key, "addr");
	CHECK_INT(addr->compile(&c, rules_json_get(root, "addr"), &data), false);
	vec = data;
	CHECK(vec != NULL);
	if (vec) {
		CHECK_INT(vec->n, 2);
		CHECK_INT(((const struct rules_cidr *)vec->v)[1].prefix, 8);
	}
	CHECK_INT(errs.n, 1);
	if (errs.n)
		CHECK_STR(errs.v[0], "t.json:1:23: bad CIDR \"nope\": not an IPv4 or IPv6 address");
	addr->free(data);
	rules_load_errors_free(&errs);
	rules_json_free(root);
}

/* Every built-in profile's name is a tool name rules accept, in "tools" and "tool". */
static void test_profile_tools(void)
{
	struct lw_sockaddr sa = rt_addr("10.9.9.9", 80);
	const char *name;

	CHECK(profiles_builtin_name(profiles_builtin_count()) == NULL);
	for (size_t i = 0; (name = profiles_builtin_name(i)); i++) {
		char text[512];
		struct rules *r;
		struct lw_event ev = rt_net(LW_REC_CONNECT, name, NULL, &sa);

		snprintf(text, sizeof(text),
			 "{'rules':[{'id':'t','description':'d','severity':'low',"
			 "'tools':'%s','event':'connect','conditions':{'tool':['%s']},"
			 "'message':'m'}]}",
			 name, name);
		r = rt_build("p.json", text, false);
		CHECK(r != NULL);
		if (!r)
			continue;
		CHECK_STR(rt_ids(r, &ev), "t");
		ev.tool = "watch:other";
		CHECK_STR(rt_ids(r, &ev), "");
		rules_free(r);
	}
}

int main(void)
{
	test_hosts();
	test_cidrs();
	test_cidr_parse();
	test_ports();
	test_glob_functions();
	test_paths();
	test_flags_result_bytes();
	test_tools_exceptions_fallback();
	test_host_source();
	test_rule_names();
	test_messages();
	test_many_matches();
	test_list_counts_parsed_items();
	test_profile_tools();
	return check_summary("test_rules");
}
