/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * push_url.h - what --push URL may be: http:// or https://, a host, no credentials, no query;
 * and the URL as a message may show it (credentials, if any, masked).
 */
#ifndef RBPROF_PUSH_URL_H
#define RBPROF_PUSH_URL_H

#include <stddef.h>

/* 0, or -EINVAL with one sentence in why (the URL shown masked). */
int push_url_check(const char *url, char *why, size_t why_cap);

/* url as messages show it: a user:password@ before the host becomes "***@". */
void push_url_masked(char *buf, size_t cap, const char *url);

#endif /* RBPROF_PUSH_URL_H */
