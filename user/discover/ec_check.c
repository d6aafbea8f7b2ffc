// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ec_check.c - is this an execution context of the process? */
#include <errno.h>
#include <stdio.h>
#include "discover/ec_check.h"
#include "rubyvm/object.h"
#include "sampling/walk_host.h"

static int fail(char *why, size_t whylen, const char *what, __u64 v)
{
	snprintf(why, whylen, "%s (0x%llx)", what, (unsigned long long)v);
	return -EINVAL;
}

int ec_check(const struct rbprof_proc *p, const struct ruby_layout *L, struct memread *mem,
	     __u64 tp, char *why, size_t whylen)
{
	__u64 ec, stack, words, cfp, end, th, back, w;

	walk_mem = mem;
	if (rbprof_find_ec(p, tp, &ec))
		return fail(why, whylen, "no EC through it", tp);
	if (!ruby_is_pointer(ec))
		return fail(why, whylen, "it holds no pointer", ec);
	if (memread_u64(mem, ec + L->vm.ec_vm_stack, &stack) ||
	    memread_u64(mem, ec + L->vm.ec_vm_stack_size, &words) ||
	    memread_u64(mem, ec + L->vm.ec_cfp, &cfp))
		return fail(why, whylen, "what it points to is not mapped", ec);
	if (!ruby_is_pointer(stack) || !words || words > RBPROF_MAX_VM_STACK_WORDS)
		return fail(why, whylen, "no VM stack there", stack);
	end = stack + words * 8;
	/* both ends of the stack must be mapped */
	if (memread_u64(mem, stack, &w) || memread_u64(mem, end - 8, &w))
		return fail(why, whylen, "its VM stack is not mapped", stack);
	if (cfp < stack || cfp >= end || !L->vm.cfp_size || (end - cfp) % L->vm.cfp_size)
		return fail(why, whylen, "its frame pointer is not a frame of its VM stack", cfp);
	if (!L->ec_thread_ptr || !L->thread_ec)
		return 0; /* a layout without the back pointer: the stack checks must do */
	if (memread_u64(mem, ec + L->ec_thread_ptr, &th) || !ruby_is_pointer(th) ||
	    memread_u64(mem, th + L->thread_ec, &back))
		return fail(why, whylen, "its thread is not readable", ec);
	if (back != ec)
		return fail(why, whylen, "its thread points to another EC", back);
	return 0;
}
