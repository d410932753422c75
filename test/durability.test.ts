// Embedded mode keeps what users stored (SPEC §1, §5): real processes on a real
// DATA_DIR, killed with SIGKILL in the middle of a burst, restarted, migrated
// from an older schema, backed up while serving, restored, and starved of disk.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { EventEmitter } from "node:events";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { ChatMessage } from "@convoy/shared";
import { MIGRATIONS } from "@convoy/server/testing";
import Database from "better-sqlite3";
import { post, seedGroup } from "./support/crowd.ts";
import { makeDataDir, runMain, startNodeProcess, type NodeProcess } from "./support/process.ts";
import type { AnswerOf } from "./support/routes.ts";
import { ask, openSocket, type ChatSocket } from "./support/sockets.ts";
import { connected, expectSilence, readyzBecomes, waitFor, waitForEvent } from "./support/wait.ts";

const fixtureV1 = new URL("./fixtures/convoy-schema-1.db", import.meta.url);
const password = "correct horse battery";

/** A GET that must succeed, typed by its route (routes.ts). */
async function get<P extends string>(baseUrl: string, path: P, token: string): Promise<AnswerOf<"GET", P>> {
  const res = await fetch(baseUrl + path, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as AnswerOf<"GET", P>;
}

/** A connected /chat socket that has joined the group's room. */
async function chatIn(baseUrl: string, token: string, groupId: string): Promise<ChatSocket> {
  const socket = openSocket(baseUrl, "/chat", {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
  });
  await connected(socket, 5000);
  const joined = await ask(socket, "room:join", { groupId });
  assert.ok(joined.ok, "room:join");
  return socket;
}

const send = (socket: ChatSocket, groupId: string, text: string, clientMsgId: string) =>
  ask(socket, "message:send", { groupId, text, clientMsgId }, 2000);

/** The group's whole history, oldest first, read page by page over HTTP. */
async function history(baseUrl: string, groupId: string, token: string): Promise<ChatMessage[]> {
  const pages: ChatMessage[][] = [];
  let before = "";
  for (let i = 0; i < 1000; i++) {
    const page = await get(
      baseUrl,
      `/api/groups/${groupId}/messages?limit=100${before && `&before=${before}`}`,
      token,
    );
    pages.unshift(page.messages);
    if (!page.hasMore || page.messages.length === 0) return pages.flat();
    before = page.messages[0]!.id;
  }
  throw new Error("history has more than 1000 pages");
}

/** Each socket sends one message after another, as fast as the rate limit lets it, until stopped or unanswered. */
function burst(sockets: ChatSocket[], groupId: string) {
  const acked: ChatMessage[] = [];
  const progress = new EventEmitter();
  let running = true;
  const done = Promise.all(
    sockets.map(async (socket, k) => {
      for (let i = 0, tries = 0; running && i < 100_000 && tries < 100_000; tries++) {
        const res = await send(socket, groupId, `rider ${k} message ${i}`, `burst-${k}-${i}`).catch(
          () => null,
        );
        // Paced by the per-socket limit (SPEC §4): a refused send waits and goes again.
        if (res?.ok === false && res.error.code === "RATE_LIMITED") {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        if (!res?.ok) return;
        i++;
        acked.push(res.data.message);
        progress.emit("ack", acked.length);
      }
    }),
  );
  return {
    acked,
    reached: (count: number) =>
      waitForEvent<number>(progress, "ack", { where: (n) => n >= count, ms: 20_000 }),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("[5 durability] embedded mode keeps its data in DATA_DIR", () => {
  let root: string;
  let node: NodeProcess | null = null;
  beforeEach(() => (root = makeDataDir()));
  afterEach(async () => {
    await node?.stop("SIGKILL");
    node = null;
    rmSync(root, { recursive: true, force: true });
  });

  it("kill -9 in the middle of a burst: after a restart every acknowledged message, account, group and membership is there, in order, with the same ids; ids keep growing; a retried clientMsgId answers the stored message and broadcasts nothing; tokens stay valid", async () => {
    const dataDir = join(root, "data");
    const env = { DATA_DIR: dataDir, PASSWORD_COST: "1024" };
    node = await startNodeProcess(env);
    assert.equal(modeOf(dataDir), 0o700, "DATA_DIR is made private on first start");
    assert.equal(modeOf(join(dataDir, "convoy.db")), 0o600);

    const { group, logins } = await seedGroup(node.url, 6, "burst");
    const sockets = await Promise.all(logins.map((login) => chatIn(node!.url, login.token, group.id)));
    const sending = burst(sockets, group.id);
    await sending.reached(200);

    // Accounts, groups and memberships made while the burst goes on, just before the kill.
    const owner = logins[0]!;
    await post(node.url, "/api/auth/register", { username: `late_${process.pid}`, password });
    const late = await post(node.url, "/api/auth/login", {
      username: `late_${process.pid}`,
      password,
    });
    const { group: lateGroup } = await post(node.url, "/api/groups", { name: "Late ride" }, owner.token);
    await post(node.url, "/api/groups/join", { inviteCode: lateGroup.inviteCode }, late.token);
    await post(node.url, "/api/groups/join", { inviteCode: group.inviteCode }, late.token);

    await node.stop("SIGKILL");
    await sending.stop();
    for (const socket of sockets) socket.close();
    const acked = sending.acked;
    assert.ok(acked.length >= 200);

    node = await startNodeProcess(env);
    // The tokens issued before the kill still open sockets: the signing key was kept.
    const [first, second] = await Promise.all(
      [logins[1]!, logins[2]!].map((login) => chatIn(node!.url, login.token, group.id)),
    );
    try {
      const stored = await history(node.url, group.id, owner.token);
      const byId = new Map(stored.map((message) => [message.id, message]));
      for (const message of acked)
        assert.deepEqual(byId.get(message.id), message, `acknowledged ${message.id}`);
      assert.deepEqual(
        stored.map((message) => Number(message.id)),
        stored.map((_, i) => i + 1),
        "ids are 1, 2, 3, … in history order: no gap, no repeat",
      );
      for (const [k] of logins.entries()) {
        const fromRider = acked.filter((m) => m.clientMsgId.startsWith(`burst-${k}-`)).map((m) => m.id);
        assert.deepEqual(fromRider, [...fromRider].sort(), `rider ${k}'s messages keep their send order`);
      }

      const retried = acked.find((m) => m.userId === logins[1]!.user.id)!;
      const quiet = expectSilence(second!, "message:new", 300);
      const again = await send(first!, group.id, "sent again after the restart", retried.clientMsgId);
      assert.deepEqual(again, { ok: true, data: { message: retried } });
      await quiet;

      const heard = waitFor(second!, "message:new");
      const next = await send(first!, group.id, "after the restart", "after-restart-1");
      assert.ok(next.ok);
      assert.equal(Number(next.data.message.id), stored.length + 1, "the next id follows the highest stored");
      assert.deepEqual(await heard, next.data.message);

      const relogin = await post(node.url, "/api/auth/login", {
        username: `late_${process.pid}`,
        password,
      });
      assert.equal(relogin.user.id, late.user.id);
      const { groups } = await get(node.url, "/api/groups", late.token);
      assert.deepEqual(groups.map((g) => g.id).sort(), [group.id, lateGroup.id].sort());
      const detail = await get(node.url, `/api/groups/${lateGroup.id}`, owner.token);
      assert.deepEqual(detail.group, lateGroup);
      assert.deepEqual(detail.members.map((m) => m.id).sort(), [owner.user.id, late.user.id].sort());
    } finally {
      first?.close();
      second?.close();
    }
  });

  it("a database made by schema version 1 is migrated at start and keeps its accounts, groups and messages", async () => {
    copyFileSync(fixtureV1, join(root, "convoy.db"));
    node = await startNodeProcess({ DATA_DIR: root, PASSWORD_COST: "1024" });

    const owner = await post(node.url, "/api/auth/login", {
      username: "schema1_owner",
      password,
    });
    const { groups } = await get(node.url, "/api/groups", owner.token);
    assert.deepEqual(
      groups.map((g) => g.name),
      ["Schema 1 ride"],
    );
    const groupId = groups[0]!.id;
    const detail = await get(node.url, `/api/groups/${groupId}`, owner.token);
    assert.deepEqual(detail.members.map((m) => m.username).sort(), ["schema1_owner", "schema1_rider"]);
    const messages = await history(node.url, groupId, owner.token);
    assert.deepEqual(
      messages.map((m) => [m.id, m.username, m.text]),
      [
        ["000000000001", "schema1_owner", "Meet at the fuel station, 9:00"],
        ["000000000002", "schema1_owner", "Bring rain gear"],
        ["000000000003", "schema1_rider", "On my way"],
      ],
    );
    const socket = await chatIn(node.url, owner.token, groupId);
    try {
      const next = await send(socket, groupId, "migrated", "after-migration");
      assert.ok(next.ok && next.data.message.id === "000000000004");
    } finally {
      socket.close();
    }
    assert.equal(await node.stop(), 0);
    node = null;
    const db = new Database(join(root, "convoy.db"), { readonly: true });
    try {
      assert.equal(
        db.pragma("user_version", { simple: true }),
        MIGRATIONS.length,
        "migrated to the current schema",
      );
    } finally {
      db.close();
    }
  });

  it("a backup taken while the server serves and writes is one consistent copy; restored into another DATA_DIR it serves the same accounts, tokens and history", async () => {
    const dataDir = join(root, "live");
    node = await startNodeProcess({ DATA_DIR: dataDir, PASSWORD_COST: "1024" });
    const { group, logins } = await seedGroup(node.url, 2, "backup");
    const sockets = await Promise.all(logins.map((login) => chatIn(node!.url, login.token, group.id)));
    const sending = burst(sockets, group.id);
    try {
      await sending.reached(50);
      const file = join(root, "backups", "convoy-backup.db");
      const taken = await runMain(["backup", file], { DATA_DIR: dataDir });
      assert.equal(taken.code, 0, taken.stderr);
      assert.match(taken.stdout, /backup written to .*convoy-backup\.db/);
      assert.equal(modeOf(file), 0o600, "the backup is as private as the database");
      await sending.reached(sending.acked.length + 20);
      await sending.stop();

      const refused = await runMain(["restore", file], { DATA_DIR: dataDir });
      assert.equal(refused.code, 1, "no restore under a running server");
      assert.match(refused.stderr, /in use/);

      const restoredDir = join(root, "restored");
      const restored = await runMain(["restore", file], { DATA_DIR: restoredDir });
      assert.equal(restored.code, 0, restored.stderr);
      const copy = await startNodeProcess({ DATA_DIR: restoredDir, PASSWORD_COST: "1024" });
      try {
        const owner = logins[0]!;
        const live = await history(node.url, group.id, owner.token);
        // The token issued by the live server works on the restored one: the key is in the backup.
        const copied = await history(copy.url, group.id, owner.token);
        assert.ok(copied.length >= 50 && copied.length < live.length);
        assert.deepEqual(copied, live.slice(0, copied.length), "a prefix of the live history: one snapshot");
        const login = await post(copy.url, "/api/auth/login", {
          username: owner.user.username,
          password,
        });
        assert.equal(login.user.id, owner.user.id);
      } finally {
        await copy.stop();
      }
    } finally {
      await sending.stop();
      for (const socket of sockets) socket.close();
    }
  });
});

describe("[5 durability] restore over a database in use until a kill -9", () => {
  let root: string;
  beforeEach(() => (root = makeDataDir()));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("keeps the replaced database (with its write-ahead log) beside the restored one, which holds exactly the backup; an empty or foreign file is refused, and so is a backup onto the live database", async () => {
    const live = join(root, "live");
    const env = { DATA_DIR: live, PASSWORD_COST: "1024" };
    let node = await startNodeProcess(env);
    const file = join(root, "backup.db");
    try {
      const { group, logins } = await seedGroup(node.url, 2, "restore");
      const socket = await chatIn(node.url, logins[0]!.token, group.id);
      for (const i of [1, 2, 3]) assert.ok((await send(socket, group.id, `m${i}`, `r${i}`)).ok);
      assert.equal((await runMain(["backup", file], { DATA_DIR: live })).code, 0);
      const ontoLive = await runMain(["backup", join(live, "convoy.db")], { DATA_DIR: live });
      assert.equal(ontoLive.code, 1);
      assert.match(ontoLive.stderr, /is the live database/);
      for (const i of [4, 5]) assert.ok((await send(socket, group.id, `m${i}`, `r${i}`)).ok);
      socket.close();
      await node.stop("SIGKILL");

      writeFileSync(join(root, "empty.db"), "");
      const other = new Database(join(root, "other.db"));
      other.exec("CREATE TABLE notes (text TEXT)");
      other.close();
      for (const [bad, reason] of [
        ["empty.db", /is empty, not a Convoy database/],
        ["other.db", /not a Convoy database/],
      ] as const) {
        const refused = await runMain(["restore", join(root, bad)], { DATA_DIR: live });
        assert.equal(refused.code, 1, bad);
        assert.match(refused.stderr, reason);
      }

      const restored = await runMain(["restore", file], { DATA_DIR: live });
      assert.equal(restored.code, 0, restored.stderr);
      const keptAs = /kept as (\S+?);/.exec(restored.stdout)?.[1];
      assert.ok(keptAs, restored.stdout);

      node = await startNodeProcess(env);
      const owner = logins[0]!.token;
      assert.deepEqual(
        (await history(node.url, group.id, owner)).map((m) => m.text),
        ["m1", "m2", "m3"],
        "the refused files changed nothing; the restore brought back the backup",
      );
      await node.stop();

      // The replaced database, moved aside with its log, still has everything acknowledged before the kill.
      const aside = join(root, "aside");
      execFileSync("mkdir", [aside]);
      copyFileSync(keptAs, join(aside, "convoy.db"));
      if (existsSync(`${keptAs}-wal`)) copyFileSync(`${keptAs}-wal`, join(aside, "convoy.db-wal"));
      node = await startNodeProcess({ DATA_DIR: aside, PASSWORD_COST: "1024" });
      assert.deepEqual(
        (await history(node.url, group.id, owner)).map((m) => m.text),
        ["m1", "m2", "m3", "m4", "m5"],
      );
    } finally {
      await node.stop("SIGKILL");
    }
  });
});

describe("[5 durability] a DATA_DIR that cannot be used stops the start with one line and exit 1", () => {
  let root: string;
  beforeEach(() => (root = makeDataDir()));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const refusesToStart = async (dataDir: string, reason: RegExp) => {
    const { code, stderr } = await runMain([], { DATA_DIR: dataDir });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split("\n").length, 1, `one line: ${stderr}`);
    assert.match(stderr, reason);
  };

  it("a DATA_DIR that cannot be created (a file is in the way)", async () => {
    writeFileSync(join(root, "file"), "not a folder");
    await refusesToStart(join(root, "file", "data"), /DATA_DIR .* cannot be used: ENOTDIR/);
  });

  it(
    "a DATA_DIR that cannot be written (a read-only file system)",
    { skip: process.getuid?.() !== 0 && "needs root to mount a read-only tmpfs" },
    async () => {
      const mount = join(root, "ro");
      execFileSync("mkdir", [mount]);
      execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount]);
      try {
        await refusesToStart(mount, /DATA_DIR .* cannot be used: EROFS/);
      } finally {
        execFileSync("umount", ["-l", mount]);
      }
    },
  );

  it("a convoy.db that is not a SQLite file, or another application's SQLite file", async () => {
    writeFileSync(join(root, "convoy.db"), "riders' notes, not a database\n".repeat(200));
    await refusesToStart(root, /not a Convoy database/);
    rmSync(join(root, "convoy.db"));
    const other = new Database(join(root, "convoy.db"));
    other.exec("CREATE TABLE notes (text TEXT)");
    other.close();
    await refusesToStart(root, /not a Convoy database/);
  });

  it("a database written by a newer Convoy", async () => {
    copyFileSync(fixtureV1, join(root, "convoy.db"));
    const db = new Database(join(root, "convoy.db"));
    db.pragma("user_version = 99");
    db.close();
    await refusesToStart(root, /written by a newer Convoy \(schema version 99; this one knows up to \d+\)/);
  });

  it("a DATA_DIR that another Convoy is serving from", async () => {
    const first = await startNodeProcess({ DATA_DIR: root });
    try {
      await refusesToStart(root, /in use by another process/);
      assert.equal((await fetch(`${first.url}/readyz`)).status, 200, "the first one carries on");
    } finally {
      await first.stop();
    }
  });
});

describe("[5 durability] a full disk at run time", () => {
  it(
    "sends answer INTERNAL and store nothing, the process stays up, /readyz says 503 until writes work again",
    { skip: process.getuid?.() !== 0 && "needs root to mount a small tmpfs" },
    async () => {
      const mount = mkdtempSync(join(tmpdir(), "convoy-full-"));
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mount]);
      const node = await startNodeProcess({ DATA_DIR: mount, PASSWORD_COST: "1024" });
      const filler = join(mount, "filler");
      try {
        const { group, logins } = await seedGroup(node.url, 2, "full");
        const [sender, reader] = await Promise.all(
          logins.map((login) => chatIn(node.url, login.token, group.id)),
        );
        // Heard before the disk fills: a late "before" must not count as a broadcast while full.
        const heardBefore = waitFor(reader!, "message:new");
        assert.ok((await send(sender!, group.id, "before", "full-1")).ok);
        await heardBefore;

        const fd = openSync(filler, "w");
        try {
          const page = Buffer.alloc(4096, 1);
          for (let i = 0; i < 1024; i++) writeSync(fd, page);
          assert.fail("the tmpfs never filled up");
        } catch (err) {
          assert.equal((err as NodeJS.ErrnoException).code, "ENOSPC");
        } finally {
          closeSync(fd);
        }

        const quiet = expectSilence(reader!, "message:new", 300);
        const failed = await send(sender!, group.id, "while full", "full-2");
        assert.deepEqual(failed.ok ? failed : failed.error.code, "INTERNAL");
        await quiet;
        const register = await fetch(`${node.url}/api/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: `full_${process.pid}_x`, password }),
        });
        assert.equal(register.status, 500);
        assert.equal((await fetch(`${node.url}/healthz`)).status, 200, "the process is up");
        await readyzBecomes(node.url, 503);
        assert.deepEqual(
          (await history(node.url, group.id, logins[0]!.token)).map((m) => m.text),
          ["before"],
          "reads still work, and nothing partial was stored",
        );

        rmSync(filler);
        await readyzBecomes(node.url, 200);
        const heard = waitFor(reader!, "message:new");
        const retried = await send(sender!, group.id, "while full", "full-2");
        assert.ok(retried.ok);
        assert.deepEqual(await heard, retried.data.message, "the retry is a new message, stored once");
        assert.deepEqual(
          (await history(node.url, group.id, logins[0]!.token)).map((m) => m.text),
          ["before", "while full"],
        );
        sender!.close();
        reader!.close();
      } finally {
        await node.stop("SIGKILL");
        rmSync(filler, { force: true });
        execFileSync("umount", ["-l", mount]);
        rmSync(mount, { recursive: true, force: true });
      }
    },
  );
});
