// The build context Berth lists must be the one the real docker CLI sends. The CLI builds the context tar itself
// (legacy builder: DOCKER_BUILDKIT=0), so a stand-in daemon on a unix socket that answers /_ping and keeps the
// POST /build body shows exactly which paths Docker sends for each .dockerignore.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { listContext } from '../../../src/build/context/walk.js';

let root: string;
let server: Server;
let socket: string;
let lastBody: Buffer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-ctx-cli-'));
  socket = join(root, 'docker.sock');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('Api-Version', '1.41');
      res.setHeader('Ostype', 'linux');
      if (req.url?.endsWith('/_ping')) {
        res.end('OK');
      } else if (req.url?.includes('/build')) {
        lastBody = Buffer.concat(chunks);
        res.setHeader('Content-Type', 'application/json');
        res.end(`${JSON.stringify({ error: 'context captured', errorDetail: { message: 'context captured' } })}\n`);
      } else {
        res.statusCode = 404;
        res.end('{"message":"not served by this stand-in"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

/** Runs `docker build` against the stand-in daemon and returns the paths of the context tar it sent. */
async function dockerContext(dir: string, dockerfile?: string): Promise<string[]> {
  lastBody = undefined;
  const args = ['build', ...(dockerfile ? ['-f', join(dir, dockerfile)] : []), dir];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('docker', args, {
      env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: join(root, 'cfg') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  assert.ok(lastBody, `docker build sent no context: ${output}`);
  const names: string[] = [];
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      names.push(header.name.replace(/\/$/, ''));
      stream.resume();
      stream.on('end', next);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    extract.end(lastBody);
  });
  return names;
}

async function makeContext(name: string, files: Record<string, string | null>, links: Record<string, string> = {}): Promise<string> {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(content === null ? full : join(full, '..'), { recursive: true });
    if (content !== null) await writeFile(full, content);
  }
  for (const [path, target] of Object.entries(links)) await symlink(target, join(dir, path));
  return dir;
}

async function compare(name: string, files: Record<string, string | null>, options: { dockerfile?: string; links?: Record<string, string> } = {}): Promise<string[]> {
  const dir = await makeContext(name, files, options.links);
  const docker = await dockerContext(dir, options.dockerfile);
  const berth = (await listContext(dir, options.dockerfile ? { dockerfile: options.dockerfile } : {})).map((e) => e.path);
  assert.deepEqual([...berth].sort(), [...docker].sort(), `${name}: Berth's context differs from the docker CLI's`);
  return docker;
}

test('exceptions, re-inclusion below excluded directories, and the parent-result quirk', async () => {
  const sent = await compare('exceptions', {
    'Dockerfile': 'FROM scratch\n',
    '.dockerignore': 'node_modules\n*.log\n!keep.log\nvendor\n!vendor/keep\n**/*.tmp\ndir/sub\n!dir\nall/\n!**/wanted\n',
    'app.js': '', 'debug.log': '', 'keep.log': '', 'node_modules/x/i.js': '', 'src/a.tmp': '', 'src/deep/b.tmp': '',
    'src/main.js': '', 'vendor/keep/mod.go': '', 'vendor/drop/mod.go': '', 'dir/sub/f': '', 'dir/other/g': '',
    'all/wanted': '', 'other/wanted': '',
  });
  assert.ok(sent.includes('vendor/keep/mod.go') && !sent.includes('vendor') && !sent.includes('dir/sub/f'));
});

test('wildcards, classes, escapes and cleaned patterns', async () => {
  await compare('wildcards', {
    'Dockerfile': 'FROM scratch\n',
    '.dockerignore': '# comment\n/build/\n./docs/../tmp\n**/*.md\n!README.md\nsrc/**/gen_*.go\n[ab].txt\n?.cfg\n\\*star\nlib**\n  spaced  \n',
    'README.md': '', 'CHANGES.md': '', 'docs/guide.md': '', 'build/out.bin': '', 'tmp/t': '', 'src/gen_a.go': '',
    'src/x/y/gen_b.go': '', 'src/main.go': '', 'a.txt': '', 'c.txt': '', '1.cfg': '', '12.cfg': '', '*star': '', 'xstar': '',
    'library/x': '', 'libz': '', 'spaced': '', 'keep/me': null,
  });
});

test('the Dockerfile and .dockerignore are sent even when excluded; -f in a subdirectory', async () => {
  const files = {
    'Dockerfile': 'FROM scratch\n', '.dockerignore': '*\n!src\n', 'docker/app.Dockerfile': 'FROM scratch\n', 'docker/other': '',
    'src/main.go': '',
  };
  await compare('always-root', files);
  await compare('always-sub', files, { dockerfile: 'docker/app.Dockerfile' });
});

test('symbolic links, empty directories and byte-order walking', async () => {
  await compare('links', {
    'Dockerfile': 'FROM scratch\n', '.dockerignore': 'ignored-link\n', 'real/file': '', 'empty': null, 'B': '', 'a': '', '_u': '',
    'é': '', 'Z/z': '',
  }, { links: { 'link-dir': 'real', 'abs': '/etc/passwd', 'dangling': 'nowhere', 'ignored-link': 'real' } });
});
