import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { PresenceStatus, PresenceUpdate } from "@convoy/shared";
import { startApp, type Member, type TestApp } from "./support/app.ts";
import { ask } from "./support/sockets.ts";
import { expectSilence, waitFor } from "./support/wait.ts";

describe("[3 /presence]", () => {
  let app: TestApp;
  beforeEach(async () => (app = await startApp()));
  afterEach(() => app.close());

  /** A subscriber (the group's owner) watching the group; the other members stay offline. */
  async function watched(count: number) {
    const { group, members } = await app.groupWith(count);
    const watcher = await app.connect("/presence", members[0]!.token);
    const res = await ask(watcher, "presence:subscribe", { groupId: group.id });
    assert.ok(res.ok);
    return { group, members, watcher, snapshot: res.data.members };
  }
  const updateFor = (member: Member, status: PresenceStatus) => (u: PresenceUpdate) =>
    u.userId === member.user.id && u.status === status;

  it("presence:subscribe answers every member with status and lastSeen", async () => {
    const { group, members, snapshot } = await watched(3);
    assert.equal(snapshot.length, 3);
    const byId = new Map(snapshot.map((m) => [m.userId, m]));
    assert.deepEqual(byId.get(members[0]!.user.id), {
      userId: members[0]!.user.id,
      username: members[0]!.user.username,
      status: "online",
      lastSeen: null,
    });
    assert.deepEqual(byId.get(members[1]!.user.id), {
      userId: members[1]!.user.id,
      username: members[1]!.user.username,
      status: "offline",
      lastSeen: null,
    });
    assert.ok(group.id);
  });

  it("connecting goes online, closing the last socket goes offline with lastSeen", async () => {
    const { group, members, watcher } = await watched(2);
    const bob = members[1]!;
    const online = waitFor(watcher, "presence:update", { where: updateFor(bob, "online") });
    const tab = await app.connect("/presence", bob.token);
    assert.deepEqual(await online, {
      groupId: group.id,
      userId: bob.user.id,
      username: bob.user.username,
      status: "online",
      lastSeen: null,
    });
    const before = Date.now();
    const offline = waitFor(watcher, "presence:update", { where: updateFor(bob, "offline") });
    tab.disconnect();
    const update = await offline;
    assert.ok(update.lastSeen !== null && update.lastSeen >= before && update.lastSeen <= Date.now());
    const snapshot = await ask(watcher, "presence:subscribe", { groupId: group.id });
    assert.ok(snapshot.ok);
    assert.equal(snapshot.data.members.find((m) => m.userId === bob.user.id)?.lastSeen, update.lastSeen);
  });

  it("a second tab is no change; closing one of two is no change; closing the last one is", async () => {
    const { members, watcher } = await watched(2);
    const bob = members[1]!;
    const online = waitFor(watcher, "presence:update", { where: updateFor(bob, "online") });
    const first = await app.connect("/presence", bob.token);
    await online;
    const second = await app.connect("/presence", bob.token);
    await expectSilence(watcher, "presence:update");
    first.disconnect();
    await expectSilence(watcher, "presence:update");
    const offline = waitFor(watcher, "presence:update", { where: updateFor(bob, "offline") });
    second.disconnect();
    await offline;
  });

  it("away only when every tab set away; presence:set acks the aggregate status", async () => {
    const { members, watcher } = await watched(2);
    const bob = members[1]!;
    const phone = await app.connect("/presence", bob.token);
    const laptop = await app.connect("/presence", bob.token);
    const phoneAway = await ask(phone, "presence:set", { status: "away" });
    assert.deepEqual(phoneAway, { ok: true, data: { status: "online" } });
    await expectSilence(watcher, "presence:update", 150);

    const away = waitFor(watcher, "presence:update", { where: updateFor(bob, "away") });
    const laptopAway = await ask(laptop, "presence:set", { status: "away" });
    assert.deepEqual(laptopAway, { ok: true, data: { status: "away" } });
    await away;

    const back = waitFor(watcher, "presence:update", { where: updateFor(bob, "online") });
    await ask(phone, "presence:set", { status: "online" });
    await back;

    // An away tab leaving while another is online: still online, no update.
    await ask(laptop, "presence:set", { status: "away" });
    laptop.disconnect();
    await expectSilence(watcher, "presence:update", 150);
  });

  it("(Convoy) a user who joins the group is announced to its subscribers with their status, once", async () => {
    const { group, watcher } = await watched(1);
    const newcomer = await app.member();
    await app.connect("/presence", newcomer.token); // online before joining: no status change of their own
    const announced = waitFor(watcher, "presence:update", {
      where: updateFor(newcomer, "online"),
    });
    const joined = await app.http(
      "POST",
      "/api/groups/join",
      { inviteCode: group.inviteCode },
      newcomer.token,
    );
    assert.equal(joined.status, 200);
    assert.deepEqual(await announced, {
      groupId: group.id,
      userId: newcomer.user.id,
      username: newcomer.user.username,
      status: "online",
      lastSeen: null,
    });
    // Joining again is no change: nothing is announced.
    await app.http("POST", "/api/groups/join", { inviteCode: group.inviteCode }, newcomer.token);
    await expectSilence(watcher, "presence:update");
  });

  it("updates go to the subscribers of the user's groups only", async () => {
    const { members, watcher } = await watched(2);
    const stranger = await app.groupWith(1);
    const strangerWatch = await app.connect("/presence", stranger.members[0]!.token);
    await ask(strangerWatch, "presence:subscribe", { groupId: stranger.group.id });
    const bob = members[1]!;
    const seen = waitFor(watcher, "presence:update", { where: updateFor(bob, "online") });
    await app.connect("/presence", bob.token);
    await seen;
    await expectSilence(strangerWatch, "presence:update", 150);
  });

  it("presence:unsubscribe stops updates", async () => {
    const { group, members, watcher } = await watched(2);
    assert.ok((await ask(watcher, "presence:unsubscribe", { groupId: group.id })).ok);
    await app.connect("/presence", members[1]!.token);
    await expectSilence(watcher, "presence:update", 150);
  });

  it("non-members get FORBIDDEN, unknown groups NOT_FOUND", async () => {
    const { group } = await watched(1);
    const outsider = await app.member();
    const socket = await app.connect("/presence", outsider.token);
    const forbidden = await ask(socket, "presence:subscribe", { groupId: group.id });
    assert.deepEqual(forbidden.ok ? null : forbidden.error.code, "FORBIDDEN");
    const missing = await ask(socket, "presence:subscribe", { groupId: "nope" });
    assert.deepEqual(missing.ok ? null : missing.error.code, "NOT_FOUND");
  });
});
