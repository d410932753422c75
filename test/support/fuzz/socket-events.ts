// Every client event of the three namespaces as the fuzz suite sees it: how to
// make a valid payload, the answer a valid payload earns, and what an ok answer
// changes in the model. The event lists come from the contract's input maps; a
// new event is a type error here until it gets its line.
import assert from "node:assert/strict";
import {
  chatInputs,
  LIMITS,
  locationInputs,
  presenceInputs,
  type AckDataOf,
  type ChatClientEvents,
  type ChatMessage,
  type DirectMessage,
  type ErrorCode,
  type InputOf,
  type LocationClientEvents,
  type parseInput,
  type PresenceClientEvents,
  type StartRide,
  type SessionClientEvents,
  type Sos,
  type SosClientEvents,
} from "@convoy/shared";
import fc from "fast-check";
import { oddString, typedText } from "./hostile-values.ts";
import { positionKey, WORLD_SOS_CLIENT_ID, type World } from "./world.ts";

export type Outcome = "ok" | ErrorCode;
/** A contract schema, as parseInput takes it. */
export type Schema = Parameters<typeof parseInput>[0];

export interface EventSpec<P, D = unknown> {
  valid(world: World): fc.Arbitrary<P>;
  /** The answer a payload that passes the schema earns; by default membership decides it. */
  expect?(payload: P, world: World): Outcome;
  /** After an ok answer (`data` undefined when sent without an ack): updates the model and checks the answer against it. */
  onOk?(payload: P, data: D | undefined, world: World): void | Promise<void>;
}

/** One spec per client event, its payload and ack data typed from the contract. */
type Specs<E> = { [K in keyof E]-?: EventSpec<InputOf<E[K]>, AckDataOf<E[K]>> };

/** Ok in `own` (the actor's only group), FORBIDDEN in a group that exists, NOT_FOUND otherwise. */
export function byMembership(payload: unknown, world: World): Outcome {
  const { groupId } = payload as { groupId?: string };
  if (groupId === undefined || groupId === world.own.id) return "ok";
  return world.model.groups.has(groupId) ? "FORBIDDEN" : "NOT_FOUND";
}

/** Every message the server hands out in `own` is one it acknowledged (or took without an ack). */
export function assertKnownMessages(messages: ChatMessage[], world: World): void {
  for (const message of messages) {
    const acked = world.model.sent.get(message.id);
    if (acked) assert.deepEqual(message, acked, "a stored message differs from its ack");
    else
      assert.ok(
        message.userId === world.actor.user.id && world.model.sentWithoutAck.has(message.clientMsgId),
        `a message nobody sent successfully: ${JSON.stringify(message).slice(0, 300)}`,
      );
  }
}

const groupRef = (world: World) => fc.record({ groupId: world.groupIds });

const messageText = fc.oneof(
  { weight: 4, arbitrary: typedText(1, 60) },
  { weight: 1, arbitrary: oddString(60) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "x".repeat(LIMITS.messageText),
      ` ${"y".repeat(LIMITS.messageText)}\n`,
      "😀".repeat(LIMITS.messageText / 2),
    ),
  },
);
/** A few fixed ids, so that retries (same clientMsgId) happen. */
const clientMsgId = fc.oneof(
  fc.uuid(),
  fc.constantFrom("retry-1", "retry-2", "r".repeat(LIMITS.clientMsgId)),
  typedText(1, 20),
);
const messageId = fc.oneof(
  fc.constant("0"),
  fc.integer({ min: 0, max: 3_000 }).map((seq) => String(seq).padStart(12, "0")),
  fc.stringMatching(/^\d{1,15}$/),
);
const nullable = (arbitrary: fc.Arbitrary<number>) => fc.option(arbitrary, { nil: null });

/** Every namespace's renewal: the actor's own token renews, another member's is FORBIDDEN, anything else UNAUTHORIZED. */
const sessionEvents: Specs<SessionClientEvents> = {
  "session:renew": {
    valid: (world) =>
      fc.record({ token: fc.constantFrom(world.actor.token, world.peer.token, world.stranger.token) }),
    expect: ({ token }, world) => {
      if (token === world.actor.token) return "ok";
      return token === world.peer.token || token === world.stranger.token ? "FORBIDDEN" : "UNAUTHORIZED";
    },
  },
};

/** Peer shares `own` with the actor; stranger shares nothing; the actor itself; nobody. */
const dmPartner = (world: World) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(world.peer.user.id) },
    { weight: 1, arbitrary: fc.constantFrom(world.stranger.user.id, world.actor.user.id) },
    { weight: 1, arbitrary: fc.uuid() },
  );
const knownUsers = (world: World) => [world.actor, world.peer, world.stranger].map((m) => m.user.id);

const directEvents: Pick<Specs<ChatClientEvents>, "dm:send" | "dm:page" | "dm:conversations"> = {
  "dm:send": {
    valid: (world) =>
      fc.record({ toUserId: dmPartner(world), text: typedText(1, 300), clientMsgId: typedText(1, 64) }),
    expect: ({ toUserId }, world) => {
      if (toUserId === world.peer.user.id) return "ok";
      return knownUsers(world).includes(toUserId) ? "FORBIDDEN" : "NOT_FOUND";
    },
    onOk: ({ toUserId }, data) => {
      if (!data) return;
      const { message } = data;
      assert.equal(message.toUserId, toUserId);
    },
  },
  "dm:page": {
    valid: (world) =>
      fc.oneof(
        fc.record(
          {
            userId: dmPartner(world),
            afterId: messageId,
            limit: fc.integer({ min: 1, max: LIMITS.pageMax }),
          },
          { requiredKeys: ["userId", "afterId"] },
        ),
        fc.record(
          {
            userId: dmPartner(world),
            beforeId: fc.option(messageId, { nil: null }),
            limit: fc.integer({ min: 1, max: LIMITS.pageMax }),
          },
          { requiredKeys: ["userId", "beforeId"] },
        ),
      ),
    expect: ({ userId }, world) => (knownUsers(world).includes(userId) ? "ok" : "NOT_FOUND"),
    onOk: ({ userId, limit }, data, world) => {
      if (!data) return;
      const { messages } = data as { messages: DirectMessage[] };
      assert.ok(messages.length <= (limit ?? LIMITS.pageMax));
      for (const m of messages) {
        assert.ok([m.userId, m.toUserId].includes(world.actor.user.id), "someone else's message");
        assert.ok([m.userId, m.toUserId].includes(userId), "another conversation's message");
      }
    },
  },
  "dm:conversations": { valid: () => fc.constant({}), expect: () => "ok" },
};

export const chatEvents: Specs<ChatClientEvents> = {
  ...sessionEvents,
  ...directEvents,
  "room:join": {
    valid: groupRef,
    onOk: (_payload, data, world) => {
      if (data) assertKnownMessages(data.messages, world);
    },
  },
  "room:leave": { valid: groupRef },
  "message:send": {
    valid: (world) => fc.record({ groupId: world.groupIds, text: messageText, clientMsgId }),
    onOk: ({ groupId, text, clientMsgId }, data, world) => {
      if (groupId !== world.own.id) return;
      if (!data) return void world.model.sentWithoutAck.add(clientMsgId);
      const { message } = data;
      const earlier = [...world.model.sent.values()].find((sent) => sent.clientMsgId === clientMsgId);
      // A retry answers the stored message, not the new text.
      if (earlier) assert.deepEqual(message, earlier, "a retry answered another message");
      else if (!world.model.sentWithoutAck.has(clientMsgId)) {
        assert.equal(message.text, text.trim());
        assert.equal(message.userId, world.actor.user.id);
      }
      world.model.sent.set(message.id, message);
    },
  },
  "messages:since": {
    valid: (world) =>
      fc.record(
        { groupId: world.groupIds, afterId: messageId, limit: fc.integer({ min: 1, max: LIMITS.pageMax }) },
        { requiredKeys: ["groupId", "afterId"] },
      ),
    onOk: ({ afterId, limit }, data, world) => {
      if (!data) return;
      const { messages } = data;
      assert.ok(messages.length <= (limit ?? LIMITS.pageMax), "more messages than the limit");
      assert.ok(
        messages.every((message) => BigInt(message.id) > BigInt(afterId)),
        "a message at or before afterId",
      );
      assertKnownMessages(messages, world);
    },
  },
  typing: {
    valid: (world) => fc.record({ groupId: world.groupIds, typing: fc.boolean() }),
    onOk: ({ groupId }, _data, world) => {
      if (groupId === world.own.id) world.model.typingNotices++;
    },
  },
};

export const presenceEvents: Specs<PresenceClientEvents> = {
  ...sessionEvents,
  "presence:subscribe": { valid: groupRef },
  "presence:unsubscribe": { valid: groupRef },
  "presence:set": { valid: () => fc.record({ status: fc.constantFrom("online", "away") }) },
};

/** `own`'s latest ride (ended or not), one started earlier, or ids that name no ride. */
const rideIds = (world: World) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(null).map(() => world.model.ride?.id ?? "no-ride-yet") },
    { weight: 1, arbitrary: fc.constant(null).map(() => [...world.model.rides.keys()][0] ?? "none") },
    { weight: 1, arbitrary: fc.uuid() },
  );
const rideRef = (world: World) => fc.record({ rideId: rideIds(world) });

/** NOT_FOUND for a ride the model does not know, CONFLICT for one that ended. */
function byRide({ rideId }: { rideId: string }, world: World): Outcome {
  const groupId = world.model.rides.get(rideId);
  if (groupId === undefined) return "NOT_FOUND";
  if (groupId !== world.own.id) return "FORBIDDEN";
  return world.model.ride?.id === rideId && !world.model.ride.ended ? "ok" : "CONFLICT";
}

/** The actor rides in `own` only (a member there, and its owner). */
const rideEvents: Pick<
  Specs<LocationClientEvents>,
  "ride:start" | "ride:join" | "ride:leave" | "ride:end" | "ride:active"
> = {
  "ride:start": {
    valid: (world) =>
      fc.record(
        {
          groupId: world.groupIds,
          name: typedText(1, 70),
          plannedEndAt: nullable(
            fc.integer({ min: 3_600_000, max: 86_400_000 }).map((ms) => Date.now() + ms),
          ),
          gapM: fc.integer({ min: LIMITS.rideGapMinM, max: LIMITS.rideGapMaxM }),
          stoppedMs: fc.integer({ min: LIMITS.rideStoppedMinMs, max: LIMITS.rideStoppedMaxMs }),
        },
        { requiredKeys: ["groupId", "name"] },
        // The optional fields have defaults: what the schema hands on always has them.
      ) as fc.Arbitrary<StartRide>,
    expect: (payload, world) => {
      const outcome = byMembership(payload, world);
      if (outcome !== "ok") return outcome;
      // A planned end must lie ahead: the schema cannot know the time.
      const { plannedEndAt } = payload as { plannedEndAt?: number | null };
      if (typeof plannedEndAt === "number" && plannedEndAt <= Date.now()) return "VALIDATION_FAILED";
      return world.model.ride && !world.model.ride.ended ? "CONFLICT" : "ok";
    },
    onOk: async (_payload, data, world) => {
      const id = data ? data.ride.id : await world.rideUnderWay();
      assert.ok(id, "a ride started, and the node has none under way");
      world.model.ride = { id, ended: false, riding: true };
      world.model.rides.set(id, world.own.id);
      world.model.sharing = true;
    },
  },
  "ride:join": {
    valid: rideRef,
    expect: byRide,
    onOk: (_payload, data, world) => {
      if (data) assert.ok(data.ride.riders.some((r) => r.userId === world.actor.user.id));
      world.model.ride!.riding = true;
      world.model.sharing = true;
    },
  },
  "ride:leave": {
    valid: rideRef,
    expect: byRide,
    onOk: (_payload, _data, world) => {
      if (world.model.ride!.riding) world.model.sharing = false;
      world.model.ride!.riding = false;
    },
  },
  "ride:end": {
    valid: rideRef,
    expect: byRide,
    onOk: (_payload, _data, world) => {
      if (world.model.ride!.riding) world.model.sharing = false;
      world.model.ride = { ...world.model.ride!, ended: true, riding: false };
    },
  },
  "ride:active": {
    valid: () => fc.constant({}),
    expect: () => "ok",
    onOk: (_payload, data, world) => {
      if (!data) return;
      const under = world.model.ride && !world.model.ride.ended ? [world.model.ride.id] : [];
      assert.deepEqual(
        data.rides.map((ride) => ride.id),
        under,
      );
    },
  },
};

/** Who raised an SOS the payload names: the world's three, or none (an id that does not exist). */
function sosOf(sosId: string, world: World): "actor" | "peer" | "stranger" | null {
  if (sosId === world.sos.actor) return "actor";
  if (sosId === world.sos.peer) return "peer";
  return sosId === world.sos.stranger ? "stranger" : null;
}

/** The actor's raise in `own` answers the SOS its clientSosId raised, else its open one, else a new one. */
function raisedBefore(clientSosId: string, world: World): string | null {
  return world.model.sos.byClientId.get(clientSosId) ?? world.model.sos.actorOpen;
}

/** SOS rules (docs/protocol.md, SOS): NOT_FOUND, then FORBIDDEN (not a member; the raiser's own receipt; resolving without acknowledging), then CONFLICT once resolved. */
export const sosEvents: Specs<SosClientEvents> = {
  "sos:raise": {
    // All fields: mutations drop the optional ones.
    valid: (world) =>
      fc.record({
        groupId: world.groupIds,
        clientSosId: fc.oneof(
          fc.uuid(),
          fc.constantFrom(WORLD_SOS_CLIENT_ID, "retry-1", "c".repeat(LIMITS.clientMsgId)),
          typedText(1, 20),
        ),
        note: fc.option(
          fc.oneof(typedText(0, 40), fc.constant(" ".repeat(5)), fc.constant("n".repeat(LIMITS.sosNote))),
          { nil: null },
        ),
        fix: fc.option(
          fc.record({
            lat: fc.double({ min: -90, max: 90, noNaN: true }),
            lng: fc.double({ min: -180, max: 180, noNaN: true }),
            accuracy: nullable(fc.double({ min: 0, max: 1e5, noNaN: true })),
            ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          }),
          { nil: null },
        ),
      }),
    onOk: ({ groupId, clientSosId }, data, world) => {
      if (groupId !== world.own.id) return;
      const { sos: model } = world.model;
      const before = raisedBefore(clientSosId, world);
      if (!data) {
        // Sent without an ack: a new SOS whose id the next answer tells.
        if (before === null) {
          model.byClientId.set(clientSosId, "unknown");
          model.actorOpen = "unknown";
        }
        return;
      }
      const { sos } = data;
      assert.equal(sos.userId, world.actor.user.id);
      assert.equal(sos.groupId, world.own.id);
      if (before === null || before === "unknown") {
        // New (or the one raised without an ack): now it is known.
        for (const [key, id] of model.byClientId) if (id === "unknown") model.byClientId.set(key, sos.id);
        if (!model.byClientId.has(clientSosId) && before === null) model.byClientId.set(clientSosId, sos.id);
        if (model.actorOpen === "unknown" || before === null) model.actorOpen = sos.id;
        assert.equal(sos.resolvedAt, null);
      } else assert.equal(sos.id, before, "a raise answered another SOS than the open one or its retry");
    },
  },
  "sos:receipt": {
    valid: (world) =>
      fc.record({ sosId: world.sosIds, state: fc.constantFrom("delivered", "seen", "acknowledged") }),
    expect: ({ sosId }, world) => {
      const raiser = sosOf(sosId, world);
      if (raiser === null) return "NOT_FOUND";
      if (raiser !== "peer") return "FORBIDDEN";
      return world.model.sos.resolved.has(sosId) ? "CONFLICT" : "ok";
    },
    onOk: ({ state }, data, world) => {
      if (state === "acknowledged") world.model.sos.acknowledgedPeer = true;
      if (data) {
        const { sos } = data;
        assert.equal(sos.id, world.sos.peer);
        assert.ok(sos.receipts.some((receipt) => receipt.userId === world.actor.user.id));
      }
    },
  },
  "sos:resolve": {
    valid: (world) => fc.record({ sosId: world.sosIds }),
    expect: ({ sosId }, world) => {
      const raiser = sosOf(sosId, world);
      if (raiser === null) return "NOT_FOUND";
      if (raiser === "stranger" || (raiser === "peer" && !world.model.sos.acknowledgedPeer))
        return "FORBIDDEN";
      return world.model.sos.resolved.has(sosId) ? "CONFLICT" : "ok";
    },
    onOk: ({ sosId }, data, world) => {
      world.model.sos.resolved.add(sosId);
      if (world.model.sos.actorOpen === sosId) world.model.sos.actorOpen = null;
      if (data) assert.equal(data.sos.resolvedBy, world.actor.user.id);
    },
  },
  "sos:active": {
    valid: () => fc.constant({}),
    expect: () => "ok",
    onOk: (_payload, data, world) => {
      if (!data) return;
      const { alerts } = data;
      assertKnownSos(alerts, world);
    },
  },
};

/** Open SOSes the actor may see: peer's unless resolved, and the actor's open one, nothing else. */
export function assertKnownSos(alerts: Sos[], world: World): void {
  const { sos: model } = world.model;
  const expected = new Set<string>();
  if (!model.resolved.has(world.sos.peer)) expected.add(world.sos.peer);
  if (model.actorOpen !== null && model.actorOpen !== "unknown") expected.add(model.actorOpen);
  for (const alert of alerts) {
    assert.equal(alert.resolvedAt, null, "a resolved SOS among the open ones");
    assert.equal(alert.groupId, world.own.id, "an SOS of another group");
    if (model.actorOpen === "unknown" && alert.userId === world.actor.user.id) continue;
    assert.ok(expected.has(alert.id), `an SOS the model does not hold open: ${alert.id}`);
  }
  for (const id of expected)
    assert.ok(
      alerts.some((alert) => alert.id === id),
      `open SOS ${id} missing`,
    );
}

export const locationEvents: Specs<LocationClientEvents> = {
  ...sessionEvents,
  ...sosEvents,
  "location:subscribe": {
    valid: groupRef,
    onOk: ({ groupId }, data, world) => {
      if (!data || groupId !== world.own.id) return;
      for (const rider of data.riders)
        assert.ok(world.model.positions.has(positionKey(rider)), "a position nobody sent successfully");
    },
  },
  "location:unsubscribe": { valid: groupRef },
  ...rideEvents,
  "location:share": {
    valid: (world) => fc.record({ groupId: world.groupIds, sharing: fc.boolean() }),
    onOk: ({ groupId, sharing }, _data, world) => {
      if (groupId === world.own.id) world.model.sharing = sharing;
    },
  },
  "location:update": {
    // All fields: mutations drop the optional ones.
    valid: (world) =>
      fc.record({
        groupId: world.groupIds,
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lng: fc.double({ min: -180, max: 180, noNaN: true }),
        accuracy: nullable(fc.double({ min: 0, max: 1e5, noNaN: true })),
        heading: nullable(fc.double({ min: 0, max: 360, maxExcluded: true, noNaN: true })),
        speed: nullable(fc.double({ min: 0, max: 1e3, noNaN: true })),
        ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      }),
    // Only while sharing (SPEC §3 /location).
    expect: (payload, world) => {
      const outcome = byMembership(payload, world);
      return outcome === "ok" && !world.model.sharing ? "FORBIDDEN" : outcome;
    },
    onOk: (payload, _data, world) => {
      if (payload.groupId === world.own.id) world.model.positions.add(positionKey(payload));
    },
  },
};

export const NAMESPACES = {
  "/chat": { inputs: chatInputs, events: chatEvents },
  "/presence": { inputs: presenceInputs, events: presenceEvents },
  "/location": { inputs: locationInputs, events: locationEvents },
};
export type FuzzedNsp = keyof typeof NAMESPACES;

export interface EventTarget {
  nsp: FuzzedNsp;
  event: string;
  schema: Schema;
  spec: EventSpec<unknown>;
}

/** Every client event of every namespace, in the contract's order. */
export const EVENT_TARGETS: EventTarget[] = Object.entries(NAMESPACES).flatMap(([nsp, { inputs, events }]) =>
  Object.keys(inputs).map((event) => ({
    nsp: nsp as FuzzedNsp,
    event,
    schema: (inputs as Record<string, Schema>)[event]!,
    spec: (events as Record<string, EventSpec<unknown>>)[event]!,
  })),
);
