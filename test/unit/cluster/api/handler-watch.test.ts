// Watch over HTTP: newline-delimited JSON events, one per change, in order; initial state without a
// resourceVersion; selector transitions (ADDED/DELETED as objects enter and leave); Table events; 410 after
// compaction; timeoutSeconds ends the stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startApiServer, type TestApiServer } from '../../../fixtures/api-server.js';

let api: TestApiServer;
before(async () => {
  api = await startApiServer({ memory: true });
});
after(() => api.stop());

const CMS = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

interface Stream {
  events: any[];
  status: number;
  headers: http.IncomingHttpHeaders;
  ended: Promise<void>;
  waitFor(n: number): Promise<void>;
  close(): void;
}

function watch(path: string, accept = 'application/json'): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${api.url}${path}`, { headers: { Accept: accept }, agent: false }, (res) => {
      let buf = '';
      let endResolve: () => void;
      const s: Stream = {
        events: [],
        status: res.statusCode ?? 0,
        headers: res.headers,
        ended: new Promise((r) => (endResolve = r)),
        async waitFor(n) {
          const deadline = Date.now() + 10_000;
          while (s.events.length < n) {
            if (Date.now() > deadline) throw new Error(`expected ${n} events, got ${JSON.stringify(s.events)}`);
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          s.events.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
      });
      res.on('end', () => endResolve());
      res.on('close', () => endResolve());
      resolve(s);
    });
    req.on('error', reject);
  });
}

test('from a resourceVersion: every change once, in order, as ADDED/MODIFIED/DELETED', async () => {
  const list = (await api.request('GET', CMS)).json();
  const w = await watch(`${CMS}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
  assert.equal(w.status, 200);
  assert.equal(w.headers['content-type'], 'application/json');
  assert.equal(w.headers['transfer-encoding'], 'chunked');
  const created = (await api.request('POST', CMS, { body: cm('w1') })).json();
  await api.request('PUT', `${CMS}/w1`, { body: { ...created, data: { x: '1' } } });
  await api.request('DELETE', `${CMS}/w1`);
  await w.waitFor(3);
  w.close();
  assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(w.events[0].object.kind, 'ConfigMap');
  assert.equal(w.events[0].object.apiVersion, 'v1');
  const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, `increasing resourceVersions ${rvs}`);
  assert.equal(w.events[1].object.data.x, '1');
});

test('without a resourceVersion the current state arrives first as ADDED', async () => {
  await api.request('POST', CMS, { body: cm('s1') });
  await api.request('POST', CMS, { body: cm('s2') });
  const w = await watch(`${CMS}?watch=1`);
  await w.waitFor(2);
  await api.request('POST', CMS, { body: cm('s3') });
  await w.waitFor(3);
  w.close();
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED s1', 'ADDED s2', 'ADDED s3']);
});

test('selectors: entering the selection is ADDED, leaving it is DELETED; field selector by name', async () => {
  const rv = (await api.request('GET', CMS)).json().metadata.resourceVersion;
  const w = await watch(`${CMS}?watch=true&resourceVersion=${rv}&labelSelector=team%3Dblue`);
  const byName = await watch(`/api/v1/watch/namespaces/default/configmaps/sel?resourceVersion=${rv}`);
  const c = (await api.request('POST', CMS, { body: cm('sel', { team: 'red' }) })).json();
  const blue = (await api.request('PUT', `${CMS}/sel`, { body: { ...c, metadata: { ...c.metadata, labels: { team: 'blue' } } } })).json();
  const blue2 = (await api.request('PUT', `${CMS}/sel`, { body: { ...blue, data: { v: '2' } } })).json();
  await api.request('PUT', `${CMS}/sel`, { body: { ...blue2, metadata: { ...blue2.metadata, labels: { team: 'red' } } } });
  await api.request('POST', CMS, { body: cm('other', { team: 'blue' }) });
  await w.waitFor(4);
  await byName.waitFor(4);
  w.close();
  byName.close();
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED sel', 'MODIFIED sel', 'DELETED sel', 'ADDED other']);
  assert.deepEqual(byName.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED']);
});

test('Table watches send one-row Tables', async () => {
  const rv = (await api.request('GET', CMS)).json().metadata.resourceVersion;
  const w = await watch(`${CMS}?watch=true&resourceVersion=${rv}`, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
  await api.request('POST', CMS, { body: cm('tab', {}, { a: '1', b: '2' }) });
  await w.waitFor(1);
  w.close();
  const t = w.events[0].object;
  assert.equal(w.events[0].type, 'ADDED');
  assert.equal(t.kind, 'Table');
  assert.deepEqual(t.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
  assert.deepEqual(t.rows[0].cells.slice(0, 2), ['tab', 2]);
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
});

test('a compacted resourceVersion ends the watch with a 410 Expired ERROR event', async () => {
  const old = (await api.request('GET', CMS)).json().metadata.resourceVersion;
  await api.request('POST', CMS, { body: cm('c1') });
  await api.request('POST', CMS, { body: cm('c2') });
  await api.store.compact(await api.store.currentRevision());
  const w = await watch(`${CMS}?watch=true&resourceVersion=${old}`);
  await w.waitFor(1);
  await w.ended;
  assert.equal(w.status, 200);
  assert.equal(w.events[0].type, 'ERROR');
  assert.equal(w.events[0].object.code, 410);
  assert.equal(w.events[0].object.reason, 'Expired');
  assert.match(w.events[0].object.message, new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
  // Lists at a compacted revision are 410 too.
  const list = await api.request('GET', `${CMS}?resourceVersion=${old}&resourceVersionMatch=Exact`);
  assert.equal(list.status, 410);
});

test('timeoutSeconds ends the stream; bad parameters are ordinary 400s', async () => {
  const w = await watch(`${CMS}?watch=true&timeoutSeconds=1`);
  await w.ended;
  const bad = await api.request('GET', `${CMS}?watch=true&labelSelector=a%20in%20(`);
  assert.equal(bad.status, 400);
  const badRv = await api.request('GET', `${CMS}?watch=true&resourceVersion=abc`);
  assert.equal(badRv.status, 400);
});
