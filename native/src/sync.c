/* The line protocol with Node over the sync fd, and the helper<->child seqpacket channel. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "helper.h"

struct berr g_err;

int fail(const char *step, int errnum, const char *detail)
{
	g_err.step = step;
	g_err.errnum = errnum;
	snprintf(g_err.detail, sizeof g_err.detail, "%s", detail ? detail : "");
	return -1;
}

static int safe_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._~/:=,+@-", c));
}

int pct_encode(const char *in, char *out, size_t size)
{
	size_t o = 0;
	if (!*in)
		return snprintf(out, size, "%%");
	for (const unsigned char *s = (const unsigned char *)in; *s && o + 4 < size; s++) {
		if (safe_byte(*s))
			out[o++] = (char)*s;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", *s);
	}
	out[o] = 0;
	return (int)o;
}

/* Buffered so that bytes read past a line (Node may send several at once) are kept for the next call. */
static char rbuf[65536];
static size_t rlen;

int sync_readline(int fd, char *buf, size_t size)
{
	for (;;) {
		char *nl = memchr(rbuf, '\n', rlen);
		if (nl) {
			size_t n = (size_t)(nl - rbuf);
			if (n >= size)
				return fail("plan", E2BIG, "line too long");
			memcpy(buf, rbuf, n);
			buf[n] = 0;
			rlen -= n + 1;
			memmove(rbuf, nl + 1, rlen);
			return 0;
		}
		if (rlen == sizeof rbuf)
			return fail("plan", E2BIG, "line too long");
		ssize_t r = read(fd, rbuf + rlen, sizeof rbuf - rlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return fail("sync", r < 0 ? errno : EPIPE, "sync fd closed");
		rlen += (size_t)r;
	}
}

int sync_send(int fd, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* MSG_NOSIGNAL: a gone Node must not kill us with SIGPIPE before we can clean up the child. */
	for (int off = 0; off < n;) {
		ssize_t w = send(fd, line + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += (int)w;
	}
	return 0;
}

void sync_report_error(int fd)
{
	char detail[3 * sizeof g_err.detail + 1];
	pct_encode(g_err.detail, detail, sizeof detail);
	sync_send(fd, "error %s %d %s", g_err.step ? g_err.step : "helper", g_err.errnum, detail);
}

int chan_send(int fd, const char *msg, int passfd)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (passfd >= 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	}
	ssize_t w;
	do
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w < 0 ? -1 : 0;
}

ssize_t chan_recv(int fd, char *buf, size_t size, int *passfd)
{
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t r;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	buf[r] = 0;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (passfd && c && c->cmsg_type == SCM_RIGHTS)
		memcpy(passfd, CMSG_DATA(c), sizeof(int));
	return r;
}
