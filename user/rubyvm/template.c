// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* template.c - compiled ActionView template methods, labelled by their template. */
#include <stdio.h>
#include <string.h>
#include "rubyvm/template.h"

/* The end of a run of digits that ends at `end` (exclusive), or NULL if there is none. */
static const char *digits_before(const char *start, const char *end)
{
	const char *p = end;

	while (p > start && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return p < end ? p : NULL;
}

/*
 * Where the encoded path ends in `label` ("_ENCODED__HASH_ID", HASH possibly with a '_'
 * for its minus sign), or NULL if the label is not of that form.
 */
static const char *encoded_end(const char *label)
{
	const char *end = label + strlen(label), *p;

	p = digits_before(label, end); /* the object id */
	if (!p || p - label < 2 || p[-1] != '_')
		return NULL;
	p = digits_before(label, p - 1); /* the hash */
	if (!p || p - label < 3)
		return NULL;
	if (p[-1] == '_' && p[-2] == '_' && p - label >= 4 && p[-3] == '_')
		p--; /* a negative hash: its '-' made '_' */
	if (p[-1] != '_' || p[-2] != '_')
		return NULL;
	return p - 2;
}

/* Whether `path` is what Rails encodes as enc[0..n): each byte but a-z and _ made _. */
static int encodes(const char *path, const char *enc, size_t n)
{
	size_t i;

	if (strlen(path) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = path[i];

		if ((c >= 'a' && c <= 'z') || c == '_' ? c != enc[i] : enc[i] != '_')
			return 0;
	}
	return 1;
}

int ruby_template_label(const char *label, const char *path, char *out, size_t cap)
{
	const char *end, *p;
	size_t n;

	if (label[0] != '_' || !(end = encoded_end(label)) || end <= label + 1)
		return 0;
	n = (size_t)(end - (label + 1));
	/* the longest tail of the file's path that the name encodes: the root-relative one */
	for (p = path;; p++) {
		if (encodes(p, label + 1, n)) {
			snprintf(out, cap, "%s", p);
			return 1;
		}
		p = strchr(p, '/');
		if (!p)
			return 0;
	}
}
