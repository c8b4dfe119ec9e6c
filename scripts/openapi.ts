/**
 * Writes the OpenAPI document the local service serves (configuration from the environment, as
 * `npm start` reads it) to a file, or to stdout without one. Used by `npm run lint:openapi` and
 * by examples/typed-client to generate its types.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { envConfigSource } from '../src/config/index.ts';
import { openApiDocument } from '../src/http/openapi.ts';

const text = `${JSON.stringify(openApiDocument(await envConfigSource()()), null, 2)}\n`;
const file = process.argv[2];
if (file) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
} else {
  process.stdout.write(text);
}
