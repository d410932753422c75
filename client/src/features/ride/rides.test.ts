import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  LocationClientEvents,
  LocationServerEvents,
  Position,
  Ride,
  RideAlert,
  RideState,
} from "@convoy/shared";
import { ApiError, type Api } from "../../net/http.ts";
import type { QueueStore } from "../../net/durable-queue.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeGeolocation } from "../../testing/fake-geolocation.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { memoryQueues } from "../../testing/memory-queues.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { settle } from "../../testing/settle.ts";
import { createLocation } from "../map/location.ts";
import { createRides } from "./rides.ts";

const CONSENT = "convoy.me.sharing";
const T0 = Date.UTC(2025, 5, 1, 8);

function ride(overrides: Partial<Ride> = {}, riders: Array<[string, number | null]> = [["ann", null]]): Ride {
  return {
    id: "r1",
    groupId: "g1",
    name: "Sunday loop",
    startedBy: "ann",
    startedAt: T0,
    plannedEndAt: null,
    endedAt: null,
    endReason: null,
    gapM: 2000,
    stoppedMs: 300_000,
    riders: riders.map(([userId, leftAt]) => ({ userId, username: userId, joinedAt: T0, leftAt })),
    ...overrides,
  };
}

const ended = (r: Ride): Ride => ({
  ...r,
  endedAt: T0 + 60_000,
  endReason: "ended",
  riders: r.riders.map((rider) => ({ ...rider, leftAt: rider.leftAt ?? T0 + 60_000 })),
});

const position = (userId: string, lat: number, groupId = "g1"): Position => ({
  groupId,
  userId,
  username: userId,
  lat,
  lng: 8.6,
  accuracy: null,
  heading: null,
  speed: null,
  ts: T0,
});

const alert = (userId: string, rideId = "r1"): RideAlert => ({
  rideId,
  groupId: "g1",
  userId,
  username: userId,
  kind: "gap",
  behindM: 2100,
  regroupAt: { lat: 46.5, lng: 8.6 },
  raisedAt: T0,
});

function setup({
  storage = memoryStorage(),
  api = (async () => ({})) as Api,
  maxTrailPoints = 2000,
  queues = memoryQueues(),
}: { storage?: JsonStorage; api?: Api; maxTrailPoints?: number; queues?: QueueStore } = {}) {
  const clock = new FakeClock(T0);
  const geolocation = new FakeGeolocation();
  const socket = new FakeSocket<LocationServerEvents, LocationClientEvents>(clock);
  const location = createLocation({ socket, storage, clock, geolocation, userId: "me", random: () => 0 });
  let ids = 0;
  const rides = createRides({
    socket,
    location,
    api,
    userId: "me",
    maxTrailPoints,
    queue: queues.queue("me", "ride"),
    clock,
    newId: () => `q${++ids}`,
  });
  location.start();
  rides.start();
  /** Connects, and answers ride:active with `active`. */
  const connect = async (active: Ride[] = []) => {
    socket.accept();
    socket.answer("ride:active", { ok: true, data: { rides: active } });
    await settle();
  };
  return { clock, socket, storage, queues, geolocation, location, rides, connect };
}

const state = (r: Ride, extra: Partial<RideState> = {}): RideState => ({
  ride: r,
  trails: [],
  alerts: [],
  ...extra,
});

describe("rides", () => {
  it("knows the rides under way from ride:active on every connect, and applies updates and ends", async () => {
    const api = (async (_method: string, path: string) => {
      assert.equal(path, "/api/groups/g1/rides/r1");
      return state(ended(ride()));
    }) as Api;
    const { socket, rides, connect } = setup({ api });
    await connect([ride(), ride({ id: "r2", groupId: "g2" })]);
    assert.deepEqual(Object.keys(rides.active.value).sort(), ["g1", "g2"]);

    socket.fire(
      "ride:update",
      ride({}, [
        ["ann", null],
        ["bob", null],
      ]),
    );
    assert.equal(rides.active.value.g1?.riders.length, 2);
    socket.fire("ride:ended", ended(ride({ id: "r2", groupId: "g2" })));
    assert.deepEqual(Object.keys(rides.active.value), ["g1"]);
    assert.equal(rides.lastEnded.value.g2?.id, "r2", "the ended ride stays known for its summary");

    socket.drop();
    await connect([]);
    assert.deepEqual(rides.active.value, {}, "ended while offline");
    assert.equal(rides.lastEnded.value.g1?.endedAt, T0 + 60_000, "its end is learnt from the server");
    socket.fire("ride:update", ride({ id: "r3", groupId: "g2" }));
    assert.equal(rides.lastEnded.value.g2, undefined, "a new ride replaces the ended one");
  });

  it("takes the open group's ride from the subscribe answer and extends its trails with positions, bounded", async () => {
    const { socket, location, rides, connect } = setup({ maxTrailPoints: 3 });
    location.watchGroup("g1");
    await connect();
    socket.answer("location:subscribe", {
      ok: true,
      data: {
        groupId: "g1",
        riders: [],
        ride: state(
          ride({}, [
            ["ann", null],
            ["bob", null],
            ["cid", T0],
          ]),
          {
            trails: [{ userId: "ann", points: [[46.1, 8.6, T0]], distanceM: 0 }],
          },
        ),
      },
    });
    await settle();
    assert.equal(rides.active.value.g1?.id, "r1");
    socket.fire("location:update", position("ann", 46.2));
    socket.fire("location:update", position("ann", 46.2)); // the same place: no new point
    socket.fire("location:update", position("bob", 46.0));
    socket.fire("location:update", position("cid", 46.0)); // left the ride
    socket.fire("location:update", position("dan", 46.0)); // not in it
    const byRider = () => rides.trails.value.g1?.byRider ?? {};
    assert.deepEqual(
      byRider().ann?.map((p) => p[0]),
      [46.1, 46.2],
    );
    assert.deepEqual(Object.keys(byRider()).sort(), ["ann", "bob"]);
    for (const lat of [46.3, 46.4, 46.5]) socket.fire("location:update", position("ann", lat));
    assert.deepEqual(
      byRider().ann?.map((p) => p[0]),
      [46.3, 46.4, 46.5],
      "the newest points, within the bound",
    );

    // The ride ends; the next one, started by someone else, is drawn from its first position on.
    socket.fire("ride:ended", ended(ride()));
    assert.equal(rides.trails.value.g1, undefined);
    socket.fire("ride:update", ride({ id: "r2", startedBy: "bob" }, [["bob", null]]));
    socket.fire("location:update", position("bob", 46.6));
    assert.deepEqual(rides.trails.value.g1, { rideId: "r2", byRider: { bob: [[46.6, 8.6, T0]] } });

    // Another group opened: its ride comes with its answer, the old group's trails are dropped.
    location.watchGroup("g2");
    socket.answer("location:subscribe", { ok: true, data: { groupId: "g2", riders: [], ride: null } });
    await settle();
    assert.deepEqual(rides.trails.value, {});
    assert.equal(rides.active.value.g2, undefined);
  });

  it("raises alerts and clears them, and drops them when their ride ends", async () => {
    const { socket, rides, connect } = setup();
    await connect([
      ride({}, [
        ["ann", null],
        ["bob", null],
      ]),
    ]);
    socket.fire("ride:alert", alert("bob"));
    socket.fire("ride:alert", alert("ann"));
    assert.deepEqual(Object.keys(rides.alerts.value.g1 ?? {}).sort(), ["ann", "bob"]);
    socket.fire("ride:alert-cleared", { rideId: "r1", groupId: "g1", userId: "bob" });
    socket.fire("ride:alert-cleared", { rideId: "old", groupId: "g1", userId: "ann" });
    assert.deepEqual(
      Object.keys(rides.alerts.value.g1 ?? {}),
      ["ann"],
      "another ride's clearing changes nothing",
    );
    socket.fire("ride:ended", ended(ride()));
    assert.deepEqual(rides.alerts.value.g1, {});
  });

  it("starting shares for the ride (no location:share); its end stops the source and forgets the consent for good", async () => {
    const { clock, socket, storage, geolocation, location, rides, connect } = setup();
    await connect();
    const started = rides.startRide("g1", { name: "Sunday loop", plannedEndAt: null, mode: "gps" });
    assert.deepEqual(socket.asked("ride:start"), [
      { groupId: "g1", name: "Sunday loop", plannedEndAt: null, gapM: 2000, stoppedMs: 300_000 },
    ]);
    socket.answer("ride:start", { ok: true, data: { ride: ride({ startedBy: "me" }, [["me", null]]) } });
    assert.equal(await started, null);
    assert.equal(geolocation.watching, 1, "the GPS source started");
    assert.deepEqual(location.sharing.value, { g1: "gps" });
    assert.deepEqual(location.rideSharing.value, { g1: "r1" });
    assert.deepEqual(storage.loadJson(CONSENT, {}), { g1: "gps" });
    assert.deepEqual(socket.sent("location:share"), [], "the server shares for the ride already");

    socket.fire("ride:ended", ended(ride({ startedBy: "me" }, [["me", null]])));
    assert.equal(geolocation.watching, 0);
    assert.deepEqual(location.sharing.value, {});
    assert.deepEqual(storage.loadJson(CONSENT, null), {});
    socket.drop();
    await connect();
    assert.deepEqual(socket.sent("location:share"), [], "a reconnect does not share again");
    assert.equal(clock.pending, 0);
  });

  it("joining (simulated) starts the simulated ride and takes the ride's state; leaving stops it and forgets it", async () => {
    const { clock, socket, location, rides, connect } = setup();
    await connect([ride()]);
    const r1 = rides.active.value.g1!;
    const joined = rides.joinRide(r1, "simulated");
    assert.deepEqual(socket.asked("ride:join"), [{ rideId: "r1" }]);
    const withMe = ride({}, [
      ["ann", null],
      ["me", null],
    ]);
    socket.answer("ride:join", {
      ok: true,
      data: state(withMe, {
        trails: [{ userId: "ann", points: [[46.1, 8.6, T0]], distanceM: 0 }],
        alerts: [alert("ann")],
      }),
    });
    assert.equal(await joined, null);
    assert.equal(rides.trails.value.g1?.byRider.ann?.length, 1);
    assert.equal(rides.alerts.value.g1?.ann?.kind, "gap");
    await clock.advance(2000);
    assert.equal(socket.sent("location:update").length, 3, "positions every second");

    const left = rides.leaveRide(withMe);
    socket.answer("ride:leave", {
      ok: true,
      data: {
        ride: ride({}, [
          ["ann", null],
          ["me", T0 + 5000],
        ]),
      },
    });
    assert.equal(await left, null);
    assert.equal(clock.pending, 0, "the simulated ride stopped");
    assert.deepEqual(location.sharing.value, {});
    socket.drop();
    await connect([ride()]);
    assert.deepEqual(socket.sent("location:share"), []);
    assert.deepEqual(socket.asked("ride:join"), [], "not joined again");
  });

  it("a ride left or ended on another device stops this one's sharing too", async () => {
    const { socket, location, rides, connect } = setup();
    await connect([ride()]);
    const joined = rides.joinRide(rides.active.value.g1!, "gps");
    socket.answer("ride:join", {
      ok: true,
      data: state(
        ride({}, [
          ["ann", null],
          ["me", null],
        ]),
      ),
    });
    await joined;
    socket.fire(
      "ride:update",
      ride({}, [
        ["ann", null],
        ["me", T0 + 1000],
      ]),
    );
    assert.deepEqual(location.rideSharing.value, {});
    assert.deepEqual(location.sharing.value, {});
  });

  it("after a reload, GPS sharing for a ride runs on; the reconnect checks the ride instead of sharing again", async () => {
    const first = setup();
    await first.connect([ride()]);
    const joined = first.rides.joinRide(first.rides.active.value.g1!, "gps");
    first.socket.answer("ride:join", {
      ok: true,
      data: state(
        ride({}, [
          ["ann", null],
          ["me", null],
        ]),
      ),
    });
    await joined;
    first.rides.stop();
    first.location.stop();

    // Still on: joined again (which shares for the ride, unlike location:share, never after its end).
    const still = setup({ storage: first.storage });
    assert.equal(still.geolocation.watching, 1);
    still.socket.accept();
    assert.deepEqual(still.socket.sent("location:share"), []);
    still.socket.answer("ride:active", {
      ok: true,
      data: {
        rides: [
          ride({}, [
            ["ann", null],
            ["me", null],
          ]),
        ],
      },
    });
    await settle();
    assert.deepEqual(still.socket.asked("ride:join"), [{ rideId: "r1" }]);
    still.socket.answer("ride:join", {
      ok: true,
      data: state(
        ride({}, [
          ["ann", null],
          ["me", null],
        ]),
      ),
    });
    await settle();
    assert.equal(still.geolocation.watching, 1, "the source was not restarted");
    assert.deepEqual(still.location.rideSharing.value, { g1: "r1" });

    // Over meanwhile: forgotten, and nothing is shared.
    const over = setup({ storage: first.storage });
    await over.connect([]);
    assert.deepEqual(over.socket.sent("location:share"), []);
    assert.deepEqual(over.socket.asked("ride:join"), []);
    assert.equal(over.geolocation.watching, 0);
    assert.deepEqual(over.storage.loadJson(CONSENT, null), {});
  });

  it("an answer asked before the user's own join does not undo it", async () => {
    const { socket, location, rides } = setup();
    location.watchGroup("g1");
    socket.accept();
    // The subscribe and ride:active left before the ride started; they answer after.
    const started = rides.startRide("g1", {
      name: "Quick",
      plannedEndAt: null,
      mode: "gps",
      gapM: 500,
      stoppedMs: 120_000,
    });
    assert.deepEqual(
      socket.asked("ride:start"),
      [{ groupId: "g1", name: "Quick", plannedEndAt: null, gapM: 500, stoppedMs: 120_000 }],
      "the thresholds chosen in the form",
    );
    socket.answer("ride:start", { ok: true, data: { ride: ride({ startedBy: "me" }, [["me", null]]) } });
    await started;
    socket.answer("location:subscribe", { ok: true, data: { groupId: "g1", riders: [], ride: null } });
    socket.answer("ride:active", { ok: true, data: { rides: [] } });
    await settle();
    assert.equal(rides.active.value.g1?.id, "r1");
    assert.deepEqual(location.rideSharing.value, { g1: "r1" });
  });

  it("says why an action was refused, and shows the ride that is under way", async () => {
    const { socket, location, rides, connect } = setup();
    await connect();
    const start = rides.startRide("g1", { name: "Mine", plannedEndAt: null, mode: "gps" });
    socket.answer("ride:start", { ok: false, error: { code: "CONFLICT", message: "busy" } });
    assert.equal(await start, "A ride is already under way");
    socket.answer("ride:active", { ok: true, data: { rides: [ride()] } });
    await settle();
    assert.equal(rides.active.value.g1?.name, "Sunday loop");
    assert.deepEqual(location.sharing.value, {}, "nothing shared");

    const end = rides.endRide(rides.active.value.g1);
    socket.answer("ride:end", { ok: false, error: { code: "FORBIDDEN", message: "no" } });
    assert.equal(await end, "Only the ride's starter or the group's owner can end it");

    const join = rides.joinRide(rides.active.value.g1, "gps");
    socket.answer("ride:join", { ok: false, error: { code: "CONFLICT", message: "ended" } });
    assert.equal(await join, "This ride has already ended");

    socket.drop();
    assert.match(
      (await rides.startRide("g1", { name: "Mine", plannedEndAt: null, mode: "gps" })) ?? "",
      /offline/,
      "start has no idempotency key: refused offline",
    );
  });

  it("lists past rides and opens a summary over HTTP", async () => {
    const calls: string[] = [];
    const api = (async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      if (path.endsWith("/rides")) return { rides: [ride({ id: "r9" }), ended(ride())] };
      if (path.endsWith("/nope")) throw new ApiError(404, "NOT_FOUND", "no such ride");
      return state(ended(ride()), { trails: [{ userId: "ann", points: [], distanceM: 1234 }] });
    }) as Api;
    const { rides } = setup({ api });
    assert.deepEqual(
      (await rides.pastRides("g1")).map((r) => r.id),
      ["r1"],
      "only those that ended",
    );
    assert.equal(await rides.openSummary("g1", "r1"), null);
    assert.equal(rides.summary.value?.trails[0]?.distanceM, 1234);
    assert.equal(await rides.openSummary("g1", "nope"), "This ride no longer exists");
    rides.closeSummary();
    assert.equal(rides.summary.value, null);
    assert.deepEqual(calls, [
      "GET /api/groups/g1/rides",
      "GET /api/groups/g1/rides/r1",
      "GET /api/groups/g1/rides/nope",
    ]);
  });

  it("signing out leaves the ride rather than only stopping the position", async () => {
    const { socket, location, rides, connect } = setup();
    await connect([ride()]);
    const joined = rides.joinRide(rides.active.value.g1!, "simulated");
    socket.answer("ride:join", {
      ok: true,
      data: state(
        ride({}, [
          ["ann", null],
          ["me", null],
        ]),
      ),
    });
    await joined;
    location.endSharing();
    assert.deepEqual(socket.sent("ride:leave"), [{ rideId: "r1" }]);
    assert.deepEqual(socket.sent("location:share"), []);
  });

  it("stopped, it leaves no listener and no timer", async () => {
    const { clock, socket, location, rides, connect } = setup();
    await connect([ride()]);
    const joined = rides.joinRide(rides.active.value.g1!, "simulated");
    socket.answer("ride:join", {
      ok: true,
      data: state(
        ride({}, [
          ["ann", null],
          ["me", null],
        ]),
      ),
    });
    await joined;
    rides.stop();
    location.stop();
    assert.equal(socket.listenerCount, 0);
    assert.equal(clock.pending, 0);
    socket.drop();
    socket.accept();
    assert.deepEqual(socket.asked("ride:active"), [], "no longer asks on connect");
  });
  it("[outbox] offline, leave waits (sharing stops here at once), survives a reload and goes once, before ride:active", async () => {
    const first = setup();
    await first.connect([ride()]);
    const joined = first.rides.joinRide(first.rides.active.value.g1!, "gps");
    const withMe = ride({}, [
      ["ann", null],
      ["me", null],
    ]);
    first.socket.answer("ride:join", { ok: true, data: state(withMe) });
    await joined;
    first.socket.drop();
    assert.equal(await first.rides.leaveRide(withMe), null, "queued, not refused");
    assert.equal(await first.rides.leaveRide(withMe), null);
    assert.deepEqual(first.location.sharing.value, {}, "no longer shared from here");
    assert.deepEqual(
      first.rides.queued.value.map((q) => [q.action, q.rideId]),
      [["leave", "r1"]],
      "once, however often pressed",
    );
    first.rides.stop();
    first.location.stop();

    const { socket, rides } = setup({ storage: first.storage, queues: first.queues });
    await settle();
    assert.deepEqual(
      rides.queued.value.map((q) => q.action),
      ["leave"],
    );
    socket.accept();
    await settle();
    assert.deepEqual(socket.asked("ride:leave"), [{ rideId: "r1" }]);
    assert.deepEqual(socket.asked("ride:active"), [], "the rides are asked once what waited is answered");
    socket.answer("ride:leave", {
      ok: true,
      data: {
        ride: ride({}, [
          ["ann", null],
          ["me", T0 + 5000],
        ]),
      },
    });
    await settle();
    assert.deepEqual(rides.queued.value, []);
    assert.equal(socket.asked("ride:active").length, 1);
    assert.deepEqual(socket.asked("ride:join"), [], "not joined again");
  });

  it("[outbox] offline actions go out in the order taken; a join joins and shares once answered", async () => {
    const { socket, location, rides, connect } = setup();
    await connect([ride(), ride({ id: "r2", groupId: "g2", name: "Pass run" })]);
    socket.drop();
    await rides.joinRide(rides.active.value.g1!, "gps");
    await rides.endRide(rides.active.value.g2!);
    socket.accept();
    await settle();
    assert.deepEqual(socket.asked("ride:join"), [{ rideId: "r1" }]);
    assert.deepEqual(socket.asked("ride:end"), [], "one at a time");
    socket.answer("ride:join", {
      ok: true,
      data: state(
        ride({}, [
          ["ann", null],
          ["me", null],
        ]),
      ),
    });
    await settle();
    assert.deepEqual(location.rideSharing.value, { g1: "r1" });
    assert.deepEqual(socket.asked("ride:end"), [{ rideId: "r2" }]);
  });

  it("[outbox] the last choice wins: leave, join, leave offline goes out as one leave; join then leave as nothing", async () => {
    const { socket, rides, connect } = setup();
    await connect([ride(), ride({ id: "r2", groupId: "g2", name: "Pass run" })]);
    socket.drop();
    const waiting = () => rides.queued.value.map((q) => `${q.action} ${q.rideId}`);
    const r1 = rides.active.value.g1!;
    await rides.leaveRide(r1);
    await rides.joinRide(r1, "gps");
    assert.deepEqual(waiting(), [], "the join undid the waiting leave");
    await rides.leaveRide(r1);
    await rides.leaveRide(r1);
    const r2 = rides.active.value.g2!;
    await rides.joinRide(r2, "gps");
    await rides.leaveRide(r2);
    assert.deepEqual(waiting(), ["leave r1"]);
  });

  it("[outbox] an action the server refuses because the ride is over is dropped, and the rider is told", async () => {
    const { socket, rides, connect } = setup();
    await connect([ride()]);
    socket.drop();
    await rides.endRide(rides.active.value.g1!);
    socket.accept();
    await settle();
    socket.answer("ride:end", { ok: false, error: { code: "CONFLICT", message: "this ride has ended" } });
    await settle();
    assert.deepEqual(rides.queued.value, []);
    assert.match(rides.notice.value ?? "", /end the ride “Sunday loop”.*not sent.*already ended/);
    rides.dismissNotice();
    assert.equal(rides.notice.value, null);
  });

  it("[outbox] no answer while connected: kept, and asked again a moment later with the same action", async () => {
    const { clock, socket, rides, connect } = setup();
    await connect([ride()]);
    socket.drop();
    await rides.endRide(rides.active.value.g1!);
    socket.accept();
    await settle();
    socket.answer("ride:end", { ok: false, error: { code: "INTERNAL", message: "try later" } });
    await settle();
    assert.equal(rides.queued.value.length, 1);
    await clock.advance(3000);
    assert.deepEqual(socket.asked("ride:end"), [{ rideId: "r1" }]);
  });
});
