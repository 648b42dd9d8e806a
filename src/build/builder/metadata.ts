// Instructions that change only the image config (ENV, LABEL, EXPOSE, VOLUME, USER, CMD, ENTRYPOINT, STOPSIGNAL,
// HEALTHCHECK, SHELL, MAINTAINER, ARG, ONBUILD): each returns the comment dockerd's legacy builder records, which
// becomes `<shell> #(nop)  <comment>` in the history (an empty layer).
import type { ContainerConfig, ImageConfig } from '../../image/index.js';
import { exposedPorts, type Instruction, type StageArgs, type CommandLine } from '../dockerfile/index.js';
import { BuildError } from './errors.js';
import { goDuration, goList, goQuoteList, goQuoteRune } from './go-format.js';

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

/** What a stage tracks besides its image: ARGs in scope and whether this stage set CMD (the ENTRYPOINT rule). */
export interface StageScope {
  args: StageArgs;
  cmdSet: boolean;
}

/** The shell a config runs shell-form commands with. */
export function shellOf(config: ContainerConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? [...config.Shell] : [...DEFAULT_SHELL];
}

/** Docker's history line for a config-only step: `/bin/sh -c #(nop)  ENV a=b` (two spaces). */
export function nopCreatedBy(config: ContainerConfig, comment: string): string {
  return [...shellOf(config), '#(nop) ', comment].join(' ');
}

/** Docker's history line for WORKDIR and COPY/ADD: `/bin/sh -c #(nop) WORKDIR /app` (one space). */
export function nopStringCreatedBy(config: ContainerConfig, comment: string): string {
  return [...shellOf(config), `#(nop) ${comment}`].join(' ');
}

/** The argv of a command line: exec form as is, shell form behind the SHELL. */
export function commandArgv(command: CommandLine, config: ContainerConfig): string[] {
  if (command.form === 'exec') return [...command.args];
  return [...shellOf(config), ...command.args];
}

function setEnv(config: ContainerConfig, key: string, value: string): void {
  const env = config.Env ?? [];
  const i = env.findIndex((kv) => kv === key || kv.startsWith(`${key}=`));
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  config.Env = env;
}

/**
 * Applies a config-only instruction (already expanded) to `image`; returns the history comment. Throws for an
 * instruction that is not config-only.
 */
export function applyMetadata(image: ImageConfig, instruction: Instruction, scope: StageScope): string {
  const config: ContainerConfig = (image.config ??= {});
  switch (instruction.kind) {
    case 'ENV': {
      for (const p of instruction.pairs) setEnv(config, p.key, p.value);
      return `ENV ${instruction.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
    }
    case 'LABEL': {
      const labels = (config.Labels ??= {});
      for (const p of instruction.pairs) labels[p.key] = p.value;
      return `LABEL ${instruction.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
    }
    case 'MAINTAINER':
      image.author = instruction.maintainer;
      return `MAINTAINER ${instruction.maintainer}`;
    case 'EXPOSE': {
      const ports = (config.ExposedPorts ??= {});
      for (const key of exposedPorts(instruction.ports)) ports[key] = {};
      return `EXPOSE ${instruction.ports.join(' ')}`;
    }
    case 'VOLUME': {
      const volumes = (config.Volumes ??= {});
      for (const v of instruction.volumes) {
        if (v.trim() === '') throw new BuildError('VOLUME specified can not be an empty string', instruction.startLine);
        volumes[v] = {};
      }
      return `VOLUME ${goList(instruction.volumes)}`;
    }
    case 'USER':
      config.User = instruction.user;
      return `USER ${instruction.user}`;
    case 'STOPSIGNAL':
      config.StopSignal = instruction.signal;
      return `STOPSIGNAL ${instruction.signal}`;
    case 'CMD': {
      config.Cmd = commandArgv(instruction.command, config);
      scope.cmdSet = true;
      return `CMD ${goQuoteList(config.Cmd)}`;
    }
    case 'ENTRYPOINT': {
      config.Entrypoint = commandArgv(instruction.command, config);
      // An ENTRYPOINT drops a CMD inherited from the base; a CMD set earlier in this stage stays.
      if (!scope.cmdSet) config.Cmd = null;
      return `ENTRYPOINT ${goQuoteList(config.Entrypoint)}`;
    }
    case 'HEALTHCHECK': {
      const h = instruction.health;
      const old = config.Healthcheck ?? {};
      // dockerd merges the committed config with the parent's: fields this HEALTHCHECK leaves at zero keep the
      // earlier non-zero values.
      const merged: NonNullable<ContainerConfig['Healthcheck']> & { StartInterval?: number } = { Test: [...h.test] };
      const pick = (n: number | undefined, o: number | undefined) => (n ? n : o || undefined);
      const interval = pick(h.interval, old.Interval);
      const timeout = pick(h.timeout, old.Timeout);
      const startPeriod = pick(h.startPeriod, old.StartPeriod);
      const startInterval = pick(h.startInterval, (old as { StartInterval?: number }).StartInterval);
      const retries = pick(h.retries, old.Retries);
      if (interval) merged.Interval = interval;
      if (timeout) merged.Timeout = timeout;
      if (startPeriod) merged.StartPeriod = startPeriod;
      if (startInterval) merged.StartInterval = startInterval;
      if (retries) merged.Retries = retries;
      config.Healthcheck = merged;
      return `HEALTHCHECK &{${goQuoteList(merged.Test)} "${goDuration(interval ?? 0)}" "${goDuration(timeout ?? 0)}" "${goDuration(startPeriod ?? 0)}" ${goQuoteRune(retries ?? 0)}}`;
    }
    case 'SHELL':
      config.Shell = [...instruction.shell];
      return `SHELL ${goList(instruction.shell)}`;
    case 'ARG': {
      scope.args.declare(instruction.args);
      return `ARG ${instruction.args.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(' ')}`;
    }
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
      return `ONBUILD ${instruction.expression}`;
    default:
      throw new BuildError(`internal: ${instruction.kind} is not a config-only instruction`, instruction.startLine);
  }
}

/** True for the instructions applyMetadata handles. */
export function isMetadataInstruction(i: Instruction): boolean {
  return !['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR'].includes(i.kind);
}
