// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The kernel walker (bpf/ruby_walk.h), compiled for the host, on made-up thread memory. */
#include <string.h>
#include "rb31.h"
#include "test.h"
#include "sampling/walk_host.h"

#define TP	    0x70000000ULL
#define DTV	    0x71000000ULL
#define TLS_BLOCK   0x72000000ULL
#define EC	    0x73000000ULL
#define VM_STACK    0x74000000ULL
#define ENVS	    0x75000000ULL
#define MODID	    2
#define STACK_WORDS 32768 /* 256 KiB of VM stack: room for 4096 frames */

struct frame_spec {
	__u64 iseq, pc;
	__u64 env_flags; /* for iseq == 0: the frame type in ep[0] */
	__u64 me;	 /* for iseq == 0: ep[-2] */
};

static struct rbprof_proc proc_dtv(__u64 cfp_size)
{
	struct rbprof_proc p = {
	    .tls_kind = RBPROF_TLS_DTV,
	    .tls_modid = MODID,
	    .tls_offset = 8,
	    .dtv_entry_size = 16,
	};

	p.off = rb31()->vm;
	p.off.cfp_size = cfp_size;
	return p;
}

/* Thread pointer -> DTV -> TLS block -> EC, and a VM stack whose frames are `frames`
 * (innermost first) followed by the outermost dummy frame. */
static void build_thread(struct fakemem *fm, const struct frame_spec *frames, int n, __u64 cfp_size)
{
	unsigned char *tp = fakemem_map(fm, TP, 16), *dtv = fakemem_map(fm, DTV, 16 * 8);
	unsigned char *blk = fakemem_map(fm, TLS_BLOCK, 16), *ec = fakemem_map(fm, EC, 64);
	unsigned char *stack = fakemem_map(fm, VM_STACK, STACK_WORDS * 8);
	unsigned char *envs = fakemem_map(fm, ENVS, (size_t)(n + 1) * 32);
	__u64 v, end = VM_STACK + STACK_WORDS * 8, cfp = end - (__u64)(n + 1) * cfp_size;
	int i;

	v = TP;
	memcpy(tp, &v, 8);
	v = DTV;
	memcpy(tp + 8, &v, 8);
	v = TLS_BLOCK;
	memcpy(dtv + MODID * 16, &v, 8);
	v = EC;
	memcpy(blk + 8, &v, 8);
	v = VM_STACK;
	memcpy(ec + 0, &v, 8);
	v = STACK_WORDS;
	memcpy(ec + 8, &v, 8);
	memcpy(ec + 16, &cfp, 8);
	for (i = 0; i <= n; i++) {
		unsigned char *f = stack + (cfp - VM_STACK) + (__u64)i * cfp_size;
		/* the dummy: a <main> iseq with a pc, which must not be reported */
		struct frame_spec dummy = {.iseq = 0xdddd000, .pc = 0xdddd100};
		const struct frame_spec *fs = i < n ? &frames[i] : &dummy;
		__u64 ep = ENVS + (__u64)i * 32 + 16;

		memcpy(f + 0, &fs->pc, 8);
		memcpy(f + 16, &fs->iseq, 8);
		memcpy(f + 32, &ep, 8);
		memcpy(envs + i * 32, &fs->me, 8);
		memcpy(envs + i * 32 + 16, &fs->env_flags, 8);
	}
}

static int walk(struct fakemem *fm, const struct rbprof_proc *p, struct rbprof_walk_scratch *s)
{
	__u64 ec;
	int err;

	walk_mem = &fm->base;
	memset(s, 0, sizeof(*s));
	err = rbprof_find_ec(p, TP, &ec);
	if (err)
		return err;
	CHECK_EQ_INT(ec, EC);
	return rbprof_walk(p, ec, s, NULL);
}

static void check_kinds(__u64 cfp_size)
{
	static const struct frame_spec frames[] = {
	    {.iseq = 0x1000, .pc = 0x1108},		    /* leaf Ruby method */
	    {.env_flags = 0x55550001 | 0x80, .me = 0x2000}, /* C method */
	    {.iseq = 0x3000, .pc = 0},			    /* ifunc: an empty slot */
	    {.env_flags = 0x11110001, .me = 0x9999},	    /* no iseq, not CFUNC: empty */
	    {.iseq = 0x4000, .pc = 0x4010},		    /* <main> */
	};
	struct rbprof_proc p = proc_dtv(cfp_size);
	struct rbprof_walk_scratch s;
	struct fakemem fm;

	fakemem_init(&fm);
	build_thread(&fm, frames, 5, cfp_size);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	/* One slot per frame: user space skips the empty ones (addr 0). */
	CHECK_EQ_INT(s.ev.nframes, 5);
	CHECK_EQ_INT(s.ev.flags, 0);
	CHECK_EQ_INT(s.ev.frames[0].addr, 0x1000);
	CHECK_EQ_INT(s.ev.frames[0].pc, 0x1108);
	CHECK_EQ_INT(s.ev.frames[1].addr, 0x2000);
	CHECK_EQ_INT(s.ev.frames[1].pc, 0);
	CHECK_EQ_INT(s.ev.frames[2].addr, 0);
	CHECK_EQ_INT(s.ev.frames[2].pc, 0);
	CHECK_EQ_INT(s.ev.frames[3].addr, 0);
	CHECK_EQ_INT(s.ev.frames[4].addr, 0x4000);
	CHECK_EQ_INT(s.ev.frames[4].pc, 0x4010);
	fakemem_free(&fm);
}

void test_walk_frame_kinds(void)
{
	check_kinds(64); /* Ruby 3.1-3.2 */
	check_kinds(56); /* Ruby 3.3+ */
}

/*
 * The innermost frame entered by JIT code (jit_return set) flags the event: its pc is stale.
 * Not when that frame is a C frame, a deeper frame has jit_return, or the version has none.
 */
void test_walk_leaf_jit(void)
{
	struct frame_spec frames[] = {
	    {.iseq = 0x1000, .pc = 0x1108},
	    {.iseq = 0x4000, .pc = 0x4010},
	};
	struct rbprof_proc p = proc_dtv(56);
	struct rbprof_walk_scratch s;
	struct fakemem fm;
	__u64 ret = 0x7f0000001234, cfp;

	p.off.cfp_jit_return = 48;
	fakemem_init(&fm);
	build_thread(&fm, frames, 2, 56);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, 0);
	cfp = VM_STACK + STACK_WORDS * 8 - 3 * 56;
	fakemem_write(&fm, cfp + 56 + 48, &ret, 8); /* the caller's: its pc is saved */
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, 0);
	fakemem_write(&fm, cfp + 48, &ret, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, RBPROF_EV_LEAF_JIT);
	CHECK_EQ_INT(s.ev.nframes, 2);
	p.off.cfp_jit_return = 0; /* 2.7, 3.0 */
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, 0);
	fakemem_free(&fm);

	/* A C method as the innermost frame: its caller's pc was saved before the call. */
	frames[0] = (struct frame_spec){.env_flags = 0x55550001 | 0x80, .me = 0x2000};
	p.off.cfp_jit_return = 48;
	fakemem_init(&fm);
	build_thread(&fm, frames, 2, 56);
	fakemem_write(&fm, cfp + 48, &ret, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, 0);
	fakemem_free(&fm);
}

void test_walk_deep_stack_truncated(void)
{
	enum { DEEP = RBPROF_MAX_FRAMES + 50 };
	static struct frame_spec frames[DEEP];
	struct rbprof_proc p = proc_dtv(64);
	struct rbprof_walk_scratch s;
	struct fakemem fm;
	int i;

	for (i = 0; i < DEEP; i++)
		frames[i] = (struct frame_spec){.iseq = 0x10000 + (__u64)i * 64, .pc = 8};
	fakemem_init(&fm);
	build_thread(&fm, frames, DEEP, 64);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.nframes, RBPROF_MAX_FRAMES);
	CHECK_EQ_INT(s.ev.flags, RBPROF_EV_TRUNCATED);
	/* The innermost frames are the ones kept. */
	CHECK_EQ_INT(s.ev.frames[0].addr, 0x10000);
	CHECK_EQ_INT(s.ev.frames[RBPROF_MAX_FRAMES - 1].addr,
		     0x10000 + (RBPROF_MAX_FRAMES - 1) * 64);
	fakemem_free(&fm);

	/* Exactly the limit: complete, not truncated. */
	fakemem_init(&fm);
	build_thread(&fm, frames, RBPROF_MAX_FRAMES, 64);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.nframes, RBPROF_MAX_FRAMES);
	CHECK_EQ_INT(s.ev.flags, 0);
	fakemem_free(&fm);
}

void test_walk_hostile(void)
{
	struct frame_spec one = {.iseq = 0x1000, .pc = 0x1008};
	struct rbprof_proc p = proc_dtv(64);
	struct rbprof_walk_scratch s;
	struct fakemem fm;
	__u64 v;

	fakemem_init(&fm);
	build_thread(&fm, &one, 1, 64);
	/* cfp past the end of the VM stack */
	v = VM_STACK + STACK_WORDS * 8 + 64;
	memcpy(fm.r[3].bytes + 16, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_BAD_STACK);
	/* cfp below the stack */
	v = VM_STACK - 64;
	memcpy(fm.r[3].bytes + 16, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_BAD_STACK);
	/* an absurd stack size */
	v = 1ULL << 40;
	memcpy(fm.r[3].bytes + 8, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_BAD_STACK);
	/* a frame size no Ruby has */
	p.off.cfp_size = 1000;
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_BAD_STACK);
	p.off.cfp_size = 64;
	/* offsets past the scratch are masked, not followed */
	p.off.ec_cfp = 1 << 20;
	walk(&fm, &p, &s);
	p = proc_dtv(64);
	/* a thread whose DTV slot is unallocated, or whose EC is NULL: no EC */
	v = (__u64)-1;
	memcpy(fm.r[1].bytes + MODID * 16, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_NO_EC);
	v = TLS_BLOCK;
	memcpy(fm.r[1].bytes + MODID * 16, &v, 8);
	v = 0;
	memcpy(fm.r[2].bytes + 8, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_NO_EC);
	/* a DTV pointer into nowhere */
	v = 0xdead0000;
	memcpy(fm.r[0].bytes + 8, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_READ_FAULT);
	fakemem_free(&fm);
}

void test_walk_static_tls(void)
{
	struct frame_spec one = {.iseq = 0x1000, .pc = 0x1008};
	struct rbprof_proc p = proc_dtv(64);
	struct rbprof_walk_scratch s;
	struct fakemem fm;
	__u64 ec = EC;

	fakemem_init(&fm);
	build_thread(&fm, &one, 1, 64);
	/* ruby_current_ec 0x40 below the thread pointer */
	memcpy(fakemem_map(&fm, TP - 0x40, 8), &ec, 8);
	p.tls_kind = RBPROF_TLS_STATIC;
	p.tls_offset = (__u64)-0x40;
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.nframes, 1);
	fakemem_free(&fm);
}

void test_walk_gc_state(void)
{
	struct frame_spec one = {.iseq = 0x1000, .pc = 0x1008};
	struct rbprof_proc p = proc_dtv(64);
	struct rbprof_walk_scratch s;
	struct fakemem fm;
	unsigned char *gc;
	__u32 flags;

	fakemem_init(&fm);
	build_thread(&fm, &one, 1, 64);
	gc = fakemem_map(&fm, 0x76000000, 8);
	p.gc_flags_addr = 0x76000000;
	p.gc_during_mask = 1 << 5;
	p.gc_mode_mask = 3;
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, 0); /* not collecting */
	flags = (1 << 5) | RUBY_GC_MODE_MARKING;
	memcpy(gc, &flags, 4);
	walk(&fm, &p, &s);
	CHECK_EQ_INT(s.ev.flags, RBPROF_EV_GC | RBPROF_EV_GC_MARKING);
	flags = (1 << 5) | RUBY_GC_MODE_SWEEPING;
	memcpy(gc, &flags, 4);
	walk(&fm, &p, &s);
	CHECK_EQ_INT(s.ev.flags, RBPROF_EV_GC | RBPROF_EV_GC_SWEEPING);
	/* lazy sweeping between GC steps: a mode but not during_gc */
	flags = RUBY_GC_MODE_SWEEPING;
	memcpy(gc, &flags, 4);
	walk(&fm, &p, &s);
	CHECK_EQ_INT(s.ev.flags, 0);
	/* an unreadable state word leaves the sample as it is */
	p.gc_flags_addr = 0xdead0000;
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.flags, 0);
	CHECK_EQ_INT(s.ev.frames[0].ep, ENVS + 16); /* Ruby frames carry their ep */
	fakemem_free(&fm);
}

/* Ruby 2.7: one global EC, this thread's only if its rb_thread_t's pthread id is our tp. */
void test_walk_global_ec(void)
{
	struct frame_spec one = {.iseq = 0x1000, .pc = 0x1008};
	struct rbprof_proc p = proc_dtv(56);
	struct rbprof_walk_scratch s;
	struct fakemem fm;
	unsigned char *th;
	__u64 ec = EC, thread = 0x77000000, v;

	fakemem_init(&fm);
	build_thread(&fm, &one, 1, 56);
	memcpy(fakemem_map(&fm, 0x76000000, 8), &ec, 8); /* ruby_current_execution_context_ptr */
	v = thread;
	memcpy(fm.r[3].bytes + 56, &v, 8); /* ec->thread_ptr */
	th = fakemem_map(&fm, thread, 128);
	v = TP;
	memcpy(th + 72, &v, 8); /* th->thread_id == our tp: the GVL holder is us */
	p.tls_kind = RBPROF_EC_GLOBAL;
	p.tls_offset = 0x76000000;
	p.ec_thread_ptr = 56;
	p.thread_id = 72;
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.nframes, 1);
	v = TP + 0x10000; /* another thread holds the GVL: not our stack */
	memcpy(th + 72, &v, 8);
	CHECK_EQ_INT(walk(&fm, &p, &s), RBPROF_WALK_NO_EC);
	fakemem_free(&fm);
}

/*
 * The owner capture: a frame whose iseq is not settled carries its method entry (tagged
 * RBPROF_FRAME_ME); a settled one its self, its pc tagged RBPROF_FRAME_SELF. Iseqs found
 * settled are remembered per CPU until the bitmap's generation moves (a bit was cleared).
 */
void test_walk_owner_capture(void)
{
	static const struct frame_spec frames[] = {
	    {.iseq = 0x1000, .pc = 0x1108, .env_flags = 0x11110001 | 0x2, .me = 0x2000},
	    {.iseq = 0x4000, .pc = 0x4010, .env_flags = 0x44440001 | 0x2, .me = 0x3000},
	};
	struct rbprof_proc p = proc_dtv(56);
	static struct rbprof_settled settled;
	static struct rbprof_walk_scratch s;
	struct fakemem fm;
	__u32 bit = rbprof_settled_bit(0x4000);
	__u64 ec;

	fakemem_init(&fm);
	build_thread(&fm, frames, 2, 56);
	walk_mem = &fm.base;
	CHECK_EQ_INT(rbprof_find_ec(&p, TP, &ec), RBPROF_WALK_OK);
	settled.bits[bit / 64] |= 1ULL << (bit % 64);
	CHECK_EQ_INT(rbprof_walk(&p, ec, &s, &settled), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.frames[0].ep, 0x2000 | RBPROF_FRAME_ME);
	CHECK_EQ_INT(s.ev.frames[0].pc, 0x1108);
	CHECK_EQ_INT(s.ev.frames[1].pc, 0x4010 | RBPROF_FRAME_SELF);
	CHECK_EQ_INT(s.ev.frames[1].ep, 0); /* the frame's self (none written: 0) */
	/* the bit cleared: the cached answer stands until the generation moves */
	settled.bits[bit / 64] = 0;
	CHECK_EQ_INT(rbprof_walk(&p, ec, &s, &settled), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.frames[1].pc, 0x4010 | RBPROF_FRAME_SELF);
	settled.generation++;
	CHECK_EQ_INT(rbprof_walk(&p, ec, &s, &settled), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.frames[1].pc, 0x4010);
	CHECK_EQ_INT(s.ev.frames[1].ep, 0x3000 | RBPROF_FRAME_ME);
	/* no settled map (the host walker's fixtures): nothing captured, nothing tagged */
	CHECK_EQ_INT(rbprof_walk(&p, ec, &s, NULL), RBPROF_WALK_OK);
	CHECK_EQ_INT(s.ev.frames[0].ep & RBPROF_FRAME_ME, 0);
	CHECK_EQ_INT(s.ev.frames[1].pc, 0x4010);
	fakemem_free(&fm);
}
