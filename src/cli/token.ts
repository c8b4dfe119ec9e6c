/**
 * `npm run --silent token -- <userId> [--admin] [--ttl <seconds>]`: prints one bearer token that
 * the local server accepts, and nothing else (the same command as `workout-log token`).
 */
import { tokenCommand } from './token-command.ts';

await tokenCommand().parseAsync();
