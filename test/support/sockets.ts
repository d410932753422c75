// The wire contract (@convoy/shared) as the black-box tests speak it: the
// events of each namespace, socket.io clients typed with them, and ask(), whose
// event name, payload and answer come from the contract. A renamed event or
// field in shared/src fails `npm run typecheck -w test`.
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
import {
  io,
  type Manager,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
  type SocketReservedEvents,
} from "socket.io-client";

/** Every namespace: what the server sends on it (`heard`) and what a client sends (`sent`). */
export interface Namespaces {
  /** The main namespace carries the session events only. */
  "/": { heard: SessionServerEvents; sent: SessionClientEvents };
  "/chat": { heard: ChatServerEvents; sent: ChatClientEvents };
  "/presence": { heard: PresenceServerEvents; sent: PresenceClientEvents };
  "/location": { heard: LocationServerEvents; sent: LocationClientEvents };
}
export type Nsp = keyof Namespaces;

/**
 * A socket.io client of namespace `N`, typed from the contract. `NspSocket`
 * alone is a client of any namespace: it knows the events they all share.
 */
export type NspSocket<N extends Nsp = Nsp> = Socket<Namespaces[N]["heard"], Namespaces[N]["sent"]>;
export type ChatSocket = NspSocket<"/chat">;
export type PresenceSocket = NspSocket<"/presence">;
export type LocationSocket = NspSocket<"/location">;

export type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/**
 * A client of `baseUrl`'s namespace `nsp`, typed with its events. (io() knows
 * nothing of them: its socket's events are `any`, so it converts to this type.)
 */
export function openSocket<N extends Nsp>(
  baseUrl: string,
  nsp: N,
  options: ClientOptions = {},
): NspSocket<N> {
  return io(baseUrl + nsp, options);
}

/** A client of namespace `nsp` on a connection the manager already holds. */
export function socketOn<N extends Nsp>(
  manager: Manager,
  nsp: N,
  options: Partial<SocketOptions> = {},
): NspSocket<N> {
  return manager.socket(nsp, options);
}

/** What a socket hears: its namespace's server events and socket.io's own (connect, connect_error, disconnect). */
type HeardMap<S> = S extends Socket<infer L, infer _E> ? L & SocketReservedEvents : never;
type SentMap<S> = S extends Socket<infer _L, infer E> ? E : never;

/** The events a socket may wait for. */
export type HeardName<S> = keyof HeardMap<S> & string;
/** The payload (first argument) of a heard event; `undefined` for `connect`. */
export type HeardPayload<S, K extends HeardName<S>> = HeardMap<S>[K] extends (...args: infer A) => void
  ? A[0]
  : never;

/** The events a socket sends that take an ack (location:update's is optional; typing has none). */
export type AskedName<S> = {
  [K in keyof SentMap<S>]: SentMap<S>[K] extends (...args: infer A) => void
    ? 2 extends A["length"]
      ? K
      : never
    : never;
}[keyof SentMap<S>] &
  string;

/** The payload an event takes, as the contract types it (with schema defaults, such as location:update's nulls, applied). */
export type AskedInput<S, K extends AskedName<S>> = InputOf<SentMap<S>[K]>;
/** What an event's ack answers. */
export type Answer<S, K extends AskedName<S>> = AckResult<AckDataOf<SentMap<S>[K]>>;

/** socket.io's untyped view: any event name, any arguments. Used by ask() inside and the raw helpers below. */
const untyped = (client: NspSocket) => client as unknown as Socket;

/**
 * Emits `event` with `payload` and resolves with its ack, or rejects after `ms`.
 * The event must be one of the socket's namespace that takes an ack, the
 * payload its input, and the answer is typed from the contract.
 */
export function ask<S extends NspSocket, K extends AskedName<S>>(
  client: S,
  event: K,
  payload: AskedInput<S, K>,
  ms = 3000,
): Promise<Answer<S, K>> {
  return untyped(client).timeout(ms).emitWithAck(event, payload) as Promise<Answer<S, K>>;
}

/** An answer's error code, or "ok". */
export const codeOf = (res: AckResult<unknown>) => (res.ok ? "ok" : res.error.code);

/** The data of an answer that must be ok; a refusal throws, naming its code. */
export function dataOf<T>(res: AckResult<T>): T {
  if (!res.ok) throw new Error(`refused: ${res.error.code} ${res.error.message}`);
  return res.data;
}

/**
 * The escape hatch for the suites that send what the contract forbids on
 * purpose (bad input, fuzz): any event name (a number is legal on the wire),
 * any arguments, and the ack typed only as the envelope every ack has.
 */
export function askRaw(
  client: NspSocket,
  event: string | number,
  args: unknown[],
  ms = 3000,
): Promise<AckResult<unknown>> {
  return untyped(client)
    .timeout(ms)
    .emitWithAck(event as string, ...args) as Promise<AckResult<unknown>>;
}

/** Like askRaw, without an ack. */
export function emitRaw(client: NspSocket, event: string | number, args: unknown[]): void {
  untyped(client).emit(event as string, ...args);
}
