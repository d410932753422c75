// /chat: rooms per group, messages stored then broadcast, typing notices, and
// direct messages to every device of both users.
import { chatInputs, LIMITS, type ChatClientEvents } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { AppError } from "../errors.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { createEventBinder } from "../realtime/handle.ts";
import { secureNamespace } from "../realtime/namespace.ts";
import { createTokenBucket, type TokenBucket } from "../realtime/token-bucket.ts";
import { renewSocketSession } from "../realtime/session-lifetime.ts";
import { joinAndHear, roomOf, userRoom } from "../realtime/rooms.ts";
import type { ChatNamespace, Io } from "../realtime/types.ts";

export function registerChat(io: Io, deps: Deps): Registration {
  const chat: ChatNamespace = secureNamespace(io.of("/chat") as ChatNamespace, deps, {
    // Direct messages, and typing notices that skip every tab of their sender.
    userRoom: true,
  });
  const bind = createEventBinder<ChatClientEvents>("/chat", chatInputs, deps);
  const broadcast = createBroadcaster(chat, deps);
  const { limits } = deps;

  chat.on("connection", (socket) => {
    const { user } = socket.data;
    const on = bind(socket);
    on("session:renew", ({ token }) => renewSocketSession(socket, deps.sessions, token));
    // Created on first use: most sockets never send.
    let sendLimit: TokenBucket | undefined;
    let typingLimit: TokenBucket | undefined;

    on("room:join", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      // Join before reading history: a message sent in between arrives twice
      // (clients dedupe by id) rather than not at all.
      await joinAndHear(socket, roomOf(groupId));
      return { groupId, messages: await deps.messages.latest(user, groupId, LIMITS.joinHistory) };
    });

    on("room:leave", async ({ groupId }) => {
      await deps.groups.requireMember(groupId, user.id);
      await socket.leave(roomOf(groupId));
      return { groupId };
    });

    // Group messages and direct messages share one budget.
    const takeSend = () => {
      sendLimit ??= createTokenBucket(limits.chatPerSecond, limits.chatBurst);
      if (!sendLimit.tryTake()) throw new AppError("RATE_LIMITED", "too many messages, slow down");
    };

    on("message:send", async (input) => {
      takeSend();
      const { message, isNew } = await deps.messages.send(user, input);
      if (isNew) broadcast.toGroup(input.groupId, "message:new", message);
      return { message };
    });

    on("messages:since", async ({ groupId, afterId, limit }) => {
      const page = await deps.messages.since(user, groupId, afterId, limit ?? limits.pageMax);
      return { groupId, ...page };
    });

    on("dm:send", async (input) => {
      takeSend();
      const { message, isNew } = await deps.direct.send(user, input);
      // Every device of both: the sender's other tabs show it too.
      if (isNew) broadcast.toUsers([user.id, input.toUserId], "dm:new", message);
      return { message };
    });

    on("dm:page", async (input) => {
      const cursor = "afterId" in input ? { afterId: input.afterId } : { beforeId: input.beforeId };
      const page = await deps.direct.page(user, input.userId, cursor, input.limit ?? limits.pageMax);
      return { userId: input.userId, ...page };
    });

    on("dm:conversations", async () => ({
      conversations: await deps.direct.conversations(user, limits.pageMax),
    }));

    on("typing", async ({ groupId, typing }) => {
      typingLimit ??= createTokenBucket(limits.typingPerSecond, limits.typingPerSecond);
      if (!typingLimit.tryTake()) throw new AppError("RATE_LIMITED", "too many typing notices");
      await deps.groups.requireMember(groupId, user.id);
      const notice = { groupId, userId: user.id, username: user.username, typing };
      broadcast.toGroup(groupId, "typing", notice, { except: userRoom(user.id) });
    });
  });

  return { close: async () => {} };
}
