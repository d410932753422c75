// WORKERS=2 on one port behind @socket.io/sticky, as a real child process
// sharing a private Redis.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Group, LoginResponse } from "@convoy/shared";
import {
  connectCrowd,
  connectionsPerNode,
  everyoneHears,
  grownNodes,
  seedGroup,
  type Crowd,
} from "./support/crowd.ts";
import { startNodeProcess, type NodeProcess } from "./support/process.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { ask } from "./support/sockets.ts";
import { waitFor } from "./support/wait.ts";

const workerPids = async (node: NodeProcess, count: number) =>
  (await node.logged("worker ready", count)).map((entry) => entry.workerPid as number);

describe("[1 WORKERS] a sticky cluster of two workers on one port", () => {
  let redis: TestRedis;
  let node: NodeProcess;
  let group: Group;
  let logins: LoginResponse[];
  let crowd: Crowd;
  before(async () => {
    redis = await startRedis();
    node = await startNodeProcess({
      WORKERS: "2",
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString("hex"),
    });
    ({ group, logins } = await seedGroup(node.url, 10, "cluster"));
  });
  after(async () => {
    crowd?.close();
    await node.stop("SIGKILL");
    await redis.stop();
  });

  it("the primary listens only once both workers are ready", async () => {
    const entries = node.logs.map((line) => JSON.parse(line) as { msg?: string });
    const listening = entries.findIndex((entry) => entry.msg === "Convoy is listening");
    const ready = entries.filter((entry, i) => entry.msg === "worker ready" && i < listening);
    assert.equal(ready.length, 2);
  });

  it("100 clients on the default transport (polling, then upgrade): zero 'Session ID unknown', spread over both workers", async () => {
    crowd = await connectCrowd(node.url, { count: 100, logins });
    assert.deepEqual(crowd.problems, []);
    for (const chat of crowd.chats) assert.equal(chat.io.engine.transport.name, "websocket");

    // Each worker is a node with its own id; both hold some of the crowd's connections.
    const perNode = await connectionsPerNode(redis.url);
    assert.equal(perNode.size, 2);
    for (const count of perNode.values()) assert.ok(count > 0);
  });

  it("one message reaches all 100 clients across both workers", async () => {
    await everyoneHears(crowd, group.id, "all 100?");
    assert.deepEqual(crowd.problems, []);
  });

  it("/metrics, answered by any worker, adds up every worker's figures", async () => {
    for (let i = 0; i < 4; i++) {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      assert.match(text, /convoy_connected_sockets\{namespace="\/chat"\} 100\n/);
      assert.match(text, /convoy_connected_sockets\{namespace="\/presence"\} 100\n/);
    }
  });

  it("clients naming their group (affinity) all go to one worker", async () => {
    const before = await connectionsPerNode(redis.url);
    const grouped = await connectCrowd(node.url, { count: 20, logins, affinity: group.id });
    try {
      assert.deepEqual(grouped.problems, []);
      const grown = grownNodes(before, await connectionsPerNode(redis.url));
      assert.equal(grown.size, 1, `one worker took them all: ${JSON.stringify([...grown])}`);
      await everyoneHears(grouped, group.id, "one worker");
    } finally {
      grouped.close();
    }
  });

  it("a worker killed with SIGKILL is replaced; clients arriving meanwhile are served by the survivor, later ones by the new worker too", async () => {
    const [victim] = await workerPids(node, 2);
    const nodesBefore = new Set((await connectionsPerNode(redis.url)).keys());
    const lost = crowd.problems.length;
    process.kill(victim!, "SIGKILL");
    await node.logged("worker died; starting another", 1);
    // Connect at once, while the replacement starts: none of them may wait on it or be lost.
    const early = await connectCrowd(node.url, { count: 10, logins });
    // The victim's clients see the connection drop (and would reconnect by themselves).
    assert.ok(crowd.problems.length > lost);
    for (const problem of crowd.problems.slice(lost))
      assert.match(problem, /^disconnect \/(chat|presence) transport (close|error)$/);

    await workerPids(node, 3);
    const later = await connectCrowd(node.url, { count: 10, logins });
    try {
      assert.deepEqual([...early.problems, ...later.problems], []);
      const onReplacement = [...(await connectionsPerNode(redis.url))].filter(([id]) => !nodesBefore.has(id));
      assert.equal(onReplacement.length, 1);
      assert.ok(onReplacement[0]![1] > 0, "the new worker takes its turn once ready");
      // A message from a newcomer reaches a client of the survivor.
      const survivorsChat = crowd.chats.find((chat) => chat.connected)!;
      const newcomer = later.chats.at(-1)!;
      await ask(newcomer, "room:join", { groupId: group.id }, 5000);
      const heard = waitFor(survivorsChat, "message:new", { ms: 5000 });
      const sent = await ask(
        newcomer,
        "message:send",
        { groupId: group.id, text: "new worker here", clientMsgId: "after-crash" },
        5000,
      );
      assert.ok(sent.ok);
      assert.equal((await heard).id, sent.data.message.id);
    } finally {
      early.close();
      later.close();
    }
  });

  it("a worker that cannot start stops the cluster with exit 1 instead of re-forking forever", async () => {
    // A Redis without sharded Pub/Sub (as Redis 6): every worker fails while starting.
    const crippled = await startRedis({ args: ["--rename-command", "SSUBSCRIBE", ""] });
    const broken = await startNodeProcess({
      WORKERS: "2",
      REDIS_URL: crippled.url,
      JWT_SECRET: randomBytes(32).toString("hex"),
    })
      .catch((err: Error) => err)
      .finally(() => crippled.stop());
    assert.ok(broken instanceof Error);
    assert.match(broken.message, /exited early with 1/);
  });

  it("SIGTERM: clients see 'transport close' (they reconnect by themselves) and the cluster exits 0 within 10 s", async () => {
    const connected = crowd.chats.filter((chat) => chat.connected).slice(0, 10);
    assert.ok(connected.length > 0);
    const reasons = connected.map((chat) => waitFor(chat, "disconnect", { ms: 10_000 }));
    const started = Date.now();
    const code = await node.stop("SIGTERM");
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000);
    for (const reason of await Promise.all(reasons)) assert.equal(reason, "transport close");
  });
});
