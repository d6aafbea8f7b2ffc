// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proc_table.c - the registry of profiled process instances. */
#include <stdlib.h>
#include <string.h>
#include "aggregate/proc_table.h"

void proc_table_init(struct proc_table *pt)
{
	memset(pt, 0, sizeof(*pt));
}

static void proc_free(struct ruby_proc *p)
{
	symbolizer_free(&p->sym);
	thread_table_free(&p->threads);
	free(p);
}

void proc_table_free(struct proc_table *pt)
{
	__u32 i;

	for (i = 0; i < pt->n; i++)
		proc_free(pt->procs[i]);
	free(pt->procs);
	hashmap_free(&pt->live);
	memset(pt, 0, sizeof(*pt));
}

struct ruby_proc *proc_table_add(struct proc_table *pt, const struct ruby_target *t)
{
	struct ruby_proc *p;

	if (pt->n == pt->cap) {
		__u32 cap = pt->cap ? pt->cap * 2 : 16;
		struct ruby_proc **procs = realloc(pt->procs, cap * sizeof(*procs));

		if (!procs)
			return NULL;
		pt->procs = procs;
		pt->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p || hashmap_put(&pt->live, (__u64)t->pid, 0, pt->n)) {
		free(p);
		return NULL;
	}
	p->id = pt->n;
	p->t = *t;
	procmem_init(&p->mem, t->pid);
	symbolizer_init(&p->sym, &p->mem.base, t->layout, t->global_symbols, t->vm_ptr_addr);
	pt->procs[pt->n++] = p;
	return p;
}

__u32 proc_table_free_exited(struct proc_table *pt)
{
	struct hashmap live = {0};
	__u32 i, n = 0, freed = 0;

	/* the new pid map first: on ENOMEM nothing has changed (they are freed next time) */
	for (i = 0; i < pt->n; i++)
		if (!pt->procs[i]->exited && hashmap_put(&live, (__u64)pt->procs[i]->t.pid, 0, n++)) {
			hashmap_free(&live);
			return 0;
		}
	for (i = n = 0; i < pt->n; i++) {
		struct ruby_proc *p = pt->procs[i];

		if (p->exited) {
			pt->freed_samples += p->samples;
			pt->freed_unsymbolized += p->sym.failed;
			proc_free(p);
			freed++;
			continue;
		}
		p->id = n;
		pt->procs[n++] = p;
	}
	hashmap_free(&pt->live);
	pt->live = live;
	pt->n = n;
	pt->freed += freed;
	return freed;
}

struct ruby_proc *proc_table_live(const struct proc_table *pt, pid_t pid)
{
	__u64 *id = hashmap_get(&pt->live, (__u64)pid, 0);

	return id ? pt->procs[*id] : NULL;
}
