// Service IP and NodePort allocation against a real control plane: concurrent creates never share a value,
// a requested taken address is refused with Kubernetes' 422, and a deleted Service's values are free again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBerthCluster, run, type BerthCluster } from './cluster-up-fixture.js';

let c: BerthCluster;
before(async () => {
  c = await startBerthCluster({ flags: ['--service-cluster-ip-range', '10.200.0.0/24', '--service-node-port-range', '31000-31099'] });
});
after(async () => {
  await c?.stop();
});

const nodePortService = (name: string, extra = '') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...(extra ? JSON.parse(extra) : {}) },
});

test('20 concurrent creates get distinct cluster IPs and node ports from the configured ranges', async () => {
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.request('POST', '/api/v1/namespaces/default/services', nodePortService(`s${i}`))));
  for (const r of replies) assert.equal(r.status, 201, JSON.stringify(r.body));
  const list = JSON.parse((await c.kubectl('get', 'svc', '-o', 'json')).stdout).items.filter((s: any) => s.metadata.name !== 'kubernetes');
  assert.equal(list.length, 20);
  const ips = list.map((s: any) => s.spec.clusterIP);
  const ports = list.map((s: any) => s.spec.ports[0].nodePort);
  assert.equal(new Set(ips).size, 20, `distinct IPs: ${ips}`);
  assert.equal(new Set(ports).size, 20, `distinct ports: ${ports}`);
  for (const ip of ips) assert.match(ip, /^10\.200\.0\.(\d+)$/);
  assert.ok(!ips.includes('10.200.0.1'), '.1 is the kubernetes Service');
  assert.ok(ports.every((p: number) => p >= 31000 && p <= 31099));
  const kube = await c.kubectl('get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}');
  assert.equal(kube.stdout, '10.200.0.1');
  // kubectl shows them the usual way.
  const table = await c.kubectl('get', 'svc', 's0');
  assert.match(table.stdout, new RegExp(`^s0\\s+NodePort\\s+10\\.200\\.0\\.\\d+\\s+<none>\\s+80:${list.find((s: any) => s.metadata.name === 's0').spec.ports[0].nodePort}/TCP`, 'm'));
});

test('a requested address or node port that is taken or out of range is refused (422)', async () => {
  const taken = await c.kubectl('get', 'svc', 's1', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}');
  const [ip, port] = taken.stdout.split(' ');
  const yaml = (name: string, spec: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {${spec}}\n`;

  const ipTaken = await c.kubectlWith({ input: yaml('want-ip', `clusterIP: ${ip}, ports: [{port: 80}]`) }, 'create', '-f', '-');
  assert.equal(ipTaken.code, 1);
  assert.match(ipTaken.stderr, new RegExp(`The Service "want-ip" is invalid: spec\\.clusterIPs\\[0\\]: Invalid value: "${ip!.replace(/\./g, '\\.')}": provided IP is already allocated`));

  const outside = await c.kubectlWith({ input: yaml('outside', 'clusterIP: 10.96.0.10, ports: [{port: 80}]') }, 'create', '-f', '-');
  assert.match(outside.stderr, /spec\.clusterIPs\[0\]: Invalid value: "10\.96\.0\.10": provided IP is not in the valid range\. The range of valid IPs is 10\.200\.0\.0\/24/);

  const portTaken = await c.kubectlWith({ input: yaml('want-port', `type: NodePort, ports: [{port: 80, nodePort: ${port}}]`) }, 'create', '-f', '-');
  assert.match(portTaken.stderr, new RegExp(`spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${port}: provided port is already allocated`));

  const badPort = await c.kubectlWith({ input: yaml('bad-port', 'type: NodePort, ports: [{port: 80, nodePort: 30000}]') }, 'create', '-f', '-');
  assert.match(badPort.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30000: provided port is not in the valid range\. The range of valid ports is 31000-31099/);

  // None of the refused creates kept anything: the allocation keys are exactly the live Services' values.
  const json = JSON.parse((await c.berth('status', '--format', 'json')).stdout);
  const keys = await run('etcdctl', ['--endpoints', json.etcd.endpoints[0], 'get', '--prefix', '/berth/allocations/', '--keys-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
  const recorded = keys.stdout.split('\n').filter(Boolean).map((k) => k.slice(k.lastIndexOf('/') + 1)).sort();
  const live = JSON.parse((await c.kubectl('get', 'svc', '-o', 'json')).stdout).items.flatMap((s: any) => [s.spec.clusterIP, ...s.spec.ports.map((p: any) => p.nodePort).filter(Boolean).map(String)]).sort();
  assert.deepEqual(recorded, live);

  // Deleting the holder frees its values: now the same request succeeds.
  assert.equal((await c.kubectl('delete', 'svc', 's1')).code, 0);
  const reuse = await c.kubectlWith({ input: yaml('want-ip', `type: NodePort, clusterIP: ${ip}, ports: [{port: 80, nodePort: ${port}}]`) }, 'create', '-f', '-');
  assert.equal(reuse.code, 0, reuse.stderr);
  assert.equal((await c.kubectl('get', 'svc', 'want-ip', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}')).stdout, `${ip} ${port}`);
});

test('headless Services get no address', async () => {
  const r = await c.kubectlWith({ input: 'apiVersion: v1\nkind: Service\nmetadata: {name: headless}\nspec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}\n' }, 'create', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await c.kubectl('get', 'svc', 'headless', '-o', 'jsonpath={.spec.clusterIP}')).stdout, 'None');
});
