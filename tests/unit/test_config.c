// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the configuration file (util/config_file.c) and of the monitor's options
 * through it (cmd/monitor_options.c): what a good file sets, each error's exact
 * FILE:LINE:COL and message, the limits, and the command line winning over the file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cmd/monitor_options.h"
#include "util/config_file.h"

static struct config_file_errors errs;

/* Parses text (a C string) as "t.conf" into *o; returns the number of errors. */
static size_t parse(const char *text, struct monitor_config *o)
{
	monitor_config_free(o);
	return monitor_options_parse_text("t.conf", text, strlen(text), o, &errs);
}

/* The one error text gives, or "" when it gives none or several. */
static const char *one_error(const char *text)
{
	static struct monitor_config o;
	size_t n = parse(text, &o);

	monitor_config_free(&o);
	if (n != 1) {
		fprintf(stderr, "expected one error from \"%s\", got %zu\n", text, n);
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "  %s\n", errs.text[i]);
		return "";
	}
	return errs.text[0];
}

static void test_good_file(void)
{
	struct monitor_config o = {};
	const char *text = "# llmwatch.conf\n"
			   "\n"
			   "output = json:/var/log/llmwatch/alerts.json\r\n"
			   "  watch=  llama-cli  \n"
			   "watch = koboldcpp\n"
			   "pid = 4121\n"
			   "\tring-size = 8M\n"
			   "no-default-rules = yes\n"
			   "verbose = no\n"
			   "rules = \" /etc/llmwatch/rules.d \"\n"
			   "cgroups = watched\n"
			   "ready-file = \"/run/a \\\"b\\\" \\\\c\"\n"
			   "duration = 2.5";

	CHECK_INT(parse(text, &o), 0);
	CHECK_INT(o.n_outputs, 1);
	CHECK_STR(o.outputs[0].text, "json:/var/log/llmwatch/alerts.json");
	CHECK_INT(o.n_watch, 2);
	CHECK_STR(o.watch[0], "llama-cli");
	CHECK_STR(o.watch[1], "koboldcpp");
	CHECK_INT(o.n_pids, 1);
	CHECK_INT(o.pids[0], 4121);
	CHECK_INT(o.ring_bytes, 8u << 20);
	CHECK(o.no_default_rules);
	CHECK(!o.verbose);
	CHECK_INT(o.n_rules, 1);
	CHECK_STR(o.rules[0], " /etc/llmwatch/rules.d ");
	CHECK(o.cgroups_watched);
	CHECK_STR(o.ready_file, "/run/a \"b\" \\c");
	CHECK(o.duration == 2.5);
	monitor_config_free(&o);
	/* an empty file is a valid one, and the defaults stay */
	CHECK_INT(parse("", &o), 0);
	CHECK_INT(o.ring_bytes, MONITOR_DEFAULT_RING_BYTES);
	monitor_config_free(&o);
}

static void test_errors(void)
{
	CHECK_STR(one_error("duration = 1\nring-size = 12345\n"),
		  "t.conf:2:13: ring-size \"12345\": a power of two from 4096 to 1G (K and M "
		  "suffixes allowed)");
	CHECK_STR(one_error("\n\n   bogus = 1\n"),
		  "t.conf:3:4: unknown option \"bogus\" (see llmwatch --help)");
	CHECK_STR(one_error("watch koboldcpp\n"), "t.conf:1:7: expected \"=\" after \"watch\"");
	CHECK_STR(one_error("Watch = x\n"),
		  "t.conf:1:1: an option name is lower-case letters, digits and '-' (then \"= "
		  "value\")");
	CHECK_STR(one_error("--watch = x\n"),
		  "t.conf:1:1: unknown option \"--watch\" (see llmwatch --help)");
	CHECK_STR(one_error("watch.x = y\n"),
		  "t.conf:1:6: an option name is lower-case letters, digits and '-' (then \"= "
		  "value\")");
	CHECK_STR(one_error("verbose = maybe\n"), "t.conf:1:11: verbose \"maybe\": yes or no");
	CHECK_STR(one_error("help = yes\n"),
		  "t.conf:1:1: \"help\" is not allowed in a config file");
	CHECK_STR(one_error("config = /etc/x\n"),
		  "t.conf:1:1: \"config\" is not allowed in a config file");
	CHECK_STR(one_error("cgroups = some\n"),
		  "t.conf:1:11: cgroups \"some\": \"all\" or \"watched\"");
	/* a prefix: every sink added to the registry adds its name */
	CHECK(strncmp(one_error("output = xml\n"),
		      "t.conf:1:10: output \"xml\": unknown output; known: text, json", 58) == 0);
	CHECK_STR(one_error("watch = a/b\n"),
		  "t.conf:1:9: watch \"a/b\": a name is 1 to 15 bytes without '/' (the kernel's "
		  "comm)");
	/* the value comes out escaped: never raw bytes to a terminal or the journal */
	CHECK_STR(one_error("pid = \xff\xfe\n"),
		  "t.conf:1:7: pid \"\\xff\\xfe\": not a process id");
	CHECK_STR(one_error("pid = 1\x1b[2J\n"), "t.conf:1:8: control character \\x1b");
	CHECK_STR(one_error("pid = 1\r2\n"), "t.conf:1:8: control character \\x0d");
	{
		static const char nul[] = "duration = 1\npid = 1\0002\n";
		struct monitor_config o = {};

		CHECK_INT(monitor_options_parse_text("t.conf", nul, sizeof(nul) - 1, &o, &errs), 1);
		CHECK_STR(errs.text[0], "t.conf:2:8: control character \\x00");
		monitor_config_free(&o);
	}
	CHECK_STR(one_error("ready-file = \"/run/x\n"),
		  "t.conf:1:14: the quoted value has no closing quote");
	/* a column counts characters: "é" is one */
	CHECK_STR(one_error("ready-file = \"é\\q\"\n"),
		  "t.conf:1:16: only \\\" and \\\\ are escapes in a quoted value");
	CHECK_STR(one_error("ready-file = \"/x\" # no\n"),
		  "t.conf:1:19: text after the closing quote");
	CHECK_STR(one_error("rules =\n"), "t.conf:1:8: rules \"\": a file or directory");
}

static void test_several_errors_and_limits(void)
{
	struct monitor_config o = {};
	char *big;
	size_t n;

	/* every error is reported, not just the first, and the good lines around are applied */
	CHECK_INT(parse("pid = x\nwatch = ok\nduration = -1\n", &o), 2);
	CHECK_STR(errs.text[0], "t.conf:1:7: pid \"x\": not a process id");
	CHECK_STR(errs.text[1], "t.conf:3:12: duration \"-1\": a number of seconds > 0");
	CHECK_INT(o.n_watch, 1);
	/* beyond CONFIG_FILE_ERRORS_MAX errors, they are counted */
	big = malloc(40 * 8 + 1);
	big[0] = '\0';
	for (int i = 0; i < 40; i++)
		strcat(big, "pid = x\n");
	CHECK_INT(parse(big, &o), 40);
	CHECK_INT(errs.n, CONFIG_FILE_ERRORS_MAX);
	CHECK_INT(errs.dropped, 40 - CONFIG_FILE_ERRORS_MAX);
	free(big);
	/* a line longer than CONFIG_FILE_LINE_MAX is refused whole, the next line still read */
	big = malloc(CONFIG_FILE_LINE_MAX + 64);
	n = (size_t)sprintf(big, "ready-file = ");
	memset(big + n, 'a', CONFIG_FILE_LINE_MAX + 1 - n);
	strcpy(big + CONFIG_FILE_LINE_MAX + 1, "\npid = 7\n");
	CHECK_INT(parse(big, &o), 1);
	CHECK_STR(errs.text[0], "t.conf:1:1: line longer than 4096 bytes");
	CHECK_INT(o.n_pids, 1);
	/* exactly CONFIG_FILE_LINE_MAX is fine */
	strcpy(big + CONFIG_FILE_LINE_MAX, "\n");
	CHECK_INT(parse(big, &o), 0);
	CHECK_INT(strlen(o.ready_file), CONFIG_FILE_LINE_MAX - 13);
	free(big);
	CHECK_STR(
		one_error(
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1\n"),
		"t.conf:1:1: an option name is at most 64 bytes");
	/* MONITOR_OPTIONS_EXTRA_MAX --watch */
	big = malloc(40 * 12 + 1);
	big[0] = '\0';
	for (int i = 0; i < 33; i++)
		strcat(big, "watch = w\n");
	CHECK_INT(parse(big, &o), 1);
	CHECK_STR(errs.text[0], "t.conf:33:9: watch \"w\": too many --watch (at most 32)");
	free(big);
	monitor_config_free(&o);
}

/* Writes text to a new file of the given mode; returns its path (static). */
static const char *write_file(const char *text, size_t len, mode_t mode)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/lw-test-config.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode))
		perror("write_file");
	close(fd);
	return path;
}

static void test_files(void)
{
	static char big[CONFIG_FILE_MAX_BYTES + 2];
	struct monitor_config o = {};
	char want[256];
	const char *p;

	p = write_file("pid = 1\n", 8, 0664);
	monitor_config_free(&o);
	CHECK_INT(config_file_load(p, NULL, NULL, &errs), 1);
	snprintf(want, sizeof(want), "%s: writable by group or others (mode 0664): refused", p);
	CHECK_STR(errs.text[0], want);
	unlink(p);
	memset(big, '#', sizeof(big) - 1);
	p = write_file(big, CONFIG_FILE_MAX_BYTES + 1, 0600);
	CHECK_INT(config_file_load(p, NULL, NULL, &errs), 1);
	snprintf(want, sizeof(want), "%s: larger than %d bytes", p, CONFIG_FILE_MAX_BYTES);
	CHECK_STR(errs.text[0], want);
	unlink(p);
	CHECK_INT(config_file_load("/nonexistent/llmwatch.conf", NULL, NULL, &errs), 1);
	CHECK_STR(errs.text[0], "/nonexistent/llmwatch.conf: No such file or directory");
	CHECK_INT(config_file_load("/tmp", NULL, NULL, &errs), 1);
	CHECK_STR(errs.text[0], "/tmp: not a regular file");
}

static void test_command_line_wins(void)
{
	const char *text = "ring-size = 16K\nwatch = a\nwatch = b\nduration = 5\nrules = /r1\n";
	struct monitor_config o, o2;
	char path[64], names[256];
	int rc;

	snprintf(path, sizeof(path), "%s", write_file(text, strlen(text), 0600));
	{
		char *argv[] = { "llmwatch", "--config", path, "--ring-size",
				 "8192",     "--watch",	 "c",  NULL };

		rc = monitor_options_parse(7, argv, &o);
	}
	CHECK_INT(rc, 0);
	CHECK_INT(o.ring_bytes, 8192);
	CHECK_INT(o.n_watch, 1); /* the command line's list replaces the file's */
	CHECK_STR(o.watch[0], "c");
	CHECK(o.duration == 5);
	CHECK_INT(o.n_rules, 1);
	CHECK_STR(o.rules[0], "/r1");
	CHECK_STR(o.config, path);
	/* a reload that changes the ring and the rules: only the ring needs a restart */
	{
		char *argv[] = { "llmwatch", "--config", path, "--rules", "/r2", NULL };

		rc = monitor_options_parse(5, argv, &o2);
	}
	CHECK_INT(rc, 0);
	CHECK_INT(monitor_options_restart_only(&o, &o2, names, sizeof(names)), 2);
	CHECK_STR(names, "--watch, --ring-size");
	CHECK_INT(monitor_options_restart_only(&o, &o, names, sizeof(names)), 0);
	monitor_config_free(&o2);
	monitor_config_free(&o);
	unlink(path);
	/* a bad value of an overridden option is still an error */
	text = "ring-size = 5\n";
	snprintf(path, sizeof(path), "%s", write_file(text, strlen(text), 0600));
	{
		char *argv[] = { "llmwatch", "--config", path, "--ring-size", "8192", NULL };

		rc = monitor_options_parse(5, argv, &o);
	}
	CHECK_INT(rc, -1);
	monitor_config_free(&o);
	{
		char *argv[] = { "llmwatch", "--config", path, "--config", path, NULL };

		rc = monitor_options_parse(5, argv, &o);
	}
	CHECK_INT(rc, -1);
	monitor_config_free(&o);
	unlink(path);
}

/* --live's options: their defaults, refused without --live or in a file, one source only */
static void test_live_options(void)
{
	struct monitor_config o;
	int rc;

	{
		char *argv[] = { "llmwatch", "--live", NULL };

		rc = monitor_options_parse(2, argv, &o);
	}
	CHECK_INT(rc, 0);
	CHECK(o.live);
	CHECK_INT(o.live_refresh_ns, 1000000000ull);
	CHECK_INT(o.live_iterations, 0);
	CHECK_STR(o.live_attach, MONITOR_DEFAULT_ATTACH);
	CHECK(!o.live_attach_set);
	/* no --output: text on stdout, which the screen replaces */
	CHECK(o.outputs_default);
	monitor_config_free(&o);
	{
		char *argv[] = { "llmwatch", "--live",	     "--refresh", "0.25",   "--iterations",
				 "7",	     "--from",	     "a.lwc",	  "--from", "b.lwc",
				 "--output", "json:/x.json", NULL };

		rc = monitor_options_parse(12, argv, &o);
	}
	CHECK_INT(rc, 0);
	CHECK_INT(o.live_refresh_ns, 250000000ull);
	CHECK_INT(o.live_iterations, 7);
	CHECK_INT(o.n_live_from, 2);
	CHECK_STR(o.live_from[1], "b.lwc");
	CHECK(!o.outputs_default);
	monitor_config_free(&o);
	{
		char *argv[] = { "llmwatch", "--live", "--attach", "none", NULL };

		rc = monitor_options_parse(4, argv, &o);
	}
	CHECK_INT(rc, 0);
	CHECK_STR(o.live_attach, "none");
	monitor_config_free(&o);
	/* without --live, with two sources, with bad values: usage errors */
	{
		char *argv[] = { "llmwatch", "--iterations", "3", NULL };

		CHECK_INT(monitor_options_parse(3, argv, &o), -1);
		monitor_config_free(&o);
	}
	{
		char *argv[] = { "llmwatch", "--live", "--from", "a", "--attach", "/s", NULL };

		CHECK_INT(monitor_options_parse(6, argv, &o), -1);
		monitor_config_free(&o);
	}
	{
		char *argv[] = { "llmwatch", "--live", "--refresh", "0.01", NULL };

		CHECK_INT(monitor_options_parse(4, argv, &o), -1);
		monitor_config_free(&o);
	}
	{
		char *argv[] = { "llmwatch", "--live", "--iterations", "-1", NULL };

		CHECK_INT(monitor_options_parse(4, argv, &o), -1);
		monitor_config_free(&o);
	}
	/* a config file never turns the view on: the daemon reads one */
	CHECK(strstr(one_error("live = yes\n"), "\"live\" is not allowed in a config file"));
	CHECK(strstr(one_error("attach = /s\n"), "not allowed in a config file"));
}

int main(void)
{
	test_good_file();
	test_errors();
	test_several_errors_and_limits();
	test_files();
	test_command_line_wins();
	test_live_options();
	return check_summary("config");
}
