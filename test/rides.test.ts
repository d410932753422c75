// Rides (issue #14) against real nodes, embedded, with Redis and a Redis Cluster: start one for
// a group, join (sharing on), trails a late subscriber gets in one answer, the
// end for everyone at once (sharing off), planned and idle ends, gap alerts
// raised once and cleared, and the summary that stays after the ride.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Limits } from "@convoy/server";
import { LIMITS, type AckResult, type Ride, type RideState, type RiderTrail } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { ask, askRaw, dataOf, type LocationSocket, codeOf } from "./support/sockets.ts";
import { BACKENDS, startBackend, type SharedState } from "./support/backends.ts";
import { expectSilence, waitFor } from "./support/wait.ts";

/** A point `northM` metres north of a start in the Alps. */
const at = (northM: number) => ({ lat: 46.5 + northM / 111_195, lng: 8.0 });
let ts = 1_790_000_000_000;
const update = (groupId: string, northM: number) => ({
  groupId,
  ...at(northM),
  accuracy: null,
  heading: null,
  speed: null,
  ts: ++ts,
});

type Client = LocationSocket;

/**
 * Waits (bounded: 100 reads, 20 ms apart) until the ride's stored trail of
 * `userId` is `done` (e.g. holds 5 points). A position feeds the trail after it is acked
 * and sent to subscribers (positions are latest-value, not stored first),
 * through Redis round trips that no later command waits behind.
 */
async function trailHolds(
  app: TestApp,
  ride: { groupId: string; rideId: string; token: string },
  userId: string,
  done: (trail: RiderTrail) => boolean,
): Promise<void> {
  for (let tries = 0; ; tries++) {
    const { body } = await app.http(
      "GET",
      `/api/groups/${ride.groupId}/rides/${ride.rideId}`,
      undefined,
      ride.token,
    );
    const trail = body.trails.find((t) => t.userId === userId);
    if (trail && done(trail)) return;
    assert.ok(
      tries < 100,
      `the trail never got there: ${trail?.points.length} points, ${trail?.distanceM} m`,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A clock the test moves forward. */
function testClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}

for (const backend of BACKENDS) {
  describe(`[rides] (${backend})`, () => {
    let state: SharedState | null = null;
    let run = 0;
    const apps: TestApp[] = [];
    before(async () => {
      state = await startBackend(backend);
    });
    after(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await state?.stop();
    });

    // Nodes that share a Redis share the signing key too.
    const jwtSecret = randomBytes(32).toString("hex");
    async function node(
      options: { limits?: Partial<Limits>; clock?: { now(): number }; prefix?: string } = {},
    ) {
      const app = await startApp({
        // Every position is recorded: the trail tests send faster than a phone would.
        limits: { locationPerSecond: 10_000, ...options.limits },
        ...(options.clock ? { clock: options.clock } : {}),
        redisPrefix: options.prefix ?? `rides${++run}:`,
        config: state ? { ...state.config, jwtSecret } : {},
      });
      apps.push(app);
      return app;
    }

    /** A group of `count` on `app`, each with a /location socket that has no group open. */
    async function groupOn(app: TestApp, count: number) {
      const { group, members } = await app.groupWith(count);
      const sockets = await Promise.all(members.map((m) => app.connect("/location", m.token)));
      return { group, members, sockets };
    }

    /** Optional fields left out, as a client may: the schema fills in their defaults. */
    const start = (socket: Client, input: object) =>
      askRaw(socket, "ride:start", [input]) as Promise<AckResult<{ ride: Ride }>>;

    it("a member starts a ride: every member's sockets hear it, the starter rides and shares; one ride at a time", async () => {
      const app = await node();
      const { group, members, sockets } = await groupOn(app, 3);
      const [starter, other, third] = sockets as [Client, Client, Client];
      const heard = [other, third].map((s) => waitFor(s, "ride:update"));
      const { ride } = dataOf(await start(starter, { groupId: group.id, name: "Sunday loop" }));
      assert.equal(ride.name, "Sunday loop");
      assert.equal(ride.groupId, group.id);
      assert.equal(ride.startedBy, members[0]!.user.id);
      assert.deepEqual(
        ride.riders.map((r) => [r.userId, r.leftAt]),
        [[members[0]!.user.id, null]],
      );
      assert.equal(ride.gapM, LIMITS.rideGapM);
      assert.equal(ride.stoppedMs, LIMITS.rideStoppedMs);
      for (const seen of await Promise.all(heard)) assert.deepEqual(seen, ride);
      // Starting shared the starter's position: no location:share needed.
      assert.equal(codeOf(await ask(starter, "location:update", update(group.id, 0))), "ok");

      assert.equal(codeOf(await start(other, { groupId: group.id, name: "Another" })), "CONFLICT");
      const active = dataOf(await ask(third, "ride:active", {}));
      assert.deepEqual(
        active.rides.map((r) => r.id),
        [ride.id],
      );
    });

    it("refuses what is not a member's, what is unknown and what is malformed, and changes nothing", async () => {
      const app = await node();
      const { group, sockets } = await groupOn(app, 1);
      const outsider = await app.connect("/location", (await app.member()).token);
      const [socket] = sockets as [Client];
      assert.equal(codeOf(await start(outsider, { groupId: group.id, name: "Mine" })), "FORBIDDEN");
      assert.equal(codeOf(await start(socket, { groupId: "no-such-group", name: "x" })), "NOT_FOUND");
      for (const bad of [
        { groupId: group.id, name: "" },
        { groupId: group.id, name: "x".repeat(LIMITS.rideName + 1) },
        { groupId: group.id, name: "evil\u202Ename" },
        { groupId: group.id, name: "x", gapM: LIMITS.rideGapMinM - 1 },
        { groupId: group.id, name: "x", stoppedMs: 1.5e6 + 0.5 },
        { groupId: group.id, name: "x", extra: true },
        { groupId: group.id, name: "x", plannedEndAt: Date.now() - 1000 },
      ])
        assert.equal(codeOf(await start(socket, bad)), "VALIDATION_FAILED", JSON.stringify(bad));
      assert.deepEqual(dataOf(await ask(socket, "ride:active", {})).rides, []);
      const { ride } = dataOf(await start(socket, { groupId: group.id, name: "Fine" }));
      for (const event of ["ride:join", "ride:leave", "ride:end"] as const) {
        assert.equal(codeOf(await ask(socket, event, { rideId: "no-such-ride" })), "NOT_FOUND", event);
        assert.equal(codeOf(await ask(outsider, event, { rideId: ride.id })), "FORBIDDEN", event);
        assert.equal(codeOf(await ask(socket, event, { rideId: "" })), "VALIDATION_FAILED", event);
      }
    });

    it("joining shares the rider's position for the ride, with the consent's time; leaving stops it", async () => {
      const app = await node();
      const { group, members, sockets } = await groupOn(app, 2);
      const [starter, rider] = sockets as [Client, Client];
      const watcher = await app.connect("/location", members[0]!.token);
      dataOf(await ask(watcher, "location:subscribe", { groupId: group.id }));
      const { ride } = dataOf(await start(starter, { groupId: group.id, name: "Pass" }));
      assert.equal(codeOf(await ask(rider, "location:update", update(group.id, 0))), "FORBIDDEN");

      const heard = waitFor(starter, "ride:update", { where: (r) => r.riders.length === 2 });
      const before = Date.now();
      const state = dataOf(await ask(rider, "ride:join", { rideId: ride.id }));
      const joined = state.ride.riders.find((r) => r.userId === members[1]!.user.id)!;
      assert.ok(joined.joinedAt >= before && joined.joinedAt <= Date.now(), "consent recorded when given");
      assert.deepEqual((await heard).riders, state.ride.riders);
      assert.equal(codeOf(await ask(rider, "location:update", update(group.id, 0))), "ok");

      const stopped = waitFor(watcher, "location:stopped");
      const left = dataOf(await ask(rider, "ride:leave", { rideId: ride.id }));
      assert.ok(left.ride.riders.find((r) => r.userId === members[1]!.user.id)!.leftAt !== null);
      assert.deepEqual(await stopped, { groupId: group.id, userId: members[1]!.user.id });
      assert.equal(codeOf(await ask(rider, "location:update", update(group.id, 1))), "FORBIDDEN");
      // Back in: the same consent record rides on.
      const again = dataOf(await ask(rider, "ride:join", { rideId: ride.id }));
      assert.deepEqual(
        again.ride.riders.find((r) => r.userId === members[1]!.user.id),
        { ...joined, leftAt: null },
      );
    });

    it("trails: a late subscriber gets every rider's thinned trail in its subscribe answer, and so does a joiner", async () => {
      const app = await node();
      const { group, members, sockets } = await groupOn(app, 3);
      const [starter, rider] = sockets as [Client, Client];
      const { ride } = dataOf(await start(starter, { groupId: group.id, name: "Trails" }));
      dataOf(await ask(rider, "ride:join", { rideId: ride.id }));
      const watcher = await app.connect("/location", members[2]!.token);
      dataOf(await ask(watcher, "location:subscribe", { groupId: group.id }));
      // 1 km north in 5 m steps: a point per ~25 m survives, not 200.
      let last = waitFor(watcher, "location:update");
      for (let m = 0; m <= 1000; m += 5) {
        dataOf(await ask(starter, "location:update", update(group.id, m)));
        if (m === 1000) await last;
      }
      last = waitFor(watcher, "location:update", {
        where: (p) => (p as { userId: string }).userId === members[1]!.user.id,
      });
      for (let m = 0; m <= 200; m += 50) dataOf(await ask(rider, "location:update", update(group.id, m)));
      await last;
      const summary = { groupId: group.id, rideId: ride.id, token: members[2]!.token };
      await trailHolds(app, summary, members[0]!.user.id, (trail) => trail.distanceM > 970);
      await trailHolds(app, summary, members[1]!.user.id, (trail) => trail.points.length === 5);

      const late = await app.connect("/location", members[2]!.token);
      const answer = dataOf(await ask(late, "location:subscribe", { groupId: group.id }));
      assert.ok(answer.ride, "the ride under way comes with the subscribe answer");
      assert.equal(answer.ride.ride.id, ride.id);
      const trailOf = (state: RideState, userId: string) => state.trails.find((t) => t.userId === userId)!;
      const starterTrail = trailOf(answer.ride, members[0]!.user.id);
      assert.ok(
        starterTrail.points.length >= 30 && starterTrail.points.length <= 45,
        `${starterTrail.points.length} points for 1 km`,
      );
      assert.ok(Math.abs(starterTrail.distanceM - 1000) < 30, `${starterTrail.distanceM} m`);
      assert.deepEqual(starterTrail.points[0]!.slice(0, 2), [at(0).lat, at(0).lng]);
      const riderTrail = trailOf(answer.ride, members[1]!.user.id);
      assert.equal(riderTrail.points.length, 5);
      // Points are [lat, lng, ts], in order.
      for (const trail of answer.ride.trails)
        for (let i = 1; i < trail.points.length; i++)
          assert.ok(trail.points[i]![2] > trail.points[i - 1]![2]);

      const outsider = await app.connect("/location", (await app.member()).token);
      assert.equal(codeOf(await ask(outsider, "location:subscribe", { groupId: group.id })), "FORBIDDEN");
      const joinAnswer = dataOf(await ask(watcher, "ride:join", { rideId: ride.id }));
      assert.deepEqual(joinAnswer.trails, answer.ride.trails);
    });

    it("ends for everyone at once: only its starter or the owner may end it; sharing stops for every rider", async () => {
      const app = await node();
      const { group, members, sockets } = await groupOn(app, 3);
      const [owner, starter, rider] = sockets as [Client, Client, Client];
      const watcher = await app.connect("/location", members[2]!.token);
      dataOf(await ask(watcher, "location:subscribe", { groupId: group.id }));
      const { ride } = dataOf(await start(starter, { groupId: group.id, name: "To end" }));
      dataOf(await ask(rider, "ride:join", { rideId: ride.id }));
      for (const [socket, m] of [
        [starter, 0],
        [rider, 100],
      ] as const)
        dataOf(await ask(socket, "location:update", update(group.id, m)));

      assert.equal(codeOf(await ask(rider, "ride:end", { rideId: ride.id })), "FORBIDDEN");
      const stops = [members[1]!, members[2]!].map((m) =>
        waitFor(watcher, "location:stopped", { where: (s) => s.userId === m.user.id }),
      );
      const endedEverywhere = [owner, starter, rider].map((s) => waitFor(s, "ride:ended"));
      // The owner may end a ride another member started.
      const { ride: ended } = dataOf(await ask(owner, "ride:end", { rideId: ride.id }));
      assert.equal(ended.endReason, "ended");
      assert.ok(ended.endedAt !== null);
      assert.ok(ended.riders.every((r) => r.leftAt === ended.endedAt));
      for (const seen of await Promise.all(endedEverywhere)) assert.deepEqual(seen, ended);
      await Promise.all(stops);
      for (const socket of [starter, rider])
        assert.equal(codeOf(await ask(socket, "location:update", update(group.id, 200))), "FORBIDDEN");
      assert.deepEqual(
        dataOf(
          await ask(watcher, "location:subscribe", {
            groupId: group.id,
          }),
        ),
        { groupId: group.id, riders: [], ride: null },
      );
      assert.equal(codeOf(await ask(owner, "ride:end", { rideId: ride.id })), "CONFLICT");
      assert.equal(codeOf(await ask(owner, "ride:join", { rideId: ride.id })), "CONFLICT");
      assert.equal(codeOf(await ask(owner, "ride:leave", { rideId: ride.id })), "CONFLICT");
      // A new ride may start now.
      assert.equal(codeOf(await start(rider, { groupId: group.id, name: "Next" })), "ok");
    });

    it("after the ride its summary stays: the group's rides, and each rider's trail and distance", async () => {
      const app = await node();
      const { group, members, sockets } = await groupOn(app, 2);
      const [starter] = sockets as [Client];
      const { ride } = dataOf(await start(starter, { groupId: group.id, name: "Kept" }));
      for (let m = 0; m <= 510; m += 30) dataOf(await ask(starter, "location:update", update(group.id, m)));
      await trailHolds(
        app,
        { groupId: group.id, rideId: ride.id, token: members[1]!.token },
        members[0]!.user.id,
        (trail) => trail.points.length === 18,
      );
      const { ride: ended } = dataOf(await ask(starter, "ride:end", { rideId: ride.id }));

      const list = await app.http("GET", `/api/groups/${group.id}/rides`, undefined, members[1]!.token);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.rides, [ended]);
      const summary = await app.http(
        "GET",
        `/api/groups/${group.id}/rides/${ride.id}`,
        undefined,
        members[1]!.token,
      );
      assert.equal(summary.status, 200);
      assert.deepEqual(summary.body.ride, ended);
      const trail = summary.body.trails.find((t) => t.userId === members[0]!.user.id)!;
      assert.ok(Math.abs(trail.distanceM - 510) < 10, `${trail.distanceM} m`);
      assert.equal(trail.points.length, 18);

      const outsider = await app.member();
      const refused = await app.http(
        "GET",
        `/api/groups/${group.id}/rides/${ride.id}`,
        undefined,
        outsider.token,
      );
      assert.equal(refused.status, 403);
      const missing = await app.http(
        "GET",
        `/api/groups/${group.id}/rides/nope`,
        undefined,
        members[0]!.token,
      );
      assert.equal(missing.status, 404);
    });

    it("ends by itself at its planned end, and when nobody sent a position for the idle time", async () => {
      const clock = testClock();
      const app = await node({ clock, limits: { rideCheckMs: 50 } });
      const { group, sockets } = await groupOn(app, 2);
      const [starter, other] = sockets as [Client, Client];
      const planned = dataOf(
        await start(starter, { groupId: group.id, name: "Until noon", plannedEndAt: clock.now() + 60_000 }),
      ).ride;
      const plannedEnd = waitFor(other, "ride:ended");
      clock.advance(60_000);
      const ended = await plannedEnd;
      assert.equal(ended.id, planned.id);
      assert.equal(ended.endReason, "planned-end");

      dataOf(await start(starter, { groupId: group.id, name: "Open end" }));
      dataOf(await ask(starter, "location:update", update(group.id, 0)));
      await expectSilence(other, "ride:ended", 300);
      const idleEnd = waitFor(other, "ride:ended");
      clock.advance(LIMITS.rideIdleMs);
      assert.equal((await idleEnd).endReason, "idle");
    });

    // With 16 points at most, the front's trail is thinned (its stored copy replaced) while the
    // checks, every 50 ms, read on from what they read before (with Redis).
    for (const trailPoints of [LIMITS.trailPoints, 16])
      it(`gap alerts: a rider far behind along the road is named once, with a regroup point ahead; cleared when the gap closes (trails of ${trailPoints} points)`, async () => {
        const clock = testClock();
        const app = await node({ clock, limits: { rideCheckMs: 50, trailPoints } });
        const { group, members, sockets } = await groupOn(app, 3);
        const [front, back, other] = sockets as [Client, Client, Client];
        const { ride } = dataOf(await start(front, { groupId: group.id, name: "Gaps", gapM: 500 }));
        dataOf(await ask(back, "ride:join", { rideId: ride.id }));
        dataOf(await ask(back, "location:update", update(group.id, 0)));
        dataOf(await ask(back, "location:update", update(group.id, 30)));
        const raised = waitFor(other, "ride:alert");
        for (let m = 0; m <= 800; m += 25) dataOf(await ask(front, "location:update", update(group.id, m)));
        const alert = await raised;
        assert.equal(alert.rideId, ride.id);
        assert.equal(alert.kind, "gap");
        assert.equal(alert.userId, members[1]!.user.id);
        assert.equal(alert.username, members[1]!.user.username);
        // Raised by the first check past 500 m: a check may run while the front's positions still
        // stream in (one every 50 ms), so the gap is anywhere from the threshold to the last 770 m.
        const behindM = alert.behindM ?? 0;
        assert.ok(behindM > 500 && behindM < 810, `${alert.behindM} m behind`);
        // Halfway between them, on the road: the back rider is at 30 m.
        assert.ok(alert.regroupAt && Math.abs(alert.regroupAt.lat - at(30 + behindM / 2).lat) < 40 / 111_195);
        await expectSilence(other, "ride:alert", 300);
        const state = dataOf(await ask(other, "location:subscribe", { groupId: group.id }));
        assert.deepEqual(state.ride?.alerts, [alert]);

        const cleared = waitFor(other, "ride:alert-cleared");
        for (let m = 50; m <= 700; m += 25) dataOf(await ask(back, "location:update", update(group.id, m)));
        assert.deepEqual(await cleared, { rideId: ride.id, groupId: group.id, userId: members[1]!.user.id });
      });

    if (backend !== "embedded") {
      it("two nodes: a ride started on A reaches B's members; its alerts are raised once, not once per node", async () => {
        const clock = testClock();
        const prefix = `rides-shared${++run}:`;
        const a = await node({ clock, prefix, limits: { rideCheckMs: 50 } });
        const b = await node({ clock, prefix, limits: { rideCheckMs: 50 } });
        const { group, members } = await a.groupWith(3);
        const [front, back, other] = [
          await a.connect("/location", members[0]!.token),
          await b.connect("/location", members[1]!.token),
          await b.connect("/location", members[2]!.token),
        ];
        const heard = waitFor(other, "ride:update");
        const { ride } = dataOf(await start(front, { groupId: group.id, name: "Across", gapM: 500 }));
        assert.deepEqual(await heard, ride);
        dataOf(await ask(back, "ride:join", { rideId: ride.id }));
        dataOf(await ask(back, "location:update", update(group.id, 0)));
        const raised = waitFor(other, "ride:alert");
        for (let m = 0; m <= 800; m += 25) dataOf(await ask(front, "location:update", update(group.id, m)));
        assert.equal((await raised).userId, members[1]!.user.id);
        await expectSilence(other, "ride:alert", 500);
        const ended = waitFor(front, "ride:ended");
        dataOf(await ask(front, "ride:end", { rideId: ride.id }));
        assert.equal((await ended).id, ride.id);
      });
    }
  });
}
