/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * push_auth.h - the credentials of --push, from --push-auth-file or the environment (the forms
 * push.h lists), checked so that none can inject a header; never from the command line.
 */
#ifndef RBPROF_PUSH_AUTH_H
#define RBPROF_PUSH_AUTH_H

#include <stddef.h>

/*
 * The largest credentials file: a bearer token (a JWT with its claims) is some 1-2 KiB; a
 * larger file is not one of these, and is not read into memory.
 */
#define PUSH_AUTH_FILE_MAX 4096

enum push_auth_kind {
	PUSH_AUTH_NONE,
	PUSH_AUTH_BEARER, /* secret: the token */
	PUSH_AUTH_BASIC,  /* secret: "user:password" */
};

struct push_auth {
	enum push_auth_kind kind;
	char secret[PUSH_AUTH_FILE_MAX + 1];
};

/*
 * The credentials: from `file` if not NULL, else RBPROF_PUSH_TOKEN or RBPROF_PUSH_BASIC_AUTH,
 * else none. 0, or -errno / -EINVAL with one sentence in why (no secret in it).
 */
int push_auth_read(struct push_auth *a, const char *file, char *why, size_t why_cap);

/*
 * A credentials file's text (len bytes, not NUL-terminated) into a. 0, or -EINVAL with what
 * is wrong, after "what: ", in why.
 */
int push_auth_parse(struct push_auth *a, const char *text, size_t len, const char *what, char *why,
		    size_t why_cap);

/* Forget the secret (the memory is cleared, not just released). */
void push_auth_wipe(struct push_auth *a);

#endif /* RBPROF_PUSH_AUTH_H */
