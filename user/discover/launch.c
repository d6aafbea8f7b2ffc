// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* launch.c - the command rbprof-bpf runs and profiles. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/sudo_user.h"
#include "discover/launch.h"

/* In the child: become the user who ran sudo, if that is how we run. 0 or -errno. */
static int drop_to_sudo_user(void)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (!sudo_user(&uid, &gid))
		return 0;
	pw = getpwuid(uid);
	if (pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL))
		return -errno;
	if (setgid(gid) || setuid(uid))
		return -errno;
	if (pw) {
		setenv("HOME", pw->pw_dir, 1);
		setenv("USER", pw->pw_name, 1);
		setenv("LOGNAME", pw->pw_name, 1);
	}
	return 0;
}

/* The child's side: wait to be let go, become the user, exec; on failure tell why. */
static void __attribute__((noreturn)) child(int go_fd, int err_fd, char **argv)
{
	char c;
	int err;

	/* rbprof-bpf's signal handlers are not the command's */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (read(go_fd, &c, 1) != 1) /* the profiler gave up before sampling */
		_exit(127);
	err = drop_to_sudo_user();
	if (!err) {
		execvp(argv[0], argv);
		err = -errno;
	}
	(void)!write(err_fd, &err, sizeof(err));
	_exit(err == -ENOENT ? 127 : 126);
}

int launch_start(struct launch *l, char **argv)
{
	int go[2], errp[2];

	memset(l, 0, sizeof(*l));
	l->go_fd = l->err_fd = -1;
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(errp, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	/* orphans among its descendants come to us, and stay in the tree we profile */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	l->pid = fork();
	if (l->pid < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		close(errp[0]);
		close(errp[1]);
		return err;
	}
	if (l->pid == 0) {
		close(go[1]);
		close(errp[0]);
		child(go[0], errp[1], argv);
	}
	close(go[0]);
	close(errp[1]);
	l->go_fd = go[1];
	l->err_fd = errp[0];
	return 0;
}

int launch_go(struct launch *l)
{
	ssize_t n;
	int err = 0;

	if (write(l->go_fd, "g", 1) != 1)
		err = -errno;
	close(l->go_fd);
	l->go_fd = -1;
	/* EOF: the exec closed its copy (O_CLOEXEC); an int: why it failed */
	while ((n = read(l->err_fd, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (n != sizeof(err))
		err = 0;
	close(l->err_fd);
	l->err_fd = -1;
	return err;
}

int launch_poll(struct launch *l)
{
	if (!l->exited && waitpid(l->pid, &l->status, WNOHANG) == l->pid)
		l->exited = 1;
	return l->exited;
}

void launch_signal(struct launch *l, int sig)
{
	if (!l->exited)
		kill(l->pid, sig);
}

int launch_exit_code(const struct launch *l)
{
	if (WIFSIGNALED(l->status))
		return 128 + WTERMSIG(l->status);
	return WIFEXITED(l->status) ? WEXITSTATUS(l->status) : 1;
}

void launch_wait(struct launch *l)
{
	if (l->go_fd >= 0) { /* never let go: it exits at EOF */
		close(l->go_fd);
		l->go_fd = -1;
	}
	while (!l->exited && waitpid(l->pid, &l->status, 0) < 0 && errno == EINTR)
		;
	l->exited = 1;
}
