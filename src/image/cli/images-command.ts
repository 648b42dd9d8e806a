// `berth images` / `berth image ls`: Docker's table, `-q`, `--digests`, `--no-trunc`, `-f dangling=…`,
// `-f reference=…`, and `--format json|TEMPLATE`.
import { UsageError } from '../../common/args.js';
import type { ImageSummary } from '../ops/image-view.js';
import { humanAge, humanSize } from '../progress/units.js';
import { renderTemplate } from './template.js';
import { formatTable } from './table.js';

export interface ImageRow {
  Repository: string;
  Tag: string;
  Digest: string;
  ID: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
  VirtualSize: string;
  SharedSize: string;
  UniqueSize: string;
  Containers: string;
}

/** One row per repository:tag (Docker's listing shape). */
export function imageRows(images: ImageSummary[], options: { noTrunc?: boolean } = {}): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const img of images) {
    const id = options.noTrunc ? img.Id : img.Id.slice(7, 19);
    const digestOf = (repo: string) => img.RepoDigests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
    const base = {
      ID: id,
      CreatedSince: humanAge(img.Created),
      CreatedAt: new Date(img.Created * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
      Size: humanSize(img.Size),
      VirtualSize: humanSize(img.VirtualSize),
      SharedSize: 'N/A',
      UniqueSize: 'N/A',
      Containers: 'N/A',
    };
    const pairs = img.RepoTags.map((t) => {
      const i = t.lastIndexOf(':');
      return [t.slice(0, i), t.slice(i + 1)] as const;
    });
    if (!pairs.length) {
      const repos = [...new Set(img.RepoDigests.map((d) => d.split('@')[0]!))];
      for (const r of repos.length ? repos : ['<none>']) rows.push({ Repository: r, Tag: '<none>', Digest: digestOf(r), ...base });
    }
    for (const [repo, tag] of pairs) rows.push({ Repository: repo, Tag: tag, Digest: digestOf(repo), ...base });
  }
  return rows;
}

/** Applies `-f key=value` filters Docker supports for images (dangling, reference). */
export function filterImages(images: ImageSummary[], filters: string[]): ImageSummary[] {
  let out = images;
  for (const f of filters) {
    const i = f.indexOf('=');
    const key = f.slice(0, i);
    const value = f.slice(i + 1);
    if (key === 'dangling') {
      if (!/^(true|false)$/.test(value)) throw new UsageError(`invalid filter 'dangling=${value}' (use true or false)`);
      out = out.filter((img) => (img.RepoTags.length === 0) === (value === 'true'));
    } else if (key === 'reference') {
      const re = globToRegExp(value);
      out = out.filter((img) => img.RepoTags.some((t) => re.test(t) || re.test(t.slice(0, t.lastIndexOf(':')))));
    } else if (key === 'label') {
      const [k, v] = value.split('=');
      out = out.filter((img) => k! in img.Labels && (v === undefined || img.Labels[k!] === v));
    } else {
      throw new UsageError(`invalid filter '${key}' (supported: dangling, reference, label)`);
    }
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** The text `berth images` prints. */
export function renderImages(images: ImageSummary[], options: { quiet?: boolean; digests?: boolean; noTrunc?: boolean; format?: string }): string {
  const rows = imageRows(images, options);
  if (options.quiet) return [...new Set(rows.map((r) => r.ID))].map((id) => `${id}\n`).join('');
  if (options.format === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (options.format) return rows.map((r) => `${renderTemplate(options.format!, r)}\n`).join('');
  const headers = ['REPOSITORY', 'TAG', ...(options.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  return formatTable(headers, rows.map((r) => [r.Repository, r.Tag, ...(options.digests ? [r.Digest] : []), r.ID, r.CreatedSince, r.Size]));
}
