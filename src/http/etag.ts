/** Conditional requests: `ETag` on answers, `If-None-Match` → 304 on reads. */
import { etagOf, tagListMatches } from '../domain/etag.ts';
import type { AppContext } from './env.ts';

/** Answers 200 with the representation and its ETag, or 304 when If-None-Match names it. */
export function jsonWithEtag(c: AppContext, body: object, status: 200 | 201 = 200): Response {
  const etag = etagOf(body);
  c.header('ETag', etag);
  const ifNoneMatch = c.req.header('if-none-match');
  if (
    status === 200 &&
    c.req.method === 'GET' &&
    ifNoneMatch !== undefined &&
    tagListMatches(ifNoneMatch, etag)
  ) {
    return c.body(null, 304);
  }
  return c.json(body, status);
}

/** The `If-Match` header, when sent. */
export const ifMatch = (c: AppContext) => c.req.header('if-match');
