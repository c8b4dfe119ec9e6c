/**
 * The table's definition, read from template.yaml: the local table is created from the same
 * keys and indexes that CloudFormation deploys. Used by the local runtime and tests only; the
 * Lambda never creates tables.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type Tags } from 'yaml';
import type { Db } from './dynamodb.ts';

export const TEMPLATE_PATH = fileURLToPath(new URL('../../template.yaml', import.meta.url));
export const TABLE_LOGICAL_ID = 'WorkoutTable';

export interface TableDefinition {
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  KeySchema: { AttributeName: string; KeyType: string }[];
  LocalSecondaryIndexes?: unknown[];
  GlobalSecondaryIndexes?: unknown[];
}

const INTRINSICS = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Join',
  'Select',
].concat(['Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Transform']);

/** YAML tags for CloudFormation's short intrinsic forms (`!Ref X` → `{ Ref: 'X' }`). */
export const cloudFormationTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return [
    { tag: `!${name}`, resolve: (s: string) => wrap(s) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (n: { toJSON(): unknown }) => wrap(n.toJSON()) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (n: { toJSON(): unknown }) => wrap(n.toJSON()) },
  ];
}) as unknown as Tags;

export function loadTemplate(path = TEMPLATE_PATH): Record<string, unknown> {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags }) as Record<string, unknown>;
}

/**
 * The table's resource alone, parsed from its own lines of the template (up to the next line at
 * the indentation of a resource name). Parsing the whole 100 KB template took ~0.3 s of CPU,
 * paid by every local start and every test file; template.test.ts checks both give one table.
 */
function tableResourceOnly(path = TEMPLATE_PATH): Record<string, unknown> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.indexOf(`  ${TABLE_LOGICAL_ID}:`);
  if (start === -1) return loadTemplate(path);
  let end = start + 1;
  while (end < lines.length && !/^ {0,2}[^\s#]/.test(lines[end]!)) end++;
  const resource = parse(lines.slice(start, end).join('\n'), { customTags: cloudFormationTags }) as object;
  return { Resources: resource };
}

let ownTable: TableDefinition | undefined;

/** Keys and indexes of the service's table, exactly as the template declares them. */
export function tableDefinition(template?: Record<string, unknown>): TableDefinition {
  if (!template) return (ownTable ??= tableDefinition(tableResourceOnly()));
  const resources = template.Resources as Record<string, { Properties: Record<string, unknown> }>;
  const p = resources[TABLE_LOGICAL_ID]!.Properties;
  const def: TableDefinition = {
    AttributeDefinitions: p.AttributeDefinitions as TableDefinition['AttributeDefinitions'],
    KeySchema: p.KeySchema as TableDefinition['KeySchema'],
  };
  if (p.LocalSecondaryIndexes) def.LocalSecondaryIndexes = p.LocalSecondaryIndexes as unknown[];
  if (p.GlobalSecondaryIndexes) def.GlobalSecondaryIndexes = p.GlobalSecondaryIndexes as unknown[];
  return def;
}

/** Creates the table when it does not exist (on demand, as the template's default). */
export async function ensureTable(db: Db, tableName: string): Promise<'created' | 'exists'> {
  try {
    await db.call('DescribeTable', { TableName: tableName });
    return 'exists';
  } catch (err) {
    if ((err as { code?: string }).code !== 'ResourceNotFoundException') throw err;
  }
  try {
    await db.call('CreateTable', {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...tableDefinition(),
    });
  } catch (err) {
    // Another process created it first.
    if ((err as { code?: string }).code !== 'ResourceInUseException') throw err;
    return 'exists';
  }
  return 'created';
}
