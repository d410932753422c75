import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { Clock } from "@convoy/server";
import { LIMITS, type LocationUpdate, type Position } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { ask, askRaw, emitRaw } from "./support/sockets.ts";
import { collect, expectSilence, waitFor } from "./support/wait.ts";

const fix = (groupId: string, n: number): LocationUpdate => ({
  groupId,
  lat: 46.5 + n / 1000,
  lng: 7.9,
  accuracy: 5,
  heading: 90,
  speed: 20,
  ts: 1_790_000_000_000 + n,
});

describe("[3 /location]", () => {
  let app: TestApp;
  afterEach(() => app.close());

  async function ride(options: Parameters<typeof startApp>[0] = {}) {
    app = await startApp(options);
    const { group, members } = await app.groupWith(2);
    const [rider, follower] = members as [(typeof members)[0], (typeof members)[0]];
    const riderSocket = await app.connect("/location", rider.token);
    const followerSocket = await app.connect("/location", follower.token);
    const subscribed = await ask(followerSocket, "location:subscribe", { groupId: group.id });
    assert.ok(subscribed.ok);
    return { group, rider, follower, riderSocket, followerSocket };
  }

  it("location:update is FORBIDDEN until the rider shares", async () => {
    const { group, riderSocket } = await ride();
    const res = await ask(riderSocket, "location:update", fix(group.id, 1));
    assert.equal(res.ok ? null : res.error.code, "FORBIDDEN");
  });

  it("a sharing rider's update reaches subscribers as a position, and subscribe answers the last one", async () => {
    const { group, rider, riderSocket, followerSocket, follower } = await ride();
    const shared = await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    assert.deepEqual(shared, { ok: true, data: { groupId: group.id, sharing: true } });
    const seen = waitFor(followerSocket, "location:update");
    assert.deepEqual(await ask(riderSocket, "location:update", fix(group.id, 1)), {
      ok: true,
      data: { accepted: true },
    });
    const expected: Position = { ...fix(group.id, 1), userId: rider.user.id, username: rider.user.username };
    assert.deepEqual(await seen, expected);

    const late = await app.connect("/location", follower.token);
    const res = await ask(late, "location:subscribe", { groupId: group.id });
    assert.deepEqual(res, { ok: true, data: { groupId: group.id, riders: [expected], ride: null } });
  });

  it("optional fields default to null; the ack is optional", async () => {
    const { group, riderSocket, followerSocket } = await ride();
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const seen = waitFor(followerSocket, "location:update");
    // What the wire may leave out: the contract's LocationUpdate is the handler's view, defaults applied.
    emitRaw(riderSocket, "location:update", [{ groupId: group.id, lat: 1, lng: 2, ts: 3 }]);
    const position = await seen;
    assert.equal(position.accuracy, null);
    assert.equal(position.heading, null);
    assert.equal(position.speed, null);
  });

  it("turning sharing off sends location:stopped and forgets the position at once", async () => {
    const { group, rider, riderSocket, followerSocket } = await ride();
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const moved = waitFor(followerSocket, "location:update");
    await ask(riderSocket, "location:update", fix(group.id, 1));
    await moved;
    const stopped = waitFor(followerSocket, "location:stopped");
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: false });
    assert.deepEqual(await stopped, { groupId: group.id, userId: rider.user.id });
    const res = await ask(followerSocket, "location:subscribe", { groupId: group.id });
    assert.deepEqual(res.ok && res.data.riders, []);
    const after = await ask(riderSocket, "location:update", fix(group.id, 2));
    assert.equal(after.ok ? null : after.error.code, "FORBIDDEN");
  });

  it("sharing outlives a reconnect", async () => {
    const { group, rider, riderSocket, followerSocket } = await ride();
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    riderSocket.disconnect();
    const again = await app.connect("/location", rider.token);
    const seen = waitFor(followerSocket, "location:update");
    assert.deepEqual(await ask(again, "location:update", fix(group.id, 5)), {
      ok: true,
      data: { accepted: true },
    });
    await seen;
  });

  it("a rider without an update for 10 minutes gets location:stopped and is forgotten", async () => {
    let now = Date.now();
    const clock: Clock = { now: () => now };
    const { group, rider, riderSocket, followerSocket } = await ride({ clock, limits: { staleSweepMs: 20 } });
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const moved = waitFor(followerSocket, "location:update");
    await ask(riderSocket, "location:update", fix(group.id, 1));
    await moved;
    now += LIMITS.riderStaleMs - 1000;
    await expectSilence(followerSocket, "location:stopped", 100);
    const stopped = waitFor(followerSocket, "location:stopped");
    now += 2000;
    assert.deepEqual(await stopped, { groupId: group.id, userId: rider.user.id });
    const res = await ask(followerSocket, "location:subscribe", { groupId: group.id });
    assert.deepEqual(res.ok && res.data.riders, []);
    // Still sharing: the next update puts the rider back on the map.
    const back = waitFor(followerSocket, "location:update");
    await ask(riderSocket, "location:update", fix(group.id, 2));
    await back;
  });

  it("over 5 updates per second per group are coalesced: the newest is kept", async () => {
    const { group, riderSocket, followerSocket } = await ride();
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const seen = collect(followerSocket, "location:update");
    const newest = fix(group.id, 20);
    const last = waitFor(followerSocket, "location:update", {
      where: (p) => p.ts === newest.ts,
      ms: 3000,
    });
    // One burst, far faster than 5 a second: most of it must be coalesced away.
    for (let n = 1; n <= 20; n++) riderSocket.emit("location:update", fix(group.id, n));
    await last;
    seen.stop();
    // 5 pass at once, the newest follows when a slot frees; a stalled runner could let one more through.
    assert.ok(seen.seen.length <= LIMITS.locationPerSecond + 2, `delivered ${seen.seen.length}`);
    const tss = seen.seen.map((p) => p.ts);
    assert.deepEqual(
      [...tss].sort((a, b) => a - b),
      tss,
      "never older after newer",
    );
  });

  it("an older position (by device ts) does not replace a newer one", async () => {
    const { group, riderSocket, followerSocket } = await ride();
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const first = waitFor(followerSocket, "location:update");
    await ask(riderSocket, "location:update", fix(group.id, 10));
    await first;
    await ask(riderSocket, "location:update", fix(group.id, 5));
    await expectSilence(followerSocket, "location:update", 300);
    const res = await ask(followerSocket, "location:subscribe", { groupId: group.id });
    assert.equal(res.ok && res.data.riders[0]?.ts, fix(group.id, 10).ts);
  });

  it("out-of-range or non-finite numbers get VALIDATION_FAILED and reach nobody", async () => {
    const { group, riderSocket, followerSocket } = await ride();
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const events = collect(followerSocket, "location:update");
    for (const change of [
      { lat: 90.0001 },
      { lat: -91 },
      { lng: 180.5 },
      { lng: -181 },
      { heading: 360 },
      { heading: -1 },
      { speed: -0.1 },
      { accuracy: -5 },
      { lat: null },
      { lat: "46.5" },
      { ts: -1 },
      { ts: 1.5 },
      { lat: Number.NaN }, // JSON turns NaN and Infinity into null
      { lng: Number.POSITIVE_INFINITY },
    ]) {
      // Invalid on purpose: askRaw, which checks nothing.
      const res = await askRaw(riderSocket, "location:update", [{ ...fix(group.id, 1), ...change }]);
      assert.equal(res.ok ? null : res.error.code, "VALIDATION_FAILED", JSON.stringify(change));
    }
    await expectSilence(followerSocket, "location:update", 100);
    assert.equal(events.seen.length, 0);
  });

  it("non-members get FORBIDDEN on every event, unknown groups NOT_FOUND", async () => {
    const { group } = await ride();
    const outsider = await app.member();
    const socket = await app.connect("/location", outsider.token);
    for (const [event, payload] of [
      ["location:subscribe", { groupId: group.id }],
      ["location:unsubscribe", { groupId: group.id }],
      ["location:share", { groupId: group.id, sharing: true }],
      ["location:update", fix(group.id, 1)],
    ] as const) {
      const res = await ask(socket, event, payload);
      assert.equal(res.ok ? null : res.error.code, "FORBIDDEN", event);
      const missing = await ask(socket, event, { ...payload, groupId: "nope" });
      assert.equal(missing.ok ? null : missing.error.code, "NOT_FOUND", event);
    }
  });
});
