// Disconnects connections that fall too far behind, so a client that does not
// read cannot grow server memory without bound. The client reconnects and
// catches up with `messages:since`.
import type { Socket as EngineSocket } from "engine.io";

/**
 * Engine.IO has no public measure of what is queued for a connection, so this
 * reads its write buffer and the WebSocket (ws) under its transport. The
 * slow-client test in test/limits.test.ts fails if either moves.
 */
interface EngineInternals {
  writeBuffer?: Array<{ data?: string | ArrayBufferLike }>;
  transport?: { socket?: { bufferedAmount?: unknown; terminate?: () => void } };
}
const internalsOf = (conn: EngineSocket) => conn as unknown as EngineInternals;

/** Bytes queued for a connection and not yet taken by the kernel. */
export function bytesBehind(conn: EngineSocket): number {
  const { writeBuffer = [], transport } = internalsOf(conn);
  const buffered = transport?.socket?.bufferedAmount;
  let bytes = typeof buffered === "number" ? buffered : 0;
  for (const { data } of writeBuffer) {
    bytes += typeof data === "string" ? Buffer.byteLength(data) : (data?.byteLength ?? 0);
  }
  return bytes;
}

export function watchSlowClients(
  connections: ReadonlyMap<string, EngineSocket>,
  maxBytes: number,
  everyMs: number,
  onCut: (bytes: number) => void,
): () => void {
  const timer = setInterval(() => {
    for (const conn of connections.values()) {
      const bytes = bytesBehind(conn);
      if (bytes <= maxBytes) continue;
      onCut(bytes);
      const socket = internalsOf(conn).transport?.socket;
      // discard: drop what is queued; terminate: a peer that does not read would
      // hold the WebSocket closing handshake (and its buffer) for 30 s.
      conn.close(true);
      socket?.terminate?.();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
