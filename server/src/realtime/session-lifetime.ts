// How long a socket lives: as long as its session and its token. A socket is
// warned (`session:expiring`) before its token expires and may renew in place
// (`session:renew` with a fresh token), keeping its rooms; one that does not is
// closed at expiry. Ending a session closes its sockets on every node.
import type { Namespace, Socket } from "socket.io";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { Sessions } from "../services/sessions.ts";
import { sessionRoom } from "./rooms.ts";
import type { SocketData } from "./types.ts";

type AnyNamespace = Namespace<never, never, never, SocketData>;
/** What a renewal touches; every namespace's socket has it. */
type RenewableSocket = Pick<Socket<never, never, never, SocketData>, "data" | "join" | "leave">;

/** Closes every socket of the sessions, in every namespace; the adapter carries it to the other nodes. */
export function closeSessionSockets(
  namespaces: readonly AnyNamespace[],
  sessionIds: readonly string[],
): void {
  const rooms = sessionIds.map(sessionRoom);
  for (const nsp of namespaces) nsp.in(rooms).disconnectSockets(true);
}

/**
 * Looks at this node's sockets every `checkMs`: warns those whose token expires
 * within `warnAheadMs`, closes those whose token has expired. One timer per node,
 * not one per socket.
 */
export function watchTokenExpiry(
  namespaces: readonly AnyNamespace[],
  clock: Clock,
  { checkMs, warnAheadMs }: { checkMs: number; warnAheadMs: number },
): () => void {
  const check = () => {
    const now = clock.now();
    for (const nsp of namespaces) {
      for (const socket of nsp.sockets.values()) {
        const { expiresAt, expiryWarned } = socket.data;
        if (expiresAt <= now) socket.disconnect(true);
        else if (!expiryWarned && expiresAt - now <= warnAheadMs) {
          socket.data.expiryWarned = true;
          (socket as unknown as Socket).emit("session:expiring", { expiresAt });
        }
      }
    }
  };
  const timer = setInterval(check, checkMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `session:renew`: the same user's fresh token replaces the socket's; rooms stay.
 * A token of the socket's own session needs no store read: the socket is in
 * that session's room, and ending the session would have closed it. A token
 * of another session is checked against the store.
 */
export async function renewSocketSession(
  socket: RenewableSocket,
  sessions: Sessions,
  token: string,
): Promise<{ expiresAt: number }> {
  const { user, sessionId, expiresAt, sessionExpiresAt } = socket.data;
  const renewed = await sessions.authenticate(token, { user, sessionId, expiresAt, sessionExpiresAt });
  if (renewed.user.id !== socket.data.user.id) {
    throw new AppError("FORBIDDEN", "a renewal must be for the same user");
  }
  if (renewed.sessionId !== socket.data.sessionId) {
    void socket.leave(sessionRoom(socket.data.sessionId));
    void socket.join(sessionRoom(renewed.sessionId));
  }
  Object.assign(socket.data, {
    sessionId: renewed.sessionId,
    expiresAt: renewed.expiresAt,
    sessionExpiresAt: renewed.sessionExpiresAt,
    expiryWarned: false,
  });
  return { expiresAt: renewed.expiresAt };
}
