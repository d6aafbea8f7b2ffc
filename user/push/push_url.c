// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * push_url.c - the URLs of --push: the base URL's checks, the /ingest request's URL, and the
 * series name it carries, made safe from what a Ruby program names itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "push/curl_lib.h"
#include "push/push.h"
#include "push/push_url.h"

void push_url_masked(char *buf, size_t cap, const char *url)
{
	const char *auth = strstr(url, "://");
	const char *at = NULL, *c;

	if (auth) {
		auth += 3;
		for (c = auth; *c && !strchr("/?#", *c); c++)
			if (*c == '@')
				at = c;
	}
	if (at)
		snprintf(buf, cap, "%.*s***%s", (int)(auth - url), url, at);
	else
		snprintf(buf, cap, "%s", url);
}

/* The checks curl's URL parser makes possible: a host, no user, no query or fragment. */
static const char *url_fault(CURLU *u, const char *url)
{
	char *part = NULL;
	CURLUcode rc;

	rc = cu.url_set(u, CURLUPART_URL, url, 0);
	if (rc == CURLUE_NO_HOST)
		return "no host in it";
	if (rc)
		return "not a URL (curl cannot read it)";
	if (!cu.url_get(u, CURLUPART_USER, &part, 0) ||
	    !cu.url_get(u, CURLUPART_PASSWORD, &part, 0)) {
		cu.free(part);
		return "credentials go in RBPROF_PUSH_TOKEN or --push-auth-file, not the URL";
	}
	if (!cu.url_get(u, CURLUPART_QUERY, &part, 0) ||
	    !cu.url_get(u, CURLUPART_FRAGMENT, &part, 0)) {
		cu.free(part);
		return "a ?query or #fragment has no place in it (each request makes its own)";
	}
	if (cu.url_get(u, CURLUPART_HOST, &part, 0) || !*part) {
		cu.free(part);
		return "no host in it";
	}
	cu.free(part);
	return NULL;
}

int push_url_check(const char *url, char *why, size_t why_cap)
{
	const char *fault = NULL;
	char shown[512];
	CURLU *u;

	if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)) {
		fault = "not an http:// or https:// URL";
	} else if (strstr(url, "://")[3] == '/') {
		/* curl would read http:///x as the host x */
		fault = "no host in it";
	} else {
		int err = curl_lib_load(why, why_cap);

		if (err)
			return err;
		u = cu.url();
		if (!u) {
			snprintf(why, why_cap, "--push: out of memory");
			return -ENOMEM;
		}
		fault = url_fault(u, url);
		cu.url_cleanup(u);
	}
	if (!fault)
		return 0;
	push_url_masked(shown, sizeof(shown), url);
	snprintf(why, why_cap, "--push %s: %s", shown, fault);
	return -EINVAL;
}

/* The unreserved characters of RFC 3986: all that goes into a query unencoded. */
static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int push_ingest_url(char *buf, size_t cap, const char *base, const char *name, __u64 from,
		    __u64 until, int rate)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t base_len = strlen(base), len;
	int n;

	while (base_len && base[base_len - 1] == '/')
		base_len--;
	n = snprintf(buf, cap, "%.*s/ingest?name=", (int)base_len, base);
	if (n < 0 || (size_t)n >= cap)
		goto too_long;
	len = n;
	for (; *name; name++) {
		unsigned char c = *name;

		if (len + 4 > cap)
			goto too_long;
		if (unreserved(c)) {
			buf[len++] = c;
		} else {
			buf[len++] = '%';
			buf[len++] = hex[c >> 4];
			buf[len++] = hex[c & 15];
		}
	}
	n = snprintf(buf + len, cap - len,
		     "&from=%llu&until=%llu&format=pprof&sampleRate=%d&spyName=rbprof-bpf"
		     "&units=samples&aggregationType=sum",
		     (unsigned long long)from, (unsigned long long)until, rate);
	if (n < 0 || (size_t)n >= cap - len)
		goto too_long;
	return 0;
too_long:
	if (cap)
		buf[0] = 0;
	return -ENAMETOOLONG;
}

/* A name being written: at most cap - 1 bytes, always NUL-terminated. */
struct name_out {
	char *buf;
	size_t cap, len;
};

static int name_char_ok(unsigned char c, int key, size_t at)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return 1;
	if (c >= '0' && c <= '9')
		return !key || at > 0;
	return !key && (c == '.' || c == '-');
}

/* Add s, each byte outside its set as '_', "unknown" if empty, leaving `keep` bytes free. */
static void name_add(struct name_out *o, const char *s, int key, size_t keep)
{
	size_t i;

	if (!*s)
		s = "unknown";
	for (i = 0; s[i] && o->len + keep + 1 < o->cap; i++)
		o->buf[o->len++] = name_char_ok(s[i], key, i) ? s[i] : '_';
	o->buf[o->len] = 0;
}

/* Add the literal c if it fits with `keep` bytes free. */
static int name_put(struct name_out *o, char c, size_t keep)
{
	if (o->len + keep + 1 >= o->cap)
		return -1;
	o->buf[o->len++] = c;
	o->buf[o->len] = 0;
	return 0;
}

void push_series_name(char *buf, size_t cap, const char *app, const char *const *keys,
		      const char *const *values, int n)
{
	struct name_out o = {buf, cap, 0};
	int i;

	if (!cap)
		return;
	buf[0] = 0;
	/* the braces are kept room for: a name cut short is still a name with labels */
	name_add(&o, app, 0, n > 0 ? 2 : 0);
	if (n <= 0 || name_put(&o, '{', 1))
		return;
	for (i = 0; i < n; i++) {
		/* a label goes in only if its key, '=' and one byte of its value fit */
		if (o.len + (i ? 1 : 0) + strlen(keys[i][0] ? keys[i] : "unknown") + 2 + 1 >= cap)
			break;
		if (i)
			name_put(&o, ',', 1);
		name_add(&o, keys[i], 1, 1);
		name_put(&o, '=', 1);
		name_add(&o, values[i], 0, 1);
	}
	name_put(&o, '}', 0);
}
