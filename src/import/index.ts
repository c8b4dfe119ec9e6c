/**
 * The import parsers: a file's text, as an async iterable of chunks, in; one result a record
 * out, in file order. Browser-safe (no `node:` imports): the CLI and the web console share them.
 *
 *   for await (const r of parseWorkouts(chunks, { format: 'strava' })) ...
 */
import { csvRecords } from './csv.ts';
import { genericColumns, genericWorkout } from './generic.ts';
import { ndjsonWorkout, textLines } from './ndjson.ts';
import { stravaColumns, stravaWorkout } from './strava.ts';
import { ImportFormatError, type ImportFormat, type ParseOptions, type ParseResult } from './types.ts';
import { DEFAULT_TYPES, typeKey, typeResolver } from './values.ts';

export * from './types.ts';
export { STRAVA_TYPES, DEFAULT_TYPES, typeKey } from './values.ts';

/** The format of a file from its first line: `{` is NDJSON; Strava's header names; else CSV. */
export function detectFormat(head: string): ImportFormat {
  const text = head.replace(/^\ufeff/, '').trimStart();
  if (text.startsWith('{')) return 'ndjson';
  const firstLine = text.split(/\r?\n|\r/, 1)[0] ?? '';
  if (/Activity ID/.test(firstLine) && /Activity Type/.test(firstLine) && /Elapsed Time/.test(firstLine)) {
    return 'strava';
  }
  return 'csv';
}

/** Reads chunks until the first line is whole (or 64 KiB), and gives it with the chunks again. */
async function peek(chunks: AsyncIterable<string>): Promise<{ head: string; all: AsyncIterable<string> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  let head = '';
  let whole = false; // the head holds a line with content (tested only when a line break arrives)
  while (!whole && head.length < 65536) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    head += next.value;
    whole = next.value.includes('\n') && /\S[^\n]*\n/.test(head);
  }
  async function* all() {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, all: all() };
}

/** Parses a workout file; throws ImportFormatError when the file as a whole is unusable. */
export async function* parseWorkouts(
  chunks: AsyncIterable<string>,
  opts: ParseOptions = {},
): AsyncGenerator<ParseResult> {
  let format = opts.format;
  let input = chunks;
  if (!format) {
    const { head, all } = await peek(chunks);
    format = detectFormat(head);
    input = all;
  }
  const types = opts.types ?? DEFAULT_TYPES;
  for (const [from, to] of Object.entries(opts.map ?? {})) {
    if (!types.includes(to)) {
      throw new ImportFormatError(
        `--map ${from}=${to}: the service has no workout type "${to}" (it has ${types.join(', ')})`,
      );
    }
  }

  if (format === 'ndjson') {
    const userMap = new Map(Object.entries(opts.map ?? {}).map(([k, v]) => [typeKey(k), v]));
    const mapType = (name: string) => userMap.get(typeKey(name));
    for await (const { row, line } of textLines(input)) {
      const result = await ndjsonWorkout(row, line, mapType);
      if (result) yield result;
    }
    return;
  }

  const resolve = typeResolver(opts.map, types);
  let read: ((r: Parameters<typeof stravaWorkout>[1]) => ParseResult | Promise<ParseResult>) | undefined;
  for await (const record of csvRecords(input)) {
    if (!read) {
      if (format === 'strava') {
        const cols = stravaColumns(record.fields);
        read = (r) => stravaWorkout(cols, r, resolve);
      } else {
        const cols = genericColumns(record.fields, opts.columns);
        read = (r) => genericWorkout(cols, r, resolve);
      }
      continue;
    }
    yield await read(record);
  }
  if (!read) throw new ImportFormatError('the file is empty: no header row');
}
