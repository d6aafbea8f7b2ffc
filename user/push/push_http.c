// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* push_http.c - a profile's POST to /ingest through one libcurl easy handle. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "push/curl_lib.h"
#include "push/push_http.h"

#ifndef RBPROF_VERSION
#define RBPROF_VERSION "0.1.0"
#endif

/*
 * Connecting (TCP and the TLS handshake) may take 5 s: a server on the same network answers
 * in milliseconds, one across the world in under a second; past 5 s it is not there.
 */
#define PUSH_CONNECT_TIMEOUT_MS 5000
/*
 * A whole request may take 30 s: a profile of a few MiB over a slow link, and the server's
 * time to store it; longer, and the queue behind it would wait on one request.
 */
#define PUSH_HTTP_TIMEOUT_MS 30000
/*
 * A request during which not a byte moves for 10 s is stalled (a server that accepted the
 * connection and hangs): given up before the 30 s are spent, and tried again.
 */
#define PUSH_LOW_SPEED_BYTES 1
#define PUSH_LOW_SPEED_S     10

__u64 push_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

/* The answer's body says nothing we use: read and forgotten (curl would print it on stdout). */
static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
	return size * n;
}

/* curl's progress callback, called about once a second at least: non-zero aborts. */
static int past_deadline(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			 curl_off_t ulnow)
{
	const struct push_http *h = ctx;
	__u64 at = __atomic_load_n(h->abort_at_ms, __ATOMIC_ACQUIRE);

	return at && push_now_ms() >= at;
}

/* The headers: the body's type, no "Expect: 100-continue" wait, a bearer token. */
static int build_headers(struct push_http *h, const struct push_auth *a)
{
	static const char *const fixed[] = {"Content-Type: application/octet-stream", "Expect:"};
	char line[sizeof(a->secret) + 32];
	struct curl_slist *l;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		l = cu.slist_append(h->headers, fixed[i]);
		if (!l)
			return -ENOMEM;
		h->headers = l;
	}
	if (a->kind != PUSH_AUTH_BEARER)
		return 0;
	snprintf(line, sizeof(line), "Authorization: Bearer %s", a->secret);
	l = cu.slist_append(h->headers, line);
	explicit_bzero(line, sizeof(line));
	if (!l)
		return -ENOMEM;
	h->headers = l;
	return 0;
}

/* Only http and https, for the request and for any redirect (none is followed anyway). */
static CURLcode set_protocols(CURL *c)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0: the _STR forms; the bitmasks are deprecated */
	if (cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"))
		return CURLE_FAILED_INIT;
	return cu.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	if (cu.easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS))
		return CURLE_FAILED_INIT;
	return cu.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
}

/* Everything that is the same for every request. TLS: curl's defaults, verification on. */
static CURLcode set_options(struct push_http *h, const struct push_auth *a)
{
	CURL *c = h->curl;
	CURLcode rc = CURLE_OK;

	/* threads: no SIGALRM for DNS timeouts, which would hit whichever thread */
	rc |= cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= cu.easy_setopt(c, CURLOPT_POST, 1L);
	rc |= cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= cu.easy_setopt(c, CURLOPT_USERAGENT, "rbprof-bpf/" RBPROF_VERSION);
	rc |= cu.easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	rc |= cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)PUSH_CONNECT_TIMEOUT_MS);
	rc |= cu.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)PUSH_LOW_SPEED_BYTES);
	rc |= cu.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)PUSH_LOW_SPEED_S);
	rc |= cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc |= cu.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	rc |= cu.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, past_deadline);
	rc |= cu.easy_setopt(c, CURLOPT_XFERINFODATA, h);
	rc |= cu.easy_setopt(c, CURLOPT_ERRORBUFFER, h->err);
	rc |= set_protocols(c);
	if (a->kind == PUSH_AUTH_BASIC) {
		rc |= cu.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		rc |= cu.easy_setopt(c, CURLOPT_USERPWD, a->secret);
	}
	return rc;
}

int push_http_open(struct push_http *h, const struct push_auth *a, const char *ca_file,
		   const __u64 *abort_at_ms, char *why, size_t why_cap)
{
	memset(h, 0, sizeof(*h));
	h->abort_at_ms = abort_at_ms;
	h->curl = cu.easy_init();
	if (!h->curl || build_headers(h, a) || set_options(h, a) ||
	    (ca_file && cu.easy_setopt(h->curl, CURLOPT_CAINFO, ca_file))) {
		push_http_close(h);
		snprintf(why, why_cap, "--push: cannot set up libcurl (out of memory?)");
		return -ENOMEM;
	}
	return 0;
}

void push_http_post(struct push_http *h, const char *url, const void *body, size_t len,
		    long timeout_ms, struct push_reply *r)
{
	curl_off_t retry_after = 0;
	CURL *c = h->curl;

	if (timeout_ms <= 0 || timeout_ms > PUSH_HTTP_TIMEOUT_MS)
		timeout_ms = PUSH_HTTP_TIMEOUT_MS;
	h->err[0] = 0;
	memset(r, 0, sizeof(*r));
	cu.easy_setopt(c, CURLOPT_URL, url);
	cu.easy_setopt(c, CURLOPT_POSTFIELDS, body);
	cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	r->code = cu.easy_perform(c);
	if (r->code) {
		r->error = h->err[0] ? h->err : cu.easy_strerror(r->code);
		return;
	}
	cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (!cu.easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) && retry_after > 0)
		r->retry_after_s = retry_after;
}

void push_http_close(struct push_http *h)
{
	struct curl_slist *l;

	if (h->curl)
		cu.easy_cleanup(h->curl);
	/* a bearer token is in one of the lines: cleared before the memory goes back */
	for (l = h->headers; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	if (h->headers)
		cu.slist_free_all(h->headers);
	h->curl = NULL;
	h->headers = NULL;
}
