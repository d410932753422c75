// The real sockets: one Engine.IO connection (a socket.io Manager) carrying
// the three namespaces, typed by the shared contract. Nothing connects until
// asked to. The handshake `auth` is a function, so every reconnect presents a
// fresh token; the `affinity` query names the open group, so that a clustered
// server places this connection with the group's other riders (docs/protocol.md).
import type {
  ChatClientEvents,
  ChatServerEvents,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
} from "@convoy/shared";
import { Manager, type ManagerOptions, type Socket } from "socket.io-client";
import type { ChatSocket, LocationSocket, PresenceSocket } from "./socket-port.ts";

export interface Transport {
  chat: ChatSocket;
  presence: PresenceSocket;
  location: LocationSocket;
  /** The group the user has open, named in the next handshake: a placement hint only. */
  setAffinity(groupId: string | null): void;
  /**
   * The network is back: if socket.io is waiting out its reconnection backoff
   * (up to 10 s), try now. Nothing happens while a connection is open or opening.
   */
  retryNow(): void;
  /** Says when reconnecting was given up. */
  manager: {
    on(event: "reconnect_failed", listener: () => void): unknown;
    off(event: "reconnect_failed", listener: () => void): unknown;
  };
}

export function createSocketTransport(
  token: () => Promise<string | null>,
  /** Tests only: a server elsewhere than the page's origin, and other delays. */
  options: { url?: string } & Partial<Pick<ManagerOptions, "reconnectionDelay" | "randomizationFactor">> = {},
): Transport {
  const { url, ...delays } = options;
  const query: Record<string, string> = {};
  const manager = new Manager(url, {
    autoConnect: false,
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    reconnectionAttempts: 30,
    // Read at every (re)connection, so it follows setAffinity.
    query,
    ...delays,
  });
  const auth = (cb: (data: object) => void) => {
    void token().then((value) => cb({ token: value ?? "" }));
  };
  const chat: Socket<ChatServerEvents, ChatClientEvents> = manager.socket("/chat", { auth });
  const presence: Socket<PresenceServerEvents, PresenceClientEvents> = manager.socket("/presence", { auth });
  const location: Socket<LocationServerEvents, LocationClientEvents> = manager.socket("/location", { auth });
  const setAffinity = (groupId: string | null) => {
    if (groupId === null) delete query.affinity;
    else query.affinity = groupId;
  };
  // Whether the Manager is waiting out its backoff: a timer set, no connection open or opening.
  // A lost connection ("close") or a failed attempt ("error") sets one; our own stop does not.
  let backingOff = false;
  manager.on("close", (reason) => (backingOff = reason !== "forced close"));
  manager.on("error", () => (backingOff = true));
  manager.on("reconnect_attempt", () => (backingOff = false));
  manager.on("open", () => (backingOff = false));
  manager.on("reconnect_failed", () => (backingOff = false));
  const retryNow = () => {
    if (!backingOff) return;
    const retrying = [chat, presence, location].filter((socket) => socket.active);
    // With every socket stopped the Manager drops its timer; connect() opens afresh, backoff reset.
    for (const socket of retrying) socket.disconnect();
    for (const socket of retrying) socket.connect();
  };
  return { chat, presence, location, manager, setAffinity, retryNow };
}
