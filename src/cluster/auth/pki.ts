// The cluster's certificates, made with the openssl CLI (Node can verify certificates but not issue them):
// a CA, the API server's serving certificate, and client certificates whose subject carries the identity
// (CN → user name, each O → a group), as Kubernetes' x509 authenticator reads them. Everything lives under
// `<state>/pki`, keys 0600; a serving or admin certificate close to expiry, or missing a requested host, is
// issued again on start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** Runs openssl with args in cwd; throws with its stderr on failure. Injected for tests. */
export type OpensslRunner = (args: string[], cwd: string) => void;

/** The real openssl CLI. */
export const runOpenssl: OpensslRunner = (args, cwd) => {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
};

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface PkiOptions {
  /** Names and addresses the serving certificate must cover (added to the defaults). */
  hosts?: string[];
  openssl?: OpensslRunner;
  /** Validity of issued certificates in days (default 365; the CA gets ten years). */
  days?: number;
  now?: () => Date;
}

export const ADMIN_USER = 'berth-admin';
export const ADMIN_GROUP = 'system:masters';
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** The names every serving certificate covers: loopback, this host, and the in-cluster service names. */
export function defaultServingHosts(hostname = os.hostname()): string[] {
  return [
    '127.0.0.1',
    '::1',
    'localhost',
    hostname,
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
}

/** The subjectAltName value for hosts (IP: for addresses, DNS: otherwise), duplicates dropped. */
export function subjectAltName(hosts: string[]): string {
  return [...new Set(hosts.filter(Boolean))].map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
}

/** An openssl `-subj` string: CN=user and one O= per group, with `/` and `\` escaped. */
export function subjectFor(commonName: string, organizations: string[] = []): string {
  const esc = (s: string) => s.replace(/[\\/]/g, (c) => `\\${c}`);
  return `/CN=${esc(commonName)}` + organizations.map((o) => `/O=${esc(o)}`).join('');
}

/** The paths of the PKI files under dir. */
export function pkiPaths(dir: string): Pki {
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'apiserver.crt'),
    serverKey: path.join(dir, 'apiserver.key'),
    adminCert: path.join(dir, 'admin.crt'),
    adminKey: path.join(dir, 'admin.key'),
  };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const serial = () => `0x${randomBytes(16).toString('hex').replace(/^[89a-f]/, '1')}`; // positive, 128 bits

/** Creates whatever part of the PKI is missing (or stale) under dir and returns its paths. */
export function ensurePki(dir: string, opts: PkiOptions = {}): Pki {
  const p = pkiPaths(dir);
  const openssl = opts.openssl ?? runOpenssl;
  const now = (opts.now ?? (() => new Date()))();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const haveCert = fs.existsSync(p.caCert);
  const haveKey = fs.existsSync(p.caKey);
  if (haveCert !== haveKey) throw new Error(`incomplete CA in ${dir}: ${haveCert ? p.caKey : p.caCert} is missing`);
  if (!haveCert) {
    withScratch(dir, (tmp) => {
      openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-set_serial', serial(),
        '-subj', '/CN=berth-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign'], tmp);
      install(tmp, 'ca.key', p.caKey);
      install(tmp, 'ca.crt', p.caCert);
    });
  }

  const hosts = [...defaultServingHosts(), ...(opts.hosts ?? [])];
  if (needsIssue(p.serverCert, p.serverKey, now, hosts)) {
    const pair = issue(p, openssl, { subject: subjectFor('kube-apiserver'), serverHosts: hosts, days: opts.days ?? 365 });
    writeAtomic(p.serverKey, pair.keyPem, 0o600);
    writeAtomic(p.serverCert, pair.certPem, 0o644);
  }
  if (needsIssue(p.adminCert, p.adminKey, now)) {
    const pair = issue(p, openssl, { subject: subjectFor(ADMIN_USER, [ADMIN_GROUP]), days: opts.days ?? 365 });
    writeAtomic(p.adminKey, pair.keyPem, 0o600);
    writeAtomic(p.adminCert, pair.certPem, 0o644);
  }
  return p;
}

/** A client certificate for user with groups, signed by the cluster CA (CN = user, O = each group). */
export function issueClientCert(pki: Pki, user: string, groups: string[] = [], opts: { openssl?: OpensslRunner; days?: number } = {}): PemPair {
  if (!user) throw new Error('a client certificate needs a user name');
  return issue(pki, opts.openssl ?? runOpenssl, { subject: subjectFor(user, groups), days: opts.days ?? 365 });
}

/** True when the certificate is missing, unreadable, expiring within 30 days, or lacks one of hosts. */
export function needsIssue(certFile: string, keyFile: string, now: Date, hosts: string[] = []): boolean {
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) return true;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(fs.readFileSync(certFile));
  } catch {
    return true;
  }
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return true;
  return hosts.some((h) => (isIP(h) ? cert.checkIP(h) === undefined : cert.checkHost(h) === undefined));
}

function issue(p: Pki, openssl: OpensslRunner, o: { subject: string; serverHosts?: string[]; days: number }): PemPair {
  return withScratch(p.dir, (tmp) => {
    openssl(['req', '-new', ...EC, '-utf8', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', o.subject], tmp);
    const ext = o.serverHosts
      ? `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltName(o.serverHosts)}\n`
      : 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
    fs.writeFileSync(path.join(tmp, 'leaf.ext'), ext);
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', p.caCert, '-CAkey', p.caKey, '-set_serial', serial(),
      '-days', String(o.days), '-extfile', 'leaf.ext', '-out', 'leaf.crt'], tmp);
    return { certPem: fs.readFileSync(path.join(tmp, 'leaf.crt'), 'utf8'), keyPem: fs.readFileSync(path.join(tmp, 'leaf.key'), 'utf8') };
  });
}

/** Runs fn in a private scratch dir under dir (keys never touch a shared temp dir), removed afterwards. */
function withScratch<T>(dir: string, fn: (tmp: string) => T): T {
  const tmp = fs.mkdtempSync(path.join(dir, '.tmp-'));
  fs.chmodSync(tmp, 0o700);
  try {
    return fn(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function install(tmp: string, name: string, dest: string): void {
  const src = path.join(tmp, name);
  fs.chmodSync(src, name.endsWith('.key') ? 0o600 : 0o644);
  fs.renameSync(src, dest);
}

/** Writes through a temp file and rename, so readers never see half a key. */
export function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
