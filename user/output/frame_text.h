/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * frame_text.h - what every writer says of a frame: its label, file and line apart, and its
 * kind (for colours and pprof's functions); and the escapes that keep names a Ruby program
 * chose (any bytes: '<', '&', quotes, newlines, control bytes, invalid UTF-8) from breaking
 * a format. The folded writer escapes its own way (folded.h).
 */
#ifndef RBPROF_FRAME_TEXT_H
#define RBPROF_FRAME_TEXT_H

#include "aggregate/aggregate.h"
#include "common/sbuf.h"

enum frame_class {
	CLASS_RUBY,    /* a Ruby method or block: label (file:line) */
	CLASS_CFUNC,   /* a C method: label, no file */
	CLASS_GC,      /* (garbage collection), (marking), (sweeping) */
	CLASS_WAIT,    /* --wall: (GVL wait), (runnable), (off-CPU: SYSCALL) */
	CLASS_OTHER,   /* [unknown], [cfunc] (unnamed), (truncated) */
	CLASS_THREAD,  /* thread NAME [TID] (--threads) */
	CLASS_PROCESS, /* COMM [PID]: not a frame of the aggregate, the root the writers add */
};

/* Bytes a label can take: a class path, '#' or '.', a method name (names.h bounds each). */
#define FRAME_LABEL_MAX (2 * RUBY_STR_MAX + 64)

struct frame_text {
	const char *label; /* raw bytes, unescaped: label[] below or a string of the aggregate */
	const char *file;  /* NULL: none (C methods, specials) */
	int line;	   /* 0: none */
	enum frame_class cls;
	char buf[FRAME_LABEL_MAX];
};

/* The parts of frame f. */
void frame_text(const struct frame_rec *f, struct frame_text *t);

/*
 * Append src as valid UTF-8 with no control bytes: a byte that starts no valid sequence
 * becomes U+FFFD, a control byte (below 0x20, or 0x7f) the text "\xNN" as folded writes it.
 * 0 or -ENOMEM.
 */
int sbuf_add_clean(struct sbuf *b, const char *src);
/* sbuf_add_clean, then '&', '<', '>', '"' and '\'' as XML entities (text and attributes). */
int sbuf_add_xml(struct sbuf *b, const char *src);
/* sbuf_add_clean, then '"' and '\\' escaped for a JSON string (without the quotes). */
int sbuf_add_json(struct sbuf *b, const char *src);

#endif /* RBPROF_FRAME_TEXT_H */
