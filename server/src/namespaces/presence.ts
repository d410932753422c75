// /presence: every connected socket counts toward its user's status; groups'
// subscribers hear only changes of the aggregate.
import { presenceInputs, type PresenceClientEvents } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { createEventBinder } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { roomOf } from "../realtime/rooms.ts";
import { createSerial } from "../realtime/serial.ts";
import type { Io, PresenceNamespace } from "../realtime/types.ts";
import type { PresenceNotice } from "../services/presence.ts";

export function registerPresence(io: Io, deps: Deps): Registration {
  const presence: PresenceNamespace = secureNamespace(io.of("/presence") as PresenceNamespace, deps);
  const bind = createEventBinder<PresenceClientEvents>("/presence", presenceInputs, deps);
  const broadcast = createBroadcaster(presence, deps);

  const announce = (notice: PresenceNotice | null) => {
    if (!notice) return;
    for (const groupId of notice.groupIds) {
      broadcast.toGroup(groupId, "presence:update", { groupId, ...notice.member });
    }
  };

  presence.on("connection", (socket) => {
    const { user } = socket.data;
    const on = bind(socket);
    // A socket's own changes apply in order: connect, sets, disconnect.
    const serially = createSerial();
    const logFailure = (err: unknown) =>
      deps.logger.error({ err, userId: user.id }, "presence change failed");

    serially(async () => announce(await deps.presence.connect(user, socket.id))).catch(logFailure);
    socket.on("disconnect", () => {
      serially(async () => announce(await deps.presence.disconnect(user, socket.id))).catch(logFailure);
    });

    on("presence:subscribe", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      await socket.join(roomOf(groupId));
      return { groupId, members: await deps.presence.members(user, groupId) };
    });

    on("presence:unsubscribe", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      await socket.leave(roomOf(groupId));
      return { groupId };
    });

    on("presence:set", ({ status }) =>
      serially(async () => {
        const result = await deps.presence.set(user, socket.id, status);
        announce(result.notice);
        return { status: result.status };
      }),
    );
  });

  return { close() {} };
}
