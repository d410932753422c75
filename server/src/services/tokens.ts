// Signed access tokens (HS256 JWTs via fast-jwt): who the user is, which session
// the token belongs to, until when. Signing and checking are synchronous HMACs
// on node:crypto (microseconds): a handshake never waits in libuv's thread pool
// behind password hashing.
import type { User } from "@convoy/shared";
import { createSigner, createVerifier } from "fast-jwt";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";

export interface TokenClaims {
  user: User;
  sessionId: string;
  /** ms epoch. */
  expiresAt: number;
}

export interface TokenService {
  /** A token for the session, valid for the token lifetime, but never past `notAfter` (ms epoch). */
  issue(user: User, sessionId: string, notAfter?: number): { token: string; expiresAt: number };
  /** Throws AppError UNAUTHORIZED, or TOKEN_EXPIRED for a token that was valid. Does not know about revocation. */
  verify(token: string): TokenClaims;
}

export function createTokenService(secret: string, ttlMs: number, clock: Clock): TokenService {
  const sign = createSigner({ key: secret, algorithm: "HS256", noTimestamp: true });
  // Expiry is checked below against the injected clock, which tests move.
  const decode = createVerifier({
    key: secret,
    algorithms: ["HS256"],
    ignoreExpiration: true,
    ignoreNotBefore: true,
  });
  return {
    issue(user, sessionId, notAfter = Infinity) {
      const now = clock.now();
      const expiresAtSeconds = Math.floor(Math.min(now + ttlMs, notAfter) / 1000);
      const token = sign({
        sub: user.id,
        username: user.username,
        sid: sessionId,
        iat: Math.floor(now / 1000),
        exp: expiresAtSeconds,
      });
      return { token, expiresAt: expiresAtSeconds * 1000 };
    },
    verify(token) {
      let payload: Record<string, unknown>;
      try {
        payload = decode(token) as Record<string, unknown>;
      } catch {
        throw new AppError("UNAUTHORIZED", "invalid token");
      }
      const { sub, username, sid, exp } = payload;
      // A token from before sessions existed has no sid: its holder logs in again.
      if (typeof sub !== "string" || typeof username !== "string" || typeof sid !== "string") {
        throw new AppError("UNAUTHORIZED", "malformed token");
      }
      if (typeof exp !== "number" || exp * 1000 <= clock.now()) {
        throw new AppError("TOKEN_EXPIRED", "token expired");
      }
      return { user: { id: sub, username }, sessionId: sid, expiresAt: exp * 1000 };
    },
  };
}
