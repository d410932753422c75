// The part of a socket.io-client socket the app uses, typed by the shared
// contract. A typed `Socket<ServerEvents, ClientEvents>` is one; tests pass a
// fake. Listeners and acks are listed event by event (overloads), which is
// what lets socket.io's own generic signatures fit.
import type {
  AckDataOf,
  AckResult,
  ChatClientEvents,
  ChatServerEvents,
  InputOf,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
  SessionClientEvents,
  SessionServerEvents,
} from "@convoy/shared";

type Fn = (...args: never[]) => void;
export type EventMap<E> = { [K in keyof E]: Fn };

/** Events socket.io itself emits on every socket. */
export interface ReservedEvents {
  connect: () => void;
  disconnect: (reason: string) => void;
  connect_error: (err: Error) => void;
}

type Overloaded<U> = (U extends unknown ? (each: U) => void : never) extends (all: infer I) => void
  ? I
  : never;
/** `on`/`off`: one signature per event. */
export type ListenerOverloads<L> = Overloaded<
  { [K in keyof L & string]: (event: K, listener: L[K]) => unknown }[keyof L & string]
>;
/** `emitWithAck`: one signature per event, resolving to the event's ack. */
export type AckOverloads<C> = Overloaded<
  {
    [K in keyof C & string]: (event: K, input: InputOf<C[K]>) => Promise<AckResult<AckDataOf<C[K]>>>;
  }[keyof C & string]
>;

export interface SocketPort<S extends EventMap<S>, C extends EventMap<C>> {
  readonly connected: boolean;
  /** False only before the first connect, after a refusal or after disconnect(). */
  readonly active: boolean;
  connect(): unknown;
  disconnect(): unknown;
  on: ListenerOverloads<S & ReservedEvents>;
  off: ListenerOverloads<S & ReservedEvents>;
  emit<K extends keyof C & string>(event: K, ...args: Parameters<C[K]>): unknown;
  /** Rejects when no ack came within `ms`, or the connection dropped first. */
  timeout(ms: number): { emitWithAck: AckOverloads<C> };
}

export type ChatSocket = SocketPort<ChatServerEvents, ChatClientEvents>;
export type PresenceSocket = SocketPort<PresenceServerEvents, PresenceClientEvents>;
export type LocationSocket = SocketPort<LocationServerEvents, LocationClientEvents>;
/** What every namespace has in common: the connection and the session's events. */
export type SessionSocket = SocketPort<SessionServerEvents, SessionClientEvents>;
