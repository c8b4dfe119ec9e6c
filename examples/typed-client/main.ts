/**
 * Runs the flow against a running service:
 *
 *   npm start                                   # in one terminal
 *   TOKEN=$(npm run --silent token -- ana) node --import tsx examples/typed-client/main.ts
 *
 * API_URL defaults to http://localhost:3000 (on AWS: the stack's ApiUrl and a Cognito ID token).
 */
import { runFlow } from './flow.ts';

const token = process.env.TOKEN;
if (!token) {
  console.error('set TOKEN (a bearer token), e.g. TOKEN=$(npm run --silent token -- ana)');
  process.exit(2);
}
const summary = await runFlow({
  baseUrl: process.env.API_URL ?? 'http://localhost:3000',
  token,
  log: console.log,
});
console.log(JSON.stringify(summary, null, 2));
