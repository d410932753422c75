import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { memoryQueues } from "../../testing/memory-queues.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { OUTBOX_POLICY, RIDE_ACTION_DROPPED_ON, openOutbox, stillKept } from "./outbox-policy.ts";

describe("outbox policy", () => {
  it("chat, direct messages, SOS and ride actions are queued; positions, typing and ride:start never are", () => {
    const queued = Object.entries(OUTBOX_POLICY)
      .filter(([, policy]) => policy.queued)
      .map(([kind]) => kind);
    assert.deepEqual(queued, ["chat", "direct", "sos", "ride"]);
  });

  it("messages are kept however old; an SOS only for 30 minutes after it was raised", () => {
    const raised = Date.UTC(2025, 5, 1, 8);
    const day = 24 * 3600_000;
    assert.equal(stillKept("chat", raised, raised + 7 * day), true);
    assert.equal(stillKept("direct", raised, raised + 7 * day), true);
    assert.equal(stillKept("ride", raised, raised + day), true);
    assert.equal(stillKept("sos", raised, raised + 29 * 60_000), true);
    assert.equal(stillKept("sos", raised, raised + 30 * 60_000), false);
  });

  it("a ride action is dropped on an answer time cannot cure, and kept on one it can", () => {
    for (const code of ["CONFLICT", "NOT_FOUND", "FORBIDDEN", "VALIDATION_FAILED"])
      assert.equal(RIDE_ACTION_DROPPED_ON.has(code), true, code);
    for (const code of ["TIMEOUT", "INTERNAL", "RATE_LIMITED"])
      assert.equal(RIDE_ACTION_DROPPED_ON.has(code), false, code);
  });

  it("opening a user's outbox moves in what an older version kept under convoy.<userId>.<key>, for that user only", async () => {
    const storage = memoryStorage();
    const queues = memoryQueues();
    storage.saveJson("convoy.u1.outbox", [{ clientMsgId: "c1", text: "old" }]);
    storage.saveJson("convoy.u1.sosRaising", [{ clientSosId: "s1", groupId: "g1" }]);
    storage.saveJson("convoy.u2.outbox", [{ clientMsgId: "c9", text: "someone else's" }]);
    const chat = openOutbox<{ clientMsgId: string }>(queues, storage, "u1", "chat", (m) => m.clientMsgId);
    const sos = openOutbox<{ clientSosId: string }>(queues, storage, "u1", "sos", (p) => p.clientSosId);
    assert.deepEqual(
      (await chat.load()).map((m) => m.clientMsgId),
      ["c1"],
    );
    assert.deepEqual(
      (await sos.load()).map((p) => p.clientSosId),
      ["s1"],
    );
    assert.equal(storage.loadJson("convoy.u1.outbox", null), null);
    assert.equal(storage.loadJson("convoy.u1.sosRaising", null), null);
    assert.notEqual(storage.loadJson("convoy.u2.outbox", null), null, "u2's stays until u2 signs in");
    const other = openOutbox<{ clientMsgId: string }>(queues, storage, "u2", "chat", (m) => m.clientMsgId);
    assert.deepEqual(
      (await other.load()).map((m) => m.clientMsgId),
      ["c9"],
    );
  });
});
