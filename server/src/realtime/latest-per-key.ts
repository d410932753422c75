// Delivery for latest-value events (positions): while a connection is behind
// (the kernel would not take all it was given), only the newest event per key
// waits for it, so a client that cannot keep up gets the current state of each
// rider instead of a growing backlog.
import type { Socket } from "socket.io";

type Queued = readonly [event: string, payload: unknown];
type AnySocket = Socket<never, Record<string, (payload: never) => void>>;

/**
 * The connection's last write left bytes that the kernel did not take: its
 * reader is not keeping up. A WebSocket transport is not writable from each
 * write until that write's callback, a tick later, even when the kernel took
 * every byte at once; a packet sent meanwhile waits in Engine.IO's buffer for
 * that tick, as in a bare Socket.IO broadcast, and leaves with the next write.
 * Holding it back here instead would cost a write of its own (encoded for that
 * socket alone) and listeners on every busy socket, and in a cluster, whose
 * positions are recorded and sent in batches, most sockets are busy so.
 * A transport without a WebSocket (long-polling) is behind whenever it is busy.
 */
function isBehind(socket: AnySocket): boolean {
  const transport = socket.conn.transport as { writable: boolean; socket?: { bufferedAmount?: unknown } };
  if (transport.writable) return false;
  const buffered = transport.socket?.bufferedAmount;
  return typeof buffered === "number" ? buffered > 0 : true;
}

export function createLatestPerKey() {
  /** Sockets whose connection has our packet queued; their newer events wait here, one per key. */
  const waiting = new WeakMap<AnySocket, Map<string, Queued>>();

  const emit = (socket: AnySocket, event: string, payload: unknown) =>
    (socket.emit as (event: string, payload: unknown) => boolean)(event, payload);

  // The transport emits "drain" when its last write went out, just before it
  // takes the next one (Engine.IO then flushes its buffer). The newest events
  // are handed over at that moment, so they leave with that next write, as a
  // bare Socket.IO broadcast queued meanwhile would: holding them back costs
  // no extra write cycle. Until it drains again, newer events wait here.
  const holdUntilDrain = (socket: AnySocket) => {
    waiting.set(socket, new Map());
    const { conn } = socket;
    const transport = conn.transport;
    const release = () => {
      transport.off("drain", release);
      conn.off("upgrade", release); // an upgraded connection writes on its new transport
      const queued = waiting.get(socket);
      waiting.delete(socket);
      if (!queued || queued.size === 0 || !socket.connected) return;
      for (const [event, payload] of queued.values()) emit(socket, event, payload);
      // They go out with the next write: newer ones wait for the end of it.
      holdUntilDrain(socket);
    };
    transport.once("drain", release);
    conn.once("upgrade", release);
  };

  return {
    /**
     * Delivers one event to `sockets`. `emitExcept(held)` must emit it once to
     * all of them but the ids in `held` (a room broadcast: one encoding for
     * all); those held back keep it as their newest for `key` instead.
     */
    send(
      sockets: readonly AnySocket[],
      key: string,
      event: string,
      payload: unknown,
      emitExcept: (held: string[]) => void,
    ): void {
      const held: string[] = [];
      let turningBusy: AnySocket[] | undefined;
      for (const socket of sockets) {
        const queued = waiting.get(socket);
        if (queued) {
          queued.delete(key); // re-insert so the newest goes last
          queued.set(key, [event, payload]);
          held.push(socket.id);
        } else if (isBehind(socket)) {
          // This packet waits in Engine.IO's buffer, and a "drain" follows when it goes out.
          (turningBusy ??= []).push(socket);
        }
      }
      if (held.length < sockets.length) emitExcept(held);
      turningBusy?.forEach(holdUntilDrain);
    },
  };
}
export type LatestPerKey = ReturnType<typeof createLatestPerKey>;
