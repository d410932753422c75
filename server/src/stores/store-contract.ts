// The cases every Stores implementation must pass; stores.test.ts runs them
// against each backend so embedded and clustered modes keep the same rules.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Position, Ride, RideAlert, Sos } from "@convoy/shared";
import type { SosDraft, Stores } from "./types.ts";

const position = (groupId: string, userId: string, ts: number): Position => ({
  groupId,
  userId,
  username: userId,
  lat: 1,
  lng: 2,
  accuracy: null,
  heading: null,
  speed: null,
  ts,
});

/** A ride under way in `groupId`, started (and ridden) by "u1" at `at`. */
const ride = (id: string, groupId: string, at: number): Ride => ({
  id,
  groupId,
  name: `ride ${id}`,
  startedBy: "u1",
  startedAt: at,
  plannedEndAt: null,
  endedAt: null,
  endReason: null,
  gapM: 2000,
  stoppedMs: 300_000,
  riders: [{ userId: "u1", username: "one", joinedAt: at, leftAt: null }],
});
const point = (i: number) => ({ lat: 46 + i / 1000, lng: 8, ts: 1000 + i, along: i * 111 });

/** The i-th message by user "u" in group "g". */
const draft = (i: number) => ({
  groupId: "g",
  userId: "u",
  username: "u",
  text: `m${i}`,
  clientMsgId: `c${i}`,
  ts: i,
});

/** An SOS raised by `userId` in `groupId` at `raisedAt`. */
const sosDraft = (
  id: string,
  groupId: string,
  userId: string,
  raisedAt: number,
  clientSosId = id,
): SosDraft => ({
  id,
  groupId,
  userId,
  username: `name-${userId}`,
  clientSosId,
  note: null,
  fix: null,
  raisedAt,
});

/** What a fresh SOS looks like. */
const fresh = (draft: SosDraft): Sos => ({
  ...draft,
  resolvedAt: null,
  resolvedBy: null,
  sentCount: 1,
  receipts: [],
});

export function describeStores(backend: string, make: () => Promise<Stores>): void {
  describe(`stores (${backend})`, () => {
    let stores: Stores;
    beforeEach(async () => (stores = await make()));
    afterEach(() => stores.close());

    it("users: unique case-insensitively, found by name, listed by id", async () => {
      assert.equal(await stores.users.create({ id: "u1", username: "Alice", passwordHash: "h" }), true);
      assert.equal(await stores.users.create({ id: "u2", username: "alice", passwordHash: "h" }), false);
      assert.deepEqual(await stores.users.findByUsername("ALICE"), {
        id: "u1",
        username: "Alice",
        passwordHash: "h",
      });
      assert.equal(await stores.users.findByUsername("bob"), null);
      assert.deepEqual(await stores.users.findMany(["u1", "nope"]), [{ id: "u1", username: "Alice" }]);
    });

    it("users: found by id; a password hash is replaced only for an existing user", async () => {
      await stores.users.create({ id: "u1", username: "Alice", passwordHash: "h1" });
      assert.equal(await stores.users.setPasswordHash("u1", "h2"), true);
      assert.equal(await stores.users.setPasswordHash("nobody", "h2"), false);
      assert.deepEqual(await stores.users.findById("u1"), {
        id: "u1",
        username: "Alice",
        passwordHash: "h2",
      });
      assert.equal((await stores.users.findByUsername("alice"))?.passwordHash, "h2");
      assert.equal(await stores.users.findById("nobody"), null);
    });

    it("sessions: found until revoked or expired; revoking all ends only that user's", async () => {
      // Far in the future: Redis expires keys on its own clock.
      const later = Date.now() + 3_600_000;
      await stores.sessions.create({ id: "s1", userId: "u1", expiresAt: later }, 0);
      await stores.sessions.create({ id: "s2", userId: "u1", expiresAt: later + 1 }, 0);
      await stores.sessions.create({ id: "s3", userId: "u2", expiresAt: later }, 0);
      assert.deepEqual(await stores.sessions.find("s1", 0), { id: "s1", userId: "u1", expiresAt: later });
      assert.equal(await stores.sessions.find("s1", later), null, "expired at its expiresAt");
      assert.equal(await stores.sessions.find("nope", 0), null);
      assert.equal(await stores.sessions.revoke("s1"), true);
      assert.equal(await stores.sessions.revoke("s1"), false);
      assert.equal(await stores.sessions.find("s1", 0), null);
      assert.deepEqual(await stores.sessions.revokeAll("u1"), ["s2"]);
      assert.deepEqual(await stores.sessions.revokeAll("u1"), []);
      assert.equal(await stores.sessions.find("s2", 0), null);
      assert.ok(await stores.sessions.find("s3", 0), "another user's session stays");
    });

    it("groups: owner is a member; join by invite code; membership both ways", async () => {
      const group = { id: "g1", name: "Ride", inviteCode: "code1", ownerId: "u1", createdAt: 1 };
      assert.equal(await stores.groups.create(group, 10), true);
      assert.deepEqual(await stores.groups.findById("g1"), group);
      assert.deepEqual(await stores.groups.findByInviteCode("code1"), group);
      assert.equal(await stores.groups.findByInviteCode("nope"), null);
      assert.equal(await stores.groups.isMember("g1", "u1"), true);
      assert.equal(await stores.groups.isMember("g1", "u2"), false);
      assert.equal(await stores.groups.addMember("g1", "u2", 10), "added");
      assert.equal(await stores.groups.addMember("g1", "u2", 10), "member");
      assert.deepEqual((await stores.groups.memberIds("g1")).sort(), ["u1", "u2"]);
      assert.deepEqual(await stores.groups.groupIdsOf("u2"), ["g1"]);
      assert.deepEqual(await stores.groups.findMany(["g1", "gx"]), [group]);
    });

    it("groups: quotas on groups owned and members hold, even for requests at once", async () => {
      const group = (i: number) => ({
        id: `g${i}`,
        name: "R",
        inviteCode: `c${i}`,
        ownerId: "u1",
        createdAt: i,
      });
      const created = await Promise.all([1, 2, 3, 4].map((i) => stores.groups.create(group(i), 2)));
      assert.equal(created.filter(Boolean).length, 2);
      const refused = [1, 2, 3, 4].find((_, i) => !created[i])!;
      assert.equal(await stores.groups.findById(`g${refused}`), null, "a refused group is not stored");
      assert.equal(await stores.groups.findByInviteCode(`c${refused}`), null);
      const owned = [1, 2, 3, 4].find((_, i) => created[i])!;
      const joins = await Promise.all(
        ["u2", "u3", "u4"].map((u) => stores.groups.addMember(`g${owned}`, u, 3)),
      );
      assert.deepEqual([...joins].sort(), ["added", "added", "full"]);
      assert.equal((await stores.groups.memberIds(`g${owned}`)).length, 3);
      const full = ["u2", "u3", "u4"][joins.indexOf("full")]!;
      assert.deepEqual(await stores.groups.groupIdsOf(full), [], "a refused member is in no group");
      assert.equal(
        await stores.groups.addMember(`g${owned}`, "u2", 3),
        "member",
        "a member may always rejoin",
      );
    });

    it("messages: ids in send order; a sender's clientMsgId is idempotent", async () => {
      const draft = { groupId: "g", userId: "u", username: "u", text: "one", clientMsgId: "c1", ts: 1 };
      const first = await stores.messages.append(draft);
      assert.equal(first.isNew, true);
      const again = await stores.messages.append({ ...draft, text: "changed" });
      assert.deepEqual(again, { message: first.message, isNew: false });
      const other = await stores.messages.append({ ...draft, userId: "v" });
      assert.equal(other.isNew, true);
      const second = await stores.messages.append({ ...draft, clientMsgId: "c2", text: "two" });
      assert.ok(first.message.id < other.message.id && other.message.id < second.message.id);
      assert.deepEqual(
        (await stores.messages.latest("g", 2)).map((m) => m.id),
        [other.message.id, second.message.id],
      );
    });

    it("messages: concurrent appends get distinct ordered ids", async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores.messages.append(draft(i))),
      );
      const ids = results.map((r) => r.message.id);
      assert.equal(new Set(ids).size, 50);
      assert.deepEqual(
        (await stores.messages.latest("g", 50)).map((m) => m.id),
        [...ids].sort(),
      );
    });

    it("messages: after and before pages", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const { message } = await stores.messages.append(draft(i));
        ids.push(message.id);
      }
      assert.deepEqual(
        await stores.messages.after("g", ids[6]!, 2).then((p) => [p.messages.map((m) => m.id), p.hasMore]),
        [ids.slice(7, 9), true],
      );
      assert.deepEqual(
        await stores.messages.after("g", ids[7]!, 5).then((p) => [p.messages.map((m) => m.id), p.hasMore]),
        [ids.slice(8), false],
      );
      assert.deepEqual(
        await stores.messages.before("g", null, 3).then((p) => [p.messages.map((m) => m.id), p.hasMore]),
        [ids.slice(7), true],
      );
      assert.deepEqual(
        await stores.messages.before("g", ids[3]!, 5).then((p) => [p.messages.map((m) => m.id), p.hasMore]),
        [ids.slice(0, 3), false],
      );
      assert.deepEqual((await stores.messages.after("empty", "0", 5)).messages, []);
      // Ids are positions: an unpadded one, or one that was never issued, works too.
      const unpadded = String(Number(ids[6]!));
      assert.deepEqual(
        (await stores.messages.after("g", unpadded, 1)).messages.map((m) => m.id),
        [ids[7]],
      );
      assert.deepEqual((await stores.messages.after("g", "999999", 1)).messages, []);
    });

    it("messages: past the cap (1,000 here) the oldest go with their clientMsgIds, whatever their text; sends go on", async () => {
      // A lone surrogate never passes validation (SPEC §6), but a store must not choke on odd text either.
      const first = await stores.messages.append({ ...draft(0), text: "x\ud800" });
      let last = first.message;
      for (let i = 1; i <= 1100; i++) last = (await stores.messages.append(draft(i))).message;
      assert.equal(Number(last.id), 1101);
      const kept = await stores.messages.latest("g", 2000);
      assert.ok(kept.length >= 1000 && kept.length <= 1100, `kept ${kept.length}`);
      assert.ok(!kept.some((m) => m.id === first.message.id), "the oldest is gone");
      assert.equal((await stores.messages.append(draft(0))).isNew, true, "its clientMsgId went with it");
      assert.deepEqual(await stores.messages.append(draft(1100)), { message: last, isNew: false });
    });

    it("presence: online with any connection, away when all are, offline with none", async () => {
      assert.deepEqual(await stores.presence.attach("u", "s1"), {
        before: "offline",
        after: { status: "online", lastSeen: null },
      });
      assert.deepEqual(await stores.presence.attach("u", "s2"), {
        before: "online",
        after: { status: "online", lastSeen: null },
      });
      assert.equal((await stores.presence.setAway("u", "s1", true)).after.status, "online");
      assert.equal((await stores.presence.setAway("u", "s2", true)).after.status, "away");
      assert.equal((await stores.presence.detach("u", "s2", 100)).after.status, "away");
      assert.deepEqual(await stores.presence.detach("u", "s1", 200), {
        before: "away",
        after: { status: "offline", lastSeen: 200 },
      });
      assert.deepEqual((await stores.presence.states(["u", "x"])).get("x"), {
        status: "offline",
        lastSeen: null,
      });
      assert.deepEqual((await stores.presence.states(["u"])).get("u"), { status: "offline", lastSeen: 200 });
      // setAway of a connection that is gone changes nothing
      assert.equal((await stores.presence.setAway("u", "s1", false)).after.status, "offline");
    });

    it("locations: only sharing riders are recorded; off forgets; older ts is ignored; expiry", async () => {
      assert.equal(await stores.locations.record(position("g", "u", 10), 1000), "refused");
      assert.deepEqual(await stores.locations.setSharing("g", "u", true), { changed: true });
      assert.deepEqual(await stores.locations.setSharing("g", "u", true), { changed: false });
      assert.equal(await stores.locations.isSharing("g", "u"), true);
      assert.equal(await stores.locations.record(position("g", "u", 10), 1000), "kept");
      assert.equal(await stores.locations.record(position("g", "u", 5), 1001), "refused");
      assert.deepEqual(await stores.locations.riders("g"), [position("g", "u", 10)]);
      await stores.locations.setSharing("g", "v", true);
      await stores.locations.record(position("g", "v", 1), 5000);
      assert.deepEqual(await stores.locations.expire(2000), [{ groupId: "g", userId: "u" }]);
      assert.deepEqual(await stores.locations.expire(2000), []);
      assert.deepEqual(
        (await stores.locations.riders("g")).map((p) => p.userId),
        ["v"],
      );
      assert.equal(await stores.locations.isSharing("g", "u"), true, "expiry keeps the opt-in");
      assert.deepEqual(await stores.locations.setSharing("g", "v", false), { changed: true });
      assert.deepEqual(await stores.locations.riders("g"), []);
      // Forgotten, then back: the next position is expired in its turn, as after sharing off and on.
      assert.equal(await stores.locations.record(position("g", "u", 11), 6000), "kept");
      assert.deepEqual(await stores.locations.expire(6000), []);
      assert.deepEqual(await stores.locations.expire(6001), [{ groupId: "g", userId: "u" }]);
      await stores.locations.setSharing("g", "u", false);
      await stores.locations.setSharing("g", "u", true);
      assert.equal(await stores.locations.record(position("g", "u", 12), 8000), "kept");
      assert.deepEqual(await stores.locations.expire(8001), [{ groupId: "g", userId: "u" }]);
    });

    it("locations: a node that alone hears a group records its positions as plain kept", async () => {
      await stores.locations.setSharing("g", "u", true);
      await stores.locations.listen("g");
      assert.equal(await stores.locations.record(position("g", "u", 10), 1000), "kept");
      await stores.locations.unlisten("g");
      assert.equal(await stores.locations.record(position("g", "u", 11), 2000), "kept");
    });

    it("locations: a newer position replaces the rider's; riders read earlier stay as they were", async () => {
      await stores.locations.setSharing("g", "u", true);
      await stores.locations.record(position("g", "u", 10), 1000);
      const earlier = await stores.locations.riders("g");
      const newer = {
        ...position("g", "u", 20),
        lat: 47.25,
        lng: -8.5,
        accuracy: 5,
        heading: 270,
        speed: 12.5,
      };
      assert.equal(await stores.locations.record(newer, 3000), "kept");
      assert.deepEqual(earlier, [position("g", "u", 10)]);
      assert.deepEqual(await stores.locations.riders("g"), [newer]);
      (await stores.locations.riders("g"))[0]!.lat = 0;
      assert.deepEqual(await stores.locations.riders("g"), [newer], "riders are copies");
      // Back to unknowns, and the arrival time moved on: expiry counts from the newer one.
      assert.equal(await stores.locations.record(position("g", "u", 30), 4000), "kept");
      assert.deepEqual(await stores.locations.riders("g"), [position("g", "u", 30)]);
      assert.deepEqual(await stores.locations.expire(3500), []);
      assert.deepEqual(await stores.locations.expire(4001), [{ groupId: "g", userId: "u" }]);
    });

    it("sos: raised once per clientSosId, one open per rider and group; found by id", async () => {
      const draft = {
        ...sosDraft("s1", "g", "u", 1000),
        note: 'crashed "here" \\ 🏍️ ünd',
        fix: { lat: 46.5, lng: -7.25, accuracy: 12.5, ts: 990 },
      };
      const raised = await stores.sos.raise(draft, 61_000);
      assert.deepEqual(raised, { sos: fresh(draft), isNew: true });
      assert.deepEqual(await stores.sos.find("s1"), fresh(draft));
      assert.equal(await stores.sos.find("nope"), null);
      // A retry, even with another note, answers the stored one.
      assert.deepEqual(await stores.sos.raise({ ...draft, id: "s2", note: "other" }, 61_000), {
        sos: fresh(draft),
        isNew: false,
      });
      // Another clientSosId while one is open: still the open one.
      assert.deepEqual(await stores.sos.raise(sosDraft("s3", "g", "u", 1001), 61_001), {
        sos: fresh(draft),
        isNew: false,
      });
      assert.equal(await stores.sos.find("s3"), null);
      // Another rider, or the same rider in another group, raises their own.
      assert.equal((await stores.sos.raise(sosDraft("s4", "g", "v", 1002), 61_002)).isNew, true);
      assert.equal((await stores.sos.raise(sosDraft("s5", "h", "u", 1003, "s1"), null)).isNew, true);
      assert.deepEqual(
        (await stores.sos.active(["g", "h", "other"])).map((sos) => sos.id),
        ["s1", "s4", "s5"],
        "oldest first",
      );
      assert.deepEqual(
        (await stores.sos.active(["h"])).map((sos) => sos.id),
        ["s5"],
      );
      assert.deepEqual(await stores.sos.active([]), []);
    });

    it("sos: receipts move forward only, per user; an acknowledgement is kept; none once resolved", async () => {
      await stores.sos.raise(sosDraft("s1", "g", "u", 1000), 61_000);
      const receipt = (userId: string, state: "delivered" | "seen" | "acknowledged", at: number) =>
        stores.sos.receipt("s1", { userId, username: `name-${userId}`, state, at });
      const first = await receipt("v", "delivered", 1100);
      assert.equal(first?.changed, true);
      assert.deepEqual(first?.sos.receipts, [
        { userId: "v", username: "name-v", state: "delivered", at: 1100 },
      ]);
      assert.equal((await receipt("v", "delivered", 1200))?.changed, false, "a second device delivering");
      assert.equal((await receipt("w", "seen", 1150))?.changed, true, "a step may be skipped");
      assert.equal((await receipt("v", "acknowledged", 1300))?.changed, true);
      const back = await receipt("v", "seen", 1400);
      assert.equal(back?.changed, false, "never backwards");
      assert.deepEqual(back?.sos.receipts, [
        { userId: "w", username: "name-w", state: "seen", at: 1150 },
        { userId: "v", username: "name-v", state: "acknowledged", at: 1300 },
      ]);
      assert.equal(
        await stores.sos.receipt("nope", { userId: "v", username: "v", state: "seen", at: 1 }),
        null,
      );
      const resolved = await stores.sos.resolve("s1", { userId: "v", at: 1500, keep: 10 });
      assert.equal(resolved?.changed, true);
      assert.equal((await receipt("x", "delivered", 1600))?.changed, false, "resolved: no more receipts");
      assert.equal((await stores.sos.find("s1"))?.receipts.length, 2);
    });

    it("sos: resolved once; then out of active, its clientSosId still answers it, a new one raises anew", async () => {
      await stores.sos.raise(sosDraft("s1", "g", "u", 1000), 61_000);
      const resolved = await stores.sos.resolve("s1", { userId: "u", at: 2000, keep: 10 });
      assert.deepEqual(resolved, {
        sos: { ...fresh(sosDraft("s1", "g", "u", 1000)), resolvedAt: 2000, resolvedBy: "u" },
        changed: true,
      });
      const again = await stores.sos.resolve("s1", { userId: "v", at: 3000, keep: 10 });
      assert.deepEqual(again, { sos: resolved.sos, changed: false }, "the first resolution stays");
      assert.equal(await stores.sos.resolve("nope", { userId: "u", at: 1, keep: 10 }), null);
      assert.deepEqual(await stores.sos.active(["g"]), []);
      assert.deepEqual(await stores.sos.raise(sosDraft("s2", "g", "u", 4000, "s1"), null), {
        sos: resolved.sos,
        isNew: false,
      });
      assert.equal((await stores.sos.raise(sosDraft("s3", "g", "u", 4000), null)).isNew, true);
      assert.deepEqual(
        (await stores.sos.active(["g"])).map((sos) => sos.id),
        ["s3"],
      );
    });

    it("sos: at most `keep` resolved per group are kept; the forgotten ones' clientSosIds are free", async () => {
      for (let i = 1; i <= 4; i++) {
        await stores.sos.raise(sosDraft(`s${i}`, "g", "u", i * 1000), null);
        await stores.sos.resolve(`s${i}`, { userId: "u", at: i * 1000 + 500, keep: 2 });
      }
      await stores.sos.raise(sosDraft("other", "h", "u", 1), null);
      await stores.sos.resolve("other", { userId: "u", at: 2, keep: 2 });
      assert.equal(await stores.sos.find("s1"), null);
      assert.equal(await stores.sos.find("s2"), null);
      assert.ok(await stores.sos.find("s3"));
      assert.ok(await stores.sos.find("s4"));
      assert.ok(await stores.sos.find("other"), "another group's history is its own");
      assert.equal((await stores.sos.raise(sosDraft("s5", "g", "u", 9000, "s1"), null)).isNew, true);
    });

    it("sos: a due re-send is claimed once, even by callers at once, until acknowledged or sent the most times", async () => {
      await stores.sos.raise(sosDraft("a", "g", "u", 0), 60_000);
      await stores.sos.raise(sosDraft("b", "g", "v", 0), 60_000);
      await stores.sos.raise(sosDraft("c", "g", "w", 0), 90_000);
      assert.deepEqual(await stores.sos.claimResends(59_999, 60_000, 3), []);
      const claims = await Promise.all([1, 2, 3, 4].map(() => stores.sos.claimResends(60_000, 60_000, 3)));
      const claimed = claims.flat();
      assert.deepEqual(claimed.map((sos) => sos.id).sort(), ["a", "b"], "each once");
      assert.ok(claimed.every((sos) => sos.sentCount === 2));
      await stores.sos.receipt("b", { userId: "x", username: "x", state: "acknowledged", at: 61_000 });
      assert.deepEqual(await stores.sos.claimResends(100_000, 60_000, 3), [
        { ...fresh(sosDraft("c", "g", "w", 0)), sentCount: 2 },
      ]);
      assert.deepEqual(
        (await stores.sos.claimResends(120_000, 60_000, 3)).map((sos) => [sos.id, sos.sentCount]),
        [["a", 3]],
      );
      await stores.sos.resolve("c", { userId: "w", at: 130_000, keep: 10 });
      assert.deepEqual(
        await stores.sos.claimResends(10_000_000, 60_000, 3),
        [],
        "at the most, acknowledged or resolved",
      );
      assert.equal((await stores.sos.find("a"))?.sentCount, 3);
    });

    it("sos: the webhook of an unacknowledged open SOS is claimed once", async () => {
      await stores.sos.raise(sosDraft("a", "g", "u", 1000), null);
      await stores.sos.raise(sosDraft("b", "g", "v", 1000), null);
      await stores.sos.raise(sosDraft("c", "g", "w", 1000), null);
      await stores.sos.raise(sosDraft("d", "g", "x", 5000), null);
      await stores.sos.receipt("b", { userId: "u", username: "u", state: "acknowledged", at: 1100 });
      await stores.sos.resolve("c", { userId: "w", at: 1200, keep: 10 });
      assert.deepEqual(await stores.sos.claimWebhooks(999), []);
      const claims = await Promise.all([1, 2, 3].map(() => stores.sos.claimWebhooks(2000)));
      assert.deepEqual(claims.flat(), [fresh(sosDraft("a", "g", "u", 1000))]);
      assert.deepEqual(await stores.sos.claimWebhooks(2000), []);
      assert.deepEqual(
        (await stores.sos.claimWebhooks(5000)).map((sos) => sos.id),
        ["d"],
      );
    });

    it("sos: results are copies", async () => {
      const { sos } = await stores.sos.raise(sosDraft("a", "g", "u", 1), null);
      await stores.sos.receipt("a", { userId: "v", username: "v", state: "seen", at: 2 });
      const found = (await stores.sos.find("a"))!;
      sos.note = "changed";
      found.receipts[0]!.state = "acknowledged";
      found.receipts.push({ userId: "w", username: "w", state: "seen", at: 3 });
      const again = (await stores.sos.find("a"))!;
      assert.equal(again.note, null);
      assert.deepEqual(again.receipts, [{ userId: "v", username: "v", state: "seen", at: 2 }]);
    });

    it("hands out copies: mutating a result changes nothing stored", async () => {
      await stores.users.create({ id: "u1", username: "Alice", passwordHash: "h" });
      const user = await stores.users.findByUsername("alice");
      if (user) user.username = "Mallory";
      assert.equal((await stores.users.findByUsername("alice"))?.username, "Alice");
      const { message } = await stores.messages.append({
        groupId: "g",
        userId: "u",
        username: "u",
        text: "t",
        clientMsgId: "c",
        ts: 1,
      });
      try {
        Object.assign(message, { text: "edited" });
      } catch {
        // frozen: as good as a copy
      }
      assert.equal((await stores.messages.latest("g", 1))[0]?.text, "t");
    });

    it("rides: one under way per group; join, leave and join again; ended once, riders leave with it", async () => {
      assert.equal(await stores.rides.start(ride("r1", "g", 10), 50), true);
      assert.equal(await stores.rides.start(ride("r2", "g", 11), 50), false, "g has a ride under way");
      assert.equal(await stores.rides.find("r2"), null);
      assert.equal(await stores.rides.start(ride("r3", "h", 12), 50), true, "another group may");
      assert.equal((await stores.rides.activeIn("g"))?.id, "r1");

      const joined = await stores.rides.join("r1", { userId: "u2", username: "two", joinedAt: 20 });
      assert.deepEqual(joined?.riders, [
        { userId: "u1", username: "one", joinedAt: 10, leftAt: null },
        { userId: "u2", username: "two", joinedAt: 20, leftAt: null },
      ]);
      assert.equal(await stores.rides.leave("r1", "u2", 30).then((r) => r?.riders[1]?.leftAt), 30);
      assert.equal(await stores.rides.leave("r1", "u2", 31), null, "left already");
      assert.equal(await stores.rides.leave("r1", "nobody", 31), null);
      // Back again: the consent of the first join stays recorded, and the rider rides on.
      const back = await stores.rides.join("r1", { userId: "u2", username: "two", joinedAt: 40 });
      assert.deepEqual(back?.riders[1], { userId: "u2", username: "two", joinedAt: 20, leftAt: null });

      const ended = await stores.rides.end("r1", "ended", 50);
      assert.equal(ended?.endedAt, 50);
      assert.equal(ended?.endReason, "ended");
      assert.deepEqual(
        ended?.riders.map((r) => r.leftAt),
        [50, 50],
      );
      assert.equal(await stores.rides.end("r1", "idle", 60), null, "ended once");
      assert.equal(await stores.rides.join("r1", { userId: "u3", username: "three", joinedAt: 70 }), null);
      assert.equal(await stores.rides.activeIn("g"), null);
      assert.deepEqual(
        (await stores.rides.allActive()).map(({ ride: r }) => r.id),
        ["r3"],
      );
      assert.equal(await stores.rides.start(ride("r4", "g", 80), 50), true, "g may ride again");
      assert.deepEqual(
        (await stores.rides.history("g", 10)).map((r) => r.id),
        ["r4", "r1"],
      );
      assert.equal(await stores.rides.end("nope", "ended", 1), null);
    });

    it("rides: trails append in order, are replaced whole, and activity moves forward only", async () => {
      await stores.rides.start(ride("r1", "g", 10), 50);
      await stores.rides.appendTrail("r1", "u1", [point(0), point(1)], 100);
      await stores.rides.appendTrail("r1", "u1", [point(2)], 90);
      await stores.rides.appendTrail("r1", "u2", [point(5)], 95);
      await stores.rides.appendTrail("r1", "u2", [], 120);
      const trails = await stores.rides.trails("r1");
      assert.deepEqual(trails.get("u1"), [point(0), point(1), point(2)]);
      assert.deepEqual(trails.get("u2"), [point(5)]);
      // From an index: what was added since; riders not named come whole.
      const since = await stores.rides.trails("r1", new Map([["u1", 2]]));
      assert.deepEqual(since.get("u1"), [point(2)]);
      assert.deepEqual(since.get("u2"), [point(5)]);
      assert.deepEqual((await stores.rides.trails("r1", new Map([["u1", 3]]))).get("u1"), []);
      assert.equal((await stores.rides.allActive())[0]?.lastActivityAt, 120);
      await stores.rides.replaceTrail("r1", "u1", [point(0), point(2)]);
      assert.deepEqual((await stores.rides.trails("r1")).get("u1"), [point(0), point(2)]);
      assert.equal((await stores.rides.trails("nope")).size, 0);
    });

    it("rides: a rider's alert is raised once until cleared", async () => {
      await stores.rides.start(ride("r1", "g", 10), 50);
      const alert: RideAlert = {
        rideId: "r1",
        groupId: "g",
        userId: "u2",
        username: "two",
        kind: "gap",
        behindM: 2500,
        regroupAt: { lat: 46, lng: 8 },
        raisedAt: 100,
      };
      assert.equal(await stores.rides.raiseAlert(alert), true);
      assert.equal(await stores.rides.raiseAlert({ ...alert, kind: "stopped", raisedAt: 101 }), false);
      assert.deepEqual(await stores.rides.alerts("r1"), [alert]);
      assert.equal(await stores.rides.clearAlert("r1", "u2"), true);
      assert.equal(await stores.rides.clearAlert("r1", "u2"), false);
      assert.deepEqual(await stores.rides.alerts("r1"), []);
    });

    it("rides: a group keeps its newest rides; older ones go with their trails and alerts", async () => {
      for (let i = 1; i <= 4; i++) {
        await stores.rides.start(ride(`r${i}`, "g", i * 10), 3);
        await stores.rides.appendTrail(`r${i}`, "u1", [point(i)], i * 10 + 1);
        await stores.rides.end(`r${i}`, "ended", i * 10 + 5);
      }
      await stores.rides.start(ride("r5", "g", 50), 3);
      assert.deepEqual(
        (await stores.rides.history("g", 10)).map((r) => r.id),
        ["r5", "r4", "r3"],
      );
      assert.equal(await stores.rides.find("r1"), null);
      assert.equal((await stores.rides.trails("r2")).size, 0);
      assert.equal((await stores.rides.trails("r3")).size, 1);
    });

    it("rides: the watch is this node's, and stays so while renewed", async () => {
      assert.equal(await stores.rides.claimWatch(10_000), true);
      assert.equal(await stores.rides.claimWatch(10_000), true);
    });

    it("conversations: both sides list each other, the most recent first", async () => {
      await stores.conversations.touch("a", "b", 10);
      await stores.conversations.touch("a", "c", 20);
      await stores.conversations.touch("d", "a", 15);
      assert.deepEqual(await stores.conversations.partnersOf("a", 10), ["c", "d", "b"]);
      assert.deepEqual(await stores.conversations.partnersOf("b", 10), ["a"]);
      assert.deepEqual(await stores.conversations.partnersOf("a", 2), ["c", "d"]);
      // A late write of an older message does not move a conversation back.
      await stores.conversations.touch("a", "b", 30);
      await stores.conversations.touch("b", "a", 5);
      assert.deepEqual(await stores.conversations.partnersOf("a", 10), ["b", "c", "d"]);
      assert.deepEqual(await stores.conversations.partnersOf("nobody", 10), []);
    });

    it("ping answers", async () => {
      await stores.ping();
    });
  });
}
