// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The bounded store walk (audit_stores.h's audit_walk_dir) that the at-rest, GGUF and
 * integrity checks share: every entry seen once with its depth and its directory's flags,
 * links never followed into directories, the depth and entry bounds counted (deep, cut), a
 * directory the callback skips not entered, a stop and an error ending the walk, a top
 * directory that cannot be opened said as -errno, an unreadable directory counted and named.
 */
#include <errno.h>
#include <sys/wait.h>

#include "audit/audit_stores.h"
#include "audit_fixture.h"

struct seen {
	char line[32][160];
	size_t n;
	size_t rl; /* the fixture root's length, cut from the paths */
	const char *skip, *stop;
	int fail;
};

static int record(void *arg, struct audit_walk_entry *e)
{
	struct seen *s = arg;

	if (s->n < 32)
		snprintf(s->line[s->n++], sizeof(s->line[0]), "%s %u %u %c%s", e->path + s->rl,
			 e->depth, e->flags,
			 e->type == DT_DIR ? 'd' :
			 e->type == DT_LNK ? 'l' :
					     'f',
			 e->st ? "" : "?");
	if (s->fail && !strcmp(e->name, "b.gguf"))
		return s->fail;
	if (s->stop && !strcmp(e->name, s->stop))
		return AUDIT_WALK_STOP;
	if (s->skip && !strcmp(e->name, s->skip))
		return AUDIT_WALK_SKIP;
	if (e->type == DT_DIR)
		e->flags = e->flags * 10 + (unsigned int)strlen(e->name);
	return 0;
}

static bool saw(const struct seen *s, const char *line)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->line[i], line))
			return true;
	fprintf(stderr, "not seen: %s; seen:\n", line);
	for (size_t i = 0; i < s->n; i++)
		fprintf(stderr, "  %s\n", s->line[i]);
	return false;
}

static struct audit_walk walk_of(struct seen *s, unsigned int depth, size_t entries)
{
	return (struct audit_walk){
		.max_depth = depth, .max_entries = entries, .fn = record, .arg = s
	};
}

static void tree(struct fixture *fx)
{
	fx_put(fx, "m/a.gguf", "a");
	fx_put(fx, "m/pub/repo/b.gguf", "b");
	fx_put(fx, "m/pub/repo/deep/c.gguf", "c");
	fx_link(fx, "/", "m/root-link");
	fx_link(fx, "../m/a.gguf", "m/pub/a-link.gguf");
}

static void test_walk(void)
{
	struct fixture fx;
	struct seen s = { 0 };
	struct audit_walk w;
	char top[256];

	fx_init(&fx, "stores");
	tree(&fx);
	s.rl = strlen(fx.root);
	snprintf(top, sizeof(top), "%s/m", fx.root);

	/* everything, with the flags each directory hands its entries */
	w = walk_of(&s, 8, 100);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 7), 0);
	CHECK_INT(s.n, 8);
	CHECK(saw(&s, "/m/a.gguf 0 7 f"));
	CHECK(saw(&s, "/m/pub 0 7 d"));
	CHECK(saw(&s, "/m/pub/a-link.gguf 1 73 l"));
	CHECK(saw(&s, "/m/pub/repo 1 73 d"));
	CHECK(saw(&s, "/m/pub/repo/b.gguf 2 734 f"));
	CHECK(saw(&s, "/m/pub/repo/deep/c.gguf 3 7344 f"));
	/* the link to / is an entry, never a directory walked */
	CHECK(saw(&s, "/m/root-link 0 7 l"));
	CHECK_INT(w.entries, 8);
	CHECK_INT(w.deep + w.unreadable, 0);
	CHECK(!w.cut);

	/* the depth bound: directories at depth + 1 >= 2 are counted, not entered */
	s.n = 0;
	w = walk_of(&s, 2, 100);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), 0);
	CHECK(saw(&s, "/m/pub/repo 1 3 d"));
	CHECK_INT(s.n, 5);
	CHECK_INT(w.deep, 1);

	/* the entry bound: the walk stops, cut */
	s.n = 0;
	w = walk_of(&s, 8, 3);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), 0);
	CHECK_INT(s.n, 3);
	CHECK_INT(w.entries, 3);
	CHECK(w.cut);

	/* counts add up across walks until reset */
	w.max_entries = 100;
	w.cut = false;
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), 0);
	CHECK_INT(w.entries, 11);
	audit_walk_reset(&w);
	CHECK_INT(w.entries + w.deep + w.unreadable, 0);

	/* a directory skipped by the callback, a stop, an error */
	s = (struct seen){ .rl = s.rl, .skip = "pub" };
	w = walk_of(&s, 8, 100);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), 0);
	CHECK_INT(s.n, 3);
	s = (struct seen){ .rl = s.rl, .stop = "b.gguf" };
	w = walk_of(&s, 8, 100);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), 0);
	CHECK(saw(&s, "/m/pub/repo/b.gguf 2 34 f"));
	CHECK(s.n < 8);
	s = (struct seen){ .rl = s.rl, .fail = -ENOMEM };
	w = walk_of(&s, 8, 100);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), -ENOMEM);

	/* the top directory missing, or a file */
	snprintf(top, sizeof(top), "%s/none", fx.root);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), -ENOENT);
	snprintf(top, sizeof(top), "%s/m/a.gguf", fx.root);
	CHECK_INT(audit_walk_dir(&fx.c, &w, top, 0), -ENOTDIR);
	fx_done(&fx);
}

/*
 * A directory below the top that cannot be opened: counted, the first one named. Root opens
 * a 0000 directory, so as root the walk runs in a child that has dropped to nobody.
 */
static void test_unreadable(void)
{
	struct fixture fx;
	struct seen s = { 0 };
	struct audit_walk w;
	char top[256], locked[256];
	int status = -1;
	pid_t pid;

	fx_init(&fx, "stores");
	tree(&fx);
	s.rl = strlen(fx.root);
	snprintf(top, sizeof(top), "%s/m", fx.root);
	snprintf(locked, sizeof(locked), "%s/m/pub/repo", fx.root);
	CHECK_INT(chmod(fx.root, 0755), 0);
	CHECK_INT(chmod(locked, 0), 0);
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(2);
		w = walk_of(&s, 8, 100);
		_exit(audit_walk_dir(&fx.c, &w, top, 0) == 0 && w.unreadable == 1 &&
				      w.first_errno == EACCES &&
				      !strcmp(w.first_unreadable, locked) && w.entries == 5 ?
			      0 :
			      1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	chmod(locked, 0755);
	fx_done(&fx);
}

int main(void)
{
	test_walk();
	test_unreadable();
	return check_summary("test_audit_stores");
}
