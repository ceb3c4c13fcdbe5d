// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The configuration file's line parser (see config_file.h). */
#include "util/config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"

struct parse_state {
	char name[160]; /* the file's name, escaped (cut if longer) */
	struct config_file_errors *errs;
	const char *line; /* the current line's first byte */
	unsigned int lineno;
};

/* The 1-based column of byte off of the current line: UTF-8 lead bytes are counted. */
static unsigned int column(const struct parse_state *s, size_t off)
{
	unsigned int col = 1;

	for (size_t i = 0; i < off; i++)
		col += ((unsigned char)s->line[i] & 0xc0) != 0x80;
	return col;
}

__attribute__((format(printf, 3, 4))) static void error_at(struct parse_state *s, size_t off,
							   const char *fmt, ...)
{
	struct config_file_errors *e = s->errs;
	char msg[320]; /* with the name and position, within CONFIG_FILE_ERROR_LEN */
	va_list ap;

	if (e->n == CONFIG_FILE_ERRORS_MAX) {
		e->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a message cut short is still one whole line */
	snprintf(e->text[e->n++], CONFIG_FILE_ERROR_LEN, "%s:%u:%u: %s", s->name, s->lineno,
		 column(s, off), msg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/*
 * Unquotes the value starting with '"' at line[*off] into out (at least len bytes). Returns
 * true, or false after reporting an error. Blanks may follow the closing quote, nothing else.
 */
static bool unquote(struct parse_state *s, size_t off, size_t len, char *out)
{
	size_t i = off + 1, n = 0;

	for (; i < len; i++) {
		char c = s->line[i];

		if (c == '"')
			break;
		if (c == '\\') {
			if (i + 1 < len && (s->line[i + 1] == '"' || s->line[i + 1] == '\\')) {
				out[n++] = s->line[++i];
				continue;
			}
			error_at(s, i, "only \\\" and \\\\ are escapes in a quoted value");
			return false;
		}
		out[n++] = c;
	}
	if (i >= len) {
		error_at(s, off, "the quoted value has no closing quote");
		return false;
	}
	for (size_t j = i + 1; j < len; j++) {
		if (!is_blank(s->line[j])) {
			error_at(s, j, "text after the closing quote");
			return false;
		}
	}
	out[n] = '\0';
	return true;
}

/* One line, len bytes without its "\n": a comment, a blank line or an entry. */
static void parse_line(struct parse_state *s, size_t len, config_entry_fn fn, void *ctx)
{
	char key[CONFIG_FILE_KEY_MAX + 1], value[CONFIG_FILE_LINE_MAX + 1], msg[320];
	struct config_entry e = { .line = s->lineno };
	size_t i, k0, v0;

	/* a control byte anywhere (NUL, ESC, a lone CR) is an error before anything else */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s->line[i];

		if ((c < 0x20 && c != '\t' && !(c == '\r' && i == len - 1)) || c == 0x7f) {
			error_at(s, i, "control character \\x%02x", c);
			return;
		}
	}
	while (len && (is_blank(s->line[len - 1]) || s->line[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && is_blank(s->line[i]); i++)
		;
	if (i == len || s->line[i] == '#')
		return;
	k0 = i;
	while (i < len && is_key_char(s->line[i]))
		i++;
	if (i == k0 || (i < len && !is_blank(s->line[i]) && s->line[i] != '=')) {
		size_t at = i == k0 ? k0 : i;

		error_at(s, at,
			 "an option name is lower-case letters, digits and '-' (then \"= "
			 "value\")");
		return;
	}
	if (i - k0 > CONFIG_FILE_KEY_MAX) {
		error_at(s, k0, "an option name is at most %d bytes", CONFIG_FILE_KEY_MAX);
		return;
	}
	memcpy(key, s->line + k0, i - k0);
	key[i - k0] = '\0';
	while (i < len && is_blank(s->line[i]))
		i++;
	if (i == len || s->line[i] != '=') {
		error_at(s, i, "expected \"=\" after \"%s\"", key);
		return;
	}
	for (i++; i < len && is_blank(s->line[i]); i++)
		;
	v0 = i;
	if (v0 < len && s->line[v0] == '"') {
		if (!unquote(s, v0, len, value))
			return;
	} else {
		memcpy(value, s->line + v0, len - v0);
		value[len - v0] = '\0';
	}
	e.key = key;
	e.value = value;
	e.key_col = column(s, k0);
	e.value_col = column(s, v0);
	msg[0] = '\0';
	switch (fn(ctx, &e, msg, sizeof(msg))) {
	case CONFIG_ENTRY_OK:
		break;
	case CONFIG_ENTRY_BAD_KEY:
		error_at(s, k0, "%s", msg[0] ? msg : "not accepted");
		break;
	default:
		error_at(s, v0, "%s", msg[0] ? msg : "not accepted");
		break;
	}
}

size_t config_file_parse(const char *name, const char *text, size_t len, config_entry_fn fn,
			 void *ctx, struct config_file_errors *errs)
{
	struct parse_state s = { .errs = errs };
	size_t off = 0;

	errs->n = errs->dropped = 0;
	escape_str(s.name, sizeof(s.name), name);
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t line_len = nl ? (size_t)(nl - (text + off)) : len - off;

		s.line = text + off;
		s.lineno++;
		if (line_len > CONFIG_FILE_LINE_MAX)
			error_at(&s, 0, "line longer than %d bytes", CONFIG_FILE_LINE_MAX);
		else
			parse_line(&s, line_len, fn, ctx);
		off += line_len + (nl != NULL);
	}
	return config_file_error_count(errs);
}

/* Records "PATH: message" as the only error, the way config_file_parse() would. */
__attribute__((format(printf, 3, 4))) static size_t
file_error(struct config_file_errors *errs, const char *path, const char *fmt, ...)
{
	char name[256], msg[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	escape_str(name, sizeof(name), path);
	errs->dropped = 0;
	errs->n = 1;
	snprintf(errs->text[0], CONFIG_FILE_ERROR_LEN, "%s: %s", name, msg);
	return 1;
}

size_t config_file_load(const char *path, config_entry_fn fn, void *ctx,
			struct config_file_errors *errs)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	ssize_t got;
	size_t len = 0, n;

	if (fd < 0)
		return file_error(errs, path, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		n = file_error(errs, path, "%s", strerror(errno));
		close(fd);
		return n;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX_BYTES ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		if (!S_ISREG(st.st_mode))
			n = file_error(errs, path, "not a regular file");
		else if (st.st_size > CONFIG_FILE_MAX_BYTES)
			n = file_error(errs, path, "larger than %d bytes", CONFIG_FILE_MAX_BYTES);
		else if (st.st_mode & (S_IWGRP | S_IWOTH))
			n = file_error(errs, path,
				       "writable by group or others (mode %04o): refused",
				       (unsigned int)(st.st_mode & 07777));
		else
			n = file_error(errs, path,
				       "owned by uid %u, neither root nor llmwatch's user: refused",
				       (unsigned int)st.st_uid);
		close(fd);
		return n;
	}
	/* one byte more than allowed, to see a file that grew after fstat */
	buf = malloc(CONFIG_FILE_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		return file_error(errs, path, "%s", strerror(ENOMEM));
	}
	while (len <= CONFIG_FILE_MAX_BYTES &&
	       (got = read(fd, buf + len, CONFIG_FILE_MAX_BYTES + 1 - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			n = file_error(errs, path, "%s", strerror(errno));
			goto out;
		}
		len += (size_t)got;
	}
	if (len > CONFIG_FILE_MAX_BYTES)
		n = file_error(errs, path, "larger than %d bytes", CONFIG_FILE_MAX_BYTES);
	else
		n = config_file_parse(path, buf, len, fn, ctx, errs);
out:
	free(buf);
	close(fd);
	return n;
}
