/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The audit's "at rest" item (issue 17): whether the tools' model stores and chat histories
 * are on an encrypted device (dm-crypt / LUKS, fscrypt, eCryptfs), and whether users other
 * than their owner can read them.
 */
#ifndef LW_CHECK_AT_REST_H
#define LW_CHECK_AT_REST_H

#include <stdbool.h>

#include "audit/audit.h"

/* Where this machine's device facts are read: "/sys" and "/proc/self/mountinfo" unless a
 * test points them at a fixture. */
struct check_at_rest_sys {
	const char *sys_root;
	const char *mountinfo;
};

enum check_at_rest_mech {
	CHECK_AT_REST_NONE,	/* a block device with no dm-crypt below it */
	CHECK_AT_REST_DM_CRYPT, /* dm-crypt (LUKS or plain) under the filesystem */
	CHECK_AT_REST_FSCRYPT,	/* the directory has an fscrypt policy */
	CHECK_AT_REST_ECRYPTFS, /* an eCryptfs mount */
	CHECK_AT_REST_UNKNOWN,	/* no block device to look at (a network or pool filesystem) */
};

/* What was found about the device a path is stored on. Strings are from sysfs and
 * mountinfo, raw. */
struct check_at_rest_enc {
	enum check_at_rest_mech mech;
	unsigned int major, minor; /* st_dev of the path */
	char fstype[32];
	char mount[256];  /* the mount point, as mountinfo writes it */
	char source[128]; /* the mount source ("/dev/mapper/vg-home") */
	char device[512]; /* the device chain: "dm-1 (vg-home) over dm-0 (luks-x, CRYPT-...)" */
};

/*
 * Finds how the path (opened as audit_open() does, so under --root its files are the
 * image's, on this machine's devices) is stored: fscrypt from statx's STATX_ATTR_ENCRYPTED or
 * FS_IOC_GET_ENCRYPTION_POLICY_EX, eCryptfs from the mount's type, dm-crypt by walking the
 * block device's slaves in sys_root (recursively: LVM on LUKS, RAID over LUKS) to a device
 * whose dm/uuid starts with "CRYPT-". Returns 0, or -errno when the path cannot be looked at.
 */
int check_at_rest_encryption_of(const struct check_at_rest_sys *s, const struct audit_ctx *c,
				const char *path, struct check_at_rest_enc *out);

/* at-rest-encryption, with this machine's /sys and mountinfo; and with others (tests). */
int check_at_rest_encryption(const struct audit_ctx *c, struct audit_report *r);
int check_at_rest_encryption_with(const struct audit_ctx *c, struct audit_report *r,
				  const struct check_at_rest_sys *s);

/* How deep and how wide at-rest-permissions walks each store. */
#define CHECK_AT_REST_MAX_DEPTH 6u
#define CHECK_AT_REST_MAX_ENTRIES 100000u

/*
 * at-rest-permissions: FAIL when a chat history's contents can be read by other users, WARN
 * when a model store's can (or only a chat directory's names can be listed), FAIL when
 * others can replace files in either, PASS otherwise. "Other users": the others class, the
 * group class when the group is not the owner's private group, and a non-root owner that is
 * not the home's owner. Returns 0 or -ENOMEM.
 */
int check_at_rest_permissions(const struct audit_ctx *c, struct audit_report *r);

#endif /* LW_CHECK_AT_REST_H */
