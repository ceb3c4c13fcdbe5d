/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The verbs, one row each: adding a verb is its file, cmd/cmd_NAME.c defining
 * `int cmd_NAME(int argc, char **argv)`, and one row here. main.c builds its dispatch table
 * from these rows. Each verb gets argv[0] = its name and returns the process exit status
 * (2 on a usage error).
 *
 * - monitor: the default verb (`llmwatch [OPTIONS]`): loads the BPF programs and streams
 *   attributed events until stopped.
 * - rules: `rules check [--no-default-rules] [FILE|DIR...]` prints every error (stderr) and
 *   returns 1 if there is any, else prints "N rules OK" and returns 0; `rules list
 *   [--no-default-rules] [--rules FILE|DIR]...` prints each rule's id, severity, action,
 *   events and description (escaped).
 * - profiles: `profiles list [--json]` prints each built-in profile (name, display name,
 *   candidate names, executable patterns, source), escaped text or one JSON object a line.
 * - replay: `replay FILE [--rules FILE|DIR]... [--no-default-rules] [--output SPEC]...`
 *   runs the record path over a capture (--capture) with today's rules and outputs, and
 *   says on stderr whether its hash chain is intact and it was sealed.
 * - report: `report FILE... [--format text|json] [-o OUT] [--rules ...]` writes the
 *   evaluation report (docs/report-format.md) of captures read as one run.
 * - diff: `diff A B [--format text|json] [-o OUT] [--rules FILE|DIR]... [--no-default-rules]
 *   [--profiles FILE|DIR]...` compares two runs (each a report.json or a capture) and
 *   returns 1 when B adds anything, 0 when not, 2 on an error.
 * - eval: `eval [--out DIR] [--offline-report] [--as-root] [OPTIONS] -- CMD [ARGS...]` runs
 *   CMD as a watched tree, records it into DIR/capture.lwc and writes the reports there;
 *   0 complete, 1 incomplete, 2 usage or setup error.
 * - audit: `audit [--root DIR] [--home DIR]... [--only CHECK]... [--json] [-o OUT]
 *   [--approved FILE] [--gguf FILE...]` checks the machine against the local-LLM security
 *   checklist (audit/audit.h); 0 nothing FAILs, 1 something does, 2 usage or a check that
 *   could not run.
 */
#ifndef LW_CMD_VERBS_H
#define LW_CMD_VERBS_H

#define LW_VERBS(ROW) \
	ROW(monitor)  \
	ROW(rules)    \
	ROW(profiles) \
	ROW(replay)   \
	ROW(report)   \
	ROW(diff)     \
	ROW(eval)     \
	ROW(audit)

#define LW_VERB_DECLARE(name) int cmd_##name(int argc, char **argv);
LW_VERBS(LW_VERB_DECLARE)
#undef LW_VERB_DECLARE

#endif /* LW_CMD_VERBS_H */
