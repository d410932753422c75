// The one emit path to a group's room. It reads each event's delivery class
// from the contract (shared/src/delivery.ts), so handlers never choose one.
import { DELIVERY, riderKey } from "@convoy/shared";
import type { Namespace, Socket } from "socket.io";
import type { Metrics } from "../metrics.ts";
import type { LatestPerKey } from "./latest-per-key.ts";
import { hearsRooms } from "./room-channel-adapter.ts";
import { roomOf, userRoom } from "./rooms.ts";
import type { InterNodeEvents, SocketData } from "./types.ts";

type PayloadOf<F> = F extends (payload: infer P) => void ? P : never;
type Table = Record<string, string | undefined>;

/** Untyped view of a namespace: event names and payloads are checked by `toGroup`'s signature. */
interface LooseNamespace {
  name: string;
  local: LooseOperator;
  to(room: string): LooseOperator;
  adapter: { rooms: Map<string, Set<string>> };
  sockets: Map<string, Socket>;
  serverSideEmit(event: string, ...args: unknown[]): boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
interface LooseOperator {
  to(room: string): LooseOperator;
  except(ids: string | string[]): LooseOperator;
  volatile: LooseOperator;
  emit(event: string, payload: unknown): boolean;
}

/** Namespaces whose other nodes' latest-per-key events are delivered already. */
const listening = new WeakSet<LooseNamespace>();

export interface BroadcastDeps {
  metrics: Metrics;
  latestPerKey: LatestPerKey;
  /** Other nodes exist (Redis adapter): latest-per-key events must reach them too. */
  crossNode: boolean;
}

export function createBroadcaster<C extends object, S extends object>(
  namespace: Namespace<C, S, InterNodeEvents, SocketData>,
  deps: BroadcastDeps,
) {
  const nsp = namespace as unknown as LooseNamespace;
  const table = DELIVERY[nsp.name as keyof typeof DELIVERY] as Table;
  const sentTallies = new Map(
    Object.keys(table).map((event) => [event, deps.metrics.sentTally(nsp.name, event)]),
  );

  // Only this node's sockets: other nodes deliver to theirs on "latest-per-key".
  const deliverLocally = (room: string, event: string, key: string, payload: unknown) => {
    const ids = nsp.adapter.rooms.get(room);
    if (!ids) return;
    const sockets: Socket[] = [];
    for (const id of ids) {
      const socket = nsp.sockets.get(id);
      if (socket) sockets.push(socket);
    }
    deps.latestPerKey.send(sockets as never, key, event, payload, (held) => {
      const target = nsp.local.to(room);
      (held.length > 0 ? target.except(held) : target).emit(event, payload);
    });
  };
  // One listener per namespace, however many broadcasters it has (/location's and SOS's).
  if (deps.crossNode && !listening.has(nsp)) {
    listening.add(nsp);
    nsp.on("latest-per-key", (room: string, event: string, key: string, payload: unknown) =>
      deliverLocally(room, event, key, payload),
    );
  }

  return {
    /**
     * Sends a reliable event to every socket of these users (their user rooms),
     * on every node, whatever group they have open: one broadcast, each socket once.
     */
    toUsers<K extends keyof S & string>(
      userIds: readonly string[],
      event: K,
      payload: PayloadOf<S[K]>,
    ): void {
      if (table[event] !== "reliable") throw new Error(`${nsp.name} ${event} is not reliable`);
      if (userIds.length === 0) return;
      const tally = sentTallies.get(event);
      if (tally) tally.count++;
      let target = nsp.to(userRoom(userIds[0]!));
      for (const userId of userIds.slice(1)) target = target.to(userRoom(userId));
      target.emit(event, payload);
    },

    /**
     * Sends to every socket in the group's room, on every node; `except` skips a
     * room (or one socket id). `heardElsewhere: false`, for a latest-per-key
     * event: the store found no other node hearing the room, so it is not sent
     * to other nodes; `elsewhereOnly`: it is sent only to them (this node's
     * sockets had it already).
     */
    toGroup<K extends keyof S & string>(
      groupId: string,
      event: K,
      payload: PayloadOf<S[K]>,
      options: { except?: string; heardElsewhere?: boolean; elsewhereOnly?: boolean } = {},
    ): void {
      const room = roomOf(groupId);
      const delivery = table[event];
      const tally = sentTallies.get(event);
      if (tally) tally.count++;
      switch (delivery) {
        case "reliable":
        case "ephemeral": {
          let target = nsp.to(room);
          if (options.except) target = target.except(options.except);
          if (delivery === "ephemeral") target = target.volatile;
          target.emit(event, payload);
          return;
        }
        case "latest-per-key": {
          const key = riderKey(payload as { groupId: string; userId: string });
          if (!options.elsewhereOnly) deliverLocally(room, event, key, payload);
          if (deps.crossNode && options.heardElsewhere !== false) {
            // Only to the nodes that hear the room, where the adapter can tell.
            const packet = ["latest-per-key", room, event, key, payload];
            if (hearsRooms(nsp.adapter)) nsp.adapter.relayToRoom(room, packet);
            else nsp.serverSideEmit(...(packet as [string, ...unknown[]]));
          }
          return;
        }
        case undefined:
          throw new Error(`no delivery class for ${nsp.name} ${event}`);
      }
    },
  };
}
