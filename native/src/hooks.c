/*
 * OCI hooks that run inside the container (createContainer, startContainer): fork, give the hook the
 * container state on stdin, execve it with exactly its own argv and env, and wait with its timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "helper.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* How much of a failing hook's stderr the error keeps (the Node side keeps the same). */
#define STDERR_TAIL 2048

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn)) hook_child(const struct hook *h, int in, int err)
{
	/* The hook starts like a fresh process: our blocked signals and ignored SIGPIPE are not its business. */
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &g_oldmask, NULL);
	/* Its own group, so a timeout also kills what it started (a shell's `sleep`), as on the Node side. */
	setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(err, 2) < 0)
		_exit(126);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0)
		dup2(null, 1);
	char *argv[MAX_HOOK_ARGS + 1], *env[MAX_HOOK_ENV + 1];
	memcpy(argv, h->argv, sizeof(char *) * (size_t)h->n_argv);
	argv[h->n_argv] = NULL;
	if (h->n_argv == 0)
		argv[0] = h->path, argv[1] = NULL;
	memcpy(env, h->env, sizeof(char *) * (size_t)h->n_env);
	env[h->n_env] = NULL;
	execve(h->path, argv, env);
	dprintf(2, "execve: %s", strerror(errno));
	_exit(127);
}

/* Runs one hook; 0 on exit status 0, else fail("hook", …) with a sentence naming kind, index and path. */
static int run_one(const struct hook *h, int index, const char *state)
{
	int in[2], err[2];
	char what[4096 + 64];
	snprintf(what, sizeof what, "%s hook #%d (%s)", h->kind, index, h->path);
	/* A socket, not a pipe, for stdin: MSG_NOSIGNAL spares us SIGPIPE from a hook that never reads it. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return fail("hook", errno, what);
	pid_t pid = fork();
	if (pid < 0)
		return fail("hook", errno, what);
	if (pid == 0)
		hook_child(h, in[1], err[1]);
	close(in[1]);
	close(err[1]);
	/* The state is small (it arrived in one sync line): one blocking send fits the socket buffer. */
	/* A hook that exits without reading it is no failure by itself: its exit status decides. */
	send(in[0], state, strlen(state), MSG_NOSIGNAL);
	close(in[0]);
	/* A pidfd tells us when the hook exits even if something it forked keeps its stderr open. */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long long deadline = h->timeout ? now_ms() + (long long)h->timeout * 1000 : -1;
	char tail[STDERR_TAIL + 1];
	size_t tlen = 0;
	int timed_out = 0, exited = 0;
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	for (int eof = 0; !exited;) {
		struct pollfd pf[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = eof ? -1 : err[0], .events = POLLIN } };
		int wait = deadline < 0 ? -1 : (int)(deadline - now_ms() > 0 ? deadline - now_ms() : 0);
		int r = poll(pf, 2, wait);
		if (r < 0 && errno != EINTR)
			break;
		if (r == 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		char buf[512];
		ssize_t n;
		while ((n = read(err[0], buf, sizeof buf)) > 0) {
			/* Keep the end: that is where the reason usually is (buf is smaller than the tail). */
			size_t keep = tlen + (size_t)n > STDERR_TAIL ? STDERR_TAIL - (size_t)n : tlen;
			memmove(tail, tail + tlen - keep, keep);
			memcpy(tail + keep, buf, (size_t)n);
			tlen = keep + (size_t)n;
		}
		eof |= n == 0;
		/* Without a pidfd (kernel < 5.3) the end of its stderr has to stand for its exit. */
		exited = pidfd < 0 ? eof : (pf[0].revents & POLLIN) != 0;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(err[0]);
	if (pidfd >= 0)
		close(pidfd);
	tail[tlen] = 0;
	while (tlen && (tail[tlen - 1] == '\n' || tail[tlen - 1] == ' '))
		tail[--tlen] = 0;
	char how[64];
	if (timed_out)
		snprintf(how, sizeof how, "timed out after %us and was killed", h->timeout);
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "was killed by %s", sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "a signal");
	else if (WEXITSTATUS(status))
		snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
	else
		return 0;
	char detail[sizeof what + sizeof how + sizeof tail + 16]; /* fail() truncates to g_err.detail */
	snprintf(detail, sizeof detail, "%s %s%s%s", what, how, tlen ? "; stderr: " : "", tail);
	return fail("hook", 0, detail);
}

int hooks_run(const struct plan *p, const char *kind, const char *state)
{
	int index = 0, rc = 0;
	/* Writing the state must not kill us with SIGPIPE; restored so the container program gets the default. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	for (int i = 0; i < p->n_hooks && rc == 0; i++)
		if (!strcmp(p->hooks[i].kind, kind))
			rc = run_one(&p->hooks[i], index++, state ? state : "{}");
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}
