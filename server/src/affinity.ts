// Group affinity: a client may name the group it has open in its handshake
// (`?affinity=<groupId>`, docs/protocol.md), and the cluster's primary then
// hands its connection to the worker that group hashes to. A group's riders
// meet on one worker, whose broadcasts to them need no other node, where
// spread at random every position crossed to the other workers (what that
// cost, measured: docs/scaling.md).
// Only a placement hint: it grants nothing, and a wrong or missing one costs a
// cross-node hop, never a message. nginx hashes on the same parameter.
import type { Worker } from "node:cluster";
import type { Server } from "node:http";
import type { Socket } from "node:net";

/** Longer values are not group ids: such a hint is ignored. */
const MAX_AFFINITY_LENGTH = 64;
const AFFINITY_PARAM = /[?&]affinity=([^&\s#]{1,192})/;

/** The affinity named in an HTTP request head's request line, or null. */
export function affinityOf(requestHead: string): string | null {
  const line = requestHead.slice(0, requestHead.indexOf("\r\n") >>> 0);
  const match = AFFINITY_PARAM.exec(line);
  if (!match) return null;
  try {
    const value = decodeURIComponent(match[1]!);
    return value.length > 0 && value.length <= MAX_AFFINITY_LENGTH ? value : null;
  } catch {
    return null; // malformed %-escape
  }
}

/** Which of `slots` workers a key belongs to: FNV-1a, stable across restarts and processes. */
export function slotOf(key: string, slots: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % slots;
}

/**
 * Makes @socket.io/sticky hand each new connection to `choose(affinity)`.
 * Sticky has no hook for it; in its "least-connection" mode it takes the
 * worker with the lowest `clientsCount`, read when the connection's first
 * chunk arrives. So this reads that chunk just before sticky does (its data
 * listener goes first) and sets the counts: 0 for the chosen worker, 1 for the
 * others. A request with a known session id still goes to its session's
 * worker: sticky looks that up first. Call after sticky's setupMaster.
 */
export function steerStickyConnections(
  httpServer: Server,
  workers: () => Iterable<Worker>,
  choose: (affinity: string | null) => Worker | undefined,
): void {
  httpServer.on("connection", (socket: Socket) => {
    const onFirstChunk = (chunk: Buffer) => {
      const headEnd = chunk.indexOf("\r\n");
      const chosen = choose(
        affinityOf(chunk.subarray(0, headEnd < 0 ? 2048 : headEnd + 2).toString("latin1")),
      );
      if (!chosen) return;
      for (const worker of workers()) (worker as Worker & { clientsCount?: number }).clientsCount = 1;
      (chosen as Worker & { clientsCount?: number }).clientsCount = 0;
    };
    socket.prependOnceListener("data", onFirstChunk);
  });
}
