// The users of a run, in groups: on Convoy they register, log in, create and
// join groups through the real HTTP API; the bare server has no accounts, so
// there a client just names its group.
import type { ClientSpec } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";

const PASSWORD = "bench password 1";
const CONCURRENCY = 32;

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname}: ${res.status} ${await res.text()}`);
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

/**
 * `count` clients in groups of `groupSize` (the last group may be smaller).
 * `riders`: every client shares its position (the ride scenario).
 */
export async function populate(
  target: Target,
  count: number,
  groupSize: number,
  options: { riders?: boolean; tag: string },
): Promise<ClientSpec[]> {
  const groups = Math.ceil(count / groupSize);
  const rider = options.riders ?? false;
  if (!target.convoy)
    return Array.from({ length: count }, (_, i) => ({ groupId: `g${Math.floor(i / groupSize)}`, rider }));

  const tokens = await inParallel(count, async (i) => {
    const credentials = { username: `${options.tag}_${i}`, password: PASSWORD };
    await post(`${target.url}/api/auth/register`, credentials);
    return (await post<{ token: string }>(`${target.url}/api/auth/login`, credentials)).token;
  });
  const created = await inParallel(groups, (g) =>
    post<{ group: { id: string; inviteCode: string } }>(
      `${target.url}/api/groups`,
      { name: `Ride ${g}` },
      tokens[g * groupSize],
    ),
  );
  // The first of each group created it; the others join with its invite code.
  await inParallel(count, async (i) => {
    if (i % groupSize === 0) return;
    const { inviteCode } = created[Math.floor(i / groupSize)]!.group;
    await post(`${target.url}/api/groups/join`, { inviteCode }, tokens[i]);
  });
  return tokens.map((token, i) => ({ token, groupId: created[Math.floor(i / groupSize)]!.group.id, rider }));
}
