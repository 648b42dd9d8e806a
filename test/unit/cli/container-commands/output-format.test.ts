// What the CLI prints, checked against docker CLI 28's output for the same API answers: the ps table (column
// widths from Go's tabwriter), its JSON lines, ports grouping, durations, sizes, events, stats and df rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerView, displayablePorts, psFormat, type ContainerSummary } from '../../../../src/cli/container-commands/ps-format.js';
import { ellipsis, formatTable, goTimeString, renderRows } from '../../../../src/cli/container-commands/format.js';
import { bytesSize, goG, humanDuration, humanSize, parseGoDuration, parseRamBytes } from '../../../../src/cli/container-commands/units.js';
import { eventLine, rfc3339NanoFixed } from '../../../../src/cli/container-commands/events-command.js';
import { statsRow } from '../../../../src/cli/container-commands/stats-command.js';
import { diskUsageRows } from '../../../../src/cli/container-commands/system-commands.js';
import { apiTimestamp } from '../../../../src/cli/container-commands/timestamps.js';
import { expandShortFlags } from '../../../../src/cli/container-commands/argv.js';
import { RUN_FLAGS } from '../../../../src/cli/container-commands/run-flags.js';

const NOW = Date.UTC(2026, 10, 22, 4, 41, 0);
const web: ContainerSummary = {
  Id: '7fca6a17dcfa0cb40f8addc5af42006c83a0dd2d2b9997e692ad5e48bcec7bfc',
  Names: ['/t1'],
  Image: 'busybox',
  Command: "sh -c 'while true; do echo hello; sleep 1; done'",
  Created: NOW / 1000 - 13 * 60,
  Ports: [{ PrivatePort: 80, Type: 'tcp' }],
  Labels: { b: '2', a: 'b' },
  State: 'running',
  Status: 'Up 13 minutes',
  NetworkSettings: { Networks: { none: {} } },
};

test('ps table: docker\'s columns and widths (min cell 10, padding 3), the command quoted and cut to 20 runes', () => {
  const out = renderRows([web], undefined, psFormat({ trunc: true, now: NOW }));
  assert.equal(out, [
    'CONTAINER ID   IMAGE     COMMAND                  CREATED          STATUS          PORTS     NAMES',
    '7fca6a17dcfa   busybox   "sh -c \'while true; …"   13 minutes ago   Up 13 minutes   80/tcp    t1',
    '',
  ].join('\n'));
  // Empty list: the header alone, laid out exactly as `docker ps` prints it.
  assert.equal(renderRows([], 'table', psFormat({ trunc: true })), 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
});

test('ps --format json: docker\'s field names and values, one object per line', () => {
  const line = renderRows([web], 'json', psFormat({ trunc: true, now: NOW }));
  assert.ok(line.endsWith('}\n'));
  assert.deepEqual(Object.keys(JSON.parse(line)), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
  const v = containerView(web, { trunc: true, now: NOW });
  assert.equal(v.Command, '"sh -c \'while true; …"');
  assert.equal(v.Labels, 'a=b,b=2');
  assert.equal(v.Networks, 'none');
  assert.equal(v.RunningFor, '13 minutes ago');
  assert.equal(v.Size, '0B');
  assert.equal(containerView(web, { trunc: false }).ID, web.Id);
  assert.equal(containerView(web, { trunc: false }).Command, `"${web.Command}"`);
});

test('ps templates: "table" with tabs gets docker\'s headers; plain templates print one line per container', () => {
  const spec = psFormat({ trunc: true, now: NOW });
  assert.equal(renderRows([web], 'table {{.ID}}\\t{{.Names}}\\t{{.Status}}', spec), 'CONTAINER ID   NAMES     STATUS\n7fca6a17dcfa   t1        Up 13 minutes\n');
  assert.equal(renderRows([web, { ...web, Names: ['/t2'] }], '{{.Names}}:{{.State}}', spec), 't1:running\nt2:running\n');
});

test('ports are grouped and sorted like docker\'s DisplayablePorts', () => {
  assert.equal(displayablePorts([
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
    { PrivatePort: 7001, Type: 'tcp' },
    { PrivatePort: 7000, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
    { IP: '127.0.0.1', PrivatePort: 9000, PublicPort: 9000, Type: 'tcp' },
  // docker's quirk kept: a finished run (443) is emitted before the still-open groups (udp 53, then tcp 7000-7001).
  ]), '443/tcp, 53/udp, 7000-7001/tcp, 127.0.0.1:9000->9000/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
  assert.equal(displayablePorts([]), '');
});

test('Go tabwriter layout: the last column is never padded; wide cells widen their column', () => {
  assert.equal(formatTable(['A', 'LONGER HEADER', 'Z'], [['x', 'y', 'z'], ['wide cell here', '', 'last']]), [
    'A                LONGER HEADER   Z',
    'x                y               z',
    'wide cell here                   last',
    '',
  ].join('\n'));
  assert.equal(ellipsis('héllo wörld', 6), 'héllo…');
  assert.equal(ellipsis('short', 20), 'short');
});

test('HumanDuration: truncated seconds/minutes, rounded hours, as go-units', () => {
  const s = 1000;
  assert.equal(humanDuration(999), 'Less than a second');
  assert.equal(humanDuration(1 * s), '1 second');
  assert.equal(humanDuration(59.9 * s), '59 seconds');
  assert.equal(humanDuration(60 * s), 'About a minute');
  assert.equal(humanDuration(119 * s), 'About a minute');
  assert.equal(humanDuration(45 * 60 * s), '45 minutes');
  assert.equal(humanDuration(89 * 60 * s), 'About an hour');
  assert.equal(humanDuration(91 * 60 * s), '2 hours');
  assert.equal(humanDuration(47 * 3600 * s), '47 hours');
  assert.equal(humanDuration(3 * 86400 * s), '3 days');
  assert.equal(humanDuration(20 * 86400 * s), '2 weeks');
  assert.equal(humanDuration(90 * 86400 * s), '3 months');
  assert.equal(humanDuration(800 * 86400 * s), '2 years');
});

test('sizes: HumanSize (decimal, 4 digits), precision 3 for ps/stats, BytesSize (binary)', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(4_264_000), '4.264MB');
  assert.equal(humanSize(4_264_000, 3), '4.26MB');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(10240, 3), '10.2kB');
  assert.equal(bytesSize(2_678_784), '2.555MiB');
  assert.equal(bytesSize(25_275_000_000), '23.54GiB');
  assert.equal(goG(1023.99, 3), '1.02e+03');
  assert.equal(goG(0.5, 4), '0.5');
});

test('Go durations and sizes parse as docker parses them', () => {
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
  assert.equal(parseGoDuration('250ms'), 2.5e8);
  assert.equal(parseGoDuration('-3s'), -3e9);
  assert.throws(() => parseGoDuration('3'), /time: invalid duration "3"/);
  assert.throws(() => parseGoDuration('1x'), /invalid duration/);
  assert.equal(parseRamBytes('1g', '-m'), 1024 ** 3);
  assert.equal(parseRamBytes('2 KiB', '-m'), 2048);
  assert.equal(parseRamBytes('0.5m', '-m'), 524288);
  assert.equal(parseRamBytes('10B', '-m'), 10);
  assert.throws(() => parseRamBytes('1gb1', '-m, --memory'), /invalid size: '1gb1'/);
  assert.throws(() => parseRamBytes('-1', '-m, --memory'), /invalid size: '-1'/);
});

test('--since/--until: durations relative to now, RFC 3339 and dates, unix seconds passed through', () => {
  assert.equal(apiTimestamp('10m', NOW), String(NOW / 1000 - 600));
  assert.equal(apiTimestamp('1700000000.5', NOW), '1700000000.5');
  assert.equal(apiTimestamp('2024-01-02T03:04:05Z'), `${Date.UTC(2024, 0, 2, 3, 4, 5) / 1000}.000000000`);
  assert.equal(apiTimestamp('2024-01-02T03:04:05.25+01:00'), `${Date.UTC(2024, 0, 2, 2, 4, 5) / 1000}.250000000`);
  assert.throws(() => apiTimestamp('yesterday'), /failed to parse value as time or duration: "yesterday"/);
});

test('events print as docker\'s default format, timeNano exact beyond 2^53', () => {
  const e = { Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web', image: 'busybox' } }, time: 1700000000, timeNano: '1700000000123456789' };
  assert.equal(eventLine(e, 0), '2023-11-14T22:13:20.123456789Z container start abc (image=busybox, name=web)\n');
  assert.equal(eventLine({ Type: 'network', Action: 'create', Actor: { ID: 'n1', Attributes: {} }, time: 1700000000 }, 60), '2023-11-14T23:13:20.000000000+01:00 network create n1\n');
  assert.equal(rfc3339NanoFixed(1_700_000_000_000_000_001n, -330), '2023-11-14T16:43:20.000000001-05:30');
});

test('Go time.String() for CreatedAt fields', () => {
  const prev = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    assert.equal(goTimeString(new Date(Date.UTC(2026, 10, 22, 4, 28, 9)), 0), '2026-11-22 04:28:09 +0000 UTC');
    assert.equal(goTimeString(new Date(Date.UTC(2026, 10, 22, 4, 16, 49, 272)), 272283070), '2026-11-22 04:16:49.27228307 +0000 UTC');
  } finally {
    if (prev === undefined) delete process.env.TZ;
    else process.env.TZ = prev;
  }
});

test('stats: docker\'s CPU % (deltas × online CPUs) and memory without the inactive file cache', () => {
  const r = statsRow('web', {
    id: 'x'.repeat(64), name: '/web',
    cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 200_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 100_000_000 },
    memory_stats: { usage: 10 * 1024 * 1024, limit: 100 * 1024 * 1024, stats: { total_inactive_file: 2 * 1024 * 1024 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 1000 }, { op: 'Write', value: 2500 }] },
    networks: { eth0: { rx_bytes: 1200, tx_bytes: 30 }, eth1: { rx_bytes: 800, tx_bytes: 0 } },
    pids_stats: { current: 3 },
  });
  assert.equal(r.cpu, 4);
  assert.equal(r.mem, 8 * 1024 * 1024);
  assert.equal(r.memPerc, 8);
  assert.deepEqual([r.name, r.netRx, r.netTx, r.blkRead, r.blkWrite, r.pids], ['web', 2000, 30, 1000, 2500, 3]);
});

test('system df rows: active and reclaimable as docker counts them', () => {
  const rows = diskUsageRows({
    LayersSize: 1000, Images: [{ Size: 600, SharedSize: 0, Containers: 1 }, { Size: 400, SharedSize: 0, Containers: 0 }],
    Containers: [{ SizeRw: 10, State: 'running' }, { SizeRw: 5, State: 'exited' }],
    Volumes: [{ UsageData: { Size: 100, RefCount: 1 } }, { UsageData: { Size: 50, RefCount: 0 } }], BuildCache: [],
  });
  assert.deepEqual(rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]), [
    ['Images', 2, 1, 1000, 400], ['Containers', 2, 1, 15, 5], ['Local Volumes', 2, 1, 150, 50], ['Build Cache', 0, 0, 0, 0],
  ]);
});

test('docker\'s short flag forms: combined booleans, glued values, "=" values; command args untouched', () => {
  assert.deepEqual(expandShortFlags(['-dit', '-p8080:80', '-eA=1', '-v=/x', 'busybox', '-la'], RUN_FLAGS, true), ['-d', '-i', '-t', '-p', '8080:80', '-e', 'A=1', '-v=/x', 'busybox', '-la']);
  assert.deepEqual(expandShortFlags(['-itp', '80', 'img'], RUN_FLAGS, true), ['-i', '-t', '-p', '80', 'img']);
  // A value flag's argument is not mistaken for flags.
  assert.deepEqual(expandShortFlags(['-e', '-it', 'img'], RUN_FLAGS, true), ['-e', '-it', 'img']);
  assert.deepEqual(expandShortFlags(['--name', '-dx', '-d', 'img'], RUN_FLAGS, true), ['--name', '-dx', '-d', 'img']);
});
