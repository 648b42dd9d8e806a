// Running a configuration list per CNI 1.0.0: ADD plugin by plugin with the previous result, DEL in reverse and
// CHECK in order with the cached ADD result, each plugin given only the runtimeConfig of its capabilities.
import type { CniConfList, CniExec, CniPluginConf, CniResult, CniRuntime } from './types.js';

/** The stdin object for one plugin: its conf + the list's name and cniVersion, runtimeConfig, prevResult. */
export function pluginStdin(list: CniConfList, plugin: CniPluginConf, capabilityArgs: Record<string, unknown>, prevResult?: CniResult): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, enabled] of Object.entries(plugin.capabilities ?? {})) {
    if (enabled && capabilityArgs[cap] !== undefined) runtimeConfig[cap] = capabilityArgs[cap];
  }
  if (Object.keys(runtimeConfig).length) conf.runtimeConfig = runtimeConfig;
  if (prevResult) conf.prevResult = prevResult;
  return conf;
}

/**
 * ADDs the attachment; on a plugin failure the list is DELeted (best effort, with the result so far) so a failed
 * ADD leaves no veth, lease or rule behind, and the plugin's error is rethrown.
 */
export async function addList(exec: CniExec, list: CniConfList, rt: CniRuntime): Promise<CniResult> {
  let prev: CniResult | undefined;
  try {
    for (const plugin of list.plugins) {
      const out = (await exec({ command: 'ADD', network: list.name, runtime: rt, plugin, stdin: pluginStdin(list, plugin, rt.capabilityArgs, prev) })) as CniResult | undefined;
      if (out) prev = out;
    }
  } catch (e) {
    await delList(exec, list, rt, prev).catch(() => undefined);
    throw e;
  }
  return prev ?? { cniVersion: list.cniVersion };
}

/** DELs the attachment, plugins in reverse order, each with the cached ADD result; the first error stops it. */
export async function delList(exec: CniExec, list: CniConfList, rt: CniRuntime, cached?: CniResult): Promise<void> {
  for (const plugin of [...list.plugins].reverse()) {
    await exec({ command: 'DEL', network: list.name, runtime: rt, plugin, stdin: pluginStdin(list, plugin, rt.capabilityArgs, cached) });
  }
}

/** CHECKs the attachment, plugins in order, each with the cached ADD result. */
export async function checkList(exec: CniExec, list: CniConfList, rt: CniRuntime, cached: CniResult): Promise<void> {
  for (const plugin of list.plugins) {
    await exec({ command: 'CHECK', network: list.name, runtime: rt, plugin, stdin: pluginStdin(list, plugin, rt.capabilityArgs, cached) });
  }
}
