// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of feeding the record path from a byte stream: records built here, laid end to
 * end (unaligned, as in a file), go through monitor_handle_record() to the JSON sink; a
 * stream cut short or with an impossible size stops with an error naming the offset.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "monitor/monitor.h"
#include "monitor/record_stream.h"
#include "util/timefmt.h"

static unsigned char stream[16384];
static size_t stream_len;

static void hdr(struct lw_rec_hdr *h, unsigned int type, size_t size, uint32_t pid, uint16_t tool)
{
	static uint64_t ts = 1000000000ull;

	memset(h, 0, sizeof(*h));
	h->type = (__u16)type;
	h->size = (__u16)size;
	h->version = LW_RECORD_VERSION;
	h->tool = tool;
	h->ts_ns = (ts += 1000);
	h->pid = h->tid = pid;
	memcpy(h->comm, "mytool", 6);
}

static void append(const void *rec, size_t size)
{
	memcpy(stream + stream_len, rec, size);
	stream_len += size;
}

static size_t add_exec(uint32_t pid, uint16_t tool, const char *filename)
{
	struct lw_rec_exec r;
	size_t n = strlen(filename), size = offsetof(struct lw_rec_exec, filename) + n + 1;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, LW_REC_EXEC, size, pid, tool);
	r.hdr.flags = LW_F_CANDIDATE;
	r.ppid = 1;
	r.match = LW_MATCH_NAME;
	r.filename_len = (__u16)n;
	memcpy(r.filename, filename, n + 1);
	append(&r, size);
	return size;
}

static size_t add_open(uint32_t pid, uint16_t tool, const char *path)
{
	struct lw_rec_open r;
	size_t n = strlen(path), size = offsetof(struct lw_rec_open, path) + n + 1;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, LW_REC_OPEN, size, pid, tool);
	r.dfd = -100;
	r.ret = 3;
	r.path_len = (__u16)n;
	memcpy(r.path, path, n + 1);
	append(&r, size);
	return size;
}

static size_t add_exit(uint32_t pid, uint16_t tool)
{
	struct lw_rec_exit r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, LW_REC_EXIT, sizeof(r), pid, tool);
	append(&r, sizeof(r));
	return sizeof(r);
}

/* ---- a monitor writing JSON to memory, with a kernel that does nothing ---------------- */

static int k_track(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root)
{
	(void)ctx, (void)pid, (void)tool, (void)reason, (void)root;
	return 0;
}

static void k_untrack(void *ctx, uint32_t pid)
{
	(void)ctx, (void)pid;
}

static int k_retool(void *ctx, uint32_t pid, uint16_t tool)
{
	(void)ctx, (void)pid, (void)tool;
	return 0;
}

static const struct monitor_kernel_ops kops = {
	.track = k_track,
	.untrack = k_untrack,
	.retool = k_retool,
};

static FILE *out;
static char *out_buf;
static size_t out_len;

static uint16_t setup(struct monitor *m)
{
	uint16_t tool;

	CHECK_INT(monitor_init(m), 0);
	profiles_init(&m->profiles);
	tool = (uint16_t)profiles_add_watch(&m->profiles, "mytool");
	CHECK(tool > 0);
	m->kops = &kops;
	m->proc_root = "/nonexistent"; /* nothing to learn from /proc: the records say it all */
	if (out)
		fclose(out);
	free(out_buf);
	out_buf = NULL;
	out = open_memstream(&out_buf, &out_len);
	m->sink = sink_json_new(out);
	stream_len = 0;
	return tool;
}

static void teardown(struct monitor *m)
{
	sink_destroy(m->sink);
	monitor_free(m);
}

/* The "type" of each line written so far, space-separated; only lines of pid. */
static const char *types_written(uint32_t pid)
{
	static char types[256];
	char *line, *save = NULL, *copy;

	fflush(out);
	types[0] = '\0';
	copy = strndup(out_buf ? out_buf : "", out_len);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pid");

		if (cJSON_IsString(t) && cJSON_IsNumber(p) && (uint32_t)p->valuedouble == pid) {
			if (types[0])
				strcat(types, " ");
			strncat(types, t->valuestring, sizeof(types) - strlen(types) - 16);
		}
		cJSON_Delete(o);
	}
	free(copy);
	return types;
}

/* ---- tests --------------------------------------------------------------------------- */

/* three records of different sizes, from an odd offset: all handled, in order */
static void test_feed(void)
{
	struct monitor m;
	uint16_t tool = setup(&m);
	char err[160] = "";
	size_t off = 99;

	stream[0] = 0xee; /* a stray byte first, so every record below is unaligned */
	stream_len = 1;
	add_exec(500, tool, "/usr/bin/mytool");
	add_open(500, tool, "/home/u/.ssh/id_ed25519");
	add_exit(500, tool);
	CHECK_INT(record_stream_feed(&m, stream + 1, stream_len - 1, &off, err, sizeof(err)), 0);
	CHECK_INT(off, stream_len - 1);
	CHECK_STR(err, "");
	CHECK_INT(m.stats.records, 3);
	CHECK_INT(m.stats.decode_errors, 0);
	CHECK_STR(types_written(500), "exec open exit");
	CHECK(strstr(out_buf, "\"path\":\"/home/u/.ssh/id_ed25519\"") != NULL);
	CHECK(strstr(out_buf, "\"tool\":\"watch:mytool\"") != NULL);

	/* nothing is not an error */
	CHECK_INT(record_stream_feed(&m, stream, 0, &off, err, sizeof(err)), 0);
	CHECK_INT(off, 0);
	teardown(&m);
}

/* framing errors stop the walk at the bad record, naming its offset */
static void test_bad_framing(void)
{
	struct monitor m;
	uint16_t tool = setup(&m);
	struct lw_rec_hdr *h;
	char err[160];
	size_t off, first, second;

	/* cut short: the last record lacks its tail */
	first = add_exec(600, tool, "/usr/bin/mytool");
	second = add_open(600, tool, "/etc/hosts");
	CHECK_INT(record_stream_feed(&m, stream, stream_len - 3, &off, err, sizeof(err)), -EBADMSG);
	CHECK_INT(off, first);
	CHECK_INT(m.stats.records, 1); /* the one before it was handled */
	{
		char want[160];

		snprintf(want, sizeof(want),
			 "record at offset %zu: size %zu runs past the end "
			 "(%zu bytes left)",
			 first, second, second - 3);
		CHECK_STR(err, want);
	}

	/* fewer bytes than a header */
	CHECK_INT(record_stream_feed(&m, stream, first + 10, &off, err, sizeof(err)), -EBADMSG);
	CHECK_INT(off, first);
	CHECK(strstr(err, "10 bytes left, less than a header (48)") != NULL);

	/* a size below the header's: a zero would loop forever */
	h = (struct lw_rec_hdr *)(void *)(stream + first);
	h->size = 0;
	CHECK_INT(record_stream_feed(&m, stream, stream_len, &off, err, sizeof(err)), -EBADMSG);
	CHECK_INT(off, first);
	CHECK(strstr(err, "size 0, not between a header (48) and the largest record") != NULL);

	/* oversized: more than any record (and more than the stream holds) */
	h->size = 60000;
	CHECK_INT(record_stream_feed(&m, stream, stream_len, &off, err, sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "record at offset ") == err);
	CHECK(strstr(err, "size 60000, not between") != NULL);

	/* a well-framed record of an unknown type is the record path's: counted, walk goes on */
	stream_len = 0;
	add_exit(601, tool);
	((struct lw_rec_hdr *)(void *)stream)->type = 999;
	add_exit(601, tool);
	m.stats.decode_errors = 0;
	CHECK_INT(record_stream_feed(&m, stream, stream_len, &off, err, sizeof(err)), 0);
	CHECK_INT(m.stats.decode_errors, 1);
	CHECK_STR(types_written(601), "exit");
	teardown(&m);
}

int main(void)
{
	if (timefmt_init())
		return 1;
	test_feed();
	test_bad_framing();
	if (out)
		fclose(out);
	free(out_buf);
	return check_summary("test_record_stream");
}
