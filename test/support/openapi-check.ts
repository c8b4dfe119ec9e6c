/**
 * Checks an HTTP answer against the OpenAPI document, so the document cannot drift from the
 * service: test/helpers.ts's call() runs it on every response the suite receives and fails the
 * test on any finding. For the operation that the method and path name, it checks that
 *
 * - the status is one the operation documents;
 * - every required header of that response is present, every declared one matches its schema,
 *   and none of the API's own headers (Location, ETag, Retry-After, ...) appears undeclared;
 * - the body matches the schema of its media type (NDJSON: line by line), or is empty when the
 *   response has no content.
 *
 * An unknown route must answer with a problem (401 before authentication, else 404). CORS
 * preflights (OPTIONS) are protocol, not operations: a 204, or a problem.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';
import { openApiDocument } from '../../src/http/openapi.ts';

type Json = Record<string, unknown>;

export interface Exchange {
  method: string;
  /** The request's path, with or without a query string. */
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

/** Headers this API sets itself: one present on an answer must be declared for that answer. */
const API_HEADERS = [
  'x-request-id',
  'location',
  'etag',
  'retry-after',
  'www-authenticate',
  'link',
  'cache-control',
];
const DOC_ID = 'https://workout-log.local/openapi.json';

/** ajv-formats is CommonJS: under ESM its default export is the module's `default` property. */
const addFormats = ajvFormats.default;

/** Every local reference made absolute, so any part of the document compiles on its own. */
function absoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, val]) => [
      k,
      k === '$ref' && typeof val === 'string' && val.startsWith('#') ? DOC_ID + val : absoluteRefs(val),
    ]),
  );
}

interface Route {
  template: string;
  pattern: RegExp;
  literalSegments: number;
  item: Json;
}

export class OpenApiCheck {
  readonly doc: Json;
  // Every test process builds one checker, so it is made cheap to build: the document's schemas
  // are not checked against the JSON Schema meta-schema here (openapi.test.ts does that once,
  // and CI lints the document), and validators are compiled without ajv's optimising pass
  // (40% less compile time for code that validates a few hundred answers).
  private readonly ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    multipleOfPrecision: 9,
    validateSchema: false,
    code: { optimize: false },
  });
  private readonly routes: Route[];
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(doc: Json = openApiDocument(DEFAULT_CONFIG)) {
    this.doc = absoluteRefs(doc) as Json;
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc, DOC_ID);
    this.routes = Object.entries(this.doc.paths as Record<string, Json>)
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
        item,
      }))
      // /workouts/batch before /workouts/{workoutId}
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** Findings (empty when the answer is what the document says). */
  check(x: Exchange): string[] {
    const method = x.method.toLowerCase();
    const path = x.path.split('?')[0]!;
    const route = this.routes.find((r) => r.pattern.test(path));
    const op = route?.item[method === 'head' ? 'get' : method] as Json | undefined;
    const where = `${x.method} ${path} → ${x.status}`;
    if (!route || !op) return this.outsideOperations(x, method).map((f) => `${where}: ${f}`);

    const responses = op.responses as Record<string, Json>;
    const declared = responses[String(x.status)] ?? responses.default;
    if (!declared) {
      return [
        `${where}: status ${x.status} is not documented for ${x.method} ${route.template} ` +
          `(documented: ${Object.keys(responses).join(', ')})`,
      ];
    }
    const response = this.deref(declared);
    return [...this.checkHeaders(x, response), ...this.checkBody(x, response, method === 'head')].map(
      (f) => `${where}: ${f}`,
    );
  }

  /** Throws when the answer is not what the document says. */
  assert(x: Exchange): void {
    const findings = this.check(x);
    if (findings.length) {
      throw new Error(`the response does not match the OpenAPI document:\n- ${findings.join('\n- ')}`);
    }
  }

  /** Findings for a value against one of the document's schemas (components/schemas/<name>). */
  checkSchema(name: string, value: unknown): string[] {
    return this.validateValue(this.deref({ $ref: `${DOC_ID}#/components/schemas/${name}` }), value, name);
  }

  private outsideOperations(x: Exchange, method: string): string[] {
    if (method === 'options' && x.status === 204)
      return this.checkHeaders(x, { headers: this.commonHeaders(204) });
    const allowed = method === 'options' ? [204, 401, 403, 404] : [401, 404, 413, 429, 500, 503];
    if (!allowed.includes(x.status)) {
      return [
        `no operation is documented for ${x.method} ${x.path.split('?')[0]}, and ${x.status} is not a problem`,
      ];
    }
    const problem = this.deref({ $ref: `${DOC_ID}#/components/schemas/Problem` });
    const findings = this.checkHeaders(x, { headers: this.commonHeaders(x.status) });
    const type = (x.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (type !== 'application/problem+json')
      findings.push(`Content-Type is ${type || 'absent'}, not a problem`);
    else findings.push(...this.validate(problem, x.text, 'body'));
    return findings;
  }

  /** The headers every answer may carry (a problem's 401/429/503 add their own). */
  private commonHeaders(status: number): Json {
    const ref = (name: string) => ({ $ref: `${DOC_ID}#/components/headers/${name}` });
    return {
      'X-Request-Id': ref('X-Request-Id'),
      'X-Content-Type-Options': ref('X-Content-Type-Options'),
      'Cache-Control': ref('Cache-Control-Optional'),
      ...(status === 401 ? { 'WWW-Authenticate': ref('WWW-Authenticate') } : {}),
      ...(status === 429 || status === 503 ? { 'Retry-After': ref('Retry-After') } : {}),
    };
  }

  private checkHeaders(x: Exchange, response: Json): string[] {
    const findings: string[] = [];
    const declared = new Map(
      Object.entries((response.headers ?? this.commonHeaders(x.status)) as Json).map(([name, h]) => [
        name.toLowerCase(),
        { name, header: this.deref(h) },
      ]),
    );
    for (const { name, header } of declared.values()) {
      const value = x.headers.get(name);
      if (value === null) {
        if (header.required === true) findings.push(`header ${name} is required but absent`);
        continue;
      }
      if (header.schema) findings.push(...this.validateValue(header.schema as Json, value, `header ${name}`));
    }
    for (const name of API_HEADERS) {
      if (x.headers.has(name) && !declared.has(name)) {
        findings.push(`header ${name}: ${x.headers.get(name)} is sent but not documented for this response`);
      }
    }
    return findings;
  }

  private checkBody(x: Exchange, response: Json, head: boolean): string[] {
    const content = response.content as Record<string, Json> | undefined;
    if (!content)
      return x.text === '' ? [] : [`the response documents no body, but one came: ${x.text.slice(0, 200)}`];
    if (head) return [];
    const type = (x.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const media = content[type];
    if (!media)
      return [`Content-Type ${type || '(none)'} is not documented (documented: ${Object.keys(content)})`];
    const schema = media.schema as Json;
    if (type === 'application/x-ndjson') {
      const lines = x.text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      return lines.flatMap((line, i) => this.validate(schema, line, `line ${i + 1}`));
    }
    if (type.endsWith('json')) return this.validate(schema, x.text, 'body');
    return this.validateValue(schema, x.text, 'body');
  }

  private validate(schema: Json, text: string, what: string): string[] {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return [`${what} is not JSON: ${text.slice(0, 200)}`];
    }
    return this.validateValue(schema, value, what);
  }

  private validateValue(schema: Json, value: unknown, what: string): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) this.compiled.set(schema, (validate = this.ajv.compile(schema)));
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
    );
  }

  /** Follows a local reference (absolute after the constructor) to what it names. */
  private deref(node: unknown): Json {
    let out = node as Json;
    for (let hops = 0; typeof out.$ref === 'string' && hops < 10; hops++) {
      const pointer = (out.$ref as string).slice(DOC_ID.length + 1);
      out = pointer
        .split('/')
        .filter(Boolean)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<Json>((at, key) => at[key] as Json, this.doc);
    }
    return out;
  }
}

let shared: OpenApiCheck | undefined;

/** One checker for the process (compiled schemas are cached in it). */
export function openApiCheck(): OpenApiCheck {
  shared ??= new OpenApiCheck();
  return shared;
}
