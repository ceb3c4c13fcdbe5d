/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How the audit's checks reach files: paths under the audited root, opened so that a
 * symbolic link inside a mounted image (--root) cannot lead outside it, and read with a
 * bound. Every file read here is untrusted: its bytes go into findings as they are and are
 * escaped by the writers.
 */
#ifndef LW_AUDIT_FILES_H
#define LW_AUDIT_FILES_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "audit/audit.h"

/*
 * printf-style: the path of an absolute path of the audited system ("/etc/passwd") as the
 * checks open it, the root prepended ("/mnt/img/etc/passwd"; unchanged when the root is
 * "/"). Returns 0, or -ENAMETOOLONG (out holds a cut, NUL-terminated path).
 */
int audit_path(const struct audit_ctx *c, char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * open(2) of path, a path as audit_path() gives it (or a home's path joined with more):
 * under a --root other than "/", the part under the root is resolved inside it (openat2
 * RESOLVE_IN_ROOT), so an absolute symbolic link in the image stays in the image. flags
 * gain O_CLOEXEC | O_NOCTTY. Returns the descriptor or -errno.
 */
int audit_open(const struct audit_ctx *c, const char *path, int flags);

/* opendir(3) through audit_open(); NULL with errno set. */
DIR *audit_opendir(const struct audit_ctx *c, const char *path);

/*
 * Reads a regular file of at most max bytes into a new NUL-terminated buffer (*text, to
 * free(); *len bytes, NUL bytes inside kept). Returns 0, or -errno: -ENOENT, -EACCES,
 * -EISDIR / -EINVAL (not a regular file), -EFBIG (larger than max: nothing kept).
 */
int audit_read_file(const struct audit_ctx *c, const char *path, size_t max, char **text,
		    size_t *len);

/* Whether path exists (lstat(2) inside the root); *is_dir when it is a directory. */
bool audit_exists(const struct audit_ctx *c, const char *path, bool *is_dir);

/*
 * The line of text[0..len) that holds offset off, 1-based: findings cite "FILE:LINE".
 */
unsigned int audit_line_of(const char *text, size_t len, size_t off);

/*
 * An INI file's value (Qt's QSettings format, as GPT4All writes it): key in [section]
 * (section NULL or "" for keys before any section, Qt's [General]). On a hit: true, *value
 * and *vlen the raw value (surrounding blanks and a pair of double quotes removed), *line
 * its 1-based line. The last assignment wins, as in Qt.
 */
bool audit_ini_get(const char *text, size_t len, const char *section, const char *key,
		   const char **value, size_t *vlen, unsigned int *line);

/* Whether a setting's value means "on": 1, true, yes, on (any case); "off": 0 false no off. */
bool audit_value_true(const char *v, size_t len);
bool audit_value_false(const char *v, size_t len);

#endif /* LW_AUDIT_FILES_H */
