// SPEC §6 limits and quotas against a real node, embedded, with Redis and with a Redis Cluster: each
// attack is refused, and a legitimate user on another connection at the same
// time is served. Client addresses are played with X-Forwarded-For, which the
// test nodes trust from loopback (TRUST_PROXY).
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Limits } from "@convoy/server";
import { startApp, uniqueName, type TestApp } from "./support/app.ts";
import { BACKENDS, startBackend, type SharedState } from "./support/backends.ts";
import type { BodyOf, Method } from "./support/routes.ts";
import { ask } from "./support/sockets.ts";
import { waitFor, waitForEvent } from "./support/wait.ts";

const PASSWORD = "correct horse battery";
const refusal = (err: unknown) => (err as Error).message;

for (const backend of BACKENDS) {
  describe(`[§6 limits] (${backend})`, () => {
    let state: SharedState | null = null;
    let run = 0;
    const apps: TestApp[] = [];
    before(async () => {
      state = await startBackend(backend);
    });
    after(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await state?.stop();
    });

    async function node(limits: Partial<Limits>, passwordCost?: number) {
      const app = await startApp({
        limits,
        redisPrefix: `abuse${++run}:`,
        config: {
          ...state?.config,
          ...(passwordCost ? { passwordCost } : {}),
        },
      });
      apps.push(app);
      const from = (address: string) => ({ "x-forwarded-for": address });
      /** An HTTP call from `address`. */
      const httpFrom = <M extends Method, P extends string>(
        address: string,
        method: M,
        path: P,
        body?: BodyOf<M, P>,
        token?: string,
      ) => app.http(method, path, body, token, from(address));
      const register = (address: string, username = uniqueName()) =>
        httpFrom(address, "POST", "/api/auth/register", { username, password: PASSWORD });
      const login = (address: string, username: string, password = PASSWORD) =>
        httpFrom(address, "POST", "/api/auth/login", { username, password });
      /** A socket from `address`, on its own connection. */
      const connectFrom = (address: string, nsp: "/chat" | "/presence", token: string) =>
        app.connect(nsp, token, { extraHeaders: from(address) });
      return { app, httpFrom, register, login, connectFrom };
    }

    it("logins: every attempt counts per address; 429 with Retry-After; another address logs in meanwhile", async () => {
      const { app, login } = await node({ loginsPerAddressPerMinute: 3 });
      const victim = await app.member();
      for (let i = 0; i < 3; i++)
        assert.equal((await login("198.51.100.1", victim.user.username, "wrong guess")).status, 401);
      const flood = await login("198.51.100.1", victim.user.username, "wrong guess");
      assert.equal(flood.status, 429);
      assert.equal(flood.error?.code, "RATE_LIMITED");
      assert.ok(flood.error.retryAfterMs! > 0);
      const res = await fetch(`${app.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.1" },
        body: JSON.stringify({ username: victim.user.username, password: PASSWORD }),
      });
      assert.equal(res.status, 429, "even the right password waits");
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
      assert.equal((await login("198.51.100.2", victim.user.username)).status, 200);
    });

    it("logins: failures per username and address stop that pair only; the owner elsewhere logs in", async () => {
      const { app, login } = await node({ loginFailuresPerUserAndAddress: 3 });
      const victim = await app.member();
      const other = await app.member();
      for (let i = 0; i < 3; i++)
        assert.equal((await login("198.51.100.3", victim.user.username, "nope nope")).status, 401);
      assert.equal((await login("198.51.100.3", victim.user.username)).status, 429);
      assert.equal(
        (await login("198.51.100.3", other.user.username)).status,
        200,
        "other accounts from there",
      );
      assert.equal((await login("198.51.100.4", victim.user.username)).status, 200, "the owner elsewhere");
    });

    it("logins: failures per username from many addresses stop new addresses, not the owner's own", async () => {
      const { app, login } = await node({ loginFailuresPerUserPerHour: 4 });
      const victim = await app.member();
      assert.equal(
        (await login("192.0.2.10", victim.user.username)).status,
        200,
        "the owner's usual address",
      );
      for (let i = 0; i < 4; i++) await login(`203.0.113.${i + 1}`, victim.user.username, "spray spray");
      assert.equal((await login("203.0.113.50", victim.user.username)).status, 429);
      assert.equal((await login("192.0.2.10", victim.user.username)).status, 200, "not locked out");
    });

    it("registrations per address; another address registers meanwhile", async () => {
      const { register } = await node({ registrationsPerAddressPerHour: 2 });
      assert.equal((await register("198.51.100.5")).status, 201);
      assert.equal((await register("198.51.100.5")).status, 201);
      const third = await register("198.51.100.5");
      assert.equal(third.status, 429);
      assert.equal(third.error?.code, "RATE_LIMITED");
      assert.equal((await register("198.51.100.6")).status, 201);
    });

    it("hashing is bounded: a burst of registrations is partly refused at once, and handshakes are not held up", async () => {
      // A real cost (16 MiB, tens of ms a hash), one at a time, one waiting.
      const { app, register, connectFrom } = await node({ hashesRunning: 1, hashesWaiting: 1 }, 16384);
      const member = await app.member().catch(() => null);
      const burst = Array.from({ length: 12 }, (_, i) => register(`198.51.100.${100 + i}`));
      const socket = member ? await connectFrom("192.0.2.1", "/chat", member.token) : null;
      const results = await Promise.all(burst);
      const statuses = results.map((r) => r.status);
      assert.ok(statuses.filter((s) => s === 201).length >= 2, String(statuses));
      assert.ok(statuses.filter((s) => s === 429).length >= 1, String(statuses));
      assert.ok(results.every((r) => r.status === 201 || r.error?.code === "RATE_LIMITED"));
      if (socket) assert.ok(socket.connected);
    });

    it("handshakes per address: new connections and namespace connects; another address connects meanwhile", async () => {
      const { app, connectFrom } = await node({ handshakesPerAddressPerMinute: 4 });
      const [attacker, user] = await Promise.all([app.member(), app.member()]);
      // Each connection costs two: its Engine.IO handshake and its /chat connect.
      await connectFrom("198.51.100.7", "/chat", attacker.token);
      await connectFrom("198.51.100.7", "/chat", attacker.token);
      await assert.rejects(connectFrom("198.51.100.7", "/chat", attacker.token));
      assert.ok((await connectFrom("198.51.100.8", "/chat", user.token)).connected);
    });

    it("events per socket: a flood is answered RATE_LIMITED with retryAfterMs; another user's socket is served", async () => {
      const { app } = await node({ eventsPerSocketPerSecond: 5, eventsPerUserPerSecond: 1000 });
      const { group, members } = await app.groupWith(2);
      const [flooder, user] = await Promise.all(members.map((m) => app.connect("/chat", m.token)));
      await Promise.all([
        ask(flooder!, "room:join", { groupId: group.id }),
        ask(user!, "room:join", { groupId: group.id }),
      ]);
      const flood = await Promise.all(
        Array.from({ length: 40 }, () =>
          ask(flooder!, "messages:since", { groupId: group.id, afterId: "0" }),
        ),
      );
      const limited = flood.filter((r) => !r.ok && r.error.code === "RATE_LIMITED");
      assert.ok(limited.length >= 20, `${limited.length} limited`);
      assert.ok(limited.every((r) => !r.ok && r.error.retryAfterMs! > 0));
      const served = await ask(user!, "messages:since", {
        groupId: group.id,
        afterId: "0",
      });
      assert.equal(served.ok, true);
    });

    it("events per user: many sockets of one user share one limit; another user is served", async () => {
      const { app } = await node({ eventsPerSocketPerSecond: 1000, eventsPerUserPerSecond: 5 });
      const { group, members } = await app.groupWith(2);
      const flooder = members[0]!;
      const sockets = await Promise.all([1, 2, 3].map(() => app.connect("/chat", flooder.token)));
      const flood = await Promise.all(
        sockets.flatMap((socket) =>
          Array.from({ length: 10 }, () => ask(socket, "room:join", { groupId: group.id })),
        ),
      );
      assert.ok(flood.filter((r) => !r.ok && r.error.code === "RATE_LIMITED").length >= 15);
      const other = await app.connect("/chat", members[1]!.token);
      assert.equal((await ask(other, "room:join", { groupId: group.id })).ok, true);
    });

    it("sockets per user: one too many is refused QUOTA_EXCEEDED, a closed one frees its place", async () => {
      const { app } = await node({ socketsPerUser: 3 });
      const [hoarder, user] = await Promise.all([app.member(), app.member()]);
      const open = await Promise.all([1, 2, 3].map(() => app.connect("/presence", hoarder.token)));
      await assert.rejects(
        app.connect("/presence", hoarder.token),
        (err) => refusal(err) === "QUOTA_EXCEEDED",
      );
      assert.ok((await app.connect("/presence", user.token)).connected);
      const closed = waitFor(open[0]!, "disconnect");
      open[0]!.disconnect();
      await closed;
      // The server counts the close when it sees it: the next connect may race it once.
      const again = await app
        .connect("/presence", hoarder.token)
        .catch(() => app.connect("/presence", hoarder.token));
      assert.ok(again.connected);
    });

    it("connections per address: one too many is refused QUOTA_EXCEEDED; another address connects", async () => {
      const { app, connectFrom } = await node({ connectionsPerAddress: 2 });
      const members = await Promise.all([1, 2, 3, 4].map(() => app.member()));
      await connectFrom("198.51.100.9", "/chat", members[0]!.token);
      await connectFrom("198.51.100.9", "/chat", members[1]!.token);
      await assert.rejects(
        connectFrom("198.51.100.9", "/chat", members[2]!.token),
        (err) => refusal(err) === "QUOTA_EXCEEDED",
      );
      assert.ok((await connectFrom("198.51.100.10", "/chat", members[3]!.token)).connected);
    });

    it("unauthenticated connections per address are capped and closed at their deadline", async () => {
      const { app, connectFrom } = await node({ unauthenticatedPerAddress: 3, unauthenticatedMs: 300 });
      const user = await app.member();
      const handshake = () =>
        fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, {
          headers: { "x-forwarded-for": "198.51.100.11" },
        });
      const idle = await Promise.all([1, 2, 3].map(handshake));
      assert.deepEqual(
        idle.map((r) => r.status),
        [200, 200, 200],
      );
      const sids = await Promise.all(
        idle.map(async (r) => (JSON.parse((await r.text()).slice(1)) as { sid: string }).sid),
      );
      const refused = await handshake();
      assert.equal(refused.status, 403);
      await refused.text();
      assert.ok((await connectFrom("198.51.100.12", "/chat", user.token)).connected, "another address");
      // Past the deadline the idle ones are gone (their sid unknown) and the address may try again.
      let closed = false;
      for (let i = 0; i < 50 && !closed; i++) {
        const poll = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling&sid=${sids[0]}`);
        closed = poll.status === 400;
        await poll.text();
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(closed, "the idle connection was closed");
      assert.equal((await handshake()).status, 200);
    });

    it("a handshake flood beyond the quota holds no more sessions than the quota (memory stays flat)", async () => {
      const { app } = await node({ unauthenticatedPerAddress: 5 });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, {
          headers: { "x-forwarded-for": "198.51.100.13" },
        });
        await res.text();
        statuses.push(res.status);
      }
      assert.equal(statuses.filter((status) => status === 200).length, 5);
      assert.equal(statuses.filter((status) => status === 403).length, 195);
      assert.equal(app.app.io.engine.clientsCount, 5, "the refused ones never got a session");
    });

    it("a node holding its share of unauthenticated connections refuses more SERVER_BUSY; a stock client retries and gets in", async () => {
      const { app } = await node({ unauthenticatedPerNode: 4, unauthenticatedPerAddress: 2 });
      const user = await app.member();
      const handshake = (address: string) =>
        fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, { headers: { "x-forwarded-for": address } });
      // Four idle handshakes from two addresses, each within its address's share.
      const idle = await Promise.all(
        ["198.51.100.21", "198.51.100.21", "198.51.100.22", "198.51.100.22"].map(handshake),
      );
      assert.deepEqual(
        idle.map((r) => r.status),
        [200, 200, 200, 200],
      );
      const sids = await Promise.all(
        idle.map(async (r) => (JSON.parse((await r.text()).slice(1)) as { sid: string }).sid),
      );
      const busy = await handshake("198.51.100.23");
      assert.equal(busy.status, 403);
      assert.match(await busy.text(), /SERVER_BUSY/);
      assert.equal(app.app.io.engine.clientsCount, 4, "the refused one got no session");

      // A client as the app makes it (reconnection on): refused while the node is full, and in
      // once the idle ones have left, without being told to try again.
      const client = app.socket("/chat", user.token, {
        reconnection: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 300,
        extraHeaders: { "x-forwarded-for": "198.51.100.24" },
      });
      await waitForEvent(client.io, "reconnect_attempt", { ms: 5000 });
      assert.equal(client.connected, false);
      const inside = waitFor(client, "connect", { ms: 10_000 });
      // Engine.IO packet 1: close.
      for (const sid of sids) {
        const res = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
          method: "POST",
          body: "1",
          headers: { "x-forwarded-for": "198.51.100.21" },
        });
        await res.text();
      }
      await inside;
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      assert.match(
        metrics,
        /convoy_rejections_total\{namespace="engine",event="handshake",code="SERVER_BUSY"\} [1-9]/,
      );
    });

    it("a request sent too slowly is cut off (slowloris); a normal one is served meanwhile", async () => {
      const { app } = await node({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
      const slow = connect(app.port, "127.0.0.1");
      slow.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      // Read what comes (a 408), so that the end of the stream is seen.
      slow.resume();
      const closed = new Promise<void>((resolve) => slow.once("close", () => resolve()));
      assert.equal((await app.http("GET", "/healthz")).status, 200);
      await Promise.race([
        closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("the slow request was not cut off")), 5000),
        ),
      ]);
    });

    it("groups owned per user and members per group answer 403 QUOTA_EXCEEDED and store nothing", async () => {
      const { app } = await node({ groupsOwnedPerUser: 2, membersPerGroup: 2 });
      const [owner, joiner, late, other] = await Promise.all([1, 2, 3, 4].map(() => app.member()));
      const create = (token: string) => app.http("POST", "/api/groups", { name: "Ride" }, token);
      const first = await create(owner!.token);
      await create(owner!.token);
      const third = await create(owner!.token);
      assert.equal(third.status, 403);
      assert.equal(third.error?.code, "QUOTA_EXCEEDED");
      const mine = await app.http("GET", "/api/groups", undefined, owner!.token);
      assert.equal(mine.body.groups.length, 2);
      assert.equal((await create(other!.token)).status, 201, "another user creates meanwhile");

      const invite = { inviteCode: first.body.group.inviteCode };
      assert.equal((await app.http("POST", "/api/groups/join", invite, joiner!.token)).status, 200);
      const full = await app.http("POST", "/api/groups/join", invite, late!.token);
      assert.equal(full.status, 403);
      assert.equal(full.error?.code, "QUOTA_EXCEEDED");
      const detail = await app.http("GET", `/api/groups/${first.body.group.id}`, undefined, owner!.token);
      assert.equal(detail.body.members.length, 2);
      assert.equal(
        (await app.http("POST", "/api/groups/join", invite, joiner!.token)).status,
        200,
        "a member rejoins",
      );
    });
  });
}
