// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* probe.c - the probe of one process. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "common/clock.h"
#include "discover/ec_check.h"
#include "discover/probe.h"
#include "discover/tls.h"
#include "rubyvm/memread.h"

void discover_init(struct discover *d)
{
	memset(d, 0, sizeof(*d));
}

void discover_free(struct discover *d)
{
	vm_files_free(&d->files);
}

static int read_version(struct memread *mem, __u64 addr, char *buf, size_t cap)
{
	size_t i;

	memset(buf, 0, cap);
	if (mem->read(mem, addr, buf, cap - 1))
		return -EFAULT;
	for (i = 0; buf[i]; i++)
		if (!isdigit((unsigned char)buf[i]) && buf[i] != '.')
			return -EINVAL;
	return i ? 0 : -EINVAL;
}

/* Add "; " (if need be) and the formatted text to t->ec_note. */
__attribute__((format(printf, 2, 3))) static void ec_note_add(struct ruby_target *t,
							      const char *fmt, ...)
{
	size_t len = strlen(t->ec_note);
	va_list ap;

	if (len && len < sizeof(t->ec_note) - 2)
		len += (size_t)snprintf(t->ec_note + len, sizeof(t->ec_note) - len, "; ");
	va_start(ap, fmt);
	vsnprintf(t->ec_note + len, sizeof(t->ec_note) - len, fmt, ap);
	va_end(ap);
}

/*
 * How the threads reach ruby_current_ec: from a symbol table, as it says; from code, the
 * first of the places read that holds an EC of this very process, through its main thread.
 * 0, or -errno with `why`.
 */
static int resolve_ec(struct discover *d, const struct elf_ruby *e, int is_exe, __u64 bias,
		      struct procmem *mem, struct ruby_target *t, char *why, size_t whylen)
{
	char reason[128];
	__u64 tp;
	int i, err;

	if (!e->has_ec) /* Ruby <= 2.7's global EC */
		return tls_resolve(e, NULL, is_exe, t->libc, bias, &mem->base, &t->bpf, why,
				   whylen);
	if (e->ec_from != FROM_CODE) {
		if (e->ec_from != FROM_SYMTAB)
			ec_note_add(t, "ruby_current_ec from %s", fact_source_name(e->ec_from));
		return tls_resolve(e, &e->ec_refs[0], is_exe, t->libc, bias, &mem->base, &t->bpf,
				   why, whylen);
	}
	err = d->thread_pointer ? d->thread_pointer(d->thread_pointer_ctx, t->pid, &tp) : -ENOSYS;
	if (err) {
		snprintf(why, whylen,
			 "ruby_current_ec found in code, but its threads cannot be "
			 "read to check it");
		return err;
	}
	for (i = 0; i < e->nec_refs; i++) {
		const struct tls_ref *r = &e->ec_refs[i];

		if (!tls_resolve(e, r, is_exe, t->libc, bias, &mem->base, &t->bpf, reason,
				 sizeof(reason)) &&
		    !ec_check(&t->bpf, t->layout, &mem->base, tp, reason, sizeof(reason))) {
			ec_note_add(t, "ruby_current_ec from the code of %s", r->via);
			return 0;
		}
		ec_note_add(t, "%s: %s (not used)", r->via, reason);
	}
	snprintf(why, whylen, "ruby_current_ec read from code, but no place holds an EC (%s)",
		 t->ec_note);
	return -ENOENT;
}

static enum probe_result probe(struct discover *d, pid_t pid, struct ruby_target *t, char *why,
			       size_t whylen)
{
	const struct elf_ruby *e;
	struct proc_mapping m;
	struct vm_file *vf;
	struct procmem mem;
	int is_exe = 0;
	__u64 bias;

	memset(t, 0, sizeof(*t));
	why[0] = 0;
	t->pid = pid;
	if (proc_stat_read(pid, t->comm, &t->start_time))
		return PROBE_GONE;
	vf = vm_file_find(&d->files, pid, &m, &is_exe, why, whylen);
	if (!vf) {
		if (kill(pid, 0) && errno == ESRCH)
			return PROBE_GONE;
		return why[0] ? PROBE_FAILED : PROBE_NOT_RUBY;
	}
	e = &vf->elf;
	snprintf(t->vm_file, sizeof(t->vm_file), "%s", m.path);
	if (!elf_ruby_is_complete(e)) {
		snprintf(why, whylen, "%s: %s", m.path,
			 e->missing[0] ? e->missing : "no ruby_version");
		return PROBE_FAILED;
	}
	if (elf_ruby_bias(e, m.start, m.pgoff, &bias)) {
		snprintf(why, whylen, "cannot place %s in memory", m.path);
		return PROBE_FAILED;
	}
	procmem_init(&mem, pid);
	if (read_version(&mem.base, bias + e->version, t->version, sizeof(t->version))) {
		snprintf(why, whylen, "cannot read ruby_version");
		return PROBE_FAILED;
	}
	if (!layout_from_table(t->version, d->force_version, &t->layout, &t->origin)) {
		const struct dwarf_layout *dl = vm_file_dwarf(vf, pid, &m, t->version);

		t->layout =
		    layout_from_dwarf(t->version, dl, vf->dwarf_err, vf->dwarf_why, &t->origin);
	}
	if (!t->layout)
		return PROBE_UNSUPPORTED;
	t->libc = libc_of_process(pid);
	ruby_layout_to_proc(t->layout, &t->bpf);
	if (resolve_ec(d, e, is_exe, bias, &mem, t, why, whylen))
		return PROBE_FAILED;
	if (e->global_symbols)
		t->global_symbols = bias + e->global_symbols;
	t->vm_ptr_addr = bias + e->vm_ptr;
	discover_resolve_gc(t);
	return PROBE_RUBY;
}

enum probe_result discover_probe(struct discover *d, pid_t pid, struct ruby_target *t, char *why,
				 size_t whylen)
{
	__u64 start = clock_ns();
	enum probe_result r = probe(d, pid, t, why, whylen);

	t->probe_ms = (double)(clock_ns() - start) / 1e6;
	return r;
}

int discover_resolve_gc(struct ruby_target *t)
{
	const struct ruby_layout *L = t->layout;
	struct procmem mem;
	__u64 vm, objspace;

	procmem_init(&mem, t->pid);
	if (memread_u64(&mem.base, t->vm_ptr_addr, &vm) || !vm ||
	    memread_u64(&mem.base, vm + L->vm_objspace, &objspace) || !objspace)
		return -EAGAIN;
	t->bpf.gc_flags_addr = objspace + L->objspace_flags;
	t->bpf.gc_during_mask = L->gc_during_mask;
	t->bpf.gc_mode_mask = L->gc_mode_mask;
	return 0;
}
