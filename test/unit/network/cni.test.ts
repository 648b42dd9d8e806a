// The CNI side without a kernel: the configuration list of a network, how a list is run (order, prevResult,
// runtimeConfig by capability, rollback), and real plugin execution against script "plugins" in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bridgeConfList } from '../../../src/network/cni/conflist.js';
import { addList, checkList, delList, pluginStdin } from '../../../src/network/cni/invoke.js';
import { createCniExec } from '../../../src/network/cni/exec.js';
import type { CniConfList, CniExec, CniInvocation, CniRuntime } from '../../../src/network/cni/types.js';
import { CniPluginError, isNetworkError } from '../../../src/network/errors.js';
import type { NetworkResource } from '../../../src/network/types.js';

const net = (o: Partial<NetworkResource> = {}): NetworkResource => ({
  Name: 'web', Id: 'f'.repeat(64), Created: '', Driver: 'bridge', Scope: 'local', EnableIPv6: false,
  IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.7.0.0/24', Gateway: '10.7.0.1' }] },
  Internal: false, Attachable: false, Options: {}, Labels: {}, bridgeName: 'br-ffffffffffff', ...o,
});

test('a bridge network becomes bridge (no ipMasq: NAT is per network) + host-local, then portmap when wanted; never firewall', () => {
  const list = bridgeConfList(net(), { ipamDataDir: '/r/network/ipam', portmap: true });
  assert.equal(list.cniVersion, '1.0.0');
  assert.equal(list.name, 'web');
  assert.deepEqual(list.plugins, [
    {
      type: 'bridge', bridge: 'br-ffffffffffff', isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.7.0.0/24', gateway: '10.7.0.1' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/r/network/ipam' },
      capabilities: { ips: true },
    },
    { type: 'portmap', capabilities: { portMappings: true }, snat: true },
  ]);
  assert.deepEqual(bridgeConfList(net(), { ipamDataDir: '/d', portmap: false }).plugins.map((p) => p.type), ['bridge']);
});

test('internal networks: no default route, no port publishing; options tune the MTU and never bring ipMasq back', () => {
  const internal = bridgeConfList(net({ Internal: true }), { ipamDataDir: '/d', portmap: true });
  const bridge = internal.plugins[0]!;
  assert.equal(bridge.ipMasq, false);
  assert.deepEqual((bridge.ipam as { routes: unknown[] }).routes, []);
  assert.deepEqual(internal.plugins.map((p) => p.type), ['bridge']);
  const tuned = bridgeConfList(net({ Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.driver.mtu': '1400' } }), { ipamDataDir: '/d', portmap: false });
  assert.equal(tuned.plugins[0]!.ipMasq, false);
  assert.equal(tuned.plugins[0]!.mtu, 1400);
  assert.throws(() => bridgeConfList(net({ Driver: 'host', bridgeName: undefined, IPAM: { Driver: 'default', Options: {}, Config: [] } }), { ipamDataDir: '/d', portmap: false }), /has no bridge/);
});

const LIST: CniConfList = {
  cniVersion: '1.0.0', name: 'web',
  plugins: [{ type: 'bridge', capabilities: { ips: true } }, { type: 'portmap', capabilities: { portMappings: true } }, { type: 'firewall' }],
};
const RT: CniRuntime = { containerId: 'c1', netns: '/ns', ifName: 'eth0', capabilityArgs: { portMappings: [{ hostPort: 1, containerPort: 2, protocol: 'tcp' }] } };

/** An exec that records calls and answers ADD with a result naming the plugin (or fails for one plugin). */
function recorder(failOn?: string): { exec: CniExec; calls: CniInvocation[] } {
  const calls: CniInvocation[] = [];
  return {
    calls,
    exec: async (inv) => {
      calls.push(inv);
      if (inv.plugin.type === failOn && inv.command === 'ADD') throw new Error(`${failOn} broke`);
      return inv.command === 'ADD' ? { cniVersion: '1.0.0', ips: [{ address: `10.0.0.${calls.length}/24` }], by: inv.plugin.type } : undefined;
    },
  };
}

test('pluginStdin injects name, cniVersion, prevResult, and runtimeConfig only for declared capabilities', () => {
  const prev = { cniVersion: '1.0.0' };
  assert.deepEqual(pluginStdin(LIST, LIST.plugins[1]!, RT.capabilityArgs, prev), {
    type: 'portmap', capabilities: { portMappings: true }, name: 'web', cniVersion: '1.0.0',
    runtimeConfig: { portMappings: RT.capabilityArgs.portMappings }, prevResult: prev,
  });
  assert.deepEqual(pluginStdin(LIST, LIST.plugins[0]!, RT.capabilityArgs), { type: 'bridge', capabilities: { ips: true }, name: 'web', cniVersion: '1.0.0' });
});

test('ADD runs plugins in order, each with the previous result; DEL in reverse and CHECK in order with the cached result', async () => {
  const r = recorder();
  const result = await addList(r.exec, LIST, RT);
  assert.deepEqual(r.calls.map((c) => `${c.command} ${c.plugin.type}`), ['ADD bridge', 'ADD portmap', 'ADD firewall']);
  assert.equal(r.calls[0]!.stdin.prevResult, undefined);
  assert.equal((r.calls[1]!.stdin.prevResult as { by: string }).by, 'bridge');
  assert.equal((r.calls[2]!.stdin.prevResult as { by: string }).by, 'portmap');
  assert.equal((result as unknown as { by: string }).by, 'firewall');
  assert.deepEqual(r.calls.map((c) => c.runtime), [RT, RT, RT]);

  const d = recorder();
  await delList(d.exec, LIST, RT, result);
  assert.deepEqual(d.calls.map((c) => `${c.command} ${c.plugin.type}`), ['DEL firewall', 'DEL portmap', 'DEL bridge']);
  assert.ok(d.calls.every((c) => c.stdin.prevResult === result));
  assert.deepEqual(d.calls[1]!.stdin.runtimeConfig, { portMappings: RT.capabilityArgs.portMappings }, 'DEL gets the same runtimeConfig as ADD');

  const c = recorder();
  await checkList(c.exec, LIST, RT, result);
  assert.deepEqual(c.calls.map((x) => `${x.command} ${x.plugin.type}`), ['CHECK bridge', 'CHECK portmap', 'CHECK firewall']);
});

test('a failed ADD is rolled back with DEL of the whole list (with the partial result) and rethrown', async () => {
  const r = recorder('portmap');
  await assert.rejects(addList(r.exec, LIST, RT), /portmap broke/);
  assert.deepEqual(r.calls.map((c) => `${c.command} ${c.plugin.type}`), ['ADD bridge', 'ADD portmap', 'DEL firewall', 'DEL portmap', 'DEL bridge']);
  assert.equal((r.calls[4]!.stdin.prevResult as { by: string }).by, 'bridge');
});

function pluginDir(t: { after: (fn: () => void) => void }, plugins: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cni-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, body] of Object.entries(plugins)) fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}
const inv = (type: string, command: 'ADD' | 'DEL' = 'ADD'): CniInvocation => ({
  command, network: 'web', plugin: { type }, stdin: { type, name: 'web', cniVersion: '1.0.0', marker: 42 },
  runtime: { containerId: 'abcdef0123456789', netns: '/run/ns/x', ifName: 'eth1', capabilityArgs: {} },
});

test('plugins run with the CNI environment and the config on stdin; their JSON result is returned', async (t) => {
  const dir = pluginDir(t, {
    echo: 'conf=$(cat); printf \'{"cniVersion":"1.0.0","env":"%s %s %s %s %s","conf":%s}\' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_NETNS" "$CNI_IFNAME" "$CNI_PATH" "$conf"',
    quiet: 'cat >/dev/null',
  });
  const exec = createCniExec({ cniPath: ['/nonexistent', dir] });
  const out = (await exec(inv('echo'))) as { env: string; conf: Record<string, unknown> };
  assert.equal(out.env, `ADD abcdef0123456789 /run/ns/x eth1 /nonexistent:${dir}`);
  assert.deepEqual(out.conf, { type: 'echo', name: 'web', cniVersion: '1.0.0', marker: 42 });
  assert.equal(await exec(inv('quiet', 'DEL')), undefined, 'empty output (DEL) is fine');
});

test('a plugin error {code,msg,details} becomes a CniPluginError naming plugin, command, network and container', async (t) => {
  const dir = pluginDir(t, {
    failing: 'cat >/dev/null; echo \'{"cniVersion":"1.0.0","code":7,"msg":"failed to allocate","details":"no IP addresses available in range set"}\'; exit 1',
    crashing: 'echo "panic: boom" >&2; exit 2',
    garbage: 'echo not-json',
  });
  const exec = createCniExec({ cniPath: [dir] });
  await assert.rejects(exec(inv('failing')), (e: unknown) => {
    assert.ok(e instanceof CniPluginError);
    assert.equal(e.message, 'network web: CNI plugin failing ADD for container abcdef012345 failed: failed to allocate: no IP addresses available in range set (CNI error code 7)');
    assert.deepEqual([e.plugin, e.command, e.network, e.code], ['failing', 'ADD', 'web', 7]);
    return true;
  });
  await assert.rejects(exec(inv('crashing')), /CNI plugin crashing ADD for container abcdef012345 failed: panic: boom/);
  await assert.rejects(exec(inv('garbage')), /unparsable result: not-json/);
  await assert.rejects(exec(inv('absent')), (e: unknown) => isNetworkError(e, 'FailedPrecondition') && /CNI plugin "absent" not found in .*install containernetworking-plugins/.test((e as Error).message));
});

test('a hanging plugin is killed at the timeout and reported', async (t) => {
  const dir = pluginDir(t, { hang: 'exec sleep 30' });
  await assert.rejects(createCniExec({ cniPath: [dir], timeoutMs: 200 })(inv('hang')), /timed out after 200 ms/);
});
