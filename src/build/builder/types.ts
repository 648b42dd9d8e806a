// The builder's ports and options: what buildImage needs from the outside (the image layer, a way to run RUN
// steps) and what a build is asked to do. RUN steps go through the RunStep port so the core is tested with a
// fake that edits files, and the real one (src/build/run) starts a container.
import type { FsOps, ImageContext, ImageConfig, Descriptor } from '../../image/index.js';

/** How a RUN step reaches the network (Docker's `--network` for builds and `RUN --network=`). */
export type BuildNetworkMode = 'default' | 'none' | 'host';

/** One RUN step's process, to run with `rootfs` (the mounted active snapshot) as its root. */
export interface RunStepRequest {
  /** A fresh 64-hex id for the step's container (Docker's ` ---> Running in <id12>`). */
  id: string;
  rootfs: string;
  argv: string[];
  env: string[];
  /** The image's USER (`name`, `uid`, `uid:gid`, `name:group`); empty means root. */
  user: string;
  /** Absolute working directory inside the rootfs. */
  cwd: string;
  network: BuildNetworkMode;
  /** The image's VOLUMEs: each gets a throw-away mount for the step, as dockerd's build containers do. */
  volumes?: string[];
  /** RUN --mount: host paths and tmpfs to mount for the step (applied after the volumes, in this order). */
  mounts?: RunStepMount[];
  /** Receives the process's stdout and stderr, as they come. */
  output(chunk: Buffer): void;
}

/**
 * One RUN --mount as the runtime sees it: a host directory or file bound at `target` (cache and bind mounts, the
 * builder has prepared the source), or an empty tmpfs. `target` is absolute and normalized.
 */
export type RunStepMount =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; readOnly: boolean; size?: number };

/** Runs one RUN step to completion; resolves with the exit code (a process that could not start rejects). */
export interface RunStep {
  run(request: RunStepRequest): Promise<number>;
}

export interface BuildDeps {
  image: ImageContext;
  fsops: FsOps;
  runStep: RunStep;
  /** Where the build cache and mount points live (default `<berth root>/build`, beside `<root>/image`). */
  stateDir?: string;
  /** Fetches an image that is not local (FROM, COPY --from); without it a missing image is an error. */
  pull?: (reference: string, progress: (text: string) => void) => Promise<void>;
  /** Clock for `created` (tests pin it). */
  now?: () => Date;
}

export interface BuildOptions {
  /** The build context directory (COPY/ADD sources). */
  contextDir: string;
  /** The Dockerfile: its text, or a path (relative to the context unless absolute). Default `Dockerfile`. */
  dockerfile?: { text: string } | { path: string };
  tags?: string[];
  buildArgs?: Record<string, string | null | undefined>;
  labels?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** Only the host's platform can be built (`linux/amd64` style); anything else is refused. */
  platform?: string;
  /** Network for RUN steps that do not name one (default: the default bridge). */
  networkMode?: BuildNetworkMode;
  /** Pull FROM images even when they are local (`--pull`). */
  pull?: boolean;
}

/** Receives Docker's legacy build output (`Step 1/5 : FROM busybox\n`, ` ---> 1a2b3c4d5e6f\n`, step output). */
export type BuildProgress = (text: string) => void;

export interface BuildResult {
  /** The image id (`sha256:…`). */
  id: string;
  /** The normalized names given to it. */
  tags: string[];
}

/** The image a build stage has produced so far. */
export interface ImageState {
  /** Image id (config digest); undefined only for a `FROM scratch` stage before its first step. */
  id?: string;
  /** What an image record points at (the base's own target for an unchanged FROM). */
  target?: Descriptor;
  config: ImageConfig;
  /** Manifest layer descriptors, parallel to config.rootfs.diff_ids. */
  layers: Descriptor[];
  /** chainIDs of the committed snapshots, parallel to the layers. */
  chain: string[];
}
