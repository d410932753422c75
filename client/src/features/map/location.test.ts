import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LocationClientEvents, LocationServerEvents, Position } from "@convoy/shared";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeGeolocation } from "../../testing/fake-geolocation.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { settle } from "../../testing/settle.ts";
import { createLocation } from "./location.ts";

const CONSENT = "convoy.me.sharing";

function setup({ storage = memoryStorage(), gps = true } = {}) {
  const clock = new FakeClock();
  const geolocation = gps ? new FakeGeolocation() : undefined;
  const socket = new FakeSocket<LocationServerEvents, LocationClientEvents>(clock);
  const location = createLocation({ socket, storage, clock, geolocation, userId: "me", random: () => 0 });
  location.start();
  return { clock, socket, storage, geolocation, location };
}

const shared = { ok: true, data: { groupId: "g1", sharing: true } } as const;

const position = (userId: string, lat: number): Position => ({
  groupId: "g1",
  userId,
  username: userId,
  lat,
  lng: 8.6,
  accuracy: null,
  heading: null,
  speed: null,
  ts: 1000,
});

describe("live location", () => {
  it("locateOnce asks for one position, keeps it as the last fix and shares nothing", async () => {
    const { clock, socket, geolocation, location } = setup();
    socket.accept();
    await clock.advance(5000);
    const located = location.locateOnce();
    assert.equal(geolocation!.asked, 1);
    assert.equal(geolocation!.watching, 0, "no watch: one position only");
    geolocation!.fix(46.7, 8.1);
    assert.equal(await located, null);
    assert.deepEqual(location.lastFix.value, { lat: 46.7, lng: 8.1, accuracy: 8, ts: clock.now() });
    assert.deepEqual(socket.sent("location:update"), []);
    assert.deepEqual(socket.asked("location:share"), []);
    assert.deepEqual(location.sharing.value, {});
  });

  it("locateOnce says why when no position comes, and without a location service", async () => {
    const { geolocation, location } = setup();
    const refused = location.locateOnce();
    geolocation!.fail(1);
    assert.match((await refused) ?? "", /permission was refused/);
    const timedOut = location.locateOnce();
    geolocation!.fail(3);
    assert.equal(await timedOut, "Your position is not available right now.");
    assert.equal(location.lastFix.value, null);
    assert.equal(await setup({ gps: false }).location.locateOnce(), "This browser has no location service.");
  });

  it("sharing says location:share first, then sends a simulated ride's positions every second", async () => {
    const { clock, socket, location } = setup();
    socket.accept();
    const started = location.startSharing("g1", "simulated");
    assert.deepEqual(socket.asked("location:share"), [{ groupId: "g1", sharing: true }]);
    assert.deepEqual(socket.sent("location:update"), [], "no position before the server knows");
    socket.answer("location:share", shared);
    await started;
    assert.equal(socket.sent("location:update").length, 1);
    await clock.advance(3000);
    const updates = socket.sent("location:update");
    assert.equal(updates.length, 4);
    assert.ok(updates.every((u) => u.groupId === "g1" && u.speed === 15));
    assert.notDeepEqual(updates[0], updates[3], "the rider moves");
    assert.deepEqual(location.sharing.value, { g1: "simulated" });
  });

  it("forwards GPS fixes at most once a second, and says why when the permission is refused", async () => {
    const { clock, socket, geolocation, location } = setup();
    socket.accept();
    const started = location.startSharing("g1", "gps");
    socket.answer("location:share", shared);
    await started;
    geolocation!.fix(46.6, 8.6, 90);
    geolocation!.fix(46.7, 8.7);
    await clock.advance(1000);
    geolocation!.fix(46.8, 8.8);
    assert.deepEqual(
      socket.sent("location:update").map((u) => [u.lat, u.heading]),
      [
        [46.6, 90],
        [46.8, null],
      ],
    );
    geolocation!.fail(1);
    assert.match(location.sharingProblem.value ?? "", /permission was refused/);
  });

  it("without a location service, sharing GPS says so", async () => {
    const { location } = setup({ gps: false });
    await location.startSharing("g1", "gps");
    assert.match(location.sharingProblem.value ?? "", /no location service/);
  });

  it("a stop while offline is told to the server on the next connect", async () => {
    const { clock, socket, location } = setup();
    socket.accept();
    const started = location.startSharing("g1", "simulated");
    socket.answer("location:share", shared);
    await started;
    socket.drop();
    await location.stopSharing("g1");
    assert.equal(clock.pending, 0, "the ride's timer stopped");
    assert.deepEqual(location.sharing.value, {});
    socket.accept();
    assert.deepEqual(socket.sent("location:share").at(-1), { groupId: "g1", sharing: false });
    socket.drop();
    socket.accept();
    assert.deepEqual(socket.sent("location:share").length, 2, "told once");
  });

  it("shows the open group's riders: subscribes, applies updates and stops, and resubscribes on reconnect", async () => {
    const { socket, location } = setup();
    location.watchGroup("g1");
    socket.accept();
    assert.deepEqual(socket.asked("location:subscribe"), [{ groupId: "g1" }]);
    socket.answer("location:subscribe", {
      ok: true,
      data: { groupId: "g1", riders: [position("ann", 46.5)], ride: null },
    });
    await settle();
    socket.fire("location:update", position("bob", 46.6));
    socket.fire("location:update", position("ann", 46.7));
    assert.deepEqual(
      Object.values(location.ridersByGroup.value.g1 ?? {}).map((p) => [p.userId, p.lat]),
      [
        ["ann", 46.7],
        ["bob", 46.6],
      ],
    );
    socket.fire("location:stopped", { groupId: "g1", userId: "ann" });
    assert.deepEqual(Object.keys(location.ridersByGroup.value.g1 ?? {}), ["bob"]);

    location.watchGroup("g2");
    assert.deepEqual(socket.asked("location:unsubscribe"), [{ groupId: "g1" }]);
    assert.deepEqual(socket.asked("location:subscribe"), [{ groupId: "g2" }]);
    socket.drop();
    socket.accept();
    assert.deepEqual(socket.asked("location:subscribe"), [{ groupId: "g2" }]);
  });

  it("updates and stops heard before the subscribe's answer are applied over its snapshot, newest ts first", async () => {
    const { socket, location } = setup();
    location.watchGroup("g1");
    socket.accept();
    // Sent by the server while it read the snapshot: newer than it, or a stop after it.
    socket.fire("location:update", { ...position("bob", 46.6), ts: 2000 });
    socket.fire("location:update", { ...position("ann", 46.1), ts: 500 });
    socket.fire("location:stopped", { groupId: "g1", userId: "cat" });
    socket.fire("location:update", { ...position("dan", 46.9), ts: 900 });
    socket.answer("location:subscribe", {
      ok: true,
      data: {
        groupId: "g1",
        riders: [position("ann", 46.5), position("bob", 46.5), position("cat", 46.5)],
        ride: null,
      },
    });
    await settle();
    assert.deepEqual(
      Object.values(location.ridersByGroup.value.g1 ?? {})
        .map((p) => [p.userId, p.lat])
        .sort(),
      [
        ["ann", 46.5],
        ["bob", 46.6],
        ["dan", 46.9],
      ],
    );
  });

  it("GPS consent outlives a reload, a simulated ride does not; signing out ends sharing and forgets it", async () => {
    const first = setup();
    await first.location.startSharing("g1", "gps");
    await first.location.startSharing("g2", "simulated");
    assert.deepEqual(first.storage.loadJson(CONSENT, {}), { g1: "gps" });
    first.location.stop();

    const { storage, socket, geolocation, location } = setup({ storage: first.storage });
    await settle();
    assert.deepEqual(location.sharing.value, { g1: "gps" });
    assert.equal(geolocation!.watching, 1, "the GPS watch started again");
    socket.accept();
    assert.deepEqual(
      socket.asked("location:share"),
      [{ groupId: "g1", sharing: true }],
      "said again on connect",
    );

    location.endSharing();
    assert.deepEqual(socket.sent("location:share").at(-1), { groupId: "g1", sharing: false });
    assert.deepEqual(storage.loadJson(CONSENT, null), {});
    assert.equal(geolocation!.watching, 0);
    assert.deepEqual(location.sharing.value, {});
  });

  it("sharing for a ride sends no location:share, now or on reconnect; switching its source neither", async () => {
    const { clock, socket, geolocation, location } = setup();
    socket.accept();
    location.shareForRide("g1", "r1", "simulated");
    assert.equal(clock.pending, 1, "the simulated ride runs");
    await location.startSharing("g1", "gps");
    assert.equal(clock.pending, 0);
    assert.equal(geolocation!.watching, 1);
    assert.deepEqual(location.rideSharing.value, { g1: "r1" });
    socket.drop();
    socket.accept();
    assert.deepEqual(socket.sent("location:share"), []);
    location.forgetSharing("g1");
    assert.equal(geolocation!.watching, 0);
    assert.deepEqual(location.sharing.value, {});
    assert.deepEqual(socket.sent("location:share"), [], "the server stopped it already");
  });

  it("stopped, it leaves no listener, no timer and no GPS watch", async () => {
    const { clock, socket, geolocation, location } = setup();
    await location.startSharing("g1", "simulated");
    await location.startSharing("g2", "gps");
    assert.equal(clock.pending, 1);
    assert.equal(geolocation!.watching, 1);
    location.stop();
    assert.equal(socket.listenerCount, 0);
    assert.equal(clock.pending, 0);
    assert.equal(geolocation!.watching, 0);
  });

  it("a share answered after stop() starts no source", async () => {
    const { clock, socket, location } = setup();
    socket.accept();
    const started = location.startSharing("g1", "simulated");
    location.stop();
    socket.answer("location:share", shared);
    await started;
    assert.equal(clock.pending, 0);
    assert.deepEqual(socket.sent("location:update"), []);
  });

  it("keeps this device's last own fix with its time, offline too (what an SOS sends); signing out forgets it", async () => {
    const { clock, geolocation, location } = setup();
    assert.equal(location.lastFix.value, null);
    await location.startSharing("g1", "gps"); // offline: told to the server later
    geolocation!.fix(46.6, 8.6);
    assert.deepEqual(location.lastFix.value, { lat: 46.6, lng: 8.6, accuracy: 8, ts: clock.now() });
    location.endSharing();
    assert.equal(location.lastFix.value, null);
  });
});
