// /containers/*: create, list, inspect, lifecycle, wait, attach, resize, rename, update, top, prune.
import { spawn } from 'node:child_process';
import type { Route } from '../api/router.js';
import { streamContentType } from '../api/streams.js';
import { EngineError } from '../errors.js';
import type { ContainerManager } from '../containers/manager.js';
import type { AttachHub } from '../containers/attach.js';
import { joinMonitor } from '../containers/attach.js';
import { parseDetachKeys } from '../containers/detach-keys.js';
import { containerPaths } from '../containers/context.js';
import { resizeTty } from '../monitor/index.js';
import type { CreateRequest } from '../containers/types.js';

export interface ContainerRouteDeps {
  containers: ContainerManager;
  attach: AttachHub;
}

/** The container lifecycle endpoints. */
export function containerRoutes({ containers, attach }: ContainerRouteDeps): Route[] {
  const ctx = containers.ctx;
  return [
    {
      method: 'POST', path: '/containers/create', handler: async (req, res) => {
        const body = await req.json<CreateRequest>();
        const name = req.query.get('name') || undefined;
        res.json(201, await containers.create(body, name));
      },
    },
    {
      method: 'GET', path: '/containers/json', handler: async (req, res) => {
        res.json(200, await containers.list({ all: req.bool('all'), limit: req.int('limit', 0) ?? 0, filters: req.filters() }));
      },
    },
    { method: 'GET', path: '/containers/:id/json', handler: async (req, res) => res.json(200, containers.inspect(req.params.id!)) },
    {
      method: 'POST', path: '/containers/:id/start', handler: async (req, res) => {
        await containers.start(req.params.id!, (socket) => attach.connectPending(containers.get(req.params.id!).Id, socket));
        res.noContent();
      },
    },
    {
      method: 'POST', path: '/containers/:id/stop', handler: async (req, res) => {
        const t = req.int('t');
        const signal = req.query.get('signal') || undefined;
        await containers.stop(req.params.id!, { ...(t !== undefined ? { timeout: t } : {}), ...(signal ? { signal } : {}) });
        res.noContent();
      },
    },
    {
      method: 'POST', path: '/containers/:id/restart', handler: async (req, res) => {
        const t = req.int('t');
        const signal = req.query.get('signal') || undefined;
        await containers.restart(req.params.id!, { ...(t !== undefined ? { timeout: t } : {}), ...(signal ? { signal } : {}) });
        res.noContent();
      },
    },
    {
      method: 'POST', path: '/containers/:id/kill', handler: async (req, res) => {
        await containers.kill(req.params.id!, req.query.get('signal') || 'SIGKILL');
        res.noContent();
      },
    },
    { method: 'POST', path: '/containers/:id/pause', handler: async (req, res) => { await containers.pause(req.params.id!); res.noContent(); } },
    { method: 'POST', path: '/containers/:id/unpause', handler: async (req, res) => { await containers.unpause(req.params.id!); res.noContent(); } },
    {
      method: 'POST', path: '/containers/:id/wait', handler: async (req, res) => {
        const condition = (req.query.get('condition') || 'not-running') as 'not-running' | 'next-exit' | 'removed';
        if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new EngineError(`invalid condition: "${condition}"`, 'InvalidArgument');
        containers.get(req.params.id!);
        // The CLI blocks on these headers before it sends start: flush them now, the body comes at the exit.
        const out = res.stream('application/json');
        const gone = new AbortController();
        req.raw.socket?.once('close', () => gone.abort());
        const result = await containers.wait(req.params.id!, condition, gone.signal).catch((e: Error) => ({ StatusCode: -1, Error: { Message: e.message } }));
        out.end(JSON.stringify(result) + '\n');
      },
    },
    {
      method: 'DELETE', path: '/containers/:id', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        await containers.remove(req.params.id!, { force: req.bool('force'), volumes: req.bool('v') });
        attach.drop(rec.Id);
        res.noContent();
      },
    },
    {
      method: 'POST', path: '/containers/:id/rename', handler: async (req, res) => {
        const name = req.query.get('name');
        if (!name) throw new EngineError('rename: a new name is required (?name=)', 'InvalidArgument');
        await containers.rename(req.params.id!, name);
        res.noContent();
      },
    },
    { method: 'POST', path: '/containers/:id/update', handler: async (req, res) => res.json(200, await containers.update(req.params.id!, await req.json())) },
    {
      method: 'POST', path: '/containers/:id/attach', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        const tty = rec.Config.Tty === true;
        const opts = {
          tty, stdin: req.bool('stdin') && rec.Config.OpenStdin === true, stdout: req.bool('stdout'), stderr: req.bool('stderr'),
          detachKeys: parseDetachKeys(req.query.get('detachKeys')),
        };
        // With an upgrade, a request body (dockerode sends its options as JSON) is not stdin: consume it first.
        if (req.header('upgrade')) await drain(req.body());
        const client = res.hijack(streamContentType(tty));
        if (rec.State.Running) {
          await joinMonitor(containerPaths(ctx, rec.Id).socket, client, opts).catch(() => client.end());
        } else if (rec.State.Status === 'created' || rec.State.Status === 'exited' || rec.State.Status === 'restarting') {
          attach.wait(rec.Id, client, opts);
        } else {
          client.end();
        }
      },
    },
    {
      method: 'POST', path: '/containers/:id/resize', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        if (!rec.State.Running) throw new EngineError(`cannot resize container ${rec.Id}: it is not running`, 'Conflict');
        try {
          if (rec.Config.Tty) resizeTty(containerPaths(ctx, rec.Id).ctl, req.int('h', 0) ?? 0, req.int('w', 0) ?? 0);
        } catch (e) {
          // The CLI resizes as the container exits; a monitor already gone is not an error worth reporting.
          if (rec.State.Running && !/exited|ENXIO|ENOENT/.test((e as Error).message)) throw e;
        }
        res.status(200);
      },
    },
    {
      method: 'GET', path: '/containers/:id/top', handler: async (req, res) => {
        const pids = containers.pids(req.params.id!);
        res.json(200, await top(pids, req.query.get('ps_args') || '-ef'));
      },
    },
    {
      method: 'POST', path: '/containers/prune', handler: async (req, res) => {
        const filters = req.filters();
        const deleted: string[] = [];
        for (const c of await containers.list({ all: true, filters: new Map([['status', ['exited', 'created', 'dead']], ...[...filters].filter(([k]) => k === 'label')]) })) {
          const id = c.Id as string;
          await containers.remove(id, {}).then(() => deleted.push(id), () => undefined);
        }
        res.json(200, { ContainersDeleted: deleted, SpaceReclaimed: 0 });
      },
    },
  ];
}

function drain(body: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    body.on('data', () => undefined);
    body.on('end', resolve);
    body.on('error', () => resolve());
  });
}

/** `docker top`: ps's table restricted to the container's pids. */
function top(pids: number[], psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
  return new Promise((resolve, reject) => {
    const ps = spawn('ps', psArgs.split(/\s+/).filter(Boolean), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    ps.stdout.on('data', (d: Buffer) => (out += d.toString()));
    ps.stderr.on('data', (d: Buffer) => (err += d.toString()));
    ps.on('error', reject);
    ps.on('close', (code) => {
      if (code !== 0) return reject(new EngineError(`ps ${psArgs}: ${err.trim() || `exit ${code}`}`, 'InvalidArgument'));
      const lines = out.split('\n').filter(Boolean);
      const titles = lines[0]!.trim().split(/\s+/);
      const pidCol = titles.indexOf('PID');
      if (pidCol < 0) return reject(new EngineError(`Couldn't find PID field in ps output (ps ${psArgs})`, 'InvalidArgument'));
      const want = new Set(pids.map(String));
      const rows = lines.slice(1).map((l) => {
        const f = l.trim().split(/\s+/);
        return [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
      }).filter((f) => want.has(f[pidCol]!));
      resolve({ Titles: titles, Processes: rows });
    });
  });
}
