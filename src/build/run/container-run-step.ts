// The real RunStep: each RUN is a container made with the runtime library — Docker's hardened defaults, the
// step's mounted snapshot as a writable root, the process from the step, stdout/stderr piped to the build output,
// and a network: its own loopback-only namespace (`none`), the host's (`host`), or the default bridge through
// the port the engine provides. The runtime state, cgroup, netns and bundle are removed afterwards, also on failure.
// RUN --mount sources (prepared by the builder, builder/run-mounts.ts) are bind or tmpfs mounts in the container.
// Mount points the runtime had to create in the rootfs (/etc/hosts on an image without one, /proc, a --mount
// target, …) are removed again so they do not end up in the layer (Docker keeps them in its init layer).
import fs from 'node:fs';
import path from 'node:path';
import { createContainer, deleteContainer, hardenedSpec, startContainer, type RuntimeContext } from '../../runtime/index.js';
import { resolveUser } from '../builder/passwd.js';
import { BuildError } from '../builder/errors.js';
import { resolveInRoot } from '../builder/scoped-path.js';
import type { RunStep, RunStepMount, RunStepRequest } from '../builder/types.js';
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

/**
 * Removes the entries `run` created under the listed rootfs paths, deepest first, if they are still empty (a mount
 * point for a file is an empty file). Paths are resolved with the image's links kept inside the rootfs, so a link
 * such as /var/run -> /run never leads this to the host's files.
 */
function trackCreated(rootfs: string, paths: readonly string[]): () => void {
  const missing = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const host = resolveInRoot(rootfs, `/${parts.slice(0, i).join('/')}`);
      if (!fs.lstatSync(host, { throwIfNoEntry: false })) missing.add(host);
    }
  }
  return () => {
    for (const host of [...missing].sort((a, b) => b.length - a.length)) {
      try {
        const st = fs.lstatSync(host, { throwIfNoEntry: false });
        if (st?.isDirectory()) fs.rmdirSync(host);
        else if (st?.isFile() && st.size === 0) fs.rmSync(host);
      } catch {
        /* a mount point the step itself filled: it belongs to the layer */
      }
    }
  };
}

/** The OCI mounts for RUN --mount: binds (read-only unless asked) and tmpfs, parents before nested targets. */
export function runMountSpecs(mounts: readonly RunStepMount[]): { destination: string; type: string; source: string; options: string[] }[] {
  return mounts.map((m) => m.type === 'bind'
    ? { destination: m.target, type: 'bind', source: m.source, options: ['rbind', 'rprivate', m.readOnly ? 'ro' : 'rw'] }
    // BuildKit's tmpfs: nosuid, the kernel's default mode (1777), an optional size in bytes
    : { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', m.readOnly ? 'ro' : 'rw', ...(m.size ? [`size=${m.size}`] : [])] });
}

export class ContainerRunStep implements RunStep {
  constructor(private readonly options: ContainerRunStepOptions) {}

  async run(req: RunStepRequest): Promise<number> {
    const bundle = path.join(this.options.bundleRoot, req.id);
    const hostname = req.id.slice(0, 12);
    let attachment: BuildNetworkAttachment | undefined;
    let created = false;
    const spec = hardenedSpec({ args: req.argv });
    const runMounts = runMountSpecs(req.mounts ?? []);
    const cleanupMountPoints = trackCreated(req.rootfs, [...spec.mounts!.map((m) => m.destination), '/etc/hosts', '/etc/resolv.conf', ...runMounts.map((m) => m.destination)]);
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
        // RUN --mount targets: created (and removed afterwards, when still empty) like the mount points above
        ...runMounts,
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
      cleanupMountPoints();
    }
  }
}
