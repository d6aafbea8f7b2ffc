// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The code reader on hand-assembled functions: each TLS form a compiler emits for
 * `return ruby_current_ec->...` (general and local dynamic, TLSDESC, initial and local exec)
 * and each way a global is loaded (lea, through the GOT, directly), with the relocations a
 * linker leaves. The bytes are those gcc -O2 emits (objdump of Ruby builds and stand-ins).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include "discover/code_reader.h"
#include "test.h"

#define CODE 0x1000 /* where each function is */
#define GOT  0x2000 /* where its GOT slots are */

struct fake {
	unsigned char file[0x2000]; /* vaddr 0x1000 at offset 0 */
	struct elf_reloc relocs[4];
	struct elf_image img;
};

static struct elf_image *fake_image(struct fake *f, const unsigned char *code, size_t len)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->file, code, len);
	f->img.bytes = f->file;
	f->img.size = sizeof(f->file);
	f->img.nloads = 1;
	f->img.loads[0].vaddr = CODE;
	f->img.loads[0].filesz = sizeof(f->file);
	f->img.relocs = f->relocs;
	return &f->img;
}

/* A relocation of `type` at `at` (kept sorted: callers add them in address order). */
static void fake_reloc(struct fake *f, __u64 at, __u32 type, __s64 addend, __u64 sym_value)
{
	f->relocs[f->img.nrelocs++] = (struct elf_reloc){.offset = at,
							 .type = type,
							 .sym = sym_value ? 1 : 0,
							 .sym_defined = sym_value != 0,
							 .sym_value = sym_value,
							 .addend = addend};
}

static void fake_word(struct fake *f, __u64 at, __u64 v)
{
	memcpy(f->file + (at - CODE), &v, sizeof(v));
}

/* rip-relative displacement from the instruction ending at code offset `end` to `to` */
#define DISP(end, to)                                                                              \
	(unsigned char)(((to) - (CODE + (end))) & 0xff),                                           \
	    (unsigned char)((((to) - (CODE + (end))) >> 8) & 0xff), 0, 0

void test_code_tls_forms(void)
{
	/* 3.4.9 rb_errinfo: sub $8,%rsp; data16 lea PAIR(%rip),%rdi; data16 data16 rex.W call
	 * __tls_get_addr@plt; mov (%rax),%rax; mov 0x70(%rax),%rax */
	const unsigned char gd[] = {0x48, 0x83, 0xec, 0x08, 0x66, 0x48, 0x8d, 0x3d, DISP(12, GOT),
				    0x66, 0x66, 0x48, 0xe8, 0x00, 0x01, 0x00, 0x00, 0x48,
				    0x8b, 0x00, 0x48, 0x8b, 0x40, 0x70, 0xc3};
	/* local dynamic: lea PAIR(%rip),%rdi; call __tls_get_addr; mov 0x30(%rax),%rax */
	const unsigned char ld[] = {0x48, 0x8d, 0x3d, DISP(7, GOT), 0xe8, 0x00, 0x01, 0x00, 0x00,
				    0x48, 0x8b, 0x80, 0x30,	    0x00, 0x00, 0x00, 0xc3};
	/* TLSDESC: lea DESC(%rip),%rax; call *(%rax); mov %fs:(%rax),%rax */
	const unsigned char desc[] = {0x48, 0x8d, 0x05, DISP(7, GOT), 0xff, 0x10,
				      0x64, 0x48, 0x8b, 0x00,	      0xc3};
	/* initial exec: mov SLOT(%rip),%rax; mov %fs:(%rax),%rax */
	const unsigned char ie[] = {0x48, 0x8b, 0x05, DISP(7, GOT), 0x64, 0x48, 0x8b, 0x00, 0xc3};
	/* 3.4.9 static ruby: mov $-0x50,%rax; mov %fs:(%rax),%rax */
	const unsigned char le[] = {0x48, 0xc7, 0xc0, 0xb0, 0xff, 0xff,
				    0xff, 0x64, 0x48, 0x8b, 0x00, 0xc3};
	/* mov %fs:0xffffffffffffffb0,%rax */
	const unsigned char le2[] = {0x64, 0x48, 0x8b, 0x04, 0x25, 0xb0, 0xff, 0xff, 0xff, 0xc3};
	/* mov %fs:0,%rax; mov -0x50(%rax),%rax */
	const unsigned char le3[] = {0x64, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00,
				     0x00, 0x00, 0x48, 0x8b, 0x40, 0xb0, 0xc3};
	/* the stack protector's canary (%fs:0x28) is no TLS variable */
	const unsigned char canary[] = {0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00, 0xc3};
	struct tls_ref r;
	struct fake f;

	fake_image(&f, gd, sizeof(gd));
	fake_reloc(&f, GOT, R_X86_64_DTPMOD64, 0, 0);
	fake_word(&f, GOT + 8, 0x30); /* the linker's offset of a local variable */
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_DTV);
	CHECK_EQ_INT(r.slot, GOT);
	CHECK_EQ_INT(r.offset, 0x30);

	/* Debian's 3.1: the variable is exported, the offset a DTPOFF64 relocation */
	fake_image(&f, gd, sizeof(gd));
	fake_reloc(&f, GOT, R_X86_64_DTPMOD64, 0, 8);
	fake_reloc(&f, GOT + 8, R_X86_64_DTPOFF64, 0, 8);
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_DTV);
	CHECK_EQ_INT(r.offset, 8);

	/* a GOT pair without a DTPMOD64 relocation is no TLS index */
	fake_image(&f, gd, sizeof(gd));
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), -ENOENT);

	fake_image(&f, ld, sizeof(ld));
	fake_reloc(&f, GOT, R_X86_64_DTPMOD64, 0, 0);
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_DTV);
	CHECK_EQ_INT(r.offset, 0x30);

	fake_image(&f, desc, sizeof(desc));
	fake_reloc(&f, GOT, R_X86_64_TLSDESC, 0x30, 0);
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_DESC);
	CHECK_EQ_INT(r.slot, GOT);
	CHECK_EQ_INT(r.offset, 0x30);

	fake_image(&f, ie, sizeof(ie));
	fake_reloc(&f, GOT, R_X86_64_TPOFF64, 0x30, 0);
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_GOT_TPOFF);
	CHECK_EQ_INT(r.slot, GOT);

	fake_image(&f, le, sizeof(le));
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_TPOFF);
	CHECK_EQ_INT(r.offset, -0x50);
	fake_image(&f, le2, sizeof(le2));
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.offset, -0x50);
	fake_image(&f, le3, sizeof(le3));
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), 0);
	CHECK_EQ_INT(r.kind, TLS_REF_TPOFF);
	CHECK_EQ_INT(r.offset, -0x50);

	fake_image(&f, canary, sizeof(canary));
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE, &r), -ENOENT);
	CHECK_EQ_INT(code_tls_ref(&f.img, CODE + sizeof(f.file), &r), -ENOENT); /* no code */
}

void test_code_global_forms(void)
{
	/* 3.4.9 rb_get_coverages: lea VAR(%rip),%rax; mov (%rax),%rax; mov 0x4f8(%rax),%rax */
	const unsigned char lea[] = {0x48, 0x8d, 0x05, DISP(7, GOT), 0x48, 0x8b, 0x00, 0x48,
				     0x8b, 0x80, 0xf8, 0x04,	     0x00, 0x00, 0xc3};
	/* Debian's 3.1 and a static ruby: mov SLOT(%rip),%rax (a GOT slot, or the variable) */
	const unsigned char mov[] = {0x48, 0x8b, 0x05, DISP(7, GOT), 0x48, 0x8b, 0x00, 0xc3};
	/* 4.0.5 rb_sym_immortal_count: mov VAR(%rip),%eax; sub $1,%eax; ret (with endbr64) */
	const unsigned char count[] = {0xf3,	      0x0f, 0x1e, 0xfa, 0x8b, 0x05,
				       DISP(10, GOT), 0x83, 0xe8, 0x01, 0xc3};
	/* push %rbp; mov %rsp,%rbp; pop %rbp; ret: no global */
	const unsigned char none[] = {0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3};
	struct fake f;
	__u64 addr;

	fake_image(&f, lea, sizeof(lea));
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), 0);
	CHECK_EQ_INT(addr, GOT);

	fake_image(&f, mov, sizeof(mov));
	fake_reloc(&f, GOT, R_X86_64_GLOB_DAT, 0, 0x3000);
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), 0);
	CHECK_EQ_INT(addr, 0x3000); /* through the GOT: the variable the slot names */

	fake_image(&f, mov, sizeof(mov));
	fake_reloc(&f, GOT, R_X86_64_RELATIVE, 0x3008, 0);
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), 0);
	CHECK_EQ_INT(addr, 0x3008);

	fake_image(&f, mov, sizeof(mov)); /* no relocation: the variable itself is loaded */
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), 0);
	CHECK_EQ_INT(addr, GOT);

	fake_image(&f, mov, sizeof(mov)); /* a GOT slot naming another file's variable */
	fake_reloc(&f, GOT, R_X86_64_GLOB_DAT, 0, 0);
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), -ENOENT);

	fake_image(&f, count, sizeof(count));
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), 0);
	CHECK_EQ_INT(addr, GOT);

	fake_image(&f, none, sizeof(none));
	CHECK_EQ_INT(code_global_ref(&f.img, CODE, &addr), -ENOENT);
}
