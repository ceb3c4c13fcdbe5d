// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * systemd's unit specifiers as the audit expands them (unit_specifiers.h): the system
 * manager's and a user manager's directories, the parts of an instance's name and their
 * unescaping, what has no value here (a template's instance, the host's facts, an unknown
 * user), what systemd itself refuses, and output that does not fit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/unit_specifiers.h"
#include "check.h"

static const struct unit_specifiers SYS = { .name = "ollama.service", .system = true };
static const struct unit_specifiers ALICE = { .name = "ollama.service",
					      .home = "/home/alice",
					      .user = "alice",
					      .uid = 1000 };

/* in expanded under s, or "ERR LETTER nokey|badslt|toolong" when it fails */
static const char *ex(const struct unit_specifiers *s, const char *in)
{
	static char out[256];
	char bad;
	int err = unit_specifiers_expand(s, in, out, sizeof(out), &bad);

	if (err)
		snprintf(out, sizeof(out), "ERR %c %s", bad ? bad : '-',
			 err == -ENOKEY	      ? "nokey" :
			 err == -EBADSLT      ? "badslt" :
			 err == -ENAMETOOLONG ? "toolong" :
						"other");
	return out;
}

static void test_system_manager(void)
{
	CHECK_STR(ex(&SYS, "%h/.ollama"), "/root/.ollama");
	CHECK_STR(ex(&SYS, "%E/ollama.env"), "/etc/ollama.env");
	CHECK_STR(ex(&SYS, "%S %C %L %t %T %V"), "/var/lib /var/cache /var/log /run /tmp /var/tmp");
	CHECK_STR(ex(&SYS, "%u:%U %g:%G %s"), "root:0 root:0 /bin/sh");
	CHECK_STR(ex(&SYS, "%n %N %p"), "ollama.service ollama ollama");
	/* a plain unit's instance is empty; "%%" is one "%", a trailing "%" stays */
	CHECK_STR(ex(&SYS, "[%i]"), "[]");
	CHECK_STR(ex(&SYS, "100%% of %"), "100% of %");
	CHECK_STR(ex(&SYS, "no specifiers"), "no specifiers");
}

static void test_user_manager(void)
{
	struct unit_specifiers nouser = ALICE, unknown = { .name = "ollama.service" };

	CHECK_STR(ex(&ALICE, "%h/.config/ollama.env"), "/home/alice/.config/ollama.env");
	CHECK_STR(ex(&ALICE, "%E|%S|%C|%L"),
		  "/home/alice/.config|/home/alice/.local/state|/home/alice/.cache|"
		  "/home/alice/.local/state/log");
	CHECK_STR(ex(&ALICE, "%t %u %U"), "/run/user/1000 alice 1000");
	/* a home whose owner has no passwd entry: the name is not known, the rest is */
	nouser.user = NULL;
	CHECK_STR(ex(&nouser, "%h"), "/home/alice");
	CHECK_STR(ex(&nouser, "%u"), "ERR u nokey");
	/* group and shell come from passwd, not read */
	CHECK_STR(ex(&ALICE, "%g"), "ERR g nokey");
	CHECK_STR(ex(&ALICE, "%s"), "ERR s nokey");
	/* /etc/systemd/user's units, read once for every user: nothing of a user's is known */
	CHECK_STR(ex(&unknown, "%h/x"), "ERR h nokey");
	CHECK_STR(ex(&unknown, "%t"), "ERR t nokey");
	CHECK_STR(ex(&unknown, "%U"), "ERR U nokey");
	CHECK_STR(ex(&unknown, "%T/%n"), "/tmp/ollama.service");
}

static void test_instances(void)
{
	struct unit_specifiers s = { .name = "llama-server@gpu\\x2d0-big.service", .system = true };

	CHECK_STR(ex(&s, "%i"), "gpu\\x2d0-big");
	CHECK_STR(ex(&s, "%I"), "gpu-0/big");
	CHECK_STR(ex(&s, "%p|%P|%j|%J"), "llama-server|llama/server|server|server");
	CHECK_STR(ex(&s, "%N"), "llama-server@gpu\\x2d0-big");
	CHECK_STR(ex(&s, "%f"), "/gpu-0/big");
	CHECK_STR(ex(&s, "/etc/llama/%i.env"), "/etc/llama/gpu\\x2d0-big.env");
	/* an escaped NUL is no byte of a path: left as written */
	s.name = "x@a\\x00b.service";
	CHECK_STR(ex(&s, "%I"), "a\\x00b");
	/* a bare template: each instance has its own, so none is known */
	s.name = "llama-server@.service";
	CHECK_STR(ex(&s, "/etc/llama/%i.env"), "ERR i nokey");
	CHECK_STR(ex(&s, "%I"), "ERR I nokey");
	CHECK_STR(ex(&s, "%f"), "ERR f nokey");
	CHECK_STR(ex(&s, "%p"), "llama-server");
	/* %f of a plain unit: its name as a path */
	s.name = "srv-models.service";
	CHECK_STR(ex(&s, "%f"), "/srv/models");
	s.name = "-.service";
	CHECK_STR(ex(&s, "%f"), "/");
}

static void test_not_expanded(void)
{
	char why[128];
	char out[8], bad = 'x';

	/* the host's facts are systemd's to know, not the audit's */
	CHECK_STR(ex(&SYS, "/etc/%H.env"), "ERR H nokey");
	CHECK_STR(ex(&SYS, "%m"), "ERR m nokey");
	CHECK_STR(ex(&SYS, "%y"), "ERR y nokey");
	/* a letter systemd does not know: it ignores the whole setting */
	CHECK_STR(ex(&SYS, "%z"), "ERR z badslt");
	/* what a finding says of each */
	unit_specifiers_why(-ENOKEY, 'H', why, sizeof(why));
	CHECK_STR(why, "specifier %H is the host's, not expanded by the audit");
	unit_specifiers_why(-ENOKEY, 'i', why, sizeof(why));
	CHECK_STR(why, "specifier %i depends on the instance of a template");
	unit_specifiers_why(-ENOKEY, 'h', why, sizeof(why));
	CHECK_STR(why, "specifier %h depends on the user, who is not known here");
	unit_specifiers_why(-EBADSLT, 'z', why, sizeof(why));
	CHECK_STR(why, "specifier %z is not one systemd knows");
	unit_specifiers_why(-ENAMETOOLONG, '\0', why, sizeof(why));
	CHECK_STR(why, "too long once its specifiers are expanded");
	/* output bounded: exactly full fits, one more does not */
	CHECK_INT(unit_specifiers_expand(&SYS, "%h/a", out, sizeof(out), &bad), 0);
	CHECK_STR(out, "/root/a"); /* 7 bytes and the NUL: full */
	CHECK_INT(unit_specifiers_expand(&SYS, "%h/ab", out, sizeof(out), &bad), -ENAMETOOLONG);
	CHECK_INT(bad, '\0'); /* the plain "b" did not fit */
	CHECK_INT(unit_specifiers_expand(&SYS, "abc%h", out, sizeof(out), &bad), -ENAMETOOLONG);
	CHECK_INT(bad, 'h');
	CHECK_INT(unit_specifiers_expand(&SYS, "12345678", out, sizeof(out), NULL), -ENAMETOOLONG);
	CHECK_INT(unit_specifiers_expand(&SYS, "", out, 0, NULL), -ENAMETOOLONG);
}

int main(void)
{
	test_system_manager();
	test_user_manager();
	test_instances();
	test_not_expanded();
	return check_summary("test_unit_specifiers");
}
