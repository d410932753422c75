import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { Worker } from "node:cluster";
import { once } from "node:events";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { describe, it } from "node:test";
import { guardWorkerMail } from "./worker-mail.ts";

// A worker that is busy for a while (so it acknowledges a handle late), then
// tells the parent everything it reads from the socket it was given.
const WORKER = `
process.on("message", (message, socket) => {
  if (message === "busy") { const until = Date.now() + 500; while (Date.now() < until); }
  else socket.on("data", (data) => process.send(String(data)));
});`;

describe("guardWorkerMail", () => {
  it("a socket handed to a worker loses no bytes sent before the worker took it", async () => {
    const worker = spawn(process.execPath, ["-e", WORKER], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const server = createServer();
    try {
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      const accepted = once(server, "connection") as Promise<[Socket]>;
      const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
      const [socket] = await accepted;
      const mail = guardWorkerMail(worker as unknown as Worker, () => undefined);
      mail.open();
      worker.send("busy");
      (worker as unknown as Worker).send("socket", socket);
      // Sent while the worker has not taken the socket yet: the primary must not read it.
      client.write("the first frame");
      const [heard] = (await Promise.race([
        once(worker, "message"),
        new Promise((_, reject) => setTimeout(() => reject(new Error("the worker heard nothing")), 3000)),
      ])) as [string];
      assert.equal(heard, "the first frame");
      client.destroy();
    } finally {
      worker.kill();
      server.close();
    }
  });
});
