// Compile-time checks that the typed helpers keep checking. Never run: `npm run
// typecheck -w test` compiles it, and every @ts-expect-error line below must
// fail to compile, so a helper that stops checking event names, payloads or
// answers fails the typecheck.
import type { ChatMessage, Position } from "@convoy/shared";
import type { TestApp } from "./app.ts";
import { ask, askRaw, type ChatSocket, type LocationSocket } from "./sockets.ts";
import { collect, waitFor, waitForEvent } from "./wait.ts";

export function typedHelpers(app: TestApp, chat: ChatSocket, location: LocationSocket): void {
  // ask: the event, its payload and its answer come from the socket's namespace.
  void ask(chat, "room:join", { groupId: "g" }).then((res) => {
    if (!res.ok) return;
    const messages: ChatMessage[] = res.data.messages;
    // @ts-expect-error: the ack has no such field
    void res.data.mesages;
    return messages;
  });
  // @ts-expect-error: no such event
  void ask(chat, "mesage:send", { groupId: "g", text: "t", clientMsgId: "c" });
  // @ts-expect-error: an event of another namespace
  void ask(chat, "location:share", { groupId: "g", sharing: true });
  // @ts-expect-error: typing takes no ack
  void ask(chat, "typing", { groupId: "g", typing: true });
  // @ts-expect-error: a misspelled payload field
  void ask(chat, "room:join", { group: "g" });
  // @ts-expect-error: a field the payload does not have
  void ask(chat, "room:join", { groupId: "g", extra: 1 });
  // The escape hatch takes anything.
  void askRaw(chat, "chat:delete-everything", [{ groupId: 1 }]);

  // waitFor and collect: the payload comes from the namespace's server events.
  void waitFor(location, "location:update").then((position) => {
    const checked: Position = position;
    return checked;
  });
  void waitFor(chat, "connect_error").then((err) => err.message);
  // @ts-expect-error: /chat has no such server event
  void waitFor(chat, "presence:update");
  // @ts-expect-error: no such field in a message
  void waitFor(chat, "message:new", { where: (message) => message.txt === "" });
  // @ts-expect-error: no such server event
  collect(location, "location:updated");
  // @ts-expect-error: a socket's events are typed: waitFor, not the plain-emitter form
  void waitForEvent(chat, "message:new");

  // connect: the namespace decides the socket's events.
  void app.connect("/location", "token").then((socket) => {
    // @ts-expect-error: a /location socket sends no message:send
    void ask(socket, "message:send", { groupId: "g", text: "t", clientMsgId: "c" });
  });

  // http: routes.ts types the body sent and the body answered.
  void app.http("GET", "/api/groups", undefined, "token").then((res) => res.body.groups);
  void app.http("GET", "/api/groups", undefined, "token").then((res) => {
    // @ts-expect-error: the answer is {groups}
    void res.body.group;
  });
  // @ts-expect-error: JoinGroup takes inviteCode
  void app.http("POST", "/api/groups/join", { code: "x" }, "token");
  void app.http("GET", `/api/groups/${"id"}/messages?limit=3`).then((res) => res.body.hasMore);
}
