/* Namespaces: creating, joining, id maps, time offsets, and the per-namespace settings of the child. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "helper.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_flag(const char *type)
{
	static const struct { const char *name; int flag; } t[] = {
		{ "user", CLONE_NEWUSER }, { "pid", CLONE_NEWPID }, { "mount", CLONE_NEWNS }, { "uts", CLONE_NEWUTS },
		{ "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(type, t[i].name))
			return t[i].flag;
	return 0;
}

/* All paths are opened before any setns: joining a mount namespace changes what the later paths mean. */
int ns_open_joins(const struct plan *p, int *fds)
{
	for (int i = 0; i < p->n_ns_join; i++) {
		fds[i] = open(p->ns_join[i].b, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return fail("setns", errno, p->ns_join[i].b);
	}
	return 0;
}

int ns_joins_any(const struct plan *p, int flags)
{
	for (int i = 0; i < p->n_ns_join; i++)
		if (ns_flag(p->ns_join[i].a) & flags)
			return 1;
	return 0;
}

int ns_join(const struct plan *p, int *fds)
{
	/* The plan lists the user namespace first; it grants the capabilities needed for the others. */
	for (int i = 0; i < p->n_ns_join; i++) {
		if (setns(fds[i], ns_flag(p->ns_join[i].a)) < 0)
			return fail("setns", errno, p->ns_join[i].b);
		close(fds[i]);
	}
	return 0;
}

static int write_file(const char *path, const char *data, const char *step)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(step, errno, path);
	ssize_t n = write(fd, data, strlen(data));
	int e = errno;
	close(fd);
	if (n != (ssize_t)strlen(data))
		return fail(step, n < 0 ? e : EIO, path);
	return 0;
}

/* Offsets can only be written before any process enters the namespace: the child is cloned after this. */
int ns_new_time(const struct plan *p)
{
	char buf[256];
	size_t o = 0;
	if (unshare(CLONE_NEWTIME) < 0)
		return fail("unshare", errno, "time");
	for (int i = 0; i < p->n_timens; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s %lld %ld\n", p->timens[i].clock, p->timens[i].secs,
				      p->timens[i].nanos);
	return o ? write_file("/proc/self/timens_offsets", buf, "timens") : 0;
}

static int write_map(pid_t pid, const char *file, const struct idmap *m, int n)
{
	char path[64], buf[4096];
	size_t o = 0;
	if (!n)
		return 0;
	for (int i = 0; i < n && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%lu %lu %lu\n", m[i].inside, m[i].outside, m[i].count);
	snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
	return write_file(path, buf, file);
}

int ns_write_idmaps(const struct plan *p, pid_t pid)
{
	char path[64];
	if (p->setgroups_deny) {
		snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
		if (write_file(path, "deny", "setgroups") < 0)
			return -1;
	}
	if (write_map(pid, "uid_map", p->uidmap, p->n_uidmap) < 0)
		return -1;
	return write_map(pid, "gid_map", p->gidmap, p->n_gidmap);
}

static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;
	if (s < 0)
		return fail("loopback", errno, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (r < 0)
		fail("loopback", errno, "lo");
	close(s);
	return r;
}

int ns_child_setup(const struct plan *p)
{
	/*
	 * In a new user namespace we still carry the host's ids, which it does not map: files we create while
	 * building the rootfs would fail with EOVERFLOW. Become the namespace's root first, as runc does.
	 */
	if (p->ns_new & CLONE_NEWUSER) {
		if (setresgid(0, 0, 0) < 0)
			return fail("setgid", errno, "0 (gid 0 must be mapped in linux.gidMappings)");
		if (setresuid(0, 0, 0) < 0)
			return fail("setuid", errno, "0 (uid 0 must be mapped in linux.uidMappings)");
	}
	/* After the parent placed us in our cgroups, so that they become the namespace's root. */
	if ((p->ns_new & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return fail("unshare", errno, "cgroup");
	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		return fail("sethostname", errno, p->hostname);
	if (p->domainname && setdomainname(p->domainname, strlen(p->domainname)) < 0)
		return fail("setdomainname", errno, p->domainname);
	if (p->loopback_up && loopback_up() < 0)
		return -1;
	return 0;
}
