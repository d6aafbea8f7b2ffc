// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proc_table.c - the registry of profiled process instances. */
#include <stdlib.h>
#include <string.h>
#include "aggregate/proc_table.h"

void proc_table_init(struct proc_table *pt)
{
	memset(pt, 0, sizeof(*pt));
}

void proc_table_free(struct proc_table *pt)
{
	__u32 i;

	for (i = 0; i < pt->n; i++) {
		symbolizer_free(&pt->procs[i]->sym);
		thread_table_free(&pt->procs[i]->threads);
		free(pt->procs[i]);
	}
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

struct ruby_proc *proc_table_live(const struct proc_table *pt, pid_t pid)
{
	__u64 *id = hashmap_get(&pt->live, (__u64)pid, 0);

	return id ? pt->procs[*id] : NULL;
}
