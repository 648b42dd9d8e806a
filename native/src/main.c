/*
 * berth-helper launch|exec --sync-fd N: reads a launch plan from fd N and performs it
 * (docs/launch-plan.md). The helper parent owns the sync fd; the child reports to it over a private
 * seqpacket channel (`go` down; `pty`+fd, `ready`, `error …` up), and the parent relays to Node.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "helper.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

sigset_t g_oldmask;
static struct plan plan;
static int sync_fd = -1;

static void __attribute__((noreturn)) exit_aborted(pid_t child)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	exit(1);
}

/* Set once the `cgroups` (or `abort`) line of `cgroup-wait` has been read. */
static int cgroups_read;

static void __attribute__((noreturn)) die(pid_t child)
{
	sync_report_error(sync_fd);
	/* Node sends the cgroups line whatever happens here: closing the socket with it unread, or before it
	 * arrives (EPIPE for Node's write), would make Node drop the error line above. Read it first (bounded). */
	if (plan.cgroup_wait && !cgroups_read) {
		struct pollfd pf = { .fd = sync_fd, .events = POLLIN };
		char line[65536];
		cgroups_read = 1;
		if (poll(&pf, 1, 2000) > 0)
			(void)sync_readline(sync_fd, line, sizeof line);
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	exit(1);
}

static void __attribute__((noreturn)) child_main(struct proc_fds *f)
{
	static char buf[65536];
	char exe[4096];
	/* Blocks until the parent wrote our id maps, placed us in cgroups and Node said `continue`.
	 * `go <state JSON>` when Node sent the container state (the in-container hooks read it). */
	if (chan_recv(f->chan, buf, sizeof buf, NULL) <= 0 || strncmp(buf, "go", 2) || (buf[2] && buf[2] != ' '))
		_exit(1);
	if (buf[2])
		plan.state = buf + 3;
	/* With a seccomp agent the parent follows `go` with the containerProcessState for it. */
	static char sstate[65536];
	if (plan.seccomp.listener) {
		if (chan_recv(f->chan, sstate, sizeof sstate, NULL) <= 0 || strncmp(sstate, "seccomp-state ", 14))
			_exit(1);
		plan.seccomp_state = sstate + 14;
	}
	if (!plan.exec_mode && ns_child_setup(&plan) < 0)
		goto err;
	if (!plan.exec_mode && plan.rootfs && rootfs_setup(&plan) < 0)
		goto err;
	if (process_prepare(&plan, f, exe, sizeof exe) < 0)
		goto err;
	if (chan_send(f->chan, "ready", -1) < 0)
		_exit(1);
	process_exec(&plan, f, exe);
err:;
	char line[16384], detail[12288];
	pct_encode(g_err.detail, detail, sizeof detail);
	snprintf(line, sizeof line, "error %s %d %s", g_err.step, g_err.errnum, detail);
	chan_send(f->chan, line, -1);
	_exit(1);
}

/*
 * `cgroup-wait`: Node makes the cgroups while we start (and clone), then sends `cgroups <procs file>...`
 * (or `abort`). Returns with the files in the plan; on abort or a bad line, kills `child` and exits.
 */
static void wait_cgroups(pid_t child)
{
	static char line[65536];
	cgroups_read = 1;
	if (sync_readline(sync_fd, line, sizeof line) < 0)
		die(child);
	char *save = NULL, *t = strtok_r(line, " ", &save);
	if (!t || strcmp(t, "cgroups")) {
		if (!t || strcmp(t, "abort")) {
			fail("plan", EINVAL, "expected a cgroups line");
			die(child);
		}
		exit_aborted(child); /* Node knows why */
	}
	plan.n_cgroup_procs = 0;
	while ((t = strtok_r(NULL, " ", &save))) {
		if (plan.n_cgroup_procs == MAX_ITEMS / 8 || pct_decode(t) < 0) {
			fail("cgroup", E2BIG, t);
			die(child);
		}
		plan.cgroup_procs[plan.n_cgroup_procs++] = t;
	}
}

static void open_cgroups(int *cg, pid_t child)
{
	for (int i = 0; i < plan.n_cgroup_procs; i++)
		if ((cg[i] = open(plan.cgroup_procs[i], O_WRONLY | O_CLOEXEC)) < 0) {
			fail("cgroup", errno, plan.cgroup_procs[i]);
			die(child);
		}
}

static void write_cgroups(int *fds, pid_t pid)
{
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%d", pid);
	for (int i = 0; i < plan.n_cgroup_procs; i++) {
		if (write(fds[i], buf, (size_t)n) != n) {
			fail("cgroup", errno, plan.cgroup_procs[i]);
			die(pid);
		}
		close(fds[i]);
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "launcher"))
		return launcher_main(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "seccomp-export")) {
		/* The seccomp lines of a plan on stdin (ending with `end`), the compiled filter on stdout. */
		if (plan_read(0, &plan) < 0 || seccomp_export(&plan, 1) < 0) {
			fprintf(stderr, "seccomp-export: %s: %s (%s)\n", g_err.step ? g_err.step : "plan", strerror(g_err.errnum), g_err.detail);
			return 1;
		}
		return 0;
	}
	if ((argc != 4 && (argc != 6 || strcmp(argv[4], "--plan-fd"))) || strcmp(argv[2], "--sync-fd") ||
	    (strcmp(argv[1], "launch") && strcmp(argv[1], "exec"))) {
		fprintf(stderr, "usage: berth-helper launch|exec --sync-fd N [--plan-fd M]\n");
		return 2;
	}
	sync_fd = atoi(argv[3]);
	plan.exec_mode = !strcmp(argv[1], "exec");
	/* --plan-fd: the plan came ahead of us in a pipe (from the launcher), the sync fd carries the rest. */
	int plan_fd = argc == 6 ? atoi(argv[5]) : sync_fd;
	if (plan_read(plan_fd, &plan) < 0)
		die(0);
	if (plan_fd != sync_fd)
		close(plan_fd);

	/* Everything named by a host path is opened before joining namespaces changes what paths mean. */
	struct proc_fds f = { .console = -1, .listener = -1, .fifo = -1, .chan = -1, .sync_fd = sync_fd };
	int cg[MAX_ITEMS / 8], ns[8], chan[2];
	if (plan.console_socket && (f.console = console_connect(plan.console_socket)) < 0)
		die(0);
	/* Connected now: after pivot_root (and setns) the agent's host path is out of reach. */
	if (plan.seccomp.listener && (f.listener = unix_connect(plan.seccomp.listener, "seccomp-listener")) < 0)
		die(0);
	/* The fifo lives in the runtime's state dir; making it here spares Node (which has no mkfifo) a process. */
	/* 0622 despite the umask: a user-namespaced init (an unmapped host uid) must open it for writing. */
	if (plan.exec_fifo && ((mkfifo(plan.exec_fifo, 0622) < 0 && errno != EEXIST) || chmod(plan.exec_fifo, 0622) < 0)) {
		fail("exec-fifo", errno, plan.exec_fifo);
		die(0);
	}
	if (plan.exec_fifo && (f.fifo = open(plan.exec_fifo, O_PATH | O_CLOEXEC)) < 0) {
		fail("exec-fifo", errno, plan.exec_fifo);
		die(0);
	}
	/* With `cgroup-wait` the files are opened once Node has made them: after clone, so the namespaces are
	 * created meanwhile, unless a joined mount, user or cgroup namespace would change what their paths mean. */
	int late_cgroups = plan.cgroup_wait && !plan.exec_mode && !ns_joins_any(&plan, CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWCGROUP);
	if (plan.cgroup_wait && !late_cgroups)
		wait_cgroups(0);
	if (!late_cgroups)
		open_cgroups(cg, 0);
	if (ns_open_joins(&plan, ns) < 0)
		die(0);
	if (!plan.exec_mode && (plan.ns_new & CLONE_NEWTIME) && ns_new_time(&plan) < 0)
		die(0);
	if (ns_join(&plan, ns) < 0)
		die(0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
		fail("socketpair", errno, "");
		die(0);
	}

	/* Blocked before clone so no forwarded signal or SIGCHLD is lost before the signalfd exists. */
	sigset_t set;
	sigemptyset(&set);
	if (plan.wait) {
		int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD };
		for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++)
			sigaddset(&set, fwd[i]);
	}
	sigprocmask(SIG_BLOCK, &set, &g_oldmask);

	/* Raw clone, not fork: the new namespaces must apply to the child itself. Time and cgroup are not
	 * clone flags here: time was unshared above, cgroup is unshared by the child after placement. */
	unsigned long flags = plan.exec_mode ? 0 : (unsigned long)(plan.ns_new & ~(CLONE_NEWTIME | CLONE_NEWCGROUP));
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		fail("clone", errno, "");
		die(0);
	}
	if (pid == 0) {
		close(chan[0]);
		close(sync_fd);
		f.chan = chan[1];
		child_main(&f);
	}
	close(chan[1]);
	if (f.console >= 0)
		close(f.console);
	if (f.listener >= 0)
		close(f.listener);
	if ((flags & CLONE_NEWUSER) && ns_write_idmaps(&plan, pid) < 0)
		die(pid);
	if (late_cgroups) {
		wait_cgroups(pid);
		open_cgroups(cg, pid);
	}
	write_cgroups(cg, pid);
	static char line[65536], go[65536] = "go", sstate[65536] = "";
	if (sync_send(sync_fd, "created %d", pid) < 0)
		goto abort;
	/* `no-hold`: Node has nothing to do between `created` and `continue` (no hooks, no seccomp agent), so the
	 * child sets up its rootfs while Node records the state, instead of after a round trip. */
	if (plan.no_hold)
		goto go_on;
	if (sync_readline(sync_fd, line, sizeof line) < 0)
		goto abort;
	/* Optional `state <JSON>` before `continue`: only Node knows the state, and only after `created`. */
	if (!strncmp(line, "state ", 6)) {
		if (pct_decode(line + 6) < 0)
			goto abort;
		snprintf(go, sizeof go, "go %s", line + 6);
		if (sync_readline(sync_fd, line, sizeof line) < 0)
			goto abort;
	}
	/* Optional `seccomp-state <JSON>`: the containerProcessState for the seccomp agent, needs the pid too. */
	if (!strncmp(line, "seccomp-state ", 14)) {
		if (pct_decode(line + 14) < 0)
			goto abort;
		snprintf(sstate, sizeof sstate, "seccomp-state %s", line + 14);
		if (sync_readline(sync_fd, line, sizeof line) < 0)
			goto abort;
	}
	if (plan.seccomp.listener && !sstate[0] && !strcmp(line, "continue")) {
		fail("seccomp-listener", EINVAL, "no seccomp-state line before continue");
		goto abort;
	}
	if (strcmp(line, "continue")) {
abort:
		/* `abort`, or Node went away: nobody wants this container any more. A bad `state` line says why. */
		if (g_err.step)
			sync_report_error(sync_fd);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		exit(1);
	}
go_on:
	chan_send(chan[0], go, -1);
	if (sstate[0])
		chan_send(chan[0], sstate, -1);

	int master = -1;
	for (;;) {
		int fd = -1;
		ssize_t n = chan_recv(chan[0], line, sizeof line, &fd);
		if (n > 0 && !strcmp(line, "pty")) {
			master = fd;
			continue;
		}
		if (n > 0 && !strcmp(line, "ready"))
			break;
		if (n > 0 && !strncmp(line, "error ", 6)) {
			sync_send(sync_fd, "%s", line);
			waitpid(pid, NULL, 0);
			exit(1);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		char why[64];
		snprintf(why, sizeof why, WIFSIGNALED(status) ? "killed by signal %d" : "exited with status %d",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		fail("init", 0, why);
		die(0);
	}
	sync_send(sync_fd, "ready %d", pid);
	if (!plan.wait)
		return 0;
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0) {
		kill(pid, SIGKILL);
		exit(1);
	}
	wait_child(&plan, pid, sigfd, master);
}
