// Live location: opt-in sharing per user and group, latest position per rider,
// and forgetting riders who went quiet.
import type { LocationUpdate, Position, RiderStopped, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { LocationStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

export function createLocations(store: LocationStore, groups: Groups, clock: Clock, staleMs: number) {
  return {
    async riders(user: User, groupId: string): Promise<Position[]> {
      await groups.requireMember(groupId, user.id);
      return store.riders(groupId);
    },

    /** `stopped` is set when sharing was turned off: subscribers must hear about it. */
    async share(user: User, groupId: string, sharing: boolean): Promise<{ stopped: RiderStopped | null }> {
      await groups.requireMember(groupId, user.id);
      const { changed } = await store.setSharing(groupId, user.id, sharing);
      return { stopped: changed && !sharing ? { groupId, userId: user.id } : null };
    },

    /** Stops a rider's sharing (their ride ended): the notice for subscribers, or null when they were not sharing. */
    async stop(groupId: string, userId: string): Promise<RiderStopped | null> {
      const { changed } = await store.setSharing(groupId, userId, false);
      return changed ? { groupId, userId } : null;
    },

    /** userId → latest position of every sharing rider in the group. */
    async latest(groupId: string): Promise<Map<string, Position>> {
      return new Map((await store.riders(groupId)).map((position) => [position.userId, position]));
    },

    /** Checks that the update may be made; the position is recorded later (it may be coalesced). */
    async authorize(user: User, input: LocationUpdate): Promise<Position> {
      // Both at once: on Redis that is one round trip, for every position of every rider.
      const [, sharing] = await Promise.all([
        groups.requireMember(input.groupId, user.id),
        store.isSharing(input.groupId, user.id),
      ]);
      if (!sharing) {
        throw new AppError("FORBIDDEN", "turn sharing on with location:share first");
      }
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
    record(position: Position): Promise<boolean> {
      return store.record(position, clock.now());
    },

    /** Riders without an update for the stale period, now forgotten. */
    expireStale(): Promise<RiderStopped[]> {
      return store.expire(clock.now() - staleMs);
    },
  };
}
export type Locations = ReturnType<typeof createLocations>;
