/**
 * Reading a JSON body: content type (415), size (413), syntax (400), top-level object (400),
 * checked in that order before any validation.
 */
import type { Context } from 'hono';
import { ApiError } from './problem.ts';

export const BODY_LIMIT = 64 * 1024;
/** A batch may carry up to 100 workouts. */
export const BATCH_BODY_LIMIT = 1024 * 1024;

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

export async function readJsonObject(c: Context, limit = BODY_LIMIT): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type');
  if (type !== undefined && !JSON_TYPE.test(type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'the body must be JSON (Content-Type: application/json)',
    );
  }
  const length = c.req.header('content-length');
  const declared = Number(length);
  if (declared > limit) throw tooLarge(limit);
  // A declared length within the limit is all the HTTP parser delivers: read the body whole
  // (@hono/node-server reads it from the socket without web streams). Otherwise stream it and
  // stop at the limit.
  const text =
    length !== undefined && Number.isInteger(declared)
      ? await c.req.raw.text()
      : await readText(c.req.raw, limit);
  if (text.trim() === '')
    throw new ApiError(400, 'malformed_body', 'the body is empty; a JSON object is expected');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'malformed_body', 'the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'malformed_body', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Closes the connection after answering, rather than reading the rest of a huge body. */
function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `the body is over ${limit / 1024} KiB`, undefined, {
    Connection: 'close',
  });
}

/** Reads at most `limit` bytes, failing as soon as the stream goes past it (no full buffering). */
async function readText(req: Request, limit: number): Promise<string> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}
