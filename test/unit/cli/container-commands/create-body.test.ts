// run/create flags → POST /containers/create body, compared with what docker CLI 28 sends for the same flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../../src/common/args.js';
import { parseCommand } from '../../../../src/cli/container-commands/argv.js';
import { buildCreatePlan, type CreatePlan } from '../../../../src/cli/container-commands/create-body.js';
import { RUN_FLAGS } from '../../../../src/cli/container-commands/run-flags.js';

const files: Record<string, string> = {
  '/cfg/app.env': '# comment\n\nA=1\n  B=two words\nFROM_HOST\nUNSET_ONE\n',
  '/cfg/labels': 'tier=web\nteam\n',
  '/cfg/bad.env': 'MY VAR=1\n',
};
const inputs = {
  env: { FROM_HOST: 'h', PATH: '/usr/bin' } as NodeJS.ProcessEnv,
  cwd: '/home/me/proj',
  readFile: (f: string) => {
    const t = files[f];
    if (t === undefined) throw Object.assign(new Error(`ENOENT: ${f}`), { code: 'ENOENT' });
    return t;
  },
};

function plan(argv: string[]): CreatePlan {
  const { flags, rest } = parseCommand(argv, RUN_FLAGS, true);
  return buildCreatePlan(flags, rest, inputs, flags.detach === true);
}
const host = (p: CreatePlan) => p.body.HostConfig;

test('-it --rm: TTY, stdin attached once, AutoRemove; image and command split at the first positional', () => {
  const p = plan(['-it', '--rm', '--name', 'web', 'busybox', 'sh', '-c', 'ls -la']);
  assert.deepEqual(plan(['-it=false', 'busybox']).body.Tty, false);
  assert.deepEqual(plan(['-dit', 'busybox']).body.OpenStdin, true);
  assert.equal(p.image, 'busybox');
  assert.equal(p.name, 'web');
  assert.deepEqual(p.body.Cmd, ['sh', '-c', 'ls -la']);
  assert.equal(p.body.Image, 'busybox');
  assert.equal(p.body.Tty, true);
  assert.equal(p.body.OpenStdin, true);
  assert.equal(p.body.StdinOnce, true);
  assert.deepEqual([p.body.AttachStdin, p.body.AttachStdout, p.body.AttachStderr], [true, true, true]);
  assert.equal(host(p).AutoRemove, true);
  assert.equal(host(p).NetworkMode, 'default');
  assert.deepEqual(p.body.NetworkingConfig, { EndpointsConfig: { default: {} } });
  assert.deepEqual(p.attach, { stdin: true, stdout: true, stderr: true });
});

test('-d attaches nothing; no command leaves Cmd null so the image CMD applies', () => {
  const p = plan(['-d', 'busybox']);
  assert.equal(p.body.Cmd, null);
  assert.equal(p.body.Env, null);
  assert.deepEqual([p.body.AttachStdin, p.body.AttachStdout, p.body.AttachStderr, p.body.StdinOnce], [false, false, false, false]);
});

test('flags after the image belong to the command', () => {
  const p = plan(['busybox', 'ls', '-la', '--rm']);
  assert.deepEqual(p.body.Cmd, ['ls', '-la', '--rm']);
  assert.equal(host(p).AutoRemove, false);
});

test('-p forms: host port, ip, udp, ranges, bare container port; --expose and -P', () => {
  const p = plan(['-p', '8080:80', '-p', '127.0.0.1:5353:53/udp', '-p', '9000-9001:7000-7001', '-p', '443', '-p', '[::1]:8443:443', '--expose', '6000-6001/tcp', '-P', 'busybox']);
  assert.deepEqual(p.body.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '7000/tcp': {}, '7001/tcp': {}, '443/tcp': {}, '6000/tcp': {}, '6001/tcp': {} });
  assert.deepEqual(host(p).PortBindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }],
    '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    '7000/tcp': [{ HostIp: '', HostPort: '9000' }],
    '7001/tcp': [{ HostIp: '', HostPort: '9001' }],
    '443/tcp': [{ HostIp: '', HostPort: '' }, { HostIp: '::1', HostPort: '8443' }],
  });
  assert.equal(host(p).PublishAllPorts, true);
  assert.deepEqual(host(plan(['-p', '8000-8010:80', 'busybox'])).PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] });
});

test('bad -p values fail with docker\'s messages', () => {
  assert.throws(() => plan(['-p', '80:abc', 'busybox']), { message: 'invalid containerPort: abc' });
  assert.throws(() => plan(['-p', '80:80/xyz', 'busybox']), { message: 'invalid proto: xyz' });
  assert.throws(() => plan(['-p', '1-3:1-2', 'busybox']), { message: 'invalid ranges specified for container and host Ports: 1-2 and 1-3' });
  assert.throws(() => plan(['-p', '99999:80', 'busybox']), { message: 'invalid hostPort: 99999' });
});

test('-v: binds, named volumes, anonymous volumes, relative sources made absolute; --mount and --tmpfs', () => {
  const p = plan(['-v', '/srv/data:/data:ro', '-v', 'cache:/cache', '-v', '/scratch', '-v', './conf:/etc/app', '--mount', 'type=bind,source=/a,target=/b,readonly',
    '--mount', 'type=volume,src=vol,dst=/v,volume-nocopy,volume-label=k=v', '--mount', 'type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770', '--tmpfs', '/run:rw,size=1m', '--tmpfs', '/tmp', 'busybox']);
  assert.deepEqual(host(p).Binds, ['/srv/data:/data:ro', 'cache:/cache', '/home/me/proj/conf:/etc/app']);
  assert.deepEqual(p.body.Volumes, { '/scratch': {} });
  assert.deepEqual(host(p).Mounts, [
    { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true },
    { Type: 'volume', Source: 'vol', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { k: 'v' } } },
    { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 } },
  ]);
  assert.deepEqual(host(p).Tmpfs, { '/run': 'rw,size=1m', '/tmp': '' });
});

test('bad -v and --mount values are refused before any request', () => {
  assert.throws(() => plan(['-v', '/a:rel', 'busybox']), /mount path must be absolute/);
  assert.throws(() => plan(['-v', '/a::/b', 'busybox']), /empty section between colons/);
  assert.throws(() => plan(['-v', '/a:/b:bogus', 'busybox']), /invalid mode: bogus/);
  assert.throws(() => plan(['--mount', 'type=bind,source=/a', 'busybox']), /target is required/);
  assert.throws(() => plan(['--mount', 'type=bind,src=/a,dst=/b,colour=red', 'busybox']), /unexpected key 'colour'/);
});

test('-e and --env-file: files first, KEY alone takes the caller\'s value or is left out; labels from flags and files', () => {
  const p = plan(['--env-file', '/cfg/app.env', '-e', 'X=1', '-e', 'FROM_HOST', '-e', 'NOT_SET', '-e', 'EMPTY=', '-l', 'a=b', '--label-file', '/cfg/labels', 'busybox']);
  assert.deepEqual(p.body.Env, ['A=1', 'B=two words', 'FROM_HOST=h', 'X=1', 'FROM_HOST=h', 'EMPTY=']);
  assert.deepEqual(p.body.Labels, { tier: 'web', team: '', a: 'b' });
  assert.throws(() => plan(['--env-file', '/cfg/bad.env', 'busybox']), { message: "variable 'MY VAR' contains whitespaces (in /cfg/bad.env)" });
  assert.throws(() => plan(['--env-file', '/cfg/missing', 'busybox']), /cannot read \/cfg\/missing: ENOENT/);
  assert.throws(() => plan(['-e', '=x', 'busybox']), /invalid environment variable: =x/);
});

test('memory strings as docker parses them (binary units, optional b/ib, decimals), swap -1, cpus as nano-CPUs', () => {
  const hc = host(plan(['-m', '512m', '--memory-swap', '1g', '--memory-reservation', '1.5GiB', '--shm-size', '64MB', '--cpus', '1.5', '--cpu-shares', '512', '--cpuset-cpus', '0-1', '--pids-limit', '100', 'busybox']));
  assert.equal(hc.Memory, 512 * 1024 ** 2);
  assert.equal(hc.MemorySwap, 1024 ** 3);
  assert.equal(hc.MemoryReservation, 1.5 * 1024 ** 3);
  assert.equal(hc.ShmSize, 64 * 1024 ** 2);
  assert.equal(hc.NanoCpus, 1_500_000_000);
  assert.equal(hc.CpuShares, 512);
  assert.equal(hc.CpusetCpus, '0-1');
  assert.equal(hc.PidsLimit, 100);
  assert.equal(host(plan(['--memory=100000', '--memory-swap=-1', 'busybox'])).MemorySwap, -1);
  assert.equal(host(plan(['-m', '100000', 'busybox'])).Memory, 100000);
  assert.throws(() => plan(['-m', '12x', 'busybox']), { message: `invalid argument "12x" for "-m, --memory" flag: invalid size: '12x'` });
  assert.throws(() => plan(['--memory-swap', 'lots', 'busybox']), { message: `invalid argument "lots" for "--memory-swap" flag: invalid size: 'lots'` });
  assert.throws(() => plan(['--cpus', 'two', 'busybox']), { message: 'invalid argument "two" for "--cpus" flag: failed to parse two as a rational number' });
  assert.throws(() => plan(['--cpus', '0.0000000001', 'busybox']), /value is too precise/);
});

test('restart policies, and --restart with --rm refused', () => {
  assert.deepEqual(host(plan(['--restart', 'on-failure:3', 'busybox'])).RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(host(plan(['--restart', 'unless-stopped', 'busybox'])).RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.deepEqual(host(plan(['busybox'])).RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.throws(() => plan(['--restart', 'on-failure:x', 'busybox']), { message: 'invalid restart policy format: maximum retry count must be an integer' });
  assert.throws(() => plan(['--restart', ':3', 'busybox']), { message: 'invalid restart policy format: no policy provided before colon' });
  assert.throws(() => plan(['--rm', '--restart', 'always', 'busybox']), /cannot specify both --restart and --rm/);
  assert.equal(host(plan(['--rm', '--restart', 'no', 'busybox'])).AutoRemove, true);
});

test('health flags: CMD-SHELL and Go durations in nanoseconds; --no-healthcheck; negative and conflicting values refused', () => {
  const p = plan(['--health-cmd', 'wget -q localhost || exit 1', '--health-interval', '30s', '--health-timeout', '1m30s', '--health-retries', '3', '--health-start-period', '500ms', 'busybox']);
  assert.deepEqual(p.body.Healthcheck, { Test: ['CMD-SHELL', 'wget -q localhost || exit 1'], Interval: 30e9, Timeout: 90e9, StartPeriod: 5e8, Retries: 3 });
  // Zero values are left out so the image's HEALTHCHECK keeps them (docker's omitempty).
  assert.deepEqual(plan(['--health-interval', '5s', 'busybox']).body.Healthcheck, { Interval: 5e9 });
  assert.deepEqual(plan(['--no-healthcheck', 'busybox']).body.Healthcheck, { Test: ['NONE'] });
  assert.equal(plan(['busybox']).body.Healthcheck, undefined);
  assert.throws(() => plan(['--health-interval', '-5s', 'busybox']), { message: '--health-interval cannot be negative' });
  assert.throws(() => plan(['--health-interval', 'often', 'busybox']), { message: 'invalid argument "often" for "--health-interval" flag: time: invalid duration "often"' });
  assert.throws(() => plan(['--no-healthcheck', '--health-cmd', 'true', 'busybox']), { message: '--no-healthcheck conflicts with --health-* options' });
});

test('security and process flags: caps, privileged, read-only, ulimits, devices, hosts, dns, entrypoint, user, workdir, stop settings, logging', () => {
  const p = plan(['--cap-add', 'NET_ADMIN', '--cap-drop', 'ALL', '--privileged', '--read-only', '--security-opt', 'no-new-privileges', '--init',
    '--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=64', '--device', '/dev/fuse', '--device', '/dev/null:/dev/mynull:r', '--add-host', 'db:10.0.0.2', '--add-host', 'v6=[::1]',
    '--dns', '1.1.1.1', '--entrypoint', '/bin/sh', '-u', '1000:1000', '-w', '/work', '-h', 'box', '--stop-signal', 'SIGUSR1', '--stop-timeout', '20',
    '--log-opt', 'max-size=10m', '--network', 'mynet', '--network-alias', 'api', 'busybox']);
  const hc = host(p);
  assert.deepEqual([hc.CapAdd, hc.CapDrop, hc.Privileged, hc.ReadonlyRootfs, hc.SecurityOpt, hc.Init], [['CAP_NET_ADMIN'], ['ALL'], true, true, ['no-new-privileges'], true]);
  assert.deepEqual(host(plan(['--cap-add', 'sys_admin', '--cap-drop', 'all', 'busybox'])).CapAdd, ['CAP_SYS_ADMIN']);
  assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 64, Hard: 64 }]);
  assert.deepEqual(hc.Devices, [
    { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
    { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'r' },
  ]);
  assert.deepEqual(hc.ExtraHosts, ['db:10.0.0.2', 'v6:::1']);
  assert.deepEqual(hc.Dns, ['1.1.1.1']);
  assert.deepEqual(hc.LogConfig, { Type: '', Config: { 'max-size': '10m' } });
  assert.equal(hc.NetworkMode, 'mynet');
  assert.deepEqual(p.body.NetworkingConfig, { EndpointsConfig: { mynet: { Aliases: ['api'] } } });
  assert.deepEqual(p.body.Entrypoint, ['/bin/sh']);
  assert.deepEqual([p.body.User, p.body.WorkingDir, p.body.Hostname, p.body.StopSignal, p.body.StopTimeout], ['1000:1000', '/work', 'box', 'SIGUSR1', 20]);
  assert.deepEqual(plan(['--entrypoint', '', 'busybox']).body.Entrypoint, ['']);
  assert.equal(plan(['busybox']).body.Entrypoint, null);
  assert.throws(() => plan(['--ulimit', 'nofile', 'busybox']), /invalid ulimit argument: nofile/);
  assert.throws(() => plan(['--ulimit', 'nofile=10:5', 'busybox']), /soft limit must be less than or equal to hard limit: 10 > 5/);
  assert.throws(() => plan(['--add-host', 'nocolon', 'busybox']), /bad format for add-host: "nocolon"/);
  assert.throws(() => plan(['--device', '/dev/sda:/dev/xvdc:rwx', 'busybox']), /invalid device mode: rwx/);
});

test('usage errors are UsageError (exit 125 in the CLI): unknown flag, missing image, --attach with --detach', () => {
  assert.throws(() => plan(['--bogus', 'busybox']), UsageError);
  assert.throws(() => plan([]), UsageError);
  assert.throws(() => plan(['-d', '-a', 'stdout', 'busybox']), /cannot specify both --attach and --detach/);
  assert.throws(() => plan(['--pull', 'sometimes', 'busybox']), /invalid pull option/);
});

test('several --network flags: the first is the mode, each gets an endpoint (aliases and --ip on the first); host/none/container: alone', () => {
  const p = plan(['--network', 'front', '--network', 'back', '--network-alias', 'api', '--ip', '10.9.0.5', 'busybox']);
  assert.equal(host(p).NetworkMode, 'front');
  assert.deepEqual(p.body.NetworkingConfig, { EndpointsConfig: { front: { Aliases: ['api'], IPAMConfig: { IPv4Address: '10.9.0.5' } }, back: {} } });
  assert.throws(() => plan(['--network', 'host', '--network', 'back', 'busybox']), /cannot be combined with other networks/);
  assert.deepEqual(plan(['busybox']).body.NetworkingConfig, { EndpointsConfig: { default: {} } });
});
