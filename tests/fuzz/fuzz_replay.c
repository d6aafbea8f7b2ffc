// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The walker, the symbolizer and the name readers on hostile process memory: a recorded Ruby
 * process (tests/unit/fixtures/NAME.fixture.gz, every version and build the tests have) replayed
 * with its memory rewritten by the input: bytes overwritten, words made to point into other
 * regions (cycles, shared tails) or set to huge lengths and counts. Whatever the bytes, the
 * replay must end without a crash, a leak, or a hang (libFuzzer's -timeout).
 *
 * Input: one byte choosing the fixture, then operations of 6 bytes each (kind, region, offset
 * as u32) and what they write.
 */
#include <stdlib.h>
#include <string.h>
#include "devtools/fixture.h"
#include "fuzz_fixtures.h"

/* Operations per input: enough to break a frame, a string and a table at once. */
#define OPS_MAX 64

/* A write the run made, to be undone: where, and the bytes that were there. */
struct undo {
	unsigned char *at;
	unsigned char old[8];
	unsigned len;
};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct undo undo[OPS_MAX];
	struct fixture *f;
	char *out = NULL;
	int nundo = 0, i;

	if (size < 1)
		return 0;
	f = &fixtures[data[0] % nfixtures];
	data++;
	size--;
	while (size >= 6 && nundo < OPS_MAX) {
		unsigned kind = data[0] % 4;
		struct memregion *r = &f->mem.r[data[1] % f->mem.n], *to;
		__u32 off;
		__u64 word;
		unsigned len = 8;

		memcpy(&off, data + 2, 4);
		data += 6;
		size -= 6;
		if (r->len < 8)
			continue;
		off %= r->len - 7;
		switch (kind) {
		case 0: /* a pointer into a region (cycles, a frame read twice) */
			to = &f->mem.r[(off >> 3) % f->mem.n];
			word = to->addr + (size ? data[0] % (to->len ? to->len : 1) : 0) / 8 * 8;
			break;
		case 1: /* a huge length, count or index */
			word = size && (data[0] & 1) ? 0xffffffffffffffffULL : 0x7fffffff;
			break;
		case 2: /* a small number: a flag word, a type, a short length */
			word = size ? data[0] : 0;
			len = 1;
			break;
		default: /* the input's bytes */
			word = 0;
			memcpy(&word, data, size < 8 ? size : 8);
			break;
		}
		if (size) {
			data++;
			size--;
		}
		undo[nundo].at = r->bytes + off;
		undo[nundo].len = len;
		memcpy(undo[nundo].old, r->bytes + off, len);
		memcpy(r->bytes + off, &word, len);
		nundo++;
	}
	fixture_profile(f, &f->mem.base, &out);
	free(out);
	for (i = nundo - 1; i >= 0; i--)
		memcpy(undo[i].at, undo[i].old, undo[i].len);
	return 0;
}
