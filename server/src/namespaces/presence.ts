// /presence: every connected socket counts toward its user's status; groups'
// subscribers hear only changes of the aggregate. In clustered mode this node
// also beats, and detaches the users of nodes that died without a goodbye.
import { presenceInputs, type User } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { routeEvents } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { renewSocketSession } from "../realtime/session-lifetime.ts";
import { joinAndHear, roomOf } from "../realtime/rooms.ts";
import { createSerial } from "../serial.ts";
import type { Io, PresenceNamespace } from "../realtime/types.ts";
import type { PresenceNotice } from "../services/presence.ts";

interface Connection {
  user: User;
  away: boolean;
  /** A socket's changes apply in order: connect, sets, disconnect. */
  serially: ReturnType<typeof createSerial>;
}

export function registerPresence(io: Io, deps: Deps): Registration {
  const presence: PresenceNamespace = secureNamespace(io.of("/presence") as PresenceNamespace, deps);
  const events = routeEvents(presence, presenceInputs, deps);
  const broadcast = createBroadcaster(presence, deps);
  const connections = new Map<string, Connection>();
  const inFlight = new Set<Promise<unknown>>();

  const announce = (notice: PresenceNotice | null) => {
    if (!notice) return;
    for (const groupId of notice.groupIds) {
      broadcast.toGroup(groupId, "presence:update", { groupId, ...notice.member });
    }
  };
  /** Runs a store change in the socket's order, announces it, and lets close() wait for it. */
  const apply = (connection: Connection, step: () => Promise<PresenceNotice | null>) => {
    const run = connection
      .serially(async () => announce(await step()))
      .catch((err: unknown) =>
        deps.logger.error({ err, userId: connection.user.id }, "presence change failed"),
      );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };
  const attach = (connection: Connection, socketId: string) =>
    apply(connection, async () => {
      const notice = await deps.presence.connect(connection.user, socketId);
      return connection.away ? (await deps.presence.set(connection.user, socketId, "away")).notice : notice;
    });

  // A new member: the group's subscribers learn about them (from "not in the group" to their status).
  const onMemberJoined = ({ groupId, user }: { groupId: string; user: User }) => {
    deps.presence.memberState(user).then(
      (member) => broadcast.toGroup(groupId, "presence:update", { groupId, ...member }),
      (err: unknown) => deps.logger.error({ err, groupId }, "announcing a new member failed"),
    );
  };
  deps.events.on("member-joined", onMemberJoined);

  presence.on("connection", (socket) => {
    const { user } = socket.data;
    const connection: Connection = { user, away: false, serially: createSerial() };
    connections.set(socket.id, connection);
    attach(connection, socket.id);
    socket.on("disconnect", () => {
      connections.delete(socket.id);
      apply(connection, () => deps.presence.disconnect(user, socket.id));
    });
  });

  events.on("session:renew", ({ token }, socket) => renewSocketSession(socket, deps.sessions, token));

  events.on("presence:subscribe", async ({ groupId }, socket) => {
    const { user } = socket.data;
    await deps.groups.requireMember(groupId, user.id);
    await joinAndHear(socket, roomOf(groupId));
    return { groupId, members: await deps.presence.members(user, groupId) };
  });

  events.on("presence:unsubscribe", async ({ groupId }, socket) => {
    await deps.groups.requireMember(groupId, socket.data.user.id);
    await socket.leave(roomOf(groupId));
    return { groupId };
  });

  events.on("presence:set", ({ status }, socket) => {
    // Set on connect, deleted on disconnect, after which Socket.IO dispatches no event.
    const connection = connections.get(socket.id)!;
    return connection.serially(async () => {
      connection.away = status === "away";
      const result = await deps.presence.set(connection.user, socket.id, status);
      announce(result.notice);
      return { status: result.status };
    });
  });

  let firstBeat = true;
  const beat = async () => {
    // Taken for dead (cut off from Redis for too long): this node's users were
    // detached by another node, so attach them again.
    if (await deps.presence.heartbeat()) {
      if (!firstBeat) for (const [socketId, connection] of connections) attach(connection, socketId);
    }
    firstBeat = false;
    (await deps.presence.reapDeadNodes(deps.limits.nodeDeadAfterMs)).forEach(announce);
  };
  const heartbeat = deps.crossNode
    ? setInterval(() => {
        beat().catch((err: unknown) => deps.logger.warn({ err }, "presence heartbeat failed"));
      }, deps.limits.nodeHeartbeatMs)
    : null;
  heartbeat?.unref();
  if (deps.crossNode) beat().catch((err: unknown) => deps.logger.warn({ err }, "presence heartbeat failed"));

  return {
    async close() {
      deps.events.off("member-joined", onMemberJoined);
      if (heartbeat) clearInterval(heartbeat);
      // Socket.IO has closed: let every socket's detach reach the store, then say goodbye.
      await Promise.allSettled([...inFlight]);
      if (deps.crossNode) await deps.presence.forgetNode().catch(() => {});
    },
  };
}
