// The real kubectl reads Berth's OpenAPI v3 documents: `kubectl explain`, `create` (server-side field
// validation) and `apply` (strategic merge patch from the documents' patch metadata) against a small HTTP
// server that serves them, the API server's legacy discovery documents, and a toy object store that records
// exactly what kubectl sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createOpenApiV3 } from '../../../src/cluster/openapi/documents.js';
import { apiGroupList, apiResourceList, apiVersions } from '../../../src/cluster/api/discovery.js';

const openapi = createOpenApiV3();
let server: http.Server;
let dir: string;
let kubeconfig: string;
const requests: string[] = [];
const objects = new Map<string, Record<string, any>>();
const patches: { url: string; contentType: string; body: any }[] = [];
let counter = 0;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

// Just enough of an object store for kubectl create/apply: POST stores, GET reads, PATCH is recorded.
async function objectStore(
  req: http.IncomingMessage,
  p: string,
  json: (b: unknown, code?: number) => void,
): Promise<boolean> {
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(p);
  if (!m) return false;
  const [, ns, resource, name] = m;
  const notFound = () =>
    json(
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `${resource} "${name}" not found`,
        reason: 'NotFound',
        details: { name, kind: resource },
        code: 404,
      },
      404,
    );
  if (req.method === 'POST' && !name) {
    const obj = JSON.parse(await readBody(req));
    obj.metadata = {
      ...obj.metadata,
      namespace: ns,
      uid: `uid-${++counter}`,
      resourceVersion: String(counter),
      creationTimestamp: '2024-01-01T00:00:00Z',
    };
    objects.set(`${p}/${obj.metadata.name}`, obj);
    json(obj, 201);
    return true;
  }
  if (name && req.method === 'GET') {
    const obj = objects.get(p);
    if (obj) json(obj);
    else notFound();
    return true;
  }
  if (name && req.method === 'PATCH') {
    patches.push({
      url: req.url ?? '',
      contentType: String(req.headers['content-type']),
      body: JSON.parse(await readBody(req)),
    });
    const obj = objects.get(p);
    if (obj) json(obj);
    else notFound();
    return true;
  }
  return false;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(`${req.method} ${req.url}`);
  const json = (body: unknown, code = 200) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const p = url.pathname;
  if (await objectStore(req, p, json)) return;
  if (p === '/version')
    return json({
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.0',
      gitCommit: 'x',
      gitTreeState: 'clean',
      buildDate: '2024-12-11T00:00:00Z',
      goVersion: 'go1.23',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
  if (p === '/api')
    return json(apiVersions('127.0.0.1'));
  if (p === '/apis') return json(apiGroupList());
  if (p === '/api/v1') return json(apiResourceList('', 'v1'));
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (gv) return json(apiResourceList(gv[1]!, gv[2]!));
  if (p === '/openapi/v3') {
    const doc = openapi.index();
    res.writeHead(200, { 'content-type': 'application/json', etag: doc.etag });
    return void res.end(doc.body);
  }
  if (p.startsWith('/openapi/v3/')) {
    const doc = openapi.document(p.slice('/openapi/v3/'.length));
    if (doc) {
      res.writeHead(200, { 'content-type': 'application/json', etag: doc.etag });
      return void res.end(doc.body);
    }
  }
  json(
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      code: 404,
    },
    404,
  );
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-explain-'));
  server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: t, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: t}}]',
      'current-context: t',
    ].join('\n'),
  );
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
      { env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('kubectl explain pod.spec.containers prints fields with descriptions', async () => {
  const r = await kubectl('explain', 'pod.spec.containers');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^KIND:\s+Pod$/m);
  assert.match(r.stdout, /^VERSION:\s+v1$/m);
  assert.match(r.stdout, /^FIELD: containers <\[\]Container>$/m);
  assert.match(r.stdout, /List of containers belonging to the pod/);
  assert.match(r.stdout, /^\s+image\s+<string>$/m);
  assert.match(r.stdout, /^\s+name\s+<string> -required-$/m);
  assert.match(r.stdout, /^\s+ports\s+<\[\]ContainerPort>$/m);
  assert.match(r.stdout, /Container image name/);
  assert.match(r.stdout, /imagePullPolicy\s+<string>\n\s+enum: Always, IfNotPresent, Never/);
  assert.ok(
    requests.some((x) => x.startsWith('GET /openapi/v3/api/v1')),
    'kubectl fetched the core document',
  );
});

test('kubectl explain resolves short names and groups (deploy.spec.strategy, cj, hpa)', async () => {
  const deploy = await kubectl('explain', 'deploy.spec.strategy');
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stdout, /^GROUP:\s+apps$/m);
  assert.match(deploy.stdout, /^KIND:\s+Deployment$/m);
  assert.match(deploy.stdout, /^FIELD: strategy <DeploymentStrategy>$/m);
  assert.match(deploy.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);

  const cj = await kubectl('explain', 'cj.spec.schedule');
  assert.equal(cj.code, 0, cj.stderr);
  assert.match(cj.stdout, /^KIND:\s+CronJob$/m);
  assert.match(cj.stdout, /^FIELD: schedule <string>$/m);

  const hpa = await kubectl('explain', 'hpa.spec');
  assert.equal(hpa.code, 0, hpa.stderr);
  assert.match(hpa.stdout, /^VERSION:\s+v2$/m, 'autoscaling/v2 is the preferred version');
  assert.match(hpa.stdout, /metrics\s+<\[\]MetricSpec>/);
});

test('kubectl explain reports an unknown field', async () => {
  const r = await kubectl('explain', 'pod.spec.bogus');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /field "bogus" does not exist/);
});

const podYaml = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
  - name: web
    image: ${image}
    ports:
    - containerPort: 80
  - name: sidecar
    image: busybox
`;

test('kubectl create leaves unknown-field validation to the server (fieldValidation=Strict, no OpenAPI v2)', async () => {
  const file = path.join(dir, 'cm.yaml');
  fs.writeFileSync(
    file,
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  a: b\n',
  );
  const r = await kubectl('create', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /configmap\/settings created/);
  const post = requests.find((x) => x.startsWith('POST /api/v1/namespaces/default/configmaps'));
  assert.ok(post, requests.join('\n'));
  assert.match(post, /fieldValidation=Strict/);
  assert.match(post, /fieldManager=kubectl-create/);
  assert.ok(!requests.some((x) => x.includes('/openapi/v2')), 'kubectl did not fall back to client-side validation');
});

test('kubectl apply computes its strategic merge patch from the OpenAPI v3 patch metadata', async () => {
  const file = path.join(dir, 'pod.yaml');
  fs.writeFileSync(file, podYaml('nginx:1.25'));
  const created = await kubectl('apply', '-f', file);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /pod\/web created/);
  fs.writeFileSync(file, podYaml('nginx:1.26'));
  const configured = await kubectl('apply', '-f', file);
  assert.equal(configured.code, 0, configured.stderr);
  assert.doesNotMatch(configured.stderr, /warning: error calculating patch/);
  assert.equal(patches.length, 1);
  const [patch] = patches;
  assert.equal(patch!.contentType, 'application/strategic-merge-patch+json');
  // Containers are merged by name: the patch names the changed container and keeps the order of both.
  assert.deepEqual(patch!.body.spec['$setElementOrder/containers'], [{ name: 'web' }, { name: 'sidecar' }]);
  assert.deepEqual(patch!.body.spec.containers, [{ image: 'nginx:1.26', name: 'web' }]);
  assert.ok(!requests.some((x) => x.includes('/openapi/v2')), 'the v3 documents sufficed');
});
