import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  authKeyFor,
  dockerConfigDir,
  login,
  normalizeAuthKey,
  readCredentials,
  removeCredentials,
  saveCredentials,
} from '../../../../src/image/registry/credentials.js';
import type { HelperRunner } from '../../../../src/image/registry/cred-helper.js';
import { ImageError, isImageError } from '../../../../src/image/errors.js';
import type { Credentials, RegistryClientFactory } from '../../../../src/image/registry/types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function tempConfig(doc?: unknown): { dir: string; file: string; env: NodeJS.ProcessEnv; done(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dockercfg-'));
  const file = path.join(dir, 'config.json');
  if (doc !== undefined) fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return { dir, file, env: { DOCKER_CONFIG: dir }, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('config dir: $DOCKER_CONFIG overrides ~/.docker; auth keys normalize as Docker does', () => {
  assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/x' }), '/x');
  assert.equal(dockerConfigDir({ HOME: '/home/u' }), '/home/u/.docker');
  assert.equal(authKeyFor('docker.io'), 'https://index.docker.io/v1/');
  assert.equal(authKeyFor('localhost:5000'), 'localhost:5000');
  for (const k of ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']) assert.equal(normalizeAuthKey(k), 'docker.io');
  assert.equal(normalizeAuthKey('https://reg:5000/v2/'), 'reg:5000');
  assert.equal(normalizeAuthKey('http://reg:5000'), 'reg:5000');
});

test('reads every key form and entry form', async () => {
  const c = tempConfig({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
      'https://a.example/v2/': { auth: b64('a:1') },
      'http://b.example': { username: 'b', password: '2' },
      'c.example:5000': { identitytoken: 'refresh-xyz' },
      'd.example': { registrytoken: 'bearer-abc' },
      'e.example': {},
    },
    somethingElse: { keep: true },
  });
  try {
    const o = { env: c.env };
    assert.deepEqual(await readCredentials('docker.io', o), { username: 'hub', password: 'pw:with:colons' });
    assert.deepEqual(await readCredentials('a.example', o), { username: 'a', password: '1' });
    assert.deepEqual(await readCredentials('b.example', o), { username: 'b', password: '2' });
    assert.deepEqual(await readCredentials('c.example:5000', o), { identityToken: 'refresh-xyz' });
    assert.deepEqual(await readCredentials('d.example', o), { registryToken: 'bearer-abc' });
    assert.equal(await readCredentials('e.example', o), undefined);
    assert.equal(await readCredentials('nothere:1', o), undefined);
    assert.equal(await readCredentials('x', { env: { DOCKER_CONFIG: path.join(c.dir, 'missing') } }), undefined);
  } finally {
    c.done();
  }
});

test('a corrupt file or auth field is a clear error', async () => {
  const bad = tempConfig('{not json');
  const badAuth = tempConfig({ auths: { h: { auth: b64('nocolon') } } });
  try {
    await assert.rejects(readCredentials('h', { env: bad.env }), (e: unknown) => isImageError(e, 'FailedPrecondition') && e.message.includes(bad.file) && /invalid JSON/.test(e.message));
    await assert.rejects(readCredentials('h', { env: badAuth.env }), /auths\["h"\]\.auth is not base64 of "user:password"/);
  } finally {
    bad.done();
    badAuth.done();
  }
});

test('save keeps other fields, writes atomically with mode 0600; remove deletes every key naming the registry', async () => {
  const c = tempConfig({ auths: { 'other:1': { auth: b64('o:p') }, 'https://reg:5000': { auth: b64('old:old'), email: 'e@x' } }, psFormat: 'table {{.ID}}', credHelpers: {} });
  try {
    const o = { env: c.env };
    await saveCredentials('reg:5000', 'alice', 's3cret', o);
    await saveCredentials('docker.io', 'hubby', 'pw', o);
    const doc = JSON.parse(fs.readFileSync(c.file, 'utf8'));
    assert.equal(fs.statSync(c.file).mode & 0o777, 0o600);
    assert.equal(doc.psFormat, 'table {{.ID}}');
    assert.equal(doc.auths['other:1'].auth, b64('o:p'));
    assert.equal(doc.auths['reg:5000'].auth, b64('alice:s3cret'));
    assert.equal(doc.auths['https://index.docker.io/v1/'].auth, b64('hubby:pw'));
    assert.deepEqual(await readCredentials('reg:5000', o), { username: 'alice', password: 's3cret' }, 'the exact key wins');
    assert.deepEqual(fs.readdirSync(c.dir), ['config.json'], 'no temp files left');

    assert.equal(await removeCredentials('reg:5000', o), true);
    const after = JSON.parse(fs.readFileSync(c.file, 'utf8'));
    assert.deepEqual(Object.keys(after.auths).sort(), ['https://index.docker.io/v1/', 'other:1']);
    assert.equal(await removeCredentials('reg:5000', o), false);
    assert.equal(await removeCredentials('docker.io', o), true);
  } finally {
    c.done();
  }
});

test('saving creates the directory and file', async () => {
  const c = tempConfig();
  const nested = path.join(c.dir, 'new', 'dir');
  try {
    await saveCredentials('h:1', 'u', 'p', { configDir: nested });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(nested, 'config.json'), 'utf8')), { auths: { 'h:1': { auth: b64('u:p') } } });
  } finally {
    c.done();
  }
});

test('credential helpers: credHelpers per registry, credsStore for the rest, <token> users, missing helper', async () => {
  const calls: string[] = [];
  const store = new Map<string, { Username: string; Secret: string }>([
    ['reg:5000', { Username: 'helped', Secret: 'pw' }],
    ['https://index.docker.io/v1/', { Username: '<token>', Secret: 'idtok' }],
  ]);
  const run: HelperRunner = async (helper, action, input) => {
    calls.push(`${helper} ${action} ${action === 'store' ? JSON.parse(input).ServerURL : input}`);
    if (helper === 'missing') throw new ImageError('credential helper docker-credential-missing is not installed (not found in PATH)', 'FailedPrecondition');
    if (action === 'get') {
      const v = store.get(input);
      if (!v) throw new Error('credentials not found in native keychain');
      return JSON.stringify({ ServerURL: input, ...v });
    }
    if (action === 'store') store.set(JSON.parse(input).ServerURL, JSON.parse(input));
    if (action === 'erase') store.delete(input);
    return '';
  };
  const c = tempConfig({ credsStore: 'desktop', credHelpers: { 'reg:5000': 'pass', 'broken:1': 'missing' }, auths: { 'plain:1': { auth: b64('f:g') } } });
  try {
    const o = { env: c.env, runHelper: run };
    assert.deepEqual(await readCredentials('reg:5000', o), { username: 'helped', password: 'pw' });
    assert.deepEqual(await readCredentials('docker.io', o), { identityToken: 'idtok' });
    assert.deepEqual(await readCredentials('plain:1', o), { username: 'f', password: 'g' }, 'helper has none: the file entry is used');
    await assert.rejects(readCredentials('broken:1', o), (e: unknown) =>
      isImageError(e, 'FailedPrecondition') && /docker-credential-missing is not installed/.test(e.message) && /credHelpers\["broken:1"\]/.test(e.message) && e.message.includes(c.file));
    assert.deepEqual(calls.slice(0, 3), ['pass get reg:5000', 'desktop get https://index.docker.io/v1/', 'desktop get plain:1']);

    await saveCredentials('new:2', 'n', 'm', o);
    assert.deepEqual(store.get('new:2'), { ServerURL: 'new:2', Username: 'n', Secret: 'm' });
    const doc = JSON.parse(fs.readFileSync(c.file, 'utf8'));
    assert.deepEqual(doc.auths['new:2'], {}, 'secrets go to the helper, not the file');
    assert.equal(await removeCredentials('new:2', o), true);
    assert.equal(store.has('new:2'), false);
  } finally {
    c.done();
  }
});

test('login pings with the credentials first: refused → nothing written; accepted → saved', async () => {
  const c = tempConfig();
  const pinged: (Credentials | undefined)[] = [];
  const factory = (ok: boolean): RegistryClientFactory => ({
    repository: () => {
      throw new Error('unused');
    },
    ping: async (_registry, creds) => {
      pinged.push(creds);
      if (!ok) throw new ImageError('reg:5000: authentication failed — check the username and password', 'Unauthorized');
    },
  });
  try {
    await assert.rejects(login(factory(false), 'reg:5000', 'alice', 'wrong', { env: c.env }), (e: unknown) => isImageError(e, 'Unauthorized'));
    assert.equal(fs.existsSync(c.file), false);
    await login(factory(true), 'https://reg:5000/v2/', 'alice', 'right', { env: c.env });
    assert.deepEqual(pinged, [{ username: 'alice', password: 'wrong' }, { username: 'alice', password: 'right' }]);
    assert.deepEqual(await readCredentials('reg:5000', { env: c.env }), { username: 'alice', password: 'right' });
  } finally {
    c.done();
  }
});
