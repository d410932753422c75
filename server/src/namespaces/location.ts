// /location: opt-in sharing, rate-limited updates coalesced per group, latest
// position per rider fanned out to subscribers, quiet riders forgotten; rides
// (start, join, leave, end) and their notices to every member.
import { locationInputs, type Position } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { Coalescer } from "../realtime/coalesce.ts";
import { routeEvents } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { renewSocketSession } from "../realtime/session-lifetime.ts";
import type { Logger } from "../logger.ts";
import type { RoomListeners } from "../realtime/room-channel-adapter.ts";
import { groupOfRoom, joinAndHear, roomOf } from "../realtime/rooms.ts";
import type { Io, LocationNamespace, LocationSocket } from "../realtime/types.ts";
import type { Authorizer, Locations } from "../services/locations.ts";
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
  const events = routeEvents(location, locationInputs, deps);
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
  // A node that starts hearing a group gets what this one sent before it knew.
  deps.locations.onHeardAnew((groupId, latest) => {
    for (const position of latest)
      broadcast.toGroup(groupId, "location:update", position, { elsewhereOnly: true });
  });
  // What other nodes send passes through here: a subscriber here finds it on subscribing.
  location.on("latest-per-key", (_room, event, _key, payload) => {
    if (event === "location:update") deps.locations.heard(payload as Position);
  });
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

  // A sharing rider's socket: made on its first position, as most sockets only watch.
  const riders = new WeakMap<object, { authorizer: Authorizer; updates: Coalescer<Position> }>();
  const riderOf = (socket: LocationSocket) => {
    let rider = riders.get(socket);
    if (rider) return rider;
    const made = {
      authorizer: deps.locations.authorizer(socket.data.user),
      updates: new Coalescer(deps.limits.locationPerSecond, publish),
    };
    riders.set(socket, (rider = made));
    // The newest waiting position of each group still counts when the rider drops.
    socket.once("disconnect", () => {
      made.updates.flush();
      made.authorizer.release();
    });
    return rider;
  };

  events.on("session:renew", ({ token }, socket) => renewSocketSession(socket, deps.sessions, token));

  events.on("location:subscribe", async ({ groupId }, socket) => {
    const { user } = socket.data;
    await deps.groups.requireMember(groupId, user.id);
    await joinAndHear(socket, roomOf(groupId));
    const [riders, ride] = await Promise.all([
      deps.locations.riders(user, groupId),
      deps.rides.stateIn(groupId),
    ]);
    return { groupId, riders, ride };
  });

  events.on("location:unsubscribe", async ({ groupId }, socket) => {
    await deps.groups.requireMember(groupId, socket.data.user.id);
    await socket.leave(roomOf(groupId));
    return { groupId };
  });

  events.on("location:share", async ({ groupId, sharing }, socket) => {
    const { stopped } = await deps.locations.share(socket.data.user, groupId, sharing);
    if (stopped) broadcast.toGroup(groupId, "location:stopped", stopped);
    return { groupId, sharing };
  });

  events.on("ride:start", async (input, socket) => {
    const { ride, notices } = await deps.rides.start(socket.data.user, input);
    deliver(notices);
    return { ride };
  });

  events.on("ride:join", async ({ rideId }, socket) => {
    const { state, notices } = await deps.rides.join(socket.data.user, rideId);
    deliver(notices);
    return state;
  });

  events.on("ride:leave", async ({ rideId }, socket) => {
    const { ride, notices, stopped } = await deps.rides.leave(socket.data.user, rideId);
    if (stopped) broadcast.toGroup(stopped.groupId, "location:stopped", stopped);
    deliver(notices);
    return { ride };
  });

  events.on("ride:end", async ({ rideId }, socket) => {
    const { ride, notices } = await deps.rides.end(socket.data.user, rideId);
    deliver(notices);
    return { ride };
  });

  events.on("ride:active", async (_input, socket) => ({
    rides: await deps.rides.activeFor(socket.data.user),
  }));

  events.on("location:update", async (input, socket) => {
    const rider = riderOf(socket);
    const position = await rider.authorizer.authorize(input);
    rider.updates.push(input.groupId, position);
    return { accepted: true as const };
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
