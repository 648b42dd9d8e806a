/* The pty: allocated inside the container (its devpts), master handed to a console socket or the helper. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "helper.h"

/* A connected stream socket to path, or fail(step, …): the console socket and the seccomp agent's listener. */
int unix_connect(const char *path, const char *step)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return fail(step, ENAMETOOLONG, path);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail(step, e, path);
	}
	return fd;
}

int console_connect(const char *path)
{
	return unix_connect(path, "console-socket");
}

int terminal_setup(const struct plan *p, struct proc_fds *f)
{
	int unlock = 0, ptn;
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return fail("terminal", errno, "/dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
		return fail("terminal", errno, "/dev/ptmx");
	/* TIOCGPTPEER opens the slave of this very master, whatever /dev/pts points at. */
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return fail("terminal", errno, "/dev/ptmx");
	if (p->rows || p->cols) {
		struct winsize ws = { .ws_row = p->rows, .ws_col = p->cols };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return fail("terminal", errno, "console-size");
	}
	char pts[32];
	struct stat st;
	snprintf(pts, sizeof pts, "/dev/pts/%d", ptn);
	if (!p->exec_mode && stat("/dev/console", &st) == 0 && mount(pts, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return fail("mount", errno, "/dev/console");
	if (f->console >= 0) {
		if (chan_send(f->console, "berth-console", master) < 0)
			return fail("console-socket", errno, p->console_socket);
		close(f->console);
		f->console = -1;
	} else if (p->wait) {
		if (chan_send(f->chan, "pty", master) < 0)
			return fail("terminal", errno, "relay");
	} else {
		return fail("terminal", EINVAL, "no console socket");
	}
	close(master);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return fail("terminal", errno, pts);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return fail("terminal", errno, pts);
	if (slave > 2)
		close(slave);
	return 0;
}

/* Copies what is available; returns -1 at EOF or on error (EIO: every slave fd is closed). */
int relay(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += w;
	}
	return 0;
}
