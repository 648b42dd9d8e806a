/*
 * berth-fsops: the filesystem calls Node has no binding for — mknod (devices, fifos and overlay whiteouts),
 * extended attributes without following symlinks, mount/umount for snapshots, and pinning a new network
 * namespace (with lo up) on a file for the engine, and running short programs (CNI plugins) for the engine:
 * forking this small process costs far less than forking the daemon. One process serves a
 * whole layer unpack or snapshot operation over stdin/stdout, one request per line, so an image with
 * thousands of whiteouts costs one spawn.
 *
 * Requests (paths and values are hex so any byte can pass; "-" is an empty value):
 *   mknod <path> <mode-octal> <major> <minor>
 *   setxattr <path> <name> <value>
 *   xattrs <path>                      -> ok <name>=<value> ...
 *   mount <type> <source> <target> <options>
 *   umount <target> <flags>
 * Replies: "ok[ payload]" or "err <errno> <message>".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define MAX_FIELDS 6

/* "-" stands for an empty field (the protocol splits on spaces, so empty hex would vanish). */
static int unhex(const char *in, char **out, size_t *len) {
  if (!strcmp(in, "-")) in = "";
  size_t n = strlen(in);
  if (n % 2) return -1;
  char *buf = malloc(n / 2 + 1);
  if (!buf) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    unsigned v;
    if (sscanf(in + 2 * i, "%2x", &v) != 1) { free(buf); return -1; }
    buf[i] = (char)v;
  }
  buf[n / 2] = 0;
  *out = buf;
  if (len) *len = n / 2;
  return 0;
}

static void put_hex(const char *data, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", (unsigned char)data[i]);
}

static void reply_err(int err) { printf("err %d %s\n", err, strerror(err)); }

/* Mount flags by option name; anything else goes to the filesystem as data (overlay's lowerdir=...). */
static const struct { const char *name; unsigned long flag; } FLAGS[] = {
  {"ro", MS_RDONLY}, {"nosuid", MS_NOSUID}, {"nodev", MS_NODEV}, {"noexec", MS_NOEXEC},
  {"bind", MS_BIND}, {"rbind", MS_BIND | MS_REC}, {"remount", MS_REMOUNT}, {"rw", 0},
};

static int do_mount(const char *type, const char *source, const char *target, const char *options) {
  char *opts = strdup(options), *data = calloc(1, strlen(options) + 1), *save = NULL;
  unsigned long flags = 0;
  if (!opts || !data) { free(opts); free(data); return ENOMEM; }
  for (char *tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int known = 0;
    for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++)
      if (!strcmp(tok, FLAGS[i].name)) { flags |= FLAGS[i].flag; known = 1; }
    if (!known) {
      if (*data) strcat(data, ",");
      strcat(data, tok);
    }
  }
  int rc = mount(source, target, type, flags, *data ? data : NULL) ? errno : 0;
  /* A read-only bind needs a second, remounting call (the kernel ignores MS_RDONLY on the first). */
  if (!rc && (flags & MS_BIND) && (flags & MS_RDONLY))
    rc = mount(NULL, target, NULL, flags | MS_REMOUNT, NULL) ? errno : 0;
  free(opts);
  free(data);
  return rc;
}

/* A new network namespace with lo up, pinned by a bind mount on `path` (an existing file): one fork, no exec. */
static int pin_netns(const char *path) {
  pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    if (unshare(CLONE_NEWNET)) _exit(errno & 0xff);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr)) _exit(errno & 0xff);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr)) _exit(errno & 0xff);
    /* Same mount namespace as the parent: the pin is visible to everyone once we exit. */
    _exit(mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) ? errno & 0xff : 0);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return errno;
  return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

/* A NUL-separated list → a NULL-terminated vector, `first` in front when given. */
static char **vec(char *buf, size_t len, char *first) {
  size_t n = first ? 1 : 0;
  for (size_t i = 0; i < len; i++) n += buf[i] == 0;
  if (len && buf[len - 1]) n++;
  char **v = calloc(n + 2, sizeof *v);
  if (!v) return NULL;
  size_t k = 0;
  if (first) v[k++] = first;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) v[k++] = buf + i;
  return v;
}

struct sink { char *buf; size_t len, cap; };

static int drain(int fd, struct sink *s) {
  char chunk[16384];
  ssize_t r = read(fd, chunk, sizeof chunk);
  if (r <= 0) return r == 0 || (errno != EAGAIN && errno != EINTR) ? -1 : 0;
  if (s->len + (size_t)r > s->cap) {
    size_t cap = (s->cap ? s->cap * 2 : 65536) + (size_t)r;
    char *nb = realloc(s->buf, cap);
    if (!nb) return -1;
    s->buf = nb, s->cap = cap;
  }
  memcpy(s->buf + s->len, chunk, (size_t)r);
  s->len += (size_t)r;
  return 0;
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Runs a program with the given argv tail, environment and stdin; replies with its status and output. The
 * engine runs CNI plugins this way: forking this small process is far cheaper than forking the daemon.
 */
static void run_program(char *bin, char *args, size_t alen, char *env, size_t elen, const char *in, size_t inlen, long timeout_ms) {
  char **argv = vec(args, alen, bin), **envp = vec(env, elen, NULL);
  int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
  struct sink out = { 0 }, err = { 0 };
  if (!argv || !envp || pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC)) {
    reply_err(errno ? errno : ENOMEM);
    goto done;
  }
  pid_t pid = fork();
  if (pid < 0) {
    reply_err(errno);
    goto done;
  }
  if (pid == 0) {
    dup2(pin[0], 0), dup2(pout[1], 1), dup2(perr[1], 2);
    signal(SIGPIPE, SIG_DFL);
    execve(bin, argv, envp);
    _exit(127);
  }
  close(pin[0]), close(pout[1]), close(perr[1]);
  pin[0] = pout[1] = perr[1] = -1;
  fcntl(pin[1], F_SETFL, O_NONBLOCK), fcntl(pout[0], F_SETFL, O_NONBLOCK), fcntl(perr[0], F_SETFL, O_NONBLOCK);
  size_t off = 0;
  if (!inlen) close(pin[1]), pin[1] = -1;
  long long deadline = now_ms() + timeout_ms;
  int timed_out = 0;
  while (pout[0] >= 0 || perr[0] >= 0) {
    struct pollfd p[3] = { { pout[0], POLLIN, 0 }, { perr[0], POLLIN, 0 }, { pin[1], POLLOUT, 0 } };
    long long left = deadline - now_ms();
    if (left <= 0) {
      timed_out = 1;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(p, 3, (int)left) < 0 && errno != EINTR) break;
    if (p[0].revents && drain(pout[0], &out) < 0) close(pout[0]), pout[0] = -1;
    if (p[1].revents && drain(perr[0], &err) < 0) close(perr[0]), perr[0] = -1;
    if (p[2].revents && pin[1] >= 0) {
      ssize_t w = write(pin[1], in + off, inlen - off);
      if (w > 0) off += (size_t)w;
      if (w < 0 && errno != EAGAIN && errno != EINTR) off = inlen;
      if (off >= inlen) close(pin[1]), pin[1] = -1;
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  printf("ok %d ", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  if (out.len) put_hex(out.buf, out.len); else putchar('-');
  putchar(' ');
  if (err.len) put_hex(err.buf, err.len); else putchar('-');
  printf(" %d\n", timed_out);
done:
  for (int i = 0; i < 2; i++) {
    if (pin[i] >= 0) close(pin[i]);
    if (pout[i] >= 0) close(pout[i]);
    if (perr[i] >= 0) close(perr[i]);
  }
  free(out.buf), free(err.buf), free(argv), free(envp);
}

static void handle(char **f, int n) {
  char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  size_t blen = 0, clen = 0;
  if (!strcmp(f[0], "mknod") && n == 5) {
    if (unhex(f[1], &a, NULL)) goto bad;
    mode_t mode = (mode_t)strtoul(f[2], NULL, 8);
    dev_t dev = makedev(strtoul(f[3], NULL, 10), strtoul(f[4], NULL, 10));
    if (mknod(a, mode, dev)) reply_err(errno); else puts("ok");
  } else if (!strcmp(f[0], "setxattr") && n == 4) {
    if (unhex(f[1], &a, NULL) || unhex(f[2], &b, NULL) || unhex(f[3], &c, &clen)) goto bad;
    if (lsetxattr(a, b, c, clen, 0)) reply_err(errno); else puts("ok");
  } else if (!strcmp(f[0], "xattrs") && n == 2) {
    if (unhex(f[1], &a, NULL)) goto bad;
    ssize_t len = llistxattr(a, NULL, 0);
    if (len < 0) { reply_err(errno); goto out; }
    char *names = malloc((size_t)len + 1);
    len = names ? llistxattr(a, names, (size_t)len) : -1;
    if (len < 0) { reply_err(names ? errno : ENOMEM); free(names); goto out; }
    fputs("ok", stdout);
    for (char *name = names; name < names + len; name += strlen(name) + 1) {
      ssize_t vlen = lgetxattr(a, name, NULL, 0);
      if (vlen < 0) continue;
      char *val = malloc((size_t)vlen + 1);
      if (!val) continue;
      vlen = lgetxattr(a, name, val, (size_t)vlen);
      if (vlen >= 0) {
        putchar(' ');
        put_hex(name, strlen(name));
        putchar('=');
        put_hex(val, (size_t)vlen);
      }
      free(val);
    }
    putchar('\n');
    free(names);
  } else if (!strcmp(f[0], "mount") && n == 5) {
    if (unhex(f[1], &a, NULL) || unhex(f[2], &b, &blen) || unhex(f[3], &c, NULL) || unhex(f[4], &d, NULL)) goto bad;
    int rc = do_mount(a, b, c, d);
    if (rc) reply_err(rc); else puts("ok");
  } else if (!strcmp(f[0], "run") && n == 6) {
    size_t alen = 0, elen = 0, inlen = 0;
    if (unhex(f[1], &a, NULL) || unhex(f[2], &b, &alen) || unhex(f[3], &c, &elen) || unhex(f[4], &d, &inlen)) goto bad;
    run_program(a, b, alen, c, elen, d, inlen, atol(f[5]));
  } else if (!strcmp(f[0], "netns") && n == 2) {
    if (unhex(f[1], &a, NULL)) goto bad;
    int rc = pin_netns(a);
    if (rc) reply_err(rc); else puts("ok");
  } else if (!strcmp(f[0], "umount") && n == 3) {
    if (unhex(f[1], &a, NULL)) goto bad;
    if (umount2(a, atoi(f[2]))) reply_err(errno); else puts("ok");
  } else {
  bad:
    reply_err(EINVAL);
  }
out:
  free(a);
  free(b);
  free(c);
  free(d);
}

int main(void) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN); /* a program that exits before reading its stdin must not take us with it */
  while ((len = getline(&line, &cap, stdin)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = 0;
    char *f[MAX_FIELDS], *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(line, " ", &save); tok && n < MAX_FIELDS; tok = strtok_r(NULL, " ", &save)) f[n++] = tok;
    if (n == 0) continue;
    handle(f, n);
  }
  free(line);
  return 0;
}
