// The engine part of `berth demo`: a private `berth daemon`, driven by the real docker CLI — a web server on a
// published port, two containers talking by name on a user-defined network, and the daemon killed with
// SIGKILL while its containers keep serving, then adopted by a new daemon.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { packageRoot } from '../common/package-root.js';
import { makeBusyboxRootfs } from './busybox.js';
import { removeBridgeRules } from '../network/index.js';

const BRIDGE = 'berthdemo0';

function docker(env: NodeJS.ProcessEnv, args: string[], show = true): { status: number | null; out: string } {
  if (show) console.log(`$ docker ${args.join(' ')}`);
  const r = spawnSync('docker', args, { env, encoding: 'utf8', timeout: 60_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (show && out) process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  return { status: r.status, out };
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function startDaemon(bin: string, tmp: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const log = fs.openSync(path.join(tmp, 'daemon.log'), 'a');
  const child = spawn(process.execPath, [bin, 'daemon', '--root', path.join(tmp, 'engine'), '--run-root', path.join(tmp, 'run'), '-H', `unix://${path.join(tmp, 'run/berth.sock')}`, '--cgroup-parent', 'berth-demo'], { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  for (let i = 0; i < 200; i++) {
    if (docker(env, ['version', '--format', '{{.Server.Version}}'], false).status === 0) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`berth daemon did not start:\n${fs.readFileSync(path.join(tmp, 'daemon.log'), 'utf8')}`);
}

/** Runs the engine demo in `tmp`; returns true when every step worked. */
export async function runEngineDemo(tmp: string): Promise<boolean> {
  const bin = path.join(packageRoot(), 'bin/berth.cjs');
  const env = {
    ...process.env, BERTH_ROOT: path.join(tmp, 'engine'), BERTH_RUN: path.join(tmp, 'run'), BERTH_BRIDGE_NAME: BRIDGE,
    BERTH_BRIDGE_SUBNET: '10.213.0.0/24', DOCKER_HOST: `unix://${path.join(tmp, 'run/berth.sock')}`, DOCKER_CONFIG: path.join(tmp, 'docker-config'),
  };
  console.log('\n== the engine: berth daemon speaks the Docker Engine API; the real docker CLI drives it');
  const tar = spawnSync('tar', ['-C', makeBusyboxRootfs(path.join(tmp, 'engine-busybox')), '-c', '.'], { maxBuffer: 1 << 28 }).stdout;
  const imp = spawnSync(process.execPath, [bin, 'import', '-c', 'CMD ["sh"]', '-', 'busybox:latest'], { env, input: tar, encoding: 'utf8' });
  if (imp.status !== 0) throw new Error(`import: ${imp.stderr}`);
  let daemon = await startDaemon(bin, tmp, env);
  let ok = true;
  try {
    console.log(`$ berth daemon --root ${env.BERTH_ROOT} -H ${env.DOCKER_HOST}   (pid ${daemon.pid})`);
    ok &&= docker(env, ['run', '-d', '--name', 'web', '-p', '127.0.0.1::80', '--memory', '32m', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']).status === 0;
    const port = docker(env, ['port', 'web', '80']).out.trim().split(':').pop();
    console.log(`$ curl http://127.0.0.1:${port}/hostname`);
    process.stdout.write(await get(`http://127.0.0.1:${port}/hostname`));
    ok &&= docker(env, ['network', 'create', 'demo']).status === 0;
    ok &&= docker(env, ['run', '-d', '--network', 'demo', '--name', 'db', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']).status === 0;
    ok &&= docker(env, ['run', '--rm', '--network', 'demo', 'busybox', 'wget', '-qO-', 'http://db/hostname']).status === 0;
    docker(env, ['ps', '--format', 'table {{.Names}}\t{{.Status}}\t{{.Ports}}']);

    console.log(`\n== kill -9 the daemon (pid ${daemon.pid}): the containers run on under their monitors`);
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon.once('exit', r));
    console.log(`$ curl http://127.0.0.1:${port}/hostname   (no daemon running)`);
    process.stdout.write(await get(`http://127.0.0.1:${port}/hostname`));
    daemon = await startDaemon(bin, tmp, env);
    console.log(`== a new daemon (pid ${daemon.pid}) adopted them:`);
    const ps = docker(env, ['ps', '--format', 'table {{.Names}}\t{{.Status}}']);
    ok &&= /web\s+Up/.test(ps.out) && /db\s+Up/.test(ps.out);
  } finally {
    docker(env, ['rm', '-f', 'web', 'db'], false);
    docker(env, ['network', 'rm', 'demo'], false);
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r(null)));
    // The default bridge and its NAT rules outlive a daemon (as docker0's do); the demo's go with it.
    spawnSync('ip', ['link', 'del', BRIDGE]);
    await removeBridgeRules(BRIDGE).catch((e: Error) => console.error(`removing the demo bridge's rules: ${e.message}`));
  }
  console.log(ok ? '== engine demo done: containers, ports, networks by name, and a daemon restart' : '== engine demo FAILED (see the output above)');
  return ok;
}
