// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* wall.c - stacks and states of the threads that are not on a CPU (--wall, --dump). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/syscalls.h"
#include "sampling/wall.h"
#include "sampling/walk_host.h"

/* Sweeps (wall_sweep, one a second) a thread is kept unseen: it has exited by then. */
#define WALL_KEEP_SWEEPS 2

/* What is kept of one thread between its walks. */
struct wall_thread {
	__u64 fsbase;		   /* its thread pointer: another means a new thread */
	__u64 tls_loc;		   /* where its ruby_current_ec is, 0: not found yet */
	__u64 th;		   /* its rb_thread_t at the last walk */
	__u64 ec;		   /* its EC then (a fiber's, if one ran) */
	__u64 sched;		   /* its GVL's place then (ruby_thread_vm_state) */
	__u64 stack_lo, stack_hi;  /* the outer end of its VM stack, where its frames are */
	__u64 switches, state;	   /* the scheduler's at the last walk */
	__s64 syscall;		   /* ... and its system call */
	__u64 seen;		   /* the wall_sweep tick it was last sampled in */
	struct rbprof_event *last; /* the last walk (header and nframes frames), or NULL */
};

/*
 * The bytes of the stack's outer end read ahead: 64 frames of the largest size, the whole of
 * most stacks (deeper ones read the rest as the walk goes).
 */
#define PREFETCH_STACK_BYTES (RBPROF_CHUNK_FRAMES * RBPROF_CFP_MAX_SIZE)

/*
 * What a thread's walk and state will read, read ahead in one batch (one process_vm_readv)
 * from where its last walk found them: its TLS slot, its EC, its rb_thread_t, its GVL and
 * the outer end of its VM stack. Reads inside a range read whole come from here, the others
 * from the process; a place that has changed since (another fiber's EC, a deeper stack) is
 * read anew.
 */
#define PREFETCH_RANGES 5

struct prefetch {
	struct memread base;
	struct memread *under;
	struct memread_range r[PREFETCH_RANGES];
	int n;
	__u8 tls[8], ec[RBPROF_EC_READ_BYTES], th[RUBY_THREAD_SPAN_MAX], sched[8];
	__u8 stack[PREFETCH_STACK_BYTES];
};

static int prefetch_read(struct memread *m, __u64 addr, void *buf, size_t len)
{
	struct prefetch *pf = (struct prefetch *)m;
	int i;

	for (i = 0; i < pf->n; i++) {
		const struct memread_range *r = &pf->r[i];

		if (r->ok && addr >= r->addr && addr + len >= addr && addr + len <= r->addr + r->len) {
			memcpy(buf, (const __u8 *)r->buf + (addr - r->addr), len);
			return 0;
		}
	}
	return pf->under->read(pf->under, addr, buf, len);
}

static void prefetch_add(struct prefetch *pf, __u64 addr, void *buf, size_t len)
{
	if (addr && len)
		pf->r[pf->n++] = (struct memread_range){.addr = addr, .buf = buf, .len = len};
}

int wall_init(struct wall *w)
{
	memset(w, 0, sizeof(*w));
	w->s = calloc(1, sizeof(*w->s));
	w->pf = calloc(1, sizeof(*w->pf));
	return w->s && w->pf ? 0 : -ENOMEM;
}

static void wall_thread_free(void *p)
{
	struct wall_thread *wt = p;

	free(wt->last);
	free(wt);
}

void wall_forget(struct wall *w)
{
	hashmap_free_values(&w->threads, wall_thread_free);
}

void wall_free(struct wall *w)
{
	hashmap_free_values(&w->threads, wall_thread_free);
	free(w->s);
	free(w->pf);
	memset(w, 0, sizeof(*w));
}

__u32 wall_flags(const struct ruby_thread_vm_state *vm, const struct rbprof_thread_state *st)
{
	__u64 nr;

	if (wall_running(st))
		return 0;
	/*
	 * Waiting for the GVL is waiting on a condition variable (thread_pthread.c: the GVL's
	 * waitq up to 3.1, the scheduler's readyq from 3.2): in futex, wanting to run Ruby. A
	 * thread back from a blocking region (I/O done) waits for it with its status still
	 * stopped (thread.c blocking_region_end takes the GVL first), so that counts too.
	 */
	if (vm && st->syscall == RBPROF_NR_FUTEX && !vm->holds_gvl &&
	    (vm->status == RUBY_THREAD_RUNNABLE || vm->in_blocking_region))
		return RBPROF_EV_GVL_WAIT;
	if (st->state == RBPROF_TASK_RUNNING)
		return RBPROF_EV_RUNNABLE;
	nr = st->syscall >= 0 && st->syscall < RBPROF_SYSCALL_MAX ? (__u64)st->syscall + 1 : 0;
	return RBPROF_EV_OFFCPU | (__u32)(nr << RBPROF_EV_SYSCALL_SHIFT);
}

/* The kept state of thread st of an instance: found, made (within WALL_THREADS_MAX), or NULL. */
static struct wall_thread *wall_thread(struct wall *w, __u32 instance,
				       const struct rbprof_thread_state *st)
{
	__u64 k1 = (__u64)instance << 32 | st->pid, *v = hashmap_get(&w->threads, k1, st->tid);
	struct wall_thread *wt;

	if (v) {
		wt = (struct wall_thread *)(uintptr_t)*v;
		if (wt->fsbase != st->fsbase) { /* the tid of a thread that has exited */
			free(wt->last);
			memset(wt, 0, sizeof(*wt));
			wt->fsbase = st->fsbase;
		}
		return wt;
	}
	if (w->threads.len >= WALL_THREADS_MAX || !(wt = calloc(1, sizeof(*wt))))
		return NULL;
	wt->fsbase = st->fsbase;
	if (hashmap_put(&w->threads, k1, st->tid, (__u64)(uintptr_t)wt)) {
		free(wt);
		return NULL;
	}
	return wt;
}

/*
 * The thread's EC, and its rb_thread_t where the EC is not how it is found (Ruby <= 2.7,
 * *th set; else 0). The place of a thread's ruby_current_ec is kept: it is the thread's for
 * its life. 0, -ENOENT (no EC), or -errno.
 */
static int thread_ec(struct wall_thread *wt, const struct ruby_target *t, struct memread *m,
		     const struct rbprof_thread_state *st, __u64 *ec, __u64 *th)
{
	const struct rbprof_proc *p = &t->bpf;
	__u64 loc = wt ? wt->tls_loc : 0;
	int err, in_static_tls;

	*th = 0;
	if (!st->fsbase)
		return -ENOENT;
	if (p->tls_kind == RBPROF_EC_GLOBAL) {
		if (memread_u64(m, p->tls_offset, ec) || !*ec)
			return -ENOENT;
		err = ruby_thread_by_tp(t->layout, m, *ec, st->fsbase, th);
		if (err)
			return err == -ESRCH ? -ENOENT : err;
		err = memread_u64(m, *th + t->layout->thread_ec, ec);
		return err ? err : *ec ? 0 : -ENOENT;
	}
	if (!loc) {
		err = rbprof_ec_location(p, st->fsbase, &loc, &in_static_tls);
		if (err)
			return err == RBPROF_WALK_NO_EC ? -ENOENT : -EFAULT;
		if (wt)
			wt->tls_loc = loc;
	}
	err = rbprof_read_ec(loc, ec);
	return err == RBPROF_WALK_NO_EC ? -ENOENT : err ? -EFAULT : 0;
}

/* Read ahead what wt's last walk says thread's next one reads (only its state if !walk). */
static void prefetch(struct prefetch *pf, struct memread *m, const struct wall_thread *wt,
		     const struct ruby_layout *L, int walk)
{
	__u32 lo, len;

	pf->base.read = prefetch_read;
	pf->under = m;
	pf->n = 0;
	if (!wt)
		return;
	if (walk) {
		prefetch_add(pf, wt->tls_loc, pf->tls, sizeof(pf->tls));
		prefetch_add(pf, wt->ec, pf->ec, sizeof(pf->ec));
		prefetch_add(pf, wt->stack_lo, pf->stack, wt->stack_hi - wt->stack_lo);
	}
	if (wt->th && !ruby_thread_span(L, &lo, &len))
		prefetch_add(pf, wt->th + lo, pf->th, len);
	prefetch_add(pf, wt->sched ? wt->sched + L->sched_running : 0, pf->sched, sizeof(pf->sched));
	memread_batch(m, pf->r, pf->n);
}

/* Where the walk in s found the thread's frames: the outer end of its VM stack. */
static void note_stack(struct wall_thread *wt, const struct rbprof_walk_scratch *s,
		       const struct rbprof_vm_offsets *o)
{
	__u64 stack = s->ec[(o->ec_vm_stack / 8) & (RBPROF_EC_READ_BYTES / 8 - 1)];
	__u64 words = s->ec[(o->ec_vm_stack_size / 8) & (RBPROF_EC_READ_BYTES / 8 - 1)];
	__u64 end = stack + words * 8, want;

	wt->stack_lo = wt->stack_hi = 0;
	if (!stack || words > (1ULL << 27) || end < stack)
		return;
	/*
	 * As deep as this walk found it and 8 frames more (each page read costs), at most
	 * PREFETCH_STACK_BYTES: a stack that grew deeper reads the rest as the walk goes.
	 */
	want = ((__u64)s->ev.nframes + 9) * o->cfp_size;
	if (want > PREFETCH_STACK_BYTES)
		want = PREFETCH_STACK_BYTES;
	wt->stack_hi = end;
	wt->stack_lo = end - stack > want ? end - want : stack;
}

/* Keep the walk in w->s for the thread's next sample. */
static void keep_walk(struct wall_thread *wt, const struct rbprof_event *ev)
{
	size_t size = RBPROF_EVENT_HDR_SIZE + (size_t)ev->nframes * sizeof(struct rbprof_frame);
	struct rbprof_event *copy = realloc(wt->last, size);

	if (!copy) {
		free(wt->last);
		wt->last = NULL;
		return;
	}
	memcpy(copy, ev, size);
	wt->last = copy;
}

int wall_sample(struct wall *w, __u32 instance, const struct ruby_target *t, struct memread *m,
		const struct rbprof_thread_state *st, const struct rbprof_event **ev,
		struct ruby_thread_vm_state *vm, int *vm_ok)
{
	struct wall_thread *wt = wall_thread(w, instance, st);
	const struct ruby_layout *L = t->layout;
	struct rbprof_event *out = &w->s->ev;
	struct prefetch *pf = w->pf;
	struct rbprof_proc proc = t->bpf;
	__u64 ec, th;
	int err, repeat;

	if (wt)
		wt->seen = w->tick;
	repeat = wt && wt->last && !wall_running(st) && st->switches == wt->switches &&
		 st->state == wt->state && st->syscall == wt->syscall;
	prefetch(pf, m, wt, L, !repeat);
	m = &pf->base;
	walk_mem = m;
	/* the GC state is the process's: a thread not running is not the one collecting */
	if (!wall_running(st))
		proc.gc_flags_addr = 0;
	if (repeat) {
		/* it has not run since: the same stack (only its header is copied back) */
		out = wt->last;
		th = wt->th;
		w->repeats++;
	} else {
		err = thread_ec(wt, t, m, st, &ec, &th);
		if (err) {
			w->no_ec += err == -ENOENT;
			w->failed += err != -ENOENT;
			return err;
		}
		err = rbprof_walk(&proc, ec, w->s, w->settled);
		if (err) {
			w->no_ec += err == RBPROF_WALK_NO_EC;
			w->failed += err != RBPROF_WALK_NO_EC;
			return err == RBPROF_WALK_NO_EC ? -ENOENT : -EFAULT;
		}
		w->walks++;
		if (!th && L->ec_thread_ptr + 8 <= RBPROF_EC_READ_BYTES)
			th = w->s->ec[L->ec_thread_ptr / 8];
		out->pid = st->pid;
		out->tid = st->tid;
		if (wt) {
			wt->th = th;
			wt->ec = ec;
			note_stack(wt, w->s, &L->vm);
			wt->switches = st->switches;
			wt->state = st->state;
			wt->syscall = st->syscall;
			if (!wall_running(st))
				keep_walk(wt, out);
		}
	}
	*vm_ok = !ruby_thread_vm_state(L, m, th, vm);
	if (wt)
		wt->sched = *vm_ok ? vm->sched : 0;
	out->flags &= ~(__u32)(RBPROF_EV_WALL_STATES | RBPROF_EV_SYSCALL_MASK);
	out->flags |= wall_flags(*vm_ok ? vm : NULL, st);
	*ev = out;
	return 0;
}

void wall_sweep(struct wall *w)
{
	size_t i;

	w->tick++;
	for (i = 0; i < w->threads.cap; i++) {
		struct hashmap_slot *slot = &w->threads.slots[i];
		struct wall_thread *wt;

		if (!slot->used)
			continue;
		wt = (struct wall_thread *)(uintptr_t)slot->val;
		if (wt->last && w->tick - wt->seen > WALL_KEEP_SWEEPS) {
			free(wt->last);
			wt->last = NULL;
		}
	}
}
