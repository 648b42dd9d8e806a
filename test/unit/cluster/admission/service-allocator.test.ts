import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type AdmissionContext } from '../../../../src/cluster/api/types.js';
import { findResource } from '../../../../src/cluster/resources/catalog.js';
import { StorageError } from '../../../../src/cluster/storage/errors.js';
import type { ListOptions, ListResult, StoredObject } from '../../../../src/cluster/storage/object-store.js';
import { AllocationStore, type AllocationBackend } from '../../../../src/cluster/admission/allocation-store.js';
import { ServiceAllocator } from '../../../../src/cluster/admission/service-allocator.js';
import { planRepair, repairAllocations } from '../../../../src/cluster/admission/allocation-repair.js';
import type { KubeObject } from '../../../../src/cluster/resources/types.js';

/** Keys in memory with etcd's create-if-absent and compare-on-revision semantics; every call yields. */
class MemoryBackend implements AllocationBackend {
  data = new Map<string, StoredObject>();
  rev = 0;
  async get(key: string) {
    await Promise.resolve();
    return this.data.get(key);
  }
  async create(key: string, value: Record<string, unknown>) {
    await Promise.resolve();
    if (this.data.has(key)) throw new StorageError('AlreadyExists', `${key} exists`);
    const o = { key, value, modRevision: ++this.rev, createRevision: this.rev };
    this.data.set(key, o);
    return o;
  }
  async delete(key: string, expected?: number) {
    await Promise.resolve();
    const cur = this.data.get(key);
    if (!cur) throw new StorageError('NotFound', key);
    if (expected !== undefined && cur.modRevision !== expected) throw new StorageError('Conflict', key);
    this.data.delete(key);
    return cur;
  }
  async list(prefix: string, _o?: ListOptions): Promise<ListResult> {
    const items = [...this.data.values()].filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
    return { items, revision: this.rev, more: false };
  }
  keys(kind: string) {
    return [...this.data.keys()].filter((k) => k.includes(`/${kind}/`)).map((k) => k.slice(k.lastIndexOf('/') + 1)).sort();
  }
}

const info = findResource('', 'v1', 'services')!;
const ctx = (operation: AdmissionContext['operation'], dryRun = false): AdmissionContext => ({ operation, info, user: { name: 'admin', groups: [] }, dryRun });
const svc = (name: string, spec: KubeObject = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }], ...spec },
});

function setup(o: { cidr?: string; ports?: string; random?: (n: number) => number } = {}) {
  const backend = new MemoryBackend();
  const allocations = new AllocationStore(backend);
  const live = new Map<string, KubeObject>();
  const allocator = new ServiceAllocator({
    allocations,
    serviceCidr: o.cidr ?? '10.96.0.0/12',
    nodePortRange: o.ports ?? '30000-32767',
    lookupService: async (ns, name) => live.get(`${ns}/${name}`),
    verifyDelayMs: 1,
    ...(o.random ? { random: o.random } : {}),
  });
  return { backend, allocations, allocator, live };
}

async function rejects422(p: Promise<unknown>, message: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 422);
    assert.equal(err.reason, 'Invalid');
    assert.match(err.message, message);
    return true;
  });
}

test('a ClusterIP Service gets an address from the range (never .1), recorded in its own key', async () => {
  const { allocator, backend } = setup();
  const s = svc('web');
  await allocator.admit(ctx('CREATE'), s, undefined);
  assert.match(s.spec.clusterIP, /^10\.(9[6-9]|10\d|11[01])\./);
  assert.notEqual(s.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
  assert.equal(s.spec.ports[0].nodePort, undefined);
  assert.deepEqual(backend.keys('serviceips'), [s.spec.clusterIP]);
  assert.equal((backend.data.get(`/berth/allocations/serviceips/${s.spec.clusterIP}`)!.value as any).service, 'default/web');
});

test('20 concurrent creates in a small range get distinct addresses and node ports', async () => {
  // A 32-address range (29 dynamic addresses) and 25 node ports: random probes collide often.
  const { allocator, backend } = setup({ cidr: '10.0.0.0/27', ports: '30000-30024' });
  const services = Array.from({ length: 20 }, (_, i) => svc(`s${i}`, { type: 'NodePort' }));
  await Promise.all(services.map((s) => allocator.admit(ctx('CREATE'), s, undefined)));
  const ips = services.map((s) => s.spec.clusterIP);
  const ports = services.map((s) => s.spec.ports[0].nodePort);
  assert.equal(new Set(ips).size, 20);
  assert.equal(new Set(ports).size, 20);
  assert.ok(!ips.includes('10.0.0.1') && !ips.includes('10.0.0.0') && !ips.includes('10.0.0.31'));
  assert.ok(ports.every((p) => p >= 30000 && p <= 30024));
  assert.equal(backend.keys('serviceips').length, 20);
});

test('a full range is an internal error, as in Kubernetes', async () => {
  const { allocator } = setup({ cidr: '10.0.0.0/30' }); // one dynamic address (10.0.0.2)
  await allocator.admit(ctx('CREATE'), svc('a'), undefined);
  await assert.rejects(allocator.admit(ctx('CREATE'), svc('b'), undefined), /failed to allocate a serviceIP: range is full/);
});

test('requested values: honoured, refused when taken or out of range (422 with Kubernetes wording)', async () => {
  const { allocator } = setup();
  const a = svc('a', { clusterIP: '10.96.0.50', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] });
  await allocator.admit(ctx('CREATE'), a, undefined);
  assert.equal(a.spec.clusterIP, '10.96.0.50');
  assert.equal(a.spec.ports[0].nodePort, 30080);
  await rejects422(allocator.admit(ctx('CREATE'), svc('b', { clusterIP: '10.96.0.50' }), undefined),
    /^Service "b" is invalid: spec\.clusterIPs\[0\]: Invalid value: "10\.96\.0\.50": provided IP is already allocated$/);
  await rejects422(allocator.admit(ctx('CREATE'), svc('c', { clusterIP: '192.168.0.1' }), undefined),
    /spec\.clusterIPs\[0\]: Invalid value: "192\.168\.0\.1": provided IP is not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/12/);
  await rejects422(allocator.admit(ctx('CREATE'), svc('d', { type: 'NodePort', ports: [{ port: 81, protocol: 'TCP', nodePort: 30080 }] }), undefined),
    /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
  await rejects422(allocator.admit(ctx('CREATE'), svc('e', { type: 'NodePort', ports: [{ port: 81, protocol: 'TCP', nodePort: 8080 }] }), undefined),
    /spec\.ports\[0\]\.nodePort: Invalid value: 8080: provided port is not in the valid range\. The range of valid ports is 30000-32767/);
});

test('a refused request frees what it had already taken', async () => {
  const { allocator, backend } = setup();
  await allocator.admit(ctx('CREATE'), svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined);
  const before = backend.keys('serviceips');
  await assert.rejects(allocator.admit(ctx('CREATE'), svc('b', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined));
  assert.deepEqual(backend.keys('serviceips'), before, "b's IP was released when its node port was refused");
});

test('headless and ExternalName Services get no address; one node port serves TCP and UDP', async () => {
  const { allocator, backend } = setup();
  const h = svc('h', { clusterIP: 'None' });
  await allocator.admit(ctx('CREATE'), h, undefined);
  assert.deepEqual([h.spec.clusterIP, h.spec.clusterIPs], ['None', ['None']]);
  const x = svc('x', { type: 'ExternalName', externalName: 'example.com', ports: [] });
  await allocator.admit(ctx('CREATE'), x, undefined);
  assert.equal(x.spec.clusterIP, undefined);
  assert.deepEqual(backend.keys('serviceips'), []);
  const dns = svc('dns', { type: 'NodePort', ports: [{ name: 'tcp', port: 53, protocol: 'TCP', nodePort: 30053 }, { name: 'udp', port: 53, protocol: 'UDP', nodePort: 30053 }] });
  await allocator.admit(ctx('CREATE'), dns, undefined);
  assert.deepEqual(backend.keys('nodeports'), ['30053']);
});

test('dry run: values are chosen and checked but nothing is taken', async () => {
  const { allocator, backend } = setup();
  const s = svc('a', { type: 'NodePort' });
  await allocator.admit(ctx('CREATE', true), s, undefined);
  assert.ok(s.spec.clusterIP && s.spec.ports[0].nodePort);
  assert.equal(backend.data.size, 0);
  await allocator.admit(ctx('CREATE'), svc('b', { clusterIP: '10.96.0.9' }), undefined);
  await rejects422(allocator.admit(ctx('CREATE', true), svc('c', { clusterIP: '10.96.0.9' }), undefined), /already allocated/);
});

test('updates keep allocated values, and values dropped by an update are freed once it has landed', async () => {
  const { allocator, backend, live } = setup();
  const old = svc('a', { type: 'NodePort' });
  await allocator.admit(ctx('CREATE'), old, undefined);
  live.set('default/a', old);
  // An update that omits clusterIP and nodePort (as `kubectl apply` of the original manifest does).
  const next = svc('a', { type: 'NodePort' });
  await allocator.admit(ctx('UPDATE'), next, old);
  assert.equal(next.spec.clusterIP, old.spec.clusterIP);
  assert.equal(next.spec.ports[0].nodePort, old.spec.ports[0].nodePort);
  // NodePort → ClusterIP drops the node port; it is freed after the live object stops using it.
  const toClusterIP = structuredClone(next);
  toClusterIP.spec.type = 'ClusterIP';
  await allocator.admit(ctx('UPDATE'), toClusterIP, next);
  assert.equal(toClusterIP.spec.ports[0].nodePort, undefined);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(backend.keys('nodeports'), [String(old.spec.ports[0].nodePort)], 'the live object still uses it: kept');
  live.set('default/a', toClusterIP);
  await allocator.admit(ctx('UPDATE'), structuredClone(toClusterIP), next); // a later update triggers the check again
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(backend.keys('nodeports'), []);
});

test('release: deletion frees everything; a failed create frees what admit took', async () => {
  const { allocator, backend } = setup();
  const s = svc('a', { type: 'NodePort' });
  await allocator.admit(ctx('CREATE'), s, undefined);
  await allocator.release(ctx('DELETE'), s);
  assert.equal(backend.data.size, 0);
  const t = svc('b', { type: 'NodePort' });
  await allocator.admit(ctx('CREATE'), t, undefined);
  await allocator.release(ctx('CREATE'), t); // the write failed; no live object
  assert.equal(backend.data.size, 0);
});

test('a release never frees a value another Service holds now', async () => {
  const { allocator, backend } = setup();
  const s = svc('a', { clusterIP: '10.96.0.7' });
  await allocator.admit(ctx('CREATE'), s, undefined);
  await allocator.release(ctx('DELETE'), svc('other', { clusterIP: '10.96.0.7' }));
  assert.deepEqual(backend.keys('serviceips'), ['10.96.0.7']);
});

test('repair: records values with no key, frees unused keys past the grace period', async () => {
  const { allocations, backend } = setup();
  await allocations.claim('serviceips', '10.96.0.20', 'default/gone');
  await allocations.claim('nodeports', '30001', 'default/kept');
  const services = [svc('kept', { type: 'NodePort', clusterIP: '10.96.0.21', ports: [{ port: 1, nodePort: 30001 }] })];
  const now = new Date(Date.now() + 120_000);
  const plan = planRepair(services, await allocations.list('serviceips').then(async (a) => [...a, ...(await allocations.list('nodeports'))]), now, 60_000);
  assert.deepEqual(plan.missing, [{ kind: 'serviceips', value: '10.96.0.21', service: 'default/kept' }]);
  assert.deepEqual(plan.stale.map((s) => s.value), ['10.96.0.20']);
  assert.deepEqual(planRepair(services, plan.stale, new Date(), 60_000).stale, [], 'young keys are left alone');
  const r = await repairAllocations({ allocations, listServices: async () => services, now: () => now, graceMs: 60_000 });
  assert.deepEqual(r, { recorded: 1, freed: 1 });
  assert.deepEqual(backend.keys('serviceips'), ['10.96.0.21']);
});

test('an update retried after a lost race is not refused by its own reservation; a failed update frees it', async () => {
  const { allocator, backend, live } = setup();
  const old = svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }] });
  await allocator.admit(ctx('CREATE'), old, undefined);
  live.set('default/a', old);
  const want = () => svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }, { name: 'b', port: 81, protocol: 'TCP', nodePort: 30002 }] });
  await allocator.admit(ctx('UPDATE'), want(), old); // first attempt takes 30002…
  await allocator.admit(ctx('UPDATE'), want(), old); // …the retry finds it held by this Service
  assert.deepEqual(backend.keys('nodeports'), ['30001', '30002']);
  // Another Service still cannot have it.
  await rejects422(allocator.admit(ctx('CREATE'), svc('other', { type: 'NodePort', ports: [{ port: 1, protocol: 'TCP', nodePort: 30002 }] }), undefined), /already allocated/);
  // Neither attempt was written (live is still the old object): 30002 goes back once that is visible.
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(backend.keys('nodeports'), ['30001']);
});
