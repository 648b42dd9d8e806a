// GET /containers/{id}/logs: the json-file log, framed (no TTY) or raw (TTY), with follow/since/until/tail/timestamps.
import type { Route } from '../api/router.js';
import { encodeFrame, streamContentType } from '../api/streams.js';
import { EngineError } from '../errors.js';
import type { ContainerManager } from '../containers/manager.js';
import { containerPaths } from '../containers/context.js';
import { readLogs } from '../logs/index.js';

/** Docker's since/until: unix seconds with an optional fraction ("1700000000.123456789"); 0 or absent = unset. */
function unixSeconds(name: string, v: string | null): number | undefined {
  if (!v || v === '0') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new EngineError(`invalid value for "${name}": ${v} (unix seconds expected, e.g. 1700000000.5)`, 'InvalidArgument');
  return n;
}

export function logsRoutes(containers: ContainerManager): Route[] {
  return [
    {
      method: 'GET', path: '/containers/:id/logs', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        const stdout = req.bool('stdout');
        const stderr = req.bool('stderr');
        if (!stdout && !stderr) throw new EngineError('Bad parameters: you must choose at least one stream', 'InvalidArgument');
        const tailText = req.query.get('tail') ?? 'all';
        const tail = tailText === 'all' || tailText === '' ? 'all' : Number(tailText);
        if (tail !== 'all' && (!Number.isInteger(tail) || tail < 0)) {
          if (!(typeof tail === 'number' && tail < 0)) throw new EngineError(`invalid value for "tail": ${tailText}`, 'InvalidArgument');
        }
        const since = unixSeconds('since', req.query.get('since'));
        const until = unixSeconds('until', req.query.get('until'));
        const follow = req.bool('follow');
        const timestamps = req.bool('timestamps');
        const tty = rec.Config.Tty === true;
        const out = res.stream(streamContentType(tty));
        const stop = new AbortController();
        req.raw.socket?.once('close', () => stop.abort());
        // The wait goes away with the client (stop's signal), so followers that leave do not pile up.
        if (follow && rec.State.Running) void containers.wait(rec.Id, 'not-running', stop.signal).then(() => stop.abort(), () => stop.abort());
        else if (follow) stop.abort();
        try {
          for await (const e of readLogs(containerPaths(containers.ctx, rec.Id).log, {
            stdout, stderr, ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
            tail: tail === 'all' || (tail as number) < 0 ? 'all' : (tail as number), follow, signal: stop.signal,
          })) {
            const data = timestamps ? Buffer.concat([Buffer.from(`${e.time} `), e.line]) : e.line;
            const ok = out.write(tty ? data : encodeFrame(e.stream === 'stdout' ? 1 : 2, data));
            if (!ok) await new Promise((r) => out.once('drain', r));
            if (req.raw.socket?.destroyed) break;
          }
        } finally {
          out.end();
        }
      },
    },
  ];
}
