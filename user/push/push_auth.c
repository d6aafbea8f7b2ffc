// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* push_auth.c - --push's credentials: a file's forms, the environment, header injection refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "push/push_auth.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Store secret (n bytes) as kind. A control byte would end the header line and start another
 * (CR, LF) or be rejected by the server; basic needs its ':'.
 */
static int auth_set(struct push_auth *a, enum push_auth_kind kind, const char *secret, size_t n,
		    const char *what, char *why, size_t why_cap)
{
	size_t i;

	if (!n) {
		snprintf(why, why_cap, "%s: no credentials in it", what);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)secret[i] < 0x20 || secret[i] == 0x7f) {
			snprintf(why, why_cap,
				 "%s: a control character (CR, LF, ...) in the credentials", what);
			return -EINVAL;
		}
	}
	if (kind == PUSH_AUTH_BASIC && !memchr(secret, ':', n)) {
		snprintf(why, why_cap, "%s: basic credentials are user:password", what);
		return -EINVAL;
	}
	if (n >= sizeof(a->secret)) {
		snprintf(why, why_cap, "%s: credentials longer than %d bytes", what,
			 PUSH_AUTH_FILE_MAX);
		return -EINVAL;
	}
	memcpy(a->secret, secret, n);
	a->secret[n] = 0;
	a->kind = kind;
	return 0;
}

int push_auth_parse(struct push_auth *a, const char *text, size_t len, const char *what, char *why,
		    size_t why_cap)
{
	enum push_auth_kind kind;

	while (len && is_space(*text)) {
		text++;
		len--;
	}
	while (len && is_space(text[len - 1]))
		len--;
	/* the scheme's word alone ("Bearer") is a token forgotten, not a token */
	if (len >= 6 && !strncasecmp(text, "Bearer", 6) && (len == 6 || is_space(text[6]))) {
		kind = PUSH_AUTH_BEARER;
		text += 6;
		len -= 6;
	} else if (len >= 5 && !strncasecmp(text, "Basic", 5) && (len == 5 || is_space(text[5]))) {
		kind = PUSH_AUTH_BASIC;
		text += 5;
		len -= 5;
	} else {
		kind = memchr(text, ':', len) ? PUSH_AUTH_BASIC : PUSH_AUTH_BEARER;
	}
	while (len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	return auth_set(a, kind, text, len, what, why, why_cap);
}

/* The file: at most PUSH_AUTH_FILE_MAX bytes, read in full. */
static int auth_from_file(struct push_auth *a, const char *file, char *why, size_t why_cap)
{
	char what[PATH_MAX + 32], text[PUSH_AUTH_FILE_MAX + 1];
	size_t len = 0;
	ssize_t n = 0;
	int fd, err;

	snprintf(what, sizeof(what), "--push-auth-file %s", file);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_cap, "%s: %s", what, strerror(-err));
		return err;
	}
	/* one byte more than allowed: that one says the file is too large */
	while (len < sizeof(text)) {
		n = read(fd, text + len, sizeof(text) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	if (n < 0) {
		err = -errno;
		snprintf(why, why_cap, "%s: %s", what, strerror(-err));
		goto cleanup;
	}
	if (len > PUSH_AUTH_FILE_MAX) {
		err = -EFBIG;
		snprintf(why, why_cap, "%s: larger than %d bytes: not a credentials file", what,
			 PUSH_AUTH_FILE_MAX);
		goto cleanup;
	}
	err = push_auth_parse(a, text, len, what, why, why_cap);
cleanup:
	close(fd);
	explicit_bzero(text, sizeof(text));
	return err;
}

int push_auth_read(struct push_auth *a, const char *file, char *why, size_t why_cap)
{
	const char *token = getenv("RBPROF_PUSH_TOKEN");
	const char *basic = getenv("RBPROF_PUSH_BASIC_AUTH");

	a->kind = PUSH_AUTH_NONE;
	a->secret[0] = 0;
	if (file)
		return auth_from_file(a, file, why, why_cap);
	if (token && *token && basic && *basic) {
		snprintf(why, why_cap,
			 "RBPROF_PUSH_TOKEN and RBPROF_PUSH_BASIC_AUTH are both set: set one");
		return -EINVAL;
	}
	if (token && *token)
		return auth_set(a, PUSH_AUTH_BEARER, token, strlen(token), "RBPROF_PUSH_TOKEN", why,
				why_cap);
	if (basic && *basic)
		return auth_set(a, PUSH_AUTH_BASIC, basic, strlen(basic), "RBPROF_PUSH_BASIC_AUTH",
				why, why_cap);
	return 0;
}

void push_auth_wipe(struct push_auth *a)
{
	explicit_bzero(a->secret, sizeof(a->secret));
	a->kind = PUSH_AUTH_NONE;
}
