// /location: opt-in sharing, rate-limited updates coalesced per group, latest
// position per rider fanned out to subscribers, quiet riders forgotten; rides
// (start, join, leave, end) and their notices to every member.
import { locationInputs, type LocationClientEvents, type Position } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { createCoalescer } from "../realtime/coalesce.ts";
import { createEventBinder } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { renewSocketSession } from "../realtime/session-lifetime.ts";
import type { Logger } from "../logger.ts";
import type { RoomListeners } from "../realtime/room-channel-adapter.ts";
import { groupOfRoom, joinAndHear, roomOf } from "../realtime/rooms.ts";
import type { Io, LocationNamespace } from "../realtime/types.ts";
import type { Locations } from "../services/locations.ts";
import type { RideNotice } from "../services/rides.ts";

/**
 * Clustered mode: a node tells the store which groups' positions it hears
 * (their /location room's channel), so that a position is sent to the other
 * nodes only while one of them does (see LocationStore.listen).
 */
export function positionListeners(locations: Locations, logger: Logger): RoomListeners {
  const groupIn = (namespace: string, room: string) => (namespace === "/location" ? groupOfRoom(room) : null);
  return {
    async subscribed(namespace, room) {
      const groupId = groupIn(namespace, room);
      if (groupId !== null) await locations.listen(groupId);
    },
    unsubscribed(namespace, room) {
      const groupId = groupIn(namespace, room);
      if (groupId === null) return;
      locations
        .unlisten(groupId)
        .catch((err: unknown) =>
          logger.warn({ err, groupId }, "withdrawing this node's lease on a group's positions failed"),
        );
    },
  };
}

export function registerLocation(io: Io, deps: Deps): Registration {
  const location: LocationNamespace = secureNamespace(io.of("/location") as LocationNamespace, deps, {
    // Ride notices and SOS reach every member's sockets, whichever group they have open.
    userRoom: true,
  });
  const bind = createEventBinder<LocationClientEvents>("/location", locationInputs, deps);
  const broadcast = createBroadcaster(location, deps);

  const publish = (position: Position) => {
    deps.locations
      .record(position)
      .then(async (recorded) => {
        if (recorded === "refused") return;
        broadcast.toGroup(position.groupId, "location:update", position, {
          heardElsewhere: recorded === "kept-heard-elsewhere",
        });
        await deps.rides.observe(position);
      })
      .catch((err: unknown) =>
        deps.logger.error({ err, groupId: position.groupId }, "publishing a position failed"),
      );
  };
  // Ride notices go to every member's sockets, whichever group they have open.
  const deliver = (notices: readonly RideNotice[]) => {
    for (const notice of notices) {
      switch (notice.type) {
        case "update":
          broadcast.toUsers(notice.memberIds, "ride:update", notice.ride);
          break;
        case "ended":
          for (const stopped of notice.stopped)
            broadcast.toGroup(stopped.groupId, "location:stopped", stopped);
          broadcast.toUsers(notice.memberIds, "ride:ended", notice.ride);
          break;
        case "alert":
          broadcast.toUsers(notice.memberIds, "ride:alert", notice.alert);
          break;
        case "alert-cleared":
          broadcast.toUsers(notice.memberIds, "ride:alert-cleared", notice.cleared);
          break;
      }
    }
  };

  location.on("connection", (socket) => {
    const { user } = socket.data;
    const on = bind(socket);
    on("session:renew", ({ token }) => renewSocketSession(socket, deps.sessions, token));
    // Made on the first position: most sockets only watch.
    let updates: ReturnType<typeof createCoalescer<Position>> | undefined;
    let authorizer: ReturnType<typeof deps.locations.authorizer> | undefined;
    // The newest waiting position of each group still counts when the rider drops.
    socket.on("disconnect", () => {
      updates?.flush();
      authorizer?.release();
    });

    on("location:subscribe", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      await joinAndHear(socket, roomOf(groupId));
      const [riders, ride] = await Promise.all([
        deps.locations.riders(user, groupId),
        deps.rides.stateIn(groupId),
      ]);
      return { groupId, riders, ride };
    });

    on("location:unsubscribe", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      await socket.leave(roomOf(groupId));
      return { groupId };
    });

    on("location:share", async ({ groupId, sharing }) => {
      const { stopped } = await deps.locations.share(user, groupId, sharing);
      if (stopped) broadcast.toGroup(groupId, "location:stopped", stopped);
      return { groupId, sharing };
    });

    on("ride:start", async (input) => {
      const { ride, notices } = await deps.rides.start(user, input);
      deliver(notices);
      return { ride };
    });

    on("ride:join", async ({ rideId }) => {
      const { state, notices } = await deps.rides.join(user, rideId);
      deliver(notices);
      return state;
    });

    on("ride:leave", async ({ rideId }) => {
      const { ride, notices, stopped } = await deps.rides.leave(user, rideId);
      if (stopped) broadcast.toGroup(stopped.groupId, "location:stopped", stopped);
      deliver(notices);
      return { ride };
    });

    on("ride:end", async ({ rideId }) => {
      const { ride, notices } = await deps.rides.end(user, rideId);
      deliver(notices);
      return { ride };
    });

    on("ride:active", async () => ({ rides: await deps.rides.activeFor(user) }));

    on("location:update", async (input) => {
      const position = await (authorizer ??= deps.locations.authorizer(user)).authorize(input);
      (updates ??= createCoalescer(deps.limits.locationPerSecond, publish)).push(input.groupId, position);
      return { accepted: true as const };
    });
  });

  // Riders who went quiet leave the map, with the same notice as turning sharing off.
  const sweep = setInterval(() => {
    deps.locations
      .expireStale()
      .then((stopped) =>
        stopped.forEach((rider) => broadcast.toGroup(rider.groupId, "location:stopped", rider)),
      )
      .catch((err: unknown) => deps.logger.error({ err }, "expiring stale riders failed"));
  }, deps.limits.staleSweepMs);
  sweep.unref();

  // Rides at their planned end or idle end; gaps are measured (one node at a time).
  const rideCheck = setInterval(() => {
    deps.rides
      .check()
      .then(deliver)
      .catch((err: unknown) => deps.logger.error({ err }, "checking rides failed"));
  }, deps.limits.rideCheckMs);
  rideCheck.unref();

  return {
    close: async () => {
      clearInterval(sweep);
      clearInterval(rideCheck);
    },
  };
}
