// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* child.c - test programs run as child processes whose stdout the test reads. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "child.h"

pid_t child_spawn(const char *prog, const char *arg, FILE **out)
{
	int fds[2];
	pid_t pid;

	*out = NULL;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	*out = fdopen(fds[0], "r");
	return pid;
}

void child_stop(pid_t pid, FILE *out)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (out)
		fclose(out);
}
