/* Reads the plan lines (docs/launch-plan.md) into struct plan. No policy: values are taken as given. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helper.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* In place; '%' alone is the empty string. */
int pct_decode(char *s)
{
	char *o = s;
	if (!strcmp(s, "%")) {
		*s = 0;
		return 0;
	}
	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);
		if (l < 0)
			return -1;
		*o++ = (char)(h * 16 + l);
		s += 2;
	}
	*o = 0;
	return 0;
}

static unsigned long long num(const char *s, int base, int *bad)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s || *end)
		*bad = 1;
	return v;
}

#define ADD(arr, n, cap) (*(n) < (cap) ? &(arr)[(*(n))++] : NULL)
#define NEED(k) do { if (argc != (k) + 1) goto bad; } while (0)

static const char *capsets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

static int parse_line(struct plan *p, char **a, int argc)
{
	int bad = 0;
	const char *op = a[0];
	if (!strcmp(op, "ns-new")) {
		NEED(1);
		int f = ns_flag(a[1]);
		if (!f)
			goto bad;
		p->ns_new |= f;
	} else if (!strcmp(op, "ns-join")) {
		NEED(2);
		struct kv *k = ADD(p->ns_join, &p->n_ns_join, 8);
		if (!k || !ns_flag(a[1]))
			goto bad;
		k->a = a[1], k->b = a[2];
	} else if (!strcmp(op, "uidmap") || !strcmp(op, "gidmap")) {
		NEED(3);
		struct idmap *m = op[0] == 'u' ? ADD(p->uidmap, &p->n_uidmap, MAX_ITEMS / 8)
					       : ADD(p->gidmap, &p->n_gidmap, MAX_ITEMS / 8);
		if (!m)
			goto bad;
		m->inside = num(a[1], 10, &bad), m->outside = num(a[2], 10, &bad), m->count = num(a[3], 10, &bad);
	} else if (!strcmp(op, "setgroups")) {
		NEED(1);
		p->setgroups_deny = !strcmp(a[1], "deny");
	} else if (!strcmp(op, "timens")) {
		NEED(3);
		struct timeoff *t = ADD(p->timens, &p->n_timens, 2);
		if (!t)
			goto bad;
		t->clock = a[1], t->secs = strtoll(a[2], NULL, 10), t->nanos = strtol(a[3], NULL, 10);
	} else if (!strcmp(op, "cgroup-procs")) {
		NEED(1);
		char **c = ADD(p->cgroup_procs, &p->n_cgroup_procs, MAX_ITEMS / 8);
		if (!c)
			goto bad;
		*c = a[1];
	} else if (!strcmp(op, "rootfs")) {
		NEED(1);
		p->rootfs = a[1];
	} else if (!strcmp(op, "rootfs-propagation")) {
		NEED(1);
		p->propagation = a[1];
	} else if (!strcmp(op, "readonly-root")) {
		p->readonly_root = 1;
	} else if (!strcmp(op, "no-pivot")) {
		p->no_pivot = 1;
	} else if (!strcmp(op, "mount")) {
		NEED(6);
		struct mnt *m = ADD(p->mounts, &p->n_mounts, MAX_ITEMS);
		if (!m)
			goto bad;
		m->src = a[1], m->dest = a[2], m->fstype = a[3], m->data = a[6];
		m->flags = num(a[4], 10, &bad), m->pflags = num(a[5], 10, &bad);
	} else if (!strcmp(op, "device")) {
		NEED(7);
		struct dev *d = ADD(p->devices, &p->n_devices, MAX_ITEMS);
		if (!d || strlen(a[2]) != 1)
			goto bad;
		d->path = a[1], d->type = a[2][0];
		d->major = num(a[3], 10, &bad), d->minor = num(a[4], 10, &bad), d->mode = num(a[5], 10, &bad);
		d->uid = num(a[6], 10, &bad), d->gid = num(a[7], 10, &bad);
	} else if (!strcmp(op, "device-bind")) {
		NEED(1);
		char **c = ADD(p->device_binds, &p->n_device_binds, MAX_ITEMS);
		if (!c)
			goto bad;
		*c = a[1];
	} else if (!strcmp(op, "symlink")) {
		NEED(2);
		struct kv *k = ADD(p->symlinks, &p->n_symlinks, MAX_ITEMS);
		if (!k)
			goto bad;
		k->a = a[1], k->b = a[2];
	} else if (!strcmp(op, "masked-path") || !strcmp(op, "readonly-path")) {
		NEED(1);
		char **c = op[0] == 'm' ? ADD(p->masked, &p->n_masked, MAX_ITEMS) : ADD(p->readonly, &p->n_readonly, MAX_ITEMS);
		if (!c)
			goto bad;
		*c = a[1];
	} else if (!strcmp(op, "hostname")) {
		NEED(1);
		p->hostname = a[1];
	} else if (!strcmp(op, "domainname")) {
		NEED(1);
		p->domainname = a[1];
	} else if (!strcmp(op, "sysctl")) {
		NEED(2);
		struct kv *k = ADD(p->sysctls, &p->n_sysctls, MAX_ITEMS);
		if (!k)
			goto bad;
		k->a = a[1], k->b = a[2];
	} else if (!strcmp(op, "loopback-up")) {
		p->loopback_up = 1;
	} else if (!strcmp(op, "personality")) {
		NEED(1);
		p->has_personality = 1, p->personality = (unsigned long)num(a[1], 10, &bad);
	} else if (!strcmp(op, "rlimit")) {
		NEED(3);
		struct rlim *r = ADD(p->rlimits, &p->n_rlimits, 64);
		if (!r)
			goto bad;
		r->resource = (int)num(a[1], 10, &bad);
		r->soft = !strcmp(a[2], "-1") ? ~0ULL : num(a[2], 10, &bad);
		r->hard = !strcmp(a[3], "-1") ? ~0ULL : num(a[3], 10, &bad);
	} else if (!strcmp(op, "oom-score-adj")) {
		NEED(1);
		p->has_oom = 1, p->oom_score_adj = atoi(a[1]);
	} else if (!strcmp(op, "cwd")) {
		NEED(1);
		p->cwd = a[1];
	} else if (!strcmp(op, "user")) {
		NEED(2);
		p->uid = (uid_t)num(a[1], 10, &bad), p->gid = (gid_t)num(a[2], 10, &bad);
	} else if (!strcmp(op, "groups")) {
		for (int i = 1; i < argc; i++) {
			gid_t *g = ADD(p->groups, &p->n_groups, 256);
			if (!g)
				goto bad;
			*g = (gid_t)num(a[i], 10, &bad);
		}
	} else if (!strcmp(op, "umask")) {
		NEED(1);
		p->has_umask = 1, p->umask = (mode_t)num(a[1], 8, &bad);
	} else if (!strcmp(op, "caps")) {
		NEED(2);
		int i = 0;
		while (i < 5 && strcmp(a[1], capsets[i]))
			i++;
		if (i == 5)
			goto bad;
		p->caps_given |= 1 << i;
		p->caps[i] = num(a[2], 16, &bad);
	} else if (!strcmp(op, "no-new-privileges")) {
		p->no_new_privs = 1;
	} else if (!strcmp(op, "env") || !strcmp(op, "arg")) {
		NEED(1);
		char **c = op[0] == 'e' ? ADD(p->env, &p->n_env, 1023) : ADD(p->argv, &p->n_argv, 1023);
		if (!c)
			goto bad;
		*c = a[1];
	} else if (!strcmp(op, "terminal")) {
		p->terminal = 1;
	} else if (!strcmp(op, "console-size")) {
		NEED(2);
		p->rows = (unsigned short)num(a[1], 10, &bad), p->cols = (unsigned short)num(a[2], 10, &bad);
	} else if (!strcmp(op, "console-socket")) {
		NEED(1);
		p->console_socket = a[1];
	} else if (!strcmp(op, "exec-fifo")) {
		NEED(1);
		p->exec_fifo = a[1];
	} else if (!strcmp(op, "wait")) {
		p->wait = 1;
	} else if (!strcmp(op, "no-hold")) {
		p->no_hold = 1;
	} else if (!strcmp(op, "cgroup-wait")) {
		p->cgroup_wait = 1;
	} else if (!strcmp(op, "hook")) {
		NEED(3);
		struct hook *h = ADD(p->hooks, &p->n_hooks, MAX_HOOKS);
		if (!h || (strcmp(a[1], "createContainer") && strcmp(a[1], "startContainer")))
			goto bad;
		h->kind = a[1], h->timeout = (unsigned)num(a[2], 10, &bad), h->path = a[3];
	} else if (!strcmp(op, "hook-arg") || !strcmp(op, "hook-env")) {
		/* Belongs to the last `hook` line. */
		NEED(1);
		if (!p->n_hooks)
			goto bad;
		struct hook *h = &p->hooks[p->n_hooks - 1];
		char **c = op[5] == 'a' ? ADD(h->argv, &h->n_argv, MAX_HOOK_ARGS) : ADD(h->env, &h->n_env, MAX_HOOK_ENV);
		if (!c)
			goto bad;
		*c = a[1];
	} else if (!strncmp(op, "seccomp-", 8)) {
		return seccomp_parse_line(p, a, argc);
	} else {
		goto bad;
	}
	return bad ? -1 : 0;
bad:
	return -1;
}

int plan_read(int fd, struct plan *p)
{
	static char line[65536];
	if (sync_readline(fd, line, sizeof line) < 0)
		return -1;
	if (strcmp(line, "berth-plan 1"))
		return fail("plan", EINVAL, line);
	for (;;) {
		if (sync_readline(fd, line, sizeof line) < 0)
			return -1;
		if (!strcmp(line, "end"))
			break;
		char *copy = strdup(line), *a[16], *save = NULL;
		int argc = 0;
		if (!copy)
			return fail("plan", ENOMEM, "");
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			/* `groups` is the only line with a variable count; more than 15 extra gids is unusual but legal. */
			if (argc == 16) {
				if (strcmp(a[0], "groups") || parse_line(p, a, argc) < 0)
					return fail("plan", E2BIG, line);
				argc = 1;
			}
			if (pct_decode(t) < 0)
				return fail("plan", EINVAL, line);
			a[argc++] = t;
		}
		if (argc == 0 || parse_line(p, a, argc) < 0)
			return fail("plan", EINVAL, line);
	}
	if (p->n_argv == 0)
		return fail("plan", EINVAL, "no arg line");
	return 0;
}
