/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The configuration file's line syntax (llmwatch.conf): "key = value" lines, blank lines and
 * comment lines (first non-blank "#"). A bounded parser of untrusted bytes that knows no
 * keys: it hands each entry to a callback, which applies it or says what is wrong, and
 * every error comes out as "FILE:LINE:COL: message", COL pointing at the key or the value.
 *
 * Syntax, one entry a line:
 *   key   [a-z0-9-]+, 1 to CONFIG_FILE_KEY_MAX bytes (a long option's name without "--")
 *   value everything after the first "=", blanks at both ends removed; or a double-quoted
 *         string (to keep blanks at the ends) in which only \" and \\ are escapes; may be
 *         empty. A value has no control character other than a tab.
 * Lines end in "\n" (a "\r" before it is a blank); the last may lack it.
 */
#ifndef LW_CONFIG_FILE_H
#define LW_CONFIG_FILE_H

#include <stddef.h>

#define CONFIG_FILE_MAX_BYTES (256 * 1024) /* a larger file is refused, not read in part */
#define CONFIG_FILE_LINE_MAX 4096	   /* bytes in one line, "\n" excluded */
#define CONFIG_FILE_KEY_MAX 64
#define CONFIG_FILE_ERRORS_MAX 16 /* kept in full; beyond, only counted */
#define CONFIG_FILE_ERROR_LEN 512

/* One entry, as the callback sees it. key and value are NUL-terminated and live for the call. */
struct config_entry {
	const char *key;
	const char *value;
	unsigned int line;
	unsigned int key_col, value_col; /* 1-based; a column counts UTF-8 characters */
};

/* What a callback returns: 0 (applied), or where its message points. */
enum config_entry_verdict {
	CONFIG_ENTRY_OK = 0,
	CONFIG_ENTRY_BAD_KEY,	/* msg is about the key (unknown, not allowed here) */
	CONFIG_ENTRY_BAD_VALUE, /* msg is about the value */
};

/*
 * Applies one entry. On an error, writes a one-line message to msg[0..size) (without the
 * position, which the parser adds) and returns BAD_KEY or BAD_VALUE. Any text taken from
 * the entry must be escaped by the callback (util/escape.h): it comes from the file.
 */
typedef enum config_entry_verdict (*config_entry_fn)(void *ctx, const struct config_entry *e,
						     char *msg, size_t size);

struct config_file_errors {
	size_t n;	/* errors held in text[0..n) */
	size_t dropped; /* further errors, counted only */
	char text[CONFIG_FILE_ERRORS_MAX][CONFIG_FILE_ERROR_LEN];
};

/* The total number of errors, held and dropped. */
static inline size_t config_file_error_count(const struct config_file_errors *errs)
{
	return errs->n + errs->dropped;
}

/*
 * Parses text[0..len) (a file called name in messages; it may hold NUL bytes, which are
 * errors), calling fn for every entry in order, and goes on after an error to report the
 * others. errs is cleared first. Returns the number of errors (0: every entry applied).
 */
size_t config_file_parse(const char *name, const char *text, size_t len, config_entry_fn fn,
			 void *ctx, struct config_file_errors *errs);

/*
 * Reads path (a regular file of at most CONFIG_FILE_MAX_BYTES, not writable by group or
 * others: a root daemon must not take orders from a file others can change) and parses it
 * as config_file_parse() does. A file that cannot be used is one error "PATH: reason".
 * Returns the number of errors.
 */
size_t config_file_load(const char *path, config_entry_fn fn, void *ctx,
			struct config_file_errors *errs);

#endif /* LW_CONFIG_FILE_H */
