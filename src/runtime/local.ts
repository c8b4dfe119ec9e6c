/**
 * `npm start`: the service on http://localhost:$PORT. Without DYNAMODB_ENDPOINT (and without AWS
 * credentials plus TABLE_NAME) it starts an embedded DynamoDB Local with its data under
 * $DATA_DIR, and stops it on Ctrl-C or SIGTERM.
 */
import { join, resolve } from 'node:path';
import { createLogger } from '../observability/logger.ts';
import { DirectoryInUseError } from './dir-lock.ts';
import { JavaMissingError, startEmbeddedDynamoDb, type EmbeddedDynamoDb } from './embedded-dynamodb.ts';
import { startLocalService, type LocalService } from './local-service.ts';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const dataDir = resolve(env.DATA_DIR ?? '.data');
const hasAwsCredentials = Boolean(
  env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
);
const useRealAws = !env.DYNAMODB_ENDPOINT && hasAwsCredentials && Boolean(env.TABLE_NAME);
const tableName = env.TABLE_NAME ?? 'workout-app-local';
// Readable lines in a terminal; JSON when piped (LOG_FORMAT overrides).
const logger = createLogger({ format: env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json') });

let embedded: EmbeddedDynamoDb | undefined;
let service: LocalService | undefined;

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`);
  let endpoint = env.DYNAMODB_ENDPOINT;
  if (!endpoint && !useRealAws) {
    logger.info('starting embedded DynamoDB Local', { dataDir: join(dataDir, 'dynamodb') });
    embedded = await startEmbeddedDynamoDb({ dataDir: join(dataDir, 'dynamodb') });
    endpoint = embedded.endpoint;
  }
  service = await startLocalService({
    port,
    host: env.HOST,
    endpoint,
    tableName,
    dataDir,
    createTable: !useRealAws,
    logger,
  });
  logger.info(`listening on http://localhost:${service.port}`, {
    table: tableName,
    database: useRealAws ? 'AWS DynamoDB' : endpoint,
  });
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('stopping', { signal });
  await service?.close();
  await embedded?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (err: unknown) => {
  if (err instanceof JavaMissingError || err instanceof DirectoryInUseError)
    console.error(`error: ${err.message}`);
  else console.error(`error: could not start: ${err instanceof Error ? err.message : String(err)}`);
  await embedded?.stop();
  process.exit(1);
});
