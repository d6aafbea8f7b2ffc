// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Layouts read from DWARF: the stand-in libruby builds of fixtures/dwarf_lookalike.h (built
 * with -g by `make`) must give what the compiler says of the same structs; a missing member
 * is named; separate debug files are found by build id and by .gnu_debuglink (CRC checked);
 * discovery prefers the table, then the DWARF, then the series. With RBPROF_DWARF_RUBIES
 * naming real -g Ruby builds, each one's DWARF layout must equal its table entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "child.h"
#include "discover/probe.h"
#include "layouts/dwarf_layout.h"
#include "discover/elf_ruby.h"
#include "lookalike.h"
#include "test.h"

static const char *out_dir(void)
{
	const char *dir = getenv("RBPROF_TEST_OUTPUT");

	return dir ? dir : ".output";
}

static const char *fixture(const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", out_dir(), name);
	return p;
}

/* The layout must equal `want` member by member; differences are printed. */
static void check_same(const struct ruby_layout *got, const struct ruby_layout *want,
		       const char *what)
{
	char diff[4096];
	int n = ruby_layout_diff(got, want, diff, sizeof(diff));

	if (n)
		fprintf(stderr, "  %s: %d differences: %s\n", what, n, diff);
	CHECK_EQ_INT(n, 0);
}

void test_dwarf_lookalike_shapes(void)
{
	const struct ruby_layout *base40 = ruby_layout_nearest("4.0.5");
	const struct ruby_layout *base32 = ruby_layout_nearest("3.2.99");
	struct ruby_layout want;
	struct dwarf_layout *dl = calloc(1, sizeof(*dl));
	char why[256];

	/* 2.7-like under 2.7.99: every constant from the DWARF, the 2.7 entry only as base. */
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-old.so"), "", NULL, "2.7.99", dl,
				       why, sizeof(why)),
		     0);
	lookalike_old_layout(&want);
	check_same(&dl->layout, &want, "old shape");
	/* a bitfield in its byte's upper bits, the GVL through rb_thread_t.vm */
	CHECK(want.thread_status && want.thread_status_shift == 6 && want.vm_living_threads);
	CHECK_STR(dl->from_base, "");
	CHECK_STR(dl->layout.series, "2.7");
	CHECK_STR(dl->layout.releases, "2.7.99-2.7.99");
	CHECK_STR(why, "");

	/* 4.0-like under 4.1.0 (no series): the #defines from the nearest release, 4.0.5. */
	CHECK(base40 != NULL);
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-new.so"), "", NULL, "4.1.0", dl,
				       why, sizeof(why)),
		     0);
	lookalike_new_layout(&want, base40);
	check_same(&dl->layout, &want, "new shape");
	CHECK(want.thread_status && want.sched_running && !want.vm_living_threads);
	CHECK_STR(dl->from_base, "ID_ENTRY_UNIT, RARRAY_EMBED_LEN_MASK");
	CHECK(dl->base == base40);
	CHECK_STR(dl->debug_path, "");

	/* 3.2-like under 3.2.99: class paths through shapes, their #defines from 3.2's entry. */
	CHECK(base32 != NULL && base32->class_path == CLASS_PATH_SHAPE_IVARS);
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-shapes.so"), "", NULL, "3.2.99",
				       dl, why, sizeof(why)),
		     0);
	lookalike_shapes_layout(&want, base32);
	check_same(&dl->layout, &want, "shapes");
	CHECK_STR(dl->from_base,
		  "SHAPE_FLAG_SHIFT, SHAPE_BITMAP_SIZE, ID_ENTRY_UNIT, RARRAY_EMBED_LEN_MASK");
	CHECK(dl->base == base32);
	/* The same under 3.3.99: the nearest layout has no shapes to take the #defines from. */
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-shapes.so"), "", NULL, "3.3.99",
				       dl, why, sizeof(why)),
		     DWARF_LAYOUT_INCOMPLETE);
	CHECK(strstr(why, "SHAPE_FLAG_SHIFT") != NULL);

	/* Without rb_thread_t.status: no thread state at all (thread_status 0), the rest read. */
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-nostatus.so"), "", NULL, "4.1.0",
				       dl, why, sizeof(why)),
		     0);
	lookalike_new_layout(&want, base40);
	want.thread_status = want.thread_status_shift = 0;
	want.thread_blocking_region = want.thread_sched_base = want.sched_running = 0;
	check_same(&dl->layout, &want, "no status");
	CHECK_STR(why, "");
	free(dl);
}

void test_dwarf_missing_member(void)
{
	struct dwarf_layout *dl = calloc(1, sizeof(*dl));
	char why[256];

	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-nopath.so"), "", NULL, "4.1.0", dl,
				       why, sizeof(why)),
		     DWARF_LAYOUT_INCOMPLETE);
	CHECK_STR(why, "no rb_iseq_constant_body.location.pathobj");
	/* An iseq body grown past what the symbolizer reads of it: refused, not read past. */
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-bigbody.so"), "", NULL, "4.1.0",
				       dl, why, sizeof(why)),
		     DWARF_LAYOUT_INCOMPLETE);
	CHECK(!strncmp(why, "body_pathobj at offset ", 23));
	CHECK(strstr(why, "past the 256 bytes read of rb_iseq_constant_body") != NULL);
	/* Older than every known layout: nothing to take #defines from. */
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-new.so"), "", NULL, "1.9.3", dl,
				       why, sizeof(why)),
		     -ERANGE);
	CHECK_EQ_INT(dwarf_layout_read(fixture("libruby-dwarffix-new.so"), "", NULL, "4.x", dl, why,
				       sizeof(why)),
		     -EINVAL);
	/* Not an ELF file, and no file. */
	CHECK_EQ_INT(
	    dwarf_layout_read(fixture("dwarf-root/stamp"), "", NULL, "4.1.0", dl, why, sizeof(why)),
	    -ENOEXEC);
	CHECK_STR(why, "cannot read it as ELF");
	/* a file that cannot be opened: its reason, in the code and the words */
	CHECK_EQ_INT(
	    dwarf_layout_read(fixture("no-such-file.so"), "", NULL, "4.1.0", dl, why, sizeof(why)),
	    -ENOENT);
	CHECK_STR(why, "cannot open it: No such file or directory");
	CHECK(dwarf_layout_unopened(-ENOENT) && dwarf_layout_unopened(-EACCES) &&
	      dwarf_layout_unopened(-ENOEXEC) && !dwarf_layout_unopened(DWARF_LAYOUT_INCOMPLETE) &&
	      !dwarf_layout_unopened(-ENODATA) && !dwarf_layout_unopened(0));
	free(dl);
}

void test_dwarf_separate_debug_file(void)
{
	const struct ruby_layout *base40 = ruby_layout_nearest("4.0.5");
	struct dwarf_layout *dl = calloc(1, sizeof(*dl));
	struct ruby_layout want;
	char why[256], root[512];

	snprintf(root, sizeof(root), "%s", fixture("dwarf-root"));
	lookalike_new_layout(&want, base40);
	/* By build id under ROOT/usr/lib/debug/.build-id */
	CHECK_EQ_INT(dwarf_layout_read(fixture("dwarf-root/lib/libruby-buildid.so"), root,
				       "/lib/libruby-buildid.so", "4.1.0", dl, why, sizeof(why)),
		     0);
	check_same(&dl->layout, &want, "by build id");
	CHECK(strstr(dl->debug_path, "/usr/lib/debug/.build-id/") != NULL);
	/* By .gnu_debuglink, under ROOT/usr/lib/debug + the file's directory */
	CHECK_EQ_INT(dwarf_layout_read(fixture("dwarf-root/lib/libruby-debuglink.so"), root,
				       "/lib/libruby-debuglink.so", "4.1.0", dl, why, sizeof(why)),
		     0);
	check_same(&dl->layout, &want, "by debuglink");
	CHECK(strstr(dl->debug_path, "/usr/lib/debug/lib/libruby-debuglink.debug") != NULL);
	/* A debug file of another build (CRC differs), and none at all: no DWARF */
	CHECK_EQ_INT(dwarf_layout_read(fixture("dwarf-root/lib/libruby-badcrc.so"), root,
				       "/lib/libruby-badcrc.so", "4.1.0", dl, why, sizeof(why)),
		     -ENODATA);
	snprintf(root, sizeof(root), "%s", fixture("dwarf-root/empty"));
	CHECK_EQ_INT(dwarf_layout_read(fixture("dwarf-root/lib/libruby-buildid.so"), root,
				       "/lib/libruby-buildid.so", "4.1.0", dl, why, sizeof(why)),
		     -ENODATA);
	CHECK_STR(why, "no DWARF");
	free(dl);
}

/* Start `prog` (with `arg`) and wait for its first line ("ready"). */
static pid_t spawn_ready(const char *prog, const char *arg, FILE **out)
{
	char line[128];
	pid_t pid = child_spawn(prog, arg, out);

	if (pid > 0 && (!*out || !fgets(line, sizeof(line), *out))) {
		child_stop(pid, *out);
		*out = NULL;
		return -1;
	}
	return pid;
}

/* Probe a process running dwarf_host with `lib`; returns the probe result. */
static enum probe_result probe_with(const char *lib, const char *force, struct ruby_target *t)
{
	struct discover d;
	enum probe_result r = PROBE_FAILED;
	char why[128];
	FILE *out = NULL;
	pid_t pid = spawn_ready(fixture("dwarf_host"), lib, &out);

	CHECK(pid > 0);
	if (pid <= 0)
		return r;
	discover_init(&d);
	d.force_version = force;
	r = discover_probe(&d, pid, t, why, sizeof(why));
	if (r == PROBE_RUBY && t->origin.source == LAYOUT_DWARF) {
		/* the layout lives in the discovery's cache: keep a copy past discover_free */
		static struct ruby_layout copy;

		memcpy(&copy, t->layout, sizeof(copy));
		t->layout = &copy;
	}
	discover_free(&d);
	child_stop(pid, out);
	return r;
}

void test_dwarf_discovery_policy(void)
{
	struct ruby_target t;
	struct ruby_layout want;
	int exact;

	/* 2.7.99: its series has an entry, but the DWARF is the better guess. */
	CHECK_EQ_INT(probe_with(fixture("libruby-dwarffix-old.so"), NULL, &t), PROBE_RUBY);
	CHECK_STR(t.version, "2.7.99");
	CHECK_EQ_INT(t.origin.source, LAYOUT_DWARF);
	CHECK_STR(t.origin.note, "offsets from its DWARF");
	CHECK_EQ_INT(t.bpf.tls_kind, RBPROF_EC_GLOBAL);
	lookalike_old_layout(&want);
	if (t.origin.source == LAYOUT_DWARF)
		check_same(t.layout, &want, "probed old shape");
	/* 4.1.0 (no series): the DWARF, with the #defines of 4.0.5 named in the notice. */
	CHECK_EQ_INT(probe_with(fixture("libruby-dwarffix-new.so"), NULL, &t), PROBE_RUBY);
	CHECK_EQ_INT(t.origin.source, LAYOUT_DWARF);
	CHECK_STR(t.origin.note, "offsets from its DWARF; ID_ENTRY_UNIT, RARRAY_EMBED_LEN_MASK "
				 "(not in DWARF) from the 4.0 layout");
	CHECK_EQ_INT(t.bpf.tls_kind, RBPROF_TLS_DTV);
	/* 4.0.99 whose DWARF lacks a member: the 4.0 entry, and the notice names the member. */
	CHECK_EQ_INT(probe_with(fixture("libruby-dwarffix-nopath.so"), NULL, &t), PROBE_RUBY);
	CHECK_EQ_INT(t.origin.source, LAYOUT_SERIES);
	CHECK(t.layout == ruby_layout_find("4.0.5", &exact));
	CHECK(strstr(t.origin.note, "location.pathobj") != NULL);
	/* --force-version wins over the DWARF. */
	CHECK_EQ_INT(probe_with(fixture("libruby-dwarffix-new.so"), "3.1.2", &t), PROBE_RUBY);
	CHECK_EQ_INT(t.origin.source, LAYOUT_FORCED);
	CHECK(t.layout == ruby_layout_find("3.1.2", &exact));
}

void test_dwarf_not_read_for_table_versions(void)
{
	struct discover d;
	struct ruby_target t;
	char why[128];
	int exact;
	/* tlsfix's libruby says 3.1.2 and has DWARF (-g) without any Ruby struct in it: were the
	 * DWARF read, the layout would be incomplete and the notice say so. */
	FILE *out = NULL;
	pid_t pid = spawn_ready(fixture("tlsfix"), NULL, &out);

	CHECK(pid > 0);
	if (pid <= 0)
		return;
	discover_init(&d);
	CHECK_EQ_INT(discover_probe(&d, pid, &t, why, sizeof(why)), PROBE_RUBY);
	CHECK_EQ_INT(t.origin.source, LAYOUT_TABLE);
	CHECK(t.layout == ruby_layout_find("3.1.2", &exact));
	CHECK_STR(t.origin.note, "");
	discover_free(&d);
	child_stop(pid, out);
}

/* ruby_version's string, read from the file at the symbol's place. */
static int file_version(const char *path, char *buf, size_t cap)
{
	struct elf_ruby e;
	int fd, i, best = -1;
	ssize_t n;

	if (elf_ruby_read(path, NULL, NULL, &e) || !e.has_version)
		return -ENOENT;
	for (i = 0; i < e.nloads; i++)
		if (e.loads[i].vaddr <= e.version &&
		    (best < 0 || e.loads[i].vaddr > e.loads[best].vaddr))
			best = i;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (best < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	n = pread(fd, buf, cap - 1,
		  (off_t)(e.version - e.loads[best].vaddr + e.loads[best].offset));
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0; /* the string ends at its own NUL, read with it */
	return 0;
}

/*
 * Session check, not run in CI: RBPROF_DWARF_RUBIES="/path/libruby.so /path/ruby ..." names
 * -g builds of table versions; each one's DWARF must give its table entry exactly.
 */
void test_dwarf_real_rubies(void)
{
	const char *list = getenv("RBPROF_DWARF_RUBIES");
	struct dwarf_layout *dl;
	char *copy, *path, *save = NULL;

	if (!list || !*list) {
		printf("# test_dwarf_real_rubies: RBPROF_DWARF_RUBIES unset, nothing to compare\n");
		return;
	}
	dl = calloc(1, sizeof(*dl));
	copy = strdup(list);
	for (path = strtok_r(copy, " ", &save); path; path = strtok_r(NULL, " ", &save)) {
		const struct ruby_layout *table;
		struct timespec a, b;
		char version[32], why[256], diff[4096];
		int exact = 0, err, n = -1;

		if (file_version(path, version, sizeof(version))) {
			printf("# %s: no ruby_version in it\n", path);
			CHECK(0);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		err = dwarf_layout_read(path, "", path, version, dl, why, sizeof(why));
		clock_gettime(CLOCK_MONOTONIC, &b);
		table = ruby_layout_find(version, &exact);
		if (!err && table && exact)
			n = ruby_layout_diff(&dl->layout, table, diff, sizeof(diff));
		printf("# %s (%s): %s%s%s%s, %.0f ms\n", path, version,
		       err     ? why
		       : n < 0 ? "no table entry to compare with"
		       : n     ? "DIFFERS from the table: "
			       : "equal to the table entry",
		       n > 0 ? diff : "", dl->from_base[0] ? "; from the base: " : "",
		       dl->from_base,
		       (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
		CHECK_EQ_INT(err, 0);
		CHECK(table && exact);
		CHECK_EQ_INT(n, 0);
	}
	free(copy);
	free(dl);
}
