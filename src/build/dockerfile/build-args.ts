// Build arguments with Docker's scoping:
// - meta ARGs (before the first FROM) are visible in FROM lines only; inside a stage an ARG must be declared
//   again (`ARG VERSION`, which then takes the meta value) to be visible;
// - `--build-arg` overrides any default; an ARG without default and without --build-arg is unset;
// - the proxy variables (HTTP_PROXY, https_proxy, …) given with --build-arg are visible without declaration and
//   kept out of the image history unless the Dockerfile declares them;
// - ENV wins over an ARG of the same name;
// - --build-args that no ARG of a built stage declared are reported as not consumed.

import { expandWord } from './expand.js';
import { expandInstruction } from './expand-instruction.js';
import type { ArgDefinition, ArgInstruction, EscapeChar } from './types.js';

/** Docker's predefined build args: usable without ARG, not recorded in history. */
export const PROXY_ARGS: ReadonlySet<string> = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy',
]);

/** `--build-arg` values; null/undefined is `--build-arg NAME` with NAME unset in the client environment. */
export type BuildArgValues = Readonly<Record<string, string | null | undefined>>;

/** The build's arguments: --build-arg values, meta ARGs, and which names the built stages declared. */
export class BuildArgs {
  private readonly cli = new Map<string, string | undefined>();
  private readonly meta = new Map<string, string | undefined>();
  private readonly referenced = new Set<string>();

  constructor(buildArgs: BuildArgValues = {}) {
    for (const [key, value] of Object.entries(buildArgs)) this.cli.set(key, value ?? undefined);
  }

  /** Declares the meta ARGs in order; each default may use the meta ARGs before it. */
  addMetaArgs(metaArgs: readonly ArgInstruction[], escape: EscapeChar): void {
    for (const instruction of metaArgs) {
      const env = this.resolve(this.meta);
      for (const arg of expandInstruction(instruction, env, escape).args) {
        this.meta.set(arg.key, arg.value);
        this.referenced.add(arg.key);
      }
    }
  }

  /** Variables for FROM lines (image, --platform): the meta ARGs and the proxy args given with --build-arg. */
  metaEnv(): Map<string, string> {
    return this.resolve(this.meta);
  }

  /** A new stage: only the proxy args are visible until ARGs are declared. */
  stageScope(): StageArgs {
    return new StageArgs(this);
  }

  /** The value an ARG takes: --build-arg, else its default, else (no default) the meta ARG's default. */
  valueOf(key: string, defaults: ReadonlyMap<string, string | undefined>): string | undefined {
    const fromCli = this.cli.get(key);
    if (fromCli !== undefined) return fromCli;
    const declared = defaults.get(key);
    if (declared !== undefined) return declared;
    return this.meta.get(key);
  }

  /** Name → value for the declared names plus the proxy args that have a value. */
  resolve(declared: ReadonlyMap<string, string | undefined>): Map<string, string> {
    const values = new Map<string, string>();
    for (const key of [...declared.keys(), ...PROXY_ARGS]) {
      const value = this.valueOf(key, declared);
      if (value !== undefined && !values.has(key)) values.set(key, value);
    }
    return values;
  }

  markReferenced(key: string): void {
    this.referenced.add(key);
  }

  /** --build-arg names that no declared ARG consumed (proxy args never count), sorted. */
  unusedBuildArgs(): string[] {
    return [...this.cli.keys()].filter((k) => !this.referenced.has(k) && !PROXY_ARGS.has(k)).sort();
  }

  /** Docker's warning line for unused --build-args, or undefined when all were used. */
  unusedWarning(): string | undefined {
    const unused = this.unusedBuildArgs();
    return unused.length === 0 ? undefined : `[Warning] One or more build-args [${unused.join(' ')}] were not consumed`;
  }
}

/** The ARGs visible in one stage. */
export class StageArgs {
  private readonly declared = new Map<string, string | undefined>();

  constructor(private readonly build: BuildArgs) {}

  /** Records an ARG instruction's definitions (already expanded, see expandInstruction). */
  declare(args: readonly ArgDefinition[]): void {
    for (const arg of args) {
      this.declared.set(arg.key, arg.value);
      this.build.markReferenced(arg.key);
    }
  }

  /** Declared args with a value, plus proxy args given with --build-arg. */
  values(): Map<string, string> {
    return this.build.resolve(this.declared);
  }

  /** Variables for expansion: the stage's ENV (`K=V` strings) first, then args not shadowed by an ENV. */
  expansionEnv(configEnv: readonly string[]): Map<string, string> {
    const env = envMap(configEnv);
    for (const [key, value] of this.values()) if (!env.has(key)) env.set(key, value);
    return env;
  }

  /** `K=V` args added to a RUN step's environment (not those an ENV already sets). */
  runEnv(configEnv: readonly string[]): string[] {
    const env = envMap(configEnv);
    return [...this.values()].filter(([key]) => !env.has(key)).map(([key, value]) => `${key}=${value}`);
  }

  /**
   * The args Docker records in a RUN step's history (`|2 A=1 B=2 /bin/sh -c …`): runEnv without the proxy args
   * the Dockerfile did not declare, sorted.
   */
  historyArgs(configEnv: readonly string[]): string[] {
    return this.runEnv(configEnv)
      .filter((kv) => {
        const key = kv.slice(0, kv.indexOf('='));
        return !PROXY_ARGS.has(key) || this.declared.has(key);
      })
      .sort();
  }

  /** Expands a word with this stage's variables (a convenience for the builder). */
  expand(word: string, configEnv: readonly string[], escape: EscapeChar): string {
    return expandWord(word, this.expansionEnv(configEnv), escape);
  }
}

function envMap(configEnv: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const kv of configEnv) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (!env.has(key)) env.set(key, eq < 0 ? '' : kv.slice(eq + 1));
  }
  return env;
}
