/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vmlinux.h - the few kernel types the sampler touches, for x86_64.
 *
 * A full `bpftool btf dump file /sys/kernel/btf/vmlinux format c` is ~3 MiB and pins one
 * kernel's layout in the repository. The sampler reads one kernel field (the interrupted
 * task's user FS base), the thread iterator three (a task's ids and FS base), the process
 * events a task's ids, its thread group's live count and an exec's interpreter, and --wall's
 * iterator a task's scheduling state, context switches and system call, and the tick clock an
 * expiring hrtimer's function, so it declares just those, with preserve_access_index:
 * libbpf's CO-RE relocates the accesses against the running kernel's BTF at load time,
 * whatever its layout.
 */
#ifndef RBPROF_VMLINUX_H
#define RBPROF_VMLINUX_H

#include <linux/types.h>
#include <linux/bpf.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* arch/x86/include/asm/processor.h: the user thread pointer (glibc's TCB) of a task. */
struct thread_struct {
	unsigned long fsbase;
};

/* include/linux/types.h */
typedef struct {
	int counter;
} atomic_t;

/* include/linux/sched/signal.h: what a thread group shares; live: its threads not exited */
struct signal_struct {
	atomic_t live;
};

/* include/linux/thread_info.h (x86: in task_struct): the CPU a task runs or waits on */
struct thread_info {
	unsigned int cpu;
};

struct task_struct {
	struct thread_info thread_info;
	int pid;  /* the thread's id */
	int tgid; /* its process's */
	struct signal_struct *signal;
	struct thread_struct thread;
	unsigned int __state;	       /* TASK_RUNNING 0, TASK_INTERRUPTIBLE 1, ... (5.14+) */
	int on_cpu;		       /* 1 while it runs on a CPU */
	unsigned long nvcsw, nivcsw;   /* its context switches: voluntary, preempted */
};

/* The same before Linux 5.14, which called the state word `state` (a long). */
struct task_struct___pre514 {
	long state;
};

/* arch/x86/include/asm/ptrace.h: a task's user registers as it entered the kernel. */
struct pt_regs {
	unsigned long di;      /* a system call's first argument */
	unsigned long orig_ax; /* the number of the system call it is in */
};

/* include/linux/binfmts.h: an exec; interp is the interpreter of a script (#!), else filename */
struct linux_binprm {
	const char *interp;
};

/*
 * include/linux/hrtimer_types.h: a high-resolution timer; the tick clock (--clock tick) knows
 * the scheduler tick's from the others by the function it runs.
 */
struct hrtimer {
	void *function;
};

/* include/linux/bpf.h: a task iterator program's context (kernel/bpf/task_iter.c). */
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
};
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

#pragma clang attribute pop

/* The perf_event program's context; the sampler does not look inside it. */
struct bpf_perf_event_data;

#endif /* RBPROF_VMLINUX_H */
