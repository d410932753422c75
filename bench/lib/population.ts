// The users of a run, in groups: on Convoy they register, log in, create and
// join groups through the real HTTP API; the bare server has no accounts, so
// there a client just names its group, and its id and name for the payloads.
import { randomUUID } from "node:crypto";
import type { ClientSpec } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";

const PASSWORD = "bench password 1";
/** Within Convoy's password-hashing queue (2 running + 16 waiting): more would be refused RATE_LIMITED. */
const CONCURRENCY = 16;

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok)
    throw Object.assign(new Error(`POST ${new URL(url).pathname}: ${res.status} ${await res.text()}`), {
      status: res.status,
    });
  return (await res.json()) as T;
}

/** Runs `work` for 0..count-1, `CONCURRENCY` at a time. */
async function inParallel<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return results;
}

export interface Population {
  clients: ClientSpec[];
  /** Convoy: each group's invite code, by group id. */
  invites: Map<string, string>;
}

/**
 * `count` clients in groups of `groupSize` (the last group may be smaller).
 * `riders`: every client shares its position (the ride scenario).
 */
export async function populate(
  target: Target,
  count: number,
  groupSize: number,
  options: { riders?: boolean; tag: string },
): Promise<Population> {
  const groups = Math.ceil(count / groupSize);
  const rider = options.riders ?? false;
  if (!target.convoy) {
    // Ids and names shaped like Convoy's, so that both servers send the same bytes.
    const groupIds = Array.from({ length: groups }, () => randomUUID());
    const clients = Array.from({ length: count }, (_, i) => ({
      groupId: groupIds[Math.floor(i / groupSize)]!,
      identity: { userId: randomUUID(), username: `${options.tag}_${i}` },
      rider,
    }));
    return { clients, invites: new Map() };
  }

  // Group by group: a token is used for its group within seconds of its login,
  // however long registering every user takes (tokens live 15 minutes).
  const tokens = new Array<string>(count);
  const created = await inParallel(groups, async (g) => {
    const members = Array.from(
      { length: Math.min(groupSize, count - g * groupSize) },
      (_, k) => g * groupSize + k,
    );
    for (const i of members) tokens[i] = await account(target, `${options.tag}_${i}`);
    const made = await post<{ group: { id: string; inviteCode: string } }>(
      `${target.url}/api/groups`,
      { name: `Ride ${g}` },
      tokens[members[0]!],
    );
    // The first of each group created it; the others join with its invite code.
    for (const i of members.slice(1)) {
      await post(`${target.url}/api/groups/join`, { inviteCode: made.group.inviteCode }, tokens[i]);
    }
    return made;
  });
  return {
    clients: tokens.map((token, i) => ({
      token,
      groupId: created[Math.floor(i / groupSize)]!.group.id,
      rider,
    })),
    invites: new Map(created.map(({ group }) => [group.id, group.inviteCode])),
  };
}

async function account(target: Target, username: string): Promise<string> {
  await post(`${target.url}/api/auth/register`, { username, password: PASSWORD });
  return logIn(target, username);
}

/** Attempts at a login the server timed out (408) or shed (503): a busy server, not a wrong password. */
const LOGIN_ATTEMPTS = 3;

async function logIn(target: Target, username: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await post<{ token: string }>(`${target.url}/api/auth/login`, { username, password: PASSWORD }))
        .token;
    } catch (err) {
      // Safe to repeat: at worst it opens one more session (a repeated registration would fail as taken).
      const status = (err as { status?: number }).status;
      if (attempt >= LOGIN_ATTEMPTS || (status !== 408 && status !== 503)) throw err;
      console.warn(`  login of ${username} failed (${String(err)}); attempt ${attempt + 1}`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

/** One more user, a member of every group of the population (on Convoy it joins each with its invite code). */
export async function memberOfAll(
  target: Target,
  population: Population,
  username: string,
): Promise<{ token?: string; groupIds: string[] }> {
  const groupIds = [...new Set(population.clients.map((c) => c.groupId))];
  if (!target.convoy) return { groupIds };
  const token = await account(target, username);
  await inParallel(groupIds.length, (g) =>
    post(`${target.url}/api/groups/join`, { inviteCode: population.invites.get(groupIds[g]!) }, token),
  );
  return { token, groupIds };
}
