/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The escaper, the JSON writer's strings and numbers, the RFC 3339 time and the open flags'
 * text as they were before their fast paths (issue 18), kept as the reference that
 * tests/unit/test_escape_ref.c and fuzz/fuzz_escape.c hold today's code to, byte for byte.
 * Not to be optimised: its worth is being the plain, obviously right version.
 */
#ifndef LW_TEST_ESCAPE_REF_H
#define LW_TEST_ESCAPE_REF_H

#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/utf8.h"

static size_t ref_utf8_seq_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n = utf8_decode(s, avail, &cp);

	if (n == 0)
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	if (cp == 0x2028 || cp == 0x2029)
		return 0;
	return n;
}

static size_t ref_escape_step(const char *src, size_t len, char buf[4], const char **piece,
			      size_t *n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	unsigned char c = s[0];
	size_t adv;

	*piece = buf;
	if (c == '\\') {
		buf[0] = '\\', buf[1] = '\\', *n = 2;
	} else if (c == '\n') {
		buf[0] = '\\', buf[1] = 'n', *n = 2;
	} else if (c == '\r') {
		buf[0] = '\\', buf[1] = 'r', *n = 2;
	} else if (c == '\t') {
		buf[0] = '\\', buf[1] = 't', *n = 2;
	} else if (c >= 0x20 && c < 0x7f) {
		*piece = src, *n = 1;
	} else if (c >= 0x80 && (adv = ref_utf8_seq_len(s, len)) != 0) {
		*piece = src, *n = adv;
		return adv;
	} else {
		buf[0] = '\\', buf[1] = 'x', buf[2] = hex[c >> 4], buf[3] = hex[c & 15];
		*n = 4;
	}
	return 1;
}

static size_t ref_escape_bytes(char *dst, size_t dst_size, const char *src, size_t len)
{
	size_t need = 0, used = 0;
	int full = 0;

	for (size_t i = 0; i < len;) {
		char buf[4];
		const char *piece;
		size_t n;

		i += ref_escape_step(src + i, len - i, buf, &piece, &n);
		need += n;
		if (!full && dst_size && used + n < dst_size) {
			memcpy(dst + used, piece, n);
			used += n;
		} else {
			full = 1;
		}
	}
	if (dst_size)
		dst[used] = '\0';
	return need;
}

/* What the old jsonw_bytes() added: the escaped form, then '"' and '\' quoted with '\'. */
static char *ref_json_string(const char *s, size_t n)
{
	size_t need = ref_escape_bytes(NULL, 0, s, n);
	char *esc = malloc(need + 1), *out = malloc(2 * need + 3), *p = out;

	if (!esc || !out) {
		perror("malloc");
		exit(2);
	}
	ref_escape_bytes(esc, need + 1, s, n);
	*p++ = '"';
	for (const char *e = esc; *e; e++) {
		if (*e == '"' || *e == '\\')
			*p++ = '\\';
		*p++ = *e;
	}
	*p++ = '"';
	*p = '\0';
	free(esc);
	return out;
}

static size_t ref_rfc3339(char *buf, size_t size, struct timespec ts)
{
	struct tm tm;
	char day[32];
	int n;

	if (!gmtime_r(&ts.tv_sec, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		n = snprintf(buf, size, "invalid-time");
		return n < 0 ? 0 : (size_t)n;
	}
	n = snprintf(buf, size, "%s.%06ldZ", day, ts.tv_nsec / 1000);
	return n < 0 ? 0 : (size_t)n;
}

#if defined(__x86_64__)
#define REF_O_LARGEFILE 0100000
#elif defined(__aarch64__)
#define REF_O_LARGEFILE 0400000
#else
#define REF_O_LARGEFILE O_LARGEFILE
#endif

static const char *ref_openflags_str(uint64_t flags, char *buf, size_t size)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ O_SYNC, "O_SYNC" },
		{ __O_TMPFILE, "O_TMPFILE" },
		{ O_CREAT, "O_CREAT" },
		{ O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" },
		{ O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" },
		{ O_DIRECT, "O_DIRECT" },
		{ REF_O_LARGEFILE, "O_LARGEFILE" },
		{ O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	const char *acc = (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY" :
			  (flags & O_ACCMODE) == O_RDWR	  ? "O_RDWR" :
							    "O_RDONLY";
	uint64_t rest = flags & ~(uint64_t)O_ACCMODE;
	size_t len;

	snprintf(buf, size, "%s", acc);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].bit && (rest & names[i].bit) == names[i].bit) {
			len = strlen(buf);
			snprintf(buf + len, size - len, "|%s", names[i].name);
			rest &= ~names[i].bit;
		}
	}
	if (rest) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "|0x%" PRIx64, rest);
	}
	return buf;
}

#endif /* LW_TEST_ESCAPE_REF_H */
