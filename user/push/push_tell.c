// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* push_tell.c - how a request ended, and the few lines --push prints about it. */
#include "common/msg.h"
#include "push/push_tell.h"

enum push_outcome push_outcome_of(const struct push_reply *r)
{
	if (r->code == CURLE_ABORTED_BY_CALLBACK)
		return PUSH_ABORTED;
	if (r->code)
		return PUSH_RETRY;
	if (r->status >= 200 && r->status < 300)
		return PUSH_SENT;
	/* 408 Request Timeout, 429 Too Many Requests, 5xx: the server's trouble, not the profile's
	 */
	if (r->status == 408 || r->status == 429 || r->status >= 500)
		return PUSH_RETRY;
	return PUSH_REFUSED;
}

/* What a refusing status most likely means, for the one line that reports it. */
static const char *refusal_hint(long status)
{
	if (status >= 300 && status < 400)
		return " (redirects are not followed: give the URL it points to)";
	switch (status) {
	case 400:
	case 422:
		return " (the server could not read the profile or its name)";
	case 401:
	case 403:
		return " (check the credentials)";
	case 404:
		return " (check the URL: give the server's base, /ingest is added)";
	case 413:
		return " (the profile is larger than the server takes)";
	default:
		return "";
	}
}

static void tell_outage(struct push_told *t, const char *url, const struct push_reply *r)
{
	t->outage = 1;
	if (t->told_outage)
		return;
	t->told_outage = 1;
	if (r->code)
		msg("--push %s: cannot reach the server (%s); profiling goes on, uploads are "
		    "retried",
		    url, r->error);
	else
		msg("--push %s: the server answers HTTP %ld; profiling goes on, uploads are "
		    "retried",
		    url, r->status);
}

static void tell_refusal(struct push_told *t, long status)
{
	long max = 64 * (long)(sizeof(t->told_status) / sizeof(t->told_status[0]));
	long i = status >= 0 && status < max ? status : 0; /* all odd statuses share bit 0 */
	__u64 bit = 1ULL << (i % 64);

	if (t->told_status[i / 64] & bit)
		return;
	t->told_status[i / 64] |= bit;
	msg("--push: the server refused a profile: HTTP %ld%s", status, refusal_hint(status));
}

void push_tell(struct push_told *t, const char *url, enum push_outcome o,
	       const struct push_reply *r, size_t queued)
{
	if (o == PUSH_ABORTED)
		return;
	if (o == PUSH_RETRY) {
		tell_outage(t, url, r);
		return;
	}
	if (t->outage && !t->told_back) {
		t->told_back = 1;
		msg("--push: the server answers again; %zu profile%s queued", queued,
		    queued == 1 ? "" : "s");
	}
	t->outage = 0;
	if (o == PUSH_REFUSED)
		tell_refusal(t, r->status);
}
