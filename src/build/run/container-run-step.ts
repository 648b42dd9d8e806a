// The real RunStep: each RUN is a container made with the runtime library — Docker's hardened defaults, the
// step's mounted snapshot as a writable root, the process from the step, stdout/stderr piped to the build output,
// and a network: its own loopback-only namespace (`none`), the host's (`host`), or the default bridge through
// the port the engine provides. The runtime state, cgroup, netns and bundle are removed afterwards, also on failure.
// Mount points the runtime had to create in the rootfs (/etc/hosts on an image without one, /proc, …) are removed
// again so they do not end up in the layer (Docker keeps them in its init layer).
import fs from 'node:fs';
import path from 'node:path';
import { createContainer, deleteContainer, hardenedSpec, startContainer, type RuntimeContext } from '../../runtime/index.js';
import { resolveUser } from '../builder/passwd.js';
import { BuildError } from '../builder/errors.js';
import type { RunStep, RunStepRequest } from '../builder/types.js';
import { localEtcFiles, type EtcFiles } from './etc-files.js';

/** What the engine lends a build step on the default bridge (EngineNetworking.attachBuildContainer). */
export interface BuildNetworkAttachment {
  netnsPath: string;
  etc: EtcFiles;
  release(): Promise<void>;
}

/** The engine's side of the default bridge for build steps. */
export type BuildNetworkPort = (id: string) => Promise<BuildNetworkAttachment>;

export interface ContainerRunStepOptions {
  runtime: RuntimeContext;
  /** Where the step's bundle (config.json, hosts, resolv.conf) is written; removed after the step. */
  bundleRoot: string;
  /** The default bridge; without it a RUN on the default network is refused with advice. */
  bridge?: BuildNetworkPort;
}

/** Removes the entries `run` created under the listed rootfs paths, deepest first, if they are still empty. */
function trackCreated(rootfs: string, paths: readonly string[]): () => void {
  const missing: string[] = [];
  for (const p of paths) {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const sub = `/${parts.slice(0, i).join('/')}`;
      if (!fs.lstatSync(path.join(rootfs, sub), { throwIfNoEntry: false }) && !missing.includes(sub)) missing.push(sub);
    }
  }
  return () => {
    for (const p of missing.sort((a, b) => b.length - a.length)) {
      const host = path.join(rootfs, p);
      const st = fs.lstatSync(host, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) fs.rmdirSync(host);
      else if (st.size === 0) fs.rmSync(host);
    }
  };
}

export class ContainerRunStep implements RunStep {
  constructor(private readonly options: ContainerRunStepOptions) {}

  async run(req: RunStepRequest): Promise<number> {
    const bundle = path.join(this.options.bundleRoot, req.id);
    const hostname = req.id.slice(0, 12);
    let attachment: BuildNetworkAttachment | undefined;
    let created = false;
    const spec = hardenedSpec({ args: req.argv });
    const cleanupMountPoints = trackCreated(req.rootfs, [...spec.mounts!.map((m) => m.destination), '/etc/hosts', '/etc/resolv.conf']);
    try {
      fs.mkdirSync(bundle, { recursive: true, mode: 0o700 });
      let etc: EtcFiles;
      const namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'network');
      if (req.network === 'host') etc = localEtcFiles('host', hostname);
      else if (req.network === 'none') {
        etc = localEtcFiles('none', hostname);
        namespaces.push({ type: 'network' });
      } else {
        if (!this.options.bridge) {
          throw new BuildError('RUN needs the default bridge network, which only the Berth daemon provides: build through the daemon, or use --network=none or --network=host');
        }
        attachment = await this.options.bridge(req.id);
        etc = attachment.etc;
        namespaces.push({ type: 'network', path: attachment.netnsPath });
      }
      fs.writeFileSync(path.join(bundle, 'hosts'), etc.hosts);
      fs.writeFileSync(path.join(bundle, 'resolv.conf'), etc.resolvConf);
      const user = resolveUser(req.rootfs, req.user);
      spec.process = {
        ...spec.process!,
        terminal: false,
        args: req.argv,
        env: req.env,
        cwd: req.cwd,
        user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
      };
      spec.root = { path: req.rootfs, readonly: false };
      spec.hostname = hostname;
      spec.linux!.namespaces = req.network === 'host' ? namespaces.filter((n) => n.type !== 'uts') : namespaces;
      if (req.network === 'host') delete spec.hostname;
      spec.linux!.cgroupsPath = `build-${req.id}`;
      spec.mounts = [
        ...spec.mounts!,
        { destination: '/etc/hosts', type: 'bind', source: path.join(bundle, 'hosts'), options: ['rbind', 'rprivate'] },
        { destination: '/etc/resolv.conf', type: 'bind', source: path.join(bundle, 'resolv.conf'), options: ['rbind', 'rprivate'] },
        // dockerd gives a build container the image's volumes: the mount points stay in the layer (created
        // here, not tracked for removal), what RUN writes below them does not.
        ...(req.volumes ?? []).map((v) => ({ destination: v, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755'] })),
      ];
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
      const c = await createContainer(this.options.runtime, req.id, { bundle, wait: true, stdio: ['ignore', 'pipe', 'pipe'] });
      created = true;
      c.helper.stdout?.on('data', (d: Buffer) => req.output(d));
      c.helper.stderr?.on('data', (d: Buffer) => req.output(d));
      const streamsDone = Promise.all([c.helper.stdout, c.helper.stderr].map((s) => (s ? new Promise((r) => s.once('close', r)) : undefined)));
      await startContainer(this.options.runtime, req.id);
      const exit = await c.helper.exited;
      await streamsDone;
      return exit.code ?? 128 + 9;
    } finally {
      if (created) await deleteContainer(this.options.runtime, req.id, true).catch(() => undefined);
      if (attachment) await attachment.release().catch(() => undefined);
      fs.rmSync(bundle, { recursive: true, force: true });
      try {
        cleanupMountPoints();
      } catch {
        /* a mount point the step itself filled: it belongs to the layer */
      }
    }
  }
}
