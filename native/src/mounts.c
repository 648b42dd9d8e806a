/*
 * The container's filesystem: propagation, rootfs bind, the plan's mounts/devices/symlinks, pivot_root,
 * masked and read-only paths, sysctls, read-only root. Runs in the child, in its new mount namespace.
 *
 * Destinations are resolved with openat2(RESOLVE_IN_ROOT) against the rootfs and mounted through
 * /proc/self/fd/N, so a symlink inside the image (e.g. /proc -> /etc) can never point a mount at the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "helper.h"

static int rootfd = -1;

static const char *fdpath(int fd)
{
	static char buf[32];
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	return buf;
}

static int open_in_root(const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(O_PATH | O_CLOEXEC | flags),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* `..` is refused outright: RESOLVE_IN_ROOT would clamp it, but a plan using it is a policy bug. */
static int check_dest(const char *step, const char *path)
{
	if (path[0] != '/')
		return fail(step, EINVAL, path);
	for (const char *s = path; (s = strstr(s, "..")); s += 2)
		if (s[-1] == '/' && (s[2] == '/' || !s[2]))
			return fail(step, EINVAL, path);
	return 0;
}

static int mkdirs_depth(const char *step, const char *path, int depth);

/*
 * `prefix` (the part of path up to `rest`) is a dangling symlink: create its target instead, inside the root,
 * as runc does for images whose /var/run -> /run points at a directory a mount will fill.
 */
static int mkdirs_via_link(const char *step, int dirfd, const char *prefix, const char *rest, int depth)
{
	char target[PATH_MAX], next[PATH_MAX];
	const char *base = strrchr(prefix, '/') + 1;
	ssize_t n = readlinkat(dirfd, base, target, sizeof target - 1);
	if (n < 0 || depth > 40)
		return fail(step, n < 0 ? ENOENT : ELOOP, prefix);
	target[n] = 0;
	int len = target[0] == '/' ? snprintf(next, sizeof next, "%s%s", target, rest)
				   : snprintf(next, sizeof next, "%.*s%s%s", (int)(base - prefix), prefix, target, rest);
	if (len >= (int)sizeof next)
		return fail(step, ENAMETOOLONG, prefix);
	return mkdirs_depth(step, next, depth + 1);
}

/* Returns an O_PATH fd of directory `path` inside the rootfs, creating missing components. */
static int mkdirs_in_root(const char *step, const char *path)
{
	return mkdirs_depth(step, path, 0);
}

static int mkdirs_depth(const char *step, const char *path, int depth)
{
	char prefix[PATH_MAX];
	int fd = open_in_root("/", O_DIRECTORY);
	size_t len = strlen(path);
	if (fd < 0 || len >= sizeof prefix)
		return fail(step, fd < 0 ? errno : ENAMETOOLONG, path);
	for (size_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (path[i - 1] == '/')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = 0;
		int nfd = open_in_root(prefix, O_DIRECTORY);
		if (nfd < 0 && errno == ENOENT) {
			const char *base = strrchr(prefix, '/') + 1;
			if (mkdirat(fd, base, 0755) < 0 && errno != EEXIST) {
				close(fd);
				return fail(step, errno, prefix);
			}
			nfd = open_in_root(prefix, O_DIRECTORY);
			if (nfd < 0 && errno == ENOENT) {
				nfd = mkdirs_via_link(step, fd, prefix, path + i, depth);
				close(fd);
				return nfd;
			}
		}
		close(fd);
		if (nfd < 0)
			return fail(step, errno, prefix);
		fd = nfd;
	}
	return fd;
}

/* Splits `path` into an O_PATH fd of its (created) parent directory and its last component. */
static int parent_of(const char *step, const char *path, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);
	if (n >= sizeof dir || !slash[1])
		return fail(step, EINVAL, path);
	memcpy(dir, path, n);
	dir[n] = 0;
	*base = slash + 1;
	return n ? mkdirs_in_root(step, dir) : open_in_root("/", O_DIRECTORY);
}

/* An O_PATH fd of the mount target, created as a directory or an empty file if missing. */
static int make_target(const char *step, const char *dest, int is_dir)
{
	int fd = open_in_root(dest, 0);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : fail(step, errno, dest);
	if (is_dir)
		return mkdirs_in_root(step, dest);
	const char *base;
	int pfd = parent_of(step, dest, &base);
	if (pfd < 0)
		return -1;
	int f = openat(pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	close(pfd);
	if (f < 0 && errno != EEXIST)
		return fail(step, errno, dest);
	if (f >= 0)
		close(f);
	fd = open_in_root(dest, 0);
	return fd >= 0 ? fd : fail(step, errno, dest);
}

/*
 * Bind mounts ignore flags like MS_RDONLY on the first mount; they take a remount. In a user namespace the
 * kernel refuses to clear flags locked by the outer namespace (nodev, nosuid, …), so on EPERM we retry
 * keeping the ones the mount already has.
 */
static int remount(const char *step, const char *path, const char *detail, unsigned long flags)
{
	flags = (flags & ~(unsigned long)(MS_REC | MS_BIND)) | MS_BIND | MS_REMOUNT;
	if (mount(NULL, path, NULL, flags, NULL) == 0)
		return 0;
	struct statvfs sv;
	if (errno != EPERM || statvfs(path, &sv) < 0)
		return fail(step, errno, detail);
	static const unsigned long map[][2] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (sv.f_flag & map[i][0])
			flags |= map[i][1];
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return fail(step, errno, detail);
	return 0;
}

static int do_mount(const struct mnt *m)
{
	int bind = (m->flags & MS_BIND) != 0, is_dir = 1, r = -1;
	if (check_dest("mount", m->dest) < 0)
		return -1;
	if (bind) {
		struct stat st;
		if (stat(m->src, &st) < 0)
			return fail("mount", errno, m->dest);
		is_dir = S_ISDIR(st.st_mode);
	}
	int fd = make_target("mount", m->dest, is_dir);
	if (fd < 0)
		return -1;
	unsigned long flags = bind ? m->flags & (MS_BIND | MS_REC) : m->flags;
	if (mount(m->src, fdpath(fd), m->fstype, flags, m->data) < 0) {
		fail("mount", errno, m->dest);
		goto out;
	}
	close(fd);
	/* Reopen: the old fd still names the directory underneath the new mount. */
	if ((fd = open_in_root(m->dest, 0)) < 0)
		return fail("mount", errno, m->dest);
	if (bind && (m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT)) &&
	    remount("mount", fdpath(fd), m->dest, m->flags) < 0)
		goto out;
	if (m->pflags && mount(NULL, fdpath(fd), NULL, m->pflags, NULL) < 0) {
		fail("mount", errno, m->dest);
		goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}

static int make_device(const struct dev *d)
{
	const char *base;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	if (check_dest("mknod", d->path) < 0)
		return -1;
	int pfd = parent_of("mknod", d->path, &base), r = 0;
	if (pfd < 0)
		return -1;
	if (mknodat(pfd, base, type | d->mode, makedev(d->major, d->minor)) < 0 && errno != EEXIST)
		r = fail("mknod", errno, d->path);
	else if (fchownat(pfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		r = fail("chown", errno, d->path);
	close(pfd);
	return r;
}

static int bind_device(const char *path)
{
	if (check_dest("mount", path) < 0)
		return -1;
	int fd = make_target("mount", path, 0);
	if (fd < 0)
		return -1;
	int r = mount(path, fdpath(fd), NULL, MS_BIND, NULL) < 0 ? fail("mount", errno, path) : 0;
	close(fd);
	return r;
}

static int make_symlink(const char *target, const char *link)
{
	const char *base;
	if (check_dest("symlink", link) < 0)
		return -1;
	int pfd = parent_of("symlink", link, &base), r = 0;
	if (pfd < 0)
		return -1;
	if (symlinkat(target, pfd, base) < 0 && errno != EEXIST)
		r = fail("symlink", errno, link);
	close(pfd);
	return r;
}

/* A new devpts instance is useless while /dev/ptmx is the host's node: point it at the instance's ptmx. */
static int setup_ptmx(void)
{
	struct stat st;
	int dfd = open_in_root("/dev", O_DIRECTORY), r = 0;
	if (dfd < 0)
		return fail("symlink", errno, "/dev/ptmx");
	if (fstatat(dfd, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
	    unlinkat(dfd, "ptmx", 0) < 0)
		r = fail("symlink", errno, "/dev/ptmx");
	else if (symlinkat("pts/ptmx", dfd, "ptmx") < 0 && errno != EEXIST)
		r = fail("symlink", errno, "/dev/ptmx");
	close(dfd);
	return r;
}

static unsigned long propagation_flags(const char *mode)
{
	static const struct { const char *name; unsigned long flags; } t[] = {
		{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC }, { "slave", MS_SLAVE },
		{ "rslave", MS_SLAVE | MS_REC }, { "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(mode, t[i].name))
			return t[i].flags;
	return 0;
}

static int enter_root(const struct plan *p)
{
	if (fchdir(rootfd) < 0)
		return fail("chdir", errno, p->rootfs);
	if (p->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return fail("mount", errno, p->rootfs);
		if (chroot(".") < 0)
			return fail("chroot", errno, p->rootfs);
	} else {
		/* Stack the old root on top of the new one, then detach it: no temporary directory needed. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return fail("pivot_root", errno, p->rootfs);
		/* So the detach below does not propagate to the host's mounts. */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return fail("pivot_root", errno, p->rootfs);
		if (umount2(".", MNT_DETACH) < 0)
			return fail("pivot_root", errno, p->rootfs);
	}
	if (chdir("/") < 0)
		return fail("chdir", errno, "/");
	return 0;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *s = buf + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return fail("cwd", errno, path);
		if (!(*s = c))
			return 0;
	}
}

static int mask_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail("masked-path", errno, path);
	int r = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) : mount("/dev/null", path, NULL, MS_BIND, NULL);
	return r < 0 ? fail("masked-path", errno, path) : 0;
}

static int readonly_path(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : fail("readonly-path", errno, path);
	return remount("readonly-path", path, path, MS_RDONLY);
}

static int write_sysctl(const char *key, const char *value)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "/proc/sys/%s", key);
	for (char *s = path + 10; s < path + n; s++)
		if (*s == '.')
			*s = '/';
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("sysctl", errno, key);
	ssize_t w = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	return w < 0 ? fail("sysctl", e, key) : 0;
}

/* Makes the mount that contains path (longest mount point prefix in mountinfo) private, non-recursively. */
static int parent_mount_private(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return fail("mountinfo", errno, "/proc/self/mountinfo");
	char line[4096], best[4096] = "/";
	size_t best_len = 1;
	while (fgets(line, sizeof line, f)) {
		char mp[4096];
		/* Fields: id parent major:minor root mount-point …; mount points with spaces are octal-escaped. */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		size_t n = strlen(mp);
		if (n > best_len && !strncmp(path, mp, n) && (path[n] == '/' || path[n] == '\0'))
			memcpy(best, mp, n + 1), best_len = n;
	}
	fclose(f);
	if (mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		return fail("rootfs-propagation", errno, best);
	return 0;
}

int rootfs_setup(const struct plan *p)
{
	unsigned long prop = propagation_flags(p->propagation ? p->propagation : "rslave");
	int devpts = 0;
	if (!prop)
		return fail("rootfs-propagation", EINVAL, p->propagation);
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return fail("rootfs-propagation", errno, "/");
	/* pivot_root refuses a new root whose parent mount is shared (e.g. after "shared"/"rshared"): make
	 * just that parent private, as runc does. */
	if (parent_mount_private(p->rootfs) < 0)
		return -1;
	if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail("mount", errno, p->rootfs);
	if ((rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail("rootfs", errno, p->rootfs);
	/* Device modes are exact; the process's own umask is set later from the plan. */
	mode_t old_umask = umask(0);
	for (int i = 0; i < p->n_mounts; i++) {
		if (do_mount(&p->mounts[i]) < 0)
			return -1;
		devpts |= !strcmp(p->mounts[i].fstype, "devpts") && !strcmp(p->mounts[i].dest, "/dev/pts");
	}
	for (int i = 0; i < p->n_devices; i++)
		if (make_device(&p->devices[i]) < 0)
			return -1;
	for (int i = 0; i < p->n_device_binds; i++)
		if (bind_device(p->device_binds[i]) < 0)
			return -1;
	for (int i = 0; i < p->n_symlinks; i++)
		if (make_symlink(p->symlinks[i].a, p->symlinks[i].b) < 0)
			return -1;
	if (devpts && setup_ptmx() < 0)
		return -1;
	umask(old_umask);
	/* createContainer: in the container's namespaces with its mounts done, but the host's paths still
	 * reachable (the hook's path is a runtime-namespace path), so before pivot_root. */
	if (hooks_run(p, "createContainer", p->state) < 0)
		return -1;
	if (enter_root(p) < 0)
		return -1;
	close(rootfd);
	/* Created now, as root and before the root may turn read-only (runc does the same). */
	if (p->cwd && mkdir_p(p->cwd) < 0)
		return -1;
	/* Sysctls first: the read-only paths usually include /proc/sys. */
	for (int i = 0; i < p->n_sysctls; i++)
		if (write_sysctl(p->sysctls[i].a, p->sysctls[i].b) < 0)
			return -1;
	for (int i = 0; i < p->n_masked; i++)
		if (mask_path(p->masked[i]) < 0)
			return -1;
	for (int i = 0; i < p->n_readonly; i++)
		if (readonly_path(p->readonly[i]) < 0)
			return -1;
	if (p->readonly_root && remount("readonly-root", "/", "/", MS_RDONLY) < 0)
		return -1;
	return 0;
}
