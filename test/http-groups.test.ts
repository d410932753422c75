import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ChatMessage } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { ask, askRaw } from "./support/sockets.ts";

describe("[2 HTTP] groups", () => {
  let app: TestApp;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it("POST /api/groups answers 201 {group} and makes the caller a member", async () => {
    const owner = await app.member();
    const res = await app.http("POST", "/api/groups", { name: "  Alps tour " }, owner.token);
    assert.equal(res.status, 201);
    const { group } = res.body;
    assert.deepEqual(Object.keys(group).sort(), ["createdAt", "id", "inviteCode", "name", "ownerId"]);
    assert.equal(group.name, "Alps tour");
    assert.equal(group.ownerId, owner.user.id);
    // 96 bits of randomness, base64url: 16 characters.
    assert.match(group.inviteCode, /^[A-Za-z0-9_-]{16,}$/);
    const detail = await app.http("GET", `/api/groups/${group.id}`, undefined, owner.token);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body.members, [owner.user]);
  });

  it("invite codes differ between groups", async () => {
    const owner = await app.member();
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await app.http("POST", "/api/groups", { name: `g${i}` }, owner.token);
      codes.add(res.body.group.inviteCode);
    }
    assert.equal(codes.size, 20);
  });

  it("group names must be 1–64 characters of well-formed Unicode without control or bidi characters", async () => {
    const owner = await app.member();
    for (const name of ["", "   ", "x".repeat(65), 42, null, "ride\ud800", "two\nlines", "\u202Eedir"]) {
      // Some are not even strings: httpRaw.
      const res = await app.httpRaw("POST", "/api/groups", { name }, owner.token);
      assert.equal(res.status, 400, `name ${JSON.stringify(name)}`);
      assert.equal(res.error?.code, "VALIDATION_FAILED");
    }
  });

  it("join by invite code answers 200 {group}; an unknown code 404 NOT_FOUND", async () => {
    const { group } = await app.groupWith(1);
    const joiner = await app.member();
    const joined = await app.http("POST", "/api/groups/join", { inviteCode: group.inviteCode }, joiner.token);
    assert.equal(joined.status, 200);
    assert.equal(joined.body.group.id, group.id);
    // joining again is harmless
    const again = await app.http("POST", "/api/groups/join", { inviteCode: group.inviteCode }, joiner.token);
    assert.equal(again.status, 200);
    const detail = await app.http("GET", `/api/groups/${group.id}`, undefined, joiner.token);
    assert.equal(detail.body.members.length, 2);

    const missing = await app.http(
      "POST",
      "/api/groups/join",
      { inviteCode: "nope-nope-nope" },
      joiner.token,
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.error?.code, "NOT_FOUND");
  });

  it("GET /api/groups lists only the caller's groups", async () => {
    const a = await app.groupWith(1);
    const b = await app.groupWith(1);
    const mine = await app.http("GET", "/api/groups", undefined, a.members[0]!.token);
    assert.deepEqual(
      mine.body.groups.map((g) => g.id),
      [a.group.id],
    );
    assert.notEqual(a.group.id, b.group.id);
  });

  it("GET /api/groups/:id: 403 FORBIDDEN for a non-member, 404 NOT_FOUND for no such group", async () => {
    const { group } = await app.groupWith(1);
    const outsider = await app.member();
    const forbidden = await app.http("GET", `/api/groups/${group.id}`, undefined, outsider.token);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.error?.code, "FORBIDDEN");
    const missing = await app.http("GET", "/api/groups/does-not-exist", undefined, outsider.token);
    assert.equal(missing.status, 404);
    assert.equal(missing.error?.code, "NOT_FOUND");
  });

  it("authenticated routes answer 401 UNAUTHORIZED without a valid bearer token", async () => {
    for (const [method, path] of [
      ["GET", "/api/groups"],
      ["POST", "/api/groups"],
      ["POST", "/api/groups/join"],
      ["GET", "/api/groups/x"],
      ["GET", "/api/groups/x/messages"],
    ] as const) {
      for (const token of [undefined, "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.xxxx"]) {
        const res = await app.http(method, path, method === "POST" ? { name: "x" } : undefined, token);
        assert.equal(res.status, 401, `${method} ${path} with ${token}`);
        assert.equal(res.error?.code, "UNAUTHORIZED");
      }
    }
  });

  it("history pages: newest page first, oldest-first inside, before= and limit=", async () => {
    const { group, members } = await app.groupWith(1);
    const owner = members[0]!;
    const chat = await app.connect("/chat", owner.token);
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 7; i++) {
      const res = await ask(chat, "message:send", { groupId: group.id, text: `m${i}`, clientMsgId: `c${i}` });
      assert.ok(res.ok);
      sent.push(res.data.message);
    }
    const path = `/api/groups/${group.id}/messages` as const;
    const first = await app.http("GET", `${path}?limit=3`, undefined, owner.token);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.messages.map((m) => m.text),
      ["m5", "m6", "m7"],
    );
    assert.equal(first.body.hasMore, true);
    const second = await app.http(
      "GET",
      `${path}?limit=3&before=${first.body.messages[0]!.id}`,
      undefined,
      owner.token,
    );
    assert.deepEqual(
      second.body.messages.map((m) => m.text),
      ["m2", "m3", "m4"],
    );
    assert.equal(second.body.hasMore, true);
    const last = await app.http(
      "GET",
      `${path}?limit=3&before=${second.body.messages[0]!.id}`,
      undefined,
      owner.token,
    );
    assert.deepEqual(
      last.body.messages.map((m) => m.text),
      ["m1"],
    );
    assert.equal(last.body.hasMore, false);
    const all = await app.http("GET", path, undefined, owner.token);
    assert.deepEqual(all.body.messages, sent);

    for (const query of ["limit=0", "limit=101", "limit=abc", "limit=1&limit=2"]) {
      const bad = await app.http("GET", `${path}?${query}`, undefined, owner.token);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.error?.code, "VALIDATION_FAILED");
    }
    const outsider = await app.member();
    assert.equal((await app.http("GET", path, undefined, outsider.token)).status, 403);
    assert.equal((await app.http("GET", "/api/groups/nope/messages", undefined, outsider.token)).status, 404);
  });

  it("a malformed URL answers 400 and an over-long group id 400, before any store call", async () => {
    const { members } = await app.groupWith(1);
    const res = await app.http("GET", "/api/groups/%E0%A4%A", undefined, members[0]!.token);
    assert.equal(res.status, 400);
    assert.equal(res.error?.code, "VALIDATION_FAILED");
    for (const path of [`/api/groups/${"g".repeat(65)}`, `/api/groups/${"g".repeat(65)}/messages`]) {
      const res = await app.http("GET", path, undefined, members[0]!.token);
      assert.equal(res.status, 400, path);
    }
  });

  it("unknown API routes answer 404 NOT_FOUND in the error shape", async () => {
    const res = await app.http("GET", "/api/nothing-here");
    assert.equal(res.status, 404);
    assert.equal(res.error?.code, "NOT_FOUND");
  });

  // Found by the fuzz suite: outside /api, Express answered these with an HTML page.
  it("unknown routes and methods outside /api answer 404 NOT_FOUND in the error shape too", async () => {
    for (const [method, path] of [
      ["POST", "/healthz"],
      ["DELETE", "/metrics"],
      ["GET", "/nothing-here"],
      ["PUT", "/"],
    ] as const) {
      const res = await app.http(method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.error?.code, "NOT_FOUND", `${method} ${path}`);
    }
  });
});

describe("[2 HTTP] health, readiness and metrics", () => {
  let app: TestApp;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it("/healthz and /readyz answer 200", async () => {
    assert.equal((await app.http("GET", "/healthz")).status, 200);
    assert.equal((await app.http("GET", "/readyz")).status, 200);
  });

  it("/metrics is Prometheus text with sockets, events, latency and rejections", async () => {
    const { group, members } = await app.groupWith(1);
    const chat = await app.connect("/chat", members[0]!.token);
    await ask(chat, "room:join", { groupId: group.id });
    // Invalid on purpose (text a number), to be counted as a rejection: askRaw.
    await askRaw(chat, "message:send", [{ groupId: group.id, text: 1, clientMsgId: "x" }]);
    const res = await app.http("GET", "/metrics");
    assert.equal(res.status, 200);
    const text = res.body;
    assert.match(text, /convoy_connected_sockets\{namespace="\/chat"\} 1/);
    assert.match(text, /convoy_events_received_total\{namespace="\/chat",event="room:join"\} 1/);
    assert.match(text, /convoy_handler_duration_seconds_count\{namespace="\/chat",event="room:join"\} 1/);
    assert.match(
      text,
      /convoy_rejections_total\{namespace="\/chat",event="message:send",code="VALIDATION_FAILED"\} 1/,
    );
    assert.match(text, /process_cpu_user_seconds_total/);
  });

  it("/metrics counts add up across scrapes; an event sent without an ack is counted, not timed", async () => {
    const { group, members } = await app.groupWith(1);
    const chat = await app.connect("/chat", members[0]!.token);
    await ask(chat, "room:join", { groupId: group.id });
    const scrape = async () => (await app.http("GET", "/metrics")).body;
    const figure = (text: string, name: string, event: string) =>
      Number(new RegExp(`${name}\\{namespace="/chat",event="${event}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

    const before = figure(await scrape(), "convoy_events_sent_total", "message:new");
    await ask(chat, "message:send", { groupId: group.id, text: "one", clientMsgId: "m1" });
    assert.equal(figure(await scrape(), "convoy_events_sent_total", "message:new"), before + 1);
    await ask(chat, "message:send", { groupId: group.id, text: "two", clientMsgId: "m2" });
    assert.equal(figure(await scrape(), "convoy_events_sent_total", "message:new"), before + 2);

    chat.emit("typing", { groupId: group.id, typing: true });
    // Events of one socket are handled in order: once this ack is back, "typing" was received.
    await ask(chat, "room:join", { groupId: group.id });
    const text = await scrape();
    assert.equal(figure(text, "convoy_events_received_total", "typing"), 1);
    assert.equal(figure(text, "convoy_handler_duration_seconds_count", "typing"), 0);
    assert.ok(figure(text, "convoy_handler_duration_seconds_count", "room:join") >= 2);
  });
});

describe("[2 HTTP] GET / serves the browser app", () => {
  it("serves index.html at / and for the app's own routes, but not for unknown API routes or malformed URLs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convoy-client-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Convoy test page</title>");
    const app = await startApp({ config: { clientDir: dir } });
    try {
      for (const path of ["/", "/groups/abc"]) {
        const res = await fetch(app.url + path);
        assert.equal(res.status, 200, path);
        assert.match(await res.text(), /Convoy test page/);
      }
      assert.equal((await app.http("GET", "/api/unknown")).status, 404);
      // A broken %-escape is the client's mistake: 400, not a 500 with a stack in the log.
      for (const path of ["/%E0%A4%A", "/assets/%E0%A4%A.js"]) {
        const res = await app.http("GET", path);
        assert.equal(res.status, 400, path);
        assert.equal(res.error?.code, "VALIDATION_FAILED", path);
      }
    } finally {
      await app.close();
    }
  });
});
