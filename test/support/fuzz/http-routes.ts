// Every HTTP route as the fuzz suite sees it, keyed as docs/protocol.md lists
// it: a valid request, the route's own checks, what a request that passes them
// earns from the model, and what an answer changes. test/fuzz.test.ts fails
// while a documented route has no line here.
import assert from "node:assert/strict";
import {
  ChangePassword,
  CreateGroup,
  Credentials,
  GroupId,
  HistoryQuery,
  JoinGroup,
  LIMITS,
  RideId,
  parseInput,
  Username,
  type ErrorCode,
} from "@convoy/shared";
import fc from "fast-check";
import type { HttpResult, Member, TestApp } from "../app.ts";
import type { RouteKey, Routes } from "../routes.ts";
import { edgeString, oddString, typedText } from "./hostile-values.ts";
import { assertKnownMessages, type Schema } from "./socket-events.ts";
import type { World } from "./world.ts";

/** What the route's handler sees: decoded path parameters, the parsed query and body. */
export interface Incoming {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface Expected {
  status: number;
  code?: ErrorCode;
}

/** What `after` may use besides the request and the answer. */
export interface AfterContext {
  world: World;
  app: TestApp;
  /** Whose token the request carried. */
  session: Member;
}

export interface RouteSpec<K extends RouteKey = RouteKey> {
  /** Needs `Authorization: Bearer <token>`. */
  auth: boolean;
  /**
   * The session a case runs as; peer's by default. A route that ends or changes
   * its session (logout, a password change) takes a new one per case: `world.newSession`.
   */
  session?(world: World): Promise<Member>;
  /** A valid value for each path parameter (":id" → id). */
  params?(world: World): fc.Arbitrary<Record<string, string>>;
  query?(world: World): fc.Arbitrary<Record<string, string>>;
  body?(world: World): fc.Arbitrary<Record<string, unknown>>;
  /** The route's own checks of parameters, query and body. */
  accepts(request: Incoming): boolean;
  /** What a request that passed every check earns. */
  expect(request: Incoming, world: World): Expected;
  /** After an answer: updates the model and checks the answer against it (may call the node). */
  after?(
    request: Incoming,
    response: HttpResult<Routes[K]["answer"]>,
    context: AfterContext,
  ): Promise<void> | void;
}

const passes = (schema: Schema, value: unknown) => parseInput(schema, value).ok;
const OK: Expected = { status: 200 };

/** SQLite compares usernames without case (ASCII only, as usernames are). */
const accountOf = (world: World, username: unknown) =>
  typeof username === "string" ? world.model.accounts.get(username.toLowerCase()) : undefined;

/** A password as scrypt sees it: NFKC (passwords are well-formed and NUL-free, so nothing else merges two). */
const asHashed = (password: string): string => password.normalize("NFKC");

/** Peer's view of a group: 200 as a member, 403 for a group it is not in, 404 for none. */
function peerAccess(world: World, groupId: string): Expected {
  if (world.model.peerGroups.has(groupId)) return OK;
  if (world.model.groups.has(groupId)) return { status: 403, code: "FORBIDDEN" };
  return { status: 404, code: "NOT_FOUND" };
}

const username = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/) },
  { weight: 1, arbitrary: edgeString },
);
const password = fc.oneof(
  { weight: 4, arbitrary: typedText(8, 40) },
  { weight: 1, arbitrary: fc.oneof(oddString(), edgeString) },
);
/** Names of the world's accounts, in either case: taken. */
const takenName = (world: World) =>
  fc
    .tuple(fc.constantFrom(world.actor, world.peer, world.stranger), fc.boolean())
    .map(([member, upper]) => (upper ? member.user.username.toUpperCase() : member.user.username));
const messageId = fc.integer({ min: 0, max: 3_000 }).map((seq) => String(seq).padStart(12, "0"));

/** The password a refused registration's name is then registered with, to show it was still free. */
const PROBE_PASSWORD = "a password that fits";

/** One line per route of routes.ts (the same list as docs/protocol.md's: fuzz.test.ts checks that). */
export const ROUTES: { [K in RouteKey]: RouteSpec<K> } = {
  "POST /api/auth/register": {
    auth: false,
    body: (world) =>
      fc.record({
        username: fc.oneof({ weight: 6, arbitrary: username }, { weight: 1, arbitrary: takenName(world) }),
        password,
      }),
    accepts: ({ body }) => passes(Credentials, body),
    expect: ({ body }, world) =>
      accountOf(world, (body as Credentials).username) === undefined
        ? { status: 201 }
        : { status: 409, code: "USERNAME_TAKEN" },
    async after({ body }, response, { world, app }) {
      const { username, password } = (body ?? {}) as Partial<Credentials>;
      if (typeof username !== "string") return;
      if (response.status === 201) {
        world.model.accounts.set(username.toLowerCase(), password!);
        return;
      }
      if (!passes(Username, username) || accountOf(world, username) !== undefined) return;
      // A refused registration created nobody: the name is still free.
      const probe = await app.http("POST", "/api/auth/register", { username, password: PROBE_PASSWORD });
      if (probe.status === 429) return;
      assert.equal(probe.status, 201, `a refused registration took the name ${username}`);
      world.model.accounts.set(username.toLowerCase(), PROBE_PASSWORD);
    },
  },

  "POST /api/auth/login": {
    auth: false,
    body: (world) =>
      fc.oneof(
        {
          weight: 2,
          arbitrary: fc.record({ username: takenName(world), password: fc.constant(world.password) }),
        },
        { weight: 1, arbitrary: fc.record({ username: takenName(world), password }) },
        { weight: 1, arbitrary: fc.record({ username, password }) },
      ),
    accepts: ({ body }) => passes(Credentials, body),
    expect: ({ body }, world) => {
      const { username, password } = body as Credentials;
      const stored = accountOf(world, username);
      return stored !== undefined && asHashed(stored) === asHashed(password)
        ? OK
        : { status: 401, code: "INVALID_CREDENTIALS" };
    },
    after({ body }, response) {
      if (response.status !== 200) return;
      const login = response.body;
      assert.equal(typeof login.token, "string");
      assert.equal(login.user.username.toLowerCase(), (body as Credentials).username.toLowerCase());
    },
  },

  "POST /api/auth/refresh": { auth: true, accepts: () => true, expect: () => OK },

  // These end their session: each case runs as a new account's.
  "POST /api/auth/logout": {
    auth: true,
    session: (world) => world.newSession(),
    accepts: () => true,
    expect: () => ({ status: 204 }),
  },
  "POST /api/auth/logout-all": {
    auth: true,
    session: (world) => world.newSession(),
    accepts: () => true,
    expect: () => ({ status: 204 }),
  },
  "POST /api/auth/password": {
    auth: true,
    session: (world) => world.newSession(),
    body: (world) =>
      fc.record({
        currentPassword: fc.oneof(
          { weight: 2, arbitrary: fc.constant(world.password) },
          { weight: 1, arbitrary: password },
        ),
        newPassword: password,
      }),
    accepts: ({ body }) => passes(ChangePassword, body),
    expect: ({ body }, world) =>
      asHashed((body as ChangePassword).currentPassword) === asHashed(world.password)
        ? OK
        : { status: 401, code: "INVALID_CREDENTIALS" },
    after({ body }, response, { world, session }) {
      if (response.status !== 200) return;
      assert.equal(response.body.user.id, session.user.id);
      world.model.accounts.set(session.user.username.toLowerCase(), (body as ChangePassword).newPassword);
    },
  },

  "POST /api/groups": {
    auth: true,
    body: () =>
      fc.record({
        name: fc.oneof(
          { weight: 4, arbitrary: typedText(1, 70) },
          { weight: 1, arbitrary: oddString() },
          { weight: 1, arbitrary: edgeString },
        ),
      }),
    accepts: ({ body }) => passes(CreateGroup, body),
    expect: () => ({ status: 201 }),
    after({ body }, response, { world }) {
      if (response.status !== 201) return;
      const { group } = response.body;
      assert.equal(group.name, (body as CreateGroup).name.trim());
      assert.equal(group.ownerId, world.peer.user.id);
      world.model.groups.add(group.id);
      world.model.peerGroups.add(group.id);
      world.model.inviteCodes.set(group.inviteCode, group.id);
    },
  },

  "POST /api/groups/join": {
    auth: true,
    // Not `foreign`'s code: peer stays out of that one.
    body: (world) =>
      fc.record({
        inviteCode: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(world.open.inviteCode, world.own.inviteCode) },
          { weight: 1, arbitrary: fc.oneof(oddString(), edgeString) },
        ),
      }),
    accepts: ({ body }) => passes(JoinGroup, body),
    expect: ({ body }, world) =>
      world.model.inviteCodes.has((body as JoinGroup).inviteCode) ? OK : { status: 404, code: "NOT_FOUND" },
    after({ body }, response, { world }) {
      if (response.status !== 200) return;
      const { group } = response.body;
      assert.equal(group.id, world.model.inviteCodes.get((body as JoinGroup).inviteCode));
      world.model.peerGroups.add(group.id);
    },
  },

  "GET /api/groups": {
    auth: true,
    accepts: () => true,
    expect: () => OK,
    after(_request, response, { world }) {
      if (response.status !== 200) return;
      const ids = response.body.groups.map((group) => group.id);
      assert.deepEqual(
        new Set(ids),
        world.model.peerGroups,
        "peer's groups differ from the successful calls",
      );
    },
  },

  "GET /api/groups/:id": {
    auth: true,
    params: (world) => fc.record({ id: world.groupIds }),
    accepts: ({ params }) => passes(GroupId, params.id),
    expect: ({ params }, world) => peerAccess(world, params.id!),
    after({ params }, response) {
      if (response.status === 200) assert.equal(response.body.group.id, params.id);
    },
  },

  "GET /api/groups/:id/messages": {
    auth: true,
    params: (world) => fc.record({ id: world.groupIds }),
    query: () =>
      fc.record(
        { before: messageId, limit: fc.integer({ min: 1, max: LIMITS.pageMax }).map(String) },
        { requiredKeys: [] },
      ),
    accepts: ({ params, query }) => passes(GroupId, params.id) && passes(HistoryQuery, query),
    expect: ({ params }, world) => peerAccess(world, params.id!),
    after({ params, query }, response, { world }) {
      if (response.status !== 200 || params.id !== world.own.id) return;
      const { messages } = response.body;
      assert.ok(messages.length <= Number(query.limit ?? LIMITS.pageMax), "more messages than the limit");
      assertKnownMessages(messages, world);
    },
  },

  "GET /api/groups/:id/rides": {
    auth: true,
    params: (world) => fc.record({ id: world.groupIds }),
    accepts: ({ params }) => passes(GroupId, params.id),
    expect: ({ params }, world) => peerAccess(world, params.id!),
    after({ params }, response, { world }) {
      if (response.status !== 200) return;
      const { rides } = response.body;
      for (const ride of rides) {
        assert.equal(ride.groupId, params.id);
        assert.equal(world.model.rides.get(ride.id), params.id, "a ride nobody started");
      }
    },
  },

  "GET /api/groups/:id/rides/:rideId": {
    auth: true,
    params: (world) =>
      fc.record({
        id: world.groupIds,
        rideId: fc.oneof(
          fc.constant(null).map(() => [...world.model.rides.keys()].at(-1) ?? "none"),
          fc.uuid(),
        ),
      }),
    accepts: ({ params }) => passes(GroupId, params.id) && passes(RideId, params.rideId),
    expect: ({ params }, world) => {
      const access = peerAccess(world, params.id!);
      if (access.status !== 200) return access;
      return world.model.rides.get(params.rideId!) === params.id ? OK : { status: 404, code: "NOT_FOUND" };
    },
    after({ params }, response) {
      if (response.status === 200) assert.equal(response.body.ride.id, params.rideId);
    },
  },

  "GET /api/config": { auth: false, accepts: () => true, expect: () => OK },
  "GET /healthz": { auth: false, accepts: () => true, expect: () => OK },
  "GET /readyz": { auth: false, accepts: () => true, expect: () => OK },
  "GET /metrics": { auth: false, accepts: () => true, expect: () => OK },
};
