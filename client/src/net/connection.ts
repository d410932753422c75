// The connection status the UI shows, and the sockets' life: opening them,
// renewing their token in place, and retrying what socket.io does not retry by
// itself (a refused handshake, a server-side disconnect).
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Feature } from "../features/feature.ts";
import type { Clock } from "./clock.ts";
import { request } from "./request.ts";
import type { Session } from "./session.ts";
import type { SessionSocket } from "./socket-port.ts";
import type { Transport } from "./socket-transport.ts";
import { createTimers } from "./timers.ts";

/**
 * connecting: first connection under way. online. reconnecting: lost, retrying by itself.
 * offline: the device has no network. failed: gave up (or the login was refused); needs a retry.
 */
export type ConnectionStatus = "connecting" | "online" | "reconnecting" | "offline" | "failed";

/** Whether the device has a network, and when that changes (navigator.onLine and window's events). */
export interface Network {
  readonly onLine: boolean;
  addEventListener(type: "online" | "offline", listener: () => void): void;
  removeEventListener(type: "online" | "offline", listener: () => void): void;
}

export interface Connection extends Feature {
  /** What the banner shows: the actual status, except that short losses are hidden. */
  status: ReadonlySignal<ConnectionStatus>;
  sockets: Transport;
  /** Opens (or re-opens, after a login or a failure) every namespace. */
  connectAll(): void;
  disconnectAll(): void;
}

/** A blip shorter than this is not shown: the banner would only flash. */
const SHOW_AFTER_MS = 2000;
/** After a handshake refused for a limit or quota: retry after 5–10 s. */
const REFUSED_RETRY_MS = 5000;

export function createConnection({
  transport,
  session,
  clock,
  network,
  random = Math.random,
}: {
  transport: Transport;
  session: Pick<Session, "current" | "renewNow" | "tokenRefused">;
  clock: Clock;
  network: Network;
  random?: () => number;
}): Connection {
  const timers = createTimers(clock);
  // Reserved events and the session's events are the same on every namespace.
  const sockets: SessionSocket[] = [transport.chat, transport.presence, transport.location];
  /** What is true now. */
  const actual = signal<ConnectionStatus>("connecting");
  const status = signal<ConnectionStatus>("connecting");
  let showTimer: number | undefined;
  const undo: Array<() => void> = [];

  function setStatus(next: ConnectionStatus): void {
    actual.value = next;
    timers.cancel(showTimer);
    // Good news and a final verdict show at once; a loss only once it has lasted.
    if (next === "online" || next === "failed") status.value = next;
    else showTimer = timers.after(SHOW_AFTER_MS, () => (status.value = actual.value));
  }

  function connectAll(): void {
    if (actual.value !== "online") setStatus(actual.value === "failed" ? "reconnecting" : actual.value);
    // Not `connected`: a socket that is connecting would send a second CONNECT and
    // the server would hold two sockets for it. `active` is false only after a
    // refusal, a manual disconnect, or before the first connect.
    for (const socket of sockets) if (!socket.active) socket.connect();
  }

  const onConnect = () => setStatus("online");
  const onDisconnect = (reason: string) => {
    // The server (or a middleware) closed the socket on purpose: the client does not retry by itself.
    if (reason === "io server disconnect") for (const socket of sockets) socket.connect();
    setStatus(network.onLine ? "reconnecting" : "offline");
  };
  const onConnectError = (socket: SessionSocket) => (err: Error) => {
    if (err.message === "TOKEN_EXPIRED" || err.message === "UNAUTHORIZED") {
      // Not retried by socket.io: ask for a login, then `connectAll()` again.
      session.tokenRefused();
      setStatus("failed");
    } else if (err.message === "RATE_LIMITED" || err.message === "QUOTA_EXCEEDED") {
      // Refused for now (too many attempts or open tabs); socket.io does not retry a refused namespace.
      setStatus("reconnecting");
      timers.after(REFUSED_RETRY_MS + random() * REFUSED_RETRY_MS, () => {
        if (!socket.active) socket.connect();
      });
    } else if (actual.value !== "online") setStatus(network.onLine ? "reconnecting" : "offline");
  };
  const onReconnectFailed = () => {
    // The sockets would stay "active" and connectAll() would skip them: make "Try again" start afresh.
    for (const socket of sockets) socket.disconnect();
    setStatus("failed");
  };
  // Losing the network says why a connection is down; while it is still up, the socket decides.
  const onOffline = () => {
    if (actual.value === "reconnecting") setStatus("offline");
  };
  const onOnline = () => {
    // Out of a tunnel, try at once: socket.io would wait out its backoff first.
    transport.retryNow();
    if (actual.value === "offline" || actual.value === "failed") connectAll();
  };
  const renewNow = () => session.renewNow();

  /** A renewed token goes to every open socket (`session:renew`), which keeps its rooms. */
  function forwardRenewedTokens(): () => void {
    let socketsToken = session.current.peek()?.token;
    return session.current.subscribe((current) => {
      if (!current || current.token === socketsToken) return;
      socketsToken = current.token;
      for (const socket of sockets)
        if (socket.connected) void request(socket, "session:renew", { token: current.token });
    });
  }

  return {
    status,
    sockets: transport,
    connectAll,
    disconnectAll() {
      for (const socket of sockets) socket.disconnect();
      setStatus("connecting");
    },
    start() {
      timers.start();
      transport.chat.on("connect", onConnect);
      transport.chat.on("disconnect", onDisconnect);
      undo.push(() => transport.chat.off("connect", onConnect));
      undo.push(() => transport.chat.off("disconnect", onDisconnect));
      for (const socket of sockets) {
        const onError = onConnectError(socket);
        socket.on("connect_error", onError);
        // The server warns a socket that its token runs out soon.
        socket.on("session:expiring", renewNow);
        undo.push(() => socket.off("connect_error", onError));
        undo.push(() => socket.off("session:expiring", renewNow));
      }
      transport.manager.on("reconnect_failed", onReconnectFailed);
      undo.push(() => transport.manager.off("reconnect_failed", onReconnectFailed));
      network.addEventListener("offline", onOffline);
      network.addEventListener("online", onOnline);
      undo.push(() => network.removeEventListener("offline", onOffline));
      undo.push(() => network.removeEventListener("online", onOnline));
      undo.push(forwardRenewedTokens());
    },
    stop() {
      for (const socket of sockets) socket.disconnect();
      for (const step of undo.splice(0)) step();
      timers.stop();
    },
  };
}
