/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ruby_walk.h - find a thread's Ruby execution context and walk its control frames.
 *
 * The logic lives in this header, apart from the BPF program, so that it also compiles for the
 * host: the includer defines RBPROF_READ_USER(dst, size, src) (bpf_probe_read_user in the
 * kernel, a read from recorded memory in the unit tests) and provides __u32/__u64 and
 * __always_inline. Nothing here may rely on anything else.
 *
 * Every value read here comes from the profiled process and is untrusted: offsets into scratch
 * buffers are masked, loops have fixed budgets, and a torn read ends the walk with a status.
 */
#ifndef RBPROF_RUBY_WALK_H
#define RBPROF_RUBY_WALK_H

#include "rbprof.h"

/* glibc x86_64: the TCB at the thread pointer starts {void *tcb; dtv_t *dtv; ...}. */
#define RBPROF_TCB_DTV_OFFSET 8
/* glibc marks a DTV slot whose TLS block is not allocated yet with (void *)-1. */
#define RBPROF_TLS_DTV_UNALLOCATED ((__u64)-1)
/* A VM stack larger than this (in VALUEs, 1 GiB) is garbage, not a Ruby thread. */
#define RBPROF_MAX_VM_STACK_WORDS (1ULL << 27)

enum rbprof_walk_status {
	RBPROF_WALK_OK = 0,
	RBPROF_WALK_NO_EC,	/* the thread has no Ruby execution context */
	RBPROF_WALK_READ_FAULT, /* a read of process memory failed */
	RBPROF_WALK_BAD_STACK,	/* the frame pointers do not describe a VM stack */
};

/* Per-CPU scratch of the walker: too large for the 512-byte BPF stack. */
struct rbprof_walk_scratch {
	__u64 ec[RBPROF_EC_READ_BYTES / 8];
	__u64 chunk[RBPROF_CHUNK_BYTES / 8];
	__u64 env[3]; /* ep[-2], ep[-1], ep[0] of a frame without iseq */
	struct rbprof_event ev;
};

/* Read the thread's `ruby_current_ec` from its thread pointer `tp`. */
static __always_inline int rbprof_find_ec(const struct rbprof_proc *proc, __u64 tp, __u64 *ec)
{
	__u64 addr, dtv, block;

	if (!tp)
		return RBPROF_WALK_NO_EC;
	if (proc->tls_kind == RBPROF_EC_GLOBAL) {
		__u64 th, owner;

		if (RBPROF_READ_USER(ec, sizeof(*ec), proc->tls_offset))
			return RBPROF_WALK_READ_FAULT;
		if (!*ec)
			return RBPROF_WALK_NO_EC;
		if (RBPROF_READ_USER(&th, sizeof(th), *ec + proc->ec_thread_ptr) ||
		    RBPROF_READ_USER(&owner, sizeof(owner), th + proc->thread_id))
			return RBPROF_WALK_READ_FAULT;
		return owner == tp ? RBPROF_WALK_OK : RBPROF_WALK_NO_EC;
	}
	if (proc->tls_kind == RBPROF_TLS_STATIC) {
		addr = tp + proc->tls_offset;
	} else {
		if (RBPROF_READ_USER(&dtv, sizeof(dtv), tp + RBPROF_TCB_DTV_OFFSET))
			return RBPROF_WALK_READ_FAULT;
		if (RBPROF_READ_USER(&block, sizeof(block),
				     dtv + proc->tls_modid * proc->dtv_entry_size))
			return RBPROF_WALK_READ_FAULT;
		if (!block || block == RBPROF_TLS_DTV_UNALLOCATED)
			return RBPROF_WALK_NO_EC;
		addr = block + proc->tls_offset;
	}
	if (RBPROF_READ_USER(ec, sizeof(*ec), addr))
		return RBPROF_WALK_READ_FAULT;
	return *ec ? RBPROF_WALK_OK : RBPROF_WALK_NO_EC;
}

/* A word of scratch at a byte offset that came from the offsets table: masked in range. */
#define RBPROF_EC_WORD(s, off)	  ((s)->ec[((off) / 8) & (RBPROF_EC_READ_BYTES / 8 - 1)])
#define RBPROF_CHUNK_WORD(s, off) ((s)->chunk[((off) / 8) & (RBPROF_CHUNK_BYTES / 8 - 1)])

/*
 * Append a frame to s->ev. The count lives in the scratch map, not in a register: the verifier
 * then treats it as unknown (bounded by the mask) and does not explore every combination of
 * frame kinds along the walk as a separate path.
 */
static __always_inline void rbprof_push(struct rbprof_walk_scratch *s, __u64 addr, __u64 pc,
					__u64 ep)
{
	/* volatile: the compiler must not keep the count in a register across frames either. */
	__u32 n = *(volatile __u32 *)&s->ev.nframes;

	if (n >= RBPROF_MAX_FRAMES)
		return;
	s->ev.frames[n & (RBPROF_MAX_FRAMES - 1)].addr = addr;
	s->ev.frames[n & (RBPROF_MAX_FRAMES - 1)].pc = pc;
	s->ev.frames[n & (RBPROF_MAX_FRAMES - 1)].ep = ep;
	*(volatile __u32 *)&s->ev.nframes = n + 1;
}

/* Record a frame without iseq if it is a C method frame: its method entry is at ep[-2]. */
static __always_inline void rbprof_push_cframe(struct rbprof_walk_scratch *s, __u64 ep)
{
	if (!ep || RBPROF_READ_USER(s->env, sizeof(s->env), ep - 2 * 8))
		return;
	if ((s->env[2] & RUBY_VM_FRAME_MAGIC_MASK) != RUBY_VM_FRAME_MAGIC_CFUNC)
		return;
	rbprof_push(s, s->env[0], 0, ep);
}

/* Flag the event if the VM is collecting garbage (one 4-byte read; none while unknown). */
static __always_inline void rbprof_gc_state(const struct rbprof_proc *proc,
					    struct rbprof_walk_scratch *s)
{
	__u32 flags, mode;

	if (!proc->gc_flags_addr || RBPROF_READ_USER(&flags, sizeof(flags), proc->gc_flags_addr))
		return;
	if (!(flags & proc->gc_during_mask))
		return;
	s->ev.flags |= RBPROF_EV_GC;
	mode = flags & proc->gc_mode_mask;
	if (mode == RUBY_GC_MODE_MARKING)
		s->ev.flags |= RBPROF_EV_GC_MARKING;
	else if (mode == RUBY_GC_MODE_SWEEPING)
		s->ev.flags |= RBPROF_EV_GC_SWEEPING;
}

/*
 * Walk the control frames of execution context `ec_addr` into s->ev (frames innermost first,
 * nframes, flags). Frames run from ec->cfp up to the end of the VM stack; they are read
 * RBPROF_CHUNK_FRAMES at a time. A Ruby frame (iseq and pc set) records (iseq, pc); a C method
 * frame records (method entry, 0); other frames (ifunc) are skipped as Ruby's own backtrace
 * skips them.
 */
static __always_inline int rbprof_walk(const struct rbprof_proc *proc, __u64 ec_addr,
				       struct rbprof_walk_scratch *s)
{
	const struct rbprof_vm_offsets *o = &proc->off;
	__u64 vm_stack, stack_words, cfp, end, size, total;
	__u32 c, i;

	s->ev.nframes = 0;
	s->ev.flags = 0;
	if (RBPROF_READ_USER(s->ec, sizeof(s->ec), ec_addr))
		return RBPROF_WALK_READ_FAULT;
	vm_stack = RBPROF_EC_WORD(s, o->ec_vm_stack);
	stack_words = RBPROF_EC_WORD(s, o->ec_vm_stack_size);
	cfp = RBPROF_EC_WORD(s, o->ec_cfp);
	size = o->cfp_size;
	if (size < 40 || size > RBPROF_CFP_MAX_SIZE || (size & 7))
		return RBPROF_WALK_BAD_STACK;
	if (!vm_stack || !stack_words || stack_words > RBPROF_MAX_VM_STACK_WORDS)
		return RBPROF_WALK_BAD_STACK;
	end = vm_stack + stack_words * 8;
	if (cfp < vm_stack || cfp >= end || end < vm_stack)
		return RBPROF_WALK_BAD_STACK;
	/*
	 * The outermost frame (end - 1) is the dummy every EC starts with
	 * (rb_ec_initialize_vm_stack); it carries a <main> iseq with line 0, and Ruby's own
	 * backtrace (vm_backtrace.c) starts below it, so the walk does too.
	 */
	total = (end - cfp) / size;
	if (!total)
		return RBPROF_WALK_BAD_STACK;
	total--;

	for (c = 0; c < RBPROF_MAX_FRAMES / RBPROF_CHUNK_FRAMES; c++) {
		__u64 left = total - (__u64)c * RBPROF_CHUNK_FRAMES;
		__u32 cnt, bytes;

		if ((__s64)left <= 0)
			break;
		cnt = left > RBPROF_CHUNK_FRAMES ? RBPROF_CHUNK_FRAMES : (__u32)left;
		bytes = cnt * (__u32)size;
		if (bytes > RBPROF_CHUNK_BYTES)
			return RBPROF_WALK_BAD_STACK;
		/*
		 * The last, partial chunk: zero it first so that the slots past its frames read
		 * as empty frames (no iseq, no ep), which the loop below skips. The frame loop
		 * itself then never compares against `cnt`: such a per-frame comparison makes
		 * the verifier track every count separately (900k instructions instead of 20k).
		 */
		if (cnt < RBPROF_CHUNK_FRAMES)
			__builtin_memset(s->chunk, 0, sizeof(s->chunk));
		if (RBPROF_READ_USER(s->chunk, bytes, cfp + (__u64)c * RBPROF_CHUNK_FRAMES * size))
			return RBPROF_WALK_READ_FAULT;
		if (c == 0 && o->cfp_jit_return && RBPROF_CHUNK_WORD(s, o->cfp_jit_return) &&
		    RBPROF_CHUNK_WORD(s, o->cfp_iseq) && RBPROF_CHUNK_WORD(s, o->cfp_pc))
			s->ev.flags |= RBPROF_EV_LEAF_JIT;
		for (i = 0; i < RBPROF_CHUNK_FRAMES; i++) {
			__u64 base = i * size, pc, iseq, ep;

			pc = RBPROF_CHUNK_WORD(s, base + o->cfp_pc);
			iseq = RBPROF_CHUNK_WORD(s, base + o->cfp_iseq);
			ep = RBPROF_CHUNK_WORD(s, base + o->cfp_ep);
			if (iseq && pc)
				rbprof_push(s, iseq, pc, ep);
			else if (!iseq)
				rbprof_push_cframe(s, ep);
		}
	}
	if (total > RBPROF_MAX_FRAMES)
		s->ev.flags |= RBPROF_EV_TRUNCATED;
	rbprof_gc_state(proc, s);
	return RBPROF_WALK_OK;
}

#endif /* RBPROF_RUBY_WALK_H */
