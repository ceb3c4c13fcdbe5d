// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * passwd(5) and group(5) lines as the audit reads them (audit_homes.h): malformed ones
 * counted, skipped.
 */
#include <string.h>

#include "audit/audit_homes.h"
#include "check.h"

struct got {
	char lines[8][96];
	size_t n;
};

static void take(void *arg, const struct audit_passwd_entry *e)
{
	struct got *g = arg;

	if (g->n < 8)
		snprintf(g->lines[g->n++], sizeof(g->lines[0]), "%u %s %u %u %s %s", e->line,
			 e->user, e->uid, e->gid, e->home, e->shell);
}

static void test_parse(void)
{
	char text[] = "root:x:0:0:root:/root:/bin/bash\n"
		      "\n"
		      "alice:x:1000:1000:Alice, Room 1:/home/alice:/bin/bash\n"
		      "short:x:1:1\n"
		      "eight:x:1:1:g:/h:/s:extra\n"
		      "neg:x:-1:1:g:/h:/s\n"
		      "gid:x:5:x1:g:/h:/s\n"
		      "big:x:4294967296:1:g:/h:/s\n"
		      "rel:x:5:1:g:home/rel:/s\n"
		      ":x:5:1:g:/noname:/s\n"
		      "max:x:4294967295:1:g:/max:/s"; /* no newline at the end */
	struct got g = {};
	size_t bad;

	audit_passwd_parse(text, strlen(text), take, &g, &bad);
	CHECK_INT(g.n, 4);
	CHECK_STR(g.lines[0], "1 root 0 0 /root /bin/bash");
	CHECK_STR(g.lines[1], "3 alice 1000 1000 /home/alice /bin/bash");
	/* a relative home is the homes' to refuse, not the parser's */
	CHECK_STR(g.lines[2], "9 rel 5 1 home/rel /s");
	CHECK_STR(g.lines[3], "11 max 4294967295 1 /max /s");
	CHECK_INT(bad, 6);
}

static void take_group(void *arg, const struct audit_group_entry *e)
{
	struct got *g = arg;

	if (g->n < 8)
		snprintf(g->lines[g->n++], sizeof(g->lines[0]), "%u %s %u [%s]", e->line, e->name,
			 e->gid, e->members);
}

static void test_group(void)
{
	char text[] = "root:x:0:\n"
		      "\n"
		      "staff:x:50:alice,bob\n"
		      "old:x:60\n"
		      "five:x:1:a:b\n"
		      "neg:x:-1:\n"
		      ":x:5:\n"
		      "gid:x:12a:\n"
		      "big:x:4294967296:\n"
		      "last:x:4294967295:carol"; /* no newline at the end */
	struct got g = {};
	size_t bad;

	audit_group_parse(text, strlen(text), take_group, &g, &bad);
	CHECK_INT(g.n, 4);
	CHECK_STR(g.lines[0], "1 root 0 []");
	CHECK_STR(g.lines[1], "3 staff 50 [alice,bob]");
	CHECK_STR(g.lines[2], "4 old 60 []");
	CHECK_STR(g.lines[3], "10 last 4294967295 [carol]");
	CHECK_INT(bad, 5);
}

/* NUL bytes inside a line end its fields early: the line is malformed, nothing is read past. */
static void test_nul(void)
{
	char text[] = "a:x:1:1:g:/h\0:/s\nb:x:2:2:g:/b:/s\n";
	struct got g = {};
	size_t bad;

	audit_passwd_parse(text, sizeof(text) - 1, take, &g, &bad);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.lines[0], "2 b 2 2 /b /s");
	CHECK_INT(bad, 1);
}

int main(void)
{
	test_parse();
	test_nul();
	test_group();
	return check_summary("test_audit_homes");
}
