// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* curl_lib.c - libcurl's functions, found with dlopen and dlsym the first time --push needs them.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include "push/curl_lib.h"

struct curl_fns cu;

/* Each function --push uses, by name, and where its address goes. */
#define CURL_FN(field, name)                                                                       \
	{                                                                                          \
		(void **)&cu.field, name                                                           \
	}
static const struct {
	void **slot;
	const char *name;
} curl_fn_names[] = {
    CURL_FN(global_init, "curl_global_init"),
    CURL_FN(global_cleanup, "curl_global_cleanup"),
    CURL_FN(easy_init, "curl_easy_init"),
    CURL_FN(easy_setopt, "curl_easy_setopt"),
    CURL_FN(easy_perform, "curl_easy_perform"),
    CURL_FN(easy_getinfo, "curl_easy_getinfo"),
    CURL_FN(easy_strerror, "curl_easy_strerror"),
    CURL_FN(easy_cleanup, "curl_easy_cleanup"),
    CURL_FN(slist_append, "curl_slist_append"),
    CURL_FN(slist_free_all, "curl_slist_free_all"),
    CURL_FN(url, "curl_url"),
    CURL_FN(url_set, "curl_url_set"),
    CURL_FN(url_get, "curl_url_get"),
    CURL_FN(url_cleanup, "curl_url_cleanup"),
    CURL_FN(free, "curl_free"),
};

int curl_lib_load(char *why, size_t why_cap)
{
	static int state; /* 0: not tried, 1: loaded, -1: missing */
	const char *missing = NULL;
	void *h;
	size_t i;

	if (state)
		goto out;
	state = -1;
	h = dlopen(CURL_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		missing = CURL_LIB_SONAME;
		goto out;
	}
	for (i = 0; i < sizeof(curl_fn_names) / sizeof(curl_fn_names[0]); i++) {
		*curl_fn_names[i].slot = dlsym(h, curl_fn_names[i].name);
		if (!*curl_fn_names[i].slot) {
			/* curl_url* came in 7.62 (2018): an older libcurl cannot check a URL */
			missing = curl_fn_names[i].name;
			goto out;
		}
	}
	state = 1;
out:
	if (state < 0 && why_cap) {
		if (missing)
			snprintf(why, why_cap,
				 "--push needs %s (Debian's libcurl4): %s is not there",
				 CURL_LIB_SONAME, missing);
		else
			snprintf(why, why_cap, "--push needs %s (Debian's libcurl4): not loaded",
				 CURL_LIB_SONAME);
	}
	return state > 0 ? 0 : -ENOSYS;
}
