// How each server→client event is delivered. The server's emit path reads this
// table; handlers never pick a guarantee themselves.
import type { ChatServerEvents } from "./chat.ts";
import type { LocationServerEvents } from "./location.ts";
import type { PresenceServerEvents } from "./presence.ts";

export const Delivery = {
  /** Never dropped while connected; after a reconnect the client recovers it
   *  (`messages:since` for chat, a fresh subscribe snapshot for presence). */
  reliable: "reliable",
  /** A client that falls behind gets only the newest event per key (per rider),
   *  never a backlog. */
  latestPerKey: "latest-per-key",
  /** Volatile: dropped when the client's connection is busy. */
  ephemeral: "ephemeral",
} as const;
export type Delivery = (typeof Delivery)[keyof typeof Delivery];

type ServerEventsOf = {
  "/chat": ChatServerEvents;
  "/presence": PresenceServerEvents;
  "/location": LocationServerEvents;
};

/** Sent to one socket, never broadcast. */
const sessionDelivery = { "session:expiring": Delivery.reliable } as const;

export const DELIVERY = {
  "/chat": {
    ...sessionDelivery,
    "message:new": Delivery.reliable,
    // Recovered after a reconnect with dm:page from the newest id the client has.
    "dm:new": Delivery.reliable,
    typing: Delivery.ephemeral,
  },
  "/presence": { ...sessionDelivery, "presence:update": Delivery.reliable },
  // A stop shares its rider's key with positions, so a queued position can never
  // resurrect a rider after their stop.
  "/location": {
    ...sessionDelivery,
    "location:update": Delivery.latestPerKey,
    "location:stopped": Delivery.latestPerKey,
    // Recovered after a reconnect by `ride:active` and the subscribe answer's ride state.
    "ride:update": Delivery.reliable,
    "ride:ended": Delivery.reliable,
    "ride:alert": Delivery.reliable,
    "ride:alert-cleared": Delivery.reliable,
    // To every member's user room; recovered after a reconnect by `sos:active`.
    "sos:alert": Delivery.reliable,
    "sos:update": Delivery.reliable,
    "sos:resolved": Delivery.reliable,
  },
} as const satisfies { [N in keyof ServerEventsOf]: Record<keyof ServerEventsOf[N], Delivery> };

/** The latest-per-key key of a location event: one rider in one group. */
export const riderKey = (event: { groupId: string; userId: string }): string =>
  `${event.groupId}\u0000${event.userId}`;
