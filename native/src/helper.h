/* berth-helper: performs a launch plan (docs/launch-plan.md) and nothing else. */
#ifndef BERTH_HELPER_H
#define BERTH_HELPER_H

#include <stdint.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

/*
 * Error convention: functions return 0 on success or -1 after calling fail(), which records the step, the
 * errno and a detail (usually a path) in the one global error. Whoever owns the sync channel reports it as
 * `error <step> <errno> <detail>` and exits 1.
 */
struct berr {
	const char *step;
	int errnum;
	char detail[4096];
};
extern struct berr g_err;
extern sigset_t g_oldmask; /* the mask the container process must start with */
int fail(const char *step, int errnum, const char *detail);

#define MAX_ITEMS 256

struct mnt {
	char *src, *dest, *fstype, *data;
	unsigned long flags, pflags;
};
struct dev {
	char *path;
	char type;
	unsigned major, minor, mode, uid, gid;
};
struct kv {
	char *a, *b;
};
struct rlim {
	int resource;
	uint64_t soft, hard;
};
struct idmap {
	unsigned long inside, outside, count;
};
/* One seccomp rule, already mapped to libseccomp values (action = SCMP_ACT_*, op = enum scmp_compare). */
struct sc_arg {
	unsigned index;
	int op;
	uint64_t value, value_two;
};
struct sc_rule {
	char *name;
	uint32_t action;
	int nargs;
	struct sc_arg args[6];
};
struct seccomp_plan {
	int enabled;
	uint32_t def_action;
	char *arches[24];
	int n_arches;
	int tsync, log, spec_allow;
	struct sc_rule *rules; /* grows: a full profile has hundreds */
	int n_rules, cap_rules;
	char *listener; /* `seccomp-listener`: unix socket of the seccomp agent, or NULL */
	unsigned char *bpf; /* `seccomp-bpf`: the filter already compiled (seccomp-export), loaded as is */
	size_t bpf_len;
};

struct timeoff {
	char *clock;
	long long secs;
	long nanos;
};

/* An in-container OCI hook (createContainer or startContainer), run by hooks.c. */
#define MAX_HOOKS 32
#define MAX_HOOK_ARGS 64
#define MAX_HOOK_ENV 128
struct hook {
	char *kind, *path;
	unsigned timeout; /* seconds, 0 = none */
	char *argv[MAX_HOOK_ARGS], *env[MAX_HOOK_ENV];
	int n_argv, n_env;
};

struct plan {
	int exec_mode;
	int ns_new; /* CLONE_NEW* mask */
	struct kv ns_join[8]; /* a = type, b = path */
	int n_ns_join;
	struct idmap uidmap[MAX_ITEMS / 8], gidmap[MAX_ITEMS / 8];
	int n_uidmap, n_gidmap;
	int setgroups_deny;
	struct timeoff timens[2];
	int n_timens;
	char *cgroup_procs[MAX_ITEMS / 8];
	int n_cgroup_procs;
	char *rootfs, *propagation;
	int readonly_root, no_pivot;
	struct mnt mounts[MAX_ITEMS];
	int n_mounts;
	struct dev devices[MAX_ITEMS];
	int n_devices;
	char *device_binds[MAX_ITEMS];
	int n_device_binds;
	struct kv symlinks[MAX_ITEMS]; /* a = target, b = link */
	int n_symlinks;
	char *masked[MAX_ITEMS], *readonly[MAX_ITEMS];
	int n_masked, n_readonly;
	char *hostname, *domainname;
	struct kv sysctls[MAX_ITEMS];
	int n_sysctls;
	int loopback_up;
	int has_personality;
	unsigned long personality;
	struct rlim rlimits[64];
	int n_rlimits;
	int has_oom, oom_score_adj;
	char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t groups[256];
	int n_groups;
	int has_umask;
	mode_t umask;
	int caps_given; /* bit per set, see CAPSET_* */
	uint64_t caps[5];
	int no_new_privs;
	struct seccomp_plan seccomp;
	char *env[1024];
	int n_env;
	char *argv[1024];
	int n_argv;
	int terminal;
	unsigned short rows, cols;
	char *console_socket, *exec_fifo;
	int wait;
	int no_hold;
	int cgroup_wait; /* the cgroup.procs files come in a `cgroups` line from Node, once it has made them */
	struct hook hooks[MAX_HOOKS];
	int n_hooks;
	char *state; /* container state JSON from Node's `state` line, for the hooks' stdin; NULL if none */
	char *seccomp_state; /* containerProcessState from Node's `seccomp-state` line, for the seccomp agent */
};
enum { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_INHERITABLE, CAPSET_PERMITTED, CAPSET_AMBIENT };

/* plan.c */
int plan_read(int fd, struct plan *p);
int seccomp_export(const struct plan *p, int fd);
int pct_decode(char *s);

/* sync.c: the line protocol with Node, and the seqpacket channel between helper and child. */
int sync_readline(int fd, char *buf, size_t size);
int sync_send(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sync_report_error(int fd);
int chan_send(int fd, const char *msg, int passfd);
ssize_t chan_recv(int fd, char *buf, size_t size, int *passfd);
int pct_encode(const char *in, char *out, size_t size);

/* namespaces.c */
int ns_flag(const char *type);
int ns_open_joins(const struct plan *p, int *fds);
int ns_join(const struct plan *p, int *fds);
int ns_joins_any(const struct plan *p, int flags);
int ns_new_time(const struct plan *p);
int ns_write_idmaps(const struct plan *p, pid_t pid);
int ns_child_setup(const struct plan *p);

/* mounts.c */
int rootfs_setup(const struct plan *p);

/* seccomp.c */
int seccomp_parse_line(struct plan *p, char **a, int argc);
int seccomp_build(const struct plan *p);
struct proc_fds;
int seccomp_install(const struct plan *p, struct proc_fds *f);

/* hooks.c: runs the plan's hooks of one kind in order; the first failure is fail("hook", …). */
int hooks_run(const struct plan *p, const char *kind, const char *state);

/* process.c */
struct proc_fds {
	int console;   /* connected console socket or -1 */
	int listener;  /* connected seccomp agent socket or -1 */
	int fifo;      /* O_PATH exec fifo or -1 */
	int chan;      /* child end of the channel to the helper */
	int sync_fd;   /* first fd not passed to the container */
};
int process_prepare(const struct plan *p, struct proc_fds *f, char *exe, size_t exesize);
void process_exec(const struct plan *p, struct proc_fds *f, const char *exe) __attribute__((noreturn));

/* terminal.c */
int terminal_setup(const struct plan *p, struct proc_fds *f);
int unix_connect(const char *path, const char *step);
int console_connect(const char *path);
int relay(int from, int to);

/* launcher.c */
int launcher_main(int argc, char **argv);

/* wait.c */
int wait_child(const struct plan *p, pid_t pid, int sigfd, int master) __attribute__((noreturn));

#endif
