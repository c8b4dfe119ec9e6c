/**
 * The `token` command, shared by `npm run token` (src/cli/token.ts) and `workout-log token`:
 * prints one bearer token that the local server accepts, and nothing else.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { signingKey, signToken } from '../auth/local-jwt.ts';
import { isUserId, USER_ID_MESSAGE } from '../domain/schemas.ts';

export function tokenCommand(name = 'token'): Command {
  return new Command(name)
    .description('Print a bearer token for the local server (signed with the key under $DATA_DIR).')
    .argument('<userId>', 'the token subject: 1-128 letters, digits, "-", "_" or "."', (v: string) => {
      if (!isUserId(v)) throw new InvalidArgumentError(USER_ID_MESSAGE);
      return v;
    })
    .option('--admin', 'put the caller in the admin group', false)
    .option(
      '--ttl <seconds>',
      'lifetime in seconds',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 30 * 86400)
          throw new InvalidArgumentError('1 to 2592000 seconds');
        return n;
      },
      12 * 3600,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ ${name === 'token' ? 'npm run --silent token --' : 'workout-log token'} ana
  $ ${name === 'token' ? 'npm run --silent token --' : 'workout-log token'} coach --admin --ttl 3600`,
    )
    .action(async (userId: string, opts: { admin: boolean; ttl: number }) => {
      const key = signingKey(resolve(process.env.DATA_DIR ?? '.data'));
      process.stdout.write(
        (await signToken(key, userId, { admin: opts.admin, ttlSeconds: opts.ttl })) + '\n',
      );
    });
}
