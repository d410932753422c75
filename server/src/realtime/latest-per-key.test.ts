// Unit test with a stand-in socket: the real-connection case is in test/limits.test.ts.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { createLatestPerKey } from "./latest-per-key.ts";

function fakeSocket(id = "s1") {
  const conn = Object.assign(new EventEmitter(), {
    transport: Object.assign(new EventEmitter(), { writable: true }),
  });
  const sent: Array<[string, unknown]> = [];
  const socket = {
    id,
    connected: true,
    conn,
    emit: (event: string, payload: unknown) => sent.push([event, payload]),
  };
  return { socket, conn, sent };
}
type Fake = ReturnType<typeof fakeSocket>["socket"];

/** `send` to some sockets, with a room broadcast that reaches those not held back. */
function sendTo(
  latest: ReturnType<typeof createLatestPerKey>,
  sockets: Fake[],
  key: string,
  event: string,
  payload: unknown,
) {
  latest.send(sockets as never, key, event, payload, (held) => {
    for (const socket of sockets) if (!held.includes(socket.id)) socket.emit(event, payload);
  });
}

describe("createLatestPerKey", () => {
  it("sends straight through while the connection is writable", () => {
    const { socket, sent } = fakeSocket();
    const latest = createLatestPerKey();
    sendTo(latest, [socket], "a", "e", 1);
    sendTo(latest, [socket], "a", "e", 2);
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", 2],
    ]);
  });

  it("while busy, keeps the newest per key and sends it on drain", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    conn.transport.writable = false;
    sendTo(latest, [socket], "a", "e", 1); // queued behind the busy transport
    sendTo(latest, [socket], "a", "e", 2);
    sendTo(latest, [socket], "b", "e", "b1");
    sendTo(latest, [socket], "a", "stop", 3);
    assert.deepEqual(sent, [["e", 1]]);
    conn.transport.writable = true;
    conn.transport.emit("drain");
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", "b1"],
      ["stop", 3],
    ]);
    // Those went out with the transport's next write: a newer one waits for its end.
    sendTo(latest, [socket], "a", "e", 4);
    assert.deepEqual(sent.at(-1), ["stop", 3]);
    conn.transport.emit("drain");
    assert.deepEqual(sent.at(-1), ["e", 4]);
    conn.transport.emit("drain");
    sendTo(latest, [socket], "a", "e", 5);
    assert.deepEqual(sent.at(-1), ["e", 5], "nothing held: straight through again");
  });

  it("stays in holding mode while drains leave the transport busy", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    conn.transport.writable = false;
    sendTo(latest, [socket], "a", "e", 1);
    sendTo(latest, [socket], "a", "e", 2);
    conn.transport.emit("drain"); // flushed, but the transport is busy again
    sendTo(latest, [socket], "a", "e", 3);
    sendTo(latest, [socket], "a", "e", 4);
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", 2],
    ]);
    conn.transport.emit("drain");
    assert.deepEqual(sent.at(-1), ["e", 4]);
  });

  it("hands the held events over as the transport drains, before it is writable: they join its next write", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    conn.transport.writable = false;
    sendTo(latest, [socket], "a", "e", 1);
    sendTo(latest, [socket], "a", "e", 2);
    conn.transport.emit("drain"); // as Engine.IO's transport does: "drain", then writable, then "ready"
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", 2],
    ]);
    // That write is under way: newer ones wait for its end.
    sendTo(latest, [socket], "a", "e", 3);
    sendTo(latest, [socket], "a", "e", 4);
    assert.equal(sent.length, 2);
    conn.transport.emit("drain");
    assert.deepEqual(sent.at(-1), ["e", 4]);
    assert.equal(conn.transport.listenerCount("drain"), 1, "held again, once");
    conn.transport.emit("drain");
    assert.equal(conn.transport.listenerCount("drain"), 0, "nothing held: no listener left");
  });

  it("an upgrade to a new transport releases what waited for the old one", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    const old = conn.transport;
    old.writable = false;
    sendTo(latest, [socket], "a", "e", 1);
    sendTo(latest, [socket], "a", "e", 2);
    conn.transport = Object.assign(new EventEmitter(), { writable: true });
    conn.emit("upgrade");
    assert.deepEqual(sent.at(-1), ["e", 2]);
    assert.equal(old.listenerCount("drain"), 0);
  });

  it("holds back only the busy socket of a room", () => {
    const free = fakeSocket("free");
    const busy = fakeSocket("busy");
    const latest = createLatestPerKey();
    busy.conn.transport.writable = false;
    sendTo(latest, [free.socket, busy.socket], "a", "e", 1);
    sendTo(latest, [free.socket, busy.socket], "a", "e", 2);
    assert.deepEqual(free.sent, [
      ["e", 1],
      ["e", 2],
    ]);
    assert.deepEqual(busy.sent, [["e", 1]]);
    busy.conn.transport.writable = true;
    busy.conn.transport.emit("drain");
    assert.deepEqual(busy.sent.at(-1), ["e", 2]);
  });

  it("a WebSocket waiting only for its last write's callback is not behind: the packet joins the broadcast", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    // Not writable until its write's callback, though the kernel took every byte.
    const transport = Object.assign(conn.transport, { writable: false, socket: { bufferedAmount: 0 } });
    sendTo(latest, [socket], "a", "e", 1);
    sendTo(latest, [socket], "a", "e", 2);
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", 2],
    ]);
    assert.equal(transport.listenerCount("drain"), 0, "nothing held");
    // The kernel left bytes with us: behind, so the newest per key waits for the drain.
    transport.socket.bufferedAmount = 4096;
    sendTo(latest, [socket], "a", "e", 3);
    sendTo(latest, [socket], "a", "e", 4);
    sendTo(latest, [socket], "a", "e", 5);
    assert.deepEqual(sent.at(-1), ["e", 3]);
    transport.socket.bufferedAmount = 0;
    transport.emit("drain");
    assert.deepEqual(sent.at(-1), ["e", 5]);
    assert.equal(sent.length, 4);
  });

  it("does not broadcast at all when every socket of the room is held", () => {
    const { socket, conn } = fakeSocket();
    const latest = createLatestPerKey();
    conn.transport.writable = false;
    sendTo(latest, [socket], "a", "e", 1); // now held
    let broadcasts = 0;
    latest.send([socket] as never, "a", "e", 2, () => broadcasts++);
    assert.equal(broadcasts, 0);
  });
});
