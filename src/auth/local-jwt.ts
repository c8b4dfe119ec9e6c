/**
 * Bearer tokens for the local server: HS256 JWTs signed with a key kept in `$DATA_DIR/jwt.key`
 * (made on first use, mode 0600) or given as `JWT_SECRET`. Only HS256 is accepted, so
 * `alg: none` and algorithm-confusion tokens fail. Not used on Lambda, where Cognito signs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// Only the two modules used: the package's index loads ~180 modules, each a step at start-up.
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import { bearerToken, identityFromClaims, type Authenticator, type Identity } from '../http/auth.ts';

export const ISSUER = 'workout-app-local';
export const AUDIENCE = 'workout-api';

/** A key shorter than this is refused: an HS256 key must not be guessable. */
const MIN_KEY_LENGTH = 32;

/**
 * The signing key: JWT_SECRET, else the key file under the data directory (created once, mode
 * 0600). A short key, or a key file that other users can read, is refused: anyone who reads it
 * can sign tokens for any user.
 */
export function signingKey(dataDir: string, env = process.env): Uint8Array {
  if (env.JWT_SECRET) {
    if (env.JWT_SECRET.length < MIN_KEY_LENGTH)
      throw new Error(`JWT_SECRET must be at least ${MIN_KEY_LENGTH} characters`);
    return new TextEncoder().encode(env.JWT_SECRET);
  }
  const file = join(dataDir, 'jwt.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made by a concurrent start
    }
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new Error(`${file} can be read by other users: run chmod 600 ${file}`);
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < MIN_KEY_LENGTH)
    throw new Error(`${file} must hold a key of at least ${MIN_KEY_LENGTH} characters`);
  return new TextEncoder().encode(key);
}

export async function signToken(
  key: Uint8Array,
  userId: string,
  opts: { admin?: boolean; ttlSeconds?: number } = {},
): Promise<string> {
  return new SignJWT(opts.admin ? { 'cognito:groups': ['admin'] } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${opts.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}

/** Tokens verified recently, kept until they expire: a client sends the same token many times. */
const VERIFIED_CACHE_SIZE = 1000;

export function localAuthenticator(key: Uint8Array): Authenticator {
  // token → identity and expiry (ms). Only tokens whose signature and claims verified get in.
  const verified = new Map<string, { identity: Identity; expMs: number }>();
  return async (c) => {
    const token = bearerToken(c);
    if (!token) return null;
    const hit = verified.get(token);
    if (hit && hit.expMs > Date.now()) return hit.identity;
    verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      const identity = identityFromClaims(payload);
      if (identity) {
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, { identity, expMs: payload.exp! * 1000 });
      }
      return identity;
    } catch {
      return null;
    }
  };
}
