// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - rbprof-bpf's command line: parse options, check that the kernel and our
 * privileges allow BPF, run the profiler, write the profile (atomically with -o).
 */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common/msg.h"
#include "devtools/fixture.h"
#include "discover/container.h"
#include "discover/launch.h"
#include "layouts/layout.h"
#include "output/outfile.h"
#include "output/rotate.h"
#include "output/writer.h"
#include "profiler.h"
#include "push/push.h"
#include "sampling/prereq.h"

/* -p: far more than one host runs Ruby processes; the list is a static array. */
#define MAX_PIDS 1024
/* Keys of the options that have no short form. */
enum {
	OPT_TOP = 0x100,
	OPT_CONTAINER,
	OPT_WALL,
	OPT_DUMP,
	OPT_PUSH,
	OPT_PUSH_INTERVAL,
	OPT_PUSH_AUTH_FILE,
	OPT_PUSH_CA_FILE,
	OPT_APP_NAME,
	OPT_ROTATE,
	OPT_CLOCK,
};

/* --push-interval: Pyroscope's agents send every 10-15 s; its own default is 15 s. */
#define PUSH_INTERVAL_DEFAULT 15
/* --push-interval, --rotate: at least a second (a profile is named to the second), a day at most */
#define INTERVAL_MAX (24 * 3600)
/* At exit (-d, Ctrl-C), how long the profiles still queued have to reach the server (ms). */
#define PUSH_FLUSH_MS 5000
/* --app-name: Pyroscope's application names are short words. */
#define APP_NAME_MAX 100

/* -d: a year; a longer profile is a typo. */
#define MAX_DURATION (365 * 24 * 3600)

#ifndef RBPROF_VERSION
#define RBPROF_VERSION "0.1.0"
#endif

static struct env {
	int duration;
	int freq;
	int clock; /* --clock: enum sample_clock_kind; AUTO: not given */
	pid_t pids[MAX_PIDS];
	int npids;
	const char *output;
	const char *capture;
	const char *force_version;
	int verbose;
	int quiet;
	int threads;
	const char *format; /* -f; NULL: from -o's extension */
	int top;
	int subprocesses;
	const char *container; /* --container ID */
	int wall;	       /* --wall */
	int dump;	       /* --dump */
	char **launch_argv;    /* -- COMMAND ARGS...: the command to run and profile */
	const char *push;      /* --push URL */
	int push_interval;     /* --push-interval SECS; 0: not given */
	const char *push_auth_file;
	const char *push_ca_file; /* --push-ca-file FILE: a private CA for https */
	const char *app_name;
	int rotate;	    /* --rotate SECS */
	char command[1024]; /* argv, joined: the profile's title */
} env = {
    .freq = 99,
};

const char *argp_program_version = "rbprof-bpf " RBPROF_VERSION;
const char argp_program_doc[] =
    "Sample the CPU stacks of every Ruby process on this host with BPF and write the profile: "
    "folded stacks (one line per distinct stack: frames root first, separated by ';', then a "
    "sample count) on stdout by default, or an SVG flame graph, a speedscope file or a pprof "
    "profile (-f, or -o FILE's extension). Needs root (or CAP_BPF, CAP_PERFMON and "
    "CAP_SYS_PTRACE) and a kernel with BTF.\n"
    "\n"
    "EXAMPLES:\n"
    "    rbprof-bpf -d 30 -o host.svg      # the host for 30 s: a flame graph\n"
    "    rbprof-bpf -p 1234 -d 10          # pid 1234: folded stacks on stdout\n"
    "    rbprof-bpf -p 1234,5678 -F 999 -t # 2 pids, 999 Hz, per thread, to Ctrl-C\n"
    "    rbprof-bpf -d 60 -o app.pb.gz     # pprof: go tool pprof, Pyroscope\n"
    "    rbprof-bpf --top                  # the hottest methods, live\n"
    "    rbprof-bpf -p 1234 --wall -t -d 30 # where the wall time goes, by thread\n"
    "    rbprof-bpf --dump -p 1234         # what each thread is doing now\n"
    "    rbprof-bpf --push http://pyroscope:4040 # every 15 s to Pyroscope, for days\n"
    "    rbprof-bpf -o /var/log/rbprof --rotate 60 -f svg # a flame graph a minute\n"
    "\n"
    "Credentials for --push come from the environment or a file, never the command line: "
    "RBPROF_PUSH_TOKEN (a bearer token), RBPROF_PUSH_BASIC_AUTH (user:password), or "
    "--push-auth-file FILE.\n";

static const struct argp_option opts[] = {
    {"duration", 'd', "SECS", 0, "Stop after SECS seconds (default: at Ctrl-C or SIGTERM)", 0},
    {"frequency", 'F', "HZ", 0, "Samples per second per CPU, 1-10000 (default 99)", 0},
    {"clock", OPT_CLOCK, "CLOCK", 0,
     "What triggers a sample: tick (the scheduler tick, no interrupt of its own: HZ / N, the "
     "rate nearest -F, at most HZ) or perf (a cpu-clock perf event at -F exactly); default: "
     "tick when -F is at most HZ, else perf",
     0},
    {"pid", 'p', "PID", 0, "Only this process (repeatable, or PID,PID,...)", 0},
    {"output", 'o', "FILE", 0,
     "Write the profile to FILE (atomically) instead of stdout; without -f, FILE's extension "
     "picks the format: .svg, .json (speedscope), .pb.gz or .pprof (pprof), else folded",
     0},
    {"format", 'f', "FORMAT", 0,
     "folded (default), svg (a flame graph), speedscope (JSON) or pprof (gzipped protobuf)", 0},
    {"top", OPT_TOP, NULL, 0,
     "A live view of the hottest methods, redrawn every second (q quits); the profile goes "
     "only to -o FILE, if given",
     0},
    {"subprocesses", 's', NULL, 0,
     "With -p: also every descendant of those processes, running or started during the run "
     "(forked workers, system(\"ruby ...\"))",
     0},
    {"container", OPT_CONTAINER, "ID", 0,
     "Only the processes of this container (its id, or the first 12 or more hex digits of it)", 0},
    {"threads", 't', NULL, 0, "A frame per thread under each process: \"thread NAME [TID]\"", 0},
    {"wall", OPT_WALL, NULL, 0,
     "Wall-clock time: every thread sampled whether it runs or not; a thread not running ends "
     "in (GVL wait), (off-CPU: SYSCALL) or (runnable)",
     0},
    {"dump", OPT_DUMP, NULL, 0,
     "With -p: print every Ruby thread's backtrace and state once, without stopping the "
     "process, and exit",
     0},
    {"push", OPT_PUSH, "URL", 0,
     "Continuous profiling: upload a pprof per process every --push-interval to a "
     "Pyroscope-compatible server at URL (http or https), for as long as it runs",
     0},
    {"push-interval", OPT_PUSH_INTERVAL, "SECS", 0, "With --push: seconds per upload (default 15)",
     0},
    {"push-auth-file", OPT_PUSH_AUTH_FILE, "FILE", 0,
     "With --push: FILE holds the credentials (\"Bearer TOKEN\" or \"Basic USER:PASSWORD\")", 0},
    {"push-ca-file", OPT_PUSH_CA_FILE, "FILE", 0,
     "With --push https://: trust the CA certificates in FILE (PEM) instead of the system's", 0},
    {"app-name", OPT_APP_NAME, "NAME", 0,
     "With --push: the application's name for every process (default: each process's command)", 0},
    {"rotate", OPT_ROTATE, "SECS", 0,
     "With -o DIR: a complete profile file every SECS seconds in DIR, named by its start time", 0},
    {"verbose", 'v', NULL, 0, "libbpf debug output and discovery details on stderr", 0},
    {"quiet", 'q', NULL, 0, "Errors only on stderr: no summary at the end", 0},
    {"force-version", 'R', "X.Y.Z", 0,
     "Read every Ruby process as this version (for a build whose version string is wrong)", 0},
    {"capture", 'C', "FILE", 0,
     "Developers: stop the one -p process, sample each of its threads once and write a test "
     "fixture to FILE (no BPF)",
     0},
    /* Ours, not argp's: with ARGP_NO_ERRS (one-line errors) argp's own would print nothing. */
    {"help", 'h', NULL, 0, "Show this help", -1},
    {"version", 'V', NULL, 0, "Show the version", -1},
    {"usage", 'U', NULL, OPTION_HIDDEN, "Show a short usage message", -1},
    {},
};

/* A usage error: one line (argp_error would add a second), exit code 2. */
__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	msg("%s (see --help)", line);
	exit(2);
}

/* Parse a whole decimal number in [min, max]; -1 (and errno) if it is not one. */
static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		errno = EINVAL;
		return -1;
	}
	return v;
}

/* --push-interval, --rotate: whole seconds, INTERVAL_MAX at most; else a usage error. */
static int parse_interval(const char *arg, const char *opt)
{
	long v = parse_long(arg, 1, INTERVAL_MAX);

	if (v < 0)
		usage_error("invalid %s (1..%d seconds): %s", opt, INTERVAL_MAX, arg);
	return (int)v;
}

static void add_pids(char *arg)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long pid = parse_long(tok, 1, INT_MAX);

		if (pid < 0)
			usage_error("invalid pid: %s", tok);
		if (env.npids == MAX_PIDS)
			usage_error("at most %d pids", MAX_PIDS);
		env.pids[env.npids++] = (pid_t)pid;
	}
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	long v;

	switch (key) {
	case 'h':
		argp_help(state->root_argp, stdout, ARGP_HELP_STD_HELP, (char *)"rbprof-bpf");
		exit(0);
	case 'U':
		argp_help(state->root_argp, stdout, ARGP_HELP_USAGE, (char *)"rbprof-bpf");
		exit(0);
	case 'V':
		printf("%s\n", argp_program_version);
		exit(0);
	case 'd':
		v = parse_long(arg, 1, MAX_DURATION);
		if (v < 0)
			usage_error("invalid duration (1..%d seconds): %s", MAX_DURATION, arg);
		env.duration = (int)v;
		break;
	case 'F':
		v = parse_long(arg, 1, 10000);
		if (v < 0)
			usage_error("invalid frequency (1..10000 Hz): %s", arg);
		env.freq = (int)v;
		break;
	case 'p':
		add_pids(arg);
		break;
	case 'o':
		env.output = arg;
		break;
	case 'f':
		if (!writer_by_name(arg))
			usage_error("unknown format %s (formats: %s)", arg, writer_names());
		env.format = arg;
		break;
	case 't':
		env.threads = 1;
		break;
	case 's':
		env.subprocesses = 1;
		break;
	case OPT_TOP:
		env.top = 1;
		break;
	case OPT_WALL:
		env.wall = 1;
		break;
	case OPT_CLOCK:
		v = sample_clock_parse(arg);
		if (v < 0)
			usage_error("unknown clock %s (clocks: tick, perf)", arg);
		env.clock = (int)v;
		break;
	case OPT_DUMP:
		env.dump = 1;
		break;
	case OPT_CONTAINER: {
		size_t n = strspn(arg, "0123456789abcdef");

		if (n != strlen(arg) || n < CONTAINER_SHORT_ID || n > CONTAINER_ID_LEN)
			usage_error("--container %s: not a container id (12 to 64 lowercase hex "
				    "digits, as docker ps shows them)",
				    arg);
		env.container = arg;
		break;
	}
	case OPT_PUSH:
		env.push = arg;
		break;
	case OPT_PUSH_INTERVAL:
		env.push_interval = parse_interval(arg, "--push-interval");
		break;
	case OPT_ROTATE:
		env.rotate = parse_interval(arg, "--rotate");
		break;
	case OPT_PUSH_AUTH_FILE:
		env.push_auth_file = arg;
		break;
	case OPT_PUSH_CA_FILE:
		env.push_ca_file = arg;
		break;
	case OPT_APP_NAME:
		if (!arg[0] || strlen(arg) > APP_NAME_MAX)
			usage_error("--app-name: 1 to %d characters", APP_NAME_MAX);
		env.app_name = arg;
		break;
	case 'v':
		env.verbose = 1;
		break;
	case 'q':
		env.quiet = 1;
		break;
	case 'C':
		env.capture = arg;
		break;
	case 'R': {
		int exact;

		if (!ruby_layout_find(arg, &exact))
			usage_error("--force-version %s: not a supported version (supported: %s)",
				    arg, ruby_layout_supported());
		env.force_version = arg;
		break;
	}
	case ARGP_KEY_ARG:
		usage_error("unexpected argument: %s (to run and profile a command: rbprof-bpf "
			    "[OPTIONS] -- COMMAND [ARGS...])",
			    arg);
		break;
	case ARGP_KEY_END:
		if (env.subprocesses && !env.npids)
			usage_error(
			    "-s/--subprocesses follows the descendants of -p processes: give "
			    "-p PID (a command's are followed without it)");
		if (env.launch_argv && env.npids)
			usage_error("-p and -- COMMAND: profile one or the other");
		if (env.dump && (!env.npids || env.launch_argv))
			usage_error("--dump prints the threads of running processes: give -p PID");
		if (env.dump && (env.wall || env.top || env.output || env.format || env.duration))
			usage_error("--dump prints once: no --wall, --top, -o, -f or -d with it");
		if ((env.push_interval || env.push_auth_file || env.push_ca_file || env.app_name) &&
		    !env.push)
			usage_error("--push-interval, --push-auth-file, --push-ca-file and "
				    "--app-name go with "
				    "--push URL");
		if (env.rotate && !env.output)
			usage_error(
			    "--rotate SECS writes a file every SECS seconds into -o DIR: give -o");
		if (env.push && env.output && !env.rotate)
			usage_error(
			    "--push sends each interval's profile: -o FILE would hold only the "
			    "last; for files too, -o DIR --rotate SECS");
		if (env.push && env.rotate && env.push_interval && env.push_interval != env.rotate)
			usage_error("--push-interval %d and --rotate %d: one interval for both",
				    env.push_interval, env.rotate);
		if ((env.push || env.rotate) && (env.top || env.dump || env.capture))
			usage_error("--push and --rotate profile for as long as it runs: no --top, "
				    "--dump or --capture with them");
		break;
	case ARGP_KEY_ERROR:
		/* getopt rejected argv[next - 1]; ARGP_NO_ERRS kept argp from printing 2 lines */
		usage_error("unknown option or missing value: %s",
			    state->next > 0 && state->next <= state->argc
				? state->argv[state->next - 1]
				: "?");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!env.verbose)
		return 0; /* errors are reported by us, in one line; debug output only with -v */
	return vfprintf(stderr, fmt, args);
}

static volatile sig_atomic_t stop;
/* -- COMMAND: its pid, and the signals that asked us to stop so far */
static volatile pid_t launched_pid;
static volatile sig_atomic_t stop_requests;

/*
 * SIGINT, SIGTERM. Profiling a command, the first one is the command's: one sent to us alone
 * (kill, si_code <= 0) is passed on, one from the terminal (Ctrl-C) reached it already; the
 * profile is written once it has exited. A second one stops profiling at once.
 */
static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	if (!launched_pid || ++stop_requests > 1) {
		stop = 1;
		return;
	}
	if (info->si_code <= 0)
		kill(launched_pid, sig);
}

/*
 * Where the profile of a command goes without -o: "rbprof-NAME-PID.EXT" in the current
 * directory, NAME the command's base name (letters, digits, '.', '-', '_'), EXT the format's
 * (svg unless -f says otherwise).
 */
static const char *default_output(const char *command, pid_t pid)
{
	static char path[128];
	const char *base = strrchr(command, '/') ? strrchr(command, '/') + 1 : command;
	const char *ext = writer_extension(writer_by_name(env.format ? env.format : "svg"));
	char name[32];
	size_t i;

	for (i = 0; base[i] && i + 1 < sizeof(name); i++)
		name[i] = isalnum((unsigned char)base[i]) || strchr(".-_", base[i]) ? base[i] : '_';
	name[i] = 0;
	snprintf(path, sizeof(path), "rbprof-%s-%d.%s", name, (int)pid, ext);
	return path;
}

/* profiler_opts.done: the command has exited. */
static int command_done(void *ctx)
{
	return launch_poll(ctx);
}

/* --capture FILE -p PID: write a fixture of the process for the unit tests. */
static int capture(void)
{
	int err;

	if (env.npids != 1) {
		msg("--capture needs exactly one -p PID (see --help)");
		return 2;
	}
	err = fixture_capture(env.pids[0], env.capture);
	if (err) {
		msg("capturing pid %d: %s", env.pids[0],
		    err == -ENOTSUP ? "not a supported Ruby process" : strerror(-err));
		return 1;
	}
	msg("wrote %s", env.capture);
	return 0;
}

/* --dump -p PID...: every Ruby thread's backtrace, once. An exit code. */
static int dump(void)
{
	struct profiler_opts popts = {.freq = env.freq,
				      .clock = env.clock,
				      .pids = env.pids,
				      .npids = env.npids,
				      .verbose = env.verbose,
				      .quiet = env.quiet,
				      .force_version = env.force_version,
				      .writer = writer_by_name("folded"),
				      .dump = 1};
	struct profiler prof;
	int err = profiler_start(&prof, &popts);

	if (!err && (err = profiler_dump(&prof, stdout))) {
		msg("--dump: %s", strerror(-err));
		err = 1;
	}
	profiler_close(&prof);
	return err;
}

/* Profile as the options say and write the profile. An exit code. */
static int profile(void)
{
	struct profiler_opts popts = {.duration = env.duration,
				      .freq = env.freq,
				      .clock = env.clock,
				      .pids = env.npids ? env.pids : NULL,
				      .npids = env.npids,
				      .verbose = env.verbose,
				      .quiet = env.quiet,
				      .threads = env.threads,
				      .force_version = env.force_version,
				      .writer = env.format ? writer_by_name(env.format)
							   : writer_for_path(env.output),
				      .command = env.command,
				      .top = env.top,
				      .subprocesses = env.subprocesses,
				      .container = env.container,
				      .wall = env.wall,
				      .interval = env.rotate	      ? env.rotate
						  : env.push_interval ? env.push_interval
						  : env.push	      ? PUSH_INTERVAL_DEFAULT
								      : 0,
				      .rotate_dir = env.rotate ? env.output : NULL,
				      .app_name = env.app_name};
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
	struct profiler prof;
	struct launch cmd = {0};
	struct outfile out = {0};
	struct push *push = NULL;
	struct push_stats pst;
	char why[512];
	int write_profile, err;

	if (env.rotate && (err = rotate_dir_ready(env.output))) {
		msg("--rotate: cannot write into %s: %s", env.output,
		    err == -ELOOP ? "a symbolic link another user made (not followed as root)"
				  : strerror(-err));
		return err == -ENOTDIR ? 2 : 1;
	}
	if (env.push && (err = push_open(&push, env.push, env.push_auth_file, env.push_ca_file, why,
					 sizeof(why)))) {
		msg("%s", why);
		return err == -EINVAL ? 2 : 1;
	}
	popts.push = push;

	if (env.launch_argv) {
		if ((err = launch_start(&cmd, env.launch_argv))) {
			msg("cannot start %s: %s", env.launch_argv[0], strerror(-err));
			push_close(push, 0, NULL);
			return 1;
		}
		popts.launched = launched_pid = cmd.pid;
		popts.done = command_done;
		popts.done_ctx = &cmd;
		/* the command writes to stdout too: the profile goes to a file of its own */
		if (!env.output && !env.top && !env.push) {
			env.output = default_output(env.launch_argv[0], cmd.pid);
			popts.writer =
			    env.format ? writer_by_name(env.format) : writer_for_path(env.output);
		}
	}
	/* --top draws on stdout: the profile goes only to -o FILE; --rotate, --push: intervals */
	write_profile = (!env.top || env.output) && !popts.interval;
	err = write_profile ? outfile_open(&out, env.output) : 0;
	if (err) {
		msg("cannot write %s: %s", env.output, strerror(-err));
		if (env.launch_argv)
			launch_wait(&cmd);
		push_close(push, 0, NULL);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = profiler_start(&prof, &popts);
	if (!err && env.launch_argv && (err = launch_go(&cmd))) {
		/* as a shell says it: 127 not found, 126 found but not executable */
		msg("%s: %s", env.launch_argv[0],
		    err == -ENOENT ? "command not found" : strerror(-err));
		err = err == -ENOENT ? 127 : 126;
	}
	if (!err)
		err = profiler_run(&prof, &stop);
	if (err) {
		if (write_profile)
			outfile_abandon(&out);
	} else if (!write_profile) {
		/* the last interval is queued: it has PUSH_FLUSH_MS to go, before the summary */
		push_close(push, PUSH_FLUSH_MS, &pst);
		if ((err = profiler_write(&prof, NULL))) {
			msg("writing the summary: %s", strerror(-err));
			err = 1;
		}
		if (push && !env.quiet)
			msg("--push: %llu profiles sent, %llu attempts retried, %llu dropped, %llu "
			    "refused by the server",
			    (unsigned long long)pst.sent, (unsigned long long)pst.retried,
			    (unsigned long long)pst.dropped, (unsigned long long)pst.rejected);
		push = NULL;
	} else if ((err = outfile_commit(&out, profiler_write(&prof, out.f)))) {
		msg("writing the profile: %s", strerror(-err));
		err = 1;
	}
	push_close(push, 0, NULL); /* profiling failed: nothing more is sent */
	profiler_close(&prof);
	if (env.launch_argv) {
		/* let go and still running: -d ended, or a second signal stopped us */
		if (!launch_poll(&cmd) && cmd.go_fd < 0) {
			if (!stop_requests && !err)
				msg("-d %d s ended: pid %d (%s) left running", env.duration,
				    cmd.pid, env.launch_argv[0]);
			return err;
		}
		launch_wait(&cmd);
		if (!err && !env.quiet)
			msg("wrote %s", env.output ? env.output : "the profile");
		/* the command's status, unless profiling failed */
		return err ? err : launch_exit_code(&cmd);
	}
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
	    .options = opts, .parser = parse_arg, .doc = argp_program_doc};
	const char *missing;
	size_t len = 0;
	int i;

	for (i = 0; i < argc && len + 1 < sizeof(env.command); i++)
		len += (size_t)snprintf(env.command + len, sizeof(env.command) - len, "%s%s",
					i ? " " : "", argv[i]);
	argp_err_exit_status = 2;
	/* "--": what follows is the command to run, none of our options */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			if (i + 1 == argc)
				usage_error("-- without a command after it");
			env.launch_argv = argv + i + 1;
			argc = i;
			break;
		}
	if (argp_parse(&argp, argc, argv, ARGP_NO_ERRS | ARGP_NO_HELP, NULL, NULL))
		return 2;
	libbpf_set_print(libbpf_print);
	/* --capture loads no BPF, but it stops and reads another process: root all the same */
	missing = sampling_missing_prerequisite();
	if (missing) {
		msg("%s", missing);
		return 1;
	}
	return env.capture ? capture() : env.dump ? dump() : profile();
}
