// startApp(): a real Convoy node on port 0 with its embedded stores, plus helpers to
// make users and groups over real HTTP and to connect real socket.io clients.
// close() disconnects every client it made and stops the node.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { ErrorBody, Group, User } from "@convoy/shared";
import { createApp, type App, type AppOptions, type Config } from "@convoy/server";
import type { AnswerOf, BodyOf, Method } from "./routes.ts";
import { openSocket, type ClientOptions, type Nsp, type NspSocket } from "./sockets.ts";
import { connected } from "./wait.ts";

export interface Member {
  user: User;
  token: string;
}
export interface HttpResult<T = unknown> {
  status: number;
  /** The parsed JSON (or the text) answered, typed as the route's success body: check `status` first. */
  body: T;
  /** An error answer's `error` ({code, message}); undefined for any other answer. */
  error: ErrorBody | undefined;
}

/** The `error` of a body in the error shape (SPEC §2: {error: {code, message}}). */
function errorIn(body: unknown): ErrorBody | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const { error } = body;
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return error as ErrorBody;
}

let counter = 0;
/** Usernames unique within the test process. */
export const uniqueName = (base = "rider") => `${base}_${process.pid}_${++counter}`;

/**
 * Every test client comes from 127.0.0.1: per-address limits sized for one
 * person would refuse the suites themselves; and the suites that flood a node
 * to test another rule (coalescing, slow clients, bad input) must not be cut
 * short by the event limits. The suites that test a limit set it.
 */
export const CROWD_LIMITS = {
  eventsPerSocketPerSecond: 1_000_000,
  eventsPerUserPerSecond: 1_000_000,
  loginsPerAddressPerMinute: 1_000_000,
  loginFailuresPerAddressPerDay: 1_000_000,
  registrationsPerAddressPerHour: 1_000_000,
  handshakesPerAddressPerMinute: 1_000_000,
  connectionsPerAddress: 1_000_000,
  unauthenticatedPerAddress: 1_000_000,
  unauthenticatedPerNode: 1_000_000,
};
/** The same, for a node started as a process. */
export const CROWD_LIMITS_ENV = {
  LIMIT_LOGINS_PER_MINUTE: "1000000",
  LIMIT_REGISTRATIONS_PER_HOUR: "1000000",
  LIMIT_HANDSHAKES_PER_MINUTE: "1000000",
  QUOTA_CONNECTIONS_PER_ADDRESS: "1000000",
  QUOTA_UNAUTHENTICATED_PER_ADDRESS: "1000000",
  QUOTA_UNAUTHENTICATED_PER_NODE: "1000000",
};

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: "127.0.0.1",
    redisUrl: null,
    redisClusterNodes: null,
    redisClusterWaitReplicas: 1,
    redisPositionWindowMs: 4,
    // An in-memory SQLite database: the same store code as a real data directory, nothing on disk.
    dataDir: null,
    workers: 1,
    jwtSecret: randomBytes(32).toString("hex"),
    corsOrigins: null,
    logLevel: "silent",
    // Cheaper hashing: the suites register hundreds of users (the default is checked in server unit tests).
    passwordCost: 1024,
    clientDir: null,
    client: { mapTileUrl: null, mapAttribution: null },
    trustProxy: (address) => address === "127.0.0.1" || address === "::1",
    limits: CROWD_LIMITS,
    metricsToken: null,
    sosWebhook: null,
    ...overrides,
  };
}

export type TestApp = Awaited<ReturnType<typeof startApp>>;

export async function startApp(options: AppOptions & { config?: Partial<Config> } = {}) {
  const app: App = await createApp(testConfig(options.config), options);
  await new Promise<void>((resolve) => app.httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const sockets = new Set<NspSocket>();

  /** Any request: any method, path and body (a string goes as it is); the answer untyped. */
  async function httpRaw(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, plain text): keep the text
    }
    return { status: res.status, body: parsed, error: res.status >= 400 ? errorIn(parsed) : undefined };
  }

  /** A request typed by its route (routes.ts): the body it sends, and the body it answers on success. */
  async function http<M extends Method, P extends string>(
    method: M,
    path: P,
    body?: BodyOf<M, P>,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<AnswerOf<M, P>>> {
    return (await httpRaw(method, path, body, token, headers)) as HttpResult<AnswerOf<M, P>>;
  }

  async function member(name = uniqueName()): Promise<Member> {
    const password = "correct horse battery";
    const registered = await http("POST", "/api/auth/register", { username: name, password });
    if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
    const login = await http("POST", "/api/auth/login", { username: name, password });
    return { user: login.body.user, token: login.body.token };
  }

  /** Users who all belong to one new group (the first one owns it). */
  async function groupWith(count: number): Promise<{ group: Group; members: Member[] }> {
    const members = await Promise.all(Array.from({ length: count }, () => member()));
    const owner = members[0]!;
    const created = await http("POST", "/api/groups", { name: "Sunday ride" }, owner.token);
    const { group } = created.body;
    for (const other of members.slice(1)) {
      await http("POST", "/api/groups/join", { inviteCode: group.inviteCode }, other.token);
    }
    return { group, members };
  }

  /** A socket.io client of `nsp`, typed from the contract, tracked so close() disconnects it. Not yet awaited. */
  function socket<N extends Nsp>(
    nsp: N,
    token: string | undefined,
    options: ClientOptions = {},
  ): NspSocket<N> {
    const client = openSocket(url, nsp, {
      auth: token === undefined ? {} : { token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      ...options,
    });
    sockets.add(client);
    return client;
  }

  /** A connected client of `nsp`; rejects on connect_error. */
  async function connect<N extends Nsp>(
    nsp: N,
    token: string,
    options: ClientOptions = {},
  ): Promise<NspSocket<N>> {
    const client = socket(nsp, token, options);
    await connected(client);
    return client;
  }

  return {
    url,
    port,
    app,
    http,
    httpRaw,
    member,
    groupWith,
    socket,
    connect,
    async close() {
      for (const client of sockets) client.disconnect();
      await app.close();
    },
  };
}
