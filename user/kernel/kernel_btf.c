// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Name lookups in the kernel's raw BTF (see kernel_btf.h). */
#include "kernel/kernel_btf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BTF_MAGIC 0xeB9F
#define BTF_HDR_LEN 24	/* magic, version, flags, hdr_len, 4 section fields */
#define BTF_TYPE_LEN 12 /* name_off, info, size/type */
#define BTF_KIND_MAX 19 /* ENUM64 (6.0); newer kinds are refused */

/* Unaligned-safe reads: kernel_btf_init() takes any buffer (the fuzzer's among them). */
static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	/* clang 14's analyser takes read_all()'s -errno for 0 and goes on with a NULL buffer */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): that false positive */
	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The bytes that follow a type record of kind with vlen entries, as the uapi btf.h lays
 * them out; -1 for a kind this code does not know (its size cannot be guessed).
 */
static long extra_len(unsigned int kind, uint32_t vlen)
{
	switch (kind) {
	case 2:
	case 7:
	case 8:
	case 9:
	case 10:
	case 11:
	case 12:
	case 16:
	case 18:
		return 0; /* PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG */
	case 1:
	case 14:
	case 17:
		return 4; /* INT, VAR, DECL_TAG */
	case 3:
		return 12; /* ARRAY */
	case 4:
	case 5:
	case 15:
	case 19:
		return 12L * vlen; /* STRUCT, UNION members; DATASEC vars; ENUM64 values */
	case 6:
	case 13:
		return 8L * vlen; /* ENUM values; FUNC_PROTO params */
	default:
		return -1;
	}
}

int kernel_btf_init(struct kernel_btf *k, const void *data, size_t size)
{
	const uint8_t *b = data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len, off, n = 0;
	size_t body;

	memset(k, 0, sizeof(*k));
	if (size < BTF_HDR_LEN || rd16(b) != BTF_MAGIC || b[2] != 1)
		return -EINVAL; /* not BTF, another byte order, or another version */
	hdr_len = rd32(b + 4);
	type_off = rd32(b + 8);
	type_len = rd32(b + 12);
	str_off = rd32(b + 16);
	str_len = rd32(b + 20);
	if (hdr_len < BTF_HDR_LEN || hdr_len > size)
		return -EINVAL;
	body = size - hdr_len;
	/* 64-bit sums: none of these can wrap */
	if ((uint64_t)type_off + type_len > body || (uint64_t)str_off + str_len > body ||
	    type_off % 4 || type_len % 4)
		return -EINVAL;
	/* every name is a NUL-terminated string inside the section, the first one empty */
	if (str_len == 0 || b[hdr_len + str_off] != 0 || b[hdr_len + str_off + str_len - 1] != 0)
		return -EINVAL;
	k->types = b + hdr_len + type_off;
	k->types_len = type_len;
	k->strs = (const char *)b + hdr_len + str_off;
	k->strs_len = str_len;

	for (off = 0; off < type_len; n++) {
		uint32_t info;
		long extra;

		if (type_len - off < BTF_TYPE_LEN)
			return -EINVAL;
		info = rd32(k->types + off + 4);
		extra = extra_len((info >> 24) & 0x1f, info & 0xffff);
		if (extra < 0 || rd32(k->types + off) >= str_len ||
		    (uint64_t)type_len - off - BTF_TYPE_LEN < (uint64_t)extra)
			return -EINVAL;
		off += BTF_TYPE_LEN + (uint32_t)extra;
	}
	k->ntypes = n;
	return 0;
}

int32_t kernel_btf_find(const struct kernel_btf *k, const char *name, unsigned int kind)
{
	uint32_t off = 0;

	/* kernel_btf_init() checked every record: sizes and name offsets are in bounds */
	for (uint32_t id = 1; id <= k->ntypes; id++) {
		uint32_t info = rd32(k->types + off + 4);
		unsigned int kd = (info >> 24) & 0x1f;

		if (kd == kind && strcmp(k->strs + rd32(k->types + off), name) == 0)
			return (int32_t)id;
		off += BTF_TYPE_LEN + (uint32_t)extra_len(kd, info & 0xffff);
	}
	return -ENOENT;
}

/* The whole file, read: kernels before 6.16 do not let /sys/kernel/btf/vmlinux be mapped. */
static int read_all(int fd, size_t size, uint8_t **out)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t got = 0;

	if (!buf)
		return -ENOMEM;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EINVAL; /* shorter than it said */

			free(buf);
			return err;
		}
		got += (size_t)n;
	}
	*out = buf;
	return 0;
}

int kernel_btf_open(struct kernel_btf *k, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	struct stat st;
	void *map;
	uint8_t *buf = NULL;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) < 0 ? -errno : st.st_size <= 0 ? -EINVAL : 0; /* empty: not BTF */
	if (err) {
		close(fd);
		return err;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		close(fd);
		err = kernel_btf_init(k, map, (size_t)st.st_size);
		if (err) {
			munmap(map, (size_t)st.st_size);
			return err;
		}
		k->map = map;
		k->map_len = (size_t)st.st_size;
		k->mapped = true;
		return 0;
	}
	err = read_all(fd, (size_t)st.st_size, &buf);
	close(fd);
	if (err)
		return err;
	err = kernel_btf_init(k, buf, (size_t)st.st_size);
	if (err) {
		free(buf);
		return err;
	}
	k->map = buf;
	return 0;
}

void kernel_btf_close(struct kernel_btf *k)
{
	if (k->mapped)
		munmap(k->map, k->map_len);
	else
		free(k->map);
	memset(k, 0, sizeof(*k));
}
