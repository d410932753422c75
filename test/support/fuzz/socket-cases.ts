// Fuzz cases for socket events: what to emit (a valid payload, a mutated one or
// anything; sometimes no payload or extra ones; with or without an ack), and
// the run that checks the server's answer against the contract and the model.
import assert from "node:assert/strict";
import { ErrorCode, LIMITS, parseInput } from "@convoy/shared";
import fc from "fast-check";
import type { TestApp } from "../app.ts";
import { askRaw, emitRaw, type NspSocket } from "../sockets.ts";
import { anyValue, edgeString, oddString } from "./hostile-values.ts";
import { mutated } from "./mutate.ts";
import { onTheWire } from "./wire.ts";
import {
  byMembership,
  NAMESPACES,
  type EventSpec,
  type EventTarget,
  type FuzzedNsp,
  type Outcome,
} from "./socket-events.ts";
import type { Tally } from "./tally.ts";
import type { World } from "./world.ts";

/** How long an ack may take before it counts as never answered. */
export const ACK_BOUND_MS = 5_000;

export interface SocketCase {
  /** A number is a legal Socket.IO event name too. */
  event: string | number;
  args: unknown[];
  withAck: boolean;
}

/** The codes a limit or quota may answer in place of any other (SPEC §6); the ack check holds them to the contract's list. */
export const ABUSE_CODES: ReadonlySet<string> = new Set(["RATE_LIMITED", "QUOTA_EXCEEDED"]);

/** Socket.IO clients refuse to emit these. */
const RESERVED = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

function withArgs(payload: fc.Arbitrary<unknown>, withAck: fc.Arbitrary<boolean>) {
  return fc.record({
    args: fc.oneof(
      { weight: 20, arbitrary: payload.map((value): unknown[] => [value]) },
      { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
      { weight: 1, arbitrary: fc.tuple(payload, anyValue).map((args) => [...args]) },
      { weight: 1, arbitrary: fc.array(anyValue, { minLength: 2, maxLength: 4 }) },
    ),
    withAck,
  });
}

const mostlyAcked = fc.oneof(
  { weight: 9, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);

export function eventCases<P>(event: string, spec: EventSpec<P>, world: World): fc.Arbitrary<SocketCase> {
  const valid = spec.valid(world) as fc.Arbitrary<Record<string, unknown>>;
  const payload = fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 5, arbitrary: mutated(valid, world.groupIds) },
    { weight: 2, arbitrary: anyValue },
  );
  return withArgs(payload, mostlyAcked).map((rest) => ({ event, ...rest }));
}

/** Events a namespace does not have: other namespaces' events, near-misses, odd strings, numbers. */
export function unknownEventCases(nsp: FuzzedNsp): fc.Arbitrary<SocketCase> {
  const own = Object.keys(NAMESPACES[nsp].inputs);
  const everyEvent = Object.values(NAMESPACES).flatMap(({ inputs }) => Object.keys(inputs));
  const name = fc
    .oneof(
      fc.constantFrom(
        ...everyEvent.flatMap((event) => [event, ` ${event}`, event.toUpperCase(), `${event}\u0000`]),
      ),
      oddString(30),
      edgeString,
      fc.integer(),
      fc.double(),
    )
    .filter((event) => typeof event === "number" || (!own.includes(event) && !RESERVED.has(event)));
  return fc.tuple(name, withArgs(anyValue, mostlyAcked)).map(([event, rest]) => ({ event, ...rest }));
}

/** The real ack id has a few more digits than the one the size is computed with. */
const SIZE_MARGIN = 12;

/** The actor's sockets, one per namespace, connected again after the server closed one. */
export function createSocketKeeper(app: TestApp, token: string) {
  const sockets = new Map<FuzzedNsp, NspSocket<FuzzedNsp>>();
  return {
    async get(nsp: FuzzedNsp): Promise<NspSocket<FuzzedNsp>> {
      const current = sockets.get(nsp);
      if (current?.connected) return current;
      const socket = await app.connect(nsp, token);
      sockets.set(nsp, socket);
      return socket;
    },
  };
}
export type SocketKeeper = ReturnType<typeof createSocketKeeper>;

type Delivery = { kind: "answered"; answer: unknown } | { kind: "sent" } | { kind: "closed" };

/** The answer is checked against the contract's shape below, not taken on trust: `unknown`. */
async function deliver(socket: NspSocket, c: SocketCase): Promise<Delivery> {
  try {
    if (c.withAck) {
      const answer: unknown = await askRaw(socket, c.event, c.args, ACK_BOUND_MS);
      return { kind: "answered", answer };
    }
    emitRaw(socket, c.event, c.args);
    // An unknown event's ack, answered in order after the packet before it: that one was taken in.
    await askRaw(socket, "fuzz:sync", [], ACK_BOUND_MS);
    return { kind: "sent" };
  } catch (err) {
    if (!socket.connected) return { kind: "closed" };
    throw new Error(`no ack within ${ACK_BOUND_MS} ms`, { cause: err });
  }
}

function assertAckShape(
  answer: unknown,
): asserts answer is { ok: true; data?: unknown } | { ok: false; error: { code: string; message: string } } {
  const { ok, error } = (answer ?? {}) as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (ok === true) return;
  assert.equal(ok, false, `not an ack result: ${JSON.stringify(answer)?.slice(0, 200)}`);
  assert.ok(
    Object.values(ErrorCode).includes(error?.code as ErrorCode),
    `not a contract error code: ${JSON.stringify(error)?.slice(0, 200)}`,
  );
  assert.equal(typeof error?.message, "string", "error without a message");
}

/**
 * Emits one case on the actor's socket and checks: an answer (or, for a packet
 * over the limit, a closed connection), of the contract's shape, with the code
 * the payload earns. `target` is null for unknown events.
 */
export async function runSocketCase(
  keeper: SocketKeeper,
  nsp: FuzzedNsp,
  c: SocketCase,
  target: Pick<EventTarget, "schema" | "spec"> | null,
  world: World,
  tally: Tally,
): Promise<void> {
  const wire = onTheWire(nsp, c.event, c.args, c.withAck);
  // The client's encoder throws (e.g. on a "__proto__" key beside binary data): nothing would leave.
  if (wire.kind === "unencodable") return tally.count("not sent: the client cannot encode it");
  const bytes = Math.max(...wire.frames);
  const refused = wire.decoded === null;

  const delivery = await deliver(await keeper.get(nsp), c);
  if (delivery.kind === "closed") {
    assert.ok(
      refused || bytes > LIMITS.packetBytes - SIZE_MARGIN,
      `connection closed on a packet of ${bytes} bytes`,
    );
    return tally.count(refused ? "closed (not a valid packet)" : "closed (packet over the limit)");
  }
  assert.ok(!refused, "a packet the parser refuses was taken");
  assert.ok(bytes <= LIMITS.packetBytes + SIZE_MARGIN, `a packet of ${bytes} bytes was taken`);

  const seen = wire.decoded!;
  let expected: Outcome = "VALIDATION_FAILED";
  if (target && seen.length === 1 && parseInput(target.schema, seen[0]).ok)
    expected = (target.spec.expect ?? byMembership)(seen[0], world);

  if (delivery.kind === "sent") {
    if (expected === "ok") await target?.spec.onOk?.(seen[0], undefined, world);
    return tally.count("sent without ack");
  }
  const { answer } = delivery;
  assertAckShape(answer);
  if (answer.ok) {
    assert.equal(expected, "ok", `answered ok, expected ${expected}`);
    await target?.spec.onOk?.(seen[0], answer.data, world);
    return tally.count("ok");
  }
  const { code } = answer.error;
  tally.count(code);
  if (ABUSE_CODES.has(code)) return;
  assert.equal(code, expected, `answered ${code} (${answer.error.message}), expected ${expected}`);
}
