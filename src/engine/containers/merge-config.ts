// A create request's Config merged with its image's config the way Docker does (daemon mergeAndVerifyConfig).
import type { ImageConfig } from '../../image/index.js';
import { EngineError } from '../errors.js';
import type { ContainerConfig, HealthConfig } from './types.js';

type ImageContainerConfig = NonNullable<ImageConfig['config']>;

/** Docker's strslice: a JSON string or array; null/undefined stay absent. */
export function strSlice(v: string[] | string | null | undefined): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? [v] : v;
}

/** `KEY=value` lists: later entries replace earlier ones with the same key, order of first appearance kept. */
export function mergeEnvLists(base: string[], overrides: string[]): string[] {
  const out = [...base];
  const index = new Map(out.map((e, i) => [envKey(e), i]));
  for (const e of overrides) {
    const i = index.get(envKey(e));
    if (i === undefined) {
      index.set(envKey(e), out.length);
      out.push(e);
    } else {
      out[i] = e;
    }
  }
  return out;
}

function envKey(e: string): string {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
}

/** The container's effective config: user values win, the image fills what the user left unset. */
export function mergeImageConfig(user: ContainerConfig, image: ImageContainerConfig | undefined): ContainerConfig {
  const img = image ?? {};
  const out: ContainerConfig = { ...user };
  let entrypoint = strSlice(user.Entrypoint);
  let cmd = strSlice(user.Cmd);
  // `--entrypoint ""` arrives as [""]: it clears the image's entrypoint instead of inheriting it.
  const resetEntrypoint = entrypoint !== undefined && entrypoint.length === 1 && entrypoint[0] === '';
  if (resetEntrypoint) entrypoint = [];
  if (!entrypoint?.length && !resetEntrypoint) {
    if (!cmd?.length) cmd = img.Cmd ?? undefined;
    if (entrypoint === undefined) entrypoint = img.Entrypoint ?? undefined;
  }
  out.Entrypoint = entrypoint?.length ? entrypoint : null;
  out.Cmd = cmd?.length ? cmd : null;
  out.Env = mergeEnvLists(img.Env ?? [], user.Env ?? []);
  if (!user.User) out.User = img.User ?? '';
  if (!user.WorkingDir) out.WorkingDir = img.WorkingDir ?? '';
  if (!user.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  out.Labels = { ...(img.Labels ?? {}), ...(user.Labels ?? {}) };
  const ports = { ...(img.ExposedPorts ?? {}), ...(user.ExposedPorts ?? {}) };
  out.ExposedPorts = Object.keys(ports).length ? ports : null;
  const volumes = { ...(img.Volumes ?? {}), ...(user.Volumes ?? {}) };
  out.Volumes = Object.keys(volumes).length ? volumes : null;
  out.Healthcheck = mergeHealthcheck(user.Healthcheck ?? undefined, img.Healthcheck);
  if (out.Healthcheck === undefined) delete out.Healthcheck;
  return out;
}

function mergeHealthcheck(user: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!user) return image;
  if (!image) return user;
  const merged: HealthConfig = { ...user };
  if (!user.Test?.length) merged.Test = image.Test ?? [];
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (!merged[k] && image[k]) merged[k] = image[k];
  }
  return merged;
}

/** Path and Args of the container's process; Docker's "No command specified" when both are empty. */
export function commandOf(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(strSlice(config.Entrypoint) ?? []), ...(strSlice(config.Cmd) ?? [])];
  if (argv.length === 0) throw new EngineError('No command specified: give a command after the image name, or use an image with CMD or ENTRYPOINT', 'InvalidArgument');
  return { path: argv[0]!, args: argv.slice(1) };
}
