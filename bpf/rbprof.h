/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rbprof.h - what the BPF sampler and the user-space loader share.
 *
 * Only plain __u32/__u64 structs and limits: this header is compiled for the BPF target, for
 * the loader, and for the host unit tests of the walker.
 */
#ifndef RBPROF_H
#define RBPROF_H

/*
 * Control frames walked per sample. Real stacks (Rails, RSpec) are 100-300 frames deep; a
 * recursive algorithm goes deeper, and 1024 keeps a 1000-deep recursion whole. A deeper stack
 * keeps its innermost frames and is flagged RBPROF_EV_TRUNCATED. The event (24 bytes a frame)
 * and a chunk must fit the 32 KiB per-CPU scratch limit; on kernels without bpf_loop (before
 * 5.17) the verifier checks the walk once per frame (228k instructions, ~0.2 s at load).
 */
#define RBPROF_MAX_FRAMES 1024

/*
 * Control frames fetched by one bpf_probe_read_user. A read of user memory costs about as
 * much as a hundred frames' worth of copying (~80 ns on the benchmark machine), so chunks are
 * large: 64 frames of at most 64 bytes (Ruby 3.1-3.2) is 4 KiB of per-CPU scratch, one read
 * for a 50-frame stack, 16 for 1000 frames.
 */
#define RBPROF_CHUNK_FRAMES 64
#define RBPROF_CFP_MAX_SIZE 64
/*
 * The smallest control frame the walker takes for one: pc, sp, iseq, self and ep, the fields
 * it reads (at 0, 16 and 32), end at 40. Ruby's frames are 56 or 64 bytes.
 */
#define RBPROF_CFP_MIN_SIZE 40
#define RBPROF_CHUNK_BYTES  (RBPROF_CHUNK_FRAMES * RBPROF_CFP_MAX_SIZE)
/* A frame's offset in a chunk, masked in range for the verifier (frame sizes are 8-aligned). */
#define RBPROF_CHUNK_FRAME_MASK (RBPROF_CHUNK_BYTES - 8)

/*
 * Where a control frame keeps what the walker reads: rb_control_frame_t has begun {pc, sp,
 * iseq, self, ep} in every Ruby from 1.9 to 4.0. Constants, not offsets of each process's
 * layout, so that the frame loop keeps them out of its registers; the loader refuses a
 * layout that puts them elsewhere (user/layouts/releases.c: ruby_layout_check).
 */
#define RBPROF_CFP_PC	0
#define RBPROF_CFP_ISEQ 16
#define RBPROF_CFP_SELF 24
#define RBPROF_CFP_EP	32

/*
 * The first look at a sample's tgid, before the hash of registered processes: a bitmap of
 * RBPROF_FILTER_BITS bits, bit rbprof_filter_bit(tgid) set while a registered process hashes
 * there. 4096 bits are 512 bytes, which stay in cache; most samples of a host are not in a
 * Ruby process and stop at one load, and a tgid that shares a bit with a Ruby process only
 * goes on to the hash lookup (with 50 Ruby processes, 1 tgid in 80).
 */
#define RBPROF_FILTER_SHIFT 12
#define RBPROF_FILTER_BITS  (1U << RBPROF_FILTER_SHIFT)

/* Fibonacci hashing of a tgid to its filter bit: consecutive pids land far apart. */
static inline __u32 rbprof_filter_bit(__u32 tgid)
{
	return (tgid * 2654435769U) >> (32 - RBPROF_FILTER_SHIFT);
}

/*
 * Iseqs whose frames need no owner captured: user space names them from the iseq alone (a
 * method with one method entry, a <main>, a block of either), and says so in this bitmap of
 * RBPROF_SETTLED_BITS bits, bit rbprof_settled_bit(iseq) set while a settled iseq hashes
 * there. For the frames of any other iseq the walker reads the env chain at sample time
 * (rbprof_capture_owner): about 90 ns a read on the benchmark machine, so the test has to be
 * cheap and the bitmap small. 65536 bits are 8 KiB, two pages of .bss (a sample touches two
 * more TLB entries at most); a large Rails application's ~10k settled iseqs set about one bit
 * in seven, forked workers sharing theirs. An iseq that shares a bit with a settled one
 * arrives without its owner: user space then clears that bit for good
 * (user/sampling/sampler.c: sampler_settle), so that it is captured from then on.
 */
#define RBPROF_SETTLED_SHIFT 16
#define RBPROF_SETTLED_BITS  (1U << RBPROF_SETTLED_SHIFT)

/* Fibonacci hashing of an iseq address (Ruby heap slots, 40 bytes apart) to its bit. */
static inline __u32 rbprof_settled_bit(__u64 iseq)
{
	return (__u32)((iseq * 0x9E3779B97F4A7C15ULL) >> (64 - RBPROF_SETTLED_SHIFT));
}

/* The bitmap as a type of its own: a BPF global function's pointer argument has its size. */
struct rbprof_settled {
	__u64 bits[RBPROF_SETTLED_BITS / 64];
	/*
	 * Advanced by the loader each time it clears a bit: the walker's per-CPU cache of
	 * settled iseqs (RBPROF_SETTLED_CACHE) is emptied when it sees a new value.
	 */
	__u64 generation;
};

/*
 * Iseqs found settled kept per CPU, direct-mapped by rbprof_settled_slot: a sample's frames
 * hit a few hundred bytes there that stay in cache, where each of their bitmap tests would
 * touch a cache line of its own (the 8 KiB bitmap is cold by the next sample, and those
 * misses were most of what the owner capture cost a 50-frame sample). 64 slots, 512 bytes:
 * a deep stack's distinct methods, most of them.
 */
#define RBPROF_SETTLED_CACHE_SHIFT 6
#define RBPROF_SETTLED_CACHE	   (1U << RBPROF_SETTLED_CACHE_SHIFT)

static inline __u32 rbprof_settled_slot(__u64 iseq)
{
	return (__u32)((iseq * 0x9E3779B97F4A7C15ULL) >> (64 - RBPROF_SETTLED_CACHE_SHIFT));
}

/* 1 if iseq's bit is set in `set`. */
static inline int rbprof_settled_test(const struct rbprof_settled *set, __u64 iseq)
{
	__u32 bit = rbprof_settled_bit(iseq);

	return (set->bits[(bit / 64) & (RBPROF_SETTLED_BITS / 64 - 1)] >> (bit % 64)) & 1;
}

/*
 * Frames of one sample whose owner is captured at most: each costs one or two reads. A
 * sample needs this many only while a process's iseqs are new to user space (its first
 * poll), or on a deep stack of define_method frames, which never settle; frames past it
 * arrive with their env pointer, for user space to look at after the fact.
 */
#define RBPROF_CAPTURE_MAX 128
/*
 * Envs followed from a frame towards its method's env (blocks nested in blocks): Ruby code
 * nests blocks two or three deep; a frame deeper than this arrives with its env pointer.
 */
#define RBPROF_ENV_LEVELS 8

/* Bytes of the execution context read at once: covers vm_stack, vm_stack_size and cfp. */
#define RBPROF_EC_READ_BYTES 64

/* How a process's thread-local `ruby_current_ec` is found from the thread pointer. */
enum rbprof_tls_kind {
	/* General/local dynamic TLS (libruby.so): tp -> dtv -> dtv[modid].val + offset. */
	RBPROF_TLS_DTV = 1,
	/* Static TLS (static `ruby`, initial-exec): tp + (signed) offset. */
	RBPROF_TLS_STATIC = 2,
	/*
	 * No TLS (Ruby 2.5-2.7): the process-global ruby_current_execution_context_ptr, at
	 * address tls_offset, is the EC of the thread holding the GVL. The sample is this
	 * thread's only if that EC's thread's pthread id (its TCB address) is this thread's tp.
	 */
	RBPROF_EC_GLOBAL = 3,
};

/* Struct layout of one Ruby version, as far as the kernel walker needs it. */
struct rbprof_vm_offsets {
	__u64 ec_vm_stack;	/* rb_execution_context_t.vm_stack (VALUE *) */
	__u64 ec_vm_stack_size; /* .vm_stack_size (size_t, in VALUEs) */
	__u64 ec_cfp;		/* .cfp (innermost rb_control_frame_t *) */
	__u64 cfp_size;		/* sizeof(rb_control_frame_t) */
	__u64 cfp_pc;		/* rb_control_frame_t.pc */
	__u64 cfp_iseq;		/* .iseq */
	__u64 cfp_ep;		/* .ep */
	__u64 cfp_jit_return;	/* .jit_return (3.1+; 0: the version has none) */
};

/* glibc's dtv_t is {void *val; void *to_free}: the DTV entry size of a glibc process. */
#define RBPROF_GLIBC_DTV_ENTRY_SIZE 16

/* Value of the `procs` map, keyed by tgid: everything the walker needs about one process. */
struct rbprof_proc {
	__u64 tls_kind;	      /* enum rbprof_tls_kind */
	__u64 tls_modid;      /* RBPROF_TLS_DTV: module id of libruby in the DTV */
	__u64 tls_offset;     /* DTV: offset in the module block; STATIC: (s64) offset from tp */
	__u64 dtv_entry_size; /* 16 on glibc (dtv_t is {val, to_free}), 8 on musl */
	__u64 ec_thread_ptr;  /* RBPROF_EC_GLOBAL: rb_execution_context_t.thread_ptr */
	__u64 thread_id;      /* ... and rb_thread_t.thread_id (a pthread_t: the thread's tp) */
	/*
	 * The GC's state word in the process (rb_objspace.flags), 0 while unknown: a sample
	 * taken during GC is flagged RBPROF_EV_GC, with the phase from the mode bits.
	 */
	__u64 gc_flags_addr;
	__u64 gc_during_mask; /* flags.during_gc */
	__u64 gc_mode_mask;   /* flags.mode (gc_mode_marking 1, gc_mode_sweeping 2) */
	/*
	 * RBPROF_TLS_DTV: (s64) offset from any thread pointer of this process to its
	 * ruby_current_ec, written by the sampler once it has found libruby's TLS block in
	 * static TLS (which has the same place in every thread), 0 until then: later samples
	 * skip the two DTV reads. The loader writes 0.
	 */
	__u64 learned_tls_offset;
	struct rbprof_vm_offsets off;
};

/*
 * In rbprof_frame.ep of a Ruby frame: the word is not an env pointer (those are 8-aligned)
 * but, with this bit cleared, the method entry the frame runs under as Ruby's backtrace finds
 * it (rb_vm_frame_method_entry): ep[-2] of the first env of the frame's chain that is its
 * method's (VM_ENV_FLAG_LOCAL) or holds a method entry (a define_method block). Read at
 * sample time: an svar (a method that set $~) or 0 (a <main>) are possible, and user space
 * checks what it gets.
 */
#define RBPROF_FRAME_ME 1ULL

/*
 * In rbprof_frame.pc of a Ruby frame (pcs are 8-aligned): the frame's iseq is settled, and
 * its ep word is the frame's `self`, not its env pointer. User space labels the frame from
 * the iseq alone, or, for an iseq with a module_function twin, by whether self is the module.
 */
#define RBPROF_FRAME_SELF 2ULL
/* The tag bits of rbprof_frame.pc: the pc is pc & ~RBPROF_FRAME_PC_TAGS. */
#define RBPROF_FRAME_PC_TAGS 7ULL

/* One frame as the kernel saw it; user space turns it into a name. */
struct rbprof_frame {
	__u64 addr; /* Ruby frame: the iseq; C frame: the method entry (ep[-2]) */
	__u64 pc;   /* Ruby frame: the pc (never 0), maybe | RBPROF_FRAME_SELF; C frame: 0 */
	/*
	 * Ruby frame: its method entry | RBPROF_FRAME_ME, captured; its self (pc tagged
	 * RBPROF_FRAME_SELF, a settled iseq); or its env pointer, where user space finds the
	 * owner itself (past the capture limits, or no settled map: the host walker).
	 * C frame: its env pointer.
	 */
	__u64 ep;
};

enum rbprof_event_flags {
	RBPROF_EV_TRUNCATED = 1,   /* more frames than RBPROF_MAX_FRAMES: the root side is cut */
	RBPROF_EV_GC = 2,	   /* the VM was collecting garbage */
	RBPROF_EV_GC_MARKING = 4,  /* ... in its marking phase */
	RBPROF_EV_GC_SWEEPING = 8, /* ... in its sweeping phase */
	/*
	 * The innermost control frame is a Ruby frame entered by JIT code (its jit_return is
	 * set): JIT code saves the pc only before calls, so that frame's pc is the last one
	 * saved, possibly by the frame's previous occupant (vm_backtrace.c rb_profile_frames).
	 */
	RBPROF_EV_LEAF_JIT = 16,
	/*
	 * Records that are no samples but process events (nframes 0; a sample never has these
	 * flags), so that the loader follows processes as they come and go instead of at its
	 * next scan of /proc. pid: the process; tid: EXEC the same, FORK the parent.
	 */
	RBPROF_EV_EXEC = 1 << 8,  /* pid exec'd (a registered one is unregistered: new image) */
	RBPROF_EV_FORK = 1 << 9,  /* a registered process forked pid: registered as its parent */
	RBPROF_EV_EXIT = 1 << 10, /* the last thread of registered pid exited: unregistered */
};

#define RBPROF_EV_PROC_EVENTS (RBPROF_EV_EXEC | RBPROF_EV_FORK | RBPROF_EV_EXIT)

/*
 * --wall: what a thread that is not on a CPU was doing, as the loader's wall sampler found it
 * (user/sampling/wall.c; the kernel never sets these): its stack gets a leaf saying why it
 * is not running. RBPROF_EV_OFFCPU carries the system call it is blocked in, plus one, in
 * the bits from RBPROF_EV_SYSCALL_SHIFT (0: none known).
 */
enum rbprof_wall_flags {
	RBPROF_EV_GVL_WAIT = 1 << 11, /* ready to run Ruby; another thread holds the GVL */
	RBPROF_EV_RUNNABLE = 1 << 12, /* able to run; the kernel has given it no CPU */
	RBPROF_EV_OFFCPU = 1 << 13,   /* blocked in the kernel */
};

#define RBPROF_EV_WALL_STATES (RBPROF_EV_GVL_WAIT | RBPROF_EV_RUNNABLE | RBPROF_EV_OFFCPU)
#define RBPROF_EV_SYSCALL_SHIFT 16
#define RBPROF_EV_SYSCALL_MASK	0xffff0000U
/* System call numbers kept (x86_64 has ~460; the field's 16 bits hold them all, plus one). */
#define RBPROF_SYSCALL_MAX 0xfffe

/* Ring-buffer record: header plus nframes frames, innermost first. */
struct rbprof_event {
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 nframes;
	__u32 flags; /* enum rbprof_event_flags */
	struct rbprof_frame frames[RBPROF_MAX_FRAMES];
};

#define RBPROF_EVENT_HDR_SIZE 16

/*
 * One thread of a registered process as the scheduler has it (--wall, --dump): a value of the
 * `threads` map (written at its context switches), or a record of the rbprof_thread_states
 * task iterator (read at once).
 */
struct rbprof_thread_state {
	__u32 pid; /* tgid */
	__u32 tid;
	__u64 fsbase;	/* its thread pointer: where its ruby_current_ec is found */
	__u64 state;	/* task __state: TASK_RUNNING 0, TASK_INTERRUPTIBLE 1, ... */
	__u64 on_cpu;	/* 1 while it runs on a CPU */
	__u64 switches; /* times switched out: unchanged, the thread has not run since */
	__s64 syscall;	/* pt_regs->orig_ax: the system call it is in (if it blocks in one) */
	__u64 arg0;	/* pt_regs->di: that system call's first argument */
	/*
	 * 1: runnable only because the loader, woken to sample, took its CPU (rbprof_switch): it
	 * was running when the sample was due, a CPU sample's to count.
	 */
	__u64 displaced;
};

/* Threads the `threads` map holds (--wall): see rbprof.bpf.c. */
#define RBPROF_MAX_THREADS 4096

/* Linux's task states (include/linux/sched.h), as rbprof_thread_state.state holds them. */
#define RBPROF_TASK_RUNNING 0

/* Per-CPU counters, indices into the `counters` map; the loader sums and reports them. */
enum rbprof_counter {
	RBPROF_CNT_SAMPLES,    /* every perf event the program saw */
	RBPROF_CNT_RUBY,       /* samples whose tgid is a registered Ruby process */
	RBPROF_CNT_NO_EC,      /* Ruby process, but this thread has no execution context */
	RBPROF_CNT_READ_FAULT, /* a user-memory read failed (paged out, torn, racing exit) */
	RBPROF_CNT_BAD_STACK,  /* cfp outside the VM stack: torn or not yet set up */
	RBPROF_CNT_TRUNCATED,  /* stacks cut at RBPROF_MAX_FRAMES */
	RBPROF_CNT_RB_FULL,    /* ring buffer full: sample lost */
	RBPROF_CNT_EMITTED,    /* samples sent to user space */
	RBPROF_CNT_MAX,
};

/* One CPU's counters: a cache line of its own. */
#define RBPROF_CNT_SLOTS 8
struct rbprof_cpu_counters {
	__u64 c[RBPROF_CNT_SLOTS]; /* enum rbprof_counter */
};
_Static_assert(RBPROF_CNT_MAX <= RBPROF_CNT_SLOTS, "a CPU's counters fill more than a line");

/*
 * CPUs with counters of their own (a power of two, 64 KiB of .bss); CPUs numbered past it
 * share the slots of lower ones.
 */
#define RBPROF_MAX_CPUS 1024

/* Ruby VM constants the walker uses (vm_core.h; identical from 2.3 to 4.0). */
#define RUBY_VM_FRAME_MAGIC_MASK  0x7fff0001ULL
#define RUBY_VM_FRAME_MAGIC_CFUNC 0x55550001ULL
/* gc.c: enum gc_mode */
#define RUBY_GC_MODE_MARKING  1
#define RUBY_GC_MODE_SWEEPING 2
/*
 * An env: ep[-2] holds the method entry (or cref), ep[-1] the specval (the previous env's ep,
 * its low bits a tag), ep[0] the env flags. The three are read at once from ep minus this.
 */
#define RUBY_VM_ENV_ME_CREF_OFFSET 16
/* vm_core.h: VM_ENV_FLAG_LOCAL, set in ep[0] of a method's (local) env */
#define RUBY_VM_ENV_FLAG_LOCAL 0x2
/* vm_core.h: VM_ENV_PREV_EP() clears the tag bits of the specval (GC_GUARDED_PTR_REF) */
#define RUBY_VM_ENV_PREV_EP_MASK (~3ULL)
/* include/ruby/internal/value_type.h */
#define RUBY_T_MASK  0x1f
#define RUBY_T_IMEMO 0x1a
/* internal/imemo.h: an imemo's type in flags bits 12..15; imemo_svar 2, imemo_ment 6 */
#define RUBY_IMEMO_SHIFT 12
#define RUBY_IMEMO_MASK	 0x0f
#define RUBY_IMEMO_SVAR	 2
#define RUBY_IMEMO_MENT	 6

/* The imemo type of an object whose flags word is `flags`, or -1 if it is no imemo. */
static inline int rbprof_imemo_type(__u64 flags)
{
	if ((flags & RUBY_T_MASK) != RUBY_T_IMEMO)
		return -1;
	return (int)((flags >> RUBY_IMEMO_SHIFT) & RUBY_IMEMO_MASK);
}

#endif /* RBPROF_H */
