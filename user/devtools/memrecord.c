// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memrecord.c - record and replay process memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "devtools/memrecord.h"

/*
 * Regions are reads of the walker and symbolizer, a few KiB at most: a region that starts
 * farther back than this before an address does not hold it.
 */
#define REPLAY_LOOKBACK (64U << 10)

static int cmp_region(const void *x, const void *y)
{
	const struct memregion *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/*
 * Replay: the longest run of recorded bytes starting at addr that one region holds (0 if
 * none); *bytes points at it. Regions may overlap, and any of those starting at or before
 * addr may hold it.
 */
static size_t replay_piece(struct memrecord *m, __u64 addr, const unsigned char **bytes)
{
	size_t lo = 0, hi = m->n, best = 0;

	while (hi - lo > 0) { /* first region starting after addr */
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0) {
		const struct memregion *r = &m->r[lo];

		if (addr - r->addr < r->len && r->len - (addr - r->addr) > best) {
			best = r->len - (addr - r->addr);
			*bytes = r->bytes + (addr - r->addr);
		}
		if (addr - r->addr > REPLAY_LOOKBACK)
			break;
	}
	return best;
}

/*
 * Replay a read from the recorded regions, pieced together from several if need be: the
 * walker may read in other sizes than it did when the fixture was recorded.
 */
static int replay_read(struct memrecord *m, __u64 addr, void *buf, size_t len)
{
	unsigned char *out = buf;

	if (!m->sorted) {
		qsort(m->r, m->n, sizeof(*m->r), cmp_region);
		m->sorted = 1;
	}
	while (len) {
		const unsigned char *bytes = NULL;
		size_t n = replay_piece(m, addr, &bytes);

		if (!n)
			return -EFAULT;
		if (n > len)
			n = len;
		memcpy(out, bytes, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static int memrecord_read_fn(struct memread *base, __u64 addr, void *buf, size_t len)
{
	struct memrecord *m = (struct memrecord *)base;
	int err;

	if (!m->inner)
		return replay_read(m, addr, buf, len);
	err = m->inner->read(m->inner, addr, buf, len);
	if (!err && len)
		memrecord_add(m, addr, buf, len);
	return err;
}

void memrecord_init(struct memrecord *m, struct memread *inner)
{
	memset(m, 0, sizeof(*m));
	m->base.read = memrecord_read_fn;
	m->inner = inner;
}

void memrecord_free(struct memrecord *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].bytes);
	free(m->r);
	memset(m, 0, sizeof(*m));
}

int memrecord_add(struct memrecord *m, __u64 addr, const void *bytes, size_t len)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct memregion *r = realloc(m->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		m->r = r;
		m->cap = cap;
	}
	m->r[m->n].bytes = malloc(len ? len : 1);
	if (!m->r[m->n].bytes)
		return -ENOMEM;
	memcpy(m->r[m->n].bytes, bytes, len);
	m->r[m->n].addr = addr;
	m->r[m->n].len = (__u32)len;
	m->n++;
	m->sorted = 0;
	return 0;
}

int memrecord_write(const struct memrecord *m, void *gzv)
{
	gzFile gz = gzv;
	size_t i;

	if (gzprintf(gz, "regions %zu\n", m->n) <= 0)
		return -EIO;
	for (i = 0; i < m->n; i++) {
		const struct memregion *r = &m->r[i];

		if (gzwrite(gz, &r->addr, sizeof(r->addr)) != sizeof(r->addr) ||
		    gzwrite(gz, &r->len, sizeof(r->len)) != sizeof(r->len) ||
		    (r->len && gzwrite(gz, r->bytes, r->len) != (int)r->len))
			return -EIO;
	}
	return 0;
}

int memrecord_read(struct memrecord *m, void *gzv)
{
	gzFile gz = gzv;
	char line[64];
	size_t n, i, total = 0;
	unsigned char *buf;

	if (!gzgets(gz, line, sizeof(line)) || sscanf(line, "regions %zu", &n) != 1 ||
	    n > MEMRECORD_MAX_REGIONS)
		return -EINVAL;
	buf = malloc(MEMRECORD_MAX_BYTES);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		__u64 addr;
		__u32 len;

		if (gzread(gz, &addr, sizeof(addr)) != sizeof(addr) ||
		    gzread(gz, &len, sizeof(len)) != sizeof(len) || len > MEMRECORD_MAX_BYTES ||
		    (total += len) > MEMRECORD_MAX_BYTES ||
		    (len && gzread(gz, buf, len) != (int)len) || memrecord_add(m, addr, buf, len)) {
			free(buf);
			return -EINVAL;
		}
	}
	free(buf);
	return 0;
}
