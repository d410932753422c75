import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { Worker } from "node:cluster";
import { once } from "node:events";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { guardWorkerMail } from "./worker-mail.ts";

// A worker that is busy for a while (so it acknowledges a handle late), then
// tells the parent everything it reads from the socket it was given.
const WORKER = `
process.on("message", (message, socket) => {
  if (message === "busy") { const until = Date.now() + 500; while (Date.now() < until); }
  else socket.on("data", (data) => process.send(String(data)));
});`;

/** Rejects after `ms` unless `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("guardWorkerMail", () => {
  const server = createServer();
  const clients: Socket[] = [];
  /** A connection: the client's end, and the server's end that the primary hands over. */
  async function connection(): Promise<{ client: Socket; socket: Socket }> {
    const accepted = once(server, "connection") as Promise<[Socket]>;
    const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
    clients.push(client);
    const [socket] = await accepted;
    return { client, socket };
  }
  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
  });
  after(() => {
    for (const client of clients) client.destroy();
    server.close();
  });

  it("a socket handed to a worker loses no bytes sent before the worker took it", async () => {
    const worker = spawn(process.execPath, ["-e", WORKER], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    try {
      const { client, socket } = await connection();
      const mail = guardWorkerMail(worker as unknown as Worker, () => undefined);
      mail.open();
      worker.send("busy");
      (worker as unknown as Worker).send("socket", socket);
      // Sent while the worker has not taken the socket yet: the primary must not read it.
      client.write("the first frame");
      const [heard] = (await within(once(worker, "message"), 3000, "the worker heard nothing")) as [string];
      assert.equal(heard, "the first frame");
    } finally {
      worker.kill();
    }
  });

  it("a socket still queued for a worker that died is closed; one sent is not", async () => {
    // Node sends one handle at a time: the next waits, and is never sent if the worker dies.
    const callbacks: Array<(error: Error | null) => void> = [];
    const worker = {
      send: (_message: unknown, _socket: unknown, callback: (error: Error | null) => void) =>
        callbacks.push(callback),
    };
    const mail = guardWorkerMail(worker as unknown as Worker, () => undefined);
    mail.open();
    const sent = await connection();
    const queued = await connection();
    (worker as unknown as Worker).send("first", sent.socket, () => {});
    (worker as unknown as Worker).send("second", queued.socket, () => {});
    callbacks[0]!(null);
    mail.discard();
    await within(once(queued.client, "close"), 3000, "the queued socket was left open");
    assert.equal(sent.socket.destroyed, false);
  });
});
