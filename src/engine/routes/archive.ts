// docker cp and docker export: GET/HEAD/PUT /containers/{id}/archive and GET /containers/{id}/export.
// Paths are resolved inside the container (its own symlinks and root); writes go through the image
// layer's hostile-archive-safe unpacker.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { applyLayer, mountAll, unmountAll } from '../../image/index.js';
import type { Route } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { ContainerManager } from '../containers/manager.js';
import { containerPaths } from '../containers/context.js';
import type { ContainerRecord } from '../containers/types.js';
import { pathStatHeader, resolveInRoot } from '../archive/container-path.js';

/** Runs `fn` with the container's root as the host sees it: /proc/<pid>/root while it runs (volumes included), else its snapshot mounted for the call. */
async function withRoot<T>(containers: ContainerManager, rec: ContainerRecord, fn: (root: string) => Promise<T>, opts: { rootfsOnly?: boolean } = {}): Promise<T> {
  const ctx = containers.ctx;
  const p = containerPaths(ctx, rec.Id);
  if (rec.State.Running) return fn(opts.rootfsOnly ? p.rootfs : `/proc/${rec.State.Pid}/root`);
  const dir = fs.mkdtempSync(path.join(ctx.config.runRoot, 'cp-'));
  const fsops = await ctx.fsops();
  try {
    await mountAll(await ctx.images.snapshots.mounts(rec.SnapshotKey), dir, fsops);
    return await fn(dir);
  } finally {
    await unmountAll(dir, fsops).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Streams `tar` of `names` under `cwd` into the response. */
function tarTo(out: NodeJS.WritableStream, cwd: string, names: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', cwd, '-cf', '-', '--', ...names], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    tar.stdout.pipe(out as NodeJS.WritableStream & { end(): void });
    // A client that stops reading (docker export | head) must not leave tar blocked on its output forever.
    const stop = () => tar.kill('SIGKILL');
    (out as NodeJS.EventEmitter).once('close', stop);
    tar.on('error', reject);
    tar.on('close', (code) => {
      (out as NodeJS.EventEmitter).removeListener('close', stop);
      if (code === 0 || code === 1) resolve();
      else reject(new Error(`tar: ${err.trim()}`));
    });
  });
}

export function archiveRoutes(containers: ContainerManager): Route[] {
  const pathParam = (q: URLSearchParams) => {
    const p = q.get('path');
    if (!p) throw new EngineError('a path is required (?path=)', 'InvalidArgument');
    return p.startsWith('/') ? p : `/${p}`;
  };
  return [
    {
      method: 'HEAD', path: '/containers/:id/archive', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        const inside = pathParam(req.query);
        const header = await withRoot(containers, rec, async (root) => pathStatHeader(resolveInRoot(root, inside, true), inside));
        res.text(200, '', 'application/x-tar', { 'X-Docker-Container-Path-Stat': header });
      },
    },
    {
      method: 'GET', path: '/containers/:id/archive', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        const inside = pathParam(req.query);
        await withRoot(containers, rec, async (root) => {
          const host = resolveInRoot(root, inside, true);
          const header = pathStatHeader(host, inside);
          const out = res.stream('application/x-tar', { 'X-Docker-Container-Path-Stat': header });
          await tarTo(out, path.dirname(host), [path.basename(host)]).finally(() => out.end());
        });
      },
    },
    {
      method: 'PUT', path: '/containers/:id/archive', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        const inside = pathParam(req.query);
        if (rec.HostConfig.ReadonlyRootfs && rec.State.Running) throw new EngineError('container rootfs is marked read-only', 'Forbidden');
        await withRoot(containers, rec, async (root) => {
          const host = resolveInRoot(root, inside);
          const st = fs.statSync(host, { throwIfNoEntry: false });
          if (!st) throw new EngineError(`Could not find the file ${inside} in container ${rec.Name.slice(1)}`, 'NotFound');
          if (!st.isDirectory()) throw new EngineError(`extraction point is not a directory: ${inside}`, 'InvalidArgument');
          await applyLayer(req.body() as NodeJS.ReadableStream & import('node:stream').Readable, host, { whiteouts: 'delete', fsops: await containers.ctx.fsops() });
        });
        res.status(200);
      },
    },
    {
      method: 'GET', path: '/containers/:id/export', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        await withRoot(containers, rec, async (root) => {
          const out = res.stream('application/x-tar');
          const names = fs.readdirSync(root);
          await tarTo(out, root, names.length ? names : ['.']).finally(() => out.end());
        }, { rootfsOnly: true });
      },
    },
  ];
}
