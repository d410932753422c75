import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  ChatClientEvents,
  ChatServerEvents,
  LocationClientEvents,
  LocationServerEvents,
  PresenceClientEvents,
  PresenceServerEvents,
} from "@convoy/shared";
import { signal } from "@preact/signals";
import { FakeClock } from "../testing/fake-clock.ts";
import { FakeEventTarget } from "../testing/fake-event-target.ts";
import { FakeSocket } from "../testing/fake-socket.ts";
import { createConnection } from "./connection.ts";
import type { StoredSession } from "./session.ts";

/** socket.io's Manager, as far as the connection listens to it. */
class FakeManager {
  private readonly listeners = new Set<() => void>();
  on(_event: "reconnect_failed", listener: () => void): void {
    this.listeners.add(listener);
  }
  off(_event: "reconnect_failed", listener: () => void): void {
    this.listeners.delete(listener);
  }
  giveUp(): void {
    for (const listener of [...this.listeners]) listener();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

const stored = (token: string): StoredSession => ({
  token,
  expiresAt: Date.UTC(2030, 0),
  user: { id: "u1", username: "ann" },
});

function setup() {
  const clock = new FakeClock();
  const transport = {
    chat: new FakeSocket<ChatServerEvents, ChatClientEvents>(clock),
    presence: new FakeSocket<PresenceServerEvents, PresenceClientEvents>(clock),
    location: new FakeSocket<LocationServerEvents, LocationClientEvents>(clock),
    manager: new FakeManager(),
    setAffinity: () => {},
    retries: 0,
    retryNow: () => void transport.retries++,
  };
  const sockets = [transport.chat, transport.presence, transport.location];
  const network = Object.assign(new FakeEventTarget<"online" | "offline">(), { onLine: true });
  const session = {
    current: signal<StoredSession | null>(stored("t1")),
    renewals: 0,
    refused: false,
    renewNow: () => void session.renewals++,
    tokenRefused: () => void (session.refused = true),
  };
  const connection = createConnection({ transport, session, clock, network, random: () => 0.5 });
  connection.start();
  const online = () => {
    connection.connectAll();
    for (const socket of sockets) socket.accept();
  };
  return { clock, transport, sockets, network, session, connection, online };
}

describe("connection", () => {
  it("opens every namespace once, and is online as soon as chat connects", () => {
    const { sockets, connection, transport } = setup();
    assert.equal(connection.status.value, "connecting");
    connection.connectAll();
    connection.connectAll(); // still connecting: no second CONNECT
    assert.deepEqual(
      sockets.map((s) => s.connects),
      [1, 1, 1],
    );
    transport.chat.accept();
    assert.equal(connection.status.value, "online");
  });

  it("hides a blip shorter than 2 s; a longer loss shows reconnecting, or offline without a network", async () => {
    const { clock, transport, network, connection, online } = setup();
    online();
    const shown: string[] = [];
    connection.status.subscribe((status) => shown.push(status));
    transport.chat.drop();
    await clock.advance(1999);
    transport.chat.accept();
    await clock.advance(5000);
    assert.deepEqual(shown, ["online"], "nothing else was ever shown");

    transport.chat.drop();
    await clock.advance(2000);
    assert.equal(connection.status.value, "reconnecting");
    // The network goes: that is why.
    network.onLine = false;
    network.dispatch("offline");
    await clock.advance(2000);
    assert.equal(connection.status.value, "offline");
    transport.chat.accept();
    assert.equal(connection.status.value, "online");

    transport.chat.drop();
    await clock.advance(2000);
    assert.equal(connection.status.value, "offline", "lost while the device has no network");
  });

  it("gives up with failed at once; 'Try again' (connectAll) opens every namespace afresh", async () => {
    const { clock, sockets, transport, connection, online } = setup();
    online();
    for (const socket of sockets) socket.drop();
    transport.manager.giveUp();
    assert.equal(connection.status.value, "failed");
    assert.ok(
      sockets.every((s) => !s.active),
      "the sockets were stopped, so connectAll opens them",
    );
    connection.connectAll();
    assert.deepEqual(
      sockets.map((s) => s.connects),
      [2, 2, 2],
    );
    await clock.advance(2000);
    assert.equal(connection.status.value, "reconnecting");
    transport.chat.accept();
    assert.equal(connection.status.value, "online");
  });

  it("coming back online after offline or failed reconnects by itself", async () => {
    const { clock, sockets, transport, network, connection, online } = setup();
    online();
    transport.manager.giveUp();
    network.dispatch("online");
    assert.deepEqual(
      sockets.map((s) => s.connects),
      [2, 2, 2],
    );
    await clock.advance(2000);
    assert.equal(connection.status.value, "reconnecting");
  });

  it("the network coming back asks the transport to retry now (socket-transport.test.ts: not after its backoff)", async () => {
    const { clock, sockets, transport, network, online } = setup();
    online();
    network.onLine = false;
    network.dispatch("offline");
    for (const socket of sockets) socket.drop();
    await clock.advance(2000);
    network.onLine = true;
    network.dispatch("online");
    assert.equal(transport.retries, 1);
  });

  it("a server-side disconnect is not retried by socket.io: every namespace connects again", () => {
    const { sockets, transport, online } = setup();
    online();
    transport.chat.drop("io server disconnect");
    assert.deepEqual(
      sockets.map((s) => s.connects),
      [2, 2, 2],
    );
  });

  it("a refused token asks for a login and shows failed", () => {
    const { transport, session, connection } = setup();
    connection.connectAll();
    transport.presence.refuse("TOKEN_EXPIRED");
    assert.equal(session.refused, true);
    assert.equal(connection.status.value, "failed");
  });

  it("a handshake refused for a limit is tried again after 5 to 10 s", async () => {
    const { clock, transport, connection } = setup();
    connection.connectAll();
    transport.chat.accept();
    transport.location.refuse("RATE_LIMITED");
    await clock.advance(7499); // 5 s + half of 5 s (random() is 0.5 here)
    assert.equal(transport.location.connects, 1);
    await clock.advance(1);
    assert.equal(transport.location.connects, 2);
  });

  it("hands a renewed token to every open socket with session:renew, once", () => {
    const { sockets, transport, session, online } = setup();
    online();
    transport.location.drop();
    session.current.value = stored("t2");
    session.current.value = stored("t2");
    assert.deepEqual(
      sockets.map((s) => s.asked("session:renew")),
      [[{ token: "t2" }], [{ token: "t2" }], []],
    );
  });

  it("renews when any socket hears session:expiring", () => {
    const { transport, session, online } = setup();
    online();
    transport.presence.fire("session:expiring", { expiresAt: 0 });
    transport.location.fire("session:expiring", { expiresAt: 0 });
    assert.equal(session.renewals, 2);
  });

  it("disconnectAll closes every namespace and starts over from connecting", async () => {
    const { clock, sockets, connection, online } = setup();
    online();
    connection.disconnectAll();
    assert.ok(sockets.every((s) => !s.connected && !s.active));
    await clock.advance(2000);
    assert.equal(connection.status.value, "connecting");
  });

  it("stopped, it leaves no listener and no timer, and closes the sockets", async () => {
    const { clock, sockets, transport, network, session, connection, online } = setup();
    online();
    transport.chat.drop(); // a pending banner timer
    transport.location.refuse("QUOTA_EXCEEDED"); // a pending retry
    assert.ok(clock.pending > 0);
    connection.stop();
    assert.equal(clock.pending, 0);
    assert.deepEqual(
      sockets.map((s) => [s.listenerCount, s.active]),
      [
        [0, false],
        [0, false],
        [0, false],
      ],
    );
    assert.equal(network.listenerCount, 0);
    assert.equal(transport.manager.listenerCount, 0);
    session.current.value = stored("t9");
    assert.ok(sockets.every((s) => s.sent("session:renew").length === 0));
  });
});
