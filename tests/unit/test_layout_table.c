// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The release ranges of the layout table (user/layouts/releases.c): every release of every
 * supported series has an entry of its own (no notice); the series whose layout changed
 * between patch releases are split where it changed, into entries that differ in that only
 * (scripts/layouts/README.md: how each range was established); a release after the last
 * known one takes the newest entry of its series, with a notice.
 */
#include <errno.h>
#include <string.h>
#include "layouts/dwarf_layout.h"
#include "layouts/layout.h"
#include "test.h"

/* The last patch release of each series when the ranges were checked (the release tags). */
static const struct {
	const char *series;
	int last;
} series[] = {
    {"2.7", 8}, {"3.0", 7}, {"3.1", 7}, {"3.2", 11}, {"3.3", 11}, {"3.4", 9}, {"4.0", 5},
};

#define NSERIES (sizeof(series) / sizeof(series[0]))

static const struct ruby_layout *find(const char *version, int *exact)
{
	*exact = -1;
	return ruby_layout_find(version, exact);
}

void test_layout_every_release(void)
{
	const struct ruby_layout *L, *last;
	char v[32], why[160];
	size_t s;
	int p, exact;

	for (s = 0; s < NSERIES; s++) {
		for (p = 0; p <= series[s].last; p++) {
			snprintf(v, sizeof(v), "%s.%d", series[s].series, p);
			L = find(v, &exact);
			CHECK(L != NULL);
			if (!L)
				continue;
			if (!exact)
				fprintf(stderr, "  %s: no entry of its own\n", v);
			CHECK_EQ_INT(exact, 1);
			CHECK_STR(L->series, series[s].series);
			/* where the kernel's frame loop reads every frame (rbprof.h) */
			CHECK_EQ_INT(L->vm.cfp_pc, RBPROF_CFP_PC);
			CHECK_EQ_INT(L->vm.cfp_iseq, RBPROF_CFP_ISEQ);
			CHECK_EQ_INT(L->vm.cfp_ep, RBPROF_CFP_EP);
			/* every field read in one go lies inside what is read */
			CHECK_EQ_INT(ruby_layout_check_reads(L, why, sizeof(why)), 0);
		}
		last = find(v, &exact);
		/* The next release: the newest entry of its series (the last one's), not exact. */
		snprintf(v, sizeof(v), "%s.%d", series[s].series, series[s].last + 1);
		L = find(v, &exact);
		CHECK(L != NULL && L == last);
		CHECK_EQ_INT(exact, 0);
	}
}

/* Releases where rb_vm_t grew a member before `objspace` (vm_core.h), and one on each side. */
static const struct {
	const char *version;
	__u32 vm_objspace;
} objspace_moves[] = {
    {"3.0.0", 1088}, {"3.0.7", 1088},  /* global_cc_cache_table (3.0.1) is after objspace */
    {"3.1.0", 1104}, {"3.1.4", 1104},  /* static_ext_inits (3.1.4) only #if EXTSTATIC */
    {"3.1.5", 1112}, {"3.1.7", 1112},  /* loaded_features_realpath_map */
    {"3.2.0", 1128}, {"3.2.2", 1128},  /* static_ext_inits only #if EXTSTATIC */
    {"3.2.3", 1136},		       /* loaded_features_realpath_map */
    {"3.2.4", 1144}, {"3.2.11", 1144}, /* static_ext_inits always */
    {"3.3.0", 1304}, {"3.3.11", 1304}, /* ci_table (3.3.1) is after objspace */
};

void test_layout_split_ranges(void)
{
	static const char *const pairs[][2] = {
	    {"3.1.4", "3.1.5"}, {"3.2.2", "3.2.3"}, {"3.2.3", "3.2.4"}};
	const struct ruby_layout *a, *b;
	char diff[512];
	size_t i;
	int exact;

	for (i = 0; i < sizeof(objspace_moves) / sizeof(objspace_moves[0]); i++) {
		a = find(objspace_moves[i].version, &exact);
		CHECK(a != NULL && exact == 1);
		if (a && a->vm_objspace != objspace_moves[i].vm_objspace)
			fprintf(stderr, "  %s: vm_objspace %u\n", objspace_moves[i].version,
				a->vm_objspace);
		CHECK(a && a->vm_objspace == objspace_moves[i].vm_objspace);
	}
	/* The entries of a split series differ in vm_objspace and nothing else. */
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a = find(pairs[i][0], &exact);
		b = find(pairs[i][1], &exact);
		CHECK(a && b && a != b);
		if (!a || !b)
			continue;
		CHECK_EQ_INT(ruby_layout_diff(a, b, diff, sizeof(diff)), 1);
		if (!strstr(diff, "vm_objspace"))
			fprintf(stderr, "  %s vs %s: %s\n", pairs[i][0], pairs[i][1], diff);
		CHECK(strstr(diff, "vm_objspace") != NULL);
	}
}

void test_layout_not_a_release(void)
{
	static const char *const bad[] = {"3.3",   "3.3.0p1", "3.3.0.1", "",
					  "1.9.3", "3.5.0",   "x.y.z"};
	size_t i;
	int exact;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(find(bad[i], &exact) == NULL);
		CHECK_EQ_INT(exact, 0);
	}
}

/* A field past the buffer its struct is read into: refused, with its name. */
static struct ruby_layout layout_32(void)
{
	int exact;

	return *ruby_layout_find("3.2.0", &exact);
}

void test_layout_check_reads(void)
{
	struct ruby_layout L = layout_32();
	char why[160];

	CHECK_EQ_INT(ruby_layout_check_reads(&L, why, sizeof(why)), 0);
	L.body_label = RUBY_ISEQ_BODY_READ - 4;
	CHECK_EQ_INT(ruby_layout_check_reads(&L, why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "body_label at offset 252 is past the 256 bytes read of rb_iseq_constant_body");
	L = layout_32();
	L.insn_info_line_no = L.insn_info_size - 2;
	CHECK_EQ_INT(ruby_layout_check_reads(&L, why, sizeof(why)), -EINVAL);
	L = layout_32();
	CHECK_EQ_INT(L.class_path, CLASS_PATH_SHAPE_IVARS);
	L.shape_parent_id = L.shape_size;
	CHECK_EQ_INT(ruby_layout_check_reads(&L, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "shape_parent_id") != NULL);
	L = layout_32();
	L.shape_size = RUBY_SHAPE_SIZE_MAX + 8;
	CHECK_EQ_INT(ruby_layout_check_reads(&L, why, sizeof(why)), -EINVAL);
}
