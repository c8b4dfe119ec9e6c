/**
 * Bearer tokens for the local server: HS256 JWTs signed with a key kept in `$DATA_DIR/jwt.key`
 * (made on first use, mode 0600) or given as `JWT_SECRET`. Only HS256 is accepted, so
 * `alg: none` and algorithm-confusion tokens fail. Not used on Lambda, where Cognito signs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { bearerToken, identityFromClaims, type Authenticator } from '../http/auth.ts';

export const ISSUER = 'workout-app-local';
export const AUDIENCE = 'workout-api';

/** The signing key: JWT_SECRET, else the key file under the data directory (created once). */
export function signingKey(dataDir: string, env = process.env): Uint8Array {
  if (env.JWT_SECRET) {
    if (env.JWT_SECRET.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
    return new TextEncoder().encode(env.JWT_SECRET);
  }
  const file = join(dataDir, 'jwt.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
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

export function localAuthenticator(key: Uint8Array): Authenticator {
  return async (c) => {
    const token = bearerToken(c);
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      return identityFromClaims(payload);
    } catch {
      return null;
    }
  };
}
