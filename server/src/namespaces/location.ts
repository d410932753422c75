// /location: opt-in sharing, rate-limited updates coalesced per group, latest
// position per rider fanned out to subscribers, quiet riders forgotten.
import { locationInputs, type LocationClientEvents, type Position } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { createCoalescer } from "../realtime/coalesce.ts";
import { createEventBinder } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { renewSocketSession } from "../realtime/session-lifetime.ts";
import { roomOf, userRoom } from "../realtime/rooms.ts";
import type { Io, LocationNamespace } from "../realtime/types.ts";

export function registerLocation(io: Io, deps: Deps): Registration {
  const location: LocationNamespace = secureNamespace(io.of("/location") as LocationNamespace, deps);
  const bind = createEventBinder<LocationClientEvents>("/location", locationInputs, deps);
  const broadcast = createBroadcaster(location, deps);

  const publish = (position: Position) => {
    deps.locations
      .record(position)
      .then((kept) => kept && broadcast.toGroup(position.groupId, "location:update", position))
      .catch((err: unknown) =>
        deps.logger.error({ err, groupId: position.groupId }, "publishing a position failed"),
      );
  };

  location.on("connection", (socket) => {
    const { user } = socket.data;
    // Ride notices and SOS reach every member's sockets, whichever group they have open.
    void socket.join(userRoom(user.id));
    const on = bind(socket);
    on("session:renew", ({ token }) => renewSocketSession(socket, deps.sessions, token));
    const updates = createCoalescer(deps.limits.locationPerSecond, publish);
    // The newest waiting position of each group still counts when the rider drops.
    socket.on("disconnect", () => updates.flush());

    on("location:subscribe", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      await socket.join(roomOf(groupId));
      return { groupId, riders: await deps.locations.riders(user, groupId), ride: null };
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

    on("location:update", async (input) => {
      const position = await deps.locations.authorize(user, input);
      updates.push(input.groupId, position);
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

  return { close: async () => clearInterval(sweep) };
}
