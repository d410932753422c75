// startApp(): a real Convoy node on port 0 with its embedded stores, plus helpers to
// make users and groups over real HTTP and to connect real socket.io clients.
// close() disconnects every client it made and stops the node.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Group, LoginResponse, User } from "@convoy/shared";
import { createApp, type App, type AppOptions, type Config } from "@convoy/server";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { waitFor } from "./wait.ts";

export type Nsp = "/" | "/chat" | "/presence" | "/location";
export interface Member {
  user: User;
  token: string;
}
export interface HttpResult<T = unknown> {
  status: number;
  body: T;
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
};
/** The same, for a node started as a process. */
export const CROWD_LIMITS_ENV = {
  LIMIT_LOGINS_PER_MINUTE: "1000000",
  LIMIT_REGISTRATIONS_PER_HOUR: "1000000",
  LIMIT_HANDSHAKES_PER_MINUTE: "1000000",
  QUOTA_CONNECTIONS_PER_ADDRESS: "1000000",
  QUOTA_UNAUTHENTICATED_PER_ADDRESS: "1000000",
};

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: "127.0.0.1",
    redisUrl: null,
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
  const sockets = new Set<Socket>();

  async function http<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
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
    return { status: res.status, body: parsed as T };
  }

  async function member(name = uniqueName()): Promise<Member> {
    const password = "correct horse battery";
    const registered = await http("POST", "/api/auth/register", { username: name, password });
    if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
    const login = await http<LoginResponse>("POST", "/api/auth/login", { username: name, password });
    return { user: login.body.user, token: login.body.token };
  }

  /** Users who all belong to one new group (the first one owns it). */
  async function groupWith(count: number): Promise<{ group: Group; members: Member[] }> {
    const members = await Promise.all(Array.from({ length: count }, () => member()));
    const owner = members[0]!;
    const created = await http<{ group: Group }>("POST", "/api/groups", { name: "Sunday ride" }, owner.token);
    const { group } = created.body;
    for (const other of members.slice(1)) {
      await http("POST", "/api/groups/join", { inviteCode: group.inviteCode }, other.token);
    }
    return { group, members };
  }

  /** A socket.io client, tracked so close() disconnects it. Not yet awaited. */
  function socket(
    nsp: Nsp,
    token: string | undefined,
    options: Partial<ManagerOptions & SocketOptions> = {},
  ) {
    const client = io(url + nsp, {
      auth: token === undefined ? {} : { token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      ...options,
    });
    sockets.add(client);
    return client;
  }

  /** A connected client; rejects on connect_error. */
  async function connect(nsp: Nsp, token: string, options: Partial<ManagerOptions & SocketOptions> = {}) {
    const client = socket(nsp, token, options);
    await Promise.race([
      waitFor(client, "connect"),
      waitFor<Error>(client, "connect_error").then((err) => Promise.reject(err)),
    ]);
    return client;
  }

  return {
    url,
    port,
    app,
    http,
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

/** Emits with an ack and a bound. */
export function ask<T = unknown>(client: Socket, event: string, payload: unknown, ms = 3000): Promise<T> {
  return client.timeout(ms).emitWithAck(event, payload) as Promise<T>;
}
