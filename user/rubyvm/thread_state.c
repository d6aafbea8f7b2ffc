// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* thread_state.c - a Ruby thread's status and GVL state, read from its rb_thread_t. */
#include <errno.h>
#include <string.h>
#include "rubyvm/thread_state.h"

static __u32 min3(__u32 a, __u32 b, __u32 c)
{
	__u32 m = a < b ? a : b;

	return m < c ? m : c;
}

static __u32 max3(__u32 a, __u32 b, __u32 c)
{
	__u32 m = a > b ? a : b;

	return m > c ? m : c;
}

int ruby_thread_span(const struct ruby_layout *L, __u32 *lo, __u32 *len)
{
	__u32 hi = max3(L->thread_status + 1, L->thread_blocking_region + 8,
			L->thread_sched_base + 8);

	*lo = min3(L->thread_status, L->thread_blocking_region, L->thread_sched_base);
	*len = hi - *lo;
	if (!L->thread_status || !L->thread_blocking_region || !L->thread_sched_base ||
	    *len > RUBY_THREAD_SPAN_MAX)
		return -ENOTSUP;
	return 0;
}

int ruby_thread_vm_state(const struct ruby_layout *L, struct memread *m, __u64 th,
			 struct ruby_thread_vm_state *out)
{
	__u8 span[RUBY_THREAD_SPAN_MAX];
	__u64 base, running, region;
	__u32 lo, len;
	__u8 status;
	int err;

	if (ruby_thread_span(L, &lo, &len))
		return -ENOTSUP;
	if (!th || (th & 7))
		return -EINVAL;
	if ((err = m->read(m, th + lo, span, len)))
		return err;
	status = span[L->thread_status - lo];
	memcpy(&region, span + (L->thread_blocking_region - lo), 8);
	memcpy(&base, span + (L->thread_sched_base - lo), 8);
	/* no scheduler (a thread being set up or torn down): it holds nothing */
	running = 0;
	if (base && (err = memread_u64(m, base + L->sched_running, &running)))
		return err;
	out->status = (status >> L->thread_status_shift) & 3;
	out->in_blocking_region = region != 0;
	out->holds_gvl = running == th;
	out->sched = base;
	return 0;
}

int ruby_thread_by_tp(const struct ruby_layout *L, struct memread *m, __u64 ec, __u64 tp,
		      __u64 *th)
{
	__u64 cur, vm, head, node, id;
	int err, i;

	if (!L->vm_living_threads || !L->thread_sched_base || !L->thread_id || !L->ec_thread_ptr)
		return -ENOTSUP;
	if ((err = memread_u64(m, ec + L->ec_thread_ptr, &cur)) ||
	    (err = memread_u64(m, cur + L->thread_sched_base, &vm)))
		return err;
	head = vm + L->vm_living_threads;
	if ((err = memread_u64(m, head, &node)))
		return err;
	for (i = 0; i < RUBY_LIVING_THREADS_MAX && node && node != head; i++) {
		__u64 cand = node - L->thread_vmlt_node;

		if ((err = memread_u64(m, cand + L->thread_id, &id)))
			return err;
		if (id == tp) {
			*th = cand;
			return 0;
		}
		if ((err = memread_u64(m, node, &node))) /* list_node.next */
			return err;
	}
	return -ESRCH;
}
