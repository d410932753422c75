import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { directMessage } from "../../testing/direct-message.ts";
import { mergeConversations } from "./conversations.ts";

describe("mergeConversations", () => {
  it("keeps the newer last message of each conversation, and orders them by time, newest first", () => {
    const live = [{ userId: "a", username: "Ann", lastMessage: directMessage(5, { ts: 50 }) }];
    // The server's list, asked before message 5 arrived live.
    const listed = [
      { userId: "b", username: "Ben", lastMessage: directMessage(9, { ts: 40 }) },
      { userId: "a", username: "Ann", lastMessage: directMessage(4, { ts: 30 }) },
    ];
    assert.deepEqual(
      mergeConversations(live, listed).map((c) => [c.userId, c.lastMessage.id]),
      [
        ["a", directMessage(5).id],
        ["b", directMessage(9).id],
      ],
    );
  });

  it("a live message with no name yet keeps the name already known", () => {
    const known = [{ userId: "a", username: "Ann", lastMessage: directMessage(1) }];
    const merged = mergeConversations(known, [{ userId: "a", username: "", lastMessage: directMessage(2) }]);
    assert.deepEqual(
      merged.map((c) => [c.username, c.lastMessage.id]),
      [["Ann", directMessage(2).id]],
    );
  });
});
