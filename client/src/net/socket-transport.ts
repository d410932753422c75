// The real sockets: one Engine.IO connection (a socket.io Manager) carrying
// the three namespaces, typed by the shared contract. Nothing connects until
// asked to. The handshake `auth` is a function, so every reconnect presents a
// fresh token.
import type {
  ChatClientEvents,
  ChatServerEvents,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
} from "@convoy/shared";
import { Manager, type Socket } from "socket.io-client";
import type { ChatSocket, LocationSocket, PresenceSocket } from "./socket-port.ts";

export interface Transport {
  chat: ChatSocket;
  presence: PresenceSocket;
  location: LocationSocket;
  /** Says when reconnecting was given up. */
  manager: {
    on(event: "reconnect_failed", listener: () => void): unknown;
    off(event: "reconnect_failed", listener: () => void): unknown;
  };
}

export function createSocketTransport(token: () => Promise<string | null>): Transport {
  const manager = new Manager({
    autoConnect: false,
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    reconnectionAttempts: 30,
  });
  const auth = (cb: (data: object) => void) => {
    void token().then((value) => cb({ token: value ?? "" }));
  };
  const chat: Socket<ChatServerEvents, ChatClientEvents> = manager.socket("/chat", { auth });
  const presence: Socket<PresenceServerEvents, PresenceClientEvents> = manager.socket("/presence", { auth });
  const location: Socket<LocationServerEvents, LocationClientEvents> = manager.socket("/location", { auth });
  return { chat, presence, location, manager };
}
