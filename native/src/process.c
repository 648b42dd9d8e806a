/* The process's settings, shared by launch and exec: terminal, rlimits, credentials, caps, cwd, exec. */
#include <sys/personality.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "helper.h"

static int write_oom(int adj)
{
	char buf[16];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int n = snprintf(buf, sizeof buf, "%d", adj);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail("oom-score-adj", e, "/proc/self/oom_score_adj");
	}
	close(fd);
	return 0;
}

static int last_cap(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof buf - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return buf[0] ? atoi(buf) : 40;
}

static int drop_bounding(uint64_t keep)
{
	for (int c = 0, last = last_cap(); c <= last && c < 64; c++)
		if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return fail("capabilities", errno, "bounding");
	return 0;
}

static int set_caps(const struct plan *p)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return fail("capabilities", errno, "capget");
	static const int sets[] = { CAPSET_EFFECTIVE, CAPSET_PERMITTED, CAPSET_INHERITABLE };
	for (int i = 0; i < 3; i++) {
		if (!(p->caps_given & (1 << sets[i])))
			continue;
		uint64_t m = p->caps[sets[i]];
		for (int w = 0; w < 2; w++) {
			uint32_t v = (uint32_t)(m >> (32 * w));
			if (sets[i] == CAPSET_EFFECTIVE)
				d[w].effective = v;
			else if (sets[i] == CAPSET_PERMITTED)
				d[w].permitted = v;
			else
				d[w].inheritable = v;
		}
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return fail("capabilities", errno, "capset");
	if (p->caps_given & (1 << CAPSET_AMBIENT))
		for (int c = 0; c < 64; c++)
			if ((p->caps[CAPSET_AMBIENT] & (1ULL << c)) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
				return fail("capabilities", errno, "ambient");
	return 0;
}

static int set_creds(const struct plan *p)
{
	if ((p->caps_given & (1 << CAPSET_BOUNDING)) && drop_bounding(p->caps[CAPSET_BOUNDING]) < 0)
		return -1;
	/* Without KEEPCAPS a switch away from uid 0 would clear the permitted set we are about to apply. */
	if (p->caps_given && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail("capabilities", errno, "keepcaps");
	/* With `setgroups deny` in a user namespace setgroups is refused; an empty list is then already true. */
	if (setgroups((size_t)p->n_groups, p->groups) < 0 && !(errno == EPERM && p->n_groups == 0))
		return fail("setgroups", errno, "");
	char id[32];
	snprintf(id, sizeof id, "%u", p->gid);
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return fail("setgid", errno, id);
	snprintf(id, sizeof id, "%u", p->uid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return fail("setuid", errno, id);
	if (p->caps_given && set_caps(p) < 0)
		return -1;
	return 0;
}

static int executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

/* PATH comes from the plan's env only, like runc: without a PATH only names with a '/' are found. */
static int lookup(const struct plan *p, char *exe, size_t size)
{
	const char *name = p->argv[0], *path = "";
	int r;
	if (strchr(name, '/')) {
		snprintf(exe, size, "%s", name);
		return (r = executable(exe)) < 0 ? fail("exec", -r, name) : 0;
	}
	for (int i = 0; i < p->n_env; i++)
		if (!strncmp(p->env[i], "PATH=", 5))
			path = p->env[i] + 5;
	int denied = 0;
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(exe, size, "%.*s/%s", n ? (int)n : 1, n ? path : ".", name);
		if ((r = executable(exe)) == 0)
			return 0;
		denied |= r == -EACCES;
		path += n + (path[n] == ':');
	}
	return fail("exec", denied ? EACCES : ENOENT, name);
}

int process_prepare(const struct plan *p, struct proc_fds *f, char *exe, size_t size)
{
	if (p->terminal && terminal_setup(p, f) < 0)
		return -1;
	for (int i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
		char res[16];
		snprintf(res, sizeof res, "%d", p->rlimits[i].resource);
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return fail("rlimit", errno, res);
	}
	if (p->has_oom && write_oom(p->oom_score_adj) < 0)
		return -1;
	/* Before seccomp: a profile may (like Docker's) allow personality(2) only for a few values. */
	if (p->has_personality && personality(p->personality) < 0)
		return fail("personality", errno, "linux.personality");
	int sc = p->seccomp.enabled;
	if (sc && seccomp_build(p) < 0)
		return -1;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which set_creds may drop: load first (runc). */
	if (sc && !p->no_new_privs && seccomp_install(p, f) < 0)
		return -1;
	if (set_creds(p) < 0)
		return -1;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("no-new-privileges", errno, "");
	if (p->has_umask)
		umask(p->umask);
	if (p->cwd && chdir(p->cwd) < 0)
		return fail("chdir", errno, p->cwd);
	if (lookup(p, exe, size) < 0)
		return -1;
	/*
	 * As late as a load can still be reported as a create error (the channel to Node ends at `ready`): after
	 * this only `ready` (sendmsg), close_range, the exec fifo (openat, write), rt_sigprocmask and execve run.
	 */
	return sc && p->no_new_privs ? seccomp_install(p, f) : 0;
}

void process_exec(const struct plan *p, struct proc_fds *f, const char *exe)
{
	/* Our own fds are O_CLOEXEC already; this catches anything inherited from the caller above N. */
	syscall(SYS_close_range, f->sync_fd, ~0U, CLOSE_RANGE_CLOEXEC);
	if (f->fifo >= 0) {
		/* Reopened through /proc: the fifo's host path is not reachable after pivot_root. */
		char path[32];
		snprintf(path, sizeof path, "/proc/self/fd/%d", f->fifo);
		/* The byte tells `start` we are past the open: an EOF alone cannot tell "not yet" from "done". */
		int wfd = open(path, O_WRONLY | O_CLOEXEC);
		if (wfd < 0 || write(wfd, "0", 1) != 1) {
			fprintf(stderr, "berth-helper: exec fifo: %s\n", strerror(errno));
			_exit(127);
		}
		f->fifo = wfd;
	}
	/*
	 * startContainer: after `start` released us, inside the container's root (the hook's path is a
	 * container path), before the program. The sync channel is gone: a failure goes to our stderr and,
	 * when `start` is still reading the fifo, down the fifo (it reads until EOF, which execve's
	 * close-on-exec gives it on success).
	 */
	if (hooks_run(p, "startContainer", p->state) < 0) {
		fprintf(stderr, "berth-helper: %s\n", g_err.detail);
		if (f->fifo >= 0) {
			struct sigaction ign = { .sa_handler = SIG_IGN };
			sigaction(SIGPIPE, &ign, NULL); /* `start` may have stopped reading: EPIPE, not death */
			dprintf(f->fifo, "%s", g_err.detail);
		}
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &g_oldmask, NULL);
	char *argv[1024], *env[1024];
	memcpy(argv, p->argv, sizeof(char *) * (size_t)p->n_argv);
	argv[p->n_argv] = NULL;
	memcpy(env, p->env, sizeof(char *) * (size_t)p->n_env);
	env[p->n_env] = NULL;
	execve(exe, argv, env);
	fprintf(stderr, "berth-helper: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
