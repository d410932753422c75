// Signed access tokens (HS256 JWTs via jose): who the user is, until when.
import type { User } from "@convoy/shared";
import { errors, jwtVerify, SignJWT } from "jose";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";

export interface TokenService {
  issue(user: User): Promise<{ token: string; expiresAt: number }>;
  /** Throws AppError UNAUTHORIZED, or TOKEN_EXPIRED for a token that was valid. */
  verify(token: string): Promise<User>;
}

export function createTokenService(secret: string, ttlMs: number, clock: Clock): TokenService {
  // Imported once: given raw bytes, jose imports the key again on every sign and verify.
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  return {
    async issue(user) {
      const issuedAt = Math.floor(clock.now() / 1000);
      const expiresAtSeconds = issuedAt + Math.ceil(ttlMs / 1000);
      const token = await new SignJWT({ username: user.username })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user.id)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAtSeconds)
        .sign(await key);
      return { token, expiresAt: expiresAtSeconds * 1000 };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ["HS256"],
          currentDate: new Date(clock.now()),
        });
        if (typeof payload.sub !== "string" || typeof payload.username !== "string") {
          throw new AppError("UNAUTHORIZED", "malformed token");
        }
        return { id: payload.sub, username: payload.username };
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof errors.JWTExpired) throw new AppError("TOKEN_EXPIRED", "token expired");
        throw new AppError("UNAUTHORIZED", "invalid token");
      }
    },
  };
}
