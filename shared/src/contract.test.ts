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
  RaiseSos,
  SosReceiptInput,
  NoInput,
  LIMITS,
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

  it("SOS: the note is trimmed, at most 280 characters, one line; an empty note is none; the fix is optional", () => {
    const raise = (extra: Record<string, unknown>) =>
      parseInput(RaiseSos, { groupId: "g", clientSosId: "s1", ...extra });
    assert.deepEqual(raise({}), {
      ok: true,
      data: { groupId: "g", clientSosId: "s1", note: null, fix: null },
    });
    assert.deepEqual(raise({ note: "  fell at the hairpin  " }), {
      ok: true,
      data: { groupId: "g", clientSosId: "s1", note: "fell at the hairpin", fix: null },
    });
    assert.deepEqual(raise({ note: "   " }), raise({}));
    assert.equal(raise({ note: "x".repeat(LIMITS.sosNote) }).ok, true);
    assert.equal(raise({ note: ` ${"x".repeat(LIMITS.sosNote)} ` }).ok, true, "counted after trimming");
    assert.equal(raise({ note: "x".repeat(LIMITS.sosNote + 1) }).ok, false);
    for (const bad of ["a\ud800", "two\nlines", "bell\u0007", "evil\u202Etxt", 5])
      assert.equal(raise({ note: bad }).ok, false, JSON.stringify(bad));
    assert.deepEqual(raise({ fix: { lat: 46.5, lng: 7.9, ts: 1 } }), {
      ok: true,
      data: {
        groupId: "g",
        clientSosId: "s1",
        note: null,
        fix: { lat: 46.5, lng: 7.9, accuracy: null, ts: 1 },
      },
    });
    for (const fix of [
      { lat: 91, lng: 0, ts: 1 },
      { lat: 0, lng: -180.1, ts: 1 },
      { lat: 0, lng: 0 },
      { lat: 0, lng: 0, ts: 1, accuracy: -1 },
      { lat: Number.NaN, lng: 0, ts: 1 },
      { lat: 0, lng: 0, ts: 1, heading: 3 },
    ])
      assert.equal(raise({ fix }).ok, false, JSON.stringify(fix));
    assert.equal(raise({ clientSosId: "" }).ok, false);
    assert.equal(raise({ clientSosId: "c".repeat(65) }).ok, false);
    const receipt = (state: unknown) => parseInput(SosReceiptInput, { sosId: "s", state }).ok;
    assert.deepEqual(["delivered", "seen", "acknowledged", "read", 1].map(receipt), [
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("sos:active takes a plain empty object only: no array, Buffer or typed array", () => {
    assert.equal(parseInput(NoInput, {}).ok, true);
    assert.equal(parseInput(NoInput, Object.create(null)).ok, true);
    for (const bad of [[], new Uint8Array(0), new Float64Array(0), { extra: 1 }, null, "x", 0])
      assert.equal(parseInput(NoInput, bad).ok, false, Object.prototype.toString.call(bad));
  });

  it("a failure names the offending field", () => {
    const res = parseInput(SendMessage, { groupId: "g", text: 5, clientMsgId: "c" });
    assert.equal(res.ok, false);
    assert.match(!res.ok ? res.message : "", /^text: /);
  });

  it("every client event has a schema, and every server event a delivery class", () => {
    // Every namespace also carries the session's renewal.
    assert.deepEqual(Object.keys(chatInputs).sort(), [
      "dm:conversations",
      "dm:page",
      "dm:send",
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
      "ride:active",
      "ride:end",
      "ride:join",
      "ride:leave",
      "ride:start",
      "session:renew",
      "sos:active",
      "sos:raise",
      "sos:receipt",
      "sos:resolve",
    ]);
    for (const table of Object.values(DELIVERY)) assert.equal(table["session:expiring"], "reliable");
    assert.equal(DELIVERY["/location"]["location:update"], "latest-per-key");
    assert.equal(DELIVERY["/chat"].typing, "ephemeral");
    for (const event of [
      "sos:alert",
      "sos:update",
      "sos:resolved",
      "ride:update",
      "ride:ended",
      "ride:alert",
      "ride:alert-cleared",
    ] as const)
      assert.equal(DELIVERY["/location"][event], "reliable", event);
    assert.equal(DELIVERY["/chat"]["dm:new"], "reliable");
  });

  it("rider keys separate riders and groups", () => {
    assert.notEqual(riderKey({ groupId: "a", userId: "bc" }), riderKey({ groupId: "ab", userId: "c" }));
  });

  it("error codes are their own names", () => {
    for (const [key, value] of Object.entries(ErrorCode)) assert.equal(key, value);
  });
});
