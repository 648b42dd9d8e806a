/* `wait` mode: stay the process's parent, forward signals, relay a pty, exit with its status. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include "helper.h"

static struct termios saved;
static int raw_mode;

static void restore_tty(void)
{
	if (raw_mode)
		tcsetattr(0, TCSANOW, &saved);
}

static void copy_winsize(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

static void __attribute__((noreturn)) finish(int status, int master)
{
	if (master >= 0) {
		/* Output the process wrote just before exiting may still sit in the pty. */
		fcntl(master, F_SETFL, O_NONBLOCK);
		while (relay(master, 1) == 0) {
			struct pollfd pf = { .fd = master, .events = POLLIN };
			if (poll(&pf, 1, 0) <= 0)
				break;
		}
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int wait_child(const struct plan *p, pid_t pid, int sigfd, int master)
{
	(void)p;
	int in_open = master >= 0;
	if (master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios raw = saved;
		cfmakeraw(&raw);
		raw_mode = tcsetattr(0, TCSANOW, &raw) == 0;
		atexit(restore_tty);
		copy_winsize(master);
	}
	for (;;) {
		struct pollfd pf[3] = { { .fd = sigfd, .events = POLLIN }, { .fd = master, .events = POLLIN },
					{ .fd = in_open ? 0 : -1, .events = POLLIN } };
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		if (pf[0].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof si) != sizeof si)
				continue;
			int status;
			if (si.ssi_signo == SIGCHLD) {
				if (waitpid(pid, &status, WNOHANG) == pid)
					finish(status, master);
			} else if (si.ssi_signo == SIGWINCH && raw_mode) {
				copy_winsize(master);
			} else {
				kill(pid, (int)si.ssi_signo);
			}
		}
		if (master >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) && relay(master, 1) < 0) {
			/* Every slave is closed: stop polling it (POLLHUP would spin) and just wait for the exit. */
			close(master);
			master = -1;
		}
		if (in_open && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)) && relay(0, master) < 0) {
			in_open = 0;
			/* Piped input ended: pass it on as end-of-file to the program reading the terminal. */
			if (!raw_mode && master >= 0 && write(master, "\x04", 1) < 0)
				in_open = 0;
		}
	}
}
