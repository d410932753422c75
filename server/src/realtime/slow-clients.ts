// Disconnects connections that fall too far behind, so a client that does not
// read cannot grow server memory without bound. The client reconnects and
// catches up with `messages:since`.
import type { Socket as EngineSocket } from "engine.io";

/**
 * Bytes queued for a connection and not yet taken by the kernel. Engine.IO has
 * no public measure of this, so we read its write buffer and the WebSocket's
 * `bufferedAmount`; test/limits.test.ts fails if either moves.
 */
export function bytesBehind(conn: EngineSocket): number {
  const internals = conn as unknown as {
    writeBuffer?: Array<{ data?: string | ArrayBufferLike }>;
    transport?: { socket?: { bufferedAmount?: unknown } };
  };
  const buffered = internals.transport?.socket?.bufferedAmount;
  let bytes = typeof buffered === "number" ? buffered : 0;
  for (const packet of internals.writeBuffer ?? []) {
    const data = packet.data;
    bytes += typeof data === "string" ? data.length : (data?.byteLength ?? 0);
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
      // discard: drop what is queued instead of waiting for it to drain.
      conn.close(true);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
