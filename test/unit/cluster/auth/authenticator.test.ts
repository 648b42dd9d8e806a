import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { bearerToken, createAuthenticator, userFromCertificate, type PeerCertificate } from '../../../../src/cluster/auth/authenticator.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const tokens = { lookup: (t: string) => (t === 'good' ? { name: 'bob', uid: '7', groups: ['ops'] } : undefined) };

test('bearer tokens: header (any case), and the WebSocket subprotocol form', () => {
  assert.equal(bearerToken(request({ authorization: 'Bearer abc' })), 'abc');
  assert.equal(bearerToken(request({ authorization: 'bearer  abc ' })), 'abc');
  assert.equal(bearerToken(request({ authorization: 'Basic abc' })), undefined);
  const proto = `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${Buffer.from('tok').toString('base64url')}`;
  assert.equal(bearerToken(request({ 'sec-websocket-protocol': proto })), 'tok');
});

test('certificates: only verified client certificates with a CN identify someone', () => {
  const cert = (o: Partial<PeerCertificate>): PeerCertificate => ({ authorized: true, commonName: 'alice', organizations: ['dev', 'ops'], ...o });
  assert.deepEqual(userFromCertificate(cert({})), { name: 'alice', groups: ['dev', 'ops'] });
  assert.equal(userFromCertificate(cert({ authorized: false })), undefined, 'unverified chain');
  assert.equal(userFromCertificate(cert({ commonName: undefined })), undefined);
  assert.equal(userFromCertificate(cert({ extKeyUsage: ['1.3.6.1.5.5.7.3.1'] })), undefined, 'a server-only certificate');
  assert.ok(userFromCertificate(cert({ extKeyUsage: ['1.3.6.1.5.5.7.3.2'] })));
});

test('authenticate: certificate first, then token; everyone gets system:authenticated; nothing → undefined', async () => {
  let peer: PeerCertificate | undefined = { authorized: true, commonName: 'alice', organizations: ['dev'] };
  const auth = createAuthenticator({ tokens, peerCertificate: () => peer });
  assert.deepEqual(await auth.authenticate(request({ authorization: 'Bearer good' })), { name: 'alice', groups: ['dev', 'system:authenticated'] });
  peer = undefined;
  assert.deepEqual(await auth.authenticate(request({ authorization: 'Bearer good' })), { name: 'bob', uid: '7', groups: ['ops', 'system:authenticated'] });
  assert.equal(await auth.authenticate(request({ authorization: 'Bearer bad' })), undefined);
  assert.equal(await auth.authenticate(request({})), undefined);
  peer = { authorized: false, commonName: 'mallory', organizations: ['system:masters'] };
  assert.equal(await auth.authenticate(request({})), undefined, 'a self-signed certificate is ignored');
});
