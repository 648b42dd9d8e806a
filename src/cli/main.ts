// `berth`: the top-level command. Each subcommand's module is loaded only when used (fast start-up).
import { VERSION } from '../runtime/version.js';

const HELP = `Usage: berth COMMAND [ARGS...]

Berth — a container platform.

Commands:
  runtime    the OCI runtime (runc-compatible: create, start, run, exec, kill, delete, state, list, ...)
  pull       download an image from a registry
  push       upload an image to a registry
  images     list images (image ls)
  image      manage images: ls, inspect, pull, push, tag, rm, prune, save, load, import
  tag        create a tag that refers to an image
  rmi        remove images
  save       write images to a tar (docker-archive + OCI layout)
  load       read images from a tar
  import     make a one-layer image from a root filesystem tar
  login      log in to a registry (credentials kept in ~/.docker/config.json)
  logout     log out from a registry
  daemon     the engine: serves the Docker Engine API (docker CLI, SDKs) on /run/berth/berth.sock
  run        create and run a new container from an image (through the daemon; started on demand)
  create     create a new container
  start      start stopped containers (-a to attach)
  stop       stop running containers
  restart    restart containers
  kill       send a signal to running containers
  rm         remove containers
  ps         list containers (container ls)
  logs       fetch the logs of a container (-f to follow)
  exec       run a command in a running container
  attach     attach to a running container's input and output
  inspect    low-level information on containers, images, networks or volumes
  top        the running processes of a container
  stats      resource usage of containers (--no-stream)
  pause      pause all processes within containers
  unpause    unpause containers
  rename     rename a container
  wait       block until containers stop, then print their exit codes
  port       list port mappings of a container
  cp         copy files between a container and the host
  export     write a container's filesystem as a tar
  build      build an image from a Dockerfile (PATH, or - for a tar or a Dockerfile on stdin)
  builder    manage builds: prune (remove build cache)
  container  manage containers: ls, run, create, start, stop, rm, logs, exec, inspect, prune, ...
  volume     manage volumes: create, ls, inspect, rm, prune
  network    manage networks: create, ls, inspect, rm, prune
  info       system-wide information from the daemon
  system     system df (disk usage), system info, system events
  events     real-time events from the daemon
  cluster    the Kubernetes-compatible control plane: up, down, status, serve, credentials
  demo       an isolated, limited busybox container; an image pushed, pulled and run; the daemon driven by docker
  version    print the version

Run 'berth COMMAND --help' for more information on a command.
`;

/** Dispatches argv (after the program name); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'runtime': {
      const { runtimeMain } = await import('../runtime/cli/main.js');
      return runtimeMain(rest, 'berth runtime');
    }
    case 'pull':
    case 'push':
    case 'images':
    case 'image':
    case 'tag':
    case 'rmi':
    case 'save':
    case 'load':
    case 'import':
    case 'login':
    case 'logout': {
      const { imageMain } = await import('../image/cli/main.js');
      const code = await imageMain(cmd, rest);
      // The image layer cannot reach the build cache: entries of the images it removed are dropped here.
      const { sweepAfterImageCommand } = await import('./container-commands/builder-command.js');
      await sweepAfterImageCommand(cmd, rest);
      return code;
    }
    case 'daemon': {
      const { daemonMain } = await import('../engine/cli/daemon-command.js');
      return daemonMain(rest);
    }
    case 'run':
    case 'create':
    case 'start':
    case 'stop':
    case 'restart':
    case 'kill':
    case 'rm':
    case 'ps':
    case 'logs':
    case 'exec':
    case 'attach':
    case 'inspect':
    case 'top':
    case 'stats':
    case 'pause':
    case 'unpause':
    case 'rename':
    case 'wait':
    case 'port':
    case 'cp':
    case 'export':
    case 'container':
    case 'volume':
    case 'network':
    case 'info':
    case 'system':
    case 'events':
    case 'build':
    case 'builder': {
      const { containerMain } = await import('./container-commands/main.js');
      return containerMain(cmd, rest);
    }
    case 'cluster': {
      const { clusterMain } = await import('../cluster/cli/main.js');
      return clusterMain(rest);
    }
    case 'demo': {
      const { runDemo } = await import('../demo/demo.js');
      return runDemo();
    }
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`berth version ${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return cmd === undefined ? 1 : 0;
    default:
      process.stderr.write(`berth: unknown command "${cmd}" (see 'berth --help')\n`);
      return 1;
  }
}
