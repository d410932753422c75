// /chat: rooms per group, messages stored then broadcast, typing notices, and
// direct messages to every device of both users.
import { chatInputs, LIMITS } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { AppError } from "../errors.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { routeEvents } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { TokenBucket } from "../realtime/token-bucket.ts";
import { renewSocketSession } from "../realtime/session-lifetime.ts";
import { joinAndHear, roomOf, userRoom } from "../realtime/rooms.ts";
import type { ChatNamespace, Io } from "../realtime/types.ts";

export function registerChat(io: Io, deps: Deps): Registration {
  const chat: ChatNamespace = secureNamespace(io.of("/chat") as ChatNamespace, deps, {
    // Direct messages, and typing notices that skip every tab of their sender.
    userRoom: true,
  });
  const events = routeEvents(chat, chatInputs, deps);
  const broadcast = createBroadcaster(chat, deps);
  const { limits } = deps;

  // Made on first use: most sockets never send.
  const sendLimits = new WeakMap<object, TokenBucket>();
  const typingLimits = new WeakMap<object, TokenBucket>();
  const take = (buckets: WeakMap<object, TokenBucket>, socket: object, make: () => TokenBucket) => {
    let bucket = buckets.get(socket);
    if (!bucket) buckets.set(socket, (bucket = make()));
    return bucket.tryTake();
  };
  const sendLimit = () => new TokenBucket(limits.chatPerSecond, limits.chatBurst);
  const typingLimit = () => new TokenBucket(limits.typingPerSecond, limits.typingPerSecond);
  // Group messages and direct messages share one budget.
  const takeSend = (socket: object) => {
    if (!take(sendLimits, socket, sendLimit)) {
      throw new AppError("RATE_LIMITED", "too many messages, slow down");
    }
  };

  events.on("session:renew", ({ token }, socket) => renewSocketSession(socket, deps.sessions, token));

  events.on("room:join", async ({ groupId }, socket) => {
    const { user } = socket.data;
    await deps.groups.requireMember(groupId, user.id);
    // Join before reading history: a message sent in between arrives twice
    // (clients dedupe by id) rather than not at all.
    await joinAndHear(socket, roomOf(groupId));
    return { groupId, messages: await deps.messages.latest(user, groupId, LIMITS.joinHistory) };
  });

  events.on("room:leave", async ({ groupId }, socket) => {
    await deps.groups.requireMember(groupId, socket.data.user.id);
    await socket.leave(roomOf(groupId));
    return { groupId };
  });

  events.on("message:send", async (input, socket) => {
    takeSend(socket);
    const { message, isNew } = await deps.messages.send(socket.data.user, input);
    if (isNew) broadcast.toGroup(input.groupId, "message:new", message);
    return { message };
  });

  events.on("messages:since", async ({ groupId, afterId, limit }, socket) => {
    const page = await deps.messages.since(socket.data.user, groupId, afterId, limit ?? limits.pageMax);
    return { groupId, ...page };
  });

  events.on("dm:send", async (input, socket) => {
    takeSend(socket);
    const { user } = socket.data;
    const { message, isNew } = await deps.direct.send(user, input);
    // Every device of both: the sender's other tabs show it too.
    if (isNew) broadcast.toUsers([user.id, input.toUserId], "dm:new", message);
    return { message };
  });

  events.on("dm:page", async (input, socket) => {
    const cursor = "afterId" in input ? { afterId: input.afterId } : { beforeId: input.beforeId };
    const page = await deps.direct.page(
      socket.data.user,
      input.userId,
      cursor,
      input.limit ?? limits.pageMax,
    );
    return { userId: input.userId, ...page };
  });

  events.on("dm:conversations", async (_input, socket) => ({
    conversations: await deps.direct.conversations(socket.data.user, limits.pageMax),
  }));

  events.on("typing", async ({ groupId, typing }, socket) => {
    if (!take(typingLimits, socket, typingLimit))
      throw new AppError("RATE_LIMITED", "too many typing notices");
    const { user } = socket.data;
    await deps.groups.requireMember(groupId, user.id);
    const notice = { groupId, userId: user.id, username: user.username, typing };
    broadcast.toGroup(groupId, "typing", notice, { except: userRoom(user.id) });
  });

  return { close: async () => {} };
}
