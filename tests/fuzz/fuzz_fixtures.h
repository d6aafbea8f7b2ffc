/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fuzz_fixtures.h - the recorded processes the memory harnesses start from: every
 * tests/unit/fixtures/NAME.fixture.gz (or RBPROF_FUZZ_FIXTURES's), loaded once at start.
 * Included by one harness each (a harness is one file: make links it alone).
 */
#ifndef RBPROF_FUZZ_FIXTURES_H
#define RBPROF_FUZZ_FIXTURES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devtools/fixture.h"

/* All the fixtures the tests have (20-odd), with room. */
#define FIXTURES_MAX 32

static struct fixture fixtures[FIXTURES_MAX];
static int nfixtures;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("RBPROF_FUZZ_FIXTURES") ?: "tests/unit/fixtures";
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)argc;
	(void)argv;
	while (d && (de = readdir(d)) && nfixtures < FIXTURES_MAX) {
		char path[1024];
		size_t len = strlen(de->d_name);

		if (len < 12 || strcmp(de->d_name + len - 11, ".fixture.gz"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!fixture_load(path, &fixtures[nfixtures]))
			nfixtures++;
	}
	if (d)
		closedir(d);
	if (!nfixtures) {
		fprintf(stderr,
			"no fixtures in %s: run from the repository, or set "
			"RBPROF_FUZZ_FIXTURES\n",
			dir);
		abort();
	}
	return 0;
}

#endif /* RBPROF_FUZZ_FIXTURES_H */
