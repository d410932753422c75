import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatMessage, Group, PresenceMember } from "@convoy/shared";
import { signal } from "@preact/signals";
import { chatMessage } from "../testing/chat-message.ts";
import { FakeClock } from "../testing/fake-clock.ts";
import { memoryStorage } from "../testing/memory-storage.ts";
import { createLastKnown, KEPT_MESSAGES, SAVE_AFTER_MS, type KeptState } from "./last-known.ts";

const group: Group = {
  id: "g1",
  name: "Valley ride",
  ownerId: "u1",
  inviteCode: "code",
  createdAt: 1,
};
const member: PresenceMember = { userId: "u1", username: "ann", status: "online", lastSeen: null };
const KEY = "convoy.u1.lastKnown";

/** Stand-ins for the groups, chat and presence features: their signals and what was restored into them. */
function setup(storage = memoryStorage()) {
  const clock = new FakeClock();
  const list = signal<Group[]>([]);
  const messages = signal<Record<string, ChatMessage[]>>({});
  const members = signal<Record<string, Record<string, PresenceMember>>>({});
  const through = new Map<string, string>();
  const restored: string[] = [];
  const lastKnown = createLastKnown({
    storage,
    clock,
    userId: "u1",
    groups: { list, restore: (kept) => ((list.value = [...kept]), restored.push("groups")) },
    chat: {
      messagesByGroup: messages,
      completeThrough: (groupId) => through.get(groupId),
      restore: (groupId, kept, completeThrough) => {
        messages.value = { ...messages.value, [groupId]: [...kept] };
        restored.push(`chat ${groupId} ${kept.length} ${completeThrough}`);
      },
    },
    presence: {
      byGroup: members,
      restore: (groupId, kept) => restored.push(`presence ${groupId} ${kept.map((m) => m.username).join()}`),
    },
  });
  lastKnown.start();
  return { clock, storage, list, messages, members, through, restored, lastKnown };
}

describe("what the app last knew", () => {
  it("keeps the groups, each group's newest messages (up to the point known complete) and members, a second after they change", async () => {
    const { clock, storage, list, messages, members, through, lastKnown } = setup();
    lastKnown.live();
    list.value = [group];
    const many = Array.from({ length: KEPT_MESSAGES + 10 }, (_, i) => chatMessage(i + 1, { groupId: "g1" }));
    messages.value = { g1: many };
    through.set("g1", many.at(-1)!.id);
    members.value = { g1: { u1: member } };
    await clock.advance(SAVE_AFTER_MS);
    const kept = storage.loadJson<KeptState | null>(KEY, null)!;
    assert.equal(kept.savedAt, clock.now());
    assert.deepEqual(kept.groups, [group]);
    assert.deepEqual(kept.byGroup.g1!.messages, many.slice(-KEPT_MESSAGES));
    assert.equal(kept.byGroup.g1!.completeThrough, many.at(-1)!.id);
    assert.deepEqual(kept.byGroup.g1!.members, [member]);

    // A complete point older than what is kept would make the catch-up start before it: none is kept.
    through.set("g1", many[0]!.id);
    messages.value = { g1: [...many] };
    await clock.advance(SAVE_AFTER_MS);
    assert.equal(storage.loadJson<KeptState | null>(KEY, null)!.byGroup.g1!.completeThrough, null);
  });

  it("a chat that never goes quiet is still saved, once a second", async () => {
    const { clock, storage, list, messages, lastKnown } = setup();
    lastKnown.live();
    list.value = [group];
    const savedAt = () => storage.loadJson<KeptState | null>(KEY, null)?.savedAt;
    const first = savedAt();
    for (let n = 1; n <= 10; n++) {
      messages.value = { g1: [chatMessage(n, { groupId: "g1" })] };
      await clock.advance(SAVE_AFTER_MS / 2);
    }
    assert.ok(savedAt()! >= first! + 4 * SAVE_AFTER_MS, "saved while messages kept coming");
    assert.equal(storage.loadJson<KeptState | null>(KEY, null)!.byGroup.g1!.messages.length, 1);
  });

  it("restores it on the next visit, says how old it is until the server answers, and never saves it as new before then", async () => {
    const first = setup();
    first.lastKnown.live();
    first.list.value = [group];
    first.messages.value = { g1: [chatMessage(1, { groupId: "g1" })] };
    first.through.set("g1", chatMessage(1).id);
    first.members.value = { g1: { u1: member } };
    await first.clock.advance(SAVE_AFTER_MS);
    const savedAt = first.clock.now();
    first.lastKnown.stop();

    const next = setup(first.storage);
    assert.equal(next.lastKnown.restore(), true);
    assert.deepEqual(next.restored, ["groups", `chat g1 1 ${chatMessage(1).id}`, "presence g1 ann"]);
    assert.equal(next.lastKnown.shownFrom.value, savedAt);
    await next.clock.advance(60_000);
    next.messages.value = { g1: [] };
    await next.clock.advance(SAVE_AFTER_MS);
    assert.equal(
      next.storage.loadJson<KeptState | null>(KEY, null)!.savedAt,
      savedAt,
      "not saved before live",
    );
    next.lastKnown.live();
    assert.equal(next.lastKnown.shownFrom.value, null);
  });

  it("nothing kept: restore says so; signing out forgets it; stop() leaves no timer", async () => {
    const { clock, storage, list, lastKnown } = setup();
    assert.equal(lastKnown.restore(), false);
    lastKnown.live();
    list.value = [group];
    await clock.advance(SAVE_AFTER_MS);
    assert.notEqual(storage.loadJson(KEY, null), null);
    list.value = [];
    lastKnown.forget();
    await clock.advance(SAVE_AFTER_MS);
    assert.equal(storage.loadJson(KEY, null), null);
    lastKnown.stop();
    assert.equal(clock.pending, 0);
  });

  it("a kept copy that is damaged or from an older version is ignored", () => {
    const storage = memoryStorage();
    storage.saveJson(KEY, { savedAt: 1, groups: "nope" });
    assert.equal(setup(storage).lastKnown.restore(), false);
  });
});
