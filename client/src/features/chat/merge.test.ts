import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatMessage } from "@convoy/shared";
import { countUnread, firstUnreadIndex, mergeMessages } from "./merge.ts";

const message = (id: string, userId = "u1"): ChatMessage => ({
  id,
  groupId: "g",
  userId,
  username: userId,
  text: `text ${id}`,
  ts: Number(id),
  clientMsgId: `c${id}`,
});

describe("mergeMessages", () => {
  it("keeps every message once, in id order, whatever the arrival order", () => {
    const merged = mergeMessages(
      [message("000000000002"), message("000000000001")],
      [message("000000000003"), message("000000000001"), message("000000000002")],
    );
    assert.deepEqual(
      merged.map((m) => m.id),
      ["000000000001", "000000000002", "000000000003"],
    );
  });

  it("returns the same array when nothing is new, so views do not re-render", () => {
    const existing = [message("000000000001")];
    assert.equal(mergeMessages(existing, [message("000000000001")]), existing);
    assert.equal(mergeMessages(existing, []), existing);
  });
});

describe("firstUnreadIndex", () => {
  const list = [message("000000000001"), message("000000000002", "me"), message("000000000003")];
  it("points at the first newer message written by someone else", () => {
    assert.equal(firstUnreadIndex(list, "000000000001", "me"), 2);
  });
  it("is -1 when all is read or nothing was ever read", () => {
    assert.equal(firstUnreadIndex(list, "000000000003", "me"), -1);
    assert.equal(firstUnreadIndex(list, null, "me"), -1);
  });
});

describe("countUnread", () => {
  const list = [message("000000000001"), message("000000000002", "me"), message("000000000003")];
  it("counts what others wrote after the read mark, everything of theirs when nothing was read", () => {
    assert.equal(countUnread(list, "000000000001", "me"), 1);
    assert.equal(countUnread(list, "", "me"), 2);
    assert.equal(countUnread(list, "000000000003", "me"), 0);
  });
});
