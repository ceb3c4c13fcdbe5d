// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The monitor's options (see monitor_options.h): the table, one apply function per option,
 * the command line and the --config file both through apply_option(), and --help.
 */
#include "cmd/monitor_options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "util/config_file.h"
#include "util/escape.h"

/* ---- --help --------------------------------------------------------------------------- */

/* clang-format off: the help text is laid out as it prints */
void monitor_options_usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch [OPTIONS]\n"
		"       llmwatch rules check|list [...]   (validate or list rules; see llmwatch rules)\n"
		"       llmwatch profiles list|check [...] (the tool profiles and their sources; see\n"
		"                                         llmwatch profiles help)\n"
		"       llmwatch replay FILE [...]        (run a --capture through the rules again; see\n"
		"                                         llmwatch replay --help)\n"
		"       llmwatch report FILE... [...]     (the evaluation report of captures, text or\n"
		"                                         JSON; see llmwatch report --help)\n"
		"       llmwatch diff A B [...]           (what run B did that run A did not; see\n"
		"                                         llmwatch diff --help)\n"
		"       llmwatch eval [...] -- CMD [ARGS] (run a command as a watched tree and keep the\n"
		"                                         evidence; see llmwatch eval --help)\n"
		"\n"
		"Watches local LLM inference tools (Ollama, LM Studio, GPT4All, Jan, llama-server, vLLM,\n"
		"koboldcpp, LocalAI, llamafile, Open WebUI, AnythingLLM, text-generation-webui) and their\n"
		"child processes, and prints what they do on the network and the file system: connect,\n"
		"bind, listen, datagram sends, opens and bytes sent per connection. Tools run by an\n"
		"interpreter (python3 -m vllm..., uvicorn open_webui.main:app, node .../server/index.js)\n"
		"are recognised by their command line: at start, at exec when their name is a candidate\n"
		"(vllm, open-webui), otherwise by the --runtime-scan. Needs root. Stops on SIGINT/SIGTERM\n"
		"or after --duration, then prints what was lost (if anything) to stderr.\n"
		"\n"
		"Options:\n"
		"  --output SPEC       where and how events are written: NAME or NAME:PATH, PATH - being\n"
		"                      stdout (a file is created mode 0600 or truncated, never through\n"
		"                      a symlink); repeatable, every event then goes to each (default:\n"
		"                      text on stdout). Two outputs on stdout, or on one file, are\n"
		"                      refused. A failing output is counted (output_errors in the\n"
		"                      summary), not fatal. Every line is written whole or not at all\n"
		"                      (a full disk leaves no torn line). A file may be rotated by\n"
		"                      size: PATH,max-size=N[k|M|G][,keep=K] moves PATH to PATH.1\n"
		"                      (PATH.1 to PATH.2, ... the oldest, PATH.K, removed; K 0 to 1000,\n"
		"                      default 5) before a line would take it past N bytes. SIGHUP\n"
		"                      reopens the files (logrotate: move, then SIGHUP). NAMEs:\n");
	sink_registry_help(f, "                        ");
	fprintf(f,
		"  --json              the same as --output json\n"
		"  --fold-window SECS  identical alerts (same rules, tool, event type and subject: the\n"
		"                      far end's name or address and port, the path, the program)\n"
		"                      within SECS seconds of the first are folded: the first is\n"
		"                      written at once, the others counted, and when the window ends\n"
		"                      (or llmwatch stops) one summary alert is written: the last\n"
		"                      one, with the count and the first and last time (\"fold\" in\n"
		"                      JSON). Default 60; 0: every alert written. Events that are no\n"
		"                      alert are never folded\n"
		"  --watch NAME        also watch processes whose executable name is NAME (<= 15 bytes),\n"
		"                      and their children; repeatable\n"
		"  --pid PID           also watch the running process PID and its children; repeatable\n"
		"  --rules FILE|DIR    add the rules in FILE (or DIR/*.json) to the default pack;\n"
		"                      repeatable (format: docs/rules.md)\n"
		"  --no-default-rules  use only the --rules given, not the built-in pack\n"
		"  --profiles FILE|DIR add the tool profiles in FILE (or DIR/*.json): new tools, or a\n"
		"                      built-in profile replaced by one of its name; rules may name\n"
		"                      them in \"tools\"; repeatable (format: docs/profiles.md)\n"
		"  --duration SECS     stop after SECS seconds\n"
		"  --ready-file PATH   create PATH (holding llmwatch's pid) once every program is attached\n"
		"                      and running tools have been found\n"
		"  --ring-size BYTES   ring-buffer size, a power of two >= 4096 (default 4 MiB); K/M suffix\n"
		"  --cgroups WHERE     where the cgroup programs (io_uring connects, bytes and names per\n"
		"                      connection, DNS answers) run: \"all\" (default), every socket of\n"
		"                      the machine; or \"watched\", only the cgroups watched processes live\n"
		"                      in, attached when the first is seen there, so nothing else pays for\n"
		"                      them, but a connection made in its first milliseconds may go\n"
		"                      unseen by them (counted as lost: no_cgroup_hook). Every 5 s\n"
		"                      (LLMWATCH_CGROUP_SWEEP_MS; 0: never) they follow watched processes\n"
		"                      that moved to another cgroup, and leave a cgroup once the watched\n"
		"                      processes seen in it have exited\n"
		"  --runtime-scan MS   every MS milliseconds (default 1000; LLMWATCH_RUNTIME_SCAN_MS; 0:\n"
		"                      off), look at the processes not yet watched: one named like a\n"
		"                      profile's interpreter (python*, node, uvicorn) has its command\n"
		"                      line read once, and is watched from then on, with the processes\n"
		"                      it has started, if that names the tool (python3 -m vllm...); the\n"
		"                      others have their memory maps read, and those that loaded an\n"
		"                      inference runtime (libllama, libggml, llama-addon.node,\n"
		"                      libllmodel) or mapped a GGUF model are watched as tool\n"
		"                      \"runtime:KIND\". What they did before is not seen\n"
		"  --resolve-rule-hosts\n"
		"                      look up the host names in the rules' conditions with this machine's\n"
		"                      resolver, at start and every 10 minutes, so that a connection to one\n"
		"                      of their addresses that nothing the tool did named is reported with\n"
		"                      that name (host_source \"rule\": a guess, addresses are shared; an\n"
		"                      exception's host never excuses it). Off by default: llmwatch then\n"
		"                      sends nothing on the network itself\n"
		"  --enter-tracepoints save syscall arguments at enter tracepoints, as on kernels before\n"
		"                      5.15, instead of reading them from the saved registers at the exit\n"
		"                      (costs every process on the machine a second tracepoint per call;\n"
		"                      for comparison and tests)\n"
		"  --syscall-hooks auto|fexit|tracepoints\n"
		"                      how the traced syscalls (openat, openat2, connect, bind, listen,\n"
		"                      sendto, sendmsg) are hooked. fexit: on their own entry points\n"
		"                      (__x64_sys_*), so that no syscall tracepoint is attached and\n"
		"                      the machine's other syscalls pay nothing (fails where the kernel\n"
		"                      refuses fexit); tracepoints: the syscall tracepoints, whose\n"
		"                      attachment makes every syscall of every process take the\n"
		"                      kernel's slow path. auto (default): fexit where it attaches\n"
		"  --loss-alert-interval SECS\n"
		"                      events lost (the kernel's counters, a full ring buffer, a failing\n"
		"                      output, ...) are an alert too, rule llmwatch-events-lost, severity\n"
		"                      high, written to every output with what each loss counter gained:\n"
		"                      at most one per SECS seconds (default 10; 0: at every check, once\n"
		"                      a second or every --metrics-interval if shorter), and one at the\n"
		"                      end for what the last interval held back\n"
		"  --metrics PATH      write counters in the Prometheus text format to PATH (for\n"
		"                      node_exporter's textfile collector): events and alerts by type\n"
		"                      and tool, every loss counter, the ring buffer's fill, watched\n"
		"                      processes, uptime, the time of the write. Written whole to\n"
		"                      PATH.tmp, synced and renamed over PATH (never through a\n"
		"                      symlink); the directory must exist. No socket is opened\n"
		"  --metrics-interval SECS\n"
		"                      how often --metrics is rewritten (default 15)\n"
		"  --capture FILE[,max-size=N[k|M|G]][,keep=K]\n"
		"                      record every record of the watched processes (and those llmwatch\n"
		"                      makes at their exit) to FILE, for llmwatch replay: a header (host,\n"
		"                      kernel, version, clocks, profiles, rules), the processes already\n"
		"                      running, the loss counters, and zlib-compressed blocks synced to\n"
		"                      disk within --capture-flush, each carrying a SHA-256 chained over\n"
		"                      the one before, what was read from /proc, the executables'\n"
		"                      SHA-256, and a sealed footer at a clean stop\n"
		"                      (docs/capture-format.md). Created\n"
		"                      mode 0600, truncated, never through a symlink. A block that\n"
		"                      cannot be written is counted and said, not fatal. With max-size,\n"
		"                      before a block could take FILE past N bytes it is sealed and\n"
		"                      moved to FILE.1 (FILE.1 to FILE.2, ... FILE.K removed; K default\n"
		"                      5), and FILE started anew with its header and the processes\n"
		"                      watched then, so each file reads on its own\n"
		"  --capture-flush SECS\n"
		"                      write and sync the records waiting for --capture at least every\n"
		"                      SECS seconds (default 1): what a SIGKILL can lose\n"
		"  --capture-payloads  keep in the capture the first bytes the watched processes\n"
		"                      send on a connection (TLS ClientHello, HTTP request head:\n"
		"                      paths, cookies). Without it only what naming decided from them\n"
		"                      (the host name, and where it came from) is kept, which is\n"
		"                      enough for a replay to name the connection; DNS answers are\n"
		"                      kept either way\n"
		"  --events-socket PATH\n"
		"                      offer the events and alerts, with the counters, on a local\n"
		"                      stream socket at PATH (the service: /run/llmwatch/events.sock),\n"
		"                      which the live view attaches to instead of loading its own\n"
		"                      programs. Mode 0660 and group --events-group if that group\n"
		"                      exists, else 0600; each peer is checked (SO_PEERCRED): root or\n"
		"                      a member of the group, others are refused and logged. A viewer\n"
		"                      that reads too slowly misses events (counted and told to it),\n"
		"                      it never slows llmwatch (docs/live-stream.md)\n"
		"  --events-group NAME the group whose members may attach to --events-socket (default\n"
		"                      llmwatch)\n"
		"  --verbose           libbpf's messages (the verifier's log when a load fails)\n"
		"  --live              a full-screen terminal view of what the tools do now (panes of\n"
		"                      processes, connections, files and alerts, a status line of\n"
		"                      rates and losses; ? shows the keys). Its events come from a\n"
		"                      running daemon's --attach socket when there is one, else from\n"
		"                      its own programs (as without --live: --output files still\n"
		"                      written), or from --from captures. When standard output is not\n"
		"                      a terminal it says so and writes the text output instead\n"
		"  --refresh SECS      --live: redraw every SECS seconds (default 1; keys redraw at once)\n"
		"  --iterations N      --live: exit (status 0) after N redraws, for scripts and tests\n"
		"  --from FILE         --live: browse a capture (--capture) instead of watching: it is\n"
		"                      replayed through the rules into the view, which then stays\n"
		"                      paused at \"end of capture\"; repeatable (a rotated set, in\n"
		"                      order)\n"
		"  --attach PATH       --live: the daemon's event socket (default\n"
		"                      " MONITOR_DEFAULT_ATTACH "); no daemon listening\n"
		"                      there: the view loads its own programs; a daemon refusing\n"
		"                      this user: exit status 1 with its reason. \"none\": never attach\n"
		"  --config FILE       read options from FILE first, one \"name = value\" a line (the\n"
		"                      option's name without \"--\"; a flag takes yes or no), \"#\"\n"
		"                      comments; an option also given on the command line takes the\n"
		"                      command line's value(s). The unit passes\n"
		"                      " MONITOR_DEFAULT_CONFIG
		". SIGHUP reads FILE and the rules\n"
		"                      again: the new rules replace the old only if all of them load,\n"
		"                      otherwise the old stay and the errors are said (FILE:LINE:COL)\n"
		"  -h, --help          this help\n"
		"  -V, --version       version and the hooks this kernel offers\n"
		"\n"
		"Signals: SIGINT and SIGTERM stop it (exit status 0); SIGHUP reloads (see --config).\n"
		"Under systemd (Type=notify) it says READY=1 once everything is attached, and pings\n"
		"the watchdog (WATCHDOG_USEC) from its event loop. See llmwatch(8).\n"
		"\n"
		"Exit status: 0 after a clean stop, 1 on a runtime error, 2 for bad usage (a rule file\n"
		"with errors included) or a system that cannot run llmwatch (not root, no BTF, a missing\n"
		"hook it cannot do without).\n");
}
/* clang-format on */
/* ---- values --------------------------------------------------------------------------- */

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || v < 4096 || v > (1ull << 30) || (v & (v - 1)))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

/* A number of milliseconds (0 to a day) into ns. Returns 0 or -EINVAL. */
static int parse_ms(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long ms;

	errno = 0;
	ms = strtoull(v, &end, 10);
	if (errno || end == v || *end || ms > 86400000ull || v[0] == '-')
		return -EINVAL;
	*out = ms * 1000000ull;
	return 0;
}

/*
 * An interval in ns from the environment variable name, def_ns when it is unset. Returns
 * -EINVAL, said on stderr, on a value that is not a number of milliseconds.
 */
static int env_interval_ns(const char *name, uint64_t def_ns, uint64_t *out)
{
	const char *v = getenv(name);

	*out = def_ns;
	if (!v || !parse_ms(v, out))
		return 0;
	fprintf(stderr, "llmwatch: %s=\"%s\": a number of milliseconds (0 to 86400000)\n", name, v);
	return -EINVAL;
}

/* ---- one apply function per option ----------------------------------------------------- */

/*
 * Each applies its value (NULL for a flag) to o. Returns 0, or -1 with the reason in err:
 * what follows `--NAME "VALUE": ` in the message (the caller adds those).
 */
typedef int (*apply_fn)(struct monitor_config *o, const char *v, char *err, size_t n);

#define TOO_MANY(what, max) snprintf(err, n, "too many %s (at most %d)", what, max)

static int opt_output(struct monitor_config *o, const char *v, char *err, size_t n)
{
	char why[256];

	if (o->n_outputs == LW_OUTPUTS_MAX)
		return TOO_MANY("--output and --json", LW_OUTPUTS_MAX), -1;
	if (!sink_registry_parse(v ? v : "json", &o->outputs[o->n_outputs], why, sizeof(why))) {
		o->n_outputs++;
		return 0;
	}
	/* the reason quotes the value, which may come from a file: escaped whole */
	escape_str(err, n, why);
	return -1;
}

static int opt_json(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v;
	return opt_output(o, NULL, err, n);
}

static int opt_verbose(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v, (void)err, (void)n;
	o->verbose = true;
	return 0;
}

static int opt_watch(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (o->n_watch == MONITOR_OPTIONS_EXTRA_MAX)
		return TOO_MANY("--watch", MONITOR_OPTIONS_EXTRA_MAX), -1;
	if (!v[0] || strlen(v) > 15 || strchr(v, '/'))
		return snprintf(err, n, "a name is 1 to 15 bytes without '/' (the kernel's comm)"),
		       -1;
	o->watch[o->n_watch++] = v;
	return 0;
}

static int opt_pid(struct monitor_config *o, const char *v, char *err, size_t n)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(v, &end, 10);
	if (errno || end == v || *end || pid <= 0 || pid > INT_MAX)
		return snprintf(err, n, "not a process id"), -1;
	if (o->n_pids == MONITOR_OPTIONS_EXTRA_MAX)
		return TOO_MANY("--pid", MONITOR_OPTIONS_EXTRA_MAX), -1;
	o->pids[o->n_pids++] = (int)pid;
	return 0;
}

static int opt_duration(struct monitor_config *o, const char *v, char *err, size_t n)
{
	char *end;

	errno = 0;
	o->duration = strtod(v, &end);
	if (errno || end == v || *end || !(o->duration > 0) || o->duration > 1e9)
		return snprintf(err, n, "a number of seconds > 0"), -1;
	return 0;
}

static int opt_rules(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (o->n_rules == MONITOR_OPTIONS_EXTRA_MAX)
		return TOO_MANY("--rules", MONITOR_OPTIONS_EXTRA_MAX), -1;
	if (!v[0])
		return snprintf(err, n, "a file or directory"), -1;
	o->rules[o->n_rules++] = v;
	return 0;
}

static int opt_no_default_rules(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v, (void)err, (void)n;
	o->no_default_rules = true;
	return 0;
}

static int opt_enter_tracepoints(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v, (void)err, (void)n;
	o->enter_tracepoints = true;
	return 0;
}

static int opt_syscall_hooks(struct monitor_config *o, const char *v, char *err, size_t n)
{
	/* the values are enum bpf_loader_syscall_hooks's, in its order */
	static const char *const names[] = { "auto", "fexit", "tracepoints" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(v, names[i]) == 0) {
			o->syscall_hooks = i;
			return 0;
		}
	}
	return snprintf(err, n, "\"auto\", \"fexit\" or \"tracepoints\""), -1;
}

static int opt_resolve_rule_hosts(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v, (void)err, (void)n;
	o->resolve_rule_hosts = true;
	return 0;
}

static int opt_runtime_scan(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (parse_ms(v, &o->runtime_scan_ns))
		return snprintf(err, n, "a number of milliseconds (0 to 86400000)"), -1;
	o->runtime_scan_set = true;
	return 0;
}

static int opt_cgroups(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (strcmp(v, "all") != 0 && strcmp(v, "watched") != 0)
		return snprintf(err, n, "\"all\" or \"watched\""), -1;
	o->cgroups_watched = strcmp(v, "watched") == 0;
	return 0;
}

static int opt_ready_file(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (!v[0])
		return snprintf(err, n, "a path"), -1;
	o->ready_file = v;
	return 0;
}

static int opt_ring_size(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (parse_size(v, &o->ring_bytes))
		return snprintf(err, n,
				"a power of two from 4096 to 1G (K and M suffixes allowed)"),
		       -1;
	return 0;
}

static int opt_profiles(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (o->n_profiles == MONITOR_OPTIONS_EXTRA_MAX)
		return TOO_MANY("--profiles", MONITOR_OPTIONS_EXTRA_MAX), -1;
	if (!v[0])
		return snprintf(err, n, "a file or directory"), -1;
	o->profiles[o->n_profiles++] = v;
	return 0;
}

/* A number of seconds (decimals allowed, 0 only if zero_ok, at most a day) into ns. */
static int parse_seconds(const char *v, bool zero_ok, uint64_t *out)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(v, &end);
	if (errno || end == v || *end || !(s >= 0) || s > 86400 || (!zero_ok && s == 0))
		return -EINVAL;
	*out = (uint64_t)(s * 1e9);
	return 0;
}

static int opt_fold_window(struct monitor_config *o, const char *v, char *err, size_t n)
{
	char *end;
	long s;

	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || end == v || *end || s < 0 || s > 86400)
		return snprintf(err, n, "a number of seconds (0 to 86400; 0: off)"), -1;
	o->fold_window_ns = (uint64_t)s * 1000000000ull;
	return 0;
}

static int opt_loss_alert_interval(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (parse_seconds(v, true, &o->loss_alert_ns))
		return snprintf(err, n, "a number of seconds (0 to 86400)"), -1;
	return 0;
}

static int opt_metrics(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (!v[0])
		return snprintf(err, n, "a file path"), -1;
	o->metrics = v;
	return 0;
}

static int opt_metrics_interval(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (parse_seconds(v, false, &o->metrics_ns))
		return snprintf(err, n, "a number of seconds (above 0, at most 86400)"), -1;
	return 0;
}

static int opt_capture(struct monitor_config *o, const char *v, char *err, size_t n)
{
	char why[256];

	if (!v[0] || strcmp(v, "-") == 0)
		return snprintf(err, n, "a file path"), -1;
	/* the same PATH[,max-size=N][,keep=K] as a file output's */
	if (sink_file_parse(v, &o->capture_file, why, sizeof(why))) {
		escape_str(err, n, why);
		return -1;
	}
	o->capture = v;
	return 0;
}

static int opt_capture_payloads(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v, (void)err, (void)n;
	o->capture_payloads = true;
	return 0;
}

static int opt_capture_flush(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (parse_seconds(v, false, &o->capture_flush_ns))
		return snprintf(err, n, "a number of seconds (above 0, at most 86400)"), -1;
	return 0;
}

static int opt_events_socket(struct monitor_config *o, const char *v, char *err, size_t n)
{
	/* sun_path's 108 bytes, with its NUL */
	if (!v[0] || strlen(v) > 107 || strcmp(v, "-") == 0)
		return snprintf(err, n, "a socket path of 1 to 107 bytes"), -1;
	o->events_socket = v;
	return 0;
}

static int opt_events_group(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (!v[0] || strlen(v) > 32)
		return snprintf(err, n, "a group name of 1 to 32 bytes"), -1;
	o->events_group = v;
	return 0;
}

static int opt_live(struct monitor_config *o, const char *v, char *err, size_t n)
{
	(void)v, (void)err, (void)n;
	o->live = true;
	return 0;
}

static int opt_refresh(struct monitor_config *o, const char *v, char *err, size_t n)
{
	uint64_t ns;

	/* below 50 ms the view would redraw faster than anyone reads, at a cost */
	if (parse_seconds(v, false, &ns) || ns < 50000000ull)
		return snprintf(err, n, "a number of seconds (0.05 to 86400)"), -1;
	o->live_refresh_ns = ns;
	return 0;
}

static int opt_iterations(struct monitor_config *o, const char *v, char *err, size_t n)
{
	char *end;
	unsigned long long it;

	errno = 0;
	it = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || it == 0 || it > 1000000000ull)
		return snprintf(err, n, "a number of redraws (1 to 1000000000)"), -1;
	o->live_iterations = it;
	return 0;
}

static int opt_from(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (o->n_live_from == MONITOR_OPTIONS_EXTRA_MAX)
		return TOO_MANY("--from", MONITOR_OPTIONS_EXTRA_MAX), -1;
	if (!v[0])
		return snprintf(err, n, "a capture file"), -1;
	o->live_from[o->n_live_from++] = v;
	return 0;
}

static int opt_attach(struct monitor_config *o, const char *v, char *err, size_t n)
{
	if (!v[0])
		return snprintf(err, n, "a socket path, or \"none\""), -1;
	o->live_attach = v;
	o->live_attach_set = true;
	return 0;
}

/* ---- the table -------------------------------------------------------------------------- */

enum {
	OPT_FLAG = 1 << 0,     /* takes no value; "yes" or "no" in a file */
	OPT_CLI_ONLY = 1 << 1, /* refused in a config file */
	OPT_RELOADS = 1 << 2,  /* SIGHUP applies a change (the others need a restart) */
};

struct monitor_option {
	const char *name; /* the long option, and the key in a config file */
	apply_fn apply;	  /* NULL: handled by the parser itself (--config, --help, --version) */
	unsigned int flags;
};

/*
 * Every option of the monitor verb, one row each; the order is irrelevant. A new option:
 * one row here, its apply function above, its --help lines and its man page entry.
 */
static const struct monitor_option options[] = {
	{ "output", opt_output, 0 },
	{ "json", opt_json, OPT_FLAG },
	{ "watch", opt_watch, 0 },
	{ "pid", opt_pid, 0 },
	{ "rules", opt_rules, OPT_RELOADS },
	{ "no-default-rules", opt_no_default_rules, OPT_FLAG | OPT_RELOADS },
	{ "duration", opt_duration, 0 },
	{ "ready-file", opt_ready_file, 0 },
	{ "ring-size", opt_ring_size, 0 },
	{ "cgroups", opt_cgroups, 0 },
	{ "runtime-scan", opt_runtime_scan, 0 },
	{ "resolve-rule-hosts", opt_resolve_rule_hosts, OPT_FLAG },
	{ "enter-tracepoints", opt_enter_tracepoints, OPT_FLAG },
	{ "syscall-hooks", opt_syscall_hooks, 0 },
	{ "verbose", opt_verbose, OPT_FLAG },
	{ "profiles", opt_profiles, 0 },
	{ "fold-window", opt_fold_window, 0 },
	{ "loss-alert-interval", opt_loss_alert_interval, 0 },
	{ "metrics", opt_metrics, 0 },
	{ "metrics-interval", opt_metrics_interval, 0 },
	{ "capture", opt_capture, 0 },
	{ "capture-flush", opt_capture_flush, 0 },
	{ "capture-payloads", opt_capture_payloads, OPT_FLAG },
	{ "events-socket", opt_events_socket, 0 },
	{ "events-group", opt_events_group, 0 },
	/* the view is a person's, at a terminal: never a config file's (the daemon reads one) */
	{ "live", opt_live, OPT_FLAG | OPT_CLI_ONLY },
	{ "refresh", opt_refresh, OPT_CLI_ONLY },
	{ "iterations", opt_iterations, OPT_CLI_ONLY },
	{ "from", opt_from, OPT_CLI_ONLY },
	{ "attach", opt_attach, OPT_CLI_ONLY },
	{ "config", NULL, OPT_CLI_ONLY },
	{ "help", NULL, OPT_FLAG | OPT_CLI_ONLY },
	{ "version", NULL, OPT_FLAG | OPT_CLI_ONLY },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const struct monitor_option *find_option(const char *name)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

/* ---- applying -------------------------------------------------------------------------- */

static void config_defaults(struct monitor_config *o)
{
	o->ring_bytes = MONITOR_DEFAULT_RING_BYTES;
	o->fold_window_ns = MONITOR_DEFAULT_FOLD_WINDOW_S * 1000000000ull;
	o->loss_alert_ns = MONITOR_DEFAULT_LOSS_ALERT_S * 1000000000ull;
	o->metrics_ns = MONITOR_DEFAULT_METRICS_S * 1000000000ull;
	o->capture_flush_ns = MONITOR_DEFAULT_CAPTURE_FLUSH_S * 1000000000ull;
	o->live_refresh_ns = 1000000000ull;
	o->live_attach = MONITOR_DEFAULT_ATTACH;
}

/*
 * The one way an option reaches a config, from the command line or a file: applies value
 * (NULL for a flag) to o and records it. Returns 0, or -1 with the message in err:
 * `NAME "VALUE": why`, NAME being "--name" (prefix "--") or "name" (prefix "").
 */
static int apply_option(struct monitor_config *o, const struct monitor_option *opt,
			const char *value, const char *prefix, char *err, size_t n)
{
	char why[384], shown[256];

	if (o->n_applied == MONITOR_OPTIONS_APPLIED_MAX) {
		snprintf(err, n, "%s%s: more than %d options in all", prefix, opt->name,
			 MONITOR_OPTIONS_APPLIED_MAX);
		return -1;
	}
	why[0] = '\0';
	if (opt->apply(o, value, why, sizeof(why))) {
		if (opt->apply == opt_output) { /* the registry's reason quotes the value */
			snprintf(err, n, "%s%s %s", prefix, opt->name, why);
		} else if (value) {
			/* the value may come from a file: never raw to a terminal or the journal */
			escape_str(shown, sizeof(shown), value);
			snprintf(err, n, "%s%s \"%s\": %s", prefix, opt->name, shown, why);
		} else {
			snprintf(err, n, "%s%s: %s", prefix, opt->name, why);
		}
		return -1;
	}
	o->applied[o->n_applied++] = (struct monitor_applied){ opt, value };
	return 0;
}

/* What a config file is applied to: the config, and a scratch one for overridden options. */
struct file_apply {
	struct monitor_config *o;
	struct monitor_config *scratch; /* takes what the command line overrides (checked) */
	const bool *on_cli;		/* per row of options[]: given on the command line */
};

/* A copy of the file's value that lives as long as the config. */
static const char *own(struct monitor_config *o, const char *v)
{
	char **grown = realloc(o->owned, (o->n_owned + 1) * sizeof(*grown));
	char *copy = strdup(v);

	if (grown)
		o->owned = grown;
	if (!grown || !copy) {
		free(copy);
		return NULL;
	}
	o->owned[o->n_owned++] = copy;
	return copy;
}

static enum config_entry_verdict apply_entry(void *ctx, const struct config_entry *e, char *msg,
					     size_t size)
{
	struct file_apply *fa = ctx;
	const struct monitor_option *opt = find_option(e->key);
	struct monitor_config *to;
	const char *v = NULL;

	if (!opt) {
		/* keys are [a-z0-9-]{1,64} (config_file.c): safe to print */
		snprintf(msg, size, "unknown option \"%s\" (see llmwatch --help)", e->key);
		return CONFIG_ENTRY_BAD_KEY;
	}
	if (opt->flags & OPT_CLI_ONLY) {
		snprintf(msg, size, "\"%s\" is not allowed in a config file", e->key);
		return CONFIG_ENTRY_BAD_KEY;
	}
	to = fa->on_cli && fa->on_cli[opt - options] ? fa->scratch : fa->o;
	if (opt->flags & OPT_FLAG) {
		if (strcmp(e->value, "yes") == 0 || strcmp(e->value, "true") == 0) {
			v = NULL;
		} else if (strcmp(e->value, "no") == 0 || strcmp(e->value, "false") == 0) {
			return CONFIG_ENTRY_OK; /* flags are off unless set */
		} else {
			char shown[256];

			escape_str(shown, sizeof(shown), e->value);
			snprintf(msg, size, "%s \"%s\": yes or no", e->key, shown);
			return CONFIG_ENTRY_BAD_VALUE;
		}
	} else if (!(v = own(to, e->value))) {
		snprintf(msg, size, "%s: %s", e->key, strerror(ENOMEM));
		return CONFIG_ENTRY_BAD_VALUE;
	}
	return apply_option(to, opt, v, "", msg, size) ? CONFIG_ENTRY_BAD_VALUE : CONFIG_ENTRY_OK;
}

/* Fills what the options leave unset; 0 or -1 (said on stderr). */
static int finish(struct monitor_config *o)
{
	char err[256];

	bool live_only = o->live_iterations || o->n_live_from || o->live_attach_set ||
			 o->live_refresh_ns != 1000000000ull;

	if (!o->live && live_only)
		return cli_usage_error("--refresh, --iterations, --from and --attach are "
				       "options of --live");
	if (o->n_live_from && o->live_attach_set)
		return cli_usage_error("--live: --from and --attach are two sources; give one");
	o->outputs_default = !o->n_outputs;
	if (!o->n_outputs &&
	    sink_registry_parse("text", &o->outputs[o->n_outputs++], err, sizeof(err)))
		return cli_usage_error("%s", err); /* the registry lost its default */
	/* how often --cgroups watched re-checks where the watched processes live */
	if (env_interval_ns("LLMWATCH_CGROUP_SWEEP_MS", 5000000000ull, &o->cgroup_sweep_ns))
		return -1;
	if (!o->runtime_scan_set &&
	    env_interval_ns("LLMWATCH_RUNTIME_SCAN_MS", 1000000000ull, &o->runtime_scan_ns))
		return -1;
	return 0;
}

size_t monitor_options_parse_text(const char *name, const char *text, size_t len,
				  struct monitor_config *o, struct config_file_errors *errs)
{
	struct file_apply fa = { .o = o };

	memset(o, 0, sizeof(*o));
	config_defaults(o);
	return config_file_parse(name, text, len, apply_entry, &fa, errs);
}

/* getopt_long's table, built from options[]: val is 256 + the row. */
static void build_longopts(struct option *lo)
{
	size_t i;

	for (i = 0; i < N_OPTIONS; i++) {
		lo[i] = (struct option){ options[i].name,
					 (options[i].flags & OPT_FLAG) ? no_argument :
									 required_argument,
					 NULL, 256 + (int)i };
	}
	lo[i] = (struct option){ 0 };
}

int monitor_options_parse(int argc, char **argv, struct monitor_config *o)
{
	struct option lo[N_OPTIONS + 1];
	bool on_cli[N_OPTIONS] = {};
	char err[512];
	int c;

	memset(o, 0, sizeof(*o));
	config_defaults(o);
	o->argc = argc;
	o->argv = argv;
	build_longopts(lo);
	/* first pass: which options the command line sets (it wins), and --config */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		if (c >= 256) {
			on_cli[c - 256] = true;
			if (strcmp(options[c - 256].name, "config") == 0) {
				if (o->config)
					return cli_usage_error("--config given twice");
				o->config = optarg;
			}
		}
	}
	if (o->config) {
		struct config_file_errors *errs = malloc(sizeof(*errs));
		struct monitor_config *scratch = calloc(1, sizeof(*scratch));
		struct file_apply fa = { .o = o, .scratch = scratch, .on_cli = on_cli };
		size_t n = 0;

		if (!errs || !scratch) {
			free(errs);
			free(scratch);
			return cli_usage_error("--config: %s", strerror(ENOMEM));
		}
		config_defaults(scratch);
		n = config_file_load(o->config, apply_entry, &fa, errs);
		for (size_t i = 0; i < errs->n; i++)
			fprintf(stderr, "%s\n", errs->text[i]);
		if (errs->dropped)
			fprintf(stderr, "llmwatch: --config: %zu more errors not shown\n",
				errs->dropped);
		monitor_config_free(scratch);
		free(scratch);
		free(errs);
		if (n)
			return cli_usage_error("--config %s: %zu error(s); nothing applied",
					       o->config, n);
	}
	/* second pass: the command line, applied after the file */
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		const struct monitor_option *opt;

		if (c == 'h' || (c >= 256 && strcmp(options[c - 256].name, "help") == 0)) {
			monitor_options_usage(stdout);
			return 1;
		}
		if (c == 'V' || (c >= 256 && strcmp(options[c - 256].name, "version") == 0)) {
			cli_print_version();
			return 1;
		}
		if (c < 256)
			return cli_usage_error("see llmwatch --help");
		opt = &options[c - 256];
		if (opt->apply && apply_option(o, opt, optarg, "--", err, sizeof(err)))
			return cli_usage_error("%s", err);
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument \"%s\" (see llmwatch --help)",
				       argv[optind]);
	return finish(o);
}

void monitor_config_init(struct monitor_config *o)
{
	memset(o, 0, sizeof(*o));
	config_defaults(o);
}

int monitor_options_apply(struct monitor_config *o, const char *name, const char *value, char *err,
			  size_t n)
{
	const struct monitor_option *opt = find_option(name);

	if (!opt || !opt->apply) {
		snprintf(err, n, "--%s: not an option of the monitor", name);
		return -1;
	}
	if (!(opt->flags & OPT_FLAG) != !!value) {
		snprintf(err, n, "--%s: %s", name, value ? "takes no value" : "needs a value");
		return -1;
	}
	return apply_option(o, opt, value, "--", err, n);
}

void monitor_config_free(struct monitor_config *o)
{
	for (size_t i = 0; i < o->n_owned; i++)
		free(o->owned[i]);
	free(o->owned);
	memset(o, 0, sizeof(*o));
}

/* Whether a and b applied the same values of opt, in the same order. */
static bool same_values(const struct monitor_config *a, const struct monitor_config *b,
			const struct monitor_option *opt)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n_applied && a->applied[i].opt != opt)
			i++;
		while (j < b->n_applied && b->applied[j].opt != opt)
			j++;
		if (i == a->n_applied || j == b->n_applied)
			return i == a->n_applied && j == b->n_applied;
		if (!a->applied[i].value != !b->applied[j].value ||
		    (a->applied[i].value && strcmp(a->applied[i].value, b->applied[j].value) != 0))
			return false;
		i++, j++;
	}
}

size_t monitor_options_restart_only(const struct monitor_config *running,
				    const struct monitor_config *reloaded, char *buf, size_t size)
{
	size_t n = 0, used = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < N_OPTIONS; i++) {
		if (options[i].flags & (OPT_RELOADS | OPT_CLI_ONLY) ||
		    same_values(running, reloaded, &options[i]))
			continue;
		if (used < size) {
			int w = snprintf(buf + used, size - used, "%s--%s", n ? ", " : "",
					 options[i].name);
			used += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	return n;
}
