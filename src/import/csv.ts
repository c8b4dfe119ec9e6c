/**
 * Streaming CSV records on Papa Parse, from an async iterable of text chunks (a file read in
 * pieces in Node, a `File` stream in a browser). Memory holds one chunk and the record being
 * read, whatever the file's size. Each record comes with the line it starts on and its original
 * text, for reports.
 */
import Papa from 'papaparse';

export interface CsvRecord {
  /** The cells, unquoted. */
  fields: string[];
  /** 1-based line number where the record starts. */
  row: number;
  /** The record's original text, without its final line break. */
  line: string;
  /** Papa Parse's complaint about this record (an unterminated quote), if any. */
  problem?: string;
}

type Listener = (arg?: unknown) => void;

/**
 * Papa Parse streams from anything shaped like a Node readable (`readable`, `read`, `on`,
 * `removeListener`, `pause`, `resume`); this is that shape over chunks we push ourselves, so the
 * same code runs in a browser. Papa parses each pushed chunk synchronously.
 */
class PushSource {
  readonly readable = true;
  private readonly listeners = new Map<string, Listener[]>();
  read(): void {}
  pause(): void {}
  resume(): void {}
  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  removeListener(event: string, fn: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((f) => f !== fn),
    );
    return this;
  }
  emit(event: string, arg?: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) fn(arg);
  }
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/** The line break of a text: the one ending its first line (its header). */
function lineBreakOf(head: string): '\r\n' | '\n' | '\r' {
  const i = head.search(/[\r\n]/);
  if (i === -1 || head[i] === '\n') return '\n';
  return head[i + 1] === '\n' ? '\r\n' : '\r';
}

/** The records of a CSV text (a byte-order mark is dropped; blank lines are skipped). */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Read until the first line break (or the end), to know the file's line break before parsing.
  let head = '';
  let done = false;
  const needMore = (h: string) => {
    const i = h.search(/[\r\n]/);
    return i === -1 || (h[i] === '\r' && i === h.length - 1); // a CR at the end may start a CRLF
  };
  while (needMore(head)) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head += next.value;
  }
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  const newline = lineBreakOf(head);

  const ready: CsvRecord[] = [];
  let raw = ''; // the text from offset rawStart on (the unread part of the file)
  let rawStart = 0;
  let recordStart = 0; // offset where the next record starts
  let line = 1;
  let failure: unknown;
  const source = new PushSource();

  Papa.parse(source as unknown as NodeJS.ReadableStream, {
    delimiter: ',',
    newline,
    header: false,
    skipEmptyLines: false,
    step(results: Papa.ParseStepResult<string[]>) {
      const end = results.meta.cursor;
      let text = raw.slice(recordStart - rawStart, end - rawStart);
      recordStart = end;
      const row = line;
      line += countLineBreaks(text);
      text = text.replace(/\r?\n$|\r$/, '');
      const fields = results.data;
      // A stray CR before an LF in a file of LF line breaks belongs to the line break.
      const last = fields.length - 1;
      if (newline === '\n' && fields[last]?.endsWith('\r')) fields[last] = fields[last].slice(0, -1);
      if (fields.length === 1 && fields[0] === '') return; // a blank line
      const record: CsvRecord = { fields, row, line: text };
      if (results.errors.length) record.problem = results.errors.map((e) => e.message).join('; ');
      ready.push(record);
    },
    error(err: Error) {
      failure = err;
    },
  });

  const push = (chunk: string) => {
    raw += chunk;
    source.emit('data', chunk);
    if (failure) throw failure;
    // Keep only the text of the record not finished yet.
    raw = raw.slice(recordStart - rawStart);
    rawStart = recordStart;
  };
  if (head) push(head);
  yield* ready.splice(0);
  while (!done) {
    const next = await iterator.next();
    if (next.done) break;
    if (!next.value) continue;
    push(next.value);
    yield* ready.splice(0);
  }
  source.emit('end');
  if (failure) throw failure;
  yield* ready.splice(0);
}
