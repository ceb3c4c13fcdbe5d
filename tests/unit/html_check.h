/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small HTML lexer for the tests of the HTML report (tests/unit/test_report_html.c and
 * fuzz/fuzz_html.c): it accepts only the page the writer means to make, so an escaping bug
 * shows as a tag or an attribute it does not allow.
 */
#ifndef LW_HTML_CHECK_H
#define LW_HTML_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static bool in_list(const char *name, size_t n, const char *const *list)
{
	for (const char *const *l = list; *l; l++)
		if (strlen(*l) == n && strncmp(*l, name, n) == 0)
			return true;
	return false;
}

/*
 * A small HTML lexer: only the tags and attributes the writer uses, every attribute value
 * double-quoted with no markup in it, links only to anchors of the page, every '&' a
 * reference, no raw '>' in text, the style block free of url() and @import, and valid
 * UTF-8 with no control byte but newlines. Whatever an escaping bug would let through (a
 * tag, an event handler, an unquoted attribute) fails it. Prints the first fault.
 */
static bool html_page_is_safe(const char *page)
{
	static const char *const tags[] = {
		"html", "head", "meta",	  "title",   "style",	"body",	   "main", "header",
		"h1",	"h2",	"p",	  "b",	     "section", "div",	   "ul",   "li",
		"br",	"span", "table",  "thead",   "tbody",	"tr",	   "th",   "td",
		"code", "nav",	"a",	  "footer",  "svg",	"line",	   "text", "tspan",
		"rect", "g",	"circle", "polygon", "details", "summary", NULL,
	};
	static const char *const attrs[] = {
		"lang",		"charset",   "http-equiv",  "content", "name",	 "class",  "id",
		"title",	"href",	     "colspan",	    "viewBox", "width",	 "height", "role",
		"aria-label",	"x",	     "y",	    "x1",      "y1",	 "x2",	   "y2",
		"cx",		"cy",	     "r",	    "rx",      "points", "fill",   "stroke",
		"stroke-width", "font-size", "text-anchor", NULL,
	};
	const char *p = page;
	size_t len;

	if (!page)
		return false;
	len = strlen(page);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)page + i, len - i, &cp);

		if (n == 0 || (cp < 0x20 && cp != '\n') || cp == 0x7f) {
			fprintf(stderr, "page: bad byte at %zu\n", i);
			return false;
		}
		i += n;
	}
	if (strncmp(p, "<!DOCTYPE html>\n", 16) != 0)
		return false;
	p += 16;
	while (*p) {
		if (*p == '>') {
			fprintf(stderr, "page: raw '>' in text at %.40s\n", p);
			return false;
		}
		if (*p == '&') {
			size_t k = 1;

			if (p[1] == '#')
				k++;
			while ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9'))
				k++;
			if (p[k] != ';' || k < 2) {
				fprintf(stderr, "page: bare '&' at %.40s\n", p);
				return false;
			}
			p += k + 1;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		bool closing = p[1] == '/';
		const char *name = p + 1 + closing;
		size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");

		if (!in_list(name, n, tags)) {
			fprintf(stderr, "page: tag not allowed at %.60s\n", p);
			return false;
		}
		p = name + n;
		if (closing) {
			if (*p != '>')
				return false;
			p++;
			continue;
		}
		for (;;) {
			size_t an;
			const char *val, *end;

			p += strspn(p, " \n");
			if (*p == '>' || (p[0] == '/' && p[1] == '>'))
				break;
			an = strspn(
				p,
				"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
			if (!in_list(p, an, attrs) || p[an] != '=' || p[an + 1] != '"') {
				fprintf(stderr, "page: attribute not allowed at %.60s\n", p);
				return false;
			}
			val = p + an + 2;
			end = strchr(val, '"');
			if (!end || memchr(val, '<', (size_t)(end - val)) ||
			    memchr(val, '>', (size_t)(end - val))) {
				fprintf(stderr, "page: bad attribute value at %.60s\n", p);
				return false;
			}
			if (an == 4 && strncmp(p, "href", 4) == 0 && *val != '#') {
				fprintf(stderr, "page: a link out of the page at %.60s\n", p);
				return false;
			}
			p = end + 1;
		}
		p += *p == '>' ? 1 : 2;
		if (n == 5 && strncmp(name, "style", 5) == 0 && !closing) {
			const char *close = strstr(p, "</style>");

			if (!close)
				return false;
			for (const char *q = p; q < close; q++)
				if (strncmp(q, "url(", 4) == 0 || strncmp(q, "@import", 7) == 0 ||
				    *q == '<')
					return false;
			p = close;
		}
	}
	return true;
}

#endif /* LW_HTML_CHECK_H */
