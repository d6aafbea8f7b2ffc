/* A process linked with the fake libruby 1.9.3 that spins for 20 s. */
#include <stdio.h>
#include <time.h>

#define LIFETIME_SECS 20

extern const char ruby_version[];
#ifndef FAKE_STRIPPED
extern void *ruby_current_vm_ptr;
extern __thread void *ruby_current_ec;
#endif

int main(void)
{
	volatile unsigned long x = 0;
	time_t end = time(NULL) + LIFETIME_SECS;

#ifndef FAKE_STRIPPED
	ruby_current_vm_ptr = (void *)&x;
	ruby_current_ec = (void *)&x;
#endif
	printf("ready %s\n", ruby_version);
	fflush(stdout);
	while (time(NULL) < end)
		for (unsigned long i = 0; i < 10000000; i++)
			x += i;
	return 0;
}
