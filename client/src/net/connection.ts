// One Engine.IO connection carrying the three namespaces, typed by the shared
// contract, and the connection status the UI shows. The handshake `auth` is a
// function, so every reconnect presents a fresh token.
import type {
  AckDataOf,
  AckResult,
  InputOf,
  ChatClientEvents,
  ChatServerEvents,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
  SessionClientEvents,
} from "@convoy/shared";
import { signal } from "@preact/signals";
import { Manager, type Socket } from "socket.io-client";
import { freshToken, renewNow, session, tokenRefused } from "./session.ts";

export type ChatSocket = Socket<ChatServerEvents, ChatClientEvents>;
export type PresenceSocket = Socket<PresenceServerEvents, PresenceClientEvents>;
export type LocationSocket = Socket<LocationServerEvents, LocationClientEvents>;

/**
 * connecting: first connection under way. online. reconnecting: lost, retrying by itself.
 * offline: the device has no network. failed: gave up (or the login was refused); needs a retry.
 */
export type ConnectionStatus = "connecting" | "online" | "reconnecting" | "offline" | "failed";

/** A blip shorter than this is not shown: the banner would only flash. */
const SHOW_AFTER_MS = 2000;
const ACK_TIMEOUT_MS = 10_000;
/** After a handshake refused for a limit or quota: retry after 5–10 s. */
const REFUSED_RETRY_MS = 5000;

const manager = new Manager({
  autoConnect: false,
  reconnectionDelay: 500,
  reconnectionDelayMax: 10_000,
  reconnectionAttempts: 30,
});

const withToken = (cb: (data: object) => void) => {
  void freshToken().then((token) => cb({ token: token ?? "" }));
};
export const chatSocket: ChatSocket = manager.socket("/chat", { auth: withToken });
export const presenceSocket: PresenceSocket = manager.socket("/presence", { auth: withToken });
export const locationSocket: LocationSocket = manager.socket("/location", { auth: withToken });
// Reserved events (connect, connect_error…) are the same on every socket.
const sockets = [chatSocket, presenceSocket, locationSocket] as unknown as Socket[];

/** What is true now. */
const actual = signal<ConnectionStatus>("connecting");
/** What the banner shows: `actual`, except that short losses are hidden. */
export const connectionStatus = signal<ConnectionStatus>("connecting");
let showTimer: ReturnType<typeof setTimeout> | undefined;

function setStatus(next: ConnectionStatus): void {
  actual.value = next;
  clearTimeout(showTimer);
  // Good news and a final verdict show at once; a loss only once it has lasted.
  if (next === "online" || next === "failed") connectionStatus.value = next;
  else showTimer = setTimeout(() => (connectionStatus.value = actual.value), SHOW_AFTER_MS);
}

chatSocket.on("connect", () => setStatus("online"));
chatSocket.on("disconnect", (reason) => {
  // The server (or a middleware) closed the socket on purpose: the client does not retry by itself.
  if (reason === "io server disconnect") for (const socket of sockets) socket.connect();
  setStatus(navigator.onLine ? "reconnecting" : "offline");
});
for (const socket of sockets) {
  socket.on("connect_error", (err) => {
    if (err.message === "TOKEN_EXPIRED" || err.message === "UNAUTHORIZED") {
      // Not retried by socket.io: ask for a login, then `connectAll()` again.
      tokenRefused();
      setStatus("failed");
    } else if (err.message === "RATE_LIMITED" || err.message === "QUOTA_EXCEEDED") {
      // Refused for now (too many attempts or open tabs); socket.io does not retry a refused namespace.
      setStatus("reconnecting");
      setTimeout(
        () => {
          if (!socket.active) socket.connect();
        },
        REFUSED_RETRY_MS + Math.random() * REFUSED_RETRY_MS,
      );
    } else if (actual.value !== "online") setStatus(navigator.onLine ? "reconnecting" : "offline");
  });
}
// A renewed token goes to every open socket (`session:renew`), which keeps its
// rooms; the server warns a socket it was not given one in time.
let socketsToken = session.peek()?.token;
session.subscribe((current) => {
  if (!current || current.token === socketsToken) return;
  socketsToken = current.token;
  for (const socket of [chatSocket, presenceSocket, locationSocket] as Array<
    Socket<never, SessionClientEvents>
  >) {
    if (socket.connected) void request(socket, "session:renew", { token: current.token });
  }
});
for (const socket of sockets) socket.on("session:expiring", renewNow);
manager.on("reconnect_failed", () => {
  // The sockets would stay "active" and connectAll() would skip them: make "Try again" start afresh.
  for (const socket of sockets) socket.disconnect();
  setStatus("failed");
});
// Losing the network says why a connection is down; while it is still up, the socket decides.
window.addEventListener("offline", () => {
  if (actual.value === "reconnecting") setStatus("offline");
});
window.addEventListener("online", () => {
  if (actual.value === "offline" || actual.value === "failed") connectAll();
});

/** Opens (or re-opens, after a login or a failure) every namespace. */
export function connectAll(): void {
  if (actual.value !== "online") setStatus(actual.value === "failed" ? "reconnecting" : actual.value);
  // Not `connected`: a socket that is connecting would send a second CONNECT and
  // the server would hold two sockets for it. `active` is false only after a
  // refusal, a manual disconnect, or before the first connect.
  for (const socket of sockets) if (!socket.active) socket.connect();
}

export function disconnectAll(): void {
  for (const socket of sockets) socket.disconnect();
  setStatus("connecting");
}

/** An ack, or TIMEOUT when none came in time (the event may or may not have arrived). */
export type Reply<T> = AckResult<T> | { ok: false; error: { code: "TIMEOUT"; message: string } };

/** Emits a contract event with an ack and a bound. */
export async function request<E extends object, K extends keyof E & string>(
  socket: Socket<never, E>,
  event: K,
  payload: InputOf<E[K]>,
  ms = ACK_TIMEOUT_MS,
): Promise<Reply<AckDataOf<E[K]>>> {
  try {
    const untyped = socket as unknown as Socket;
    return (await untyped.timeout(ms).emitWithAck(event, payload)) as AckResult<AckDataOf<E[K]>>;
  } catch {
    return { ok: false, error: { code: "TIMEOUT", message: "No answer from the server." } };
  }
}
