// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * code_reader.c - TLS and global accesses in x86_64 code (Capstone). Capstone is loaded with
 * dlopen on the first stripped Ruby: its tables for every architecture, relocated at load,
 * would add ~3 MiB to every run's RSS. The soname is the one built against: instruction ids
 * differ between Capstone's major versions.
 */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include "discover/code_reader.h"

/*
 * Instructions looked at from a function's start: the accessors read here are a few
 * instructions long (a prologue, the access, the use); 32 leaves room for a compiler's
 * padding and stack protector.
 */
#define CODE_MAX_INSNS 32
/* Bytes of code decoded: 32 instructions of at most 15 bytes fit in 512. */
#define CODE_MAX_BYTES 512

/* What a register holds, as far as the access patterns need it. */
enum reg_kind {
	REG_UNKNOWN,
	REG_TP,		  /* the thread pointer (mov %fs:0, R) */
	REG_IMM,	  /* a constant */
	REG_TLS_INDEX,	  /* the address of a GOT pair for __tls_get_addr */
	REG_TLS_ADDR,	  /* what __tls_get_addr returned for that pair */
	REG_DESC_ADDR,	  /* the address of a TLSDESC descriptor */
	REG_DESC_OFF,	  /* what its resolver returned: the variable's offset from the tp */
	REG_TPOFF_SLOT,	  /* the content of an initial-exec GOT slot */
	REG_TP_PLUS_SLOT, /* the tp plus that content */
};

struct reg_state {
	enum reg_kind kind;
	__u64 val; /* REG_IMM: the constant; else the slot's address */
};

/* The 16 general-purpose registers, whatever the width an instruction names them by. */
static int gpr(x86_reg r)
{
	static const x86_reg regs[16][4] = {
	    {X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL},
	    {X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL},
	    {X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL},
	    {X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL},
	    {X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL},
	    {X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL},
	    {X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL},
	    {X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL},
	    {X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B},
	    {X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B},
	    {X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B},
	    {X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B},
	    {X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B},
	    {X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B},
	    {X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B},
	    {X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B},
	};
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 4; j++)
			if (regs[i][j] == r)
				return i;
	return -1;
}

#define GPR_RAX 0
#define GPR_RDI 5

/* What is used of Capstone, once loaded. */
static struct {
	int tried;
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
	void (*free)(cs_insn *, size_t);
	cs_err (*close)(csh *);
} cs;

#define CAPSTONE_SONAME "libcapstone.so." CAPSTONE_STR(CS_API_MAJOR)
#define CAPSTONE_STR(x) CAPSTONE_STR2(x)
#define CAPSTONE_STR2(x) #x

static int load_capstone(void)
{
	void *h;

	if (cs.tried)
		return cs.close ? 0 : -ENOSYS;
	cs.tried = 1;
	h = dlopen(CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -ENOSYS;
	cs.open = (cs_err(*)(cs_arch, cs_mode, csh *))dlsym(h, "cs_open");
	cs.option = (cs_err(*)(csh, cs_opt_type, size_t))dlsym(h, "cs_option");
	cs.disasm = (size_t(*)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **))dlsym(
	    h, "cs_disasm");
	cs.free = (void (*)(cs_insn *, size_t))dlsym(h, "cs_free");
	cs.close = (cs_err(*)(csh *))dlsym(h, "cs_close");
	if (!cs.open || !cs.option || !cs.disasm || !cs.free || !cs.close) {
		cs.close = NULL;
		return -ENOSYS;
	}
	return 0;
}

/* A decoded function: its instructions from a Capstone handle, freed by code_close(). */
struct code {
	csh cs;
	int opened;
	cs_insn *insn;
	size_t n;
};

static void code_close(struct code *c);

int code_reader_available(void)
{
	return !load_capstone();
}

static int code_open(struct code *c, const struct elf_image *img, __u64 func)
{
	const unsigned char *bytes = NULL;
	size_t len;

	memset(c, 0, sizeof(*c));
	/* A function near the end of its segment: take what the file has of it. */
	for (len = CODE_MAX_BYTES; len >= 16 && !bytes; len /= 2)
		bytes = elf_image_at(img, func, len);
	if (!bytes)
		return -ENOENT;
	len *= 2;
	if (load_capstone() || cs.open(CS_ARCH_X86, CS_MODE_64, &c->cs) != CS_ERR_OK)
		return -ENOSYS;
	c->opened = 1;
	cs.option(c->cs, CS_OPT_DETAIL, CS_OPT_ON);
	c->n = cs.disasm(c->cs, bytes, len, func, CODE_MAX_INSNS, &c->insn);
	if (!c->n) {
		code_close(c);
		return -ENOENT;
	}
	return 0;
}

static void code_close(struct code *c)
{
	if (c->n)
		cs.free(c->insn, c->n);
	if (c->opened)
		cs.close(&c->cs);
}

static __u64 rip_target(const cs_insn *in, const x86_op_mem *m)
{
	return in->address + in->size + (__u64)m->disp;
}

static int is_rip(const cs_x86_op *op)
{
	return op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP &&
	       op->mem.index == X86_REG_INVALID;
}

static __u32 reloc_type(const struct elf_image *img, __u64 at)
{
	const struct elf_reloc *r = elf_image_reloc(img, at);

	return r ? r->type : R_X86_64_NONE;
}

/* The offset word of a __tls_get_addr GOT pair: a DTPOFF64 relocation, or the linker's. */
static __s64 pair_offset(const struct elf_image *img, __u64 pair)
{
	const struct elf_reloc *r = elf_image_reloc(img, pair + 8);
	const unsigned char *word;
	__s64 v = 0;

	if (r && r->type == R_X86_64_DTPOFF64)
		return (__s64)(r->sym_defined ? r->sym_value : 0) + r->addend;
	word = elf_image_at(img, pair + 8, sizeof(v));
	if (word)
		memcpy(&v, word, sizeof(v));
	return v;
}

/* The in-module offset a TLSDESC or TPOFF64 relocation names (symbol value plus addend). */
static __s64 reloc_module_offset(const struct elf_image *img, __u64 at)
{
	const struct elf_reloc *r = elf_image_reloc(img, at);

	return r ? (__s64)(r->sym_defined ? r->sym_value : 0) + r->addend : 0;
}

/*
 * A memory operand reads TLS: through the fs segment, or through a register that holds the
 * tp or what __tls_get_addr returned. 1 and *out set if so.
 */
static int tls_access(const struct elf_image *img, const x86_op_mem *m, const struct reg_state *st,
		      struct tls_ref *out)
{
	int b = gpr(m->base);
	const struct reg_state *base = b >= 0 ? &st[b] : NULL;

	if (m->index != X86_REG_INVALID)
		return 0;
	if (m->segment == X86_REG_FS) {
		/* Variant II: TLS blocks lie below the tp; above it is the TCB (%fs:0x28 is the
		 * stack protector's canary), so only a negative offset is a variable's. */
		if (!base && m->disp < 0) { /* mov %fs:-0x50, R */
			*out = (struct tls_ref){.kind = TLS_REF_TPOFF, .offset = m->disp};
			return 1;
		}
		if (base && base->kind == REG_IMM && (__s64)base->val + m->disp < 0) {
			/* mov $-0x50, R; mov %fs:(R), R */
			*out = (struct tls_ref){.kind = TLS_REF_TPOFF,
						.offset = (__s64)base->val + m->disp};
			return 1;
		}
		if (base && base->kind == REG_TPOFF_SLOT) { /* initial exec */
			*out = (struct tls_ref){.kind = TLS_REF_GOT_TPOFF,
						.slot = base->val,
						.offset = reloc_module_offset(img, base->val)};
			return m->disp == 0;
		}
		if (base && base->kind == REG_DESC_OFF) { /* TLSDESC */
			*out = (struct tls_ref){.kind = TLS_REF_DESC,
						.slot = base->val,
						.offset = reloc_module_offset(img, base->val)};
			return m->disp == 0;
		}
		return 0;
	}
	if (!base || m->segment != X86_REG_INVALID)
		return 0;
	if (base->kind == REG_TP && m->disp < 0) { /* mov %fs:0, R; mov -0x50(R), R */
		*out = (struct tls_ref){.kind = TLS_REF_TPOFF, .offset = m->disp};
		return 1;
	}
	if (base->kind == REG_TP_PLUS_SLOT) {
		*out = (struct tls_ref){.kind = TLS_REF_GOT_TPOFF,
					.slot = base->val,
					.offset = reloc_module_offset(img, base->val)};
		return m->disp == 0;
	}
	if (base->kind == REG_TLS_ADDR) { /* general dynamic: disp 0; local dynamic: the dtpoff */
		*out = (struct tls_ref){.kind = TLS_REF_DTV,
					.slot = base->val,
					.offset = pair_offset(img, base->val) + m->disp};
		return 1;
	}
	return 0;
}

/* What `in` leaves in its destination register, for the instructions of the patterns. */
static void step(const struct elf_image *img, const cs_insn *in, struct reg_state *st)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *dst = x->op_count ? &x->operands[0] : NULL;
	const cs_x86_op *src = x->op_count > 1 ? &x->operands[1] : NULL;
	int d = dst && dst->type == X86_OP_REG ? gpr(dst->reg) : -1, s;
	__u8 i;

	if (in->id == X86_INS_CALL) {
		/* call __tls_get_addr@plt, or call *__tls_get_addr@GOTPCREL(%rip) (-fno-plt) */
		if (st[GPR_RDI].kind == REG_TLS_INDEX && dst &&
		    (dst->type == X86_OP_IMM || is_rip(dst))) {
			st[GPR_RAX] = (struct reg_state){REG_TLS_ADDR, st[GPR_RDI].val};
		} else if (dst && dst->type == X86_OP_MEM && gpr(dst->mem.base) == GPR_RAX &&
			   st[GPR_RAX].kind == REG_DESC_ADDR) {
			st[GPR_RAX].kind = REG_DESC_OFF; /* call *(%rax): the TLSDESC resolver */
		} else {
			memset(st, 0,
			       16 * sizeof(*st)); /* another call: nothing is known after it */
		}
		return;
	}
	if (d < 0 || !src)
		goto clobber;
	if (in->id == X86_INS_LEA && is_rip(src)) {
		__u64 at = rip_target(in, &src->mem);
		__u32 t = reloc_type(img, at);

		st[d].val = at;
		st[d].kind = t == R_X86_64_DTPMOD64  ? REG_TLS_INDEX
			     : t == R_X86_64_TLSDESC ? REG_DESC_ADDR
						     : REG_UNKNOWN;
		return;
	}
	if ((in->id == X86_INS_MOV || in->id == X86_INS_MOVABS) && src->type == X86_OP_IMM) {
		st[d] = (struct reg_state){REG_IMM, (__u64)src->imm};
		return;
	}
	if (in->id == X86_INS_MOV && src->type == X86_OP_MEM && src->mem.segment == X86_REG_FS &&
	    src->mem.base == X86_REG_INVALID && src->mem.index == X86_REG_INVALID &&
	    !src->mem.disp) {
		st[d] = (struct reg_state){REG_TP, 0};
		return;
	}
	if (in->id == X86_INS_MOV && is_rip(src) &&
	    reloc_type(img, rip_target(in, &src->mem)) == R_X86_64_TPOFF64) {
		st[d] = (struct reg_state){REG_TPOFF_SLOT, rip_target(in, &src->mem)};
		return;
	}
	if (in->id == X86_INS_ADD && is_rip(src) && st[d].kind == REG_TP &&
	    reloc_type(img, rip_target(in, &src->mem)) == R_X86_64_TPOFF64) {
		st[d] = (struct reg_state){REG_TP_PLUS_SLOT, rip_target(in, &src->mem)};
		return;
	}
	if (in->id == X86_INS_MOV && src->type == X86_OP_REG && (s = gpr(src->reg)) >= 0) {
		st[d] = st[s];
		return;
	}
clobber:
	for (i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_REG && (x->operands[i].access & CS_AC_WRITE) &&
		    gpr(x->operands[i].reg) >= 0)
			st[gpr(x->operands[i].reg)].kind = REG_UNKNOWN;
}

static int ends_function(const cs_insn *in)
{
	return in->id == X86_INS_RET || in->id == X86_INS_JMP;
}

int code_tls_ref(const struct elf_image *img, __u64 func, struct tls_ref *out)
{
	struct reg_state st[16] = {0};
	struct code c;
	size_t i;
	int err = code_open(&c, img, func), found = 0;

	if (err)
		return err;
	for (i = 0; i < c.n && !found && !ends_function(&c.insn[i]); i++) {
		const cs_x86 *x = &c.insn[i].detail->x86;
		__u8 k;

		/* a load through a register the patterns track is the access */
		for (k = 0; k < x->op_count && !found; k++)
			if (x->operands[k].type == X86_OP_MEM && c.insn[i].id != X86_INS_LEA &&
			    !(c.insn[i].id == X86_INS_CALL))
				found = tls_access(img, &x->operands[k].mem, st, out);
		if (!found && c.insn[i].id == X86_INS_LEA && x->op_count == 2 &&
		    x->operands[1].type == X86_OP_MEM)
			found = tls_access(img, &x->operands[1].mem, st, out) &&
				out->kind == TLS_REF_DTV; /* lea dtpoff(%rax): local dynamic */
		if (!found)
			step(img, &c.insn[i], st);
	}
	code_close(&c);
	return found ? 0 : -ENOENT;
}

int code_global_ref(const struct elf_image *img, __u64 func, __u64 *addr)
{
	struct code c;
	size_t i;
	int err = code_open(&c, img, func);

	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < c.n && err && !ends_function(&c.insn[i]); i++) {
		const cs_x86 *x = &c.insn[i].detail->x86;
		const struct elf_reloc *r;
		__u8 k;

		for (k = 0; k < x->op_count && err; k++) {
			const cs_x86_op *op = &x->operands[k];
			__u64 at;

			if (!is_rip(op))
				continue;
			at = rip_target(&c.insn[i], &op->mem);
			r = elf_image_reloc(img, at);
			if (c.insn[i].id == X86_INS_MOV && op->size == 8 && r &&
			    (r->type == R_X86_64_GLOB_DAT || r->type == R_X86_64_64)) {
				if (!r->sym_defined)
					break; /* the GOT names a variable of another file */
				*addr = r->sym_value + (__u64)r->addend; /* through the GOT */
			} else if (c.insn[i].id == X86_INS_MOV && op->size == 8 && r &&
				   r->type == R_X86_64_RELATIVE) {
				*addr = (__u64)r->addend;
			} else {
				*addr = at; /* lea var(%rip), or a load of the variable itself */
			}
			err = 0;
		}
	}
	code_close(&c);
	return err;
}
