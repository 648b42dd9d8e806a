/*
 * berth-helper launcher <socket name>: a resident process that starts helpers (or the engine's monitor wrapping
 * one) for a long-lived Node process. Forking Node itself costs 1.3-3.5 ms of page-table copying on its event
 * loop per container (50-150 MB of heap); forking this small static process costs ~0.1 ms.
 *
 * Requests on fd 3 (a stream socket from Node), arguments percent-encoded (docs/launch-plan.md):
 *   spawn <token> <stdio> <plan bytes> <argc> <arg>...\n<plan>
 *     stdio: three letters, `i` (our own fd: Node's, inherited) or `n` (/dev/null)
 * For each, the launcher connects to the abstract unix socket `@<socket name>` (Node's), writes `<token>\n` on
 * the connection so Node can tell which launch it is, and runs argv with a pipe holding the plan as fd 3 (the
 * helper's `--plan-fd 3`), that connection as fd 4 (`--sync-fd 4`) and no other fd above 2: the helper has its
 * plan at once, without waiting for Node's event loop to accept the connection. Replies on fd 3:
 *   pid <token> <pid>          the program is running (execve succeeded)
 *   fail <token> <errno> <step>   connect, fork or execve failed; nothing was started
 *   exit <pid> <code> <signal>    a started process ended (code -1 when killed by a signal, signal 0 otherwise)
 * At EOF on fd 3 the launcher exits; what it started keeps running.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "helper.h"

#define CTL_FD 3
#define MAX_ARGS 512

static struct sockaddr_un addr;
static socklen_t addr_len;

/* A reply line to Node (sync.c's line writer); Node gone means nobody is left to serve. */
#define reply(...)                                         \
	do {                                               \
		if (sync_send(CTL_FD, __VA_ARGS__) < 0)    \
			_exit(0);                          \
	} while (0)

/* A connection to Node's socket. Node 20's libuv binds an abstract name padded with NULs to the whole
 * sun_path; the exact length is tried second, for a libuv that binds that. */
static int connect_node(void)
{
	socklen_t lens[2] = { sizeof addr, addr_len };
	for (int i = 0; i < 2; i++) {
		int conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (conn < 0)
			return -1;
		if (connect(conn, (struct sockaddr *)&addr, lens[i]) == 0)
			return conn;
		int e = errno;
		close(conn);
		errno = e;
		if (e != ECONNREFUSED)
			return -1;
	}
	return -1;
}

/* The child between fork and execve: stdio, the plan at fd 3, the sync connection at fd 4, nothing else. */
static void __attribute__((noreturn)) exec_child(char **argv, const char *stdio, int plan, int conn, int errpipe)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		if (stdio[fd] == 'n' && (null < 0 || dup2(null, fd) < 0))
			goto fail;
	/* Moved above 4 first, so neither dup2 below can land on the other's source. */
	plan = fcntl(plan, F_DUPFD_CLOEXEC, 10);
	conn = fcntl(conn, F_DUPFD_CLOEXEC, 10);
	if (plan < 0 || conn < 0 || dup2(plan, 3) < 0 || dup2(conn, 4) < 0)
		goto fail;
	/* Everything of ours above 4 (including the error pipe) closes at execve. */
	if (syscall(SYS_close_range, 5, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 5; fd < 1024; fd++)
			if (fd != errpipe)
				close(fd);
	/* Ignored signals survive execve: the container must not inherit our SIG_IGN for SIGPIPE. */
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
fail:;
	int e = errno;
	(void)!write(errpipe, &e, sizeof e);
	_exit(127);
}

static void spawn_one(char *token, const char *stdio, const char *plan, size_t plan_len, int argc, char **argv)
{
	if (strlen(stdio) != 3 || strspn(stdio, "in") != 3 || argc < 1) {
		reply("fail %s %d request", token, EINVAL);
		return;
	}
	int conn = connect_node();
	if (conn < 0) {
		reply("fail %s %d connect", token, errno);
		return;
	}
	char hello[128];
	int n = snprintf(hello, sizeof hello, "%s\n", token);
	int ep[2] = { -1, -1 }, pp[2] = { -1, -1 };
	if (n >= (int)sizeof hello || send(conn, hello, (size_t)n, MSG_NOSIGNAL) != n) {
		reply("fail %s %d hello", token, errno ? errno : EINVAL);
		close(conn);
		return;
	}
	if (pipe2(ep, O_CLOEXEC) < 0 || pipe2(pp, O_CLOEXEC) < 0) {
		reply("fail %s %d pipe", token, errno);
		close(conn);
		for (int i = 0; i < 2; i++)
			if (ep[i] >= 0)
				close(ep[i]);
		return;
	}
	pid_t pid = fork();
	if (pid == 0)
		exec_child(argv, stdio, pp[0], conn, ep[1]);
	int e = errno;
	close(ep[1]);
	close(conn);
	close(pp[0]);
	if (pid < 0) {
		close(ep[0]);
		close(pp[1]);
		reply("fail %s %d fork", token, e);
		return;
	}
	/* Written after the fork: the child reads while we write, so a plan larger than a pipe cannot block us
	 * for good (EPIPE, ignored, if it died first). */
	for (size_t off = 0; off < plan_len;) {
		ssize_t w = write(pp[1], plan + off, plan_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(pp[1]);
	/* EOF: execve succeeded (the pipe closed with it); an errno: it failed and the child exits 127. */
	ssize_t r;
	do
		r = read(ep[0], &e, sizeof e);
	while (r < 0 && errno == EINTR);
	close(ep[0]);
	if (r == sizeof e) {
		waitpid(pid, NULL, 0);
		reply("fail %s %d execve", token, e);
		return;
	}
	reply("pid %s %d", token, pid);
}

/* One request: its header line (NUL-terminated) and the plan bytes that followed it. */
static void handle(char *line, const char *plan, size_t plan_len)
{
	char *args[MAX_ARGS + 5];
	int n = 0;
	for (char *tok = strtok(line, " "); tok && n < MAX_ARGS + 5; tok = strtok(NULL, " "))
		args[n++] = tok;
	int argc = n >= 5 ? atoi(args[4]) : 0;
	if (n < 5 || strcmp(args[0], "spawn") || argc < 1 || argc > MAX_ARGS || n != 5 + argc) {
		reply("fail %s %d request", n > 1 ? args[1] : "-", EINVAL);
		return;
	}
	char *argv[MAX_ARGS + 1];
	for (int i = 0; i < argc; i++) {
		if (pct_decode(args[5 + i]) < 0) {
			reply("fail %s %d request", args[1], EINVAL);
			return;
		}
		argv[i] = args[5 + i];
	}
	argv[argc] = NULL;
	spawn_one(args[1], args[2], plan, plan_len, argc, argv);
}

/* The plan length a request's header line announces (its fourth word), or -1. */
static long plan_length(const char *line, size_t len)
{
	int words = 0;
	for (size_t i = 0; i < len; i++)
		if (line[i] == ' ' && ++words == 3)
			return strtol(line + i + 1, NULL, 10);
	return -1;
}

static void reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFSIGNALED(status))
			reply("exit %d -1 %d", pid, WTERMSIG(status));
		else
			reply("exit %d %d 0", pid, WEXITSTATUS(status));
	}
}

int launcher_main(int argc, char **argv)
{
	if (argc != 3 || !argv[2][0] || strlen(argv[2]) >= sizeof addr.sun_path - 1) {
		fprintf(stderr, "usage: berth-helper launcher <socket name>\n");
		return 2;
	}
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path + 1, argv[2], strlen(argv[2])); /* abstract: sun_path[0] stays 0 */
	addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(argv[2]));
	signal(SIGPIPE, SIG_IGN);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return 1;
	static char buf[1 << 20];
	size_t len = 0;
	for (;;) {
		struct pollfd p[2] = { { .fd = CTL_FD, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) > 0)
				;
			reap();
		}
		if (!p[0].revents)
			continue;
		ssize_t r = read(CTL_FD, buf + len, sizeof buf - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		len += (size_t)r;
		char *start = buf, *nl;
		while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
			long plan_len = plan_length(start, (size_t)(nl - start));
			if (plan_len < 0 || plan_len > (long)sizeof buf / 2)
				return 1; /* not our protocol */
			if ((size_t)(nl + 1 - buf) + (size_t)plan_len > len)
				break; /* the plan is still on its way */
			*nl = 0;
			handle(start, nl + 1, (size_t)plan_len);
			start = nl + 1 + plan_len;
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == sizeof buf - 1)
			return 1; /* a line longer than any request */
		reap(); /* children that ended while we were busy */
	}
}
