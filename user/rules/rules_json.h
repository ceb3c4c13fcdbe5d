/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A strict JSON (RFC 8259) reader that remembers where every key and value starts, so the
 * rules loader can say "x.json:14:9: unknown key" (cJSON keeps no positions). Only the rules
 * loader, the profile file reader (rules_profiles.c) and their tests use it.
 */
#ifndef LW_RULES_JSON_H
#define LW_RULES_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum rules_json_type {
	RULES_JSON_NULL,
	RULES_JSON_FALSE,
	RULES_JSON_TRUE,
	RULES_JSON_NUMBER,
	RULES_JSON_STRING,
	RULES_JSON_ARRAY,
	RULES_JSON_OBJECT,
};

/* Positions are 1-based; a column counts characters (UTF-8 code points), a tab counts one. */
struct rules_json {
	enum rules_json_type type;
	int line, col;		  /* where the value starts */
	char *key;		  /* member name when the parent is an object, else NULL */
	int key_line, key_col;	  /* where the member name's opening quote is */
	char *str;		  /* STRING: the decoded text (never contains NUL) */
	double num;		  /* NUMBER */
	bool is_int;		  /* NUMBER written without fraction or exponent */
	long long inum;		  /* NUMBER when is_int and it fits */
	bool int_overflow;	  /* NUMBER: is_int but out of long long range */
	struct rules_json *child; /* ARRAY, OBJECT: first element or member */
	struct rules_json *next;  /* next sibling */
	size_t n;		  /* ARRAY, OBJECT: number of children */
};

/*
 * Parses text[0..len). Returns the root value, or NULL on error with errno set (EINVAL for a
 * syntax error, ENOMEM) and, for a syntax error, a message in err (always NUL-terminated when
 * err_size > 0) and its position in *line and *col. Duplicate keys in one object are a syntax
 * error (they would silently shadow each other). Nesting deeper than 64 is refused.
 */
struct rules_json *rules_json_parse(const char *text, size_t len, char *err, size_t err_size,
				    int *line, int *col);

/* Frees a tree returned by rules_json_parse(); NULL is ignored. */
void rules_json_free(struct rules_json *v);

/* Member `key` of object v, or NULL if v is not an object or has no such member. */
const struct rules_json *rules_json_get(const struct rules_json *v, const char *key);

/* "string", "number", "object", ... for messages. */
const char *rules_json_type_name(enum rules_json_type t);

#endif /* LW_RULES_JSON_H */
