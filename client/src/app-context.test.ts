import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  ChatClientEvents,
  ChatServerEvents,
  Group,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
} from "@convoy/shared";
import { createAppContext } from "./app-context.ts";
import { createStorage } from "./net/storage.ts";
import { FakeClock } from "./testing/fake-clock.ts";
import { FakeEventTarget } from "./testing/fake-event-target.ts";
import { FakeGeolocation } from "./testing/fake-geolocation.ts";
import { FakeSocket } from "./testing/fake-socket.ts";
import { settle } from "./testing/settle.ts";

const group: Group = { id: "g1", name: "Ride", inviteCode: "code", ownerId: "u1", createdAt: 0 };

function setup({ expired = false } = {}) {
  const clock = new FakeClock();
  const items = new Map<string, string>();
  const store = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
  const storage = createStorage(store);
  storage.saveJson("convoy.session", {
    token: "t1",
    expiresAt: clock.now() + (expired ? -1000 : 3_600_000),
    issuedAt: clock.now(),
    user: { id: "u1", username: "ann" },
  });
  storage.saveJson("convoy.u1.sharing", { g1: "gps" });
  const transport = {
    chat: new FakeSocket<ChatServerEvents, ChatClientEvents>(clock),
    presence: new FakeSocket<PresenceServerEvents, PresenceClientEvents>(clock),
    location: new FakeSocket<LocationServerEvents, LocationClientEvents>(clock),
    manager: { on: () => {}, off: () => {} },
    affinity: null as string | null,
    setAffinity(groupId: string | null) {
      this.affinity = groupId;
    },
    retryNow() {},
  };
  const answers: Record<string, unknown> = {
    "GET /api/config": { mapTileUrl: "https://tiles/{z}/{x}/{y}.png", mapAttribution: null },
    "GET /api/groups": { groups: [group] },
    "POST /api/auth/logout": {},
    "POST /api/auth/login": {
      token: "t2",
      expiresAt: clock.now() + 3_600_000,
      user: { id: "u1", username: "ann" },
    },
  };
  const requests: string[] = [];
  const fetch = async (path: string | URL | Request, init?: RequestInit) => {
    // The app passes paths as strings.
    const call = `${init?.method ?? "GET"} ${path as string}`;
    requests.push(call);
    return new Response(JSON.stringify(answers[call] ?? { error: { code: "NOT_FOUND", message: call } }), {
      status: call in answers ? 200 : 404,
    });
  };
  const network = Object.assign(new FakeEventTarget<"online" | "offline">(), { onLine: true });
  const page = Object.assign(new FakeEventTarget<"visibilitychange">(), { hidden: false });
  const geolocation = new FakeGeolocation();
  const app = createAppContext({
    clock,
    store,
    fetch,
    network,
    page,
    geolocation,
    wakeLock: undefined,
    openTransport: () => transport,
  });
  const sockets = [transport.chat, transport.presence, transport.location];
  return { app, clock, storage, transport, sockets, requests, network, page, geolocation };
}

describe("app context", () => {
  it("made but not started: nothing connects, listens or ticks", () => {
    const { clock, sockets, network, page } = setup();
    assert.equal(clock.pending, 0);
    assert.ok(sockets.every((s) => s.listenerCount === 0 && s.connects === 0));
    assert.equal(network.listenerCount + page.listenerCount, 0);
  });

  it("a saved session starts the user's features: groups load, then every namespace follows them", async () => {
    const { app, transport, sockets, requests, geolocation } = setup();
    app.start();
    assert.equal(app.user.value?.userId, "u1");
    await settle();
    assert.deepEqual(requests.sort(), ["GET /api/config", "GET /api/groups"]);
    assert.equal(app.clientConfig.value.mapTileUrl, "https://tiles/{z}/{x}/{y}.png");
    assert.equal(app.clientConfigLoaded.value, true);
    assert.equal(app.user.value?.groups.currentGroupId.value, "g1");
    assert.deepEqual(
      sockets.map((s) => s.connects),
      [1, 1, 1],
    );
    assert.equal(transport.affinity, "g1", "the next handshake names the open group");
    assert.equal(geolocation.watching, 1, "sharing consented earlier starts again");

    for (const socket of sockets) socket.accept();
    assert.equal(app.connection.status.value, "online");
    assert.deepEqual(transport.chat.asked("room:join"), [{ groupId: "g1" }]);
    assert.deepEqual(transport.chat.asked("dm:conversations"), [{}]);
    assert.deepEqual(transport.presence.asked("presence:subscribe"), [{ groupId: "g1" }]);
    assert.deepEqual(transport.location.asked("location:subscribe"), [{ groupId: "g1" }]);
    assert.deepEqual(transport.location.asked("location:share"), [{ groupId: "g1", sharing: true }]);
  });

  it("an expired saved session: the password comes first, then the groups load and the sockets open", async () => {
    const { app, sockets, requests } = setup({ expired: true });
    app.start();
    await settle();
    assert.equal(app.session.needsLogin.value, true);
    assert.equal(app.user.value?.loaded.value, false);
    assert.deepEqual(requests, ["GET /api/config"]);
    assert.ok(sockets.every((s) => s.connects === 0));

    await app.session.login({ username: "ann", password: "correct horse" });
    await settle();
    assert.equal(app.user.value?.loaded.value, true);
    assert.deepEqual(requests.slice(1), ["POST /api/auth/login", "GET /api/groups"]);
    assert.ok(sockets.every((s) => s.connects === 1));
  });

  it("logging out ends sharing on the server first, closes the sockets, and drops the user's features", async () => {
    const { app, clock, storage, transport, sockets, geolocation, network, page } = setup();
    app.start();
    await settle();
    // Written before the connection: it waits in the user's outbox on the device.
    app.user.value?.chat.sendMessage("g1", "not sent yet");
    await settle();
    assert.notEqual(storage.loadJson("convoy.u1.queue.chat", null), null);
    assert.notEqual(storage.loadJson("convoy.u1.lastKnown", null), null);
    for (const socket of sockets) socket.accept();
    app.session.logout();
    assert.equal(app.user.value, null);
    assert.deepEqual(transport.location.sent("location:share").at(-1), { groupId: "g1", sharing: false });
    assert.ok(sockets.every((s) => !s.connected && !s.active));
    assert.deepEqual(storage.loadJson("convoy.u1.sharing", null), {});
    assert.equal(geolocation.watching, 0);
    assert.equal(page.listenerCount, 0, "presence no longer watches the page");
    await settle();
    assert.equal(storage.loadJson("convoy.u1.queue.chat", null), null, "nothing unsent stays on the device");
    assert.equal(storage.loadJson("convoy.u1.lastKnown", null), null, "nor what the app knew");
    // Only the connection's own listeners are left (connect, disconnect, connect_error, session:expiring).
    assert.deepEqual(
      sockets.map((s) => s.listenerCount),
      [4, 2, 2],
    );

    app.stop();
    assert.ok(sockets.every((s) => s.listenerCount === 0));
    assert.equal(network.listenerCount, 0);
    assert.equal(clock.pending, 0);
  });

  it("stopped while signed in, it leaves nothing running and keeps what the user chose", async () => {
    const { app, clock, storage, sockets, geolocation, network, page } = setup();
    app.start();
    await settle();
    for (const socket of sockets) socket.accept();
    app.stop();
    assert.equal(app.user.value, null);
    assert.ok(sockets.every((s) => s.listenerCount === 0 && !s.active));
    assert.equal(network.listenerCount + page.listenerCount + geolocation.watching + clock.pending, 0);
    assert.deepEqual(storage.loadJson("convoy.u1.sharing", null), { g1: "gps" });
    assert.notEqual(storage.loadJson("convoy.session", null), null);
  });
});
