import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chatInputs,
  ErrorCode,
  locationInputs,
  parseInput,
  presenceInputs,
  riderKey,
  DELIVERY,
  SendMessage,
  LocationUpdate,
  CreateGroup,
  Credentials,
} from "./index.ts";

describe("contract schemas", () => {
  it("message text is trimmed, then 1–2000 characters", () => {
    assert.deepEqual(parseInput(SendMessage, { groupId: "g", text: "  hi  ", clientMsgId: "c" }), {
      ok: true,
      data: { groupId: "g", text: "hi", clientMsgId: "c" },
    });
    assert.equal(parseInput(SendMessage, { groupId: "g", text: "    ", clientMsgId: "c" }).ok, false);
    assert.equal(
      parseInput(SendMessage, { groupId: "g", text: "x".repeat(2000), clientMsgId: "c" }).ok,
      true,
    );
    assert.equal(
      parseInput(SendMessage, { groupId: "g", text: "x".repeat(2001), clientMsgId: "c" }).ok,
      false,
    );
    assert.equal(parseInput(SendMessage, { groupId: "g", text: "x", clientMsgId: "c".repeat(65) }).ok, false);
  });

  it("[6] text, clientMsgId, group names and ids must be well-formed Unicode; group names refuse control and bidi characters", () => {
    const send = (text: string, clientMsgId = "c") =>
      parseInput(SendMessage, { groupId: "g", text, clientMsgId }).ok;
    assert.equal(send("x\ud800"), false, "a lone high surrogate");
    assert.equal(send("\udc00x"), false, "a lone low surrogate");
    assert.equal(send("ok", "c\ud800"), false);
    assert.equal(
      send("riding 🏍️ in the rain\nsecond line"),
      true,
      "pairs (emoji) and newlines are fine in text",
    );
    assert.equal(parseInput(SendMessage, { groupId: "g\udfff", text: "x", clientMsgId: "c" }).ok, false);
    const name = (text: string) => parseInput(CreateGroup, { name: text }).ok;
    assert.equal(name("Sunday ride 🏍️ Zürich"), true);
    for (const bad of [
      "a\ud800",
      "line\nbreak",
      "tab\there",
      "bell\u0007",
      "evil\u202Egnp.exe",
      "iso\u2066late",
    ])
      assert.equal(name(bad), false, JSON.stringify(bad));
    const login = (password: string) => parseInput(Credentials, { username: "ana", password }).ok;
    assert.equal(login("pässwörd 🔑 long"), true);
    assert.equal(login("secret12\0"), false, "a trailing NUL would hash as no NUL");
    assert.equal(login("secret12\ud800"), false, "a lone surrogate would hash as U+FFFD");
  });

  it("positions reject non-finite numbers (which only non-JSON parsers could carry)", () => {
    const valid = { groupId: "g", lat: 1, lng: 2, ts: 3 };
    assert.equal(parseInput(LocationUpdate, valid).ok, true);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const field of ["lat", "lng", "accuracy", "heading", "speed", "ts"]) {
        assert.equal(parseInput(LocationUpdate, { ...valid, [field]: bad }).ok, false, `${field} ${bad}`);
      }
    }
  });

  it("a failure names the offending field", () => {
    const res = parseInput(SendMessage, { groupId: "g", text: 5, clientMsgId: "c" });
    assert.equal(res.ok, false);
    assert.match(!res.ok ? res.message : "", /^text: /);
  });

  it("every client event has a schema, and every server event a delivery class", () => {
    // Every namespace also carries the session's renewal.
    assert.deepEqual(Object.keys(chatInputs).sort(), [
      "message:send",
      "messages:since",
      "room:join",
      "room:leave",
      "session:renew",
      "typing",
    ]);
    assert.deepEqual(Object.keys(presenceInputs).sort(), [
      "presence:set",
      "presence:subscribe",
      "presence:unsubscribe",
      "session:renew",
    ]);
    assert.deepEqual(Object.keys(locationInputs).sort(), [
      "location:share",
      "location:subscribe",
      "location:unsubscribe",
      "location:update",
      "session:renew",
    ]);
    for (const table of Object.values(DELIVERY)) assert.equal(table["session:expiring"], "reliable");
    assert.equal(DELIVERY["/location"]["location:update"], "latest-per-key");
    assert.equal(DELIVERY["/chat"].typing, "ephemeral");
  });

  it("rider keys separate riders and groups", () => {
    assert.notEqual(riderKey({ groupId: "a", userId: "bc" }), riderKey({ groupId: "ab", userId: "c" }));
  });

  it("error codes are their own names", () => {
    for (const [key, value] of Object.entries(ErrorCode)) assert.equal(key, value);
  });
});
