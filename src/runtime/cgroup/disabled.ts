// The "no cgroups" manager (crun's null driver): for rootless containers whose caller may not create
// cgroups. Nothing is limited; operations that need a cgroup say so instead of pretending.
import { CgroupError, type CgroupManager, type CgroupStats } from './driver.js';

export class DisabledCgroupManager implements CgroupManager {
  constructor(readonly path: string, private readonly initPid: () => number) {}

  create(): void {}

  procsFiles(): string[] {
    return [];
  }

  update(): void {
    throw this.unavailable('update resources');
  }

  /** Without a cgroup only the init process is known. */
  pids(): number[] {
    return [this.initPid()].filter((p) => p > 0);
  }

  freeze(): void {
    throw this.unavailable('pause');
  }

  thaw(): void {
    throw this.unavailable('resume');
  }

  isFrozen(): boolean {
    return false;
  }

  stats(): CgroupStats {
    throw this.unavailable('read statistics');
  }

  oomKills(): number {
    return 0;
  }

  destroy(): void {}

  dirs(): Record<string, string> {
    return {};
  }

  created(): string[] {
    return [];
  }

  private unavailable(what: string): CgroupError {
    return new CgroupError(`cannot ${what}: this rootless container has no cgroup (its caller could not create one)`);
  }
}
