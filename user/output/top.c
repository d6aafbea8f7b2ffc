// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* top.c - the live view of --top. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "output/top.h"

/* The alternate screen and a hidden cursor while the view is up; both undone at the end. */
#define ANSI_ENTER "\033[?1049h\033[?25l"
#define ANSI_LEAVE "\033[?25h\033[?1049l"
#define ANSI_HOME  "\033[H"
/* Clear to the end of the line, and to the end of the screen. */
#define ANSI_EOL     "\033[K"
#define ANSI_EOS     "\033[J"
#define ANSI_BOLD    "\033[1m"
#define ANSI_REVERSE "\033[7m"
#define ANSI_RESET   "\033[0m"
/* A terminal whose size cannot be read is taken to be the classic one. */
#define TERM_ROWS_DEFAULT 24
#define TERM_COLS_DEFAULT 80
/* Lines above the table: the title and the column heads. */
#define TOP_HEAD_LINES 2
/* Width of the process column: "COMM [PID]", a 15-byte comm and a 7-digit pid. */
#define PROC_COLS 26

int top_open(struct top_view *v, FILE *out)
{
	struct termios raw;

	memset(v, 0, sizeof(*v));
	v->out = out;
	v->tty = isatty(fileno(out));
	v->key_fd = -1;
	/* keys come from the terminal: stdin's if it is one */
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &v->saved)) {
		raw = v->saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO); /* a key at a time; Ctrl-C still stops */
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
			v->key_fd = STDIN_FILENO;
			v->key_saved = 1;
		}
	}
	if (v->tty && (fputs(ANSI_ENTER, out) < 0 || fflush(out)))
		return -EIO;
	return 0;
}

static void term_size(const struct top_view *v, int *rows, int *cols)
{
	struct winsize ws;

	*rows = TERM_ROWS_DEFAULT;
	*cols = TERM_COLS_DEFAULT;
	if (v->tty && !ioctl(fileno(v->out), TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Append at most `cols` columns of s (escaped already: printable ASCII or UTF-8). */
static int add_cut(struct sbuf *b, const char *s, int cols)
{
	size_t n = 0;
	int c = 0;

	while (s[n] && c < cols) {
		n++;
		while (((unsigned char)s[n] & 0xc0) == 0x80) /* a sequence's continuation bytes */
			n++;
		c++;
	}
	return sbuf_addn(b, s, n);
}

/*
 * A method's name as the view shows it: "label (file)" with the file's directories left out
 * (gems' paths would fill the line; the profile has them whole), else the name as it is.
 */
static int add_method(struct sbuf *b, const char *name, int cols)
{
	const char *open = strrchr(name, '('), *slash;
	size_t len = strlen(name);
	struct sbuf short_name = {0};
	int err;

	if (!open || open == name || open[-1] != ' ' || name[len - 1] != ')' ||
	    !(slash = strrchr(open, '/')))
		return add_cut(b, name, cols);
	err = sbuf_addn(&short_name, name, (size_t)(open + 1 - name)); /* "label (" */
	err = err ?: sbuf_adds(&short_name, slash + 1);		       /* "file)" */
	err = err ?: add_cut(b, short_name.s, cols);
	sbuf_free(&short_name);
	return err;
}

static void proc_label(const struct proc_table *pt, const struct method *m, char *buf, size_t cap)
{
	const struct ruby_proc *rp = m->proc_id < pt->n ? pt->procs[m->proc_id] : NULL;

	if (!rp)
		snprintf(buf, cap, "?");
	else
		snprintf(buf, cap, "%s [%d]", rp->t.comm, rp->t.pid);
}

/* The title, the column heads and `rows` methods into v->screen. */
static int render(struct top_view *v, const struct proc_table *pt, __u64 elapsed_ns, double rate,
		  int rows, int cols)
{
	const struct method_table *t = &v->methods;
	struct sbuf *b = &v->screen;
	char head[256], proc[64], *p;
	int i, err = 0;

	snprintf(head, sizeof(head),
		 "rbprof-bpf --top   processes: %u   samples: %llu in %.0f s   %.4g Hz per CPU%s",
		 pt->n, (unsigned long long)t->samples, (double)elapsed_ns / 1e9, rate,
		 v->key_fd >= 0 ? "  (q: quit)" : "");
	/* comm and the process's names are escaped already: no byte of them moves the cursor */
	for (p = head; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	err = err ?: sbuf_adds(b, v->tty ? ANSI_HOME ANSI_BOLD : "");
	err = err ?: add_cut(b, head, cols);
	err = err ?: sbuf_adds(b, v->tty ? ANSI_RESET ANSI_EOL "\n" ANSI_REVERSE : "\n");
	snprintf(head, sizeof(head), "%6s %6s %8s %8s  %-*s %s", "SELF%", "TOTAL%", "SELF", "TOTAL",
		 PROC_COLS, "PROCESS", "METHOD");
	err = err ?: add_cut(b, head, cols);
	err = err ?: sbuf_adds(b, v->tty ? ANSI_EOL ANSI_RESET "\n" : "\n");
	for (i = 0; i < rows && (__u32)i < t->n && !err; i++) {
		const struct method *m = &t->m[i];
		double all = t->samples ? (double)t->samples : 1;
		int len;

		if (!m->total)
			break;
		proc_label(pt, m, proc, sizeof(proc));
		for (p = proc; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		len = snprintf(head, sizeof(head), "%6.1f %6.1f %8llu %8llu  %-*.*s ",
			       100.0 * (double)m->self / all, 100.0 * (double)m->total / all,
			       (unsigned long long)m->self, (unsigned long long)m->total, PROC_COLS,
			       PROC_COLS, proc);
		err = add_cut(b, head, cols);
		if (!err && len < cols)
			err = add_method(b, m->name, cols - len);
		err = err ?: sbuf_adds(b, v->tty ? ANSI_EOL "\n" : "\n");
	}
	if (!err && !t->samples)
		err = sbuf_adds(b, "(no samples yet)\n");
	return err ?: sbuf_adds(b, v->tty ? ANSI_EOS : "\n");
}

int top_draw(struct top_view *v, const struct aggregate *a, const struct proc_table *pt,
	     __u32 skip_root, __u64 elapsed_ns, double rate)
{
	int rows, cols, err;

	err = methods_build(&v->methods, a, skip_root, 1);
	if (err)
		return err;
	methods_sort(&v->methods, 1);
	term_size(v, &rows, &cols);
	if (!v->tty) { /* a pipe or a file: whole lines */
		rows = TOP_PLAIN_ROWS + TOP_HEAD_LINES + 1;
		cols = INT_MAX / 2;
	}
	sbuf_reset(&v->screen);
	/* the last line stays empty: a terminal scrolls when its last line is written */
	err = render(v, pt, elapsed_ns, rate, rows - TOP_HEAD_LINES - 1, cols);
	if (err)
		return err;
	if (fwrite(v->screen.s, 1, v->screen.len, v->out) != v->screen.len || fflush(v->out))
		return -EIO;
	return 0;
}

int top_draw_last(struct top_view *v, const struct aggregate *a, const struct proc_table *pt,
		  __u32 skip_root, __u64 elapsed_ns, double rate)
{
	return v->tty ? 0 : top_draw(v, a, pt, skip_root, elapsed_ns, rate);
}

int top_quit_pressed(struct top_view *v)
{
	struct pollfd pfd = {.fd = v->key_fd, .events = POLLIN};
	char keys[64];
	ssize_t n, i;

	if (v->key_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return 0;
	n = read(v->key_fd, keys, sizeof(keys));
	for (i = 0; i < n; i++)
		if (keys[i] == 'q' || keys[i] == 'Q')
			return 1;
	return 0;
}

void top_close(struct top_view *v)
{
	if (v->tty) {
		fputs(ANSI_LEAVE, v->out);
		fflush(v->out);
	}
	if (v->key_saved)
		tcsetattr(v->key_fd, TCSANOW, &v->saved);
	methods_free(&v->methods);
	sbuf_free(&v->screen);
	v->key_saved = 0;
	v->tty = 0;
}
