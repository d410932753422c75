// Fuzz (SPEC §3 acks, §4 and §6 bad input): random and mutated payloads for every
// client event of /chat, /presence and /location and every HTTP route, against
// a real node. FUZZ_RUNS cases in all, spread over the targets (default 10,000;
// `npm run fuzz` runs 100,000). Test names are the targets; a failure prints
// fast-check's shrunk case and the seed to replay it (FUZZ_SEED).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Limits } from "@convoy/server";
import type { ChatMessage, Position, Sos, TypingNotice } from "@convoy/shared";
import fc from "fast-check";
import { startApp, type TestApp } from "./support/app.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { httpCases, runHttpCase } from "./support/fuzz/http-cases.ts";
import { ROUTES } from "./support/fuzz/http-routes.ts";
import {
  createSocketKeeper,
  eventCases,
  runSocketCase,
  unknownEventCases,
  type SocketKeeper,
} from "./support/fuzz/socket-cases.ts";
import {
  assertKnownMessages,
  assertKnownSos,
  EVENT_TARGETS,
  NAMESPACES,
  type FuzzedNsp,
} from "./support/fuzz/socket-events.ts";
import { createTally, type Tally } from "./support/fuzz/tally.ts";
import { watchTrouble, type Trouble } from "./support/fuzz/trouble.ts";
import { makeWorld, positionKey, type World } from "./support/fuzz/world.ts";
import { ask, type LocationSocket } from "./support/sockets.ts";
import { collect, type Collected } from "./support/wait.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
if (!Number.isSafeInteger(RUNS) || RUNS < 1)
  throw new Error(`FUZZ_RUNS must be a positive integer, not ${RUNS}`);
if (SEED !== undefined && !Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer`);

/** Limits raised so that the payload checks answer the cases, not a rate limit. One line per limit. */
const FUZZ_LIMITS: Partial<Limits> = {
  chatPerSecond: 1e9,
  chatBurst: 1e9,
  typingPerSecond: 1e9,
  locationPerSecond: 1e9,
  messagesPerGroup: 1e9,
  eventsPerSocketPerSecond: 1e9,
  eventsPerUserPerSecond: 1e9,
  loginFailuresPerUserAndAddress: 1e9,
  loginFailuresPerUserPerHour: 1e9,
  groupsOwnedPerUser: 1e9,
  membersPerGroup: 1e9,
  // Rides end only when asked to: the model cannot follow a clock.
  rideCheckMs: 1e9,
};

const nsps = Object.keys(NAMESPACES) as FuzzedNsp[];
/** Every event, one unknown-event target per namespace, every route. */
const targetCount = EVENT_TARGETS.length + nsps.length + Object.keys(ROUTES).length;
const runsEach = Math.max(1, Math.ceil(RUNS / targetCount));
/** Below this many cases a target may by chance miss the happy path or a refusal. */
const COVERAGE_RUNS = 200;

/** embedded (SQLite), or redis: the same cases against the Redis stores (fuzz-redis.test.ts). */
const BACKEND = process.env.FUZZ_BACKEND === "redis" ? "redis" : "embedded";

describe(`[3 acks, 4 bad input] fuzz (${BACKEND}): ${RUNS} random and mutated cases never crash, hang or store`, () => {
  let redis: TestRedis | null = null;
  let trouble: Trouble;
  let app: TestApp;
  let world: World;
  let keeper: SocketKeeper;
  let heard: {
    messages: Collected<ChatMessage>;
    typing: Collected<TypingNotice>;
    positions: Collected<Position>;
    sosUpdates: Collected<Sos>;
    sosResolved: Collected<Sos>;
  };
  let peerLocation: LocationSocket;

  before(async () => {
    trouble = watchTrouble();
    if (BACKEND === "redis") redis = await startRedis();
    app = await startApp({
      limits: FUZZ_LIMITS,
      logger: trouble.logger,
      config: redis ? { redisUrl: redis.url } : {},
    });
    world = await makeWorld(app);
    keeper = createSocketKeeper(app, world.actor.token);
    // Peer listens in `own`: whatever reaches it must come from a valid, acknowledged event.
    const peerChat = await app.connect("/chat", world.peer.token);
    await ask(peerChat, "room:join", { groupId: world.own.id });
    peerLocation = await app.connect("/location", world.peer.token);
    await ask(peerLocation, "location:subscribe", { groupId: world.own.id });
    heard = {
      messages: collect(peerChat, "message:new"),
      typing: collect(peerChat, "typing"),
      positions: collect(peerLocation, "location:update"),
      sosUpdates: collect(peerLocation, "sos:update"),
      sosResolved: collect(peerLocation, "sos:resolved"),
    };
  });
  after(async () => {
    trouble.stop();
    await app.close();
    await redis?.stop();
  });

  /** Runs one target's cases; each must leave no trouble behind. */
  async function fuzz<C>(t: TestContext, cases: fc.Arbitrary<C>, run: (c: C, tally: Tally) => Promise<void>) {
    const tally = createTally();
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        let problems: string[];
        try {
          await run(c, tally);
        } finally {
          // Taken even when the case failed, so that the next one (fast-check shrinking) starts clean.
          problems = trouble.take();
        }
        assert.deepEqual(problems, [], "trouble in the node");
      }),
      { numRuns: runsEach, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    t.diagnostic(tally.summary());
    return tally;
  }

  /** A limit or quota answered few cases, so the payload checks got the rest. */
  function assertFewLimited(tally: Tally) {
    const limited = tally.sum((outcome) => /RATE_LIMITED|QUOTA_EXCEEDED/.test(outcome));
    assert.ok(limited <= runsEach * 0.05, `a limit answered ${limited} cases: raise it in FUZZ_LIMITS`);
  }

  /** The cases reached both the happy path and the checks, and few were answered by a limit. */
  function assertCoverage(
    tally: Tally,
    isSuccess: (outcome: string) => boolean,
    isRefusal: (outcome: string) => boolean,
  ) {
    assertFewLimited(tally);
    if (runsEach < COVERAGE_RUNS) return;
    assert.ok(tally.sum(isSuccess) > 0, `no case succeeded: ${tally.summary()}`);
    assert.ok(tally.sum(isRefusal) > 0, `no case was refused: ${tally.summary()}`);
  }

  it("fuzzes every route docs/protocol.md lists", () => {
    const protocol = readFileSync(new URL("../docs/protocol.md", import.meta.url), "utf8");
    const documented = [...protocol.matchAll(/^\|\s*`((?:GET|POST|PUT|PATCH|DELETE) \/[^`?]*)/gm)].map(
      (match) => match[1]!,
    );
    assert.ok(documented.length > 0);
    assert.deepEqual(
      documented.filter((route) => !(route in ROUTES)),
      [],
      "add these to ROUTES (http-routes.ts)",
    );
  });

  for (const target of EVENT_TARGETS) {
    it(`${target.nsp} ${target.event}`, async (t) => {
      const tally = await fuzz(t, eventCases(target.event, target.spec, world), (c, tally) =>
        runSocketCase(keeper, target.nsp, c, target, world, tally),
      );
      assertCoverage(
        tally,
        (outcome) => outcome === "ok" || outcome === "sent without ack",
        (outcome) => outcome === "VALIDATION_FAILED",
      );
    });
  }

  for (const nsp of nsps) {
    it(`${nsp} unknown events are answered VALIDATION_FAILED`, async (t) => {
      const tally = await fuzz(t, unknownEventCases(nsp), (c, tally) =>
        runSocketCase(keeper, nsp, c, null, world, tally),
      );
      assert.equal(tally.get("ok"), 0);
      assertFewLimited(tally);
    });
  }

  for (const [key, route] of Object.entries(ROUTES)) {
    it(key, async (t) => {
      const tally = await fuzz(t, httpCases(key, route, world), (c, tally) =>
        runHttpCase(app, key, route, c, world, tally),
      );
      assertCoverage(
        tally,
        (outcome) => outcome.startsWith("2"),
        (outcome) => outcome.startsWith("4"),
      );
    });
  }

  it("stored, broadcast and answered only what it acknowledged", async () => {
    const history = async (groupId: string, token: string) => {
      const messages: ChatMessage[] = [];
      for (let before = ""; ;) {
        const page = await app.http(
          "GET",
          `/api/groups/${groupId}/messages?limit=100${before}`,
          undefined,
          token,
        );
        assert.equal(page.status, 200);
        messages.unshift(...page.body.messages);
        if (!page.body.hasMore) return messages;
        before = `&before=${page.body.messages[0]!.id}`;
      }
    };
    const stored = await history(world.own.id, world.peer.token);
    assertKnownMessages(stored, world);
    const storedIds = new Set(stored.map((message) => message.id));
    for (const id of world.model.sent.keys())
      assert.ok(storedIds.has(id), `acknowledged message ${id} is missing`);
    assert.deepEqual(await history(world.foreign.id, world.stranger.token), []);
    assert.deepEqual(await history(world.open.id, world.stranger.token), []);

    const groups = await app.http("GET", "/api/groups", undefined, world.peer.token);
    assert.deepEqual(new Set(groups.body.groups.map((group) => group.id)), world.model.peerGroups);

    assertKnownMessages(heard.messages.seen, world);
    const typing = heard.typing.seen.filter((notice) => notice.userId === world.actor.user.id);
    assert.ok(typing.length <= world.model.typingNotices, "more typing notices than valid ones were sent");
    for (const position of heard.positions.seen) {
      assert.equal(position.groupId, world.own.id);
      assert.ok(world.model.positions.has(positionKey(position)), "a position nobody sent successfully");
    }
    const subscribed = await ask(peerLocation, "location:subscribe", { groupId: world.own.id });
    assert.ok(subscribed.ok);
    const { riders } = subscribed.data;
    for (const rider of riders) assert.ok(world.model.positions.has(positionKey(rider)));
    if (!world.model.sharing) assert.deepEqual(riders, [], "a rider who stopped sharing is still on the map");

    // SOS: receipts only on peer's SOS, resolutions only of what the model resolved, and the open ones as modelled.
    for (const update of heard.sosUpdates.seen)
      assert.equal(update.id, world.sos.peer, "an update nobody caused");
    for (const resolved of heard.sosResolved.seen)
      assert.ok(world.model.sos.resolved.has(resolved.id), "a resolution nobody made");
    const location = (await keeper.get("/location")) as LocationSocket;
    const answer = await ask(location, "sos:active", {});
    assert.ok(answer.ok);
    const { alerts } = answer.data;
    assertKnownSos(alerts, world);
  });

  it("still answers /healthz, and nothing escaped or was logged as an error", async () => {
    assert.equal((await app.http("GET", "/healthz")).status, 200);
    assert.deepEqual(trouble.take(), []);
  });
});
