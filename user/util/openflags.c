// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text forms of open(2) flags (see openflags.h). */
#include "util/openflags.h"

#include <fcntl.h>
#include <string.h>

/*
 * glibc defines O_LARGEFILE as 0 where it is implied (64-bit x86, arm64), but the flags come
 * from the syscall arguments, and programs set the kernel's bit anyway (Go's syscall.Open
 * adds 0x8000 on amd64). A 0 entry would also match every open.
 */
#if defined(__x86_64__)
#define LW_O_LARGEFILE 0100000
#elif defined(__aarch64__)
#define LW_O_LARGEFILE 0400000
#else
#define LW_O_LARGEFILE O_LARGEFILE
#endif

const char *openflags_access(uint64_t flags)
{
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		return "write";
	case O_RDWR:
		return "rdwr";
	}
	return "read";
}

/*
 * Appends n bytes of s to the string of len bytes in buf[size] (size > len), cut to fit as
 * snprintf() cuts. Returns the new length. The flags text is made for every open, and
 * printf's set-up per piece cost more than the copying.
 */
static size_t append(char *buf, size_t size, size_t len, const char *s, size_t n)
{
	if (n > size - 1 - len)
		n = size - 1 - len;
	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
	return len + n;
}

const char *openflags_str(uint64_t flags, char *buf, size_t size)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		/* multi-bit flags first, so their bits are not claimed by a single flag */
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
		{ LW_O_LARGEFILE, "O_LARGEFILE" },
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

	if (!size)
		return buf;
	len = append(buf, size, 0, acc, strlen(acc));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].bit && (rest & names[i].bit) == names[i].bit) {
			len = append(buf, size, len, "|", 1);
			len = append(buf, size, len, names[i].name, strlen(names[i].name));
			rest &= ~names[i].bit;
		}
	}
	if (rest) {
		static const char hex[] = "0123456789abcdef";
		char b[2 + 16], *p = b + sizeof(b);

		do {
			*--p = hex[rest & 15];
			rest >>= 4;
		} while (rest);
		*--p = 'x';
		*--p = '0';
		len = append(buf, size, len, "|", 1);
		append(buf, size, len, p, (size_t)(b + sizeof(b) - p));
	}
	return buf;
}
