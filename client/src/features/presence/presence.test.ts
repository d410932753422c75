import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PresenceClientEvents, PresenceMember, PresenceServerEvents } from "@convoy/shared";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeEventTarget } from "../../testing/fake-event-target.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { settle } from "../../testing/settle.ts";
import { createPresence } from "./presence.ts";

function setup() {
  const clock = new FakeClock();
  const socket = new FakeSocket<PresenceServerEvents, PresenceClientEvents>(clock);
  const page = Object.assign(new FakeEventTarget<"visibilitychange">(), { hidden: false });
  const presence = createPresence({ socket, page, clock });
  presence.start();
  return { clock, socket, page, presence };
}

const member = (userId: string, status: PresenceMember["status"]): PresenceMember => ({
  userId,
  username: userId,
  status,
  lastSeen: status === "offline" ? 1000 : null,
});

describe("presence", () => {
  it("subscribes to every followed group on connect, and again after a reconnect", async () => {
    const { socket, presence } = setup();
    presence.follow("g1");
    presence.follow("g1");
    assert.deepEqual(socket.asked("presence:subscribe"), [], "nothing is sent while offline");
    socket.accept();
    presence.follow("g2"); // followed while connected: subscribed at once
    assert.deepEqual(socket.asked("presence:subscribe"), [{ groupId: "g1" }, { groupId: "g2" }]);
    socket.answer("presence:subscribe", {
      ok: true,
      data: { groupId: "g1", members: [member("ann", "online"), member("bob", "offline")] },
    });
    await settle();
    assert.deepEqual(Object.keys(presence.byGroup.value.g1 ?? {}), ["ann", "bob"]);

    socket.drop();
    socket.accept();
    assert.deepEqual(socket.asked("presence:subscribe"), [{ groupId: "g1" }, { groupId: "g2" }]);
  });

  it("applies updates to the member they are about", () => {
    const { socket, presence } = setup();
    socket.fire("presence:update", { groupId: "g1", ...member("ann", "online") });
    socket.fire("presence:update", { groupId: "g1", ...member("ann", "away") });
    socket.fire("presence:update", { groupId: "g2", ...member("ann", "offline") });
    assert.equal(presence.byGroup.value.g1?.ann?.status, "away");
    assert.equal(presence.byGroup.value.g2?.ann?.status, "offline");
  });

  it("is away while the page is hidden, online again when shown, and says so on connect when hidden", () => {
    const { socket, page } = setup();
    page.hidden = true;
    page.dispatch("visibilitychange");
    assert.deepEqual(socket.sent("presence:set"), [], "offline: nothing to tell");
    socket.accept();
    assert.deepEqual(socket.sent("presence:set"), [{ status: "away" }]);
    page.hidden = false;
    page.dispatch("visibilitychange");
    assert.deepEqual(socket.sent("presence:set"), [{ status: "away" }, { status: "online" }]);
  });

  it("a subscription refused with RATE_LIMITED is tried again after retryAfterMs", async () => {
    const { clock, socket, presence } = setup();
    presence.follow("g1");
    socket.accept();
    socket.answer("presence:subscribe", {
      ok: false,
      error: { code: "RATE_LIMITED", message: "Slow down.", retryAfterMs: 300 },
    });
    await clock.advance(299);
    assert.deepEqual(socket.asked("presence:subscribe"), []);
    await clock.advance(1);
    assert.deepEqual(socket.asked("presence:subscribe"), [{ groupId: "g1" }]);
  });

  it("stopped, it leaves no listener and no timer", async () => {
    const { clock, socket, page, presence } = setup();
    presence.follow("g1");
    socket.accept();
    socket.answer("presence:subscribe", {
      ok: false,
      error: { code: "RATE_LIMITED", message: "Slow down." },
    });
    await settle();
    assert.equal(clock.pending, 1);
    presence.stop();
    assert.equal(socket.listenerCount, 0);
    assert.equal(page.listenerCount, 0);
    assert.equal(clock.pending, 0);
  });
});
