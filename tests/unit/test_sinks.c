// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the outputs: parsing --output values against the registry (and its error
 * messages), opening them as one tee, and the tee going on past a failing output (/dev/full)
 * with that output's failures counted and told once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/stats.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"

static char tmpdir[64];

/* An exit event of pid, as the monitor would hand it to the sinks. */
static struct lw_event exit_event(uint32_t pid)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_EXIT;
	ev.pid = ev.tid = pid;
	ev.ppid = 1;
	ev.tool = "ollama";
	ev.exe = "/usr/bin/ollama";
	memcpy(ev.comm, "ollama", 7);
	ev.wall.tv_sec = 1700000000;
	return ev;
}

/* The contents of path, NUL-terminated (empty if unreadable). */
static char *slurp(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_parse(void)
{
	struct sink_spec sp;
	char err[256];

	CHECK_INT(sink_registry_parse("text", &sp, err, sizeof(err)), 0);
	CHECK_STR(sp.row->name, "text");
	CHECK(sp.arg == NULL);
	CHECK_INT(sink_registry_parse("json:/var/log/x:y", &sp, err, sizeof(err)), 0);
	CHECK_STR(sp.row->name, "json");
	CHECK_STR(sp.arg, "/var/log/x:y"); /* only the first ':' splits */
	CHECK_STR(sp.text, "json:/var/log/x:y");
	CHECK_INT(sink_registry_parse("json:-", &sp, err, sizeof(err)), 0);
	CHECK_STR(sp.arg, "-");

	CHECK_INT(sink_registry_parse("xml", &sp, err, sizeof(err)), -EINVAL);
	/* a prefix: every sink added to the registry adds its name */
	CHECK(strncmp(err, "\"xml\": unknown output; known: text, json", 40) == 0);
	CHECK_INT(sink_registry_parse("", &sp, err, sizeof(err)), -EINVAL);
	CHECK(strncmp(err, "\"\": unknown output; known: text, json", 37) == 0);
	CHECK_INT(sink_registry_parse("jsonx:f", &sp, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_registry_parse("jso", &sp, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_registry_parse("json:", &sp, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "\"json:\": nothing after ':' (json[:PATH]; - is stdout)");
	/* a message cut to the buffer is still a string */
	CHECK_INT(sink_registry_parse("xml", &sp, err, 12), -EINVAL);
	CHECK_STR(err, "\"xml\": unkn");
}

static void test_open_errors(void)
{
	struct sink_spec sp[3];
	char err[256], path[128], path2[128];
	struct sink *s;

	sink_registry_parse("json:/nonexistent/dir/x", &sp[0], err, sizeof(err));
	errno = 0;
	CHECK(sink_registry_open(sp, 1, NULL, err, sizeof(err)) == NULL);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(err, "\"json:/nonexistent/dir/x\": cannot open /nonexistent/dir/x: "
		       "No such file or directory");

	/* two on stdout, spelled differently: refused before anything is opened */
	snprintf(path, sizeof(path), "text:%s/never", tmpdir);
	sink_registry_parse(path, &sp[0], err, sizeof(err));
	sink_registry_parse("text", &sp[1], err, sizeof(err));
	sink_registry_parse("json:-", &sp[2], err, sizeof(err));
	CHECK(sink_registry_open(sp, 3, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "\"text\" and \"json:-\" both write to stdout");
	snprintf(path, sizeof(path), "%s/never", tmpdir);
	CHECK(access(path, F_OK) != 0);

	snprintf(path, sizeof(path), "json:%s/same", tmpdir);
	sink_registry_parse(path, &sp[0], err, sizeof(err));
	sink_registry_parse(path, &sp[1], err, sizeof(err));
	CHECK(sink_registry_open(sp, 2, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "both write to ") != NULL);
	/* the same file with rotation options is still the same file */
	snprintf(path, sizeof(path), "json:%s/same,max-size=1M,keep=2", tmpdir);
	sink_registry_parse(path, &sp[0], err, sizeof(err));
	snprintf(path2, sizeof(path2), "text:%s/same", tmpdir);
	sink_registry_parse(path2, &sp[1], err, sizeof(err));
	CHECK(sink_registry_open(sp, 2, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/same,max-size=1M,keep=2\" and \"text:") != NULL);
	CHECK(strstr(err, "both write to ") != NULL);
	/* a bad option is said naming it, when the output is opened */
	snprintf(path, sizeof(path), "json:%s/opt,max-size=0", tmpdir);
	sink_registry_parse(path, &sp[0], err, sizeof(err));
	CHECK(sink_registry_open(sp, 1, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/opt,max-size=0\": \"max-size=0\": not a size") != NULL);

	CHECK(sink_registry_open(sp, 0, NULL, err, sizeof(err)) == NULL);

	/* a symlink where the output goes is refused, and what it names is left untouched */
	{
		char target[96], link[96];
		FILE *t;

		snprintf(target, sizeof(target), "%s/precious", tmpdir);
		snprintf(link, sizeof(link), "%s/link.json", tmpdir);
		t = fopen(target, "w");
		CHECK(t != NULL);
		if (t) {
			fputs("keep me\n", t);
			fclose(t);
		}
		CHECK(symlink(target, link) == 0);
		snprintf(path, sizeof(path), "json:%s", link);
		sink_registry_parse(path, &sp[0], err, sizeof(err));
		errno = 0;
		CHECK(sink_registry_open(sp, 1, NULL, err, sizeof(err)) == NULL);
		CHECK_INT(errno, ELOOP);
		CHECK(strstr(err, "Too many levels of symbolic links") != NULL);
		t = fopen(target, "r");
		CHECK(t != NULL);
		if (t) {
			char line[32] = "";

			CHECK(fgets(line, sizeof(line), t) != NULL);
			CHECK_STR(line, "keep me\n");
			fclose(t);
		}
	}

	/* the default alone is fine */
	sink_registry_parse("text", &sp[0], err, sizeof(err));
	s = sink_registry_open(sp, 1, NULL, err, sizeof(err));
	CHECK(s != NULL);
	sink_destroy(s);
}

/* text and JSON to files: the same events in both, the summary with its outputs */
static void test_two_files(void)
{
	struct sink_spec sp[2];
	char err[256], t[128], j[128], *got;
	struct lw_event ev = exit_event(42);
	struct lw_stats st;
	struct stat sb;
	struct sink *s;

	snprintf(t, sizeof(t), "text:%s/out.txt", tmpdir);
	snprintf(j, sizeof(j), "json:%s/out.json", tmpdir);
	CHECK_INT(sink_registry_parse(t, &sp[0], err, sizeof(err)), 0);
	CHECK_INT(sink_registry_parse(j, &sp[1], err, sizeof(err)), 0);
	s = sink_registry_open(sp, 2, stderr, err, sizeof(err));
	CHECK(s != NULL);
	if (!s) {
		return;
	}
	CHECK_INT(s->ops->event(s, &ev, NULL, 0), 0);
	ev.pid = 43;
	CHECK_INT(s->ops->event(s, &ev, NULL, 0), 0);
	/* why a process watched for what it maps is watched: escaped, as untrusted */
	ev.pid = 44;
	ev.evidence = "/m/x\n.gguf";
	CHECK_INT(s->ops->event(s, &ev, NULL, 0), 0);
	ev.evidence = NULL;
	/* a fold summary says how many, from when to when */
	{
		struct lw_fold fold = { .count = 3, .window_s = 60 };

		fold.first.tv_sec = 1700000000;
		fold.last.tv_sec = 1700000042;
		ev.pid = 45;
		ev.fold = &fold;
		CHECK_INT(s->ops->event(s, &ev, NULL, 0), 0);
		ev.fold = NULL;
	}
	CHECK_INT(sink_flush(s), 0);
	memset(&st, 0, sizeof(st));
	st.records = 3;
	st.cmdline_unreadable = 2;
	st.cmdline_cut = 1;
	st.names_evicted = 7;
	CHECK_INT(s->ops->summary(s, &st), 0);
	sink_destroy(s);

	got = slurp(t + 5);
	CHECK_INT(count_lines(got, " ollama pid=4"), 4);
	CHECK(strstr(got, "pid=45 ppid=1 exit code=0 comm=ollama exe=/usr/bin/ollama\n"
			  "  [folded] 3 identical alerts from 2023-11-14T22:13:20") != NULL);
	CHECK(strstr(got, "to 2023-11-14T22:14:02") != NULL);
	CHECK_INT(count_lines(got, "[folded]"), 1);
	CHECK(strstr(got, "pid=43 ppid=1 exit code=0 comm=ollama exe=/usr/bin/ollama\n") != NULL);
	CHECK(strstr(got, "pid=44 ppid=1 exit code=0 evidence=/m/x\\n.gguf comm=") != NULL);
	CHECK_INT(count_lines(got, "evidence="), 1);
	got = slurp(j + 5);
	CHECK_INT(count_lines(got, "\"kind\":\"event\""), 4);
	CHECK(strstr(got, "\"fold\":{\"count\":3,\"first\":\"2023-11-14T22:13:20") != NULL);
	CHECK(strstr(got, "\"last\":\"2023-11-14T22:14:02") != NULL);
	CHECK_INT(count_lines(got, "\"fold\""), 1);
	CHECK(strstr(got, "\"pid\":43") != NULL);
	/* the JSON holds the escaped text, as for comm and exe */
	CHECK(strstr(got, "\"evidence\":\"/m/x\\\\n.gguf\"") != NULL);
	CHECK_INT(count_lines(got, "\"evidence\""), 1);
	CHECK(strstr(got, "\"kind\":\"summary\",\"records\":3") != NULL);
	CHECK(strstr(got, "\"cmdlines_unreadable\":2,\"cmdlines_cut\":1") != NULL);
	CHECK(strstr(got, "\"fold_full\":0,\"names_evicted\":7") != NULL);
	CHECK(strstr(got, "\"outputs\":[{\"output\":\"text:") != NULL);
	CHECK(strstr(got, "out.json\",\"output_errors\":0}]") != NULL);
	/* created for root's eyes only */
	CHECK_INT(stat(j + 5, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
}

/* /dev/full fails every line: counted for it alone, told once, the other output whole */
static void test_failing_output(void)
{
	struct sink_spec sp[2];
	char err[256], t[128], *diag = NULL, *text = NULL, *got;
	size_t diag_len = 0, text_len = 0;
	FILE *dfile = open_memstream(&diag, &diag_len), *f;
	struct lw_event ev = exit_event(7);
	struct lw_stats st;
	struct sink *s;
	int errs = 0;

	snprintf(t, sizeof(t), "text:%s/ok.txt", tmpdir);
	CHECK_INT(sink_registry_parse("json:/dev/full", &sp[0], err, sizeof(err)), 0);
	CHECK_INT(sink_registry_parse(t, &sp[1], err, sizeof(err)), 0);
	s = sink_registry_open(sp, 2, dfile, err, sizeof(err));
	CHECK(s != NULL);
	if (!s) {
		return;
	}
	for (int i = 0; i < 50; i++) {
		ev.pid = 1000 + (uint32_t)i;
		if (s->ops->event(s, &ev, NULL, 0))
			errs++;
		if (sink_flush(s) == -ENOSPC)
			errs++;
	}
	memset(&st, 0, sizeof(st));
	sink_tee_stats(s, &st);
	CHECK_INT(st.n_outputs, 2);
	CHECK_STR(st.outputs[0].name, "json:/dev/full");
	CHECK_INT(st.outputs[0].errors, errs);
	CHECK_INT(st.outputs[0].errors, 50); /* every line, as it is written */
	CHECK_INT(st.outputs[1].errors, 0);
	CHECK(s->ops->summary(s, &st) != 0); /* the JSON summary cannot be written either */
	sink_tee_stats(s, &st);
	CHECK_INT(st.outputs[0].errors, errs + 1);

	/* the human summary names it (while the tee, which owns the names, lives) */
	st.output_errors = 3;
	f = open_memstream(&text, &text_len);
	stats_print(&st, f);
	fclose(f);
	CHECK(strstr(text, "llmwatch: lost 3 output lines (write failed)\n"
			   "llmwatch: output json:/dev/full: ") != NULL);
	CHECK(strstr(text, "text:") == NULL); /* an output that never failed is not named */
	free(text);
	sink_destroy(s);

	got = slurp(t + 5);
	CHECK_INT(count_lines(got, "\n"), 50);
	CHECK(strstr(got, "pid=1049 ") != NULL);
	fclose(dfile);
	CHECK_INT(count_lines(diag, "\n"), 1);
	CHECK_STR(diag, "llmwatch: output json:/dev/full: writing failed: No space left on "
			"device (counted in the summary; the other outputs go on)\n");
	free(diag);
}

/* a sink the tee gets but cannot keep is destroyed, not leaked */
static void test_tee_limits(void)
{
	struct sink *tee = sink_tee_new(NULL);

	for (int i = 0; i < LW_OUTPUTS_MAX; i++)
		CHECK_INT(sink_tee_add(tee, sink_text_new(stdout), "text"), 0);
	CHECK_INT(sink_tee_add(tee, sink_text_new(stdout), "text"), -ENOSPC);
	sink_destroy(tee);
}

static void test_help(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	sink_registry_help(f, "  ");
	fclose(f);
	CHECK(strstr(text, "  text[:PATH]  one line per event") == text);
	CHECK(strstr(text, "\n  json[:PATH]  one JSON object per line") != NULL);
	free(text);
}

int main(void)
{
	char cmd[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lw-sinks-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parse();
	test_open_errors();
	test_two_files();
	test_failing_output();
	test_tee_limits();
	test_help();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed command on our mkdtemp dir */
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary("test_sinks");
}
