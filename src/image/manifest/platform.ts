// Platforms (`os/arch[/variant]`) and choosing an index entry for one, following containerd's normalizing
// matcher: `aarch64`, `arm64/v8` and `arm64` are the same platform, a bare `arm` means `arm/v7`, and when
// no exact entry exists a compatible one is taken (lower arm/amd64 variants, 386 on amd64, arm on arm64).
import { ImageError } from '../errors.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64el: 'mips64le',
  mipsel: 'mipsle',
  loong64: 'loong64',
};
const NODE_OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/** The platform this process runs on, in OCI terms (x64 → amd64, arm64 → arm64/v8, arm → arm/v7 …). */
export function hostPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  const os = NODE_OS[process.platform] ?? process.platform;
  if (architecture === 'arm64') return { os, architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const armVersion = String((process.config.variables as Record<string, unknown>)['arm_version'] ?? '7');
    return { os, architecture, variant: `v${armVersion}` };
  }
  return { os, architecture };
}

/** Parses `os/arch[/variant]` (or a bare os or arch, completed from the host) as `--platform` takes it. */
export function parsePlatform(text: string): Platform {
  const bad = (why: string): never => {
    throw new ImageError(`invalid platform "${text}": ${why} (expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8)`, 'InvalidArgument');
  };
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length > 3) bad('too many components');
  for (const p of parts) if (!/^[a-z0-9_.-]+$/.test(p)) bad(p === '' ? 'empty component' : `"${p}" has characters other than a-z, 0-9, "_", "." and "-"`);
  const host = hostPlatform();
  if (parts.length === 1) {
    const only = parts[0]!;
    if (KNOWN_OS.has(normalizeOs(only))) return { ...host, os: normalizeOs(only) };
    if (!KNOWN_ARCH.has(normalizeArch(only, '').architecture)) bad(`"${only}" is neither a known os nor a known architecture`);
    return clean({ os: host.os, ...normalizeArch(only, '') });
  }
  const os = normalizeOs(parts[0]!);
  const arch = normalizeArch(parts[1]!, parts[2] ?? '');
  // An explicit arm64 variant is kept as written (containerd does the same); matching ignores it.
  if (arch.architecture === 'arm64' && !arch.variant && parts[2]) arch.variant = 'v8';
  return clean({ os, ...arch });
}

/** `os/arch[/variant]`. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The canonical form used for comparisons (lowercase, aliases resolved, default variants dropped/added). */
export function normalizePlatform(p: Platform): Platform {
  return clean({ os: normalizeOs(p.os ?? ''), ...normalizeArch(p.architecture ?? '', p.variant ?? '') });
}

/** True when an image for `have` runs on `want` exactly (after normalization). */
export function platformMatches(want: Platform, have: Platform): boolean {
  const a = normalizePlatform(want);
  const b = normalizePlatform(have);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/**
 * The index entry for `want`: an exact platform match first, then (arm) a lower compatible variant, then an
 * entry without a platform. Attestation entries (`unknown/unknown`) are never chosen. NotFound names the
 * wanted platform and lists what the index offers.
 */
export function selectManifest(index: ImageIndex, want: Platform, subject?: string): Descriptor {
  const entries = (index.manifests ?? []).filter((d) => !isAttestation(d));
  const ranked = compatiblePlatforms(want);
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of entries) {
    const rank = d.platform ? ranked.findIndex((p) => platformMatches(p, d.platform!)) : ranked.length;
    if (rank === -1) continue;
    if (!best || rank < best.rank) best = { d, rank };
  }
  if (best) return best.d;
  const available = entries.filter((d) => d.platform).map((d) => formatPlatform(d.platform!));
  throw new ImageError(
    `${subject ? `${subject}: ` : ''}no manifest for platform ${formatPlatform(want)} in the image index` +
      ` (available: ${available.length ? [...new Set(available)].join(', ') : 'none'})`,
    'NotFound',
  );
}

/** Platforms that run on `want`, best first (containerd's `Only` matcher: lower variants, 386 on amd64, arm on arm64). */
function compatiblePlatforms(want: Platform): Platform[] {
  const n = normalizePlatform(want);
  const out: Platform[] = [n];
  const level = /^v(\d+)$/.exec(n.variant ?? '');
  if (n.architecture === 'arm' && level) {
    for (let v = Number(level[1]) - 1; v >= 5; v--) out.push({ ...n, variant: `v${v}` });
  }
  if (n.architecture === 'amd64') {
    if (level) {
      for (let v = Number(level[1]) - 1; v >= 2; v--) out.push({ ...n, variant: `v${v}` });
      out.push({ os: n.os, architecture: 'amd64' });
    }
    out.push({ os: n.os, architecture: '386' });
  }
  if (n.architecture === 'arm64') {
    // arm64 hosts run 32-bit arm images too (containerd's default matcher on arm64).
    for (let v = 8; v >= 5; v--) out.push({ os: n.os, architecture: 'arm', variant: `v${v}` });
  }
  return out;
}

function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown';
}

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'illumos', 'ios', 'js', 'linux', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'wasip1']);
const KNOWN_ARCH = new Set(['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'ppc64', 'ppc64le', 'riscv64', 's390x', 'wasm']);

function normalizeOs(os: string): string {
  const o = os.toLowerCase();
  return o === 'macos' ? 'darwin' : o;
}

/** containerd's normalizeArch. */
function normalizeArch(arch: string, variant: string): { architecture: string; variant?: string } {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return v ? { architecture: a, variant: v } : { architecture: a };
}

function clean(p: { os: string; architecture: string; variant?: string }): Platform {
  return p.variant ? { os: p.os, architecture: p.architecture, variant: p.variant } : { os: p.os, architecture: p.architecture };
}
