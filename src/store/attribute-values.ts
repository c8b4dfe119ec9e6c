/**
 * DynamoDB's typed JSON (`{ "S": "x" }`, `{ "N": "1" }`) to plain values, for the one place where
 * aws-lite hands it over as it came: the items in a cancelled transaction's reasons (everywhere
 * else aws-lite converts items itself, and numbers become JavaScript numbers the same way).
 */
import type { Item } from './dynamodb.ts';

export type AttributeValue = Partial<{
  S: string;
  N: string;
  BOOL: boolean;
  NULL: boolean;
  M: Record<string, AttributeValue>;
  L: AttributeValue[];
  SS: string[];
  NS: string[];
  B: string;
  BS: string[];
}>;

export function fromAttributeValue(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.M !== undefined) return fromAttributeValues(v.M);
  if (v.L !== undefined) return v.L.map(fromAttributeValue);
  if (v.SS !== undefined) return new Set(v.SS);
  if (v.NS !== undefined) return new Set(v.NS.map(Number));
  if (v.B !== undefined) return Buffer.from(v.B, 'base64');
  if (v.BS !== undefined) return new Set(v.BS.map((b) => Buffer.from(b, 'base64')));
  throw new Error(`an attribute value of an unknown type: ${Object.keys(v).join(', ')}`);
}

export function fromAttributeValues(m: Record<string, AttributeValue>): Item {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, fromAttributeValue(v)]));
}
