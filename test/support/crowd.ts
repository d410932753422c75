// A crowd of real clients on the default transport (long-polling first, then
// the upgrade to WebSocket), for the suites that put several processes behind
// one address (WORKERS, nginx): a session that lands on the wrong process
// shows up here as a connect_error or a disconnect.
import type { Group, LoginResponse } from "@convoy/shared";
import { Manager, type Socket } from "socket.io-client";
import { waitFor } from "./wait.ts";

async function post<T>(baseUrl: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** `count` users who all belong to one new group, made over real HTTP. */
export async function seedGroup(baseUrl: string, count: number, tag: string) {
  const password = "correct horse battery";
  const logins: LoginResponse[] = [];
  for (let i = 0; i < count; i++) {
    const username = `${tag}_${process.pid}_${i}`;
    await post(baseUrl, "/api/auth/register", { username, password });
    logins.push(await post<LoginResponse>(baseUrl, "/api/auth/login", { username, password }));
  }
  const { group } = await post<{ group: Group }>(
    baseUrl,
    "/api/groups",
    { name: "Crowd ride" },
    logins[0]!.token,
  );
  for (const login of logins.slice(1))
    await post(baseUrl, "/api/groups/join", { inviteCode: group.inviteCode }, login.token);
  return { group, logins };
}

export interface Crowd {
  /** One /chat socket per client. */
  chats: Socket[];
  /** One /presence socket per client, on the same connection as its /chat socket. */
  presences: Socket[];
  /** Every connect_error and disconnect so far, as "event reason". */
  problems: string[];
  close(): void;
}

/**
 * `count` clients, each one Engine.IO connection carrying /chat and /presence,
 * spread over `logins`. Resolves once all are connected and upgraded (bounded).
 */
export async function connectCrowd(
  baseUrl: string,
  count: number,
  logins: LoginResponse[],
  ms = 20_000,
): Promise<Crowd> {
  const crowd: Crowd = {
    chats: [],
    presences: [],
    problems: [],
    close() {
      for (const socket of [...this.chats, ...this.presences]) socket.disconnect();
    },
  };
  const ready: Array<Promise<unknown>> = [];
  for (let i = 0; i < count; i++) {
    const auth = { token: logins[i % logins.length]!.token };
    const manager = new Manager(baseUrl, { reconnection: false });
    for (const [nsp, list] of [
      ["/chat", crowd.chats],
      ["/presence", crowd.presences],
    ] as const) {
      const socket = manager.socket(nsp, { auth });
      socket.on("connect_error", (err) => crowd.problems.push(`connect_error ${nsp} ${err.message}`));
      socket.on("disconnect", (reason) => crowd.problems.push(`disconnect ${nsp} ${reason}`));
      list.push(socket);
      ready.push(waitFor(socket, "connect", { ms }));
    }
    ready.push(waitFor(manager.engine as never, "upgrade", { ms }));
  }
  await Promise.all(ready);
  return crowd;
}
