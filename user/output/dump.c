// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dump.c - a thread's backtrace, innermost first, as Ruby prints it (--dump). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "common/syscalls.h"
#include "output/dump.h"
#include "output/frame_text.h"
#include "rbprof.h"

/* Thread#status's word for the VM's status (thread.c thread_status_name). */
static const char *status_word(int status)
{
	static const char *const words[] = {"run", "sleep", "sleep", "dead"};

	return words[status & 3];
}

/* What the thread is doing, in words: "on CPU", "blocked in read"... */
static int add_state(struct sbuf *b, const struct dump_thread *d)
{
	int nr = (int)(d->flags >> RBPROF_EV_SYSCALL_SHIFT) - 1;

	if (d->on_cpu)
		return sbuf_adds(b, "on CPU");
	if (d->flags & RBPROF_EV_GVL_WAIT)
		return sbuf_adds(b, "waiting for the GVL");
	if (d->flags & RBPROF_EV_RUNNABLE)
		return sbuf_adds(b, "runnable, waiting for a CPU");
	if (nr >= 0 && syscall_name(nr))
		return sbuf_addf(b, "blocked in %s", syscall_name(nr));
	return sbuf_adds(b, nr >= 0 ? "blocked in a system call" : "off-CPU");
}

/* The innermost Ruby frame with a file at or outside ids[i]: where a C method was called. */
static const struct frame_rec *caller_of(const struct aggregate *a, const struct dump_thread *d,
					 __u32 i)
{
	for (; i-- > 0;) {
		const struct frame_rec *f = &a->frames[d->ids[i]];

		if (f->kind == FRAME_RUBY && f->info->path)
			return f;
	}
	return NULL;
}

/* One frame's line, or nothing for a frame Ruby's backtrace has no line for. */
static int add_frame(struct sbuf *b, const struct aggregate *a, const struct dump_thread *d,
		     __u32 i)
{
	const struct frame_rec *f = &a->frames[d->ids[i]], *at = f;
	struct frame_text t, where;
	char label[FRAME_LABEL_MAX];
	size_t label_len;
	int err;

	if (f->kind != FRAME_RUBY && f->kind != FRAME_CFUNC && f->kind != FRAME_UNKNOWN)
		return 0; /* the state leaf, GC, the thread's frame: said in the header */
	frame_text(f, &t);
	if (f->kind == FRAME_RUBY && !f->info->path)
		at = caller_of(a, d, i);
	if (at && at != f)
		frame_text(at, &where);
	else
		where = t;
	if ((err = sbuf_adds(b, "    ")))
		return err;
	if (at && where.file &&
	    ((err = sbuf_add_clean(b, where.file)) || (err = sbuf_addf(b, ":%d:", where.line))))
		return err;
	/* a C method's label ends in " [c]" in profiles; a backtrace says it by its file */
	label_len = strlen(t.label);
	if (label_len > 4 && !strcmp(t.label + label_len - 4, " [c]"))
		label_len -= 4;
	snprintf(label, sizeof(label), "%.*s", (int)label_len, t.label);
	if ((err = sbuf_adds(b, "in '")) || (err = sbuf_add_clean(b, label)) ||
	    (err = sbuf_adds(b, "'\n")))
		return err;
	return 0;
}

int dump_process_write(FILE *out, int pid, const char *comm, const char *version, size_t threads,
		       int first)
{
	struct sbuf b = {0};
	int err;

	if (!(err = sbuf_addf(&b, "%sProcess %d (", first ? "" : "\n", pid)) &&
	    !(err = sbuf_add_clean(&b, comm)) && !(err = sbuf_adds(&b, "), Ruby ")) &&
	    !(err = sbuf_add_clean(&b, version)) &&
	    !(err = sbuf_addf(&b, ", %zu thread%s\n\n", threads, threads == 1 ? "" : "s")) &&
	    fwrite(b.s, 1, b.len, out) != b.len)
		err = -EIO;
	sbuf_free(&b);
	return err;
}

int dump_thread_write(FILE *out, const struct aggregate *a, const struct dump_thread *d)
{
	struct sbuf b = {0};
	__u32 i;
	int err;

	if ((err = sbuf_addf(&b, "Thread %d \"", d->tid)) || (err = sbuf_add_clean(&b, d->name)) ||
	    (err = sbuf_addf(&b, "\"%s: ", d->main ? " (main)" : "")) || (err = add_state(&b, d)))
		goto cleanup;
	if (d->vm && (err = sbuf_addf(&b, " (Thread#status: %s)", status_word(d->vm->status))))
		goto cleanup;
	if ((err = sbuf_adds(&b, "\n")))
		goto cleanup;
	for (i = d->n; i-- > 0;)
		if ((err = add_frame(&b, a, d, i)))
			goto cleanup;
	if (fwrite(b.s, 1, b.len, out) != b.len)
		err = -EIO;
cleanup:
	sbuf_free(&b);
	return err;
}
