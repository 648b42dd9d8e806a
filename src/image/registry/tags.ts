// Tag listing with the registry's pagination (`n`, `last`, and `Link: <…>; rel="next"`).
import { ImageError } from '../errors.js';
import { readBody, responseUrl } from './http-transport.js';
import { nextLink } from './link-header.js';
import type { RepoContext } from './manifest-ops.js';

const MAX_PAGES = 10_000;

/**
 * Tags of the repository in lexical order, following `Link` pages. With `n`, at most n tags after `last`;
 * the limits are applied here too, for registries that ignore them.
 */
export async function listTags(ctx: RepoContext, options: { n?: number; last?: string } = {}): Promise<string[]> {
  const subject = `${ctx.session.registry}/${ctx.repository}`;
  const query = new URLSearchParams();
  if (options.n !== undefined) {
    if (!Number.isInteger(options.n) || options.n < 0) throw new ImageError(`${subject}: invalid page size ${options.n}`, 'InvalidArgument');
    query.set('n', String(options.n));
  }
  if (options.last !== undefined) query.set('last', options.last);
  let target: string | URL = `/v2/${ctx.repository}/tags/list${query.size ? `?${query}` : ''}`;
  const tags: string[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await ctx.session.send({ method: 'GET', target, scopes: ctx.scopes, subject, actions: 'pull', idempotent: true, accept: [200] });
    const body = await readBody(res, 16 << 20, `${subject}: tag list`);
    let doc: { tags?: unknown };
    try {
      doc = JSON.parse(body.toString());
    } catch {
      throw new ImageError(`${subject}: the registry sent a tag list that is not JSON`, 'DataLoss');
    }
    if (Array.isArray(doc.tags)) tags.push(...doc.tags.filter((t): t is string => typeof t === 'string'));
    const next = nextLink(res.headers['link'], responseUrl(res));
    if (!next || (options.n !== undefined && tags.length >= options.n)) break;
    target = next;
  }
  // Sorted here too: distribution 2.8 lists tags in storage order and ignores `n` and `last`.
  const sorted = [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = options.last !== undefined ? sorted.filter((t) => t > options.last!) : sorted;
  if (options.n !== undefined) out = out.slice(0, options.n);
  return out;
}
