/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * curl_lib.h - libcurl, loaded with dlopen when --push is used, as Capstone and libdebuginfod
 * are: linked, libcurl and the TLS, GSSAPI and LDAP libraries it pulls in cost every run some
 * 5.5 MiB of resident memory (peak RSS 14.4 -> 19.9 MiB for `-p PID -d 3`), push or not.
 * Only its header is needed to build. Call through `cu` once curl_lib_load() said 0.
 */
#ifndef RBPROF_CURL_LIB_H
#define RBPROF_CURL_LIB_H

#include <stddef.h>
#include <curl/curl.h>

/* The ABI libcurl has kept since 7.16 (2006): every distribution's libcurl4 package. */
#define CURL_LIB_SONAME "libcurl.so.4"

struct curl_fns {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	void (*easy_cleanup)(CURL *c);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *s, unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **s, unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
};

/* libcurl's functions, valid after curl_lib_load() returned 0. */
extern struct curl_fns cu;

/*
 * Load libcurl once (later calls say the same): 0, or -ENOSYS with one sentence in why
 * ("--push needs libcurl.so.4 ...").
 */
int curl_lib_load(char *why, size_t why_cap);

#endif /* RBPROF_CURL_LIB_H */
