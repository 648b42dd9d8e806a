/*
 * berth-monitor [options] -- <helper> launch --sync-fd N [--plan-fd M]
 *
 * The container's parent once the engine has spawned it (conmon's role for podman, containerd-shim's for
 * Docker): it detaches from the daemon, runs the helper, becomes the container's parent as a subreaper, holds
 * its stdio (pipes or the pty master), writes Docker's json-file log, serves attach clients on a unix socket,
 * and records the exit status in an exit file. One poll() loop, no threads, fixed buffers.
 *
 *   --log PATH [--log-max-size BYTES] [--log-max-files N]   Docker's json-file log and its rotation
 *   --exit-file PATH   {"pid","exitCode","signal","finishedAt"}, written (atomically) when the init exits
 *   --socket PATH      attach clients (0600): output after connecting as Docker's multiplexed frames, their
 *                      bytes to stdin; closed when the container has exited, after the exit file is written
 *   --ctl PATH         FIFO of commands: `resize <rows> <cols>`, `close-stdin`
 *   --tty --console-socket PATH   receive the pty master there (runc's console socket protocol)
 *   --stdin [--stdin-once]        keep a pipe to stdin; close it when a client half-closes
 *   --pid-file PATH    the runtime's pid file: which child is the init
 * The Node side (argument builder, client, exit watcher) is src/engine/monitor/.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#define LINE_MAX_BYTES 16384 /* Docker's json-file splits longer lines into partial entries of this size */
#define CHUNK 16384
#define PIDFILE_GRACE_MS 5000 /* how long to wait for --pid-file before trusting the reparented child */
#define CLIENT_SEND_TIMEOUT_S 5 /* a client that cannot take output for this long is dropped */

static struct {
	const char *log, *exit_file, *sock, *ctl, *console, *pid_file;
	long long max_size;
	int max_files, tty, open_stdin, stdin_once, wait_client, sync_fd, plan_fd;
	char **argv;
} opt = { .max_files = 1, .sync_fd = -1, .plan_fd = -1 };

struct client {
	int fd, eof;
};

static int log_fd = -1, sig_fd = -1, listen_fd = -1, con_listen = -1, con_conn = -1, ctl_fd = -1;
static int out_fd[2] = { -1, -1 }; /* stdout and stderr read ends; with --tty out_fd[0] is the pty master */
static int in_fd = -1;             /* the container's stdin: a pipe's write end, or the pty master */
static long long log_size;
static struct client *clients;
static int n_clients;
static char line[2][LINE_MAX_BYTES];
static size_t line_len[2];
static char in_buf[CHUNK];
static size_t in_len, in_off;
static int close_in_pending;
static struct winsize pending_ws; /* a resize that came before the pty master */
static char ctl_buf[256];
static size_t ctl_len;
static pid_t helper_pid, init_pid;
static int init_status, init_done;
static struct { pid_t pid; int status; } reaped[64]; /* children reaped before we knew which was the init */
static int n_reaped;

static void cleanup_paths(void)
{
	if (opt.sock)
		unlink(opt.sock);
	if (opt.ctl)
		unlink(opt.ctl);
	if (opt.console)
		unlink(opt.console);
}

/* Percent-encodes s as the sync protocol wants (docs/launch-plan.md): Node decodes the detail. */
static void pct(char *d, size_t cap, const char *s)
{
	static const char ok[] = "._~/:=,+@-";
	size_t o = 0;
	for (; *s && o + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(ok, c))
			d[o++] = (char)c;
		else
			o += (size_t)snprintf(d + o, cap - o, "%%%02X", c);
	}
	if (!o)
		d[o++] = '%';
	d[o] = 0;
}

/* Setup failed before the helper ran: report `error <step> <errno> <detail>` to Node as the helper would. */
static void __attribute__((noreturn)) die(const char *step, int err, const char *detail)
{
	char enc[8192], msg[8400];
	pct(enc, sizeof enc, detail);
	int n = snprintf(msg, sizeof msg, "error %s %d %s\n", step, err, enc);
	if (opt.sync_fd < 0 || write(opt.sync_fd, msg, (size_t)n) < 0)
		fprintf(stderr, "berth-monitor: %s %s: %s\n", step, detail, strerror(err));
	/* Node sends the helper's plan right after spawning us. Closing the socket before it has all arrived
	 * (EPIPE for Node's write) or with it unread (a reset) makes Node drop our error line: read it up to its
	 * `end` line first, as the helper would (bounded, for callers that send no plan). With --plan-fd the
	 * plan is not on the socket. */
	char tail[5];
	size_t tl = 0; /* the last bytes seen, up to five */
	struct pollfd p = { .fd = opt.sync_fd, .events = POLLIN };
	/* After the plan (or at once with --plan-fd) Node may still send a line or two (`cgroups …` for a plan
	 * with `cgroup-wait`, right after the spawn): read until it has been quiet for a moment. */
	int seen_end = opt.plan_fd >= 0;
	while (opt.sync_fd >= 0 && poll(&p, 1, seen_end ? 200 : 1000) > 0) {
		ssize_t got = recv(opt.sync_fd, enc, sizeof enc, MSG_DONTWAIT);
		for (ssize_t i = 0; i < got; i++) {
			if (tl == 5)
				memmove(tail, tail + 1, 4), tl = 4;
			tail[tl++] = enc[i];
			if (tl == 5 && !memcmp(tail, "\nend\n", 5))
				seen_end = 1;
		}
		if (got <= 0)
			break;
	}
	cleanup_paths();
	exit(1);
}

/* RFC 3339 with nanoseconds in UTC, as Docker writes log and event times. */
static void now_rfc3339(char out[40])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%09ldZ", ts.tv_nsec);
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Length of the valid UTF-8 sequence at s (Go's rules: no overlongs, surrogates or > U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* JSON string body of s as Go's encoder writes it (HTML-safe, invalid UTF-8 as U+FFFD); d needs 6n bytes. */
static size_t json_escape(char *d, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == '"' || c == '\\')
				d[o++] = '\\', d[o++] = (char)c;
			else if (c == '\n')
				d[o++] = '\\', d[o++] = 'n';
			else if (c == '\r')
				d[o++] = '\\', d[o++] = 'r';
			else if (c == '\t')
				d[o++] = '\\', d[o++] = 't';
			else if (c < 0x20 || c == '<' || c == '>' || c == '&')
				o += (size_t)sprintf(d + o, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
			else
				d[o++] = (char)c;
			i++;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (!len) {
			memcpy(d + o, "\\ufffd", 6), o += 6, i++;
		} else if (len == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			o += (size_t)sprintf(d + o, "\\u202%c", s[i + 2] == 0xA8 ? '8' : '9'), i += 3;
		} else {
			memcpy(d + o, s + i, len), o += len, i += len;
		}
	}
	return o;
}

/* Docker's rotation: PATH → PATH.1 → … → PATH.(N-1), the oldest dropped; with N = 1 the file is truncated. */
static void rotate(void)
{
	if (opt.max_files <= 1) {
		if (ftruncate(log_fd, 0) == 0)
			log_size = 0;
		return;
	}
	char from[4096], to[4096];
	for (int i = opt.max_files - 1; i > 1; i--) {
		snprintf(from, sizeof from, "%s.%d", opt.log, i - 1);
		snprintf(to, sizeof to, "%s.%d", opt.log, i);
		rename(from, to);
	}
	snprintf(to, sizeof to, "%s.1", opt.log);
	if (rename(opt.log, to) < 0)
		return; /* keep appending to the current file rather than lose output */
	int fd = open(opt.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	close(log_fd);
	log_fd = fd;
	log_size = 0;
}

/* One json-file entry: {"log":…,"stream":…,"time":…}, written with one write() so readers see whole lines. */
static void log_entry(int stream, const char *data, size_t n)
{
	static char buf[LINE_MAX_BYTES * 6 + 128];
	char ts[40];
	if (log_fd < 0)
		return;
	if (opt.max_size > 0 && log_size >= opt.max_size)
		rotate();
	now_rfc3339(ts);
	size_t o = (size_t)sprintf(buf, "{\"log\":\"");
	o += json_escape(buf + o, (const unsigned char *)data, n);
	o += (size_t)sprintf(buf + o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream ? "stderr" : "stdout", ts);
	for (size_t off = 0; off < o;) {
		ssize_t w = write(log_fd, buf + off, o - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a full disk must not stop the container: its output still reaches clients */
		off += (size_t)w, log_size += w;
	}
}

/* Splits output into lines like Docker's copier: one entry per line, lines over 16 KiB in partial entries. */
static void log_feed(int stream, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) + 1 : n, room = LINE_MAX_BYTES - line_len[stream];
		int complete = nl != NULL && take <= room;
		if (take > room)
			take = room;
		memcpy(line[stream] + line_len[stream], data, take);
		line_len[stream] += take, data += take, n -= take;
		if (complete || line_len[stream] == LINE_MAX_BYTES) {
			log_entry(stream, line[stream], line_len[stream]);
			line_len[stream] = 0;
		}
	}
}

static void drop_client(int i)
{
	close(clients[i].fd);
	clients[i] = clients[--n_clients];
}

/* Output to every attach client as Docker's multiplexed stream ([stream,0,0,0,len BE] + data), and the log. */
static void emit(int stream, const char *data, size_t n)
{
	unsigned char hdr[8] = { (unsigned char)(opt.tty ? 1 : stream + 1), 0, 0, 0,
				 (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n };
	for (int i = 0; i < n_clients; i++) {
		struct iovec iov[2] = { { hdr, 8 }, { (void *)data, n } };
		size_t left = 8 + n;
		while (left) {
			ssize_t w = writev(clients[i].fd, iov, 2);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			left -= (size_t)w;
			for (int k = 0; k < 2 && w; k++) {
				size_t t = (size_t)w < iov[k].iov_len ? (size_t)w : iov[k].iov_len;
				iov[k].iov_base = (char *)iov[k].iov_base + t, iov[k].iov_len -= t, w -= (ssize_t)t;
			}
		}
		if (left) /* gone, or stuck past its send timeout: a half-written frame means it must go */
			drop_client(i--);
	}
	log_feed(opt.tty ? 0 : stream, data, n);
}

/* Reads what one output fd has: 1 if it read some, 0 if none is ready, -1 once it is finished (EOF, or EIO
 * from a master no slave holds any more). */
static int pump(int stream)
{
	static char buf[CHUNK];
	ssize_t n = read(out_fd[stream], buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		if (!opt.tty || stream) /* the master stays open: resize and stdin still use it */
			close(out_fd[stream]);
		out_fd[stream] = -1;
		return -1;
	}
	emit(stream, buf, (size_t)n);
	return 1;
}

static void close_stdin(void)
{
	in_len = in_off = 0, close_in_pending = 0;
	if (in_fd < 0)
		return;
	if (opt.tty) /* a pty has no half-close: ^D ends a reader at line start, as the helper's relay does */
		(void)!write(in_fd, "\x04", 1);
	else
		close(in_fd);
	in_fd = -1;
}

/* Writes pending client input to the container; the buffer empties before more input is read. */
static void flush_stdin(void)
{
	while (in_fd >= 0 && in_off < in_len) {
		ssize_t w = write(in_fd, in_buf + in_off, in_len - in_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w < 0) { /* EPIPE: the container closed its stdin; nothing more can go there */
			close_stdin();
			return;
		}
		in_off += (size_t)w;
	}
	in_len = in_off = 0;
	if (close_in_pending)
		close_stdin();
}

static void client_input(int i)
{
	ssize_t n = recv(clients[i].fd, in_buf, sizeof in_buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		drop_client(i);
		return;
	}
	if (n == 0) { /* half-close: the client still receives output until it closes or the container exits */
		clients[i].eof = 1;
		if (opt.stdin_once && in_fd >= 0)
			close_in_pending = 1;
	} else if (in_fd >= 0) {
		in_len = (size_t)n, in_off = 0;
	}
	flush_stdin();
}

static void accept_client(void)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct timeval tv = { .tv_sec = CLIENT_SEND_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	struct client *c = realloc(clients, sizeof *c * (size_t)(n_clients + 1));
	if (!c) {
		close(fd);
		return;
	}
	clients = c;
	clients[n_clients++] = (struct client){ .fd = fd };
}

/* Takes every connection already waiting: a client that connected before some output must get it. */
static void accept_pending(void)
{
	int before;
	do {
		before = n_clients;
		accept_client();
	} while (listen_fd >= 0 && n_clients > before);
}

/* The helper's init sends the pty master over the console socket (runc's protocol: SCM_RIGHTS, one fd). */
static void console_receive(void)
{
	char name[64];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { name, sizeof name };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t n = recvmsg(con_conn, &m, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		memcpy(&out_fd[0], CMSG_DATA(c), sizeof(int));
		fcntl(out_fd[0], F_SETFL, O_NONBLOCK);
		if (pending_ws.ws_row || pending_ws.ws_col)
			ioctl(out_fd[0], TIOCSWINSZ, &pending_ws);
		if (opt.open_stdin)
			in_fd = out_fd[0];
	} else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	close(con_conn), close(con_listen);
	con_conn = con_listen = -1;
	unlink(opt.console);
	opt.console = NULL;
}

/* Lines on the control FIFO: `resize <rows> <cols>`, `close-stdin`. */
static void ctl_read(void)
{
	ssize_t n = read(ctl_fd, ctl_buf + ctl_len, sizeof ctl_buf - 1 - ctl_len);
	if (n <= 0)
		return;
	ctl_len += (size_t)n;
	ctl_buf[ctl_len] = 0;
	char *nl;
	while ((nl = strchr(ctl_buf, '\n'))) {
		*nl = 0;
		unsigned short rows, cols;
		if (sscanf(ctl_buf, "resize %hu %hu", &rows, &cols) == 2 && opt.tty) {
			pending_ws = (struct winsize){ .ws_row = rows, .ws_col = cols };
			if (out_fd[0] >= 0)
				ioctl(out_fd[0], TIOCSWINSZ, &pending_ws);
		} else if (!strcmp(ctl_buf, "close-stdin")) {
			close_in_pending = 1;
			flush_stdin();
		}
		ctl_len -= (size_t)(nl + 1 - ctl_buf);
		memmove(ctl_buf, nl + 1, ctl_len + 1);
	}
	if (ctl_len == sizeof ctl_buf - 1) /* an overlong line is garbage: forget it */
		ctl_len = 0;
}

/* The exit file, atomically: {"pid","exitCode" (128+signo when killed, Docker's rule),"signal","finishedAt"}. */
static void write_exit_file(void)
{
	char tmp[4200], ts[40], sig[32] = "null", body[256];
	now_rfc3339(ts);
	int code = WIFEXITED(init_status) ? WEXITSTATUS(init_status) : 128 + WTERMSIG(init_status);
	if (WIFSIGNALED(init_status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(init_status));
		if (abbrev)
			snprintf(sig, sizeof sig, "\"SIG%s\"", abbrev);
		else
			snprintf(sig, sizeof sig, "\"SIG%d\"", WTERMSIG(init_status));
	}
	int n = snprintf(body, sizeof body, "{\"pid\":%d,\"exitCode\":%d,\"signal\":%s,\"finishedAt\":\"%s\"}\n",
			 init_pid, code, sig, ts);
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", opt.exit_file, getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* No fsync: the file lives in the run dir (tmpfs on most hosts, and cleared at boot anyway), and what it
	 * guards against is the daemon dying, which leaves the page cache intact; on a disk an fsync here cost
	 * every container exit a journal commit. */
	int ok = write(fd, body, (size_t)n) == n;
	close(fd);
	if (!ok || rename(tmp, opt.exit_file) < 0)
		unlink(tmp);
}

/*
 * The end: the rest of the output, partial lines, the exit file (before any client sees EOF, so EOF means
 * "exited and recorded"), then clients, socket and FIFO go. Without an exit the helper failed: no exit file.
 */
static void __attribute__((noreturn)) finish(int exited)
{
	/* Until EOF/EIO or nothing is ready: the init's writes are in the pipe (a pty master flushes its pending
	 * input before reporting EIO), and what a straggler outside the pid namespace writes later is not ours. */
	accept_pending();
	for (int s = 0; s < 2; s++)
		while (out_fd[s] >= 0 && pump(s) > 0) {
		}
	for (int s = 0; s < 2; s++)
		if (line_len[s])
			log_entry(s, line[s], line_len[s]);
	if (exited && opt.exit_file)
		write_exit_file();
	for (int i = 0; i < n_clients; i++)
		close(clients[i].fd);
	cleanup_paths();
	exit(exited ? 0 : 1);
}

static void remember_reaped(pid_t pid, int status)
{
	reaped[n_reaped % 64].pid = pid, reaped[n_reaped % 64].status = status;
	n_reaped++;
}

/* Marks the init exited if `pid` is it and it has already been reaped. */
static void check_reaped(void)
{
	int n = n_reaped < 64 ? n_reaped : 64;
	for (int i = 0; init_pid > 0 && !init_done && i < n; i++)
		if (reaped[i].pid == init_pid)
			init_status = reaped[i].status, init_done = 1;
}

/* Parent pid of a process (0 if gone), and its start time in clock ticks via *start. */
static pid_t proc_parent(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024];
	int ppid = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	char *p = n > 0 ? (buf[n] = 0, strrchr(buf, ')')) : NULL; /* comm may hold spaces and parentheses */
	if (p && sscanf(p, ") %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			&ppid, start) != 2)
		ppid = 0;
	return ppid;
}

/* The oldest of our children right now (0 if none). */
static pid_t oldest_child(void)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/self/task/%d/children", gettid());
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	unsigned long long best = ~0ULL, start = 0;
	pid_t found = 0;
	for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
		if (proc_parent(atoi(tok), &start) == getpid() && start < best)
			best = start, found = atoi(tok);
	return found;
}

/* The pid in --pid-file if it names one of our children (alive, a zombie, or already reaped), else 0. */
static pid_t pid_from_file(void)
{
	char buf[32];
	unsigned long long start;
	int fd = open(opt.pid_file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	pid_t pid = n > 0 ? (buf[n] = 0, (pid_t)atoi(buf)) : 0;
	for (int i = 0; pid > 0 && i < (n_reaped < 64 ? n_reaped : 64); i++)
		if (reaped[i].pid == pid)
			return pid;
	return pid > 0 && proc_parent(pid, &start) == getpid() ? pid : 0;
}

/*
 * Which child is the container's init. The helper is never a candidate: we forked it and know its pid.
 * With --pid-file the runtime writes the init's pid there once create succeeded (a stale file was removed
 * at startup): it is authoritative. Without it (or if it never comes: the engine died between the helper's
 * `ready` and writing it) the init is what the kernel reparented to us when the helper exited. The helper's
 * only child is the init, which cannot have forked yet (it is blocked on the exec fifo); it is on our
 * children list from before the helper can be reaped (even as a zombie). With several candidates (an orphan
 * of a createContainer hook in the host's pid namespace) the init is the oldest: it was cloned first.
 */
static pid_t fallback_pid;
static long long helper_exited_at;

static void identify_init(void)
{
	if (opt.pid_file)
		init_pid = pid_from_file();
	if (!init_pid && (!opt.pid_file || mono_ms() - helper_exited_at > PIDFILE_GRACE_MS)) {
		if (!fallback_pid)
			finish(0); /* no container came out of the helper */
		init_pid = fallback_pid;
	}
}

/* Reaps every child (we are a subreaper). */
static void reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == helper_pid) {
			helper_pid = -1;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				finish(0); /* the helper reported its error to Node and removed its child */
			fallback_pid = oldest_child(); /* now, before anything else can become our child */
			helper_exited_at = mono_ms();
			continue;
		}
		remember_reaped(pid, status);
	}
}

static void parse_args(int argc, char **argv)
{
	int dash = 1;
	while (dash < argc && strcmp(argv[dash], "--"))
		dash++;
	for (int k = dash + 1; k + 1 < argc; k++) /* first, so that argument errors already reach Node */
		if (!strcmp(argv[k], "--sync-fd"))
			opt.sync_fd = atoi(argv[k + 1]);
		else if (!strcmp(argv[k], "--plan-fd"))
			opt.plan_fd = atoi(argv[k + 1]);
	if (dash + 1 >= argc)
		die("monitor-args", EINVAL, "missing -- <helper> launch --sync-fd N");
	opt.argv = argv + dash + 1;
	struct { const char *name; const char **dst; } paths[] = {
		{ "--log", &opt.log }, { "--exit-file", &opt.exit_file }, { "--socket", &opt.sock }, { "--ctl", &opt.ctl },
		{ "--console-socket", &opt.console }, { "--pid-file", &opt.pid_file },
	};
	for (int i = 1; i < dash; i++) {
		const char *a = argv[i], *v = i + 1 < dash ? argv[i + 1] : NULL;
		if (!strcmp(a, "--wait-client")) {
			opt.wait_client = 1;
			continue;
		}
		if (!strcmp(a, "--tty") || !strcmp(a, "--stdin") || !strcmp(a, "--stdin-once")) {
			*(!strcmp(a, "--tty") ? &opt.tty : !strcmp(a, "--stdin") ? &opt.open_stdin : &opt.stdin_once) = 1;
			continue;
		}
		if (!v)
			die("monitor-args", EINVAL, a);
		i++;
		if (!strcmp(a, "--log-max-size")) {
			opt.max_size = atoll(v);
			continue;
		}
		if (!strcmp(a, "--log-max-files")) {
			opt.max_files = atoi(v);
			continue;
		}
		size_t k = 0;
		while (k < sizeof paths / sizeof paths[0] && strcmp(a, paths[k].name))
			k++;
		if (k == sizeof paths / sizeof paths[0])
			die("monitor-args", EINVAL, a);
		if (v[0] != '/') /* we chdir("/") so as to pin no directory: relative paths would change meaning */
			die("monitor-args", EINVAL, v);
		*paths[k].dst = v;
	}
	if (opt.tty && !opt.console)
		die("monitor-args", EINVAL, "--tty needs --console-socket");
}

static int unix_listen(const char *path, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		die("monitor-socket", ENAMETOOLONG, path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	unlink(path);
	mode_t old = umask(0077); /* the socket file is born 0600: only root may attach */
	int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || listen(fd, backlog) < 0)
		die("monitor-socket", errno, path);
	return fd;
}

/* Everything that can fail is done before we detach, so failures reach Node as `error` lines. */
static void setup(int pipes[3][2])
{
	if (opt.pid_file && unlink(opt.pid_file) < 0 && errno != ENOENT)
		die("monitor-pid-file", errno, opt.pid_file);
	if (opt.log) {
		struct stat st;
		if ((log_fd = open(opt.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0 || fstat(log_fd, &st) < 0)
			die("monitor-log", errno, opt.log);
		log_size = st.st_size; /* a restarted container appends, as Docker's json-file does */
	}
	if (opt.ctl) { /* O_RDWR: we hold a writer ourselves, so no EOF when writers come and go */
		struct stat st;
		if ((mkfifo(opt.ctl, 0600) < 0 && errno != EEXIST) || (ctl_fd = open(opt.ctl, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
			die("monitor-ctl", errno, opt.ctl);
		if (fstat(ctl_fd, &st) < 0 || !S_ISFIFO(st.st_mode))
			die("monitor-ctl", EEXIST, opt.ctl); /* something else has this name: not ours to use */
	}
	if (opt.sock)
		listen_fd = unix_listen(opt.sock, 64);
	if (opt.tty)
		con_listen = unix_listen(opt.console, 1);
	for (int i = 0; i < 3; i++) {
		int devnull = (opt.tty || (i == 0 && !opt.open_stdin));
		if (devnull) {
			pipes[i][0] = pipes[i][1] = open("/dev/null", O_RDWR | O_CLOEXEC);
		} else if (pipe2(pipes[i], O_CLOEXEC) < 0) {
			die("monitor-pipe", errno, "");
		}
		if (devnull && pipes[i][0] < 0)
			die("monitor-open", errno, "/dev/null");
	}
	if (!opt.tty) { /* our ends never block us; the container's ends stay blocking */
		out_fd[0] = pipes[1][0], out_fd[1] = pipes[2][0];
		fcntl(out_fd[0], F_SETFL, O_NONBLOCK), fcntl(out_fd[1], F_SETFL, O_NONBLOCK);
		if (opt.open_stdin)
			in_fd = pipes[0][1], fcntl(in_fd, F_SETFL, O_NONBLOCK);
	}
}

static void __attribute__((noreturn)) exec_helper(int pipes[3][2])
{
	int ign[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	sigset_t none;
	for (size_t i = 0; i < sizeof ign / sizeof ign[0]; i++) /* SIG_IGN survives execve: the container must not inherit it */
		signal(ign[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int src[3] = { pipes[0][0], pipes[1][1], pipes[2][1] };
	for (int i = 0; i < 3; i++) /* dup2 clears close-on-exec on the copies */
		if (dup2(src[i], i) < 0)
			_exit(127);
	/* fds 3 … sync fd are the runtime's (preserved fds, sync socket); everything above is ours. */
	close_range((unsigned)(opt.sync_fd > 2 ? opt.sync_fd : 2) + 1, ~0U, 0);
	execv(opt.argv[0], opt.argv);
	die("monitor-exec", errno, opt.argv[0]);
}

int main(int argc, char **argv)
{
	int pipes[3][2];
	/* fds 0-2 must be taken so that nothing of ours lands there; the daemon's other fds must not leak in. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	parse_args(argc, argv);
	close_range((unsigned)(opt.sync_fd > 2 ? opt.sync_fd : 2) + 1, ~0U, 0);
	/* Holes below the sync fd get close-on-exec placeholders, so none of our fds lands in the runtime's range. */
	for (int fd = 3; fd < opt.sync_fd; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDONLY | O_CLOEXEC) != fd)
			return 1; /* lower fds are all taken, so open() fills exactly this hole */
	signal(SIGINT, SIG_IGN), signal(SIGTERM, SIG_IGN), signal(SIGHUP, SIG_IGN), signal(SIGPIPE, SIG_IGN);
	setup(pipes);

	/* Detach: the daemon's child exits now, so the container is never the daemon's descendant. */
	pid_t pid = fork();
	if (pid < 0)
		die("monitor-fork", errno, "");
	if (pid > 0)
		_exit(0);
	setsid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("monitor-subreaper", errno, "");
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL); /* before the fork: no SIGCHLD can be lost */
	if ((sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		die("monitor-signalfd", errno, "");
	if (opt.wait_client && listen_fd >= 0) {
		/* exec: the process starts only once its client is attached, so none of its output is missed. */
		struct pollfd w = { .fd = listen_fd, .events = POLLIN };
		if (poll(&w, 1, 30000) <= 0)
			die("monitor-wait-client", ETIMEDOUT, opt.sock);
		accept_pending();
	}
	if ((helper_pid = fork()) < 0)
		die("monitor-fork", errno, opt.argv[0]);
	if (helper_pid == 0)
		exec_helper(pipes);

	/* Only the helper and the container keep the runtime's fds and the container ends of the pipes. */
	for (int i = 0; i < 3; i++) /* a /dev/null entry has one fd for both ends: closed here */
		close(pipes[i][i == 0 ? 0 : 1]);
	if (opt.sync_fd > 2)
		close_range(3, (unsigned)opt.sync_fd, 0);
	opt.sync_fd = -1; /* its number will be reused: errors from now on must not go there */
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	(void)!chdir("/");

	struct pollfd *p = NULL;
	for (;;) {
		struct pollfd *np = realloc(p, sizeof *p * (size_t)(8 + n_clients));
		if (!np)
			die("monitor-poll", ENOMEM, "");
		p = np;
		int n = 0, cl;
		/* No new input while the container has not taken the last, nor before a tty's master arrived. */
		int take_input = !in_len && !(opt.tty && opt.open_stdin && in_fd < 0 && opt.console);
		int fds[7] = { sig_fd, out_fd[0], out_fd[1], listen_fd, con_listen, con_conn, ctl_fd };
		for (int i = 0; i < 7; i++)
			p[n++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = in_len ? in_fd : -1, .events = POLLOUT };
		for (cl = 0; cl < n_clients; cl++)
			p[n++] = (struct pollfd){ .fd = clients[cl].fd, .events = clients[cl].eof || !take_input ? 0 : POLLIN };
		int waiting = helper_pid < 0 && !init_pid; /* polling for the pid file */
		if (poll(p, (nfds_t)n, waiting ? 20 : -1) < 0 && errno != EINTR)
			die("monitor-poll", errno, "");
		if (p[0].revents) {
			struct signalfd_siginfo si;
			while (read(sig_fd, &si, sizeof si) > 0) {
			}
		}
		if (p[3].revents) /* before the output: a client queued before this output was written gets it */
			accept_pending();
		for (int s = 0; s < 2; s++)
			if (p[1 + s].revents && out_fd[s] >= 0)
				pump(s);
		if (p[4].revents && con_listen >= 0 && con_conn < 0)
			con_conn = accept4(con_listen, NULL, NULL, SOCK_CLOEXEC);
		if (p[5].revents && con_conn >= 0)
			console_receive();
		if (p[6].revents)
			ctl_read();
		if (p[7].revents)
			flush_stdin();
		for (int i = cl - 1; i >= 0; i--) /* backwards: drop_client moves the last client into slot i */
			if (i < n_clients && p[8 + i].fd == clients[i].fd && p[8 + i].revents)
				(p[8 + i].revents & POLLIN) ? client_input(i) : drop_client(i);
		reap();
		if (helper_pid < 0 && !init_pid)
			identify_init();
		check_reaped();
		if (init_done)
			finish(1);
	}
}
