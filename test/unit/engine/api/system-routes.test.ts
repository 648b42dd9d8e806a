// /_ping and /version as the docker CLI negotiates with them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createEventBus } from '../../../../src/engine/events/bus.js';
import { systemRoutes } from '../../../../src/engine/routes/system.js';
import type { EngineServices } from '../../../../src/engine/services.js';
import { startTestServer, type TestServer } from './helpers.js';

const services = { events: createEventBus(), config: { root: '/nonexistent' }, containerCounts: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }) } as unknown as EngineServices;
let srv: TestServer;
before(async () => (srv = await startTestServer(systemRoutes(services))));
after(async () => srv.close());

test('GET /_ping: "OK", no-cache, and the negotiation headers', async () => {
  const r = await srv.request('GET', '/_ping');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'OK');
  assert.equal(r.headers['api-version'], '1.47');
  assert.equal(r.headers.ostype, 'linux');
  assert.equal(r.headers['docker-experimental'], 'false');
  assert.equal(r.headers.swarm, 'inactive');
  assert.equal(r.headers['builder-version'], '1');
  assert.equal(r.headers['cache-control'], 'no-cache, no-store, must-revalidate');
  assert.equal(r.headers.pragma, 'no-cache');
  assert.match(String(r.headers.server), /^Docker\/28\.0\.0-berth \(linux\)$/);
});

test('HEAD /_ping: the same headers, an empty text/plain body', async () => {
  const r = await srv.request('HEAD', '/v1.41/_ping');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(r.headers['api-version'], '1.47');
});

test('GET /version has the fields the CLI prints', async () => {
  const v = JSON.parse((await srv.request('GET', '/v1.47/version')).text);
  for (const k of ['Version', 'ApiVersion', 'MinAPIVersion', 'GitCommit', 'GoVersion', 'Os', 'Arch', 'KernelVersion', 'BuildTime', 'Platform', 'Components']) {
    assert.ok(k in v, k);
  }
  assert.equal(v.ApiVersion, '1.47');
  assert.equal(v.MinAPIVersion, '1.24');
  assert.equal(v.Os, 'linux');
  assert.match(v.Arch, /^(amd64|arm64|arm|386|ppc64le|s390x|riscv64)$/);
  assert.equal(v.Components[0].Name, 'Engine');
  assert.equal(v.Components[0].Details.ApiVersion, '1.47');
});
