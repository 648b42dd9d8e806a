import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortAllocator, type PortProbe } from '../../../src/network/ports.js';
import { isNetworkError } from '../../../src/network/errors.js';

/** A host where `busy` ports (by "proto/port") have listeners; records every probe. */
function fakeHost(busy: string[] = []): { probe: PortProbe; probed: string[] } {
  const probed: string[] = [];
  return {
    probed,
    probe: async (ip, port, proto) => {
      probed.push(`${proto}/${ip || '*'}:${port}`);
      return !busy.includes(`${proto}/${port}`);
    },
  };
}
const allocated = (ip: string, port: number | string) => (e: unknown) =>
  isNetworkError(e, 'Conflict') && (e as Error).message.startsWith(`Bind for ${ip}:${port} failed: port is already allocated`);

test('a fixed port is reserved once; a second owner gets Docker\'s error naming the holder', async () => {
  const ports = new PortAllocator(fakeHost().probe);
  assert.deepEqual(await ports.reserve('c1:n', [{ hostPort: 8080, containerPort: 80 }]), [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  await assert.rejects(ports.reserve('c2:n', [{ hostPort: 8080, containerPort: 81 }]), (e: unknown) => allocated('0.0.0.0', 8080)(e) && /published by container c1/.test((e as Error).message));
  // 0.0.0.0 covers every address; another protocol is a different port.
  await assert.rejects(ports.reserve('c2:n', [{ hostIP: '127.0.0.1', hostPort: 8080, containerPort: 81 }]), allocated('127.0.0.1', 8080));
  assert.equal((await ports.reserve('c2:n', [{ hostPort: 8080, containerPort: 81, protocol: 'udp' }])).length, 1);
  ports.release('c1:n');
  assert.equal((await ports.reserve('c3:n', [{ hostPort: 8080, containerPort: 80 }])).length, 1);
});

test('specific addresses conflict only with themselves and with 0.0.0.0', async () => {
  const ports = new PortAllocator(fakeHost().probe);
  await ports.reserve('a:n', [{ hostIP: '127.0.0.1', hostPort: 9000, containerPort: 80 }]);
  assert.equal((await ports.reserve('b:n', [{ hostIP: '127.0.0.2', hostPort: 9000, containerPort: 80 }])).length, 1);
  await assert.rejects(ports.reserve('c:n', [{ hostPort: 9000, containerPort: 80 }]), allocated('0.0.0.0', 9000));
});

test('a port a host process holds is refused; nothing of the request stays reserved (all or nothing)', async () => {
  const host = fakeHost(['tcp/8081']);
  const ports = new PortAllocator(host.probe);
  await assert.rejects(
    ports.reserve('c1:n', [{ hostPort: 8080, containerPort: 80 }, { hostPort: 8081, containerPort: 81 }]),
    (e: unknown) => allocated('0.0.0.0', 8081)(e) && /a host process is using it/.test((e as Error).message),
  );
  assert.deepEqual(ports.heldBy('c1:n'), []);
  assert.equal((await ports.reserve('c2:n', [{ hostPort: 8080, containerPort: 80 }])).length, 1, '8080 was given back');
  assert.deepEqual(host.probed, ['tcp/*:8080', 'tcp/*:8081', 'tcp/*:8080']);
});

test('random ports come from the dynamic range in order, skipping reserved and busy ones', async () => {
  const host = fakeHost(['tcp/32769']);
  const ports = new PortAllocator(host.probe, { start: 32768, end: 32772 });
  await ports.reserve('x:n', [{ hostPort: 32770, containerPort: 1 }]);
  const got = await ports.reserve('c:n', [{ hostPort: 0, containerPort: 80 }, { hostPort: 0, containerPort: 81 }, { hostPort: 0, containerPort: 82 }]);
  assert.deepEqual(got.map((m) => m.hostPort), [32768, 32771, 32772]);
  await assert.rejects(ports.reserve('d:n', [{ hostPort: 0, containerPort: 80 }]), (e: unknown) => isNetworkError(e, 'Conflict') && /no free host port/.test((e as Error).message));
});

test('a host range takes its first free port; a full range reports the range', async () => {
  const ports = new PortAllocator(fakeHost(['tcp/7001']).probe);
  await ports.reserve('a:n', [{ hostPort: 7000, containerPort: 1 }]);
  const [m] = await ports.reserve('b:n', [{ hostPort: 7000, hostPortEnd: 7003, containerPort: 80 }]);
  assert.equal(m!.hostPort, 7002);
  await assert.rejects(ports.reserve('c:n', [{ hostPort: 7000, hostPortEnd: 7002, containerPort: 80 }]), allocated('0.0.0.0', '7000-7002'));
});

test('concurrent reservations never hand out the same port', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const ports = new PortAllocator(async () => { await gate; return true; }, { start: 40000, end: 40010 });
  const a = ports.reserve('a:n', [{ hostPort: 0, containerPort: 80 }]);
  const b = ports.reserve('b:n', [{ hostPort: 0, containerPort: 80 }]);
  const c = ports.reserve('c:n', [{ hostPort: 5000, containerPort: 80 }]);
  const d = ports.reserve('d:n', [{ hostPort: 5000, containerPort: 80 }]);
  release();
  const [ra, rb] = await Promise.all([a, b]);
  assert.notEqual(ra[0]!.hostPort, rb[0]!.hostPort);
  const settled = await Promise.allSettled([c, d]);
  assert.deepEqual(settled.map((s) => s.status).sort(), ['fulfilled', 'rejected']);
});

test('claimed mappings (from the cache after a restart) count without probing; invalid requests are refused', async () => {
  const host = fakeHost();
  const ports = new PortAllocator(host.probe);
  ports.claim('old:n', [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  await assert.rejects(ports.reserve('new:n', [{ hostPort: 8080, containerPort: 80 }]), allocated('0.0.0.0', 8080));
  assert.deepEqual(host.probed, []);
  await assert.rejects(ports.reserve('new:n', [{ hostIP: '::1', hostPort: 1, containerPort: 80 }]), (e: unknown) => isNetworkError(e, 'InvalidArgument'));
  await assert.rejects(ports.reserve('new:n', [{ hostPort: 70000, containerPort: 80 }]), /out of range/);
});
