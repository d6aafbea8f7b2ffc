/* A hostile process that looks like Ruby 3.1.2 (the fake libruby built with -DFAKE_VERSION)
 * and rewrites its "VM" without end. Its two threads' ECs, their control frames, the iseqs
 * the frames run, the iseqs' bodies, labels and paths are laid out in one 256 KiB arena as
 * Ruby 3.1 lays them out (the offsets of user/layouts/releases.c's 3.1 entry), so that the
 * profiler walks them and reads them as Ruby's; and each thread, again and again, lays that
 * VM out anew and then overwrites a thousand of its words with lies: pointers into the arena
 * (cycles, frames that point at themselves), huge lengths and counts, object flags, noise.
 * Whatever the profiler reads is right, torn, or a lie. Each thread works a quarter of the
 * time, so that real Rubies beside it still run. Stops after LIFETIME_SECS. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME_SECS 20
#define ARENA_WORDS (256 * 1024 / 8)
#define LIES_PER_ROUND 1000
#define ROUNDS_PER_NAP 12 /* ~100 us of rewriting, then a 300 us nap: a quarter of a CPU */
#define FRAMES 8
#define STACK_WORDS 1024 /* each thread's VM stack; its frames at the top, as Ruby's */

/* Ruby 3.1's flags: T_IMEMO of type iseq, and an embedded T_STRING of length n. */
#define IMEMO_ISEQ_FLAGS (0x1aULL | (7ULL << 12))
#define STRING_FLAGS(n) (0x05ULL | ((uint64_t)(n) << 14))

extern const char ruby_version[];
extern void *ruby_current_vm_ptr;
extern __thread void *ruby_current_ec;

static uint64_t arena[ARENA_WORDS] __attribute__((aligned(64)));

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One word of a lie: a pointer into the arena, a huge number, an object's flags, or noise. */
static uint64_t lie(uint64_t *s)
{
	uint64_t r = next(s);

	switch (r & 7) {
	case 0: case 1: case 2:
		return (uint64_t)&arena[(r >> 8) % ARENA_WORDS];
	case 3:
		return r & 8 ? UINT64_MAX : 0x7fffffff;
	case 4:
		return IMEMO_ISEQ_FLAGS;
	case 5:
		return STRING_FLAGS((r >> 16) & 31);
	case 6:
		return r & 0xff;
	default:
		return r;
	}
}

/* An embedded String at word w: flags, klass, then up to 23 bytes. */
static void string_at(int w, const char *text)
{
	size_t n = strlen(text);

	arena[w] = STRING_FLAGS(n);
	arena[w + 1] = 0;
	memcpy(&arena[w + 2], text, n < 23 ? n : 23);
}

/* Thread k's VM: its EC at word base, its stack, FRAMES frames, an iseq for each. */
static void lay_out(int k)
{
	int base = 4096 + k * 8192, stack = base + 64, objs = stack + STACK_WORDS;
	uint64_t *top = &arena[stack + STACK_WORDS];

	arena[base] = (uint64_t)&arena[stack];	/* ec->vm_stack */
	arena[base + 1] = STACK_WORDS;		/* ec->vm_stack_size */
	arena[base + 2] = (uint64_t)(top - FRAMES * 8); /* ec->cfp: the innermost frame */
	for (int f = 0; f < FRAMES; f++) {
		uint64_t *cfp = top - (FRAMES - f) * 8;
		int iseq = objs + f * 96, body = iseq + 8, label = iseq + 40, path = iseq + 48;
		int code = iseq + 56;
		char name[24];

		arena[iseq] = IMEMO_ISEQ_FLAGS;
		arena[iseq + 2] = (uint64_t)&arena[body]; /* iseq->body */
		arena[body] = 1 | (8ULL << 32);		  /* type METHOD, iseq_size 8 */
		arena[body + 1] = (uint64_t)&arena[code]; /* iseq_encoded */
		arena[body + 8] = (uint64_t)&arena[path]; /* location.pathobj */
		arena[body + 10] = (uint64_t)&arena[label]; /* location.label */
		arena[body + 11] = (10 + f) * 2 + 1;	  /* location.first_lineno (a Fixnum) */
		arena[body + 22] = (uint64_t)&arena[iseq]; /* local_iseq */
		snprintf(name, sizeof(name), "scribbled_%d", f);
		string_at(label, name);
		string_at(path, "/hostile/vm.rb");
		cfp[0] = (uint64_t)&arena[code + 2];		  /* pc */
		cfp[2] = (uint64_t)&arena[iseq];		  /* iseq */
		cfp[4] = (uint64_t)&arena[stack + 16 + f * 4]; /* ep */
	}
}

static void *scribble(void *arg)
{
	int k = (int)(uintptr_t)arg;
	uint64_t s = 0x9e3779b97f4a7c15ULL * (k + 1);
	time_t end = time(NULL) + LIFETIME_SECS;

	lay_out(k);
	ruby_current_ec = &arena[4096 + k * 8192];
	while (time(NULL) < end) {
		for (int round = 0; round < ROUNDS_PER_NAP; round++) {
			lay_out(k);
			for (int i = 0; i < LIES_PER_ROUND; i++)
				arena[4096 + k * 8192 + next(&s) % 8192] = lie(&s);
			for (int i = 0; i < LIES_PER_ROUND / 10; i++)
				arena[next(&s) % ARENA_WORDS] = lie(&s);
		}
		usleep(300);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	uint64_t s = 88172645463325252ULL;

	for (int i = 0; i < ARENA_WORDS; i++)
		arena[i] = lie(&s);
	ruby_current_vm_ptr = &arena[0];
	lay_out(0);
	lay_out(1);
	pthread_create(&t, NULL, scribble, (void *)1);
	printf("ready %s\n", ruby_version);
	fflush(stdout);
	scribble((void *)0);
	pthread_join(t, NULL);
	return 0;
}
