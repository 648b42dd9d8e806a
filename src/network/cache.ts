// The attachment cache: what each ADD used and returned, persisted under <root>/network/cache/ so DEL works after
// a daemon restart, with the exact configuration list even if the network changed meanwhile.
import fs from 'node:fs';
import path from 'node:path';
import { NetworkError } from './errors.js';
import type { CniConfList, CniResult } from './cni/types.js';
import type { NetworkDriver, PortMapping } from './types.js';

export interface AttachmentRecord {
  containerId: string;
  networkId: string;
  networkName: string;
  driver: NetworkDriver;
  ifName: string;
  netnsPath: string;
  endpointId: string;
  /** 'adding' while ADD runs: a record left in that state after a crash still lets DEL clean up. */
  state: 'adding' | 'attached';
  /** Absent for host and none, which need no plugins. */
  confList?: CniConfList;
  capabilityArgs: Record<string, unknown>;
  result?: CniResult;
  portMappings: PortMapping[];
  aliases: string[];
  created: string;
}

export class AttachmentCache {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The record of container on network, if attached. */
  get(containerId: string, networkId: string): AttachmentRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(containerId, networkId), 'utf8')) as AttachmentRecord;
    } catch {
      return undefined;
    }
  }

  /** Writes a record atomically (tmp + rename), so a crash leaves the old or the new one. */
  put(r: AttachmentRecord): void {
    const file = this.file(r.containerId, r.networkId);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(r));
    fs.renameSync(tmp, file);
  }

  remove(containerId: string, networkId: string): void {
    fs.rmSync(this.file(containerId, networkId), { force: true });
  }

  /** All records, optionally only one container's or one network's, oldest first. */
  list(filter: { containerId?: string; networkId?: string } = {}): AttachmentRecord[] {
    const out: AttachmentRecord[] = [];
    for (const f of fs.readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const [c, n] = f.slice(0, -5).split('_');
      if ((filter.containerId && c !== filter.containerId) || (filter.networkId && n !== filter.networkId)) continue;
      const r = this.get(c!, n!);
      if (r) out.push(r);
    }
    return out.sort((a, b) => a.created.localeCompare(b.created));
  }

  private file(containerId: string, networkId: string): string {
    if (!/^[A-Za-z0-9.-]+$/.test(containerId)) throw new NetworkError(`invalid container id "${containerId}": only [A-Za-z0-9.-] are allowed`, 'InvalidArgument');
    return path.join(this.dir, `${containerId}_${networkId}.json`);
  }
}
