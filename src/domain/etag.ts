/**
 * Strong entity tags: a hash of a representation's JSON, so any change of a profile or a
 * workout (every change moves `updatedAt`) gives a new tag.
 */
import { createHash } from 'node:crypto';

export function etagOf(representation: object): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
}

/**
 * True when an `If-Match` / `If-None-Match` header value names the tag: a list of tags or `*`.
 * Weak tags (`W/"..."`) compare by their opaque part, as If-None-Match requires.
 */
export function tagListMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(etag);
}
