// A TCP proxy in front of Redis that holds back, by `delayMs`, every chunk a
// client sends that carries an SSUBSCRIBE (and what that connection sends
// after it, to keep the order): a node behind it subscribes as slowly as one
// whose channel lives on a far or busy shard, while its other commands go at
// loopback speed.
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";

export interface SlowSubscribeProxy {
  url: string;
  close(): Promise<void>;
}

export async function startSlowSubscribeProxy(
  target: { port: number },
  delayMs: number,
): Promise<SlowSubscribeProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: target.port });
    // Small writes at once, as Redis and its clients do (else Nagle adds ~40 ms).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    // Chunks leave in order: one held back holds back the ones after it.
    let sending = Promise.resolve();
    client.on("data", (chunk: Buffer) => {
      // node-redis writes command names in lower case.
      const slow = chunk.toString("latin1").toLowerCase().includes("ssubscribe");
      sending = sending.then(async () => {
        if (slow) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}
