// Awaiting events with a bound, instead of sleeping. Socket.IO clients are
// typed from the contract (waitFor, collect, expectSilence); other emitters
// (a Manager, an engine, a WebSocket, a process's log lines) use waitForEvent.
import type { HeardName, HeardPayload, NspSocket } from "./sockets.ts";

interface Listenable {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}
/**
 * Any emitter with on/off (an EventEmitter, a Manager, an engine, a WebSocket),
 * whatever its own typing of names and listeners; but not a socket.io client
 * (which has `io`, its Manager): those are typed from the contract, and use waitFor.
 */
interface PlainEmitter {
  on(event: never, listener: never): unknown;
  off(event: never, listener: never): unknown;
  io?: never;
}

interface WaitOptions<T> {
  where?: (payload: T) => boolean;
  ms?: number;
}

function firstOf<T>(emitter: Listenable, event: string, options: WaitOptions<T>): Promise<T> {
  const { where = () => true, ms = 3000 } = options;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const listener = (payload: unknown) => {
      if (!where(payload as T)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload as T);
    };
    emitter.on(event, listener);
  });
}

/** The socket as a plain emitter, for the functions here: its event names were checked by their signatures. */
const listenable = (socket: NspSocket) => socket as unknown as Listenable;

/**
 * Resolves with the first `event` payload that passes `where`, or rejects after
 * `ms`. The event is one the socket's namespace hears, its payload typed from the contract.
 */
export function waitFor<S extends NspSocket, K extends HeardName<S>>(
  socket: S,
  event: K,
  options: WaitOptions<HeardPayload<S, K>> = {},
): Promise<HeardPayload<S, K>> {
  return firstOf(listenable(socket), event, options);
}

/** Resolves once the socket connects; rejects with its connect_error (or after `ms`). */
export async function connected(socket: NspSocket, ms = 3000): Promise<void> {
  await Promise.race([
    waitFor(socket, "connect", { ms }),
    waitFor(socket, "connect_error", { ms }).then((err) => Promise.reject(err)),
  ]);
}

/** waitFor for a plain emitter: any event name, the payload type the caller's. */
export function waitForEvent<T = unknown>(
  emitter: PlainEmitter,
  event: string,
  options: WaitOptions<T> = {},
): Promise<T> {
  return firstOf(emitter as Listenable, event, options);
}

export interface Collected<T> {
  seen: T[];
  stop: () => void;
}

/** Collects every `event` payload until stopped. */
export function collect<S extends NspSocket, K extends HeardName<S>>(
  socket: S,
  event: K,
): Collected<HeardPayload<S, K>> {
  const seen: Array<HeardPayload<S, K>> = [];
  const listener = (payload: unknown) => void seen.push(payload as HeardPayload<S, K>);
  listenable(socket).on(event, listener);
  return { seen, stop: () => void listenable(socket).off(event, listener) };
}

/**
 * Asserts that `event` does not arrive within `ms`. The one place a test waits
 * on the clock: proving an absence needs a window, and its length is visible here.
 */
export async function expectSilence<S extends NspSocket>(
  socket: S,
  event: HeardName<S>,
  ms = 300,
): Promise<void> {
  const { seen, stop } = collect(socket, event);
  await new Promise((resolve) => setTimeout(resolve, ms));
  stop();
  if (seen.length > 0) throw new Error(`expected no "${event}", got ${JSON.stringify(seen[0])}`);
}

/**
 * Polls a node's /readyz until it answers `status` (bounded: 100 tries, 100 ms
 * apart). Readiness is a state with no event to await, so this one asks.
 */
export async function readyzBecomes(baseUrl: string, status: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${baseUrl}/readyz`)).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz never answered ${status}`);
}

/**
 * Asks `check` every 10 ms until it holds, failing after `ms`: for what no
 * event tells, such as a store learning another node's word over Pub/Sub.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
