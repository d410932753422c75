// Sessions: a login starts one, every token refreshed from it carries its id,
// and ending it (logout, log out everywhere, a password change) makes all of
// them useless at once, on every node. Open sockets are closed by whoever
// listens to "sessions-ended" (the realtime layer).
import { randomUUID } from "node:crypto";
import type { LoginResponse, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { SessionStore } from "../stores/types.ts";
import type { DomainEvents } from "./domain-events.ts";
import type { TokenClaims, TokenService } from "./tokens.ts";

export interface Authenticated extends TokenClaims {
  /** No token of this session outlives it. */
  sessionExpiresAt: number;
}

export function createSessions(
  store: SessionStore,
  tokens: TokenService,
  events: DomainEvents,
  clock: Clock,
  maxAgeMs: number,
) {
  return {
    async start(user: User): Promise<LoginResponse> {
      const now = clock.now();
      const session = { id: randomUUID(), userId: user.id, expiresAt: now + maxAgeMs };
      await store.create(session, now);
      return { ...tokens.issue(user, session.id, session.expiresAt), user };
    },

    /**
     * The token's holder: a valid signature, not expired, and its session still
     * open. `confirmed`: this session was found open by an earlier call whose
     * caller knows it has not ended since (see handshake-auth.ts); the store is
     * not asked again.
     */
    async authenticate(token: string, confirmed?: Authenticated): Promise<Authenticated> {
      const claims = tokens.verify(token);
      if (
        confirmed?.sessionId === claims.sessionId &&
        confirmed.user.id === claims.user.id &&
        confirmed.sessionExpiresAt > clock.now()
      ) {
        return { ...claims, sessionExpiresAt: confirmed.sessionExpiresAt };
      }
      const session = await store.find(claims.sessionId, clock.now());
      if (!session || session.userId !== claims.user.id) {
        throw new AppError("UNAUTHORIZED", "this session has ended; log in again");
      }
      return { ...claims, sessionExpiresAt: session.expiresAt };
    },

    /** A new token in the same session: ending the session ends it too. */
    refresh(auth: Authenticated): LoginResponse {
      return { ...tokens.issue(auth.user, auth.sessionId, auth.sessionExpiresAt), user: auth.user };
    },

    async end(sessionId: string): Promise<void> {
      if (await store.revoke(sessionId)) events.emit("sessions-ended", { sessionIds: [sessionId] });
    },

    async endAll(userId: string): Promise<void> {
      const sessionIds = await store.revokeAll(userId);
      if (sessionIds.length > 0) events.emit("sessions-ended", { sessionIds });
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;
