import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  AckResult,
  LocationClientEvents,
  LocationServerEvents,
  Sos,
  SosFix,
  SosReceiptState,
} from "@convoy/shared";
import { FakeAlarm } from "../../testing/fake-alarm.ts";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeEventTarget } from "../../testing/fake-event-target.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { memoryQueues } from "../../testing/memory-queues.ts";
import { settle } from "../../testing/settle.ts";
import { createSos, sosNote, type PendingRaise } from "./sos.ts";

function setup({ queues = memoryQueues(), fix = null as SosFix | null } = {}) {
  const clock = new FakeClock();
  const socket = new FakeSocket<LocationServerEvents, LocationClientEvents>(clock);
  const page = Object.assign(new FakeEventTarget<"visibilitychange">(), { hidden: false });
  const alarm = new FakeAlarm();
  const own = { fix };
  let ids = 0;
  const sos = createSos({
    socket,
    queue: queues.queue("me", "sos"),
    clock,
    page,
    alarm,
    userId: "me",
    lastFix: () => own.fix,
    newId: () => `client-${++ids}`,
  });
  sos.start();
  return { clock, socket, page, alarm, queues, own, sos };
}

/** An open SOS raised by `userId` (another rider unless told). */
function sosOf(id: string, fields: Partial<Sos> = {}): Sos {
  return {
    id,
    groupId: "g1",
    userId: "ann",
    username: "ann",
    clientSosId: `c-${id}`,
    note: null,
    fix: null,
    raisedAt: 1000,
    resolvedAt: null,
    resolvedBy: null,
    sentCount: 1,
    receipts: [],
    ...fields,
  };
}

/** The SOS as the server answers a receipt of this user. */
const withStep = (sos: Sos, state: SosReceiptState, userId = "me"): Sos => ({
  ...sos,
  receipts: [
    ...sos.receipts.filter((r) => r.userId !== userId),
    { userId, username: userId, state, at: 2000 },
  ],
});

const noAlerts: AckResult<{ alerts: Sos[] }> = { ok: true, data: { alerts: [] } };
const receipts = (socket: ReturnType<typeof setup>["socket"]) =>
  socket.sent("sos:receipt").map((r) => `${r.sosId}:${r.state}`);

describe("SOS", () => {
  it("asks sos:active on every connect, shows what is open and drops what was resolved meanwhile", async () => {
    const { socket, sos } = setup();
    socket.accept();
    assert.equal(socket.asked("sos:active").length, 1);
    socket.answer("sos:active", {
      ok: true,
      data: { alerts: [sosOf("s2", { raisedAt: 2000 }), sosOf("s1")] },
    });
    await settle();
    assert.deepEqual(
      sos.open.value.map((s) => s.id),
      ["s1", "s2"],
      "oldest first",
    );

    socket.drop();
    socket.accept();
    assert.equal(socket.asked("sos:active").length, 1, "asked again after the reconnect");
    socket.answer("sos:active", { ok: true, data: { alerts: [sosOf("s2", { raisedAt: 2000 })] } });
    await settle();
    assert.deepEqual(
      sos.open.value.map((s) => s.id),
      ["s2"],
      "s1 was resolved while away",
    );
  });

  it("an alert arriving while sos:active is answered is kept, even if the answer predates it", async () => {
    const { socket, sos } = setup();
    socket.accept();
    socket.fire("sos:alert", sosOf("s1"));
    socket.answer("sos:active", noAlerts);
    await settle();
    assert.deepEqual(
      sos.open.value.map((s) => s.id),
      ["s1"],
    );
  });

  it("sends delivered once per SOS, however often it arrives, and again after a drop lost it", async () => {
    const { socket } = setup();
    socket.accept();
    socket.answer("sos:active", noAlerts);
    socket.fire("sos:alert", sosOf("s1"));
    socket.fire(
      "sos:update",
      sosOf("s1", { receipts: [{ userId: "bob", username: "bob", state: "seen", at: 1 }] }),
    );
    assert.deepEqual(receipts(socket), ["s1:delivered"]);
    socket.drop(); // the receipt's answer is lost with the connection
    socket.accept();
    socket.answer("sos:active", { ok: true, data: { alerts: [sosOf("s1")] } });
    await settle();
    assert.deepEqual(
      receipts(socket),
      ["s1:delivered", "s1:delivered"],
      "sent again: it may not have arrived",
    );
    socket.answer("sos:receipt", { ok: true, data: { sos: withStep(sosOf("s1"), "delivered") } });
    await settle();
    socket.fire("sos:alert", sosOf("s1", { sentCount: 2 })); // a re-send, its copy without the receipt
    socket.drop();
    socket.accept();
    socket.answer("sos:active", {
      ok: true,
      data: { alerts: [withStep(sosOf("s1", { sentCount: 2 }), "delivered")] },
    });
    await settle();
    assert.deepEqual(receipts(socket), ["s1:delivered", "s1:delivered"], "not once more");
  });

  it("sends seen only while the alert is shown and the page is visible", async () => {
    const { socket, page, sos } = setup();
    socket.accept();
    socket.answer("sos:active", noAlerts);
    socket.fire("sos:alert", sosOf("s1"));
    page.hidden = true;
    page.dispatch("visibilitychange");
    sos.showing("s1");
    assert.deepEqual(receipts(socket), ["s1:delivered"], "hidden: not seen");
    page.hidden = false;
    page.dispatch("visibilitychange");
    assert.deepEqual(receipts(socket), ["s1:delivered", "s1:seen"]);

    socket.fire("sos:alert", sosOf("s2"));
    sos.showing(null);
    page.dispatch("visibilitychange");
    assert.deepEqual(receipts(socket), ["s1:delivered", "s1:seen", "s2:delivered"], "s2 was never shown");
    await settle();
  });

  it("I'm coming sends acknowledged; receipts never go back to a lower step", async () => {
    const { socket, sos } = setup();
    socket.accept();
    socket.answer("sos:active", noAlerts);
    socket.fire("sos:alert", sosOf("s1"));
    sos.acknowledge("s1");
    assert.deepEqual(receipts(socket), ["s1:delivered", "s1:acknowledged"]);
    assert.equal(sos.steps.value.s1, "acknowledged");
    socket.answer("sos:receipt", { ok: true, data: { sos: withStep(sosOf("s1"), "delivered") } });
    socket.answer("sos:receipt", { ok: true, data: { sos: withStep(sosOf("s1"), "acknowledged") } });
    await settle();
    assert.equal(sos.canResolve(sos.open.value[0]!), true, "who acknowledged may resolve");

    sos.showing("s1");
    socket.fire("sos:alert", sosOf("s1", { sentCount: 2 }));
    socket.drop();
    socket.accept();
    socket.answer("sos:active", { ok: true, data: { alerts: [sosOf("s1", { sentCount: 2 })] } });
    await settle();
    assert.deepEqual(
      receipts(socket),
      ["s1:delivered", "s1:acknowledged"],
      "neither delivered nor seen again",
    );
  });

  it("a step this user made on another device counts: this device does not send a lower one", () => {
    const { socket, sos } = setup();
    socket.accept();
    socket.fire("sos:alert", withStep(sosOf("s1"), "acknowledged"));
    sos.showing("s1");
    assert.deepEqual(receipts(socket), []);
    assert.equal(sos.needsAttention(sos.open.value[0]!), false);
  });

  it("raise: one clientSosId, the last own fix with its time and a one-line note; retried with the same id after a drop", async () => {
    const fix = { lat: 46.5, lng: 8.1, accuracy: 12, ts: 1_700_000_000_000 };
    const { socket, sos } = setup({ fix });
    socket.accept();
    socket.answer("sos:active", noAlerts);
    sos.raise("g1", "  leg hurts\nat the hairpin ");
    const first = { groupId: "g1", clientSosId: "client-1", note: "leg hurts at the hairpin", fix };
    assert.deepEqual(socket.asked("sos:raise"), [first]);
    sos.raise("g1", "again"); // pressed twice: the same SOS, nothing new on its way
    assert.deepEqual(socket.asked("sos:raise"), [first]);

    socket.drop();
    await settle();
    assert.deepEqual(
      sos.raising.value.map((p) => p.clientSosId),
      ["client-1"],
    );
    socket.accept();
    assert.deepEqual(socket.asked("sos:raise"), [first], "the same clientSosId again");
    const raised = sosOf("s9", { userId: "me", username: "me", clientSosId: "client-1", fix });
    socket.fire("sos:alert", raised); // the server's alert reaches the raiser's sockets too
    socket.answer("sos:raise", { ok: true, data: { sos: raised } });
    await settle();
    assert.deepEqual(sos.raising.value, []);
    assert.deepEqual(
      sos.open.value.map((s) => s.id),
      ["s9"],
    );
    assert.deepEqual(receipts(socket), [], "no receipt for one's own SOS");
    assert.equal(sos.needsAttention(raised), false);
    assert.equal(sos.canResolve(raised), true);
  });

  it("a raise made offline goes out on connect; one refused says why and is not retried", async () => {
    const { clock, socket, sos } = setup();
    sos.raise("g1", "");
    assert.deepEqual(socket.asked("sos:raise"), []);
    socket.accept();
    assert.deepEqual(socket.asked("sos:raise"), [
      { groupId: "g1", clientSosId: "client-1", note: null, fix: null },
    ]);
    socket.answer("sos:raise", { ok: false, error: { code: "FORBIDDEN", message: "not a member" } });
    await clock.advance(10_000);
    assert.deepEqual(socket.asked("sos:raise"), []);
    assert.deepEqual(sos.raising.value, []);
    assert.match(sos.problem.value ?? "", /not a member/);
  });

  it("an unanswered raise survives a reload and goes out with its clientSosId", async () => {
    const first = setup();
    first.sos.raise("g1", "help");
    first.sos.stop();
    const { socket } = setup({ queues: first.queues });
    socket.accept();
    await settle();
    assert.deepEqual(
      socket.asked("sos:raise").map((r) => r.clientSosId),
      ["client-1"],
    );
    await settle();
  });

  it("[outbox] after a reload, a raise kept 30 minutes or more (the page was closed) is not sent, and is forgotten", async () => {
    const queues = memoryQueues();
    const now = new FakeClock().now();
    const kept = (clientSosId: string, groupId: string, age: number): PendingRaise => ({
      clientSosId,
      groupId,
      note: null,
      fix: null,
      createdAt: now - age,
    });
    await queues.queue("me", "sos").put("old", kept("old", "g1", 30 * 60_000));
    await queues.queue("me", "sos").put("young", kept("young", "g2", 29 * 60_000));
    const { socket, sos } = setup({ queues });
    await settle();
    socket.accept();
    assert.deepEqual(
      sos.raising.value.map((p) => p.clientSosId),
      ["young"],
    );
    assert.deepEqual(
      socket.asked("sos:raise").map((r) => r.clientSosId),
      ["young"],
    );
    assert.deepEqual(
      (await queues.queue<PendingRaise>("me", "sos").load()).map((p) => p.clientSosId),
      ["young"],
    );
  });

  it("the alarm sounds on an alert and on each re-send, and stops once this user acknowledged", async () => {
    const { socket, alarm, sos } = setup();
    socket.accept();
    socket.fire("sos:alert", sosOf("s1"));
    assert.equal(alarm.rings, 1);
    socket.fire("sos:update", sosOf("s1"));
    socket.answer("sos:active", { ok: true, data: { alerts: [sosOf("s1")] } });
    await settle();
    assert.equal(alarm.rings, 1, "not for an update or the same alert again");
    socket.fire("sos:alert", sosOf("s1", { sentCount: 2 }));
    assert.equal(alarm.rings, 2, "again for the re-send");
    assert.equal(alarm.stops, 0);
    sos.acknowledge("s1");
    assert.equal(alarm.stops, 1);
    socket.fire("sos:alert", sosOf("s1", { sentCount: 3 }));
    assert.equal(alarm.rings, 2, "acknowledged: no more");
  });

  it("the alarm stops when the SOS is resolved, and never sounds for one's own SOS", () => {
    const { socket, alarm, sos } = setup();
    socket.accept();
    socket.fire("sos:alert", sosOf("mine", { userId: "me" }));
    assert.equal(alarm.rings, 0);
    socket.fire("sos:alert", sosOf("s1"));
    assert.equal(alarm.rings, 1);
    socket.fire("sos:resolved", sosOf("s1", { resolvedAt: 5000, resolvedBy: "ann" }));
    assert.equal(alarm.stops, 1);
    socket.fire("sos:update", sosOf("s1")); // late: a resolved SOS does not come back
    assert.deepEqual(
      sos.open.value.map((s) => s.id),
      ["mine"],
    );
  });

  it("where the browser blocks the sound, says so until a tap sounds it", async () => {
    const { socket, alarm, sos } = setup();
    alarm.result = "blocked";
    socket.accept();
    socket.fire("sos:alert", sosOf("s1"));
    await settle();
    assert.equal(sos.alarmBlocked.value, true);
    alarm.result = "sounding";
    sos.soundAlarm();
    await settle();
    assert.equal(alarm.rings, 2);
    assert.equal(sos.alarmBlocked.value, false);
  });

  it("resolve: asks the server and drops the SOS; a refusal is shown", async () => {
    const { socket, sos } = setup();
    socket.accept();
    socket.fire("sos:alert", sosOf("s1", { userId: "me" }));
    socket.fire("sos:alert", sosOf("s2"));
    assert.equal(sos.canResolve(sos.open.value[1]!), false, "not acknowledged");
    const refused = sos.resolve("s2");
    socket.answer("sos:resolve", { ok: false, error: { code: "FORBIDDEN", message: "acknowledge first" } });
    await refused;
    assert.match(sos.problem.value ?? "", /acknowledge first/);
    const done = sos.resolve("s1");
    assert.deepEqual(socket.asked("sos:resolve"), [{ sosId: "s1" }]);
    socket.answer("sos:resolve", { ok: true, data: { sos: sosOf("s1", { userId: "me", resolvedAt: 9 }) } });
    await done;
    assert.deepEqual(
      sos.open.value.map((s) => s.id),
      ["s2"],
    );
  });

  it("a receipt that timed out while connected is tried again", async () => {
    const { clock, socket } = setup();
    socket.accept();
    socket.fire("sos:alert", sosOf("s1"));
    await clock.advance(10_000); // no answer: TIMEOUT
    await clock.advance(3000);
    assert.deepEqual(receipts(socket), ["s1:delivered", "s1:delivered"]);
  });

  it("stopped, it leaves no listener, no timer and no alarm", async () => {
    const { clock, socket, page, alarm, sos } = setup();
    socket.accept();
    socket.fire("sos:alert", sosOf("s1"));
    socket.answer("sos:receipt", {
      ok: false,
      error: { code: "RATE_LIMITED", message: "slow", retryAfterMs: 500 },
    });
    await settle();
    assert.ok(clock.pending > 0);
    sos.stop();
    assert.equal(socket.listenerCount, 0);
    assert.equal(page.listenerCount, 0);
    socket.drop(); // rejects the acks still awaited, and their timers
    await settle();
    assert.equal(clock.pending, 0);
    assert.equal(alarm.stops, 1);
  });
});

describe("sosNote", () => {
  it("is one line, trimmed, without control or bidi characters, at most 280 characters, null when empty", () => {
    assert.equal(sosNote(" a\r\nb\t c\u202E "), "a b c");
    assert.equal(sosNote("  \n "), null);
    assert.equal(sosNote("x".repeat(300))?.length, 280);
    // Cut inside a surrogate pair, the half is left out.
    assert.equal(sosNote(`${"x".repeat(279)}😀`), "x".repeat(279));
  });
});
