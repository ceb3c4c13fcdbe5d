// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A strict, position-keeping JSON reader for rule files (see rules_json.h). */
#include "rules/rules_json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/utf8.h"

#define RULES_JSON_MAX_DEPTH 64

struct jp {
	const unsigned char *s;
	size_t len, pos;
	int line, col; /* of s[pos] */
	char *err;
	size_t err_size;
	int eline, ecol;
	bool failed;
	bool nomem;
};

/* Moves past one byte, keeping line and column: continuation bytes of a UTF-8 sequence
 * belong to the character already counted. */
static void jp_adv(struct jp *p)
{
	unsigned char c = p->s[p->pos++];

	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		p->col++;
	}
}

__attribute__((format(printf, 2, 3))) static void jp_fail(struct jp *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->eline = p->line;
	p->ecol = p->col;
	if (p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->err_size, fmt, ap);
		va_end(ap);
	}
}

static void jp_fail_nomem(struct jp *p)
{
	jp_fail(p, "out of memory");
	p->nomem = true;
}

static void jp_ws(struct jp *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		jp_adv(p);
	}
}

/* Describes the byte at the current position for a message: 'x', or an escape. */
static const char *jp_here(struct jp *p, char *buf, size_t size)
{
	size_t n;

	if (p->pos >= p->len)
		return "end of input";
	/* show a whole UTF-8 character when it is one */
	n = 1;
	while (p->pos + n < p->len && n < 4 && (p->s[p->pos + n] & 0xc0) == 0x80)
		n++;
	buf[0] = '\'';
	escape_bytes(buf + 1, size - 2, (const char *)p->s + p->pos, n);
	strcat(buf, "'");
	return buf;
}

static struct rules_json *jp_new(struct jp *p, enum rules_json_type t, int line, int col)
{
	struct rules_json *v = calloc(1, sizeof(*v));

	if (!v) {
		jp_fail_nomem(p);
		return NULL;
	}
	v->type = t;
	v->line = line;
	v->col = col;
	return v;
}

static unsigned int jp_hex4(const unsigned char *h)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = h[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return 0xffffffffu;
	}
	return v;
}

static size_t utf8_put(char *d, unsigned int cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of a valid multi-byte UTF-8 sequence starting at s (2-4), or 0. */
static size_t utf8_valid(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n = utf8_decode(s, avail, &cp);

	return n >= 2 ? n : 0;
}

/* Parses a string at p->pos (which is '"'); returns the decoded copy or NULL. */
static char *jp_string(struct jp *p)
{
	size_t start, cap;
	char *out, *d;

	jp_adv(p); /* the quote */
	start = p->pos;
	/* decoded text is never longer than the source */
	for (cap = 0; start + cap < p->len && p->s[start + cap] != '"'; cap++)
		if (p->s[start + cap] == '\\')
			cap++;
	out = malloc(cap + 1);
	if (!out) {
		jp_fail_nomem(p);
		return NULL;
	}
	d = out;
	for (;;) {
		unsigned char c;
		char here[16];

		if (p->pos >= p->len) {
			jp_fail(p, "unterminated string");
			goto fail;
		}
		c = p->s[p->pos];
		if (c == '"') {
			jp_adv(p);
			break;
		}
		if (c < 0x20) {
			jp_fail(p, "control character %s in string (write it as an escape)",
				jp_here(p, here, sizeof(here)));
			goto fail;
		}
		if (c >= 0x80) {
			size_t n = utf8_valid(p->s + p->pos, p->len - p->pos);

			if (!n) {
				jp_fail(p, "invalid UTF-8 in string");
				goto fail;
			}
			memcpy(d, p->s + p->pos, n);
			d += n;
			for (size_t i = 0; i < n; i++)
				jp_adv(p);
			continue;
		}
		if (c != '\\') {
			*d++ = (char)c;
			jp_adv(p);
			continue;
		}
		if (p->pos + 1 >= p->len) {
			jp_fail(p, "unterminated string");
			goto fail;
		}
		c = p->s[p->pos + 1];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*d++ = (char)c;
			break;
		case 'b':
			*d++ = '\b';
			break;
		case 'f':
			*d++ = '\f';
			break;
		case 'n':
			*d++ = '\n';
			break;
		case 'r':
			*d++ = '\r';
			break;
		case 't':
			*d++ = '\t';
			break;
		case 'u': {
			unsigned int cp, lo;

			if (p->pos + 6 > p->len ||
			    (cp = jp_hex4(p->s + p->pos + 2)) == 0xffffffffu) {
				jp_fail(p, "bad \\u escape: four hex digits expected");
				goto fail;
			}
			if (cp == 0) {
				jp_fail(p, "\\u0000 is not allowed in strings");
				goto fail;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				jp_fail(p, "bad \\u escape: lone low surrogate");
				goto fail;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->pos + 12 > p->len || p->s[p->pos + 6] != '\\' ||
				    p->s[p->pos + 7] != 'u' ||
				    (lo = jp_hex4(p->s + p->pos + 8)) < 0xdc00 || lo > 0xdfff) {
					jp_fail(p,
						"bad \\u escape: high surrogate without low surrogate");
					goto fail;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				for (int i = 0; i < 6; i++)
					jp_adv(p);
			}
			d += utf8_put(d, cp);
			for (int i = 0; i < 4; i++)
				jp_adv(p);
			break;
		}
		default:
			jp_adv(p);
			jp_fail(p, "invalid escape in string: '\\' followed by %s",
				jp_here(p, here, sizeof(here)));
			goto fail;
		}
		jp_adv(p);
		jp_adv(p);
	}
	*d = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

static bool jp_digit(struct jp *p)
{
	return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static void jp_number(struct jp *p, struct rules_json *v)
{
	size_t start = p->pos;
	char buf[64];
	size_t n;

	v->is_int = true;
	if (p->s[p->pos] == '-')
		jp_adv(p);
	if (!jp_digit(p)) {
		jp_fail(p, "invalid number: digit expected");
		return;
	}
	if (p->s[p->pos] == '0') {
		jp_adv(p);
		if (jp_digit(p)) {
			jp_fail(p, "invalid number: leading zero");
			return;
		}
	} else {
		while (jp_digit(p))
			jp_adv(p);
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		v->is_int = false;
		jp_adv(p);
		if (!jp_digit(p)) {
			jp_fail(p, "invalid number: digit expected after '.'");
			return;
		}
		while (jp_digit(p))
			jp_adv(p);
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		v->is_int = false;
		jp_adv(p);
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			jp_adv(p);
		if (!jp_digit(p)) {
			jp_fail(p, "invalid number: digit expected in exponent");
			return;
		}
		while (jp_digit(p))
			jp_adv(p);
	}
	n = p->pos - start;
	if (n >= sizeof(buf)) {
		/* long digit strings: only the double is meaningful */
		v->num = HUGE_VAL;
		v->int_overflow = v->is_int;
		return;
	}
	memcpy(buf, p->s + start, n);
	buf[n] = '\0';
	v->num = strtod(buf, NULL);
	if (v->is_int) {
		errno = 0;
		v->inum = strtoll(buf, NULL, 10);
		v->int_overflow = errno == ERANGE;
	}
}

static bool jp_literal(struct jp *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		jp_adv(p);
	return true;
}

static struct rules_json *jp_value(struct jp *p, int depth);

static struct rules_json *jp_container(struct jp *p, int depth, bool is_obj)
{
	struct rules_json *v, **tail;
	char here[16];
	unsigned char close = is_obj ? '}' : ']';

	v = jp_new(p, is_obj ? RULES_JSON_OBJECT : RULES_JSON_ARRAY, p->line, p->col);
	if (!v)
		return NULL;
	if (depth >= RULES_JSON_MAX_DEPTH) {
		jp_fail(p, "nesting deeper than %d levels", RULES_JSON_MAX_DEPTH);
		return v;
	}
	tail = &v->child;
	jp_adv(p);
	jp_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		jp_adv(p);
		return v;
	}
	for (;;) {
		struct rules_json *item;
		char *key = NULL;
		int kline = 0, kcol = 0;

		if (is_obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				jp_fail(p, "expected a member name in double quotes, found %s",
					jp_here(p, here, sizeof(here)));
				return v;
			}
			kline = p->line;
			kcol = p->col;
			key = jp_string(p);
			if (!key)
				return v;
			for (const struct rules_json *o = v->child; o; o = o->next) {
				if (strcmp(o->key, key) == 0) {
					char ek[128];
					int l = p->line, c = p->col;

					/* point at the second occurrence, not after it */
					p->line = kline;
					p->col = kcol;
					escape_str(ek, sizeof(ek), key);
					jp_fail(p, "duplicate key \"%s\" (first at line %d)", ek,
						o->key_line);
					p->line = l;
					p->col = c;
					free(key);
					return v;
				}
			}
			jp_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				jp_fail(p, "expected ':' after member name, found %s",
					jp_here(p, here, sizeof(here)));
				free(key);
				return v;
			}
			jp_adv(p);
			jp_ws(p);
		}
		item = jp_value(p, depth + 1);
		if (!item) {
			free(key);
			return v;
		}
		item->key = key;
		item->key_line = kline;
		item->key_col = kcol;
		*tail = item;
		tail = &item->next;
		v->n++;
		if (p->failed)
			return v;
		jp_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			jp_adv(p);
			jp_ws(p);
			if (p->pos < p->len && p->s[p->pos] == close) {
				jp_fail(p, "trailing comma before '%c'", close);
				return v;
			}
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			jp_adv(p);
			return v;
		}
		jp_fail(p, "expected ',' or '%c', found %s", close, jp_here(p, here, sizeof(here)));
		return v;
	}
}

static struct rules_json *jp_value(struct jp *p, int depth)
{
	struct rules_json *v;
	char here[16];
	unsigned char c;

	if (p->pos >= p->len) {
		jp_fail(p, "unexpected end of input: a value was expected");
		return NULL;
	}
	c = p->s[p->pos];
	switch (c) {
	case '{':
		return jp_container(p, depth, true);
	case '[':
		return jp_container(p, depth, false);
	case '"':
		v = jp_new(p, RULES_JSON_STRING, p->line, p->col);
		if (v)
			v->str = jp_string(p);
		return v;
	case 't':
	case 'f':
	case 'n':
		v = jp_new(p,
			   c == 't' ? RULES_JSON_TRUE :
			   c == 'f' ? RULES_JSON_FALSE :
				      RULES_JSON_NULL,
			   p->line, p->col);
		if (v && !jp_literal(p, c == 't' ? "true" : c == 'f' ? "false" : "null"))
			jp_fail(p, "unexpected %s: a value was expected",
				jp_here(p, here, sizeof(here)));
		return v;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			v = jp_new(p, RULES_JSON_NUMBER, p->line, p->col);
			if (v)
				jp_number(p, v);
			return v;
		}
		jp_fail(p, "unexpected %s: a value was expected", jp_here(p, here, sizeof(here)));
		return NULL;
	}
}

struct rules_json *rules_json_parse(const char *text, size_t len, char *err, size_t err_size,
				    int *line, int *col)
{
	struct jp p = { .s = (const unsigned char *)text,
			.len = len,
			.line = 1,
			.col = 1,
			.err = err,
			.err_size = err_size };
	struct rules_json *root;

	if (err_size)
		err[0] = '\0';
	/* a UTF-8 byte order mark is harmless; skip it rather than report it */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p.pos = 3;
	jp_ws(&p);
	root = jp_value(&p, 0);
	if (!p.failed) {
		char here[16];

		jp_ws(&p);
		if (p.pos < p.len)
			jp_fail(&p, "unexpected %s after the end of the document",
				jp_here(&p, here, sizeof(here)));
	}
	if (p.failed) {
		rules_json_free(root);
		if (line)
			*line = p.eline;
		if (col)
			*col = p.ecol;
		errno = p.nomem ? ENOMEM : EINVAL;
		return NULL;
	}
	return root;
}

void rules_json_free(struct rules_json *v)
{
	while (v) {
		struct rules_json *next = v->next;

		rules_json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

const struct rules_json *rules_json_get(const struct rules_json *v, const char *key)
{
	if (!v || v->type != RULES_JSON_OBJECT)
		return NULL;
	for (const struct rules_json *c = v->child; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const char *rules_json_type_name(enum rules_json_type t)
{
	switch (t) {
	case RULES_JSON_NULL:
		return "null";
	case RULES_JSON_FALSE:
	case RULES_JSON_TRUE:
		return "boolean";
	case RULES_JSON_NUMBER:
		return "number";
	case RULES_JSON_STRING:
		return "string";
	case RULES_JSON_ARRAY:
		return "array";
	case RULES_JSON_OBJECT:
		return "object";
	}
	return "?";
}
