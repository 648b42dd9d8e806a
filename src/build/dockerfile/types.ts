// The parsed form of a Dockerfile. Values are as written (after continuation joining and comment removal): the
// words of instructions that allow variable substitution still hold their `$VAR` references and quotes, because
// what they expand to depends on the build (ARG values, the base image's ENV). expand-instruction.ts expands
// them when the builder reaches the instruction.

export type EscapeChar = '\\' | '`';

/** Parser directives from the top of the file (`# syntax=…`, `# escape=…`, `# check=…`). */
export interface Directives {
  escape: EscapeChar;
  syntax?: string;
  check?: string;
}

/** Where an instruction is: 1-based lines, the end including continuation lines and heredoc bodies. */
export interface Located {
  startLine: number;
  endLine: number;
  /** The logical line, trimmed: continuations joined, comment lines dropped (what `Step N/M :` shows). */
  original: string;
}

/**
 * A command line as Docker keeps it: exec form (a JSON array, run without a shell) or shell form (one string,
 * or none for an empty `CMD`, to be prefixed with the SHELL).
 */
export interface CommandLine {
  form: 'exec' | 'shell';
  args: string[];
}

/** A here-document attached to RUN/COPY/ADD; `content` already has leading tabs removed for `<<-`. */
export interface Heredoc {
  name: string;
  content: string;
  /** False when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no variable expansion in the body. */
  expand: boolean;
  chomp: boolean;
  /** The file descriptor written before `<<` (`3<<EOF`), if any. */
  fd?: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface ArgDefinition {
  key: string;
  /** Undefined for `ARG name` (no default). */
  value?: string;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

/** One `RUN --mount=…`. */
export interface RunMount {
  type: MountType;
  from?: string;
  source?: string;
  target?: string;
  readOnly: boolean;
  /** tmpfs size in bytes. */
  size?: number;
  id?: string;
  sharing?: CacheSharing;
  required?: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
  env?: string;
}

export type NetworkMode = 'default' | 'none' | 'host';

/** Docker's HealthConfig: durations in nanoseconds, absent when zero (the daemon's default applies). */
export interface HealthConfig {
  test: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

export interface FromInstruction extends Located {
  kind: 'FROM';
  /** The base: an image reference, `scratch` or an earlier stage's name (unexpanded). */
  image: string;
  /** The stage name from `AS name`, lower-cased as Docker does. */
  stageName?: string;
  platform?: string;
}

export interface RunInstruction extends Located {
  kind: 'RUN';
  command: CommandLine;
  heredocs: Heredoc[];
  /** The `--mount` values as written (re-parsed with variables expanded by expandInstruction). */
  mountSpecs: string[];
  mounts: RunMount[];
  network: NetworkMode;
}

export interface CmdInstruction extends Located {
  kind: 'CMD';
  command: CommandLine;
}

export interface EntrypointInstruction extends Located {
  kind: 'ENTRYPOINT';
  command: CommandLine;
}

export interface EnvInstruction extends Located {
  kind: 'ENV';
  pairs: KeyValue[];
}

export interface LabelInstruction extends Located {
  kind: 'LABEL';
  pairs: KeyValue[];
}

export interface ArgInstruction extends Located {
  kind: 'ARG';
  args: ArgDefinition[];
}

export interface MaintainerInstruction extends Located {
  kind: 'MAINTAINER';
  maintainer: string;
}

export interface ExposeInstruction extends Located {
  kind: 'EXPOSE';
  /** Port words as written (each may expand to several); ports.ts turns them into `80/tcp` keys. */
  ports: string[];
}

export interface VolumeInstruction extends Located {
  kind: 'VOLUME';
  volumes: string[];
}

export interface UserInstruction extends Located {
  kind: 'USER';
  user: string;
}

export interface WorkdirInstruction extends Located {
  kind: 'WORKDIR';
  path: string;
}

/** A COPY/ADD source given inline as a heredoc (`COPY <<EOF /dst`). */
export interface InlineSource {
  name: string;
  content: string;
  expand: boolean;
}

interface CopyLike extends Located {
  sources: string[];
  inline: InlineSource[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  /** True for the JSON form (`COPY ["a b", "/dst/"]`). */
  json: boolean;
}

export interface CopyInstruction extends CopyLike {
  kind: 'COPY';
  /** `--from=`: an earlier stage's name or index, or an image reference. */
  from?: string;
}

export interface AddInstruction extends CopyLike {
  kind: 'ADD';
  keepGitDir?: boolean;
}

export interface OnbuildInstruction extends Located {
  kind: 'ONBUILD';
  /** The trigger as Docker stores it in the image config (`RUN echo hi`). */
  expression: string;
  trigger: Instruction;
}

export interface StopSignalInstruction extends Located {
  kind: 'STOPSIGNAL';
  signal: string;
}

export interface HealthcheckInstruction extends Located {
  kind: 'HEALTHCHECK';
  health: HealthConfig;
}

export interface ShellInstruction extends Located {
  kind: 'SHELL';
  shell: string[];
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | CopyInstruction
  | AddInstruction
  | OnbuildInstruction
  | StopSignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type InstructionKind = Instruction['kind'];

/** One build stage: its FROM and the instructions after it. */
export interface Stage {
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
}

export interface DockerfileWarning {
  line: number;
  message: string;
}

export interface Dockerfile {
  directives: Directives;
  /** ARG instructions before the first FROM: usable in FROM lines. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  warnings: DockerfileWarning[];
}
