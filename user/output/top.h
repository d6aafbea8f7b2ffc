/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * top.h - --top: a live view of the hottest methods across the profiled processes, redrawn
 * every second, like top or py-spy top: self %, total %, their samples and the process. On a
 * terminal it draws in place with plain ANSI sequences (the alternate screen, as top does,
 * so it works over ssh in any terminal) and `q` quits; when stdout is no terminal it prints
 * a plain table each time instead.
 */
#ifndef RBPROF_TOP_H
#define RBPROF_TOP_H

#include <stdio.h>
#include <termios.h>
#include "aggregate/proc_table.h"
#include "common/sbuf.h"
#include "output/methods.h"

/* How often the view is redrawn (ms). */
#define TOP_REFRESH_MS 1000
/* Rows of methods when stdout is no terminal (a terminal shows as many as fit). */
#define TOP_PLAIN_ROWS 20

struct top_view {
	FILE *out;
	int tty;       /* out is a terminal: draw in place */
	int key_fd;    /* the terminal `q` is read from, or -1 */
	int key_saved; /* its settings were changed and are restored at top_close */
	struct termios saved;
	struct method_table methods;
	struct sbuf screen; /* one frame, written at once: no flicker */
};

/* Set up the view on `out` (and the terminal of stdin for keys). 0 or -errno. */
int top_open(struct top_view *v, FILE *out);

/*
 * Draw the view of aggregate a: `skip_root` frames at each stack's root are no methods
 * (threads'), `elapsed_ns` since sampling began, `rate` the sampling rate. 0 or -errno.
 */
int top_draw(struct top_view *v, const struct aggregate *a, const struct proc_table *pt,
	     __u32 skip_root, __u64 elapsed_ns, double rate);

/* Not on a terminal: the last table, at the end of the profile (a terminal's view just goes). */
int top_draw_last(struct top_view *v, const struct aggregate *a, const struct proc_table *pt,
		  __u32 skip_root, __u64 elapsed_ns, double rate);

/* 1 if `q` was pressed since the last call (reads what is waiting, never blocks). */
int top_quit_pressed(struct top_view *v);

/* Leave the terminal as it was. */
void top_close(struct top_view *v);

#endif /* RBPROF_TOP_H */
