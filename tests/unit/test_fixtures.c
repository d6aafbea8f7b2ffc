// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recorded Ruby processes (tests/unit/fixtures/NAME.fixture.gz, from scripts/capture-fixture.sh):
 * the walker and the symbolizer run on each one's memory must give the stacks recorded with
 * it. Every fixture present is checked, and there must be some.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "test.h"

static void check_fixture(const char *path)
{
	struct fixture f;
	char *got = NULL;
	int err = fixture_load(path, &f);

	CHECK_EQ_INT(err, 0);
	if (err)
		return;
	CHECK(f.nthreads > 0 && f.expected[0]);
	CHECK_EQ_INT(fixture_profile(&f, &f.mem.base, &got), 0);
	if (got && strcmp(got, f.expected))
		fprintf(stderr, "  %s: replay gave\n%s  recorded\n%s", path, got, f.expected);
	CHECK_STR(got, f.expected);
	free(got);
	fixture_free(&f);
}

void test_fixtures_replay(void)
{
	const char *dir = getenv("RBPROF_TEST_FIXTURES") ?: "tests/unit/fixtures";
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[1024];
		size_t len = strlen(de->d_name);

		if (len < 12 || strcmp(de->d_name + len - 11, ".fixture.gz"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_fixture(path);
		n++;
	}
	closedir(d);
	CHECK(n >= 2);
}

void test_fixtures_hostile(void)
{
	struct fixture f;

	/* Not a fixture, and a missing file: errors, not crashes. */
	CHECK(fixture_load("tests/unit/fixtures/tlsfix_lib.c", &f) < 0);
	CHECK(fixture_load("tests/unit/fixtures/none.fixture.gz", &f) < 0);
}
