// Live location: opt-in sharing per user and group, latest position per rider,
// and forgetting riders who went quiet.
import { LRUCache } from "lru-cache";
import type { LocationUpdate, Position, RiderStopped, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { LocationStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

/** Riders this node remembers sharing, at most (about 100 bytes each). */
const KNOWN_SHARING = 100_000;
/** How long this node trusts that a rider still shares without reading the store. */
const SHARING_TRUSTED_MS = 10_000;

export function createLocations(store: LocationStore, groups: Groups, clock: Clock, staleMs: number) {
  // Riders seen sharing, so that a rider's every position does not read the
  // store first. Sharing may stop on another node (another device, a ride
  // ended there): the store's record step checks it again, and a position it
  // refuses drops the rider from here, as does the TTL. So for at most
  // SHARING_TRUSTED_MS after a stop elsewhere, a position is acked but neither
  // stored nor sent, as if it had come just before the stop.
  const knownSharing = new LRUCache<string, true>({ max: KNOWN_SHARING, ttl: SHARING_TRUSTED_MS });
  /** Sharing stops made on this node so far: a store read that a stop overtook must not be cached. */
  let stopsHere = 0;
  const forget = (key: string) => {
    stopsHere++;
    knownSharing.delete(key);
  };
  const rider = (groupId: string, userId: string) => `${groupId}\u0000${userId}`;

  return {
    async riders(user: User, groupId: string): Promise<Position[]> {
      await groups.requireMember(groupId, user.id);
      return store.riders(groupId);
    },

    /** `stopped` is set when sharing was turned off: subscribers must hear about it. */
    async share(user: User, groupId: string, sharing: boolean): Promise<{ stopped: RiderStopped | null }> {
      await groups.requireMember(groupId, user.id);
      const { changed } = await store.setSharing(groupId, user.id, sharing);
      if (!sharing) forget(rider(groupId, user.id));
      return { stopped: changed && !sharing ? { groupId, userId: user.id } : null };
    },

    /** Stops a rider's sharing (their ride ended): the notice for subscribers, or null when they were not sharing. */
    async stop(groupId: string, userId: string): Promise<RiderStopped | null> {
      const { changed } = await store.setSharing(groupId, userId, false);
      forget(rider(groupId, userId));
      return changed ? { groupId, userId } : null;
    },

    /** userId → latest position of every sharing rider in the group. */
    async latest(groupId: string): Promise<Map<string, Position>> {
      return new Map((await store.riders(groupId)).map((position) => [position.userId, position]));
    },

    /** Checks that the update may be made; the position is recorded later (it may be coalesced). */
    async authorize(user: User, input: LocationUpdate): Promise<Position> {
      const key = rider(input.groupId, user.id);
      const known = knownSharing.has(key);
      const stopsBefore = stopsHere;
      // Both at once: on Redis that is one round trip when neither is known yet.
      const [, sharing] = await Promise.all([
        groups.requireMember(input.groupId, user.id),
        known || store.isSharing(input.groupId, user.id),
      ]);
      if (!sharing) {
        throw new AppError("FORBIDDEN", "turn sharing on with location:share first");
      }
      // Not again while known: the trust runs out SHARING_TRUSTED_MS after the store said so.
      if (!known && stopsHere === stopsBefore) knownSharing.set(key, true);
      return {
        groupId: input.groupId,
        userId: user.id,
        username: user.username,
        lat: input.lat,
        lng: input.lng,
        accuracy: input.accuracy,
        heading: input.heading,
        speed: input.speed,
        ts: input.ts,
      };
    },

    /** Stores the position; false when sharing stopped meanwhile or a newer one is stored. */
    async record(position: Position): Promise<boolean> {
      const kept = await store.record(position, clock.now());
      if (!kept) knownSharing.delete(rider(position.groupId, position.userId));
      return kept;
    },

    /** Riders without an update for the stale period, now forgotten. */
    expireStale(): Promise<RiderStopped[]> {
      return store.expire(clock.now() - staleMs);
    },
  };
}
export type Locations = ReturnType<typeof createLocations>;
