// Host network devices the layer owns beyond the CNI plugins' lifetime: a network's bridge outlives its
// containers (the bridge plugin never deletes it), so removing the network deletes it.
import fs from 'node:fs';
import { NetworkError } from './errors.js';
import { runTool } from './run-tool.js';

export interface LinkOps {
  exists(name: string): boolean;
  remove(name: string): Promise<void>;
}

/** True when the host has a network device of that name. */
export function linkExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/** Deletes a host network device if present. */
export async function removeLink(name: string): Promise<void> {
  if (!linkExists(name)) return;
  const r = await runTool('ip', ['link', 'del', name]);
  if (r.code !== 0 && linkExists(name)) {
    throw new NetworkError(`deleting bridge ${name}: ${r.stderr.trim()}: delete it by hand with "ip link del ${name}"`, 'Internal');
  }
}

export const hostLinks: LinkOps = { exists: linkExists, remove: removeLink };
