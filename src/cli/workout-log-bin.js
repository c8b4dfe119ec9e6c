#!/usr/bin/env node
// The `workout-log` bin (package.json "bin"): runs src/cli/workout-log.ts through tsx, so
// `npx workout-log ...` works from a clone after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./workout-log.ts');
