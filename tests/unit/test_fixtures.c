// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recorded Ruby processes (tests/unit/fixtures/NAME.fixture.gz, from scripts/capture-fixture.sh):
 * the walker and the symbolizer run on each one's memory must give the stacks recorded with
 * it. Every fixture present is checked, and there must be some.
 */
#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devtools/fixture.h"
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

/* A replayed read may span several recorded regions, never a gap between them. */
void test_memrecord_pieces(void)
{
	static const unsigned char a[8] = "abcdefgh", b[8] = "ijklmnop", c[4] = "wxyz";
	struct memrecord m;
	char buf[17] = {0};

	memrecord_init(&m, NULL);
	CHECK_EQ_INT(memrecord_add(&m, 0x1008, b, 8), 0);
	CHECK_EQ_INT(memrecord_add(&m, 0x1000, a, 8), 0);
	CHECK_EQ_INT(memrecord_add(&m, 0x1004, a + 4, 4), 0); /* overlapping, the same bytes */
	CHECK_EQ_INT(memrecord_add(&m, 0x1020, c, 4), 0);
	CHECK_EQ_INT(m.base.read(&m.base, 0x1000, buf, 16), 0);
	CHECK_STR(buf, "abcdefghijklmnop");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(m.base.read(&m.base, 0x1006, buf, 4), 0);
	CHECK_STR(buf, "ghij");
	CHECK(m.base.read(&m.base, 0x100c, buf, 8) < 0);  /* runs into the gap at 0x1010 */
	CHECK(m.base.read(&m.base, 0x0ff8, buf, 12) < 0); /* starts before anything */
	CHECK(m.base.read(&m.base, 0x1022, buf, 4) < 0);  /* past the end */
	memrecord_free(&m);
}

void test_fixtures_hostile(void)
{
	struct fixture f;

	/* Not a fixture, and a missing file: errors, not crashes. */
	CHECK(fixture_load("tests/unit/fixtures/tlsfix_lib.c", &f) < 0);
	CHECK(fixture_load("tests/unit/fixtures/none.fixture.gz", &f) < 0);
}

/*
 * A fixture of a Ruby no layout describes: -ENOTSUP, and nothing of it left allocated (the
 * leak checker of the unit tests' ASan run says so at exit).
 */
void test_fixture_unknown_version(void)
{
	const char *dir = getenv("RBPROF_TEST_FIXTURES") ?: "tests/unit/fixtures";
	char src[512], dst[] = "/tmp/rbprof-fixture-XXXXXX", buf[4096];
	struct fixture f;
	gzFile in, out;
	int fd, n, line = 0;

	snprintf(src, sizeof(src), "%s/ruby-3.1.2-debian.fixture.gz", dir);
	fd = mkstemp(dst);
	CHECK(fd >= 0);
	in = gzopen(src, "rb");
	out = gzdopen(fd, "wb");
	CHECK(in && out);
	if (!in || !out)
		return;
	/* line by line: the second one, the version, replaced */
	while (gzgets(in, buf, sizeof(buf))) {
		if (++line == 2)
			snprintf(buf, sizeof(buf), "version 1.8.7\n");
		n = (int)strlen(buf);
		if (line > 2 && strncmp(buf, "expected ", 9) == 0)
			break;
		CHECK_EQ_INT(gzwrite(out, buf, n), n);
	}
	/* the rest (the expected text and the memory) as bytes: they hold NULs */
	n = (int)strlen(buf);
	CHECK_EQ_INT(gzwrite(out, buf, n), n);
	while ((n = gzread(in, buf, sizeof(buf))) > 0)
		CHECK_EQ_INT(gzwrite(out, buf, n), n);
	gzclose(in);
	gzclose(out);
	CHECK_EQ_INT(fixture_load(dst, &f), -ENOTSUP);
	CHECK_EQ_INT(fixture_load(src, &f), 0); /* the same with its own version */
	fixture_free(&f);
	unlink(dst);
}
