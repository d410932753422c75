// Debian's nginx with the project's nginx/convoy.conf in front of two app
// processes ("hosts") sharing a private Redis.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { LIMITS, type Group, type LoginResponse } from "@convoy/shared";
import WebSocket from "ws";
import {
  connectCrowd,
  connectionsPerNode,
  everyoneHears,
  grownNodes,
  seedGroup,
  type Crowd,
} from "./support/crowd.ts";
import { projectConfigPath, startNginx, type TestNginx } from "./support/nginx.ts";
import { startNodeProcess, type NodeProcess } from "./support/process.ts";
import { rawRequest } from "./support/raw-http.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { ask, openSocket } from "./support/sockets.ts";
import { waitFor } from "./support/wait.ts";

/** 20 source addresses: clients as if from 20 machines, so the hash spreads them over both hosts. */
const clientAddresses = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 2}`);

describe("[nginx] two hosts behind nginx with the project's config", () => {
  let redis: TestRedis;
  let hosts: NodeProcess[];
  let nginx: TestNginx;
  let group: Group;
  let logins: LoginResponse[];
  const crowds: Crowd[] = [];
  before(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString("hex") };
    hosts = await Promise.all([startNodeProcess(env), startNodeProcess(env)]);
    nginx = await startNginx(hosts.map((host) => new URL(host.url).host));
    ({ group, logins } = await seedGroup(nginx.url, 10, "nginx"));
  });
  after(async () => {
    for (const crowd of crowds) crowd.close();
    await nginx?.stop();
    for (const host of hosts ?? []) await host.stop("SIGKILL");
    await redis?.stop();
  });

  it("100 clients on the default transport (polling, then upgrade): zero 'Session ID unknown', spread over both hosts", async () => {
    const crowd = await connectCrowd(nginx.url, { count: 100, logins, localAddresses: clientAddresses });
    crowds.push(crowd);
    assert.deepEqual(crowd.problems, []);
    for (const chat of crowd.chats) assert.equal(chat.io.engine.transport.name, "websocket");
    const perNode = await connectionsPerNode(redis.url);
    assert.equal(perNode.size, 2);
    for (const count of perNode.values()) assert.ok(count > 0, "both hosts hold some of the crowd");

    // One message reaches everyone, on both hosts.
    await everyoneHears(crowd, group.id, "through nginx");
    assert.deepEqual(crowd.problems, []);
  });

  it("clients naming their group (affinity) meet on one host, from 20 addresses, through polling and the upgrade", async () => {
    const before = await connectionsPerNode(redis.url);
    const crowd = await connectCrowd(nginx.url, {
      count: 20,
      logins,
      localAddresses: clientAddresses,
      affinity: group.id,
    });
    crowds.push(crowd);
    assert.deepEqual(crowd.problems, []);
    for (const chat of crowd.chats) assert.equal(chat.io.engine.transport.name, "websocket");
    const grown = grownNodes(before, await connectionsPerNode(redis.url));
    assert.equal(grown.size, 1, `one host took them all: ${JSON.stringify([...grown])}`);
    await everyoneHears(crowd, group.id, "one host");
  });

  it("clients that stay on long-polling keep their session on one host through many requests", async () => {
    const crowd = await connectCrowd(nginx.url, {
      count: 20,
      logins,
      localAddresses: clientAddresses,
      transports: ["polling"],
    });
    crowds.push(crowd);
    await Promise.all(crowd.chats.map((chat) => ask(chat, "room:join", { groupId: group.id }, 5000)));
    // Every round is a POST and a held GET per client, each of which must find its session.
    for (let round = 0; round < 5; round++) {
      const deliveries = crowd.chats.map((chat) => waitFor(chat, "message:new", { ms: 10_000 }));
      const sender = crowd.chats[round % crowd.chats.length]!;
      const sent = await ask(
        sender,
        "message:send",
        { groupId: group.id, text: `poll round ${round}`, clientMsgId: `poll-${round}` },
        5000,
      );
      assert.ok(sent.ok);
      for (const message of await Promise.all(deliveries)) assert.equal(message.id, sent.data.message.id);
    }
    for (const chat of crowd.chats) assert.equal(chat.io.engine.transport.name, "polling");
    assert.deepEqual(crowd.problems, []);
  });

  it("forwards Host with its port and the front proxy's scheme: a browser on the page's own origin is let in, another origin is not", async () => {
    const connectWithOrigin = (origin: string, headers: Record<string, string> = {}) => {
      const client = openSocket(nginx.url, "/chat", {
        auth: { token: logins[0]!.token },
        extraHeaders: { origin, ...headers },
        reconnection: false,
        forceNew: true,
      });
      return Promise.race([
        waitFor(client, "connect").then(() => "connected"),
        waitFor(client, "connect_error").then((err) => `refused: ${err.message}`),
      ]).finally(() => client.close());
    };
    assert.equal(await connectWithOrigin(nginx.url), "connected");
    assert.match(await connectWithOrigin("http://evil.example"), /^refused/);
    // Behind a TLS terminator that says https, the browser's https origin is the page's own.
    const httpsOrigin = nginx.url.replace(/^http:/, "https:");
    assert.equal(await connectWithOrigin(httpsOrigin, { "x-forwarded-proto": "https" }), "connected");
    assert.match(await connectWithOrigin(httpsOrigin), /^refused/);
  });

  it("[6] a burst of auth requests from one address beyond the limit answers 429 RATE_LIMITED; other paths are still served", async () => {
    // An address of its own, so the limit touches no other test's clients.
    const from = "127.0.0.99";
    const login = () =>
      rawRequest(`${nginx.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        localAddress: from,
      });
    // 10 a second with a burst of 20: of 40 at once, about 19 are refused.
    const burst = await Promise.all(Array.from({ length: 40 }, login));
    const limited = burst.filter((res) => res.status === 429);
    assert.ok(limited.length >= 10, `${limited.length} of 40 answered 429`);
    for (const res of burst.filter((res) => res.status !== 429))
      assert.equal(res.status, 400, "the app's answer");
    for (const res of limited) {
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, "RATE_LIMITED");
      assert.equal(res.headers["retry-after"], "1");
    }
    // Meanwhile the same address reaches everything else.
    assert.equal((await rawRequest(`${nginx.url}/healthz`, { localAddress: from })).status, 200);
    assert.equal((await rawRequest(`${nginx.url}/api/groups`, { localAddress: from })).status, 401);
  });

  it("[6] one address holds at most 100 connections through nginx; the 101st answers 429, another address connects", async () => {
    const from = "127.0.0.98";
    const wsUrl = `${nginx.url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    const open = (localAddress: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(wsUrl, { localAddress });
        socket.once("open", () => resolve(socket));
        socket.once("unexpected-response", (_req, res) => reject(new Error(`status ${res.statusCode}`)));
        socket.once("error", reject);
      });
    // WebSockets held open (the app closes unauthenticated ones after 10 s: well after this).
    const held = await Promise.all(Array.from({ length: 100 }, () => open(from)));
    try {
      await assert.rejects(open(from), /status 429/);
      assert.equal((await rawRequest(`${nginx.url}/healthz`, { localAddress: from })).status, 429);
      const other = await open("127.0.0.97");
      other.close();
    } finally {
      for (const socket of held) socket.close();
    }
  });

  it("passes the app's security headers on, and /metrics is not served to the public address", async () => {
    const page = await fetch(`${nginx.url}/`);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://${new URL(nginx.url).host} `));
    // The hosts listen on loopback and have no METRICS_TOKEN, yet nginx relays for anyone.
    const metrics = await fetch(`${nginx.url}/metrics`);
    assert.equal(metrics.status, 401);
  });

  it("times out idle connections only after Engine.IO's heartbeat would have", () => {
    const config = readFileSync(projectConfigPath, "utf8");
    const heartbeatSeconds = (LIMITS.pingIntervalMs + LIMITS.pingTimeoutMs) / 1000;
    for (const directive of ["proxy_read_timeout", "proxy_send_timeout"]) {
      const seconds = Number(new RegExp(`${directive} (\\d+)s;`).exec(config)?.[1]);
      assert.ok(seconds > heartbeatSeconds, `${directive} ${seconds}s must exceed ${heartbeatSeconds}s`);
    }
  });
});
