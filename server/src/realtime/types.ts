// Socket.IO types shared by the namespace modules.
import type {
  ChatClientEvents,
  ChatServerEvents,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
  User,
} from "@convoy/shared";
import type { Namespace, Server, Socket } from "socket.io";

/** Set by the handshake middleware before a connection is accepted. */
export interface SocketData {
  user: User;
  /** The session of the token the socket was opened (or last renewed) with. */
  sessionId: string;
  /** When that token expires (ms epoch): the socket is closed then unless renewed. */
  expiresAt: number;
  /** When that session ends at the latest (ms epoch): no token refreshed from it outlives it. */
  sessionExpiresAt: number;
  /** The client was told its token expires soon. */
  expiryWarned: boolean;
}

/** Events between server nodes (through the adapter). */
export interface InterNodeEvents {
  /** A latest-per-key event for each node to deliver to its own sockets in the room. */
  "latest-per-key": (room: string, event: string, key: string, payload: unknown) => void;
}

export type Io = Server<Record<string, never>, Record<string, never>, InterNodeEvents, SocketData>;
export type ChatNamespace = Namespace<ChatClientEvents, ChatServerEvents, InterNodeEvents, SocketData>;
export type PresenceNamespace = Namespace<
  PresenceClientEvents,
  PresenceServerEvents,
  InterNodeEvents,
  SocketData
>;
export type LocationNamespace = Namespace<
  LocationClientEvents,
  LocationServerEvents,
  InterNodeEvents,
  SocketData
>;
export type LocationSocket = Socket<LocationClientEvents, LocationServerEvents, InterNodeEvents, SocketData>;
