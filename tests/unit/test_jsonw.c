// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the JSON writer: hostile strings still give valid JSON whose decoded value is
 * the escape_bytes() form of the input; nesting; numbers at their limits. Validity is judged
 * by cJSON, an independent parser.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/escape.h"
#include "util/jsonw.h"

static const char *esc_of(const char *s, size_t n)
{
	static char buf[8192];

	escape_bytes(buf, sizeof(buf), s, n);
	return buf;
}

static void test_hostile_strings(void)
{
	static const struct {
		const char *s;
		size_t n;
	} inputs[] = {
#define IN(lit) { lit, sizeof(lit) - 1 }
		IN("plain"),
		IN(""),
		IN("\"quoted\" \"\""),
		IN("back\\slash\\"),
		IN("\\\""),
		IN("\"}],\"x\":1,{"),
		IN("line\nfeed\rcr\ttab"),
		IN("\x01\x02\x1b[31m\x7f"),
		IN("nul\0inside"),
		IN("\x80\xff\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80"),
		IN("\xc2\x85 NEL and \xe2\x80\xae RLO"),
		IN("\xe2\x80\xa8 LS \xe2\x80\xa9 PS"),
		IN("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
		IN("\\u0000 and \\x00"),
		IN("/</script>"),
#undef IN
	};
	struct jsonw w;

	jsonw_init(&w);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		cJSON *root, *v, *k;
		const char *want = esc_of(inputs[i].s, inputs[i].n);

		jsonw_begin(&w);
		jsonw_bytes(&w, "v", inputs[i].s, inputs[i].n);
		jsonw_open(&w, "arr", '[');
		jsonw_elem_str(&w, inputs[i].s); /* up to the first NUL */
		jsonw_close(&w, ']');
		jsonw_str(&w, "\"key\\", "k"); /* keys are quoted too */
		CHECK_INT(jsonw_end(&w), 0);
		CHECK(strchr(w.buf, '\n') == NULL); /* one line */
		for (const unsigned char *p = (const unsigned char *)w.buf; *p; p++) {
			if (*p < 0x20 || *p == 0x7f) {
				CHECK(!"raw control byte in JSON output");
				break;
			}
		}
		root = cJSON_Parse(w.buf);
		CHECK(root != NULL);
		if (!root) {
			fprintf(stderr, "unparseable: %s\n", w.buf);
			continue;
		}
		CHECK_INT(cJSON_GetArraySize(root), 3);
		v = cJSON_GetObjectItemCaseSensitive(root, "v");
		CHECK(cJSON_IsString(v));
		if (cJSON_IsString(v))
			CHECK_STR(v->valuestring, want);
		v = cJSON_GetObjectItemCaseSensitive(root, "arr");
		CHECK(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1);
		if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1)
			CHECK_STR(cJSON_GetArrayItem(v, 0)->valuestring,
				  esc_of(inputs[i].s, strlen(inputs[i].s)));
		k = cJSON_GetObjectItemCaseSensitive(root, "\"key\\");
		CHECK(cJSON_IsString(k) && strcmp(k->valuestring, "k") == 0);
		cJSON_Delete(root);
	}

	/* exact text for one hostile value */
	jsonw_begin(&w);
	jsonw_bytes(&w, "comm", "a\"b\\c\n\x1b", 7);
	CHECK_INT(jsonw_end(&w), 0);
	CHECK_STR(w.buf, "{\"comm\":\"a\\\"b\\\\\\\\c\\\\n\\\\x1b\"}");
	jsonw_free(&w);
}

static void test_long_string(void)
{
	/* longer than jsonw_bytes' stack buffer once escaped, and than the first allocation */
	size_t n = 3000;
	char *s = malloc(n);
	struct jsonw w;
	cJSON *root, *v;

	for (size_t i = 0; i < n; i++)
		s[i] = (i % 3 == 0) ? '\x01' : (i % 3 == 1) ? '"' : 'z';
	jsonw_init(&w);
	jsonw_begin(&w);
	jsonw_bytes(&w, "s", s, n);
	CHECK_INT(jsonw_end(&w), 0);
	root = cJSON_Parse(w.buf);
	v = cJSON_GetObjectItemCaseSensitive(root, "s");
	CHECK(cJSON_IsString(v));
	if (cJSON_IsString(v)) {
		CHECK_INT(strlen(v->valuestring), n / 3 * 6);
		CHECK_STR(v->valuestring, esc_of(s, n));
	}
	cJSON_Delete(root);
	jsonw_free(&w);
	free(s);
}

static void test_nesting_and_numbers(void)
{
	struct jsonw w;
	cJSON *root, *o, *a, *x;

	jsonw_init(&w);
	jsonw_begin(&w);
	jsonw_int(&w, "i", -42);
	jsonw_int(&w, "imin", INT64_MIN);
	jsonw_int(&w, "imax", INT64_MAX);
	jsonw_uint(&w, "umax", UINT64_MAX);
	jsonw_uint(&w, "zero", 0);
	jsonw_bool(&w, "t", true);
	jsonw_bool(&w, "f", false);
	jsonw_null(&w, "n");
	jsonw_open(&w, "obj", '{');
	jsonw_str(&w, "a", "1");
	jsonw_open(&w, "inner", '[');
	jsonw_open(&w, NULL, '{');
	jsonw_uint(&w, "k", 1);
	jsonw_close(&w, '}');
	jsonw_open(&w, NULL, '{');
	jsonw_close(&w, '}');
	jsonw_elem_str(&w, "s");
	jsonw_open(&w, NULL, '[');
	jsonw_close(&w, ']');
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	jsonw_open(&w, "empty", '[');
	jsonw_close(&w, ']');
	jsonw_str(&w, "last", "end");
	CHECK_INT(jsonw_end(&w), 0);
	CHECK_STR(w.buf,
		  "{\"i\":-42,\"imin\":-9223372036854775808,\"imax\":9223372036854775807,"
		  "\"umax\":18446744073709551615,\"zero\":0,\"t\":true,\"f\":false,\"n\":null,"
		  "\"obj\":{\"a\":\"1\",\"inner\":[{\"k\":1},{},\"s\",[]]},\"empty\":[],"
		  "\"last\":\"end\"}");
	root = cJSON_Parse(w.buf);
	CHECK(root != NULL);
	x = cJSON_GetObjectItemCaseSensitive(root, "t");
	CHECK(cJSON_IsTrue(x));
	x = cJSON_GetObjectItemCaseSensitive(root, "n");
	CHECK(cJSON_IsNull(x));
	o = cJSON_GetObjectItemCaseSensitive(root, "obj");
	a = cJSON_GetObjectItemCaseSensitive(o, "inner");
	CHECK_INT(cJSON_GetArraySize(a), 4);
	cJSON_Delete(root);

	/* begin discards the previous object */
	jsonw_begin(&w);
	jsonw_uint(&w, "only", 1);
	CHECK_INT(jsonw_end(&w), 0);
	CHECK_STR(w.buf, "{\"only\":1}");
	jsonw_begin(&w);
	CHECK_INT(jsonw_end(&w), 0);
	CHECK_STR(w.buf, "{}");
	jsonw_free(&w);
}

int main(void)
{
	test_hostile_strings();
	test_long_string();
	test_nesting_and_numbers();
	return check_summary("test_jsonw");
}
