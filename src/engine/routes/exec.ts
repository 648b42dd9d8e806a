// docker exec: POST /containers/{id}/exec, POST /exec/{id}/start, POST /exec/{id}/resize, GET /exec/{id}/json.
import type { Route } from '../api/router.js';
import { encodeFrame, streamContentType } from '../api/streams.js';
import type { ContainerManager } from '../containers/manager.js';
import type { ExecConfig, ExecManager } from '../exec/exec-manager.js';

export function execRoutes(containers: ContainerManager, execs: ExecManager): Route[] {
  return [
    {
      method: 'POST', path: '/containers/:id/exec', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        res.json(201, { Id: execs.create(rec, await req.json<ExecConfig>()) });
      },
    },
    {
      method: 'POST', path: '/exec/:id/start', handler: async (req, res) => {
        const e = execs.get(req.params.id!);
        const body = await req.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] }>();
        if (body.ConsoleSize && !e.config.ConsoleSize) e.config.ConsoleSize = body.ConsoleSize;
        if (body.Detach) {
          await execs.start(e.id, undefined, { detach: true });
          res.status(200);
          return;
        }
        const tty = e.config.Tty === true;
        const client = res.hijack(streamContentType(tty));
        try {
          await execs.start(e.id, client, { detach: false });
        } catch (err) {
          // The stream has started: the error goes into it, the exit code into the exec's inspect.
          const msg = `${(err as Error).message}\r\n`;
          client.end(tty ? msg : encodeFrame(1, msg));
        }
      },
    },
    {
      method: 'POST', path: '/exec/:id/resize', handler: async (req, res) => {
        execs.resize(req.params.id!, req.int('h', 0) ?? 0, req.int('w', 0) ?? 0);
        res.status(200);
      },
    },
    { method: 'GET', path: '/exec/:id/json', handler: async (req, res) => res.json(200, execs.inspect(req.params.id!)) },
  ];
}
