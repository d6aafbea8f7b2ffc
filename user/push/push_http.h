/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * push_http.h - one POST of a profile through libcurl: one easy handle kept for the session
 * (its connection kept alive between requests), bounded in time, http and https only, no
 * redirects followed; a request can be cut short at a deadline that another thread sets.
 */
#ifndef RBPROF_PUSH_HTTP_H
#define RBPROF_PUSH_HTTP_H

#include <stddef.h>
#include <curl/curl.h>
#include <linux/types.h>
#include "push/push_auth.h"

struct push_http {
	CURL *curl;
	struct curl_slist *headers;
	/* CLOCK_MONOTONIC ms past which a request is aborted; 0: none (read atomically) */
	const __u64 *abort_at_ms;
	char err[CURL_ERROR_SIZE];
};

/* How a request ended. */
struct push_reply {
	CURLcode code;	    /* CURLE_OK: the server answered `status` */
	long status;	    /* the HTTP status */
	long retry_after_s; /* its Retry-After, in seconds; 0 if none */
	const char *error;  /* for code != CURLE_OK: curl's words for it */
};

/*
 * The handle, with the credentials (kept by curl; a's copy may be wiped after), trusting the
 * CA certificates of ca_file (PEM) instead of the system's if not NULL, aborting a request
 * once *abort_at_ms is set and passed. 0, or -ENOMEM with why.
 */
int push_http_open(struct push_http *h, const struct push_auth *a, const char *ca_file,
		   const __u64 *abort_at_ms, char *why, size_t why_cap);

/* POST body to url, for at most timeout_ms (and PUSH_HTTP_TIMEOUT_MS). */
void push_http_post(struct push_http *h, const char *url, const void *body, size_t len,
		    long timeout_ms, struct push_reply *r);

void push_http_close(struct push_http *h);

/* The monotonic clock in ms, as abort_at_ms counts it. */
__u64 push_now_ms(void);

#endif /* RBPROF_PUSH_HTTP_H */
