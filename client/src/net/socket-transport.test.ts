// The real transport (socket.io-client's Manager) against a real socket.io
// server: retryNow cuts a reconnection backoff short, and does nothing to a
// connection that is open or opening.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Server } from "socket.io";
import { createSocketTransport, type Transport } from "./socket-transport.ts";

const NAMESPACES = ["/chat", "/presence", "/location"] as const;

/** An event outside the contract, answered by this test's server. */
type RoundTrip = { timeout(ms: number): { emitWithAck(event: "echo"): Promise<void> } };

/** Resolves when `socket` emits `event`; rejects after `ms`. */
function soon(socket: unknown, event: "connect" | "disconnect", ms: number) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    (socket as { once(event: string, listener: () => void): void }).once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("socket transport: retryNow", () => {
  const httpServer = createServer();
  const io = new Server(httpServer);
  /** Connections the server accepted, per namespace. */
  const accepted = new Map<string, number>();
  let url: string;
  let transport: Transport;
  const sockets = () => [transport.chat, transport.presence, transport.location];

  before(async () => {
    for (const nsp of NAMESPACES)
      io.of(nsp).on("connection", (socket) => {
        accepted.set(nsp, (accepted.get(nsp) ?? 0) + 1);
        socket.on("echo", (ack: () => void) => ack());
      });
    httpServer.listen(0, "127.0.0.1");
    await once(httpServer, "listening");
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    // socket.io's backoff after a drop: 10 s (its cap), far longer than the waits below.
    transport = createSocketTransport(() => Promise.resolve("a token"), {
      url,
      reconnectionDelay: 10_000,
      randomizationFactor: 0,
    });
  });
  after(async () => {
    for (const socket of sockets()) socket.disconnect();
    await io.close();
  });

  it("does nothing while the connection is opening or open", async () => {
    const connected = Promise.all(sockets().map((socket) => soon(socket, "connect", 5000)));
    for (const socket of sockets()) socket.connect();
    transport.retryNow(); // opening
    await connected;
    transport.retryNow(); // open
    // A round trip on each namespace: a second CONNECT, had one been sent, came before it.
    await Promise.all(
      sockets().map((socket) => (socket as unknown as RoundTrip).timeout(2000).emitWithAck("echo")),
    );
    assert.deepEqual([...accepted.values()], [1, 1, 1], "one connection per namespace");
    assert.ok(sockets().every((socket) => socket.connected));
  });

  it("a lost connection waiting out its backoff reconnects at once", async () => {
    const dropped = soon(transport.chat, "disconnect", 5000);
    for (const socket of io.of("/chat").sockets.values()) socket.conn.close();
    await dropped;
    const back = Promise.all(sockets().map((socket) => soon(socket, "connect", 3000)));
    transport.retryNow();
    await back; // within 3 s, not after the 10 s backoff
    assert.deepEqual([...accepted.values()], [2, 2, 2]);
  });
});
