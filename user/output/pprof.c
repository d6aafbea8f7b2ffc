// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pprof.c - the pprof writer (-f pprof, -o FILE.pb.gz or .pprof): a gzipped Profile message
 * of github.com/google/pprof's proto/profile.proto, encoded here by hand. A Function per
 * distinct (label, file), a Location per distinct (function, line), the process as every
 * stack's root location (and with -t its thread under it), a Sample per stack, leaf first,
 * valued in samples and in CPU nanoseconds (--wall: "wall" nanoseconds) and labelled with its
 * pid, tid, thread name and comm. Messages are encoded one at a time and deflated as they
 * come: the encoded profile is never held whole.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "output/frame_table.h"
#include "output/writer.h"

/* profile.proto's field numbers: Profile */
#define PB_PROFILE_SAMPLE_TYPE	       1
#define PB_PROFILE_SAMPLE	       2
#define PB_PROFILE_LOCATION	       4
#define PB_PROFILE_FUNCTION	       5
#define PB_PROFILE_STRING_TABLE	       6
#define PB_PROFILE_TIME_NANOS	       9
#define PB_PROFILE_DURATION_NANOS      10
#define PB_PROFILE_PERIOD_TYPE	       11
#define PB_PROFILE_PERIOD	       12
#define PB_PROFILE_COMMENT	       13
#define PB_PROFILE_DEFAULT_SAMPLE_TYPE 14
/* ValueType */
#define PB_VALUE_TYPE_TYPE 1
#define PB_VALUE_TYPE_UNIT 2
/* Sample */
#define PB_SAMPLE_LOCATION_ID 1
#define PB_SAMPLE_VALUE	      2
#define PB_SAMPLE_LABEL	      3
/* Label */
#define PB_LABEL_KEY 1
#define PB_LABEL_STR 2
#define PB_LABEL_NUM 3
/* Location */
#define PB_LOCATION_ID	 1
#define PB_LOCATION_LINE 4
/* Line */
#define PB_LINE_FUNCTION_ID 1
#define PB_LINE_LINE	    2
/* Function */
#define PB_FUNCTION_ID	     1
#define PB_FUNCTION_NAME     2
#define PB_FUNCTION_FILENAME 4

/* The wire types protobuf's encoding has that profile.proto uses: varint, length-delimited. */
#define PB_WIRE_VARINT 0
#define PB_WIRE_BYTES  2

/* Encoded bytes gathered before they are deflated: a few messages' worth, however large. */
#define PPROF_CHUNK (64 * 1024)
/* zlib's windowBits for a gzip stream: the largest window (15), +16 for the gzip wrapper. */
#define PPROF_GZIP_WINDOW (15 + 16)
/* Go's runtime/pprof gzips at BestSpeed too: 3x faster than the default, 10-20% larger. */
#define PPROF_GZIP_LEVEL Z_BEST_SPEED
/* zlib's memLevel default (deflateInit's): 8 */
#define PPROF_MEM_LEVEL 8

/* The strings the profile's messages refer to, by index into the string table. */
struct pprof_strings {
	__u32 empty, samples, count, cpu, nanoseconds; /* the sample and period types */
	__u32 pid, tid, thread_name, comm;	       /* the label keys */
	__u32 container_id, ns_pid;
	__u32 command;
	__u32 clock; /* "clock: 83.33 Hz on the scheduler tick (...)"; 0 ("") if not known */
};

/* One string the table needs: where it is in `text`, and the index that refers to it. */
struct string_ref {
	size_t off;
	__u32 *slot;
};

/* The string table being made: each string is added once per use, then sorted and merged. */
struct string_table {
	struct sbuf text; /* the strings, cleaned, each NUL-terminated */
	struct string_ref *refs;
	__u32 nrefs, refs_cap;
	size_t *unique; /* after string_table_finish: offsets in text by index, "" first */
	__u32 n;
};

struct pprof {
	z_stream z;
	int z_ready;
	FILE *out;
	const struct profile *p;
	const struct aggregate *a;
	struct frame_table ft;
	struct string_table st;
	struct pprof_strings s;
	__u32 *func_name, *func_file; /* by function: string indices */
	__u32 *root_name, *comm;      /* by proc id: "COMM [PID]", COMM */
	__u32 *container;	      /* by proc id: its container's short id, 0 ("") if none */
	__u32 *thread_name;	      /* by frame id, for thread frames: NAME */
	__u64 period;		      /* ns of CPU a sample stands for */
	struct sbuf in;		      /* encoded, not yet deflated */
	struct sbuf msg, sub;	      /* the message being encoded, and one inside it */
};

/* Protobuf's varint: 7 bits a byte, low first, the high bit set on all but the last. */
static int pb_varint(struct sbuf *b, __u64 v)
{
	char bytes[10]; /* ceil(64 / 7) */
	size_t n = 0;

	do {
		bytes[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return sbuf_addn(b, bytes, n);
}

static int pb_uint(struct sbuf *b, int field, __u64 v)
{
	if (pb_varint(b, (__u64)field << 3 | PB_WIRE_VARINT))
		return -ENOMEM;
	return pb_varint(b, v);
}

static int pb_bytes(struct sbuf *b, int field, const char *data, size_t n)
{
	if (pb_varint(b, (__u64)field << 3 | PB_WIRE_BYTES) || pb_varint(b, n))
		return -ENOMEM;
	return sbuf_addn(b, data, n);
}

/* Deflate what `in` holds (finish: and end the stream), writing what comes out. 0 or -EIO. */
static int deflate_in(struct pprof *w, int finish)
{
	unsigned char buf[16384]; /* zlib's example chunk: what comes out per write */
	int ret;

	w->z.next_in = (unsigned char *)w->in.s;
	w->z.avail_in = (uInt)w->in.len;
	do {
		w->z.next_out = buf;
		w->z.avail_out = sizeof(buf);
		ret = deflate(&w->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (ret == Z_STREAM_ERROR)
			return -EIO;
		if (fwrite(buf, 1, sizeof(buf) - w->z.avail_out, w->out) !=
		    sizeof(buf) - w->z.avail_out)
			return -EIO;
	} while (w->z.avail_out == 0 || (finish && ret != Z_STREAM_END));
	sbuf_reset(&w->in);
	return 0;
}

/* Field `field` of the Profile: the message in msg, which it empties. 0 or -errno. */
static int emit(struct pprof *w, int field)
{
	int err = pb_bytes(&w->in, field, w->msg.s ? w->msg.s : "", w->msg.len);

	sbuf_reset(&w->msg);
	if (err)
		return err;
	return w->in.len >= PPROF_CHUNK ? deflate_in(w, 0) : 0;
}

/* A varint field of the Profile. */
static int emit_uint(struct pprof *w, int field, __u64 v)
{
	if (pb_uint(&w->in, field, v))
		return -ENOMEM;
	return w->in.len >= PPROF_CHUNK ? deflate_in(w, 0) : 0;
}

/* Note that *slot is to hold the index of s (cleaned); it is set by string_table_finish. */
static int string_add(struct string_table *t, const char *s, __u32 *slot)
{
	struct string_ref *r;

	if (t->nrefs == t->refs_cap) {
		__u32 cap = t->refs_cap ? 2 * t->refs_cap : 64; /* doubling from a few dozen */

		r = realloc(t->refs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		t->refs = r;
		t->refs_cap = cap;
	}
	r = &t->refs[t->nrefs];
	r->off = t->text.len;
	r->slot = slot;
	if (sbuf_add_clean(&t->text, s) || sbuf_addn(&t->text, "", 1))
		return -ENOMEM;
	t->nrefs++;
	return 0;
}

static int cmp_refs(const void *x, const void *y, void *ctx)
{
	const char *text = ctx;

	return strcmp(text + ((const struct string_ref *)x)->off,
		      text + ((const struct string_ref *)y)->off);
}

/* Sort the strings, give each distinct one an index ("" is first: it sorts first), fill slots. */
static int string_table_finish(struct string_table *t)
{
	__u32 i;

	t->unique = calloc(t->nrefs ? t->nrefs : 1, sizeof(*t->unique));
	if (!t->unique)
		return -ENOMEM;
	qsort_r(t->refs, t->nrefs, sizeof(*t->refs), cmp_refs, t->text.s);
	for (i = 0; i < t->nrefs; i++) {
		if (!i || cmp_refs(&t->refs[i - 1], &t->refs[i], t->text.s))
			t->unique[t->n++] = t->refs[i].off;
		*t->refs[i].slot = t->n - 1;
	}
	return 0;
}

static void string_table_free(struct string_table *t)
{
	sbuf_free(&t->text);
	free(t->refs);
	free(t->unique);
}

static int add_fixed_strings(struct pprof *w)
{
	struct pprof_strings *s = &w->s;
	const char *command = w->p->command ? w->p->command : "rbprof-bpf";

	if (string_add(&w->st, "", &s->empty) || string_add(&w->st, "samples", &s->samples) ||
	    string_add(&w->st, "count", &s->count) ||
	    string_add(&w->st, w->p->wall ? "wall" : "cpu", &s->cpu) ||
	    string_add(&w->st, "nanoseconds", &s->nanoseconds) ||
	    string_add(&w->st, "pid", &s->pid) || string_add(&w->st, "tid", &s->tid) ||
	    string_add(&w->st, "thread_name", &s->thread_name) ||
	    string_add(&w->st, "comm", &s->comm) ||
	    string_add(&w->st, "container_id", &s->container_id) ||
	    string_add(&w->st, "ns_pid", &s->ns_pid) || string_add(&w->st, command, &s->command))
		return -ENOMEM;
	if (w->p->clock) {
		char clock[160];

		snprintf(clock, sizeof(clock), "clock: %s", w->p->clock);
		if (string_add(&w->st, clock, &s->clock))
			return -ENOMEM;
	}
	return 0;
}

/* Every string but the fixed ones: functions, processes and threads. */
static int add_strings(struct pprof *w)
{
	char root[PROFILE_PROC_LABEL_MAX];
	__u32 i;

	for (i = 0; i < w->ft.n; i++) {
		const char *file = frame_table_file(&w->ft, i);
		__u32 f = w->ft.entries[i].func;

		if ((!i || f != w->ft.entries[i - 1].func) &&
		    (string_add(&w->st, frame_table_label(&w->ft, i), &w->func_name[f]) ||
		     string_add(&w->st, file ? file : "", &w->func_file[f])))
			return -ENOMEM;
	}
	for (i = 0; i < w->p->nprocs; i++) {
		const char *container = w->p->procs[i].container;

		profile_proc_label(&w->p->procs[i], root, sizeof(root));
		if (string_add(&w->st, root, &w->root_name[i]) ||
		    string_add(&w->st, w->p->procs[i].comm, &w->comm[i]) ||
		    (container && container[0] && string_add(&w->st, container, &w->container[i])))
			return -ENOMEM;
	}
	for (i = 0; i < w->a->nframes; i++)
		if (w->a->frames[i].kind == FRAME_THREAD &&
		    string_add(&w->st, w->a->frames[i].info->label, &w->thread_name[i]))
			return -ENOMEM;
	return 0;
}

static int alloc_tables(struct pprof *w)
{
	size_t funcs = w->ft.nfuncs ? w->ft.nfuncs : 1, procs = w->p->nprocs ? w->p->nprocs : 1;

	w->func_name = calloc(funcs, sizeof(*w->func_name));
	w->func_file = calloc(funcs, sizeof(*w->func_file));
	w->root_name = calloc(procs, sizeof(*w->root_name));
	w->comm = calloc(procs, sizeof(*w->comm));
	w->container = calloc(procs, sizeof(*w->container));
	w->thread_name = calloc(w->a->nframes ? w->a->nframes : 1, sizeof(*w->thread_name));
	if (!w->func_name || !w->func_file || !w->root_name || !w->comm || !w->container ||
	    !w->thread_name)
		return -ENOMEM;
	return 0;
}

static int emit_value_type(struct pprof *w, int field, __u32 type, __u32 unit)
{
	if (pb_uint(&w->msg, PB_VALUE_TYPE_TYPE, type) ||
	    pb_uint(&w->msg, PB_VALUE_TYPE_UNIT, unit))
		return -ENOMEM;
	return emit(w, field);
}

/* What the profile is of: its value types, period, time and comment; then its strings. */
static int write_head(struct pprof *w)
{
	const struct pprof_strings *s = &w->s;
	__u32 i;
	int err;

	if ((err = emit_value_type(w, PB_PROFILE_SAMPLE_TYPE, s->samples, s->count)) ||
	    (err = emit_value_type(w, PB_PROFILE_SAMPLE_TYPE, s->cpu, s->nanoseconds)) ||
	    (err = emit_value_type(w, PB_PROFILE_PERIOD_TYPE, s->cpu, s->nanoseconds)) ||
	    (err = emit_uint(w, PB_PROFILE_PERIOD, w->period)) ||
	    (err = emit_uint(w, PB_PROFILE_TIME_NANOS, w->p->start_unix_ns)) ||
	    (err = emit_uint(w, PB_PROFILE_DURATION_NANOS, w->p->duration_ns)) ||
	    (err = emit_uint(w, PB_PROFILE_COMMENT, s->command)) ||
	    (s->clock && (err = emit_uint(w, PB_PROFILE_COMMENT, s->clock))) ||
	    (err = emit_uint(w, PB_PROFILE_DEFAULT_SAMPLE_TYPE, s->cpu)))
		return err;
	for (i = 0; i < w->st.n; i++) {
		const char *str = w->st.text.s + w->st.unique[i];

		if (sbuf_adds(&w->msg, str))
			return -ENOMEM;
		if ((err = emit(w, PB_PROFILE_STRING_TABLE)))
			return err;
	}
	return 0;
}

/*
 * A Function: its name and file. No system_name (3): pprof demangles a function whose
 * system_name is its name, and takes a Ruby label with '<' or "::" for C++, cutting
 * "block in <main>" to "block in " and "<top (required)>" to nothing; Ruby has no other name.
 */
static int emit_function(struct pprof *w, __u64 id, __u32 name, __u32 file)
{
	if (pb_uint(&w->msg, PB_FUNCTION_ID, id) || pb_uint(&w->msg, PB_FUNCTION_NAME, name) ||
	    pb_uint(&w->msg, PB_FUNCTION_FILENAME, file))
		return -ENOMEM;
	return emit(w, PB_PROFILE_FUNCTION);
}

/* A Location of one Line: function_id's line `line`. */
static int emit_location(struct pprof *w, __u64 id, __u64 function_id, int line)
{
	sbuf_reset(&w->sub);
	if (pb_uint(&w->sub, PB_LINE_FUNCTION_ID, function_id) ||
	    pb_uint(&w->sub, PB_LINE_LINE, (__u64)line) || pb_uint(&w->msg, PB_LOCATION_ID, id) ||
	    pb_bytes(&w->msg, PB_LOCATION_LINE, w->sub.s, w->sub.len))
		return -ENOMEM;
	return emit(w, PB_PROFILE_LOCATION);
}

/*
 * Ids (1 up: 0 is "none" in profile.proto): the table's functions and locations, then one of
 * each per process root.
 */
static __u64 root_function(const struct pprof *w, __u32 proc)
{
	return (__u64)w->ft.nfuncs + 1 + proc;
}

static __u64 root_location(const struct pprof *w, __u32 proc)
{
	return (__u64)w->ft.n + 1 + proc;
}

static int write_functions(struct pprof *w)
{
	__u32 i;
	int err;

	for (i = 0; i < w->ft.n; i++) {
		__u32 f = w->ft.entries[i].func;

		if ((!i || f != w->ft.entries[i - 1].func) &&
		    (err = emit_function(w, f + 1, w->func_name[f], w->func_file[f])))
			return err;
		if ((err = emit_location(w, i + 1, f + 1, w->ft.entries[i].line)))
			return err;
	}
	for (i = 0; i < w->p->nprocs; i++)
		if ((err = emit_function(w, root_function(w, i), w->root_name[i], w->s.empty)) ||
		    (err = emit_location(w, root_location(w, i), root_function(w, i), 0)))
			return err;
	return 0;
}

/* A Label of the sample in msg: key and a string (str) or a number. */
static int add_label(struct pprof *w, __u32 key, __u32 str, __u64 num, int is_str)
{
	sbuf_reset(&w->sub);
	if (pb_uint(&w->sub, PB_LABEL_KEY, key) ||
	    pb_uint(&w->sub, is_str ? PB_LABEL_STR : PB_LABEL_NUM, is_str ? str : num))
		return -ENOMEM;
	return pb_bytes(&w->msg, PB_SAMPLE_LABEL, w->sub.s, w->sub.len);
}

static int add_labels(struct pprof *w, const struct stack_rec *s)
{
	const struct profile_proc *proc = &w->p->procs[s->proc_id];
	const struct frame_rec *thread =
	    stack_has_thread(w->a, s) ? &w->a->frames[w->a->pool[s->off]] : NULL;

	if (add_label(w, w->s.pid, 0, (__u64)proc->pid, 0) ||
	    add_label(w, w->s.comm, w->comm[s->proc_id], 0, 1))
		return -ENOMEM;
	if (w->container[s->proc_id] &&
	    add_label(w, w->s.container_id, w->container[s->proc_id], 0, 1))
		return -ENOMEM;
	if (proc->ns_pid && add_label(w, w->s.ns_pid, 0, (__u64)proc->ns_pid, 0))
		return -ENOMEM;
	if (!thread || !thread->line) /* no thread, or the threads past the table's */
		return 0;
	if (add_label(w, w->s.tid, 0, (__u64)thread->line, 0) ||
	    add_label(w, w->s.thread_name, w->thread_name[w->a->pool[s->off]], 0, 1))
		return -ENOMEM;
	return 0;
}

/* Stack s: its locations leaf first (pprof's order) down to its process, values, labels. */
static int emit_sample(struct pprof *w, const struct stack_rec *s)
{
	__u32 i;

	sbuf_reset(&w->sub);
	for (i = s->n; i-- > 0;) {
		__u32 k = w->ft.index[w->a->pool[s->off + i]];

		if (k != FRAME_TABLE_NONE && pb_varint(&w->sub, (__u64)k + 1))
			return -ENOMEM;
	}
	if (pb_varint(&w->sub, root_location(w, s->proc_id)) ||
	    pb_bytes(&w->msg, PB_SAMPLE_LOCATION_ID, w->sub.s, w->sub.len))
		return -ENOMEM;
	sbuf_reset(&w->sub);
	if (pb_varint(&w->sub, s->count) || pb_varint(&w->sub, s->count * w->period) ||
	    pb_bytes(&w->msg, PB_SAMPLE_VALUE, w->sub.s, w->sub.len) || add_labels(w, s))
		return -ENOMEM;
	return emit(w, PB_PROFILE_SAMPLE);
}

static int write_samples(struct pprof *w)
{
	__u32 i;
	int err;

	for (i = 0; i < w->a->nstacks; i++)
		if ((err = emit_sample(w, &w->a->stacks[i])))
			return err;
	return 0;
}

/* The tables every message refers to: frames, strings; and the gzip stream. */
static int prepare(struct pprof *w)
{
	int err;

	if ((err = frame_table_build(&w->ft, w->a, w->p->thread_frames)) ||
	    (err = alloc_tables(w)) || (err = add_fixed_strings(w)) || (err = add_strings(w)) ||
	    (err = string_table_finish(&w->st)))
		return err;
	if (deflateInit2(&w->z, PPROF_GZIP_LEVEL, Z_DEFLATED, PPROF_GZIP_WINDOW, PPROF_MEM_LEVEL,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	w->z_ready = 1;
	return 0;
}

static void pprof_free(struct pprof *w)
{
	if (w->z_ready)
		deflateEnd(&w->z);
	frame_table_free(&w->ft);
	string_table_free(&w->st);
	free(w->func_name);
	free(w->func_file);
	free(w->root_name);
	free(w->comm);
	free(w->container);
	free(w->thread_name);
	sbuf_free(&w->in);
	sbuf_free(&w->msg);
	sbuf_free(&w->sub);
}

static int write_profile(FILE *out, const struct profile *p)
{
	struct pprof w = {.out = out, .p = p, .a = p->agg, .period = p->period_ns};
	int err;

	if (!w.period)
		return -EINVAL;
	if ((err = prepare(&w)) || (err = write_head(&w)) || (err = write_functions(&w)) ||
	    (err = write_samples(&w)) || (err = deflate_in(&w, 1)))
		goto cleanup;
	if (fflush(out))
		err = -EIO;
cleanup:
	pprof_free(&w);
	return err;
}

const struct writer pprof_writer = {.name = "pprof", .write = write_profile};
