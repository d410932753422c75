// Unit test with a stand-in socket: the real-connection case is in test/limits.test.ts.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { createLatestPerKey } from "./latest-per-key.ts";

function fakeSocket() {
  const conn = Object.assign(new EventEmitter(), { transport: { writable: true } });
  const sent: Array<[string, unknown]> = [];
  const socket = {
    connected: true,
    conn,
    emit: (event: string, payload: unknown) => sent.push([event, payload]),
  };
  return { socket: socket as never, conn, sent };
}

describe("createLatestPerKey", () => {
  it("sends straight through while the connection is writable", () => {
    const { socket, sent } = fakeSocket();
    const latest = createLatestPerKey();
    latest.send(socket, "a", "e", 1);
    latest.send(socket, "a", "e", 2);
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", 2],
    ]);
  });

  it("while busy, keeps the newest per key and sends it on drain", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    conn.transport.writable = false;
    latest.send(socket, "a", "e", 1); // queued behind the busy transport
    latest.send(socket, "a", "e", 2);
    latest.send(socket, "b", "e", "b1");
    latest.send(socket, "a", "stop", 3);
    assert.deepEqual(sent, [["e", 1]]);
    conn.transport.writable = true;
    conn.emit("drain");
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", "b1"],
      ["stop", 3],
    ]);
    latest.send(socket, "a", "e", 4);
    assert.deepEqual(sent.at(-1), ["e", 4]);
  });

  it("stays in holding mode while drains leave the transport busy", () => {
    const { socket, conn, sent } = fakeSocket();
    const latest = createLatestPerKey();
    conn.transport.writable = false;
    latest.send(socket, "a", "e", 1);
    latest.send(socket, "a", "e", 2);
    conn.emit("drain"); // flushed, but the transport is busy again
    latest.send(socket, "a", "e", 3);
    latest.send(socket, "a", "e", 4);
    assert.deepEqual(sent, [
      ["e", 1],
      ["e", 2],
    ]);
    conn.emit("drain");
    assert.deepEqual(sent.at(-1), ["e", 4]);
  });
});
