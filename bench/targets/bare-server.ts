// The baseline: bare Socket.IO doing the same fan-out as Convoy and nothing
// else. No login, no validation, no store, no presence: a client names its
// group in the handshake, joins its rooms, and events are relayed to the room.
// Same event names and payload shapes as Convoy, so one load generator drives both.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server, type Socket } from "socket.io";

/**
 * Set: this module was loaded into a Convoy process (`node --import`, the
 * "bare-in-convoy" target) and serves on this port beside Convoy, sharing its
 * heap, its garbage collector and its JIT's view of Socket.IO.
 */
const hostedPort = process.env.BARE_HOSTED_PORT;
const port = Number(hostedPort ?? process.env.PORT ?? 3100);
/** More than 1: a Node cluster, for more clients than one process may open files for. */
const workers = Number(process.env.BARE_WORKERS ?? 1);
/**
 * Set: the workers share this Redis with the Redis adapter's sharded mode, a
 * channel per room ("dynamic"), as Convoy's cluster does: the baseline of the
 * scaled-out runs. Unset: workers only share the port (the hold).
 */
const redisUrl = process.env.REDIS_URL;
/** 3: /chat, /presence and /location like Convoy; 1: /chat only (the idle-memory baseline). */
const namespaces = process.env.BARE_NAMESPACES === "1" ? ["/chat"] : ["/chat", "/presence", "/location"];

type Ack = (reply: unknown) => void;
const ok = (ack: unknown, data: unknown) => {
  if (typeof ack === "function") (ack as Ack)({ ok: true, data });
};

let nextId = 0;
/** Who the client says it is (bench/lib/population.ts), echoed in payloads so they are as long as Convoy's. */
const identityOf = (socket: Socket) => {
  const { userId, username } = socket.handshake.auth as { userId?: unknown; username?: unknown };
  return {
    userId: typeof userId === "string" ? userId : socket.id,
    username: typeof username === "string" ? username : "bare",
  };
};
const handlers: Record<string, (io: Server, socket: Socket) => void> = {
  "/chat": (io, socket) => {
    const identity = identityOf(socket);
    socket.on("room:join", ({ groupId }: { groupId: string }, ack: unknown) => {
      void socket.join(groupId);
      ok(ack, { groupId, messages: [] });
    });
    socket.on(
      "message:send",
      (input: { groupId: string; text: string; clientMsgId: string }, ack: unknown) => {
        const message = {
          id: String(++nextId).padStart(12, "0"),
          groupId: input.groupId,
          ...identity,
          text: input.text,
          ts: Date.now(),
          clientMsgId: input.clientMsgId,
        };
        io.of("/chat").to(input.groupId).emit("message:new", message);
        ok(ack, { message });
      },
    );
  },
  "/presence": (io, socket) => {
    socket.on("presence:subscribe", ({ groupId }: { groupId: string }, ack: unknown) => {
      void socket.join(groupId);
      ok(ack, { groupId, members: [] });
    });
  },
  "/location": (io, socket) => {
    const identity = identityOf(socket);
    socket.on("location:subscribe", ({ groupId }: { groupId: string }, ack: unknown) => {
      void socket.join(groupId);
      ok(ack, { groupId, riders: [] });
    });
    socket.on("location:share", ({ groupId, sharing }: { groupId: string; sharing: boolean }, ack: unknown) =>
      ok(ack, { groupId, sharing }),
    );
    socket.on("location:update", (input: Record<string, unknown> & { groupId: string }, ack: unknown) => {
      io.of("/location")
        .to(input.groupId)
        .emit("location:update", { ...input, ...identity });
      ok(ack, { accepted: true });
    });
  },
};
async function serve(): Promise<void> {
  const httpServer = createServer();
  const io = new Server(httpServer, {
    // The same heartbeat as Convoy (SPEC §4), so idle traffic matches.
    pingInterval: 20_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 16 * 1024,
  });
  if (redisUrl) {
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" }));
  }
  for (const name of namespaces) io.of(name).on("connection", (socket) => handlers[name]!(io, socket));
  // A cluster's primary says when all its workers are listening.
  httpServer.listen(port, "127.0.0.1", () => cluster.isWorker || process.send?.("ready"));
  // Hosted, Convoy's own shutdown ends the process.
  if (!hostedPort)
    process.on("SIGTERM", () => {
      void io.close();
      process.exit(0);
    });
}

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let listeningWorkers = 0;
  cluster.on("listening", () => ++listeningWorkers === workers && process.send?.("ready"));
  // Exits once every worker has: the next run must not start beside closing workers.
  process.on("SIGTERM", () => {
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once("exit", () => --left === 0 && process.exit(0));
      worker.kill("SIGTERM");
    }
  });
} else await serve();
