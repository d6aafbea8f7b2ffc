// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * svg.c - the profile as one interactive flame graph (-f svg, -o FILE.svg), after
 * flamegraph.pl: the root "all" at the bottom, a box per process, thread (--threads) and frame
 * above it, as wide as its samples; a tooltip and a details line per box, click to zoom,
 * search with the share of samples matched. One self-contained file: the style and the
 * script inline, every name of the profile in an element or attribute, escaped, never in the
 * script. Written as the tree is walked (flametree.h), box by box.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "output/flametree.h"
#include "output/writer.h"

#define IMAGE_W	 1200 /* px: flamegraph.pl's width, readable on a laptop screen */
#define XPAD	 10   /* px left and right of the boxes, as flamegraph.pl */
#define FRAME_H	 16   /* px per level: a 15 px box and 1 px between levels */
#define BOX_H	 15   /* px: room for a 12 px font with its descenders */
#define TOP_H	 66   /* px above the deepest level: title, subtitle, controls */
#define BOTTOM_H 34   /* px below the root: the details and "Matched:" line */
#define FONT_PX	 12   /* px: labels and controls, as flamegraph.pl */
#define TITLE_PX 17   /* px: the title, set apart from the labels */
/*
 * px a character takes at 12 px in a monospace font: DejaVu Sans Mono (Debian's monospace)
 * advances 0.602 em, 7.22 px; rounded up so that the estimate never comes out short.
 */
#define CHAR_W	 7.3
#define TEXT_PAD 3 /* px between a box's left edge and its label, and kept free on its right */
/* px: a narrower box is not drawn (flamegraph.pl's --minwidth): its ink would not show */
#define MIN_W  0.1
#define DRAW_W (IMAGE_W - 2 * XPAD) /* px the root spans */
/*
 * Boxes at most: ~250 bytes each, 7.5 MB of SVG, 120,000 elements a browser still zooms and
 * searches in well under a second. Past it the narrowest are left out (flametree_limit): deep
 * stacks that part near the root would otherwise draw a tower of 0.1 px boxes per sample.
 */
#define MAX_BOXES 30000

struct svg_out {
	FILE *out;
	const struct flametree *t;
	double scale; /* px per sample */
	int height;
	__u32 max_depth;
	struct sbuf line, cut;
};

/* The colours of a kind: base + range * (a byte of the label's hash) / 255, per channel. */
struct palette {
	int base[3], range[3];
};

static const struct palette palettes[] = {
    [CLASS_RUBY] = {{205, 0, 0}, {50, 230, 55}}, /* warm: reds to yellows (flamegraph.pl's hot) */
    [CLASS_CFUNC] = {{50, 165, 165}, {60, 55, 55}},    /* aqua */
    [CLASS_GC] = {{80, 180, 60}, {40, 50, 40}},	       /* green */
    [CLASS_WAIT] = {{150, 110, 200}, {40, 40, 40}},    /* purple: waits (--wall) */
    [CLASS_OTHER] = {{190, 190, 120}, {30, 30, 40}},   /* khaki */
    [CLASS_THREAD] = {{110, 140, 210}, {30, 30, 40}},  /* blue */
    [CLASS_PROCESS] = {{150, 160, 200}, {20, 20, 20}}, /* grey-blue */
};
static const struct palette grey = {{190, 190, 190}, {0, 0, 0}}; /* the root, folded boxes */

/* FNV-1a: a label's shade is the same in every profile, so that two runs compare. */
static __u32 label_hash(const char *s, size_t n)
{
	__u32 h = 2166136261u; /* FNV-1a's 32-bit offset basis */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u; /* FNV's 32-bit prime */
	return h;
}

static void box_colour(const struct svg_out *o, const struct flame_box *b, int rgb[3])
{
	const struct palette *pal = &grey;
	__u32 h = 0;
	int c;

	if (!b->folded && b->sym != o->t->root_sym) {
		const struct flame_sym *s = &o->t->syms[b->sym];

		pal = &palettes[s->cls];
		h = label_hash(s->text, s->label_len);
	}
	for (c = 0; c < 3; c++)
		rgb[c] = pal->base[c] + (int)(pal->range[c] * ((h >> (8 * c)) & 0xff) / 255);
}

/*
 * The code points of UTF-8 text (clean: every sequence valid); *byte_at is set to where code
 * point nth (from 0) starts, if there is one.
 */
static size_t utf8_len(const char *s, size_t *byte_at, size_t nth)
{
	size_t n = 0, i;

	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == nth && byte_at)
			*byte_at = i;
	return n;
}

/*
 * Append text escaped, cut with ".." to what fits px at char_w px a character, or nothing if
 * not even three characters fit (flamegraph.pl's rule; the script cuts again after a zoom).
 */
static int add_fitted(struct svg_out *o, struct sbuf *b, const char *text, double px, double char_w)
{
	double room = (px - 2 * TEXT_PAD) / char_w;
	size_t fit = room > 0 ? (size_t)room : 0, at = 0;

	if (fit < 3) /* "a..": the least a cut label says */
		return 0;
	if (utf8_len(text, &at, fit - 2) <= fit)
		return sbuf_add_xml(b, text);
	sbuf_reset(&o->cut);
	if (sbuf_addn(&o->cut, text, at) || sbuf_adds(&o->cut, ".."))
		return -ENOMEM;
	return sbuf_add_xml(b, o->cut.s);
}

static double percent(__u64 part, __u64 whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static int write_line(struct svg_out *o)
{
	return fwrite(o->line.s, 1, o->line.len, o->out) == o->line.len ? 0 : -EIO;
}

/* One box: <g> with its tooltip, its rectangle and its label. */
static int write_box(void *ctx, const struct flame_box *b)
{
	struct svg_out *o = ctx;
	double x = XPAD + (double)b->x * o->scale, w = (double)b->value * o->scale;
	int y = o->height - BOTTOM_H - (int)(b->depth + 1) * FRAME_H, rgb[3];
	char folded[48]; /* "(4294967295 narrower frames)" */
	const char *text = o->t->syms[b->sym].text;

	if (b->folded) {
		snprintf(folded, sizeof(folded), "(%u narrower frames)", b->folded);
		text = folded;
	}
	box_colour(o, b, rgb);
	sbuf_reset(&o->line);
	if (sbuf_adds(&o->line, b->folded ? "<g class=\"fold\"><title>" : "<g><title>") ||
	    sbuf_add_xml(&o->line, text) ||
	    sbuf_addf(&o->line,
		      " (%llu samples, %.2f%%)</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
		      "height=\"%d\" rx=\"2\" fill=\"rgb(%d,%d,%d)\"/><text x=\"%.2f\" y=\"%d\">",
		      (unsigned long long)b->value, percent(b->value, o->t->total), x, y, w, BOX_H,
		      rgb[0], rgb[1], rgb[2], x + TEXT_PAD, y + BOX_H - 4) ||
	    add_fitted(o, &o->line, text, w, CHAR_W) || sbuf_adds(&o->line, "</text></g>\n"))
		return -ENOMEM;
	return write_line(o);
}

static int measure_box(void *ctx, const struct flame_box *b)
{
	struct svg_out *o = ctx;

	if (b->depth > o->max_depth)
		o->max_depth = b->depth;
	return 0;
}

static const char style[] =
    "text { font-family: \"DejaVu Sans Mono\", monospace; font-size: 12px; fill: black; }\n"
    "#title { font-size: 17px; text-anchor: middle; }\n"
    "#subtitle { text-anchor: middle; fill: rgb(80,80,80); }\n"
    "#search, #resetsearch, #matched { text-anchor: end; }\n"
    ".ctl { cursor: pointer; fill: rgb(40,60,160); }\n"
    ".ctl:hover { text-decoration: underline; }\n"
    "#frames g { cursor: pointer; }\n"
    "#frames g:hover rect { stroke: black; stroke-width: 0.5; }\n"
    "#frames text { pointer-events: none; }\n"
    ".parent { opacity: 0.5; }\n"
    ".hide { display: none; }\n";

/*
 * The script: reads the boxes from the document (a name is never script text), zooms by
 * geometry as flamegraph.pl does (a box below the clicked one and spanning it is an ancestor,
 * dimmed and full width; one within its span above it is scaled; the rest hidden), and counts
 * a search's nested matches once (sorted by x, a match inside the last counted is skipped).
 * It must never contain the CDATA end; the unit test checks.
 */
static const char script[] =
    "\"use strict\";\n"
    "var frames, details, matched, unzoom, resetsearch, boxes = [], by_g = new WeakMap();\n"
    "var total = 0, EPS = 0.01;\n"
    "var SUFFIX = /^([\\s\\S]*) \\((\\d+) samples, [\\d.]+%\\)$/;\n"
    "function init() {\n"
    "  frames = document.getElementById('frames');\n"
    "  details = document.getElementById('details');\n"
    "  matched = document.getElementById('matched');\n"
    "  unzoom = document.getElementById('unzoom');\n"
    "  resetsearch = document.getElementById('resetsearch');\n"
    "  var bottom = -1;\n"
    "  for (var g = frames.firstElementChild; g; g = g.nextElementSibling) {\n"
    "    var title = g.firstElementChild, rect = title.nextElementSibling;\n"
    "    var m = SUFFIX.exec(title.textContent);\n"
    "    var b = {g: g, title: title, rect: rect, text: rect.nextElementSibling,\n"
    "             name: m ? m[1] : title.textContent, samples: m ? +m[2] : 0,\n"
    "             x: +rect.getAttribute('x'), w: +rect.getAttribute('width'),\n"
    "             y: +rect.getAttribute('y'), fill: rect.getAttribute('fill'),\n"
    "             fold: g.classList.contains('fold')};\n"
    "    boxes.push(b);\n"
    "    by_g.set(g, b);\n"
    "    if (b.y > bottom) { bottom = b.y; total = b.samples; }\n"
    "  }\n"
    "  boxes.forEach(function (b) { if (b.text.textContent) fit(b, b.w, true); });\n"
    "  frames.addEventListener('click', function (e) {\n"
    "    var b = box_of(e.target);\n"
    "    if (b) zoom(b);\n"
    "  });\n"
    "  frames.addEventListener('mouseover', function (e) {\n"
    "    var b = box_of(e.target);\n"
    "    if (b) details.textContent = b.title.textContent;\n"
    "  });\n"
    "  frames.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
    "  unzoom.addEventListener('click', reset_zoom);\n"
    "  document.getElementById('search').addEventListener('click', search_prompt);\n"
    "  resetsearch.addEventListener('click', reset_search);\n"
    "  window.addEventListener('keydown', function (e) {\n"
    "    if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') || e.key === '/') {\n"
    "      e.preventDefault();\n"
    "      search_prompt();\n"
    "    } else if (e.key === 'Escape') {\n"
    "      reset_search();\n"
    "    }\n"
    "  });\n"
    "}\n"
    "function box_of(el) {\n"
    "  while (el && el.parentNode !== frames) el = el.parentNode;\n"
    "  return el ? by_g.get(el) : null;\n"
    "}\n"
    "/* flamegraph.pl's update_text: the name if it fits, else cut with '..', else nothing */\n"
    "function fit(b, w, only_if_over) {\n"
    "  var t = b.text, room = w - 2 * TEXT_PAD, n = Math.floor(room / CHAR_W);\n"
    "  if (only_if_over && t.getComputedTextLength() <= room) return;\n"
    "  if (n < 3) { t.textContent = ''; return; }\n"
    "  var chars = Array.from(b.name);\n"
    "  t.textContent = chars.length <= n ? b.name : chars.slice(0, n - 2).join('') + '..';\n"
    "  while (n > 3 && t.getComputedTextLength() > room)\n"
    "    t.textContent = chars.slice(0, --n - 2).join('') + '..';\n"
    "  if (t.getComputedTextLength() > room) t.textContent = '';\n"
    "}\n"
    "function place(b, x, w) {\n"
    "  b.rect.setAttribute('x', x.toFixed(2));\n"
    "  b.rect.setAttribute('width', w.toFixed(2));\n"
    "  b.text.setAttribute('x', (x + TEXT_PAD).toFixed(2));\n"
    "  fit(b, w, false);\n"
    "}\n"
    "function zoom(z) {\n"
    "  var ratio = (W - 2 * XPAD) / z.w;\n"
    "  unzoom.classList.remove('hide');\n"
    "  boxes.forEach(function (b) {\n"
    "    b.g.classList.remove('parent', 'hide');\n"
    "    if (b.y > z.y) {\n"
    "      if (b.x <= z.x + EPS && b.x + b.w >= z.x + z.w - EPS) {\n"
    "        b.g.classList.add('parent');\n"
    "        place(b, XPAD, W - 2 * XPAD);\n"
    "      } else {\n"
    "        b.g.classList.add('hide');\n"
    "      }\n"
    "    } else if (b.x >= z.x - EPS && b.x + b.w <= z.x + z.w + EPS) {\n"
    "      place(b, XPAD + (b.x - z.x) * ratio, b.w * ratio);\n"
    "    } else {\n"
    "      b.g.classList.add('hide');\n"
    "    }\n"
    "  });\n"
    "}\n"
    "function reset_zoom() {\n"
    "  unzoom.classList.add('hide');\n"
    "  boxes.forEach(function (b) {\n"
    "    b.g.classList.remove('parent', 'hide');\n"
    "    place(b, b.x, b.w);\n"
    "  });\n"
    "}\n"
    "function search_prompt() {\n"
    "  var term = window.prompt('Search for (a regular expression):', '');\n"
    "  if (term) search(term);\n"
    "}\n"
    "function search(term) {\n"
    "  var re, hits = [], done = -Infinity, held = 0;\n"
    "  try { re = new RegExp(term); }\n"
    "  catch (e) { re = new RegExp(term.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')); }\n"
    "  boxes.forEach(function (b) {\n"
    "    var hit = !b.fold && re.test(b.name);\n"
    "    b.rect.setAttribute('fill', hit ? 'rgb(230,0,230)' : b.fill);\n"
    "    if (hit) hits.push(b);\n"
    "  });\n"
    "  hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });\n"
    "  hits.forEach(function (b) {\n"
    "    if (b.x < done - EPS) return;\n"
    "    held += b.samples;\n"
    "    done = b.x + b.w;\n"
    "  });\n"
    "  matched.textContent = 'Matched: ' + (total ? 100 * held / total : 0).toFixed(1) + '%';\n"
    "  resetsearch.classList.remove('hide');\n"
    "}\n"
    "function reset_search() {\n"
    "  boxes.forEach(function (b) { b.rect.setAttribute('fill', b.fill); });\n"
    "  matched.textContent = ' ';\n"
    "  resetsearch.classList.add('hide');\n"
    "}\n";

/* The document up to the title: the style, the script and the background. */
static int add_head(struct sbuf *b, int h)
{
	return sbuf_addf(
	    b,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
	    "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" onload=\"init()\">\n"
	    "<style type=\"text/css\">\n%s</style>\n"
	    "<script type=\"text/ecmascript\"><![CDATA[\n"
	    "var W = %d, XPAD = %d, CHAR_W = %.2f, TEXT_PAD = %d;\n%s]]></script>\n"
	    "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(248,248,240)\"/>\n",
	    IMAGE_W, h, IMAGE_W, h, style, IMAGE_W, XPAD, CHAR_W, TEXT_PAD, script, IMAGE_W, h);
}

/* The command line, then how long, how fast, how many samples (and what was left out). */
static int add_titles(struct svg_out *o, struct sbuf *b)
{
	const struct profile *p = o->t->p;
	double min_px = o->t->min_value * o->scale;

	if (sbuf_addf(b, "<text id=\"title\" x=\"%d\" y=\"24\">", IMAGE_W / 2) ||
	    add_fitted(o, b, p->command ? p->command : "rbprof-bpf", DRAW_W,
		       CHAR_W * TITLE_PX / FONT_PX) ||
	    sbuf_addf(b,
		      "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"44\">%.1f s at %.4g Hz%s, %llu "
		      "samples%s",
		      IMAGE_W / 2, (double)p->duration_ns / 1e9, p->rate,
		      p->clock && strstr(p->clock, "tick") ? " on the scheduler tick" : "",
		      (unsigned long long)o->t->total,
		      p->wall ? " of wall-clock time (--wall)" : ""))
		return -ENOMEM;
	/* raised by flametree_limit, not just rounding */
	if (min_px > MIN_W * 1.01 && sbuf_addf(b, "; boxes under %.2f px left out", min_px))
		return -ENOMEM;
	return sbuf_adds(b, "</text>\n");
}

/* Reset zoom, Search and Reset search at the top; the details and Matched: line below. */
static int add_controls(struct sbuf *b, int h)
{
	return sbuf_addf(
	    b,
	    "<text id=\"unzoom\" class=\"ctl hide\" x=\"%d\" y=\"24\">Reset zoom</text>\n"
	    "<text id=\"search\" class=\"ctl\" x=\"%d\" y=\"24\">Search</text>\n"
	    "<text id=\"resetsearch\" class=\"ctl hide\" x=\"%d\" y=\"44\">Reset "
	    "search</text>\n"
	    "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
	    "<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n<g id=\"frames\">\n",
	    XPAD, IMAGE_W - XPAD, IMAGE_W - XPAD, XPAD, h - 12, IMAGE_W - XPAD, h - 12);
}

static int write_head(struct svg_out *o)
{
	sbuf_reset(&o->line);
	if (add_head(&o->line, o->height) || add_titles(o, &o->line) ||
	    add_controls(&o->line, o->height))
		return -ENOMEM;
	return write_line(o);
}

static int write_profile(FILE *out, const struct profile *p)
{
	struct svg_out o = {.out = out};
	struct flametree t;
	int err;

	if ((err = flametree_init(&t, p, MIN_W / DRAW_W)))
		return err;
	o.t = &t;
	o.scale = t.total ? (double)DRAW_W / (double)t.total : 0;
	if ((err = flametree_limit(&t, MAX_BOXES)) || (err = flametree_walk(&t, measure_box, &o)))
		goto cleanup;
	o.height = TOP_H + (int)(o.max_depth + 1) * FRAME_H + BOTTOM_H;
	if ((err = write_head(&o)) || (err = flametree_walk(&t, write_box, &o)))
		goto cleanup;
	if (fputs("</g>\n</svg>\n", out) < 0 || fflush(out))
		err = -EIO;
cleanup:
	sbuf_free(&o.line);
	sbuf_free(&o.cut);
	flametree_free(&t);
	return err;
}

const struct writer svg_writer = {.name = "svg", .write = write_profile};
