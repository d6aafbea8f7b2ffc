// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The sampling clocks' arithmetic and what the tick clock reads of the kernel: HZ, kallsyms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include "sampling/sample_clock.h"
#include "test.h"

/* text into a new temporary file (gzipped with gz), its path in path[]; 0 or -1. */
static int temp_file(char *path, const char *text, int gz)
{
	int fd = mkstemp(path);
	gzFile g;

	if (fd < 0)
		return -1;
	if (!gz) {
		int ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);

		close(fd);
		return ok ? 0 : -1;
	}
	g = gzdopen(fd, "wb");
	if (!g) {
		close(fd);
		return -1;
	}
	gzputs(g, text);
	return gzclose(g) == Z_OK ? 0 : -1;
}

void test_tick_every_nearest(void);
void test_tick_every_nearest(void)
{
	CHECK_EQ_INT(tick_every(250, 99), 3);  /* 83.3 Hz is nearer 99 than 125 */
	CHECK_EQ_INT(tick_every(250, 110), 2); /* 125 is nearer than 83.3 */
	CHECK_EQ_INT(tick_every(250, 250), 1);
	CHECK_EQ_INT(tick_every(250, 999), 1); /* at most HZ */
	CHECK_EQ_INT(tick_every(250, 200), 1); /* 250 is nearer than 125 */
	CHECK_EQ_INT(tick_every(250, 1), 250);
	CHECK_EQ_INT(tick_every(1000, 99), 10); /* 100 Hz */
	CHECK_EQ_INT(tick_every(100, 49), 2);
	CHECK_EQ_INT(tick_every(300, 99), 3);
	CHECK_EQ_INT(tick_every(0, 99), 1);
	CHECK_EQ_INT(tick_every(250, 0), 1);
}

void test_hz_of_jiffies(void);
void test_hz_of_jiffies(void)
{
	CHECK_EQ_INT(hz_of_jiffies(25, 100000000), 250);
	CHECK_EQ_INT(hz_of_jiffies(26, 102000000), 250); /* 254.9: +-1 jiffy of rounding */
	CHECK_EQ_INT(hz_of_jiffies(10, 100000000), 100);
	CHECK_EQ_INT(hz_of_jiffies(30, 100000000), 300);
	CHECK_EQ_INT(hz_of_jiffies(101, 100000000), 1000);
	CHECK_EQ_INT(hz_of_jiffies(64, 100000000), 640); /* no common HZ: as measured */
	CHECK_EQ_INT(hz_of_jiffies(0, 100000000), -ERANGE);
	CHECK_EQ_INT(hz_of_jiffies(25, 0), -ERANGE);
	CHECK_EQ_INT(hz_of_jiffies(~0ULL, 1), -ERANGE);
}

void test_kconfig_hz(void);
void test_kconfig_hz(void)
{
	char plain[] = "/tmp/rbprof-kconfig-XXXXXX", gz[] = "/tmp/rbprof-kconfig-XXXXXX",
	     none[] = "/tmp/rbprof-kconfig-XXXXXX", bad[] = "/tmp/rbprof-kconfig-XXXXXX";

	CHECK(!temp_file(plain, "CONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_HZ_PERIODIC=y\n", 0));
	CHECK(!temp_file(gz, "# CONFIG_HZ_100 is not set\nCONFIG_HZ=1000\n", 1));
	CHECK(!temp_file(none, "CONFIG_HZ_250=y\n", 0));
	CHECK(!temp_file(bad, "CONFIG_HZ=99999999999999999999\n", 0));
	CHECK_EQ_INT(kconfig_hz(plain), 250);
	CHECK_EQ_INT(kconfig_hz(gz), 1000);
	CHECK_EQ_INT(kconfig_hz(none), -ENOENT);
	CHECK_EQ_INT(kconfig_hz(bad), -ERANGE);
	CHECK(kconfig_hz("/nonexistent/config") < 0);
	unlink(plain);
	unlink(gz);
	unlink(none);
	unlink(bad);
}

void test_kallsyms_find(void);
void test_kallsyms_find(void)
{
	char syms[] = "/tmp/rbprof-kallsyms-XXXXXX", hidden[] = "/tmp/rbprof-kallsyms-XXXXXX";
	char name[64];
	__u64 addr = 0;

	CHECK(!temp_file(syms,
			 "ffffffff81000000 T _stext\n"
			 "ffffffff81442000 t tick_sched_timer\n"
			 "ffffffff81442960 t tick_nohz_handler.isra.0\n"
			 "ffffffff81443000 t tick_nohz_handler_other\n"
			 "ffffffff81500000 d tick_nohz_handler_data\n"
			 "ffffffffc0000000 t tick_nohz_handler\t[some_module]\n",
			 0));
	CHECK(!temp_file(hidden, "0000000000000000 t tick_nohz_handler\n", 0));
	/* the first name listed wins, its compiler-made copy counts, a longer name does not */
	CHECK_EQ_INT(kallsyms_find(syms, TICK_HANDLERS, &addr, name, sizeof(name)), 0);
	CHECK_EQ_INT(addr, 0xffffffff81442960ULL);
	CHECK_STR(name, "tick_nohz_handler");
	CHECK_EQ_INT(kallsyms_find(syms, "tick_sched_timer", &addr, name, sizeof(name)), 0);
	CHECK_EQ_INT(addr, 0xffffffff81442000ULL);
	CHECK_STR(name, "tick_sched_timer");
	CHECK_EQ_INT(kallsyms_find(syms, "no_such_fn,tick_sched_timer", &addr, name, sizeof(name)),
		     0);
	CHECK_STR(name, "tick_sched_timer");
	CHECK_EQ_INT(kallsyms_find(syms, "no_such_fn", &addr, name, sizeof(name)), -ENOENT);
	CHECK_EQ_INT(kallsyms_find(syms, "", &addr, name, sizeof(name)), -ENOENT);
	CHECK_EQ_INT(kallsyms_find(hidden, TICK_HANDLERS, &addr, name, sizeof(name)), -EPERM);
	CHECK(kallsyms_find("/nonexistent/kallsyms", TICK_HANDLERS, &addr, name, sizeof(name)) < 0);
	unlink(syms);
	unlink(hidden);
}

void test_sample_clock_describe(void);
void test_sample_clock_describe(void)
{
	struct sample_clock c;
	char buf[128];

	sample_clock_perf(&c, 999);
	CHECK_EQ_INT(c.period_ns, 1001001);
	sample_clock_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "999 Hz on perf events (cpu-clock)");
	c = (struct sample_clock){
	    .kind = SAMPLE_CLOCK_TICK, .hz = 250, .every = 3, .rate = 250.0 / 3};
	sample_clock_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "83.33 Hz on the scheduler tick (every 3rd tick of HZ 250)");
	c.every = 1;
	sample_clock_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "250 Hz on the scheduler tick (every tick, HZ 250)");
	c.every = 12;
	c.rate = 250.0 / 12;
	sample_clock_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "20.83 Hz on the scheduler tick (every 12th tick of HZ 250)");
	c.every = 22;
	c.rate = 250.0 / 22;
	sample_clock_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "11.36 Hz on the scheduler tick (every 22nd tick of HZ 250)");
	CHECK_EQ_INT(sample_clock_parse("tick"), SAMPLE_CLOCK_TICK);
	CHECK_EQ_INT(sample_clock_parse("perf"), SAMPLE_CLOCK_PERF);
	CHECK_EQ_INT(sample_clock_parse("auto"), -1);
	CHECK_EQ_INT(sample_clock_parse(""), -1);
}
