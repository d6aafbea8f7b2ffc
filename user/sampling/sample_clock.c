// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sample_clock.c - choose what triggers a sample, and find on this kernel what the tick clock
 * needs: HZ and the function of the tick's hrtimer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include "common/clock.h"
#include "sampling/sample_clock.h"

/* HZ is one of a few values (kernel/Kconfig.hz); a measured rate is snapped to the nearest. */
static const int COMMON_HZ[] = {100, 250, 300, 1000};
/* A kernel's HZ outside this range is a config file that lies: it is not believed. */
#define HZ_MIN 10
#define HZ_MAX 10000
/* How long HZ is measured for when no config says it: 25 jiffies at HZ 250, +-1 of rounding. */
#define HZ_MEASURE_NS 100000000ULL
/* A kallsyms or timer_list line: "ffffffff81442960 t tick_nohz_handler [module]" fits. */
#define LINE_MAX_BYTES 512

int sample_clock_parse(const char *name)
{
	if (!strcmp(name, "perf"))
		return SAMPLE_CLOCK_PERF;
	if (!strcmp(name, "tick"))
		return SAMPLE_CLOCK_TICK;
	return -1;
}

const char *sample_clock_name(enum sample_clock_kind kind)
{
	return kind == SAMPLE_CLOCK_TICK ? "tick" : "perf";
}

void sample_clock_perf(struct sample_clock *c, int freq)
{
	memset(c, 0, sizeof(*c));
	c->kind = SAMPLE_CLOCK_PERF;
	c->perf_freq = freq > 0 ? freq : 1;
	c->period_ns = (1000000000ULL + (__u64)c->perf_freq / 2) / (__u64)c->perf_freq;
	c->rate = c->perf_freq;
}

int perf_cpu_clock_open(int cpu, int freq)
{
	struct perf_event_attr attr = {
	    .type = PERF_TYPE_SOFTWARE,
	    .size = sizeof(attr),
	    .config = PERF_COUNT_SW_CPU_CLOCK,
	    .sample_freq = (__u64)freq,
	    .freq = 1,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

__u32 tick_every(int hz, int freq)
{
	__u32 n;

	if (hz <= 0 || freq <= 0 || freq >= hz)
		return 1;
	n = (__u32)(hz / freq);
	/* hz/n >= freq > hz/(n+1): the nearer of the two */
	if ((double)hz / n - freq > freq - (double)hz / (n + 1))
		n++;
	return n;
}

int hz_of_jiffies(__u64 jiffies, __u64 ns)
{
	double hz = ns ? (double)jiffies * 1e9 / (double)ns : 0;
	size_t i;

	for (i = 0; i < sizeof(COMMON_HZ) / sizeof(COMMON_HZ[0]); i++)
		if (hz > COMMON_HZ[i] * 0.95 && hz < COMMON_HZ[i] * 1.05)
			return COMMON_HZ[i];
	return hz >= HZ_MIN && hz <= HZ_MAX ? (int)(hz + 0.5) : -ERANGE;
}

int kconfig_hz(const char *path)
{
	/* gzopen reads a plain file as it is, a gzipped one inflated */
	gzFile f = gzopen(path, "rb");
	char line[LINE_MAX_BYTES];
	int hz = -ENOENT;

	if (!f)
		return errno ? -errno : -ENOENT;
	while (gzgets(f, line, sizeof(line))) {
		char *end;
		long v;

		if (strncmp(line, "CONFIG_HZ=", 10))
			continue;
		v = strtol(line + 10, &end, 10);
		hz = v >= HZ_MIN && v <= HZ_MAX && (*end == '\n' || !*end) ? (int)v : -ERANGE;
		break;
	}
	gzclose(f);
	return hz;
}

/* The first "jiffies: N" of /proc/timer_list, and the CLOCK_MONOTONIC ns it was read at. */
static int timer_list_jiffies(__u64 *jiffies, __u64 *ns)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[LINE_MAX_BYTES];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %llu", (unsigned long long *)jiffies) == 1) {
			*ns = clock_ns();
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

int kernel_hz(char *why, size_t cap)
{
	const char *env = getenv("RBPROF_KCONFIG"); /* the tests' way to leave the config out */
	__u64 j0, j1, t0, t1;
	struct utsname u;
	char path[128];
	int hz = -ENOENT, err;

	if (env) {
		hz = kconfig_hz(env);
	} else {
		if (!uname(&u)) {
			snprintf(path, sizeof(path), "/boot/config-%s", u.release);
			hz = kconfig_hz(path);
		}
		if (hz < 0)
			hz = kconfig_hz("/proc/config.gz");
	}
	if (hz > 0)
		return hz;
	/* no config says: count the jiffies of a tenth of a second */
	err = timer_list_jiffies(&j0, &t0);
	if (!err) {
		struct timespec d = {.tv_sec = 0, .tv_nsec = (long)HZ_MEASURE_NS};

		nanosleep(&d, NULL);
		err = timer_list_jiffies(&j1, &t1);
	}
	if (!err)
		hz = j1 > j0 ? hz_of_jiffies(j1 - j0, t1 - t0) : -ERANGE;
	else
		hz = err;
	if (hz < 0)
		snprintf(why, cap,
			 "the kernel's HZ is unknown (no CONFIG_HZ in /boot/config-* or "
			 "/proc/config.gz, and /proc/timer_list: %s)",
			 strerror(-hz));
	return hz;
}

/* 1 if kallsyms' symbol `sym` is `want` or a copy of it the compiler made (want.isra.0). */
static int same_function(const char *sym, const char *want, size_t len)
{
	return !strncmp(sym, want, len) && (sym[len] == 0 || sym[len] == '.');
}

int kallsyms_find(const char *path, const char *names, __u64 *addr, char *name, size_t cap)
{
	FILE *f = fopen(path ? path : "/proc/kallsyms", "re");
	char line[LINE_MAX_BYTES], sym[LINE_MAX_BYTES], type;
	int best = -1, hidden = 0;
	unsigned long long a;
	const char *p, *comma;
	size_t len;
	int rank;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %511s", &a, &type, sym) != 3 ||
		    (type != 't' && type != 'T'))
			continue;
		/* the rank of sym in names: the first named wins over the later */
		for (p = names, rank = 0; *p; p = comma + 1, rank++) {
			comma = strchr(p, ',');
			len = comma ? (size_t)(comma - p) : strlen(p);
			if (len && same_function(sym, p, len) && (best < 0 || rank < best)) {
				if (!a) {
					hidden = 1;
				} else {
					best = rank;
					*addr = a;
					snprintf(name, cap, "%.*s", (int)len, p);
				}
				break;
			}
			if (!comma)
				break;
		}
		if (best == 0)
			break;
	}
	fclose(f);
	if (best >= 0)
		return 0;
	return hidden ? -EPERM : -ENOENT;
}

/*
 * 1 if the kernel's hrtimers run in high resolution, which the tick's hrtimer needs (in low
 * resolution the tick is a clock event's handler, and no hrtimer expires for it): some clock
 * base of /proc/timer_list has a resolution of 1 ns. 1 too where timer_list cannot be read.
 */
static int high_res_timers(void)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[LINE_MAX_BYTES];
	unsigned long long res;
	int seen = 0, high = 0;

	if (!f)
		return 1;
	while (!high && fgets(line, sizeof(line), f))
		if (sscanf(line, " .resolution: %llu", &res) == 1) {
			seen = 1;
			high = res == 1;
		}
	fclose(f);
	return high || !seen;
}

/* CPUs that run without a tick while busy (nohz_full=): the tick clock would not see them. */
static int tickless_cpus(char *buf, size_t cap)
{
	FILE *f = fopen("/sys/devices/system/cpu/nohz_full", "re");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf[0] && strcmp(buf, "(null)");
}

int sample_clock_tick(struct sample_clock *c, int freq, char *why, size_t cap)
{
	const char *handlers = getenv("RBPROF_TICK_HANDLERS"); /* tests: a kernel without one */
	char cpus[128];
	int hz, err;

	memset(c, 0, sizeof(*c));
	c->kind = SAMPLE_CLOCK_TICK;
	hz = kernel_hz(why, cap);
	if (hz < 0)
		return hz;
	c->hz = hz;
	err = kallsyms_find(NULL, handlers ? handlers : TICK_HANDLERS, &c->tick_function,
			    c->tick_handler, sizeof(c->tick_handler));
	if (err == -EPERM)
		snprintf(why, cap, "kernel addresses are hidden (kernel.kptr_restrict)");
	else if (err == -ENOENT)
		snprintf(why, cap, "the kernel has no tick handler (%s) in /proc/kallsyms",
			 handlers ? handlers : TICK_HANDLERS);
	else if (err)
		snprintf(why, cap, "cannot read /proc/kallsyms: %s", strerror(-err));
	if (err)
		return err;
	if (!high_res_timers()) {
		snprintf(why, cap,
			 "the kernel's timers run in low resolution, where the tick is no "
			 "hrtimer");
		return -ENOTSUP;
	}
	if (tickless_cpus(cpus, sizeof(cpus))) {
		snprintf(why, cap, "CPUs %s run without a tick while busy (nohz_full)", cpus);
		return -ENOTSUP;
	}
	c->every = tick_every(hz, freq);
	c->period_ns = (1000000000ULL * c->every + (__u64)hz / 2) / (__u64)hz;
	c->rate = (double)hz / c->every;
	return 0;
}

/* "1st", "2nd", "3rd", "4th", ... "11th", "12th", "13th", "21st". */
static const char *ordinal_suffix(__u32 n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

void sample_clock_describe(const struct sample_clock *c, char *buf, size_t cap)
{
	if (c->kind != SAMPLE_CLOCK_TICK)
		snprintf(buf, cap, "%d Hz on perf events (cpu-clock)", c->perf_freq);
	else if (c->every == 1)
		snprintf(buf, cap, "%d Hz on the scheduler tick (every tick, HZ %d)", c->hz, c->hz);
	else
		snprintf(buf, cap, "%.4g Hz on the scheduler tick (every %u%s tick of HZ %d)",
			 c->rate, c->every, ordinal_suffix(c->every), c->hz);
}
