/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sample_clock.h - what triggers a sample: a cpu-clock perf event per CPU (an interrupt of its
 * own), or the scheduler tick that every busy CPU takes anyway (--clock tick), a sample on every
 * Nth tick. Both run the same walker into the same ring buffer; this chooses one and says what
 * a sample then stands for.
 */
#ifndef RBPROF_SAMPLE_CLOCK_H
#define RBPROF_SAMPLE_CLOCK_H

#include <stddef.h>
#include <linux/types.h>

enum sample_clock_kind {
	SAMPLE_CLOCK_AUTO, /* no --clock: the tick where it can give the rate asked, else perf */
	SAMPLE_CLOCK_PERF, /* a cpu-clock perf event per online CPU at -F Hz */
	SAMPLE_CLOCK_TICK, /* the tick's hrtimer (raw_tp/hrtimer_expire_entry), every Nth */
};

/* The handlers the tick's hrtimer has had, newest first: 6.10 renamed tick_sched_timer. */
#define TICK_HANDLERS "tick_nohz_handler,tick_sched_timer"

struct sample_clock {
	enum sample_clock_kind kind; /* PERF or TICK: the one sampling */
	int hz;			     /* TICK: the kernel's HZ, ticks per second of a busy CPU */
	__u32 every;		     /* TICK: a sample on every this many ticks of a CPU */
	__u64 tick_function;	     /* TICK: the address of the tick's hrtimer function */
	char tick_handler[64];	     /* TICK: its name */
	int perf_freq;		     /* PERF: the perf events' rate */
	__u64 period_ns;	     /* the CPU time one sample stands for */
	double rate;		     /* samples per second per CPU: 1e9 / period_ns */
};

/* The clock as `--clock NAME` names it: "perf", "tick"; -1 for any other name. */
int sample_clock_parse(const char *name);
/* "perf" or "tick". */
const char *sample_clock_name(enum sample_clock_kind kind);

/*
 * The perf clock at freq Hz into c. Always works (perf_event_open is checked at attach).
 */
void sample_clock_perf(struct sample_clock *c, int freq);
/* The perf clock's event on one CPU: cpu-clock at freq Hz. Its fd, or -1 with errno set. */
int perf_cpu_clock_open(int cpu, int freq);
/*
 * The tick clock nearest to freq Hz into c: HZ and the tick's handler found on this kernel,
 * N = the whole number of ticks whose rate HZ / N is nearest to freq. 0, or -errno with why
 * (one phrase, "the kernel's HZ is unknown: ...") in why[cap] when this kernel lacks what the
 * tick clock needs; c->hz is set even then if HZ was found.
 */
int sample_clock_tick(struct sample_clock *c, int freq, char *why, size_t cap);

/*
 * The kernel's HZ: CONFIG_HZ from its config (RBPROF_KCONFIG, else /boot/config-RELEASE,
 * else /proc/config.gz), or else measured: jiffies in /proc/timer_list over 100 ms. > 0, or
 * -errno with why in why[cap].
 */
int kernel_hz(char *why, size_t cap);
/* CONFIG_HZ from the kernel config file at path (plain or gzipped). > 0 or -errno. */
int kconfig_hz(const char *path);
/* The HZ a count of `jiffies` over `ns` nanoseconds shows: the common HZ it is within 5% of. */
int hz_of_jiffies(__u64 jiffies, __u64 ns);
/* The tick count N whose rate hz / N is nearest to freq (N >= 1). */
__u32 tick_every(int hz, int freq);
/*
 * The address of the first of the comma-separated kernel functions in `names` that
 * /proc/kallsyms (or `path`) lists (an ".isra.0" or ".cold" copy counts as the function); its name
 * in name[cap]. 0, -ENOENT if none is there, -EPERM if kallsyms hides addresses.
 */
int kallsyms_find(const char *path, const char *names, __u64 *addr, char *name, size_t cap);

/* "83.3 Hz on the scheduler tick (every 3rd of HZ 250)" or "999 Hz on perf events (cpu-clock)". */
void sample_clock_describe(const struct sample_clock *c, char *buf, size_t cap);

#endif /* RBPROF_SAMPLE_CLOCK_H */
