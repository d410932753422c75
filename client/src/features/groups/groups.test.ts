import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Group } from "@convoy/shared";
import type { Api } from "../../net/http.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { createGroups } from "./groups.ts";

const group = (id: string): Group => ({
  id,
  name: id,
  inviteCode: `code-${id}`,
  ownerId: "me",
  createdAt: 0,
});

function setup(storage = memoryStorage()) {
  const calls: string[] = [];
  const api = (async (method: string, path: string, body?: unknown) => {
    calls.push(`${method} ${path} ${JSON.stringify(body ?? null)}`);
    if (path === "/api/groups" && method === "GET") return { groups: [group("a"), group("b")] };
    return { group: group(path.endsWith("join") ? "joined" : "created") };
  }) as Api;
  return { calls, storage, groups: createGroups({ api, storage, userId: "me" }) };
}

describe("groups", () => {
  it("loads the user's groups and reopens the one open last time on this device", async () => {
    const { storage, groups } = setup();
    await groups.load();
    assert.equal(groups.currentGroupId.value, "a", "the first, when none was open");
    groups.openGroup("b");
    assert.equal(storage.loadJson("convoy.me.group", null), "b");

    const reloaded = setup(storage).groups;
    await reloaded.load();
    assert.equal(reloaded.currentGroup.value?.name, "b");
  });

  it("creating or joining a group adds it once and opens it", async () => {
    const { calls, groups } = setup();
    await groups.load();
    await groups.joinGroup("  code-joined ");
    await groups.joinGroup("code-joined");
    assert.deepEqual(
      groups.list.value.map((g) => g.id),
      ["a", "b", "joined"],
    );
    assert.equal(calls[1], 'POST /api/groups/join {"inviteCode":"code-joined"}');
    await groups.createGroup("Sunday ride");
    assert.equal(groups.currentGroupId.value, "created");
  });
});
