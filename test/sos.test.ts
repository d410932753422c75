// SOS on /location (issue #14), embedded, with Redis and a Redis Cluster: alerts reach every
// device of every member, receipts are per user and seen live, unacknowledged
// SOSes are alerted again and reported to the webhook, the raiser or an
// acknowledging member resolves. Time is a test clock moved by hand: the sweep
// runs every few ms, so a re-send due "in 60 s" comes as soon as the clock says so.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import type { Clock, Limits } from "@convoy/server";
import { LIMITS, type AckResult, type Sos } from "@convoy/shared";
import { pino, type Logger } from "pino";
import { startApp, type Member, type TestApp } from "./support/app.ts";
import { ask, askRaw, type LocationSocket, codeOf, dataOf } from "./support/sockets.ts";
import { BACKENDS, startBackend, type SharedState } from "./support/backends.ts";
import { collect, expectSilence, waitFor, waitForEvent } from "./support/wait.ts";

/** Sweeps every few ms, so that waits are bounded by the test, not by the default 2 s. */
const FAST: Partial<Limits> = { sosSweepMs: 10, sosWebhookBackoffMs: 10, sosWebhookTimeoutMs: 1000 };

function testClock() {
  let now = Date.now();
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => void (now += ms) };
}

const fix = { lat: 46.55812, lng: 7.98103, accuracy: 12, ts: 1_790_000_000_000 };

/** A local webhook receiver; `statusOf` answers each request (n counts from 1). */
async function startReceiver(statusOf: (n: number, body: { sos?: Sos }) => number) {
  const requests: Array<{ url: string; headers: IncomingMessage["headers"]; body: unknown }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { sos?: Sos };
      requests.push({ url: req.url ?? "", headers: req.headers, body });
      res.statusCode = statusOf(requests.length, body);
      res.end(res.statusCode === 200 ? "ok" : "no");
      server.emit("request-done", requests.length);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    port,
    /** Resolves once the receiver has answered `count` requests in all. */
    received: (count: number, ms = 5000) =>
      requests.length >= count
        ? Promise.resolve()
        : waitForEvent<number>(server, "request-done", { where: (n) => n >= count, ms }).then(() => {}),
    /** Asserts that no request arrives within `ms` (an absence needs a window). */
    silence: async (ms: number) => {
      const before = requests.length;
      await new Promise((resolve) => setTimeout(resolve, ms));
      assert.equal(requests.length, before, "the webhook was called");
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Resolves when a logged line matches, polling the captured lines (bounded). */
async function logged(lines: string[], pattern: RegExp, ms = 3000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (lines.some((line) => pattern.test(line))) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nothing logged matching ${pattern} within ${ms} ms`);
}

/** A logger that keeps every line (info and up). */
function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }) };
}

for (const backend of BACKENDS) {
  describe(`[#14 SOS] (${backend})`, () => {
    let state: SharedState | null = null;
    let run = 0;
    let apps: TestApp[] = [];
    before(async () => {
      state = await startBackend(backend);
    });
    after(() => state?.stop());
    afterEach(async () => {
      await Promise.all(apps.map((app) => app.close()));
      apps = [];
    });

    /** A node with fast sweeps and a test clock; several with `shared` share one Redis prefix (and clock). */
    async function node(
      options: {
        clock?: Clock;
        limits?: Partial<Limits>;
        webhook?: { url: string; afterMs: number };
        logger?: Logger;
      } = {},
      shared?: { prefix: string; jwtSecret: string },
    ) {
      const app = await startApp({
        limits: { ...FAST, ...options.limits },
        redisPrefix: shared?.prefix ?? `sos${++run}:`,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        config: {
          ...state?.config,
          ...(shared ? { jwtSecret: shared.jwtSecret } : {}),
          sosWebhook: options.webhook ?? null,
        },
      });
      apps.push(app);
      return app;
    }

    /** A group of `count` members, each with one /location socket; the first raises. */
    async function crew(app: TestApp, count: number) {
      const { group, members } = await app.groupWith(count);
      const sockets = await Promise.all(members.map((m) => app.connect("/location", m.token)));
      return { group, members, sockets };
    }

    // Raw: the suite also sends payloads without their optional fields, and bad ones.
    const raise = (socket: LocationSocket, payload: Record<string, unknown>) =>
      askRaw(socket, "sos:raise", [payload]) as Promise<AckResult<{ sos: Sos }>>;
    const receipt = (socket: LocationSocket, sosId: string, state: string) =>
      askRaw(socket, "sos:receipt", [{ sosId, state }]) as Promise<AckResult<{ sos: Sos }>>;
    const resolve = (socket: LocationSocket, sosId: string) => ask(socket, "sos:resolve", { sosId });
    const active = async (socket: LocationSocket) => dataOf(await ask(socket, "sos:active", {})).alerts;

    it("raise: every device of every member gets sos:alert, whatever group it has open; a retry alerts nobody", async () => {
      const app = await node();
      const { group, members } = await app.groupWith(3);
      const [raiser, bob, carol] = members as [Member, Member, Member];
      const raiserSocket = await app.connect("/location", raiser.token);
      // Bob on two devices, neither subscribed to anything.
      const bobPhone = await app.connect("/location", bob.token);
      const bobTablet = await app.connect("/location", bob.token);
      // Carol has another group of hers open.
      const carolSocket = await app.connect("/location", carol.token);
      const other = await app.http("POST", "/api/groups", { name: "Other" }, carol.token);
      dataOf(await ask(carolSocket, "location:subscribe", { groupId: other.body.group.id }));
      const outsider = await app.member();
      const outsiderSocket = await app.connect("/location", outsider.token);
      const outsiderAlerts = collect(outsiderSocket, "sos:alert");

      const receivers = [raiserSocket, bobPhone, bobTablet, carolSocket];
      const alerts = receivers.map((socket) => waitFor(socket, "sos:alert"));
      const answer = await raise(raiserSocket, {
        groupId: group.id,
        clientSosId: "sos-1",
        note: "  crashed in the hairpin, leg hurts  ",
        fix,
      });
      const { sos } = dataOf(answer);
      assert.deepEqual(sos, {
        id: sos.id,
        groupId: group.id,
        userId: raiser.user.id,
        username: raiser.user.username,
        clientSosId: "sos-1",
        note: "crashed in the hairpin, leg hurts",
        fix,
        raisedAt: sos.raisedAt,
        resolvedAt: null,
        resolvedBy: null,
        sentCount: 1,
        receipts: [],
      });
      assert.equal(typeof sos.id, "string");
      assert.ok(Math.abs(sos.raisedAt - Date.now()) < 60_000, "server time");
      for (const alert of await Promise.all(alerts)) assert.deepEqual(alert, sos);

      // A retry (the ack was lost), or a second press with another id, answers the open SOS.
      const again = collect(bobPhone, "sos:alert");
      assert.deepEqual(dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "sos-1" })), {
        sos,
      });
      assert.deepEqual(dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "sos-2" })), {
        sos,
      });
      // A receipt sent after them reaches Bob after anything they could have sent.
      const update = waitFor(bobPhone, "sos:update");
      dataOf(await receipt(carolSocket, sos.id, "delivered"));
      await update;
      again.stop();
      assert.deepEqual(again.seen, [], "a retry alerts nobody");
      assert.deepEqual(outsiderAlerts.seen, [], "a non-member hears nothing");

      // Optional fields: no note (an empty one is none), no fix.
      const plain = dataOf(
        await raise(carolSocket, { groupId: group.id, clientSosId: "p", note: "   " }),
      ).sos;
      assert.equal(plain.note, null);
      assert.equal(plain.fix, null);
      assert.notEqual(plain.id, sos.id, "one open SOS per rider: Carol has her own");
    });

    it("receipts are per user: two devices delivering count once; the raiser and the group see each step live", async () => {
      const app = await node();
      const { group, members } = await app.groupWith(3);
      const [raiser, bob, carol] = members as [Member, Member, Member];
      const raiserSocket = await app.connect("/location", raiser.token);
      const bobPhone = await app.connect("/location", bob.token);
      const bobTablet = await app.connect("/location", bob.token);
      const carolSocket = await app.connect("/location", carol.token);
      const { sos } = dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "r1", fix }));
      const updates = collect(raiserSocket, "sos:update");
      const carolUpdates = collect(carolSocket, "sos:update");

      const first = waitFor(raiserSocket, "sos:update");
      const delivered = dataOf(await receipt(bobPhone, sos.id, "delivered")).sos;
      assert.deepEqual(
        delivered.receipts.map(({ userId, state }) => ({ userId, state })),
        [{ userId: bob.user.id, state: "delivered" }],
      );
      assert.equal(delivered.receipts[0]!.username, bob.user.username);
      assert.deepEqual(await first, delivered, "the raiser sees it live");
      // Bob's second device: answered with the SOS as it is, and no update for anyone.
      assert.deepEqual(dataOf(await receipt(bobTablet, sos.id, "delivered")).sos, delivered);

      const seen = waitFor(raiserSocket, "sos:update", {
        where: (s) => s.receipts.some((r) => r.userId === bob.user.id && r.state === "seen"),
      });
      dataOf(await receipt(bobTablet, sos.id, "seen"));
      await seen;
      // Never backwards: a late "delivered" from the phone changes nothing.
      const backwards = dataOf(await receipt(bobPhone, sos.id, "delivered")).sos;
      assert.equal(backwards.receipts.find((r) => r.userId === bob.user.id)?.state, "seen");

      const byCarol = (s: Sos) => s.receipts.some((r) => r.userId === carol.user.id);
      const acknowledged = waitFor(raiserSocket, "sos:update", { where: byCarol });
      // Carol's own socket too: with Redis the broadcast may come after her ack.
      const acknowledgedToCarol = waitFor(carolSocket, "sos:update", { where: byCarol });
      const carolAck = dataOf(await receipt(carolSocket, sos.id, "acknowledged")).sos;
      assert.deepEqual(await acknowledged, carolAck);
      assert.deepEqual(await acknowledgedToCarol, carolAck);
      assert.deepEqual(
        carolAck.receipts
          .map(({ userId, state }) => ({ userId, state }))
          .sort((a, b) => a.state.localeCompare(b.state)),
        [
          { userId: carol.user.id, state: "acknowledged" },
          { userId: bob.user.id, state: "seen" },
        ],
      );
      updates.stop();
      carolUpdates.stop();
      assert.equal(updates.seen.length, 3, "delivered, seen, acknowledged: one update each");
      assert.deepEqual(carolUpdates.seen, updates.seen, "the group sees what the raiser sees");

      const own = await receipt(raiserSocket, sos.id, "seen");
      assert.equal(codeOf(own), "FORBIDDEN", "the raiser sends no receipts");
    });

    it("an SOS nobody acknowledged is alerted again every 60 s, at most 10 times; an acknowledged one is not", async () => {
      const { clock, advance } = testClock();
      const app = await node({ clock });
      const { group, sockets } = await crew(app, 3);
      const [raiserSocket, bobSocket, carolSocket] = sockets as [
        LocationSocket,
        LocationSocket,
        LocationSocket,
      ];
      const firstAlert = waitFor(bobSocket, "sos:alert");
      const { sos } = dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "a" }));
      await firstAlert;
      const alerts = collect(bobSocket, "sos:alert");

      advance(LIMITS.sosResendMs - 1000);
      await expectSilence(bobSocket, "sos:alert", 100);
      const second = [raiserSocket, bobSocket, carolSocket].map((socket) =>
        waitFor(socket, "sos:alert", { where: (s) => s.sentCount === 2 }),
      );
      advance(1000);
      for (const alert of await Promise.all(second)) assert.deepEqual(alert, { ...sos, sentCount: 2 });

      // Delivered and seen do not stop it; only "I'm coming" does.
      dataOf(await receipt(carolSocket, sos.id, "seen"));
      const third = waitFor(bobSocket, "sos:alert", { where: (s) => s.sentCount === 3 });
      advance(LIMITS.sosResendMs);
      assert.equal((await third).receipts[0]?.state, "seen");
      dataOf(await receipt(carolSocket, sos.id, "acknowledged"));
      advance(LIMITS.sosResendMs * 5);
      await expectSilence(bobSocket, "sos:alert", 150);
      assert.deepEqual(
        alerts.seen.map((s) => s.sentCount),
        [2, 3],
      );

      // Another SOS nobody answers: alerted 10 times in all, then no more.
      const lonely = await crew(app, 2);
      const counts = collect(lonely.sockets[1]!, "sos:alert");
      const { sos: unanswered } = dataOf(
        await raise(lonely.sockets[0]!, { groupId: lonely.group.id, clientSosId: "b" }),
      );
      for (let sent = 2; sent <= LIMITS.sosSendsMax; sent++) {
        const next = waitFor(lonely.sockets[1]!, "sos:alert", { where: (s) => s.sentCount === sent });
        advance(LIMITS.sosResendMs);
        await next;
      }
      advance(LIMITS.sosResendMs * 3);
      await expectSilence(lonely.sockets[1]!, "sos:alert", 150);
      assert.deepEqual(
        counts.seen.map((s) => s.sentCount),
        Array.from({ length: LIMITS.sosSendsMax }, (_, i) => i + 1),
      );
      const [still] = await active(lonely.sockets[1]!);
      assert.equal(still?.id, unanswered.id, "still open after its last alert");
    });

    it("resolve: by the raiser, or by a member who acknowledged; FORBIDDEN for one who did not; CONFLICT once resolved", async () => {
      const app = await node();
      const { group, members } = await app.groupWith(3);
      const [raiser, bob, carol] = members as [Member, Member, Member];
      const raiserSocket = await app.connect("/location", raiser.token);
      const bobPhone = await app.connect("/location", bob.token);
      const bobTablet = await app.connect("/location", bob.token);
      const carolSocket = await app.connect("/location", carol.token);

      // Resolved by the raiser: every device hears it.
      const first = dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "one" })).sos;
      dataOf(await receipt(bobPhone, first.id, "seen"));
      assert.equal(codeOf(await resolve(bobPhone, first.id)), "FORBIDDEN", "seen is not acknowledged");
      assert.equal(codeOf(await resolve(carolSocket, first.id)), "FORBIDDEN", "nothing sent at all");
      const heard = [raiserSocket, bobPhone, bobTablet, carolSocket].map((socket) =>
        waitFor(socket, "sos:resolved"),
      );
      const resolved = dataOf(await resolve(raiserSocket, first.id)).sos;
      assert.equal(resolved.resolvedBy, raiser.user.id);
      assert.equal(typeof resolved.resolvedAt, "number");
      for (const notice of await Promise.all(heard)) assert.deepEqual(notice, resolved);
      assert.equal(codeOf(await resolve(raiserSocket, first.id)), "CONFLICT");
      assert.equal(codeOf(await receipt(carolSocket, first.id, "acknowledged")), "CONFLICT");
      assert.equal(codeOf(await resolve(carolSocket, first.id)), "FORBIDDEN", "who may act comes first");
      // Its clientSosId still answers it; a new one raises a new SOS.
      assert.deepEqual(
        dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "one" })).sos,
        resolved,
      );

      // Resolved by a member who acknowledged.
      const second = dataOf(await raise(raiserSocket, { groupId: group.id, clientSosId: "two" })).sos;
      assert.notEqual(second.id, first.id);
      dataOf(await receipt(carolSocket, second.id, "acknowledged"));
      const heardByRaiser = waitFor(raiserSocket, "sos:resolved");
      const byCarol = dataOf(await resolve(carolSocket, second.id)).sos;
      assert.equal(byCarol.resolvedBy, carol.user.id);
      assert.deepEqual(await heardByRaiser, byCarol);
      assert.equal(codeOf(await resolve(raiserSocket, second.id)), "CONFLICT");
      assert.deepEqual(await active(bobTablet), []);
    });

    it("a reconnecting or reloaded client gets the open SOSes of all its groups from sos:active, oldest first", async () => {
      const { clock, advance } = testClock();
      const app = await node({ clock });
      const rider = await app.member();
      const first = await crew(app, 2);
      const second = await crew(app, 2);
      for (const { group } of [first, second]) {
        const joined = await app.http(
          "POST",
          "/api/groups/join",
          { inviteCode: group.inviteCode },
          rider.token,
        );
        assert.equal(joined.status, 200);
      }
      const elsewhere = await crew(app, 2);
      const older = dataOf(
        await raise(second.sockets[0]!, { groupId: second.group.id, clientSosId: "o", fix }),
      ).sos;
      advance(1000);
      const newer = dataOf(await raise(first.sockets[1]!, { groupId: first.group.id, clientSosId: "n" })).sos;
      const gone = dataOf(await raise(first.sockets[0]!, { groupId: first.group.id, clientSosId: "g" })).sos;
      dataOf(await resolve(first.sockets[0]!, gone.id));
      dataOf(await raise(elsewhere.sockets[0]!, { groupId: elsewhere.group.id, clientSosId: "e" }));

      // Was offline throughout: connects (after a reload, with a fresh login) and asks.
      const login = await app.http("POST", "/api/auth/login", {
        username: rider.user.username,
        password: "correct horse battery",
      });
      const socket = await app.connect("/location", login.body.token);
      assert.deepEqual(await active(socket), [older, newer]);
      // A receipt after the reconnect is as good as any.
      const update = waitFor(second.sockets[0]!, "sos:update");
      dataOf(await receipt(socket, older.id, "delivered"));
      assert.equal((await update).receipts[0]?.userId, rider.user.id);
      socket.disconnect();
      const again = await app.connect("/location", rider.token);
      const alerts = await active(again);
      assert.deepEqual(
        alerts.map((s) => s.id),
        [older.id, newer.id],
      );
      assert.equal(alerts[0]!.receipts[0]?.state, "delivered");
    });

    it("non-members get FORBIDDEN, unknown groups and SOSes NOT_FOUND, and nobody hears a thing", async () => {
      const app = await node();
      const { group, sockets } = await crew(app, 2);
      const firstAlert = waitFor(sockets[1]!, "sos:alert");
      const { sos } = dataOf(await raise(sockets[0]!, { groupId: group.id, clientSosId: "s" }));
      await firstAlert;
      const outsider = await app.member();
      const socket = await app.connect("/location", outsider.token);
      const heard = collect(sockets[1]!, "sos:alert");
      const updates = collect(sockets[0]!, "sos:update");
      assert.equal(codeOf(await raise(socket, { groupId: group.id, clientSosId: "x" })), "FORBIDDEN");
      assert.equal(codeOf(await raise(socket, { groupId: "no-such-group", clientSosId: "x" })), "NOT_FOUND");
      assert.equal(codeOf(await receipt(socket, sos.id, "acknowledged")), "FORBIDDEN");
      assert.equal(codeOf(await resolve(socket, sos.id)), "FORBIDDEN");
      assert.equal(codeOf(await receipt(sockets[1]!, "no-such-sos", "seen")), "NOT_FOUND");
      assert.equal(codeOf(await resolve(sockets[1]!, "no-such-sos")), "NOT_FOUND");
      assert.deepEqual(await active(socket), []);
      // The members' own step comes after anything the outsider could have caused.
      const update = waitFor(sockets[0]!, "sos:update");
      dataOf(await receipt(sockets[1]!, sos.id, "delivered"));
      await update;
      heard.stop();
      updates.stop();
      assert.equal(heard.seen.length, 0);
      assert.equal(updates.seen.length, 1);
    });

    it("bad payloads get VALIDATION_FAILED and change nothing", async () => {
      const app = await node();
      const { group, sockets } = await crew(app, 2);
      const [raiserSocket, bobSocket] = sockets as [LocationSocket, LocationSocket];
      const heard = collect(bobSocket, "sos:alert");
      const valid = { groupId: group.id, clientSosId: "v" };
      for (const bad of [
        {},
        { groupId: group.id },
        { ...valid, clientSosId: "" },
        { ...valid, clientSosId: "c".repeat(65) },
        { ...valid, note: "x".repeat(LIMITS.sosNote + 1) },
        { ...valid, note: "two\nlines" },
        { ...valid, note: "evil\u202Etxt" },
        { ...valid, note: "lone \ud800" },
        { ...valid, note: 7 },
        { ...valid, fix: { lat: 91, lng: 0, ts: 1 } },
        { ...valid, fix: { lat: 1, lng: 2 } },
        { ...valid, fix: { lat: 1, lng: 2, ts: 3, accuracy: -1 } },
        { ...valid, fix: { lat: "46", lng: 2, ts: 3 } },
        { ...valid, lat: 46.5, lng: 7.9 },
        { ...valid, extra: true },
        "sos",
        null,
      ]) {
        assert.equal(
          codeOf(await askRaw(raiserSocket, "sos:raise", [bad])),
          "VALIDATION_FAILED",
          JSON.stringify(bad),
        );
      }
      const validAlert = waitFor(bobSocket, "sos:alert");
      const { sos } = dataOf(await raise(raiserSocket, valid));
      // Any alert of a refused raise would have come before this one.
      assert.deepEqual(await validAlert, sos);
      for (const [event, bad] of [
        ["sos:receipt", { sosId: sos.id, state: "coming" }],
        ["sos:receipt", { sosId: sos.id }],
        ["sos:receipt", { sosId: "", state: "seen" }],
        ["sos:receipt", { sosId: sos.id, state: "seen", at: 5 }],
        ["sos:resolve", { sosId: 5 }],
        ["sos:resolve", { sosId: "s".repeat(65) }],
        ["sos:active", { groupId: group.id }],
        ["sos:active", null],
      ] as const) {
        assert.equal(
          codeOf(await askRaw(bobSocket, event, [bad])),
          "VALIDATION_FAILED",
          `${event} ${JSON.stringify(bad)}`,
        );
      }
      const [open] = await active(bobSocket);
      assert.deepEqual(open, sos, "no receipt, not resolved");
      heard.stop();
      assert.equal(heard.seen.length, 1, "only the valid raise alerted");
    });

    it("SOS events are rate-limited like every event", async () => {
      const app = await node({ limits: { eventsPerSocketPerSecond: 2 } });
      const { group, sockets } = await crew(app, 2);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => raise(sockets[0]!, { groupId: group.id, clientSosId: `r${i}` })),
      );
      const codes = answers.map(codeOf);
      assert.ok(codes.includes("RATE_LIMITED"), codes.join());
      const limited = answers.find((answer) => !answer.ok);
      assert.ok(limited && !limited.ok && limited.error.retryAfterMs! > 0);
    });

    it("the webhook is called once for an SOS nobody acknowledged in time, retried with backoff; never for an acknowledged one", async () => {
      // Two 500s, then 200.
      const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
      try {
        const { clock, advance } = testClock();
        const { lines, logger } = capturingLogger();
        const secret = "s3cr3t-path-token";
        const url = `http://hook:pa55@127.0.0.1:${receiver.port}/hooks/${secret}?key=${secret}`;
        const app = await node({ clock, logger, webhook: { url, afterMs: 120_000 } });
        const { group, members, sockets } = await crew(app, 3);
        const { sos } = dataOf(
          await raise(sockets[0]!, { groupId: group.id, clientSosId: "w", note: "help", fix }),
        );
        dataOf(await receipt(sockets[1]!, sos.id, "seen"));
        // The same raiser's second group: acknowledged in time, so never reported.
        const other = await app.http("POST", "/api/groups", { name: "Acked" }, members[0]!.token);
        await app.http(
          "POST",
          "/api/groups/join",
          { inviteCode: other.body.group.inviteCode },
          members[1]!.token,
        );
        const acked = dataOf(
          await raise(sockets[0]!, { groupId: other.body.group.id, clientSosId: "k" }),
        ).sos;
        dataOf(await receipt(sockets[1]!, acked.id, "acknowledged"));

        advance(119_000);
        await receiver.silence(100);
        advance(1000);
        await receiver.received(3);
        await receiver.silence(150);
        assert.equal(receiver.requests.length, 3, "two 500s, then a 200: three attempts, then no more");
        for (const request of receiver.requests) {
          assert.equal(request.url, `/hooks/${secret}?key=${secret}`);
          assert.equal(request.headers["content-type"], "application/json");
          assert.equal(request.headers["idempotency-key"], sos.id);
          assert.equal(request.headers.authorization, `Basic ${Buffer.from("hook:pa55").toString("base64")}`);
          assert.deepEqual(request.body, receiver.requests[0]!.body, "the same body every attempt");
        }
        const body = receiver.requests[0]!.body as { sos: Sos; text: string };
        // Re-sends went on meanwhile: the SOS as it was when the webhook was claimed.
        assert.ok(body.sos.sentCount >= 2);
        assert.deepEqual(body, {
          type: "sos.unacknowledged",
          sos: {
            ...sos,
            sentCount: body.sos.sentCount,
            receipts: [
              {
                userId: members[1]!.user.id,
                username: members[1]!.user.username,
                state: "seen",
                at: body.sos.receipts[0]!.at,
              },
            ],
          },
          group: { id: group.id, name: "Sunday ride" },
          fix,
          mapUrl: `https://www.openstreetmap.org/?mlat=${fix.lat}&mlon=${fix.lng}#map=16/${fix.lat}/${fix.lng}`,
          text: body.text,
        });
        assert.equal(
          body.text,
          `SOS from ${members[0]!.user.username} in Sunday ride: "help"; last fix 46.55812, 7.98103 (±12 m) ` +
            `https://www.openstreetmap.org/?mlat=${fix.lat}&mlon=${fix.lng}#map=16/${fix.lat}/${fix.lng}; ` +
            "nobody has acknowledged it after 2 min.",
        );

        // The acknowledged SOS, long past due: still nothing.
        advance(600_000);
        await receiver.silence(150);
        assert.equal(receiver.requests.length, 3);
        const log = lines.join("\n");
        assert.match(log, /SOS webhook will retry/);
        assert.match(log, /SOS webhook delivered/);
        assert.ok(log.includes(`"origin":"http://127.0.0.1:${receiver.port}"`), "the origin is logged");
        assert.ok(!log.includes(secret), "the URL's path and query are never logged");
        assert.ok(!log.includes("pa55"), "nor its credentials");
      } finally {
        await receiver.close();
      }
    });

    it("the webhook gives up after its attempts, and at once on a 4xx, logging an error without the URL's secrets", async () => {
      const receiver = await startReceiver((_n, body) => (body.sos?.clientSosId === "gone" ? 404 : 503));
      try {
        const { clock, advance } = testClock();
        const { lines, logger } = capturingLogger();
        const app = await node({
          clock,
          logger,
          webhook: { url: `http://127.0.0.1:${receiver.port}/secret-path`, afterMs: 1000 },
          limits: { sosWebhookAttempts: 3 },
        });
        const down = await crew(app, 2);
        dataOf(await raise(down.sockets[0]!, { groupId: down.group.id, clientSosId: "down" }));
        const gone = await crew(app, 2);
        dataOf(await raise(gone.sockets[0]!, { groupId: gone.group.id, clientSosId: "gone" }));
        advance(1000);
        await receiver.received(4);
        await logged(lines, /SOS webhook failed.*HTTP 503|HTTP 503.*SOS webhook failed/);
        await logged(lines, /SOS webhook failed.*HTTP 404|HTTP 404.*SOS webhook failed/);
        await receiver.silence(100);
        const tries = (clientSosId: string) =>
          receiver.requests.filter((r) => (r.body as { sos: Sos }).sos.clientSosId === clientSosId).length;
        assert.equal(tries("down"), 3, "503: retried up to the attempts");
        assert.equal(tries("gone"), 1, "404: another try would not help");
        assert.ok(!lines.join("\n").includes("secret-path"));
      } finally {
        await receiver.close();
      }
    });

    if (backend !== "embedded") {
      it("two nodes sharing Redis: a re-send goes out once, not once per node, and the webhook is called once", async () => {
        const receiver = await startReceiver(() => 200);
        try {
          const { clock, advance } = testClock();
          const shared = { prefix: `sos-multi${++run}:`, jwtSecret: randomBytes(32).toString("hex") };
          const webhook = { url: `http://127.0.0.1:${receiver.port}/sos`, afterMs: 120_000 };
          const a = await node({ clock, webhook }, shared);
          const b = await node({ clock, webhook }, shared);
          const { group, members } = await a.groupWith(3);
          const raiserOnA = await a.connect("/location", members[0]!.token);
          const bobOnB = await b.connect("/location", members[1]!.token);
          const carolOnA = await a.connect("/location", members[2]!.token);
          const carolOnB = await b.connect("/location", members[2]!.token);
          const listeners = [raiserOnA, bobOnB, carolOnA, carolOnB];
          const alerts = listeners.map((socket) => collect(socket, "sos:alert"));

          const firstAlerts = listeners.map((socket) => waitFor(socket, "sos:alert"));
          const { sos } = dataOf(await raise(raiserOnA, { groupId: group.id, clientSosId: "m" }));
          await Promise.all(firstAlerts);
          const updateOnA = waitFor(raiserOnA, "sos:update");
          dataOf(await receipt(bobOnB, sos.id, "delivered"));
          assert.equal(
            (await updateOnA).receipts[0]?.userId,
            members[1]!.user.id,
            "a receipt on B is seen on A",
          );

          const resent = listeners.map((socket) =>
            waitFor(socket, "sos:alert", { where: (s) => s.sentCount === 2 }),
          );
          advance(LIMITS.sosResendMs);
          await Promise.all(resent);
          // Both nodes sweep every 10 ms: in 200 ms a second claim would have come many times over.
          await expectSilence(bobOnB, "sos:alert", 200);
          for (const seen of alerts)
            assert.deepEqual(
              seen.seen.map((s) => s.sentCount),
              [1, 2],
            );

          advance(120_000 - LIMITS.sosResendMs);
          await receiver.received(1);
          await receiver.silence(200);
          assert.equal(receiver.requests.length, 1, "one node called it");
          assert.equal((receiver.requests[0]!.body as { sos: Sos }).sos.id, sos.id);
        } finally {
          await receiver.close();
        }
      });
    }
  });
}
