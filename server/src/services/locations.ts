// Live location: opt-in sharing per user and group, latest position per rider,
// and forgetting riders who went quiet.
import type { LocationUpdate, Position, RiderStopped, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { LocationStore, Recorded } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

/** How long a connection trusts that its rider still shares without reading the store. */
const SHARING_TRUSTED_MS = 10_000;

/** One connection's trust: the group its rider was last found sharing with, until when. */
interface Trust {
  groupId: string | null;
  until: number;
  /** Stops and refusals of this rider so far: a store read that one overtook is not trusted. */
  changes: number;
}

/** One connection's check that its rider may send positions; `release` when the connection closes. */
export interface Authorizer {
  authorize: (input: LocationUpdate) => Promise<Position>;
  release: () => void;
}

export function createLocations(store: LocationStore, groups: Groups, clock: Clock, staleMs: number) {
  // Each connection remembers the group its rider was last found sharing with
  // (see authorizer), so that a rider's every position does not read the store.
  // Sharing may stop on another node (another device, a ride ended there): the
  // store hears of it (with Redis, a notice from that node, or its next flush)
  // and refuses the rider's next position, which, like a stop made here, sends
  // that rider's connections on this node back to the store. Until the store
  // has heard, positions still go out, as if they had come just before the stop.
  /** The trust of each connection that sent a position, by user: a stop or refusal clears only that rider's. */
  const trusts = new Map<string, Set<Trust>>();
  const distrust = (userId: string) => {
    for (const trust of trusts.get(userId) ?? []) {
      trust.groupId = null;
      trust.changes++;
    }
  };

  return {
    async riders(user: User, groupId: string): Promise<Position[]> {
      await groups.requireMember(groupId, user.id);
      return store.riders(groupId);
    },

    /** `stopped` is set when sharing was turned off: subscribers must hear about it. */
    async share(user: User, groupId: string, sharing: boolean): Promise<{ stopped: RiderStopped | null }> {
      await groups.requireMember(groupId, user.id);
      const { changed } = await store.setSharing(groupId, user.id, sharing);
      if (!sharing) distrust(user.id);
      return { stopped: changed && !sharing ? { groupId, userId: user.id } : null };
    },

    /** Stops a rider's sharing (their ride ended): the notice for subscribers, or null when they were not sharing. */
    async stop(groupId: string, userId: string): Promise<RiderStopped | null> {
      const { changed } = await store.setSharing(groupId, userId, false);
      distrust(userId);
      return changed ? { groupId, userId } : null;
    },

    /** userId → latest position of every sharing rider in the group. */
    async latest(groupId: string): Promise<Map<string, Position>> {
      return new Map((await store.riders(groupId)).map((position) => [position.userId, position]));
    },

    /**
     * For one connection of `user`: `authorize` checks that a position may be
     * sent (a member, sharing), and makes it; it is recorded later (it may be
     * coalesced). Once the store has said so, the rider's next positions for
     * that group pass without a lookup, until the trust runs out or the
     * rider's sharing stops or a position of theirs is refused here.
     * `release` when the connection closes.
     */
    authorizer(user: User): Authorizer {
      const trust: Trust = { groupId: null, until: 0, changes: 0 };
      let mine = trusts.get(user.id);
      if (!mine) trusts.set(user.id, (mine = new Set()));
      mine.add(trust);
      const held = mine;
      return {
        authorize: async (input) => {
          const now = clock.now();
          const { groupId } = input;
          if (trust.groupId !== groupId || now >= trust.until) {
            trust.groupId = null;
            const changesBefore = trust.changes;
            // Both at once: on Redis that is one round trip.
            const [, sharing] = await Promise.all([
              groups.requireMember(groupId, user.id),
              store.isSharing(groupId, user.id),
            ]);
            if (!sharing) throw new AppError("FORBIDDEN", "turn sharing on with location:share first");
            // A stop made here while the store was read may be newer than its answer.
            if (trust.changes === changesBefore) {
              trust.groupId = groupId;
              trust.until = now + SHARING_TRUSTED_MS;
            }
          }
          return {
            groupId,
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
        release: () => {
          held.delete(trust);
          if (held.size === 0 && trusts.get(user.id) === held) trusts.delete(user.id);
        },
      };
    },

    /** Stores the position: refused when sharing stopped meanwhile or a newer one is stored. */
    async record(position: Position): Promise<Recorded> {
      const recorded = await store.record(position, clock.now());
      // Refused: sharing stopped (maybe on another node), or a newer position is stored.
      if (recorded === "refused") distrust(position.userId);
      return recorded;
    },

    /** Another node started hearing a group: the latest positions it may have missed from this one. */
    onHeardAnew(listener: (groupId: string, latest: Position[]) => void): void {
      store.onHeardAnew?.(listener);
    },

    /** A position another node sent, as it passed through this one (see LocationStore.heard). */
    heard(position: Position): void {
      store.heard?.(position);
    },

    /** This node hears the group's positions from other nodes (see LocationStore.listen). */
    listen(groupId: string): Promise<void> {
      return store.listen(groupId);
    },
    unlisten(groupId: string): Promise<void> {
      return store.unlisten(groupId);
    },

    /** Riders without an update for the stale period, now forgotten. */
    expireStale(): Promise<RiderStopped[]> {
      return store.expire(clock.now() - staleMs);
    },
  };
}
export type Locations = ReturnType<typeof createLocations>;
