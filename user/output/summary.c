// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* summary.c - the top methods by self and by total share, at the end of a profile. */
#include <errno.h>
#include "common/msg.h"
#include "output/methods.h"
#include "output/summary.h"

static void print_top(struct method_table *t, int by_self)
{
	__u32 i;

	methods_sort(t, by_self);
	msg("top methods by %s share (%% self, %% total, method):", by_self ? "self" : "total");
	for (i = 0; i < t->n && i < SUMMARY_TOP; i++) {
		const struct method *m = &t->m[i];

		if (!(by_self ? m->self : m->total))
			break;
		msg("  %5.1f%% %5.1f%%  %s", 100.0 * (double)m->self / (double)t->samples,
		    100.0 * (double)m->total / (double)t->samples, m->name);
	}
}

int summary_write(const struct aggregate *a, __u32 skip_root)
{
	struct method_table t = {0};
	int err = methods_build(&t, a, skip_root, 0);

	if (!err && t.samples) {
		print_top(&t, 1);
		print_top(&t, 0);
	}
	methods_free(&t);
	return err;
}
