// A crowd of real clients on the default transport (long-polling first, then
// the upgrade to WebSocket), for the suites that put several processes behind
// one address (WORKERS, nginx): a session that lands on the wrong process
// shows up here as a connect_error or a disconnect.
import assert from "node:assert/strict";
import type { LoginResponse } from "@convoy/shared";
import { Agent } from "node:http";
import { createClient } from "redis";
import { Manager, type ManagerOptions } from "socket.io-client";
import type { AnswerOf, BodyOf } from "./routes.ts";
import { ask, socketOn, type ChatSocket, type NspSocket, type PresenceSocket } from "./sockets.ts";
import { waitFor, waitForEvent } from "./wait.ts";

/** A POST that must succeed, typed by its route (routes.ts). */
export async function post<P extends string>(
  baseUrl: string,
  path: P,
  body: BodyOf<"POST", P>,
  token?: string,
): Promise<AnswerOf<"POST", P>> {
  const res = await fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as AnswerOf<"POST", P>;
}

/** `count` users who all belong to one new group, made over real HTTP. */
export async function seedGroup(baseUrl: string, count: number, tag: string) {
  const password = "correct horse battery";
  const logins: LoginResponse[] = [];
  for (let i = 0; i < count; i++) {
    const username = `${tag}_${process.pid}_${i}`;
    await post(baseUrl, "/api/auth/register", { username, password });
    logins.push(await post(baseUrl, "/api/auth/login", { username, password }));
  }
  const { group } = await post(baseUrl, "/api/groups", { name: "Crowd ride" }, logins[0]!.token);
  for (const login of logins.slice(1))
    await post(baseUrl, "/api/groups/join", { inviteCode: group.inviteCode }, login.token);
  return { group, logins };
}

export interface Crowd {
  /** One /chat socket per client. */
  chats: ChatSocket[];
  /** One /presence socket per client, on the same connection as its /chat socket. */
  presences: PresenceSocket[];
  /** Every connect_error and disconnect so far, as "event reason". */
  problems: string[];
  close(): void;
}

export interface CrowdOptions {
  count: number;
  /** Spread over the clients in turn. */
  logins: LoginResponse[];
  /** Source addresses (127.0.0.x) spread over the clients in turn, as if they came from that many machines. */
  localAddresses?: string[];
  /** Default: polling, then the upgrade to WebSocket. */
  transports?: Array<"polling" | "websocket">;
  /** Named in every handshake, as the app names its open group (server/src/affinity.ts). */
  affinity?: string;
  ms?: number;
}

/**
 * `count` clients, each one Engine.IO connection carrying /chat and /presence.
 * Resolves once all are connected, and upgraded when they may be (bounded).
 */
export async function connectCrowd(baseUrl: string, options: CrowdOptions): Promise<Crowd> {
  const {
    count,
    logins,
    localAddresses,
    transports = ["polling", "websocket"],
    affinity,
    ms = 20_000,
  } = options;
  const crowd: Crowd = {
    chats: [],
    presences: [],
    problems: [],
    close() {
      for (const socket of [...this.chats, ...this.presences]) socket.disconnect();
    },
  };
  const ready: Array<Promise<unknown>> = [];
  // Fail at the first problem, with what went wrong, rather than at the bound.
  let failConnecting: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (failConnecting = reject));
  const report = (problem: string) => {
    crowd.problems.push(problem);
    failConnecting(new Error(`while connecting the crowd: ${problem}`));
  };
  for (let i = 0; i < count; i++) {
    const auth = { token: logins[i % logins.length]!.token };
    const localAddress = localAddresses?.[i % localAddresses.length];
    const manager = new Manager(baseUrl, {
      reconnection: false,
      transports,
      ...(affinity ? { query: { affinity } } : {}),
      // Polling requests go through the agent, the WebSocket takes localAddress itself.
      ...(localAddress ? { localAddress, agent: new Agent({ localAddress }) } : {}),
    } as Partial<ManagerOptions>);
    const watch = (nsp: string, socket: NspSocket) => {
      socket.on("connect_error", (err) => report(`connect_error ${nsp} ${err.message}`));
      socket.on("disconnect", (reason) => report(`disconnect ${nsp} ${reason}`));
      ready.push(waitFor(socket, "connect", { ms }));
    };
    const chat = socketOn(manager, "/chat", { auth });
    watch("/chat", chat);
    crowd.chats.push(chat);
    const presence = socketOn(manager, "/presence", { auth });
    watch("/presence", presence);
    crowd.presences.push(presence);
    if (transports.length > 1) {
      const engine = manager.engine;
      // The upgrade's story, for the message below: probe sent, answered, or failed (and why).
      const story: string[] = [];
      const opened = Date.now();
      const tell = (what: string) => story.push(`${what} at ${Date.now() - opened} ms`);
      engine.on("upgrading", () => tell("probe answered"));
      engine.on("upgradeError", (err: Error) => tell(err.message));
      ready.push(
        waitForEvent(engine, "upgrade", { ms }).catch(() => {
          // Say where it stuck: a polling request that never got its answer keeps `writable` false.
          const transport = engine.transport as unknown as {
            name: string;
            writable: boolean;
            _polling?: boolean;
          };
          throw new Error(
            `client ${i} (sid ${engine.id}) not upgraded within ${ms} ms: on ${transport.name}, writable ${transport.writable}, polling ${transport._polling}; ${story.join(", ") || "no probe answered"}`,
          );
        }),
      );
    }
  }
  try {
    await Promise.race([Promise.all(ready), failed]);
  } catch (err) {
    crowd.close();
    throw err;
  }
  return crowd;
}

/** Every chat socket joins `groupId`; one message from the first reaches every one of them (bounded). */
export async function everyoneHears(crowd: Crowd, groupId: string, text: string): Promise<void> {
  await Promise.all(crowd.chats.map((chat) => ask(chat, "room:join", { groupId }, 5000)));
  const deliveries = crowd.chats.map((chat) => waitFor(chat, "message:new", { ms: 10_000 }));
  const sent = await ask(crowd.chats[0]!, "message:send", { groupId, text, clientMsgId: text }, 5000);
  assert.ok(sent.ok);
  for (const message of await Promise.all(deliveries)) assert.equal(message.id, sent.data.message.id);
}

/** Where the crowd landed: node ids (one per process that ever started) mapped to how many presence connections each holds. */
/** Which nodes' connection counts grew from `before` to `after`, and by how much. */
export function grownNodes(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const grown = new Map<string, number>();
  for (const [nodeId, count] of after) {
    const growth = count - (before.get(nodeId) ?? 0);
    if (growth > 0) grown.set(nodeId, growth);
  }
  return grown;
}

export async function connectionsPerNode(redisUrl: string): Promise<Map<string, number>> {
  const client = await createClient({ url: redisUrl }).connect();
  try {
    const counts = new Map<string, number>();
    for (const nodeId of await client.zRange("convoy:nodes", 0, -1))
      counts.set(nodeId, await client.sCard(`convoy:node-connections:${nodeId}`));
    return counts;
  } finally {
    client.destroy();
  }
}
