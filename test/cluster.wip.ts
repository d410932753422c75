// Work in progress (issue 3): not run by `npm test` yet. Fails today: POSTs whose body arrives in a
// second chunk get no answer through @socket.io/sticky 2.0.1, and prom-client aggregation times out.
// WORKERS=2 on one port behind @socket.io/sticky, as a real child process.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AckResult, ChatMessage, Group, LoginResponse } from "@convoy/shared";
import { io, type Socket } from "socket.io-client";
import { startNodeProcess, type NodeProcess } from "./support/process.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { waitFor } from "./support/wait.ts";

describe("[1 WORKERS] a sticky cluster of two workers on one port", () => {
  let redis: TestRedis;
  let node: NodeProcess;
  const clients: Socket[] = [];
  before(async () => {
    redis = await startRedis();
    node = await startNodeProcess({
      WORKERS: "2",
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString("hex"),
    });
  });
  after(async () => {
    for (const client of clients) client.close();
    await node.stop("SIGKILL");
    await redis.stop();
  });

  const post = async <T>(path: string, body: unknown, token?: string) => {
    const res = await fetch(node.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as T;
  };

  it("100 clients on the default transport (polling, then upgrade) connect with zero 'Session ID unknown'", async () => {
    const password = "correct horse battery";
    const logins: LoginResponse[] = [];
    for (let i = 0; i < 10; i++) {
      const username = `cluster_${process.pid}_${i}`;
      await post("/api/auth/register", { username, password });
      logins.push(await post<LoginResponse>("/api/auth/login", { username, password }));
    }
    const { group } = await post<{ group: Group }>("/api/groups", { name: "Cluster ride" }, logins[0]!.token);
    for (const login of logins.slice(1))
      await post("/api/groups/join", { inviteCode: group.inviteCode }, login.token);

    const errors: string[] = [];
    const upgraded: Array<Promise<unknown>> = [];
    for (let i = 0; i < 100; i++) {
      const client = io(`${node.url}/chat`, {
        auth: { token: logins[i % 10]!.token },
        forceNew: true,
        reconnection: false,
      });
      clients.push(client);
      client.on("connect_error", (err) => errors.push(`connect_error ${err.message}`));
      client.on("disconnect", (reason) => errors.push(`disconnect ${reason}`));
      upgraded.push(waitFor(client.io.engine as never, "upgrade", { ms: 15_000 }));
    }
    await Promise.all(
      clients.map((client) =>
        client.connected ? Promise.resolve() : waitFor(client, "connect", { ms: 15_000 }),
      ),
    );
    await Promise.all(upgraded);
    assert.deepEqual(errors, []);
    for (const client of clients) assert.equal(client.io.engine.transport.name, "websocket");

    // Everyone joins; one message reaches all 100 across both workers.
    await Promise.all(
      clients.map((client) => client.timeout(5000).emitWithAck("room:join", { groupId: group.id })),
    );
    const deliveries = clients.map((client) => waitFor<ChatMessage>(client, "message:new", { ms: 10_000 }));
    const sent = (await clients[0]!.timeout(5000).emitWithAck("message:send", {
      groupId: group.id,
      text: "all 100?",
      clientMsgId: "c100",
    })) as AckResult<{ message: ChatMessage }>;
    assert.ok(sent.ok);
    for (const message of await Promise.all(deliveries)) assert.equal(message.id, sent.data.message.id);
    assert.deepEqual(errors, []);
  });

  it("/metrics adds up every worker's figures", async () => {
    const text = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(text, /convoy_connected_sockets\{namespace="\/chat"\} 100\b/);
  });

  it("SIGTERM: clients see 'transport close' (they reconnect by themselves) and the cluster exits 0 within 10 s", async () => {
    const reasons = clients
      .slice(0, 10)
      .map((client) => waitFor<string>(client, "disconnect", { ms: 10_000 }));
    const started = Date.now();
    const code = await node.stop("SIGTERM");
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000);
    for (const reason of await Promise.all(reasons)) assert.equal(reason, "transport close");
  });
});
