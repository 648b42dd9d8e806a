import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensurePki, issueClientCert, needsIssue, subjectAltName, subjectFor } from '../../../../src/cluster/auth/pki.js';

test('subjects and SANs are written the way openssl expects', () => {
  assert.equal(subjectFor('alice', ['dev', 'ops']), '/CN=alice/O=dev/O=ops');
  assert.equal(subjectFor('a/b', ['c\\d']), '/CN=a\\/b/O=c\\\\d');
  assert.equal(subjectAltName(['127.0.0.1', '::1', 'localhost', 'localhost']), 'IP:127.0.0.1,IP:::1,DNS:localhost');
});

test('ensurePki makes a CA, a serving certificate and an admin certificate, keys 0600, once', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pki-'));
  try {
    const p = ensurePki(path.join(dir, 'pki'), { hosts: ['10.1.2.3'] });
    for (const key of [p.caKey, p.serverKey, p.adminKey]) assert.equal(fs.statSync(key).mode & 0o777, 0o600, key);
    const ca = new X509Certificate(fs.readFileSync(p.caCert));
    assert.ok(ca.ca);
    const server = new X509Certificate(fs.readFileSync(p.serverCert));
    assert.ok(server.verify(ca.publicKey), 'signed by the CA');
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3']) assert.ok(server.checkIP(ip), ip);
    for (const host of ['localhost', os.hostname(), 'kubernetes.default.svc']) assert.ok(server.checkHost(host), host);
    const admin = new X509Certificate(fs.readFileSync(p.adminCert));
    assert.ok(admin.verify(ca.publicKey));
    assert.match(admin.subject, /CN=berth-admin/);
    assert.match(admin.subject, /O=system:masters/);
    assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);

    // A second start keeps everything (a new CA would invalidate every kubeconfig).
    const before = fs.readFileSync(p.caCert, 'utf8') + fs.readFileSync(p.serverCert, 'utf8');
    ensurePki(path.join(dir, 'pki'), { hosts: ['10.1.2.3'] });
    assert.equal(fs.readFileSync(p.caCert, 'utf8') + fs.readFileSync(p.serverCert, 'utf8'), before);
    // A new host reissues the serving certificate only.
    ensurePki(path.join(dir, 'pki'), { hosts: ['10.9.9.9'] });
    assert.equal(fs.readFileSync(p.caCert, 'utf8'), before.slice(0, fs.readFileSync(p.caCert, 'utf8').length));
    assert.ok(new X509Certificate(fs.readFileSync(p.serverCert)).checkIP('10.9.9.9'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('issueClientCert: CN is the user, one O per group, signed by the CA', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pki-'));
  try {
    const p = ensurePki(dir);
    const pair = issueClientCert(p, 'jane', ['team-a', 'team-b']);
    const cert = new X509Certificate(pair.certPem);
    assert.ok(cert.verify(new X509Certificate(fs.readFileSync(p.caCert)).publicKey));
    assert.deepEqual(cert.subject.split('\n').sort(), ['CN=jane', 'O=team-a', 'O=team-b']);
    assert.match(pair.keyPem, /PRIVATE KEY/);
    assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('.tmp-')).length, 0, 'scratch dirs are removed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('needsIssue: missing files and certificates near expiry', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pki-'));
  try {
    const p = ensurePki(dir);
    assert.equal(needsIssue(p.adminCert, p.adminKey, new Date()), false);
    assert.equal(needsIssue(p.adminCert, p.adminKey, new Date(Date.now() + 340 * 86400_000)), true, 'within 30 days of expiry');
    assert.equal(needsIssue(path.join(dir, 'nope.crt'), p.adminKey, new Date()), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
