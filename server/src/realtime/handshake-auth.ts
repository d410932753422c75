// Namespace middleware: the token is checked before a connection is accepted, so
// a client without a valid one never joins a room nor receives an event. Before
// it: the address's handshake rate; after it: the address's and the user's
// quotas. The socket joins its session's room, so that ending the session closes it,
// and its user's room where the namespace has one; the connection is accepted
// once this node hears that room from the others (a message sent to the user
// right after would otherwise miss it).
import type { ErrorCode } from "@convoy/shared";
import type { Socket } from "socket.io";
import { AppError } from "../errors.ts";
import type { RateLimiter } from "../guards/rate-limiters.ts";
import type { Authenticated, Sessions } from "../services/sessions.ts";
import type { ConnectionQuotas } from "./connection-quotas.ts";
import { joinAndHear, sessionRoom, userRoom } from "./rooms.ts";
import type { SocketData } from "./types.ts";

type Next = (err?: Error) => void;

export interface HandshakeChecks {
  sessions: Sessions;
  handshakes: RateLimiter;
  quotas: ConnectionQuotas;
}

/**
 * The session each Engine.IO connection was admitted with, and its sockets
 * still connected. A client opens its namespaces over one connection with one
 * token, so the session is read from the store once per connection, not once
 * per namespace. This cannot let an ended session in: while one of those
 * sockets is connected, it is in the session's room, and ending the session
 * closes every connection with a socket there; with none left, the store is
 * asked again.
 */
const admittedOn = new WeakMap<object, { session: Authenticated; sockets: Set<Socket> }>();

function confirmedSession(socket: Socket): Authenticated | undefined {
  const admitted = admittedOn.get(socket.conn);
  if (!admitted) return undefined;
  const room = sessionRoom(admitted.session.sessionId);
  for (const other of admitted.sockets) if (other.connected && other.rooms.has(room)) return admitted.session;
  return undefined;
}

/** Handshakes of one connection arriving together (a client opens its namespaces at once) share one store read. */
const inFlight = new WeakMap<object, { token: string; authenticated: Promise<Authenticated> }>();

function authenticateOnce(sessions: Sessions, socket: Socket, token: string): Promise<Authenticated> {
  const confirmed = confirmedSession(socket);
  if (confirmed) return sessions.authenticate(token, confirmed);
  const pending = inFlight.get(socket.conn);
  if (pending?.token === token) return pending.authenticated;
  const authenticated = sessions.authenticate(token);
  inFlight.set(socket.conn, { token, authenticated });
  const done = () => {
    if (inFlight.get(socket.conn)?.authenticated === authenticated) inFlight.delete(socket.conn);
  };
  authenticated.then(done, done);
  return authenticated;
}

function rememberSession(socket: Socket, session: Authenticated): void {
  let admitted = admittedOn.get(socket.conn);
  if (admitted?.session.sessionId !== session.sessionId) {
    admitted = { session, sockets: new Set() };
    admittedOn.set(socket.conn, admitted);
  }
  const { sockets } = admitted;
  sockets.add(socket);
  socket.once("disconnect", () => sockets.delete(socket));
}

export function requireToken(
  { sessions, handshakes, quotas }: HandshakeChecks,
  options: { userRoom: boolean },
  onReject: (code: ErrorCode) => void,
  onError: (err: unknown) => void,
) {
  const admit = async (socket: Socket<never, never, never, SocketData>, token: string) => {
    await handshakes.consume(quotas.addressOf(socket.request), "too many connection attempts");
    const authenticated = await authenticateOnce(sessions, socket, token);
    const { user, sessionId, expiresAt, sessionExpiresAt } = authenticated;
    if (!quotas.admitSocket(socket.conn, user.id)) {
      throw new AppError("QUOTA_EXCEEDED", "too many open connections");
    }
    Object.assign(socket.data, { user, sessionId, expiresAt, sessionExpiresAt, expiryWarned: false });
    // Socket.IO keeps the handshake for the socket's life: not the bearer token (a
    // secret, and a quarter of a kilobyte per socket), which nothing reads again.
    socket.handshake.auth = {};
    await joinAndHear(socket, [sessionRoom(sessionId), ...(options.userRoom ? [userRoom(user.id)] : [])]);
    rememberSession(socket, authenticated);
  };

  return (socket: Socket<never, never, never, SocketData>, next: Next): void => {
    const refuse = (code: ErrorCode) => {
      onReject(code);
      // The code is the message: clients read `err.message` of connect_error.
      next(new Error(code));
    };
    const auth: unknown = socket.handshake.auth;
    const token = auth && typeof auth === "object" ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== "string" || token.length === 0 || token.length > 4096) return refuse("UNAUTHORIZED");
    admit(socket, token)
      .then(
        () => next(),
        (err: unknown) => {
          if (!(err instanceof AppError)) onError(err);
          refuse(err instanceof AppError ? err.code : "UNAUTHORIZED");
        },
      )
      // next() runs the connection handlers; whatever they throw must not crash the process.
      .catch(onError);
  };
}
