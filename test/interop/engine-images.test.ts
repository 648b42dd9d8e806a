// The real docker CLI 28 and dockerode against Berth's Docker API (system, image and auth endpoints),
// served in-process on a temp socket, with docker-registry (distribution 2.8) on 127.0.0.1 for push/pull.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTlsFiles, runDocker, startEngineFixture, type CommandResult, type EngineFixture } from './engine-fixture.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root (image unpacking uses the fsops helper)');

let engine: EngineFixture;
let registry: TestRegistry;
let authRegistry: TestRegistry;

before(async () => {
  registry = await startRegistry();
  authRegistry = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret' } });
  engine = await startEngineFixture();
});

after(async () => {
  await engine?.stop();
  await registry?.stop();
  await authRegistry?.stop();
});

/** Runs docker and requires exit 0, showing output and the server log otherwise. */
async function ok(args: string[], options?: Parameters<EngineFixture['docker']>[1]): Promise<CommandResult> {
  const r = await engine.docker(args, options);
  assert.equal(r.code, 0, `docker ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver log:\n${engine.log.slice(-15).join('\n')}`);
  return r;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function registryGet(host: string, urlPath: string, accept = 'application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(`http://${host}${urlPath}`, { headers: { Accept: accept } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('docker version shows the client and the Berth server at API 1.47', async () => {
  const r = await ok(['version']);
  assert.match(r.stdout, /^Client:/m);
  assert.match(r.stdout, /^Server: Berth Engine/m);
  assert.match(r.stdout, /API version:\s+1\.47 \(minimum version 1\.24\)/);
  const j = JSON.parse((await ok(['version', '--format', '{{json .Server}}'])).stdout) as { ApiVersion: string; Os: string; Components: { Name: string }[] };
  assert.equal(j.ApiVersion, '1.47');
  assert.equal(j.Os, 'linux');
  assert.ok(j.Components.some((c) => c.Name === 'Engine'));
});

test('docker info prints the engine facts the CLI reads', async () => {
  const r = await ok(['info']);
  assert.match(r.stdout, /Images: 1\n/);
  assert.match(r.stdout, /Default Runtime: berth/);
  assert.match(r.stdout, /Cgroup Driver: cgroupfs/);
  const info = JSON.parse((await ok(['info', '--format', '{{json .}}'])).stdout) as Record<string, unknown>;
  assert.equal(info.Driver, engine.services.images.snapshots.name);
  assert.equal(info.DockerRootDir, engine.root);
  assert.equal(info.OSType, 'linux');
  assert.equal(info.CgroupVersion, '1'); // this host is hybrid (v1 controllers + a cgroup2 mount)
  assert.deepEqual(info.Warnings, []);
  assert.equal((info.Swarm as { LocalNodeState: string }).LocalNodeState, 'inactive');
});

test('docker images (table and --format json) and image inspect show the imported busybox', async () => {
  const table = await ok(['images']);
  assert.match(table.stdout, new RegExp(`^busybox\\s+latest\\s+${engine.busyboxId.slice(7, 19)}\\s`, 'm'));
  const rows = jsonLines((await ok(['images', '--format', 'json'])).stdout);
  const row = rows.find((x) => x.Repository === 'busybox');
  assert.ok(row, JSON.stringify(rows));
  assert.equal(row.Tag, 'latest');
  assert.equal(row.ID, engine.busyboxId.slice(7, 19));
  const [inspect] = JSON.parse((await ok(['image', 'inspect', 'busybox'])).stdout) as { Id: string; RepoTags: string[]; Config: { Cmd: string[] } }[];
  assert.equal(inspect!.Id, engine.busyboxId);
  assert.deepEqual(inspect!.RepoTags, ['busybox:latest']);
  assert.deepEqual(inspect!.Config.Cmd, ['sh']);
  const missing = await engine.docker(['image', 'inspect', 'nosuch:image']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image: nosuch:image/);
});

test('docker history shows the image id, its comment and the layer size', async () => {
  const r = await ok(['history', '--no-trunc', '--format', '{{.ID}}|{{.Comment}}|{{.Size}}', 'busybox']);
  const [id, comment, size] = r.stdout.trim().split('\n')[0]!.split('|');
  assert.equal(id, engine.busyboxId);
  assert.equal(comment, 'busybox for the engine tests');
  assert.match(size!, /MB$/);
});

test('tag, push with progress, rmi, then pull back from the registry', async () => {
  const name = `${registry.host}/test/busybox:v1`;
  await ok(['tag', 'busybox', name]);
  assert.match((await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout, new RegExp(`^${name}$`, 'm'));

  const push = await ok(['push', name]);
  assert.match(push.stdout, new RegExp(`The push refers to repository \\[${registry.host}/test/busybox\\]`));
  assert.match(push.stdout, /: Pushed$/m);
  const pushed = /v1: digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(push.stdout);
  assert.ok(pushed, push.stdout);
  const manifest = await registryGet(registry.host, '/v2/test/busybox/manifests/v1');
  assert.equal(manifest.status, 200, 'the registry has the pushed manifest');

  const rmi = await ok(['rmi', name]);
  assert.match(rmi.stdout, new RegExp(`Untagged: ${name}`));
  assert.doesNotMatch((await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout, new RegExp(name));

  const pull = await ok(['pull', name]);
  assert.match(pull.stdout, /v1: Pulling from test\/busybox/);
  assert.match(pull.stdout, new RegExp(`Digest: ${pushed[1]}`));
  assert.match(pull.stdout, new RegExp(`Status: Downloaded newer image for ${name}`));
  const [img] = JSON.parse((await ok(['image', 'inspect', name])).stdout) as { Id: string; RepoDigests: string[] }[];
  assert.equal(img!.Id, engine.busyboxId, 'the same image came back');
  assert.ok(img!.RepoDigests.includes(`${registry.host}/test/busybox@${pushed[1]}`), JSON.stringify(img!.RepoDigests));
  const again = await ok(['pull', name]);
  assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${name}`));
  await ok(['rmi', name]);
});

test('pulling a missing image fails with the registry error before any stream (404), and docker pull says so', async () => {
  const name = `${registry.host}/test/nope:v1`;
  const r = await engine.docker(['pull', name]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error response from daemon: .*(not found|unknown)/i);
  // `docker run` relies on this: a 404 with a JSON message, not a 200 stream carrying an error.
  const raw = await engine.request('POST', `/v1.47/images/create?fromImage=${encodeURIComponent(`${registry.host}/test/nope`)}&tag=v1`);
  assert.equal(raw.status, 404, raw.body.toString());
  assert.equal(raw.headers['content-type'], 'application/json');
  assert.match((JSON.parse(raw.body.toString()) as { message: string }).message, /nope/);
});

test('docker save | docker load round-trips an image with its id and name', async () => {
  await ok(['tag', 'busybox', 'roundtrip:1']);
  const saved = await ok(['save', 'roundtrip:1']);
  assert.ok(saved.out.length > 1 << 20, `a tar came out (${saved.out.length} bytes)`);
  await ok(['rmi', 'roundtrip:1']);
  const loaded = await ok(['load'], { input: saved.out });
  assert.match(loaded.stdout, /Loaded image: roundtrip:1/);
  const [img] = JSON.parse((await ok(['image', 'inspect', 'roundtrip:1'])).stdout) as { Id: string }[];
  assert.equal(img!.Id, engine.busyboxId);
  await ok(['rmi', 'roundtrip:1']);
  const missing = await engine.docker(['save', 'nosuch:image']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image: nosuch:image/);
});

test('docker import makes an image from a rootfs tar with --change and -m', async () => {
  const r = await ok(['import', '-c', 'CMD ["echo", "hi"]', '-m', 'imported by the test', '-', 'imported:1'], { input: engine.busyboxTar });
  const id = r.stdout.trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const [img] = JSON.parse((await ok(['image', 'inspect', 'imported:1'])).stdout) as { Id: string; Config: { Cmd: string[] }; Comment: string }[];
  assert.equal(img!.Id, id);
  assert.deepEqual(img!.Config.Cmd, ['echo', 'hi']);
  assert.equal(img!.Comment, 'imported by the test');
  await ok(['rmi', 'imported:1']);
});

test('docker image prune -f removes dangling images only', async () => {
  const imported = await ok(['import', '-c', 'LABEL dangling=yes', '-'], { input: engine.busyboxTar });
  const id = imported.stdout.trim();
  const before = await ok(['images', '--filter', 'dangling=true', '--format', '{{.ID}}']);
  assert.match(before.stdout, new RegExp(id.slice(7, 19)));
  const r = await ok(['image', 'prune', '-f']);
  assert.match(r.stdout, new RegExp(`deleted: ${id}`));
  assert.match(r.stdout, /Total reclaimed space: /);
  const afterList = await ok(['images', '-a', '--format', '{{.ID}}']);
  assert.doesNotMatch(afterList.stdout, new RegExp(id.slice(7, 19)));
  assert.match(afterList.stdout, new RegExp(engine.busyboxId.slice(7, 19)), 'busybox (tagged) stays');
});

test('docker login against an htpasswd registry, then push with the stored credentials', async () => {
  const host = authRegistry.host;
  // Refused by the registry: a 404 "pull access denied" as dockerd answers (a 401 would make the CLI prompt).
  const refused = await engine.docker(['pull', `${host}/private/nothing:1`]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pull access denied for .*private\/nothing, repository does not exist or may require 'docker login'/);
  const bad = await engine.docker(['login', host, '-u', 'alice', '--password-stdin'], { input: 'wrong\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Error response from daemon: .*(authentication failed|unauthorized)/i);

  const good = await ok(['login', host, '-u', 'alice', '--password-stdin'], { input: 's3cret\n' });
  assert.match(good.stdout, /Login Succeeded/);
  const name = `${host}/private/busybox:1`;
  await ok(['tag', 'busybox', name]);
  const push = await ok(['push', name]);
  assert.match(push.stdout, /1: digest: sha256:/);

  // Another client without the credentials is refused by the registry, inside the push stream.
  const anonymous = await engine.docker(['push', name], { dockerConfig: `${engine.dir}/no-credentials` });
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stdout + anonymous.stderr, /authentication required|unauthorized/i);
  await ok(['rmi', name]);
  await ok(['pull', name]);
  await ok(['rmi', name]);
});

test('docker events --since --until replays the tag and untag events', async () => {
  const since = (Date.now() / 1000).toFixed(3);
  await ok(['tag', 'busybox', 'evented:1']);
  await ok(['rmi', 'evented:1']);
  const until = ((Date.now() + 1) / 1000).toFixed(3);
  const r = await ok(['events', '--since', since, '--until', until, '--filter', 'type=image', '--format', '{{json .}}']);
  const events = jsonLines(r.stdout) as { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }[];
  const tag = events.find((e) => e.Action === 'tag');
  const untag = events.find((e) => e.Action === 'untag');
  assert.ok(tag && untag, r.stdout);
  assert.equal(tag.Actor.ID, engine.busyboxId);
  assert.equal(tag.Actor.Attributes.name, 'evented:1');
  assert.equal(untag.Actor.Attributes.name, 'evented:1');
  assert.ok(events.every((e) => e.Type === 'image'));
  const onlyUntag = jsonLines((await ok(['events', '--since', since, '--until', until, '--filter', 'event=untag', '--format', '{{json .}}'])).stdout);
  assert.deepEqual(onlyUntag.map((e) => e.Action), ['untag']);
});

test('dockerode: listImages, inspect, pull with progress, tag and remove', async () => {
  const docker = engine.dockerode();
  const list = await docker.listImages();
  assert.ok(list.some((i) => i.Id === engine.busyboxId && i.RepoTags?.includes('busybox:latest')));
  const info = await docker.getImage('busybox').inspect();
  assert.equal(info.Id, engine.busyboxId);

  const source = `${registry.host}/dockerode/busybox:2`;
  await docker.getImage('busybox').tag({ repo: `${registry.host}/dockerode/busybox`, tag: '2' });
  const pushStream = await docker.getImage(source).push({});
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(pushStream, (err) => (err ? reject(err) : resolve())));
  await docker.getImage(source).remove();
  const statuses: string[] = [];
  const pullStream = await docker.pull(source);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(pullStream, (err) => (err ? reject(err) : resolve()), (e: { status?: string }) => statuses.push(e.status ?? '')),
  );
  assert.ok(statuses.includes(`Status: Downloaded newer image for ${source}`), statuses.join('\n'));
  assert.equal((await docker.getImage(source).inspect()).Id, engine.busyboxId);

  await docker.getImage(source).tag({ repo: 'dockerode-tag', tag: 'x' });
  assert.ok((await docker.listImages()).some((i) => i.RepoTags?.includes('dockerode-tag:x')));
  const removed = (await docker.getImage('dockerode-tag:x').remove()) as { Untagged?: string }[];
  assert.deepEqual(removed, [{ Untagged: 'dockerode-tag:x' }]);
  await docker.getImage(source).remove();
  await assert.rejects(docker.getImage('dockerode-tag:x').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
});

test('TCP with TLS: the docker CLI with a client certificate is served; without one it is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-engine-tls-'));
  let tlsEngine: EngineFixture | undefined;
  try {
    const tls = await makeTlsFiles(dir);
    tlsEngine = await startEngineFixture({ tcp: { host: '127.0.0.1', port: 0, tlsCert: tls.serverCert, tlsKey: tls.serverKey, tlsCaCert: tls.caCert } });
    const hostFlag = `tcp://127.0.0.1:${tlsEngine.tcpPort}`;
    const env = { DOCKER_CONFIG: tlsEngine.dockerConfig };
    const withCert = await runDocker(['-H', hostFlag, '--tlsverify', '--tlscacert', tls.caCert, '--tlscert', tls.clientCert, '--tlskey', tls.clientKey, 'version', '--format', '{{.Server.Version}}'], env);
    assert.equal(withCert.code, 0, withCert.stderr);
    assert.equal(withCert.stdout.trim(), '28.0.0-berth');
    // Certificates in DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) are what most users configure.
    const certPath = path.join(dir, 'cert-path');
    fs.mkdirSync(certPath);
    fs.copyFileSync(tls.caCert, path.join(certPath, 'ca.pem'));
    fs.copyFileSync(tls.clientCert, path.join(certPath, 'cert.pem'));
    fs.copyFileSync(tls.clientKey, path.join(certPath, 'key.pem'));
    const images = await runDocker(['images', '--format', '{{.Repository}}'], { ...env, DOCKER_HOST: hostFlag, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath });
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.stdout.trim(), 'busybox');
    const noCert = await runDocker(['-H', hostFlag, '--tlsverify', '--tlscacert', tls.caCert, 'version'], env);
    assert.notEqual(noCert.code, 0);
    assert.doesNotMatch(noCert.stdout, /Berth Engine/);
    assert.match(noCert.stderr, /certificate|tls|handshake/i);
  } finally {
    await tlsEngine?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
