// What one client address or user may hold open on this node (SPEC §6). An
// Engine.IO connection is "unauthenticated" until one of its namespace sockets
// passes the token check: few are allowed per address, and each is closed
// after a short deadline, so idle handshakes cannot pile up. Authenticated
// connections count per address, sockets per user.
import type { IncomingMessage } from "node:http";
import type { Server as EngineServer, Socket as EngineSocket } from "engine.io";
import { clientAddress, type TrustProxy } from "../guards/client-address.ts";
import type { Quotas } from "../limits.ts";

interface Tracked {
  address: string;
  authenticated: boolean;
  deadline: ReturnType<typeof setTimeout> | null;
}

export interface ConnectionQuotas {
  /** Starts counting the engine's connections (once, when Socket.IO exists). */
  track(engine: EngineServer): void;
  addressOf(req: IncomingMessage): string;
  /** allowRequest: false when the address holds its share of unauthenticated connections. */
  admitsHandshake(address: string): boolean;
  /**
   * allowRequest: true when this node holds as many unauthenticated connections
   * as it may, from all addresses. A node behind on handshakes then refuses new
   * ones at once (clients retry after their backoff) rather than queue work it
   * cannot finish before their timeouts.
   */
  isBusy(): boolean;
  /**
   * False when the user's sockets or the address's authenticated connections are
   * full; else the connection counts as authenticated from now on (once).
   */
  admitSocket(conn: EngineSocket, userId: string): boolean;
  /** Counted on connect and disconnect: a socket refused later, or whose client left mid-handshake, never counts. */
  socketOpened(userId: string): void;
  socketClosed(userId: string): void;
}

export function createConnectionQuotas(quotas: Quotas, trust: TrustProxy): ConnectionQuotas {
  const tracked = new WeakMap<EngineSocket, Tracked>();
  const unauthenticated = new Map<string, number>();
  let unauthenticatedOnNode = 0;
  const authenticated = new Map<string, number>();
  const socketsOf = new Map<string, number>();

  const add = (counts: Map<string, number>, key: string, by: number) => {
    const next = (counts.get(key) ?? 0) + by;
    if (next > 0) counts.set(key, next);
    else counts.delete(key);
  };
  /** Per address, and on the node in all (read on every handshake: kept, not summed). */
  const addUnauthenticated = (address: string, by: number) => {
    add(unauthenticated, address, by);
    unauthenticatedOnNode += by;
  };

  const onConnection = (conn: EngineSocket) => {
    const entry: Tracked = {
      address: clientAddress(conn.request, trust),
      authenticated: false,
      deadline: null,
    };
    entry.deadline = setTimeout(() => conn.close(), quotas.unauthenticatedMs);
    tracked.set(conn, entry);
    addUnauthenticated(entry.address, 1);
    conn.once("close", () => {
      if (entry.deadline) clearTimeout(entry.deadline);
      if (entry.authenticated) add(authenticated, entry.address, -1);
      else addUnauthenticated(entry.address, -1);
    });
  };

  return {
    track: (engine) => engine.on("connection", onConnection),
    addressOf: (req) => clientAddress(req, trust),
    admitsHandshake: (address) => (unauthenticated.get(address) ?? 0) < quotas.unauthenticatedPerAddress,
    isBusy: () => unauthenticatedOnNode >= quotas.unauthenticatedPerNode,
    admitSocket(conn, userId) {
      const entry = tracked.get(conn);
      if (!entry) return false;
      if ((socketsOf.get(userId) ?? 0) >= quotas.socketsPerUser) return false;
      if (!entry.authenticated) {
        if ((authenticated.get(entry.address) ?? 0) >= quotas.connectionsPerAddress) return false;
        entry.authenticated = true;
        if (entry.deadline) clearTimeout(entry.deadline);
        entry.deadline = null;
        addUnauthenticated(entry.address, -1);
        add(authenticated, entry.address, 1);
      }
      return true;
    },
    socketOpened: (userId) => add(socketsOf, userId, 1),
    socketClosed: (userId) => add(socketsOf, userId, -1),
  };
}
