// Hybrid manager: v1 hierarchies for the controllers mounted there, the cgroup2 mount for the rest
// (e.g. hugetlb), and always a unified dir so the process is tracked in cgroup2 too, as runc does.
import type { LinuxResources } from '../spec/types.js';
import { CgroupError, type CgroupLayout, type CgroupManager, type CgroupStats } from './driver.js';
import type { CgroupFs } from './fs.js';
import { V1_SECTION_CONTROLLERS, V2_SECTION_CONTROLLER, sectionField, splitResources, type Section } from './resources.js';
import { V1Manager } from './v1.js';
import { V2Manager } from './v2.js';

/** v1 controller whose presence makes a v2 controller redundant (blkio is v2's io). */
const V1_EQUIVALENT: Record<string, string> = { io: 'blkio' };

export class HybridManager implements CgroupManager {
  readonly v1: V1Manager;
  readonly v2: V2Manager;
  private readonly v2Only: string[];

  /** created: see CgroupManager.created(); each dir goes back to the manager of the hierarchy it is in. */
  constructor(readonly path: string, private readonly layout: CgroupLayout, fs: CgroupFs, created: string[] = []) {
    if (layout.unified === undefined) throw new CgroupError('hybrid cgroup layout without a cgroup2 mount');
    const unified = layout.unified.replace(/\/+$/, '');
    this.v2Only = layout.unifiedControllers.filter((c) => layout.v1[c] === undefined && layout.v1[V1_EQUIVALENT[c] ?? ''] === undefined);
    const inUnified = (d: string) => d.startsWith(`${unified}/`);
    this.v1 = new V1Manager(path, layout.v1, fs, created.filter((d) => !inUnified(d)));
    this.v2 = new V2Manager(path, unified, this.v2Only, fs, created.filter(inUnified));
  }

  /** The hierarchy that enforces a section: v1 when its controller is mounted there, else v2 if it has it. */
  private route(s: Section): 'v1' | 'v2' | undefined {
    if (s === 'unified') return 'v2';
    if (V1_SECTION_CONTROLLERS[s].some((c) => this.layout.v1[c] !== undefined)) return 'v1';
    const c = V2_SECTION_CONTROLLER[s];
    if (c === '') return 'v2'; // devices: the v2 manager accepts allow-all and refuses the rest clearly
    return c !== null && this.v2Only.includes(c) ? 'v2' : undefined;
  }

  private split(resources: LinuxResources): { v1: LinuxResources; v2: LinuxResources } {
    const { v1, v2, missing } = splitResources(resources, (s) => this.route(s));
    if (missing.length) {
      throw new CgroupError(`${missing.map(sectionField).join(', ')}: no cgroup v1 or v2 hierarchy on this host has the controller`);
    }
    return { v1, v2 };
  }

  create(resources?: LinuxResources): void {
    const parts = resources ? this.split(resources) : { v1: undefined, v2: undefined };
    this.v1.create(parts.v1);
    try {
      this.v2.create(parts.v2);
    } catch (err) {
      this.v1.rollback();
      throw err;
    }
  }

  procsFiles(): string[] {
    return [...this.v1.procsFiles(), ...this.v2.procsFiles()];
  }

  update(resources: LinuxResources): void {
    const parts = this.split(resources);
    this.v1.update(parts.v1);
    this.v2.update(parts.v2);
  }

  pids(): number[] {
    return this.v1.pids();
  }

  /** The v1 freezer when mounted, else cgroup.freeze of the unified dir (a core file, no controller needed). */
  private freezer(): CgroupManager {
    return this.layout.v1.freezer !== undefined ? this.v1 : this.v2;
  }

  freeze(): void {
    this.freezer().freeze();
  }

  thaw(): void {
    this.freezer().thaw();
  }

  isFrozen(): boolean {
    return this.freezer().isFrozen();
  }

  stats(): CgroupStats {
    const a = this.v1.stats();
    const b = this.v2.stats();
    const inV1 = (...cs: string[]) => cs.some((c) => this.layout.v1[c] !== undefined);
    return {
      cpu: inV1('cpu', 'cpuacct') ? a.cpu : b.cpu,
      memory: inV1('memory') ? a.memory : b.memory,
      pids: inV1('pids') ? a.pids : b.pids,
      blkio: inV1('blkio') ? a.blkio : b.blkio,
      hugetlb: { ...b.hugetlb, ...a.hugetlb },
    };
  }

  oomKills(): number {
    return this.layout.v1.memory !== undefined ? this.v1.oomKills() : this.v2.oomKills();
  }

  destroy(): void {
    const errors: string[] = [];
    for (const m of [this.v1, this.v2]) {
      try {
        m.destroy();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length) throw new CgroupError(errors.join('; '), this.path, 'EBUSY');
  }

  dirs(): Record<string, string> {
    return { ...this.v1.dirs(), ...this.v2.dirs() };
  }

  created(): string[] {
    return [...this.v1.created(), ...this.v2.created()];
  }
}
