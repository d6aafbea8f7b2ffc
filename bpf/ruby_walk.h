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
/*
 * Static TLS sits just below the thread pointer (x86_64's TLS variant II): a few KiB of
 * modules' blocks and glibc's surplus. A block farther away than this is not taken for one.
 */
#define RBPROF_STATIC_TLS_MAX (64ULL << 10)
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
	/* the frames of a chunk, and room for a last frame's fields at a masked offset */
	__u64 chunk[(RBPROF_CHUNK_BYTES + RBPROF_CFP_MAX_SIZE) / 8];
	__u64 env[3];	/* ep[-2], ep[-1], ep[0] of a C frame */
	__u64 captured; /* owners captured in this sample (RBPROF_CAPTURE_MAX) */
	/* iseqs found settled (rbprof.h RBPROF_SETTLED_CACHE), as of settled->generation */
	__u64 settled_cache[RBPROF_SETTLED_CACHE];
	__u64 settled_generation;
	struct rbprof_event ev;
};

/*
 * Where the thread with thread pointer `tp` keeps its `ruby_current_ec` (RBPROF_TLS_DTV and
 * RBPROF_TLS_STATIC): the address of its TLS variable. *in_static_tls is set when libruby's
 * block is in glibc's static TLS, where every thread of the process has it at the same
 * offset from its thread pointer (glibc allocated it with the thread: to_free is NULL).
 */
static __always_inline int rbprof_ec_location(const struct rbprof_proc *proc, __u64 tp, __u64 *loc,
					      int *in_static_tls)
{
	__u64 dtv, entry, block, to_free;

	*in_static_tls = 0;
	if (proc->tls_kind == RBPROF_TLS_STATIC) {
		*loc = tp + proc->tls_offset;
		return RBPROF_WALK_OK;
	}
	if (RBPROF_READ_USER(&dtv, sizeof(dtv), tp + RBPROF_TCB_DTV_OFFSET))
		return RBPROF_WALK_READ_FAULT;
	entry = dtv + proc->tls_modid * proc->dtv_entry_size;
	if (RBPROF_READ_USER(&block, sizeof(block), entry))
		return RBPROF_WALK_READ_FAULT;
	if (!block || block == RBPROF_TLS_DTV_UNALLOCATED)
		return RBPROF_WALK_NO_EC;
	*loc = block + proc->tls_offset;
	/*
	 * The caller may learn from a static block; it can do without (a failed read). glibc's
	 * to_free is NULL for a block in static TLS.
	 */
	if (proc->dtv_entry_size == RBPROF_GLIBC_DTV_ENTRY_SIZE &&
	    !RBPROF_READ_USER(&to_free, sizeof(to_free), entry + 8))
		*in_static_tls = !to_free && *loc < tp && tp - *loc <= RBPROF_STATIC_TLS_MAX;
	return RBPROF_WALK_OK;
}

/* The EC in the TLS variable at `loc`. */
static __always_inline int rbprof_read_ec(__u64 loc, __u64 *ec)
{
	if (RBPROF_READ_USER(ec, sizeof(*ec), loc))
		return RBPROF_WALK_READ_FAULT;
	return *ec ? RBPROF_WALK_OK : RBPROF_WALK_NO_EC;
}

/* Ruby <= 2.7 (RBPROF_EC_GLOBAL): the global EC, if its thread is the one at `tp`. */
static __always_inline int rbprof_global_ec(const struct rbprof_proc *proc, __u64 tp, __u64 *ec)
{
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

/* Read the thread's `ruby_current_ec` from its thread pointer `tp`. */
static __always_inline int rbprof_find_ec(const struct rbprof_proc *proc, __u64 tp, __u64 *ec)
{
	__u64 loc;
	int err, in_static_tls;

	if (!tp)
		return RBPROF_WALK_NO_EC;
	if (proc->tls_kind == RBPROF_EC_GLOBAL)
		return rbprof_global_ec(proc, tp, ec);
	err = rbprof_ec_location(proc, tp, &loc, &in_static_tls);
	return err ? err : rbprof_read_ec(loc, ec);
}

/* A word of scratch at a byte offset that came from the offsets table: masked in range. */
#define RBPROF_EC_WORD(s, off)	  ((s)->ec[((off) / 8) & (RBPROF_EC_READ_BYTES / 8 - 1)])
#define RBPROF_CHUNK_WORD(s, off) ((s)->chunk[((off) / 8) & (RBPROF_CHUNK_BYTES / 8 - 1)])

/*
 * Record frame k of the walk in its own slot of s->ev: a Ruby frame (iseq and pc set) as
 * (iseq, pc, ep); a C method frame as (method entry, 0, ep), its method entry read from ep[-2];
 * any other frame (ifunc, or a frame not started) as an empty slot (addr 0) that user space
 * skips. One slot per frame keeps the loop free of a count of recorded frames, which would
 * make the verifier follow every combination of frame kinds as its own path, and the frame
 * costs a few stores and no branch back to memory.
 */
static __always_inline void rbprof_record(struct rbprof_walk_scratch *s, __u32 k, __u64 pc,
					  __u64 iseq, __u64 ep)
{
	struct rbprof_frame *f = &s->ev.frames[k & (RBPROF_MAX_FRAMES - 1)];

	f->ep = ep;
	if (iseq) {
		f->addr = pc ? iseq : 0;
		f->pc = pc;
		return;
	}
	f->addr = 0;
	f->pc = 0;
	if (ep && !RBPROF_READ_USER(s->env, sizeof(s->env), ep - RUBY_VM_ENV_ME_CREF_OFFSET) &&
	    (s->env[2] & RUBY_VM_FRAME_MAGIC_MASK) == RUBY_VM_FRAME_MAGIC_CFUNC)
		f->addr = s->env[0];
}

/*
 * The includer may make the owner capture a function of its own: the BPF program makes it a
 * global function, which the verifier checks once, apart from the frame loops that call it
 * (inlined there, its branches would multiply with theirs past the verifier's limits).
 */
#ifndef RBPROF_SUBPROG
#define RBPROF_SUBPROG static __always_inline
#endif

/*
 * The method entry that Ruby frame `f` runs under, as rb_vm_frame_method_entry() finds it:
 * from the frame's env towards its method's, the first ep[-2] that is a method entry (a
 * define_method block's own env holds one), or the method's env's ep[-2] whatever it is (an
 * svar, or no method at all: user space tells). Stored tagged in f->ep (RBPROF_FRAME_ME); a
 * read that fails, or a chain longer than RBPROF_ENV_LEVELS, leaves the env pointer there.
 * Returns 1 if captured.
 */
RBPROF_SUBPROG int rbprof_capture_owner(struct rbprof_frame *f)
{
	__u64 env[3], word, ep;
	__u32 level;

	if (!f)
		return 0;
	ep = f->ep;
	for (level = 0; level < RBPROF_ENV_LEVELS; level++) {
		if (!ep || (ep & 7) ||
		    RBPROF_READ_USER(env, sizeof(env), ep - RUBY_VM_ENV_ME_CREF_OFFSET))
			return 0;
		if (env[2] & RUBY_VM_ENV_FLAG_LOCAL) {
			f->ep = env[0] | RBPROF_FRAME_ME;
			return 1;
		}
		/* A block's env: ep[-2] is 0, a cref (instance_exec) or a method entry. */
		if (env[0] && !(env[0] & 7) && !RBPROF_READ_USER(&word, sizeof(word), env[0]) &&
		    rbprof_imemo_type(word) == RUBY_IMEMO_MENT) {
			f->ep = env[0] | RBPROF_FRAME_ME;
			return 1;
		}
		ep = env[1] & RUBY_VM_ENV_PREV_EP_MASK;
	}
	return 0;
}

/*
 * After chunk c's `cnt` frames are recorded: the Ruby frames among them whose iseqs are
 * settled get their `self` in place of the env pointer (RBPROF_FRAME_SELF: the iseq of a
 * module_function method settles with two labels, which self tells apart), and the others
 * their owners captured, within RBPROF_CAPTURE_MAX a sample. A pass of its own over the
 * recorded frames, not a test in the frame loop, where the verifier would check it once per
 * frame of every chunk. `size` is the frame size. An iseq is looked up in the per-CPU cache
 * of settled ones first, then in the bitmap.
 */
RBPROF_SUBPROG int rbprof_capture_chunk(struct rbprof_walk_scratch *s,
					const struct rbprof_settled *settled, __u32 c, __u32 cnt,
					__u64 size)
{
	__u64 prev = 0; /* the iseq of the last frame found settled: a recursion repeats it */
	__u32 i;

	if (!s || !settled)
		return 0;
	if (s->settled_generation != settled->generation) { /* a bit was cleared */
		for (i = 0; i < RBPROF_SETTLED_CACHE; i++)
			s->settled_cache[i] = 0;
		s->settled_generation = settled->generation;
	}
	for (i = 0; i < RBPROF_CHUNK_FRAMES && i < cnt; i++) {
		struct rbprof_frame *f =
		    &s->ev.frames[(c * RBPROF_CHUNK_FRAMES + i) & (RBPROF_MAX_FRAMES - 1)];
		__u64 *cached;

		if (!f->pc)
			continue;
		cached =
		    &s->settled_cache[rbprof_settled_slot(f->addr) & (RBPROF_SETTLED_CACHE - 1)];
		if (f->addr != prev && *cached != f->addr) {
			if (!rbprof_settled_test(settled, f->addr)) {
				if (s->captured < RBPROF_CAPTURE_MAX) {
					s->captured++;
					rbprof_capture_owner(f);
				}
				continue;
			}
			*cached = f->addr;
		}
		prev = f->addr;
		f->ep = s->chunk[((i * size) & RBPROF_CHUNK_FRAME_MASK) / 8 + RBPROF_CFP_SELF / 8];
		f->pc |= RBPROF_FRAME_SELF;
	}
	return 0;
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

/* A walk in progress: what rbprof_walk_chunk needs from chunk to chunk. */
struct rbprof_walk_state {
	const struct rbprof_vm_offsets *o;
	struct rbprof_walk_scratch *s;
	const struct rbprof_settled *settled; /* iseqs settled (rbprof.h); NULL: none */
	__u64 cfp;			      /* the innermost control frame */
	__u64 total; /* frames from it to the outermost, the dummy left out */
	__u64 size;  /* sizeof(rb_control_frame_t) */
	int err;     /* enum rbprof_walk_status of a chunk that failed */
};

/*
 * Start walking the control frames of execution context `ec_addr` into s->ev (frames
 * innermost first): read the EC, check that its frames lie in its VM stack, set nframes.
 */
static __always_inline int rbprof_walk_begin(const struct rbprof_proc *proc, __u64 ec_addr,
					     struct rbprof_walk_scratch *s,
					     const struct rbprof_settled *settled,
					     struct rbprof_walk_state *w)
{
	const struct rbprof_vm_offsets *o = &proc->off;
	__u64 vm_stack, stack_words, end;

	s->ev.flags = 0;
	s->captured = 0;
	w->settled = settled;
	if (RBPROF_READ_USER(s->ec, sizeof(s->ec), ec_addr))
		return RBPROF_WALK_READ_FAULT;
	vm_stack = RBPROF_EC_WORD(s, o->ec_vm_stack);
	stack_words = RBPROF_EC_WORD(s, o->ec_vm_stack_size);
	w->o = o;
	w->s = s;
	w->cfp = RBPROF_EC_WORD(s, o->ec_cfp);
	w->size = o->cfp_size;
	w->err = RBPROF_WALK_OK;
	if (w->size < RBPROF_CFP_MIN_SIZE || w->size > RBPROF_CFP_MAX_SIZE || (w->size & 7))
		return RBPROF_WALK_BAD_STACK;
	if (!vm_stack || !stack_words || stack_words > RBPROF_MAX_VM_STACK_WORDS)
		return RBPROF_WALK_BAD_STACK;
	end = vm_stack + stack_words * 8;
	if (w->cfp < vm_stack || w->cfp >= end || end < vm_stack)
		return RBPROF_WALK_BAD_STACK;
	/*
	 * The outermost frame (end - 1) is the dummy every EC starts with
	 * (rb_ec_initialize_vm_stack); it carries a <main> iseq with line 0, and Ruby's own
	 * backtrace (vm_backtrace.c) starts below it, so the walk does too.
	 */
	w->total = (end - w->cfp) / w->size;
	if (!w->total)
		return RBPROF_WALK_BAD_STACK;
	w->total--;
	s->ev.nframes = w->total > RBPROF_MAX_FRAMES ? RBPROF_MAX_FRAMES : (__u32)w->total;
	return RBPROF_WALK_OK;
}

/*
 * All ones if i < cnt, 0 if not (i and cnt below 2^32), without a branch: the empty asm
 * hides the difference from the compiler, which would make the sign test a comparison and a
 * jump again (a branch per frame for the verifier).
 */
static __always_inline __u64 rbprof_below(__u64 i, __u64 cnt)
{
	__u64 d = i - cnt;

	asm volatile("" : "+r"(d));
	return -(d >> 63);
}

/*
 * Chunk c of the walk: read its RBPROF_CHUNK_FRAMES frames at once, record each in its slot
 * (rbprof_record), then settle or capture their owners (rbprof_capture_chunk). 0 to go on,
 * 1 once the walk is over (w->err says if it failed): the contract of a bpf_loop callback.
 *
 * The frame loop runs over the whole chunk and has no branch of its own: a comparison with
 * the count of frames read would make the verifier follow every count as its own path (past
 * its million instructions in the bounded loop). So the slots past the frames read, in the
 * last chunk, are cleared with a mask (an empty slot: no env read): they land in event slots
 * past nframes, which are not sent. The frame fields are at constant offsets
 * (RBPROF_CFP_PC...), which the loop keeps out of its registers.
 */
static __always_inline long rbprof_walk_chunk(struct rbprof_walk_state *w, __u32 c)
{
	struct rbprof_walk_scratch *s = w->s;
	const struct rbprof_vm_offsets *o = w->o;
	__u64 left = w->total - (__u64)c * RBPROF_CHUNK_FRAMES, size = w->size;
	__u32 cnt, bytes, i;

	if (c >= RBPROF_MAX_FRAMES / RBPROF_CHUNK_FRAMES || (__s64)left <= 0)
		return 1;
	cnt = left > RBPROF_CHUNK_FRAMES ? RBPROF_CHUNK_FRAMES : (__u32)left;
	bytes = cnt * (__u32)size;
	if (bytes > RBPROF_CHUNK_BYTES) {
		w->err = RBPROF_WALK_BAD_STACK;
		return 1;
	}
	if (RBPROF_READ_USER(s->chunk, bytes, w->cfp + (__u64)c * RBPROF_CHUNK_FRAMES * size)) {
		w->err = RBPROF_WALK_READ_FAULT;
		return 1;
	}
	/* YJIT entered the innermost Ruby frame: its pc is stale (see RBPROF_EV_LEAF_JIT). */
	if (c == 0 && o->cfp_jit_return && RBPROF_CHUNK_WORD(s, o->cfp_jit_return) &&
	    s->chunk[RBPROF_CFP_ISEQ / 8] && s->chunk[RBPROF_CFP_PC / 8])
		s->ev.flags |= RBPROF_EV_LEAF_JIT;
	for (i = 0; i < RBPROF_CHUNK_FRAMES; i++) {
		const __u64 *f = &s->chunk[((i * size) & RBPROF_CHUNK_FRAME_MASK) / 8];
		__u64 valid = rbprof_below(i, cnt);

		rbprof_record(s, c * RBPROF_CHUNK_FRAMES + i, f[RBPROF_CFP_PC / 8] & valid,
			      f[RBPROF_CFP_ISEQ / 8] & valid, f[RBPROF_CFP_EP / 8] & valid);
	}
	rbprof_capture_chunk(s, w->settled, c, cnt, size);
	return 0;
}

/* Finish a walk whose chunks are recorded: truncation, the GC state. */
static __always_inline int rbprof_walk_end(const struct rbprof_proc *proc,
					   struct rbprof_walk_state *w)
{
	if (w->err)
		return w->err;
	if (w->total > RBPROF_MAX_FRAMES)
		w->s->ev.flags |= RBPROF_EV_TRUNCATED;
	rbprof_gc_state(proc, w->s);
	return RBPROF_WALK_OK;
}

/*
 * Walk the control frames of execution context `ec_addr` into s->ev (frames innermost first,
 * nframes, flags). Frames run from ec->cfp up to the end of the VM stack; they are read
 * RBPROF_CHUNK_FRAMES at a time, and each is recorded in its slot (rbprof_record): other
 * frames than Ruby and C method frames are left empty, and user space skips them as Ruby's
 * own backtrace does. The chunks in a bounded loop, the form every kernel verifies; where the
 * kernel has bpf_loop, the BPF program runs the same chunks through it (rbprof.bpf.c).
 */
static __always_inline int rbprof_walk(const struct rbprof_proc *proc, __u64 ec_addr,
				       struct rbprof_walk_scratch *s,
				       const struct rbprof_settled *settled)
{
	struct rbprof_walk_state w;
	__u32 c;
	int err = rbprof_walk_begin(proc, ec_addr, s, settled, &w);

	if (err)
		return err;
	for (c = 0; c < RBPROF_MAX_FRAMES / RBPROF_CHUNK_FRAMES; c++)
		if (rbprof_walk_chunk(&w, c))
			break;
	return rbprof_walk_end(proc, &w);
}

#endif /* RBPROF_RUBY_WALK_H */
