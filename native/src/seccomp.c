/*
 * The seccomp lines of a plan (docs/launch-plan.md) and the libseccomp filter built from them. TypeScript has
 * validated the profile; this file maps wire names to libseccomp values and reports what the kernel refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include "helper.h"

static scmp_filter_ctx ctx;

static int action(const char *name, const char *data, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long e = strtoul(data, &end, 10);
	if (errno || end == data || *end || e > 0xffff)
		return -1;
	if (!strcmp(name, "kill-thread"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "kill-process"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "trap"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "errno"))
		*out = SCMP_ACT_ERRNO(e);
	else if (!strcmp(name, "trace"))
		*out = SCMP_ACT_TRACE(e);
	else if (!strcmp(name, "allow"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "log"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "notify"))
		*out = SCMP_ACT_NOTIFY;
	else
		return -1;
	return 0;
}

static const char *ops[] = { "", "ne", "lt", "le", "eq", "ge", "gt", "masked-eq" }; /* index = enum scmp_compare */

/* `<index>:<op>:<value>:<valueTwo>` */
static int parse_arg(char *s, struct sc_arg *out)
{
	char *f[4], *save = NULL, *end;
	int n = 0;
	for (char *t = strtok_r(s, ":", &save); t && n < 4; t = strtok_r(NULL, ":", &save))
		f[n++] = t;
	if (n != 4)
		return -1;
	out->op = 0;
	for (int i = 1; i < (int)(sizeof ops / sizeof ops[0]); i++)
		if (!strcmp(f[1], ops[i]))
			out->op = i;
	errno = 0;
	out->index = (unsigned)strtoul(f[0], &end, 10);
	int bad = errno || *end || out->index > 5 || !out->op;
	out->value = strtoull(f[2], &end, 10);
	bad |= errno || *end;
	out->value_two = strtoull(f[3], &end, 10);
	bad |= errno || *end;
	return bad ? -1 : 0;
}

int seccomp_parse_line(struct plan *p, char **a, int argc)
{
	struct seccomp_plan *s = &p->seccomp;
	const char *op = a[0] + 8;
	if (!strcmp(op, "default") && argc == 3) {
		s->enabled = 1;
		return action(a[1], a[2], &s->def_action);
	}
	if (!strcmp(op, "arch") && argc == 2 && s->n_arches < (int)(sizeof s->arches / sizeof s->arches[0])) {
		s->arches[s->n_arches++] = a[1];
		return 0;
	}
	if (!strcmp(op, "bpf") && argc == 2) {
		/* A filter compiled once by `seccomp-export` (Node caches it per profile): no libseccomp work per launch. */
		size_t n = strlen(a[1]);
		if (n % 2 || n == 0 || n / 2 % sizeof(struct sock_filter))
			return -1;
		if (!(s->bpf = malloc(n / 2)))
			return -1;
		for (size_t i = 0; i < n / 2; i++) {
			unsigned v;
			if (sscanf(a[1] + 2 * i, "%2x", &v) != 1)
				return -1;
			s->bpf[i] = (unsigned char)v;
		}
		s->bpf_len = n / 2;
		s->enabled = 1;
		return 0;
	}
	if (!strcmp(op, "listener") && argc == 2) {
		s->listener = a[1];
		return 0;
	}
	if (!strcmp(op, "flag") && argc == 2) {
		int *f = !strcmp(a[1], "tsync") ? &s->tsync : !strcmp(a[1], "log") ? &s->log
			: !strcmp(a[1], "spec-allow") ? &s->spec_allow : NULL;
		return f ? (*f = 1, 0) : -1;
	}
	if (strcmp(op, "rule") || argc < 4 || argc > 4 + 6)
		return -1;
	if (s->n_rules == s->cap_rules) {
		int cap = s->cap_rules ? s->cap_rules * 2 : 256;
		struct sc_rule *r = realloc(s->rules, sizeof *r * (size_t)cap);
		if (!r)
			return -1;
		s->rules = r, s->cap_rules = cap;
	}
	struct sc_rule *r = &s->rules[s->n_rules];
	if (action(a[1], a[2], &r->action) < 0)
		return -1;
	r->name = a[3];
	r->nargs = argc - 4;
	for (int i = 0; i < r->nargs; i++)
		if (parse_arg(a[4 + i], &r->args[i]) < 0)
			return -1;
	s->n_rules++;
	return 0;
}

static int lib_fail(int rc, const char *detail)
{
	return fail("seccomp", rc < 0 ? -rc : EINVAL, detail);
}

/* Built before the process changes credentials so profile errors are reported before `ready`. */
int seccomp_build(const struct plan *p)
{
	const struct seccomp_plan *s = &p->seccomp;
	int rc;
	if (s->bpf)
		return 0;
	if (!(ctx = seccomp_init(s->def_action)))
		return fail("seccomp", EINVAL, "init");
	/* libseccomp would set no_new_privs on load by default; the plan's no-new-privileges line decides that. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
		return lib_fail(rc, "no_new_privs attribute");
	for (int i = 0; i < s->n_arches; i++) {
		uint32_t arch = seccomp_arch_resolve_name(s->arches[i]);
		if (!arch)
			return fail("seccomp", EINVAL, s->arches[i]);
		if ((rc = seccomp_arch_add(ctx, arch)) < 0 && rc != -EEXIST)
			return lib_fail(rc, s->arches[i]);
	}
	if (s->tsync && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
		return lib_fail(rc, "SECCOMP_FILTER_FLAG_TSYNC");
	if (s->log && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) < 0)
		return lib_fail(rc, "SECCOMP_FILTER_FLAG_LOG");
	if (s->spec_allow && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)) < 0)
		return lib_fail(rc, "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
	for (int i = 0; i < s->n_rules; i++) {
		const struct sc_rule *r = &s->rules[i];
		int nr = seccomp_syscall_resolve_name(r->name);
		/* A name this architecture does not have: profiles list syscalls of every arch and kernel (runc). */
		if (nr == __NR_SCMP_ERROR)
			continue;
		struct scmp_arg_cmp cmp[6];
		for (int j = 0; j < r->nargs; j++)
			cmp[j] = (struct scmp_arg_cmp){ .arg = r->args[j].index, .op = (enum scmp_compare)r->args[j].op,
							.datum_a = r->args[j].value, .datum_b = r->args[j].value_two };
		if ((rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->nargs, cmp)) < 0)
			return lib_fail(rc, r->name);
	}
	return 0;
}

/*
 * Loads the filter; with a listener, hands the notification fd to the seccomp agent with the
 * containerProcessState Node built (runc's order: after the load, which is what creates the fd).
 */
int seccomp_install(const struct plan *p, struct proc_fds *f)
{
	const struct seccomp_plan *s = &p->seccomp;
	if (s->bpf) {
		struct sock_fprog prog = { .len = (unsigned short)(s->bpf_len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)s->bpf };
		unsigned flags = (s->tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0) | (s->log ? SECCOMP_FILTER_FLAG_LOG : 0) |
				 (s->spec_allow ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0);
		return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0 ? fail("seccomp", errno, "load") : 0;
	}
	int rc = seccomp_load(ctx);
	/* libseccomp loads with SECCOMP_FILTER_FLAG_NEW_LISTENER when a rule notifies; the fd is its own. */
	int nfd = rc < 0 || f->listener < 0 ? -EBADF : seccomp_notify_fd(ctx);
	seccomp_release(ctx);
	ctx = NULL;
	if (rc < 0)
		return lib_fail(rc, "load");
	if (f->listener < 0)
		return 0;
	if (nfd < 0)
		return fail("seccomp-listener", -nfd, "no notification fd (does a rule notify?)");
	/* One message, exactly one SCM_RIGHTS fd: the runtime-spec "seccomp user notification" protocol. */
	rc = chan_send(f->listener, p->seccomp_state, nfd);
	int e = errno;
	close(nfd); /* only the agent may answer notifications */
	close(f->listener);
	f->listener = -1;
	return rc < 0 ? fail("seccomp-listener", e, p->seccomp.listener) : 0;
}

/* `berth-helper seccomp-export`: the plan's seccomp lines (stdin) compiled to the BPF program (fd). */
int seccomp_export(const struct plan *p, int fd)
{
	if (seccomp_build(p) < 0)
		return -1;
	int rc = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	ctx = NULL;
	return rc < 0 ? lib_fail(rc, "export") : 0;
}
