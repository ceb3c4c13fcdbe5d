// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * at-rest-encryption and at-rest-permissions (audit/check_at_rest.h): a fixture sysfs whose
 * dm devices stack LVM over LUKS (dm/uuid "CRYPT-LUKS2-..."), LVM over a plain partition, and
 * a mix; fixture mountinfo lines for eCryptfs and a btrfs-like device with no block entry;
 * fixture homes in a fixture root whose chats and models are private, world-readable,
 * readable through a shared group, writable by others, owned by another user, or open but
 * behind a closed home.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/check_at_rest.h"
#include "audit_fixture.h"

/* The first finding of check whose subject ends with subj; NULL when there is none. */
static const struct audit_finding *find(const struct audit_report *r, const char *check,
					const char *subj)
{
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f), sl = strlen(subj);

	for (size_t i = 0; i < n; i++) {
		size_t l = f[i].subject ? strlen(f[i].subject) : 0;

		if (!strcmp(f[i].check, check) && l >= sl && !strcmp(f[i].subject + l - sl, subj))
			return &f[i];
	}
	return NULL;
}

/* ---- the fixture sysfs ---------------------------------------------------------------- */

/*
 * devices/virtual/block: dm-0 LUKS2 (luks-abc) over sda3; dm-1 LVM (vg-home) over dm-0;
 * dm-2 LVM (vg-plain) over the partition sda2; dm-3 LVM (vg-mixed) over dm-0 and sda2.
 * block/dm-N link to them (the /dev/mapper lookup); dev/block/MAJ:MIN is set per case.
 */
static void make_sys(void)
{
	static const struct {
		const char *dev, *uuid, *name;
	} dm[] = {
		{ "dm-0", "CRYPT-LUKS2-0123456789abcdef0123456789abcdef-luks-abc", "luks-abc" },
		{ "dm-1", "LVM-AAAA", "vg-home" },
		{ "dm-2", "LVM-BBBB", "vg-plain" },
		{ "dm-3", "LVM-CCCC", "vg-mixed" },
	};
	char rel[256], target[256];

	fx_tmp_mkdirs_mode("sys/dev/block", 0755);
	fx_tmp_mkdirs_mode("sys/block", 0755);
	fx_tmp_mkdirs_mode("sys/class/block", 0755);
	fx_tmp_mkdirs_mode("sys/devices/pci/block/sda/sda2", 0755);
	fx_tmp_mkdirs_mode("sys/devices/pci/block/sda/sda3", 0755);
	fx_tmp_mkdirs_mode("sys/devices/pci/block/sda/slaves", 0755);
	fx_tmp_put_mode("sys/devices/pci/block/sda/sda2/partition", "2\n", 0644);
	fx_tmp_put_mode("sys/devices/pci/block/sda/sda3/partition", "3\n", 0644);
	for (size_t i = 0; i < sizeof(dm) / sizeof(dm[0]); i++) {
		snprintf(rel, sizeof(rel), "sys/devices/virtual/block/%s/dm", dm[i].dev);
		fx_tmp_mkdirs_mode(rel, 0755);
		snprintf(rel, sizeof(rel), "sys/devices/virtual/block/%s/slaves", dm[i].dev);
		fx_tmp_mkdirs_mode(rel, 0755);
		snprintf(rel, sizeof(rel), "sys/devices/virtual/block/%s/dm/uuid", dm[i].dev);
		snprintf(target, sizeof(target), "%s\n", dm[i].uuid);
		fx_tmp_put_mode(rel, target, 0644);
		snprintf(rel, sizeof(rel), "sys/devices/virtual/block/%s/dm/name", dm[i].dev);
		snprintf(target, sizeof(target), "%s\n", dm[i].name);
		fx_tmp_put_mode(rel, target, 0644);
		snprintf(rel, sizeof(rel), "sys/block/%s", dm[i].dev);
		snprintf(target, sizeof(target), "../devices/virtual/block/%s", dm[i].dev);
		fx_tmp_link(target, rel);
	}
	fx_tmp_link("../../../../pci/block/sda/sda3", "sys/devices/virtual/block/dm-0/slaves/sda3");
	fx_tmp_link("../../dm-0", "sys/devices/virtual/block/dm-1/slaves/dm-0");
	fx_tmp_link("../../../../pci/block/sda/sda2", "sys/devices/virtual/block/dm-2/slaves/sda2");
	fx_tmp_link("../../dm-0", "sys/devices/virtual/block/dm-3/slaves/dm-0");
	fx_tmp_link("../../../../pci/block/sda/sda2", "sys/devices/virtual/block/dm-3/slaves/sda2");
	fx_tmp_link("../../devices/pci/block/sda/sda2", "sys/class/block/sda2");
}

static unsigned int maj_, min_;

/* This machine's device of the fixture (what statx gives), pointed at a fixture device. */
static void point_dev(const char *sysdev)
{
	char rel[128], target[128];

	snprintf(rel, sizeof(rel), "sys/dev/block/%u:%u", maj_, min_);
	if (!sysdev) {
		fx_tmp_rm(rel);
		return;
	}
	snprintf(target, sizeof(target), "../../devices/%s", sysdev);
	fx_tmp_link(target, rel);
}

static void mountinfo(const char *fstype, const char *source)
{
	char line[512];

	snprintf(line, sizeof(line),
		 "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
		 "26 1 %u:%u / / rw,relatime shared:1 - %s %s rw\n",
		 maj_, min_, fstype, source);
	fx_tmp_put_mode("mountinfo", line, 0644);
}

static void test_encryption_of(void)
{
	struct audit_ctx c = { .root = "/" };
	struct check_at_rest_sys s;
	struct check_at_rest_enc e;
	char sys[256], mi[256], store[256];
	struct stat st;

	fx_tmp_path(sys, sizeof(sys), "sys");
	fx_tmp_path(mi, sizeof(mi), "mountinfo");
	s = (struct check_at_rest_sys){ sys, mi };
	make_sys();
	fx_tmp_mkdirs_mode("store", 0700);
	fx_tmp_path(store, sizeof(store), "store");
	CHECK_INT(stat(store, &st), 0);
	maj_ = major(st.st_dev);
	min_ = minor(st.st_dev);

	/* LVM over LUKS: dm-1's slave dm-0 is dm-crypt */
	point_dev("virtual/block/dm-1");
	mountinfo("ext4", "/dev/mapper/vg-home");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_DM_CRYPT);
	CHECK_STR(e.device, "dm-1 (vg-home, LVM-AAAA) over dm-0 (luks-abc, "
			    "CRYPT-LUKS2-0123456789abcdef0123456789abcdef-luks-abc)");
	CHECK_STR(e.fstype, "ext4");
	CHECK_STR(e.mount, "/");
	CHECK_STR(e.source, "/dev/mapper/vg-home");

	/* LUKS directly */
	point_dev("virtual/block/dm-0");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_DM_CRYPT);

	/* LVM over a plain partition: not encrypted, the chain says what is below */
	point_dev("virtual/block/dm-2");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_NONE);
	CHECK_STR(e.device, "dm-2 (vg-plain, LVM-BBBB) over sda2");

	/* a volume over LUKS and a plain partition is not encrypted as a whole */
	point_dev("virtual/block/dm-3");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_NONE);
	CHECK(strstr(e.device, "over dm-0 (luks-abc") && strstr(e.device, "and over sda2"));

	/* a plain partition */
	point_dev("pci/block/sda/sda2");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_NONE);
	CHECK_STR(e.device, "sda2");

	/* no block entry for the device (btrfs' anonymous st_dev): found by the mount's source */
	point_dev(NULL);
	mountinfo("btrfs", "/dev/mapper/vg-home");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_DM_CRYPT);
	CHECK(strstr(e.device, "dm-1 (vg-home") != NULL);
	mountinfo("btrfs", "/dev/sda2");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_NONE);
	mountinfo("zfs", "tank/home");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_UNKNOWN);
	CHECK_STR(e.fstype, "zfs");

	/* eCryptfs is told by the mount's type */
	mountinfo("ecryptfs", "/home/.ecryptfs/alice/.Private");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK_INT(e.mech, CHECK_AT_REST_ECRYPTFS);
	CHECK_STR(e.device, "/home/.ecryptfs/alice/.Private");

	/* a path that does not exist */
	fx_tmp_path(store, sizeof(store), "no-such");
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), -ENOENT);

	/* this machine's own /sys and mountinfo: some verdict, never an error */
	fx_tmp_path(store, sizeof(store), "store");
	s = (struct check_at_rest_sys){ "/sys", "/proc/self/mountinfo" };
	CHECK_INT(check_at_rest_encryption_of(&s, &c, store, &e), 0);
	CHECK(e.fstype[0] != '\0');
}

/* ---- the checks over a fixture root --------------------------------------------------- */

static char root[256];
static struct audit_home home;
static char home_path[300];

/* A fixture root whose /etc/group names the test's gid group, with members. */
static void make_root(const char *group, const char *members)
{
	char line[512];

	fx_tmp_rm("root");
	fx_tmp_mkdirs_mode("root/etc", 0755);
	fx_tmp_mkdirs_mode("root/home/alice", 0755);
	fx_tmp_path(root, sizeof(root), "root");
	chmod(root, 0755);
	/* alice is whoever runs the test, so the fixture's files are hers without chown */
	snprintf(line, sizeof(line), "alice:x:%u:%u::/home/alice:/bin/sh\n",
		 (unsigned int)geteuid(), (unsigned int)getegid());
	fx_tmp_put_mode("root/etc/passwd", line, 0644);
	snprintf(line, sizeof(line), "%s:x:%u:%s\n", group, (unsigned int)getegid(), members);
	fx_tmp_put_mode("root/etc/group", line, 0644);
	snprintf(home_path, sizeof(home_path), "%s/home/alice", root);
	home = (struct audit_home){ .path = home_path, .user = "alice", .uid = geteuid() };
}

static struct audit_report *run_perm(void)
{
	struct audit_ctx c = {
		.root = root, .live = false, .homes = &home, .n_homes = 1, .privileged = true
	};
	struct audit_report *r = audit_report_new();

	CHECK(r != NULL);
	if (r)
		CHECK_INT(check_at_rest_permissions(&c, r), 0);
	return r;
}

#define GPT4ALL "root/home/alice/.local/share/nomic.ai/GPT4All"
#define OLLAMA "root/home/alice/.ollama"

static void test_permissions(void)
{
	const struct audit_finding *f;
	struct audit_report *r;

	/* nothing installed: SKIP */
	make_root("alice", "");
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "chat histories"), AUDIT_SKIP,
		     "none of a known"));
	audit_report_free(r);

	/* a world-readable chat directory: FAIL, naming a chat file and its mode */
	fx_tmp_mkdirs_mode(GPT4ALL, 0755);
	fx_tmp_put_mode(GPT4ALL "/gpt4all-0a1b.chat", "secret", 0644);
	fx_tmp_put_mode(GPT4ALL "/localdocs_v2.db", "db", 0600);
	fx_tmp_put_mode(GPT4ALL "/model.gguf", "GGUF", 0644);
	r = run_perm();
	f = find(r, "at-rest-permissions", "/GPT4All");
	CHECK(fx_has(f, AUDIT_FAIL, "other users can read 2 files, e.g. "));
	CHECK(fx_has(f, AUDIT_FAIL, "(0644 alice:alice)"));
	CHECK(fx_has(f, AUDIT_FAIL,
		     "GPT4All's chats and LocalDocs database (0755 alice:alice, 3 "
		     "entries under it)"));
	CHECK(f && f->fix && strstr(f->fix, "chmod -R go-rwx"));
	CHECK(f && f->tool && !strcmp(f->tool, "gpt4all"));
	/* the folder is both a model and a chat store: judged once, as chats */
	{
		const struct audit_finding *all;
		size_t n = audit_findings(r, &all), k = 0;

		for (size_t i = 0; i < n; i++)
			k += strstr(all[i].subject, "/GPT4All") != NULL;
		CHECK_INT(k, 1);
	}
	audit_report_free(r);

	/* 0700 and 0600: PASS */
	{
		char p[512];

		fx_tmp_path(p, sizeof(p), GPT4ALL);
		chmod(p, 0700);
		fx_tmp_path(p, sizeof(p), GPT4ALL "/gpt4all-0a1b.chat");
		chmod(p, 0600);
		fx_tmp_path(p, sizeof(p), GPT4ALL "/model.gguf");
		chmod(p, 0600);
	}
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/GPT4All"), AUDIT_PASS,
		     "none readable by other users"));
	audit_report_free(r);

	/* open modes behind a closed home: WARN for chats, PASS (said) for models */
	fx_tmp_rm(GPT4ALL);
	fx_tmp_mkdirs_mode(GPT4ALL, 0755);
	fx_tmp_put_mode(GPT4ALL "/gpt4all-0a1b.chat", "secret", 0644);
	fx_tmp_mkdirs_mode(OLLAMA "/models/blobs", 0755);
	fx_tmp_put_mode(OLLAMA "/models/blobs/sha256-00", "GGUF", 0644);
	fx_tmp_mkdirs_mode("root/home/alice", 0700);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/GPT4All"), AUDIT_WARN,
		     "modes that let other users read them; only "));
	CHECK(fx_has(find(r, "at-rest-permissions", "/GPT4All"), AUDIT_WARN,
		     "/home/alice (0700 alice:alice) keeps them out"));
	CHECK(fx_has(find(r, "at-rest-permissions", "/.ollama/models"), AUDIT_PASS,
		     "keeps them out)"));
	audit_report_free(r);

	/* an open home: a world-readable model store WARNs */
	fx_tmp_mkdirs_mode("root/home/alice", 0755);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/.ollama/models"), AUDIT_WARN,
		     "other users can read 1 files, e.g. "));
	audit_report_free(r);

	/* Ollama's history is a file: 0644 FAILs, 0600 PASSes */
	fx_tmp_put_mode(OLLAMA "/history", "my prompt", 0644);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/.ollama/history"), AUDIT_FAIL,
		     "other users can read 1 files"));
	audit_report_free(r);
	fx_tmp_put_mode(OLLAMA "/history", "my prompt", 0600);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/.ollama/history"), AUDIT_PASS,
		     "Ollama's prompt history (0600 alice:alice): none readable"));
	audit_report_free(r);

	/* a model directory others can write to: FAIL (a model can be swapped) */
	{
		char p[512];

		fx_tmp_path(p, sizeof(p), OLLAMA "/models/blobs");
		chmod(p, 0777);
		r = run_perm();
		CHECK(fx_has(find(r, "at-rest-permissions", "/.ollama/models"), AUDIT_FAIL,
			     "other users can replace or add model files: 1 writable by them"));
		audit_report_free(r);
		chmod(p, 01777); /* sticky: others cannot replace what is there */
		r = run_perm();
		CHECK(fx_has(find(r, "at-rest-permissions", "/.ollama/models"), AUDIT_WARN,
			     "other users can read"));
		audit_report_free(r);
		chmod(p, 0700);
		fx_tmp_path(p, sizeof(p), OLLAMA "/models");
		chmod(p, 0700);
	}

	/* group-readable: fine for the owner's private group, not for a shared one */
	fx_tmp_rm(GPT4ALL);
	fx_tmp_mkdirs_mode(GPT4ALL, 0750);
	fx_tmp_put_mode(GPT4ALL "/gpt4all-0a1b.chat", "secret", 0640);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/GPT4All"), AUDIT_PASS, "none readable"));
	audit_report_free(r);
	make_root("staff", "alice,bob");
	fx_tmp_mkdirs_mode(GPT4ALL, 0750);
	fx_tmp_put_mode(GPT4ALL "/gpt4all-0a1b.chat", "secret", 0640);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/GPT4All"), AUDIT_FAIL, "(0640 alice:staff)"));
	audit_report_free(r);

	/* owned by another user: FAIL whatever its mode where others reach it, WARN where the
	 * directory above keeps them out (only as root: chown) */
	make_root("alice", "");
	fx_tmp_mkdirs_mode(GPT4ALL, 0755);
	fx_tmp_put_mode(GPT4ALL "/gpt4all-0a1b.chat", "secret", 0600);
	if (geteuid() == 0) {
		char p[512], d[512];

		fx_tmp_path(p, sizeof(p), GPT4ALL "/gpt4all-0a1b.chat");
		fx_tmp_path(d, sizeof(d), GPT4ALL);
		CHECK_INT(chown(p, 4321, 4321), 0);
		r = run_perm();
		f = find(r, "at-rest-permissions", "/GPT4All");
		CHECK(fx_has(f, AUDIT_FAIL, "; owned by another user: "));
		CHECK(fx_has(f, AUDIT_FAIL, "(0600 4321:4321)"));
		CHECK(f && f->fix && strstr(f->fix, "chown -R alice"));
		audit_report_free(r);
		chmod(d, 0700);
		r = run_perm();
		CHECK(fx_has(
			find(r, "at-rest-permissions", "/GPT4All"), AUDIT_WARN,
			"the directories above keep other users out today; owned by another user: 1, e.g. "));
		audit_report_free(r);
		CHECK_INT(chown(p, geteuid(), getegid()), 0);
	}
	{
		char d[512];

		fx_tmp_path(d, sizeof(d), GPT4ALL);
		chmod(d, 0700);
	}

	/* the walk's depth is bounded, and says so */
	fx_tmp_mkdirs_mode(GPT4ALL "/a/b/c/d/e/f/g/h", 0700);
	r = run_perm();
	CHECK(fx_has(find(r, "at-rest-permissions", "/GPT4All"), AUDIT_PASS,
		     "; 1 directories deeper than 6 levels not entered"));
	audit_report_free(r);
}

static void test_encryption_check(void)
{
	struct audit_ctx c = {
		.root = root, .live = false, .homes = &home, .n_homes = 1, .privileged = true
	};
	struct check_at_rest_sys s;
	const struct audit_finding *f;
	struct audit_report *r;
	char sys[256], mi[256];

	fx_tmp_path(sys, sizeof(sys), "sys");
	fx_tmp_path(mi, sizeof(mi), "mountinfo");
	s = (struct check_at_rest_sys){ sys, mi };
	make_root("alice", "");

	r = audit_report_new();
	CHECK_INT(check_at_rest_encryption_with(&c, r, &s), 0);
	CHECK(fx_has(find(r, "at-rest-encryption", "chat histories"), AUDIT_SKIP,
		     "none of a known"));
	audit_report_free(r);

	fx_tmp_mkdirs_mode(GPT4ALL, 0700);
	point_dev("virtual/block/dm-1");
	mountinfo("ext4", "/dev/mapper/vg-home");
	r = audit_report_new();
	CHECK_INT(check_at_rest_encryption_with(&c, r, &s), 0);
	f = find(r, "at-rest-encryption", "/GPT4All");
	CHECK(fx_has(f, AUDIT_PASS,
		     "GPT4All's chats and LocalDocs database: dm-crypt: on dm-1 "
		     "(vg-home, LVM-AAAA) over dm-0 (luks-abc, CRYPT-LUKS2-"));
	CHECK(fx_has(f, AUDIT_PASS, "ext4 mounted at /"));
	CHECK(f && !f->fix && f->source && strstr(f->source, "encrypted storage"));
	audit_report_free(r);

	point_dev("virtual/block/dm-2");
	r = audit_report_new();
	CHECK_INT(check_at_rest_encryption_with(&c, r, &s), 0);
	f = find(r, "at-rest-encryption", "/GPT4All");
	CHECK(fx_has(f, AUDIT_WARN, "not encrypted: on dm-2 (vg-plain, LVM-BBBB) over sda2"));
	CHECK(fx_has(f, AUDIT_WARN, "(the device of this machine that holds the image)"));
	CHECK(f && f->fix && strstr(f->fix, "LUKS"));
	audit_report_free(r);

	mountinfo("zfs", "tank/home");
	point_dev(NULL);
	r = audit_report_new();
	CHECK_INT(check_at_rest_encryption_with(&c, r, &s), 0);
	CHECK(fx_has(find(r, "at-rest-encryption", "/GPT4All"), AUDIT_WARN,
		     "could not tell: zfs mounted at / from tank/home"));
	audit_report_free(r);

	mountinfo("tmpfs", "tmpfs");
	r = audit_report_new();
	CHECK_INT(check_at_rest_encryption_with(&c, r, &s), 0);
	CHECK(fx_has(find(r, "at-rest-encryption", "/GPT4All"), AUDIT_WARN,
		     "in memory (tmpfs mounted at /), not on a disk"));
	audit_report_free(r);
}

int main(void)
{
	fx_tmp_init("at-rest");
	test_encryption_of();
	test_permissions();
	test_encryption_check();
	fx_tmp_done();
	return check_summary("test_check_at_rest");
}
