/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * systemd's "%" specifiers (systemd.unit(5) "Specifiers") in the unit settings the audit
 * reads: an EnvironmentFile=%h/.config/ollama.env or an Environment=OLLAMA_MODELS=%S/models
 * names a file or a value only once they are expanded. Only what can be known from the unit
 * and whose manager it is gets expanded; the host's own facts (%H, %m, %b...) do not.
 */
#ifndef LW_UNIT_SPECIFIERS_H
#define LW_UNIT_SPECIFIERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The unit, and the manager that runs it. */
struct unit_specifiers {
	const char *name; /* the unit's name: "ollama.service", "llama@gpu0.service" */
	bool system;	  /* the system manager's (else a user's manager) */
	/* a user manager's user, as the audited system sees it; home NULL when unknown
	 * (/etc/systemd/user's units, read once for every user) */
	const char *home; /* "/home/alice" (no --root prefix) */
	const char *user; /* "alice", or NULL when the home has no passwd entry */
	uint32_t uid;
};

/*
 * Expands the specifiers of in into out (outsz bytes, NUL-terminated) as systemd's
 * specifier_printf() does: "%%" is "%", a "%" at the end stays. Returns 0, -EBADSLT for a
 * specifier systemd does not know (systemd then ignores the setting), -ENOKEY for one it
 * knows that has no value here (the host's name, the instance of a bare template, a user
 * manager's home when the user is unknown), or -ENAMETOOLONG; *bad (when not NULL) is then
 * the letter of the specifier at fault ('\0' when none was), and out is unspecified.
 */
int unit_specifiers_expand(const struct unit_specifiers *s, const char *in, char *out, size_t outsz,
			   char *bad);

/*
 * What a failed expansion means, for a finding, into buf (size bytes): "specifier %H (the
 * host's name) is not expanded by the audit" and the like.
 */
void unit_specifiers_why(int err, char bad, char *buf, size_t size);

#endif /* LW_UNIT_SPECIFIERS_H */
