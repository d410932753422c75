// Every client event against a table of malformed payloads: each gets
// VALIDATION_FAILED in its ack (or, without an ack, silence), nothing is
// broadcast, nothing is stored, and the connection stays up.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startApp, type TestApp } from "./support/app.ts";
import { ask, askRaw, emitRaw, type AskedName, type Nsp, type NspSocket } from "./support/sockets.ts";
import { collect, expectSilence } from "./support/wait.ts";

const huge = "h".repeat(10_000);
const protoKey = (fields: object) =>
  JSON.parse(JSON.stringify(fields).replace(/^\{/, '{"__proto__":{"polluted":true},')) as object;

/** Bad variants of a valid payload: wrong types, missing fields, huge strings, arrays, null, __proto__. */
function badVariants(valid: Record<string, unknown>): Array<[string, unknown]> {
  const variants: Array<[string, unknown]> = [
    ["null", null],
    ["a string", "hello"],
    ["a number", 42],
    ["an array", [valid]],
    ["an empty object", {}],
    ["an extra field", { ...valid, extra: 1 }],
    ["a __proto__ key", protoKey(valid)],
  ];
  for (const key of Object.keys(valid)) {
    const { [key]: _omitted, ...rest } = valid;
    variants.push([`no ${key}`, rest]);
    variants.push([`${key} null`, { ...valid, [key]: null }]);
    variants.push([`${key} an array`, { ...valid, [key]: [valid[key]] }]);
    variants.push([`${key} an object`, { ...valid, [key]: { value: valid[key] } }]);
    variants.push([`${key} huge`, { ...valid, [key]: huge }]);
    // SPEC §6: a lone surrogate is not well-formed Unicode, whatever the field.
    if (typeof valid[key] === "string")
      variants.push([`${key} with a lone surrogate`, { ...valid, [key]: `${valid[key]}\ud800` }]);
    variants.push([
      `${key} of the wrong type`,
      { ...valid, [key]: typeof valid[key] === "string" ? 1 : "1" },
    ]);
  }
  return variants;
}

type Sockets = { [N in Exclude<Nsp, "/">]: NspSocket<N> };
/** A namespace, one of its events (so a renamed event fails to compile here), and a valid payload to spoil. */
type Target = {
  [N in keyof Sockets]: [N, AskedName<NspSocket<N>>, () => Record<string, unknown>];
}[keyof Sockets];

// Every payload here is malformed on purpose: sent with askRaw and emitRaw, which check nothing.
describe("[3 acks] malformed payloads get VALIDATION_FAILED and change nothing", () => {
  let app: TestApp;
  let groupId: string;
  let sockets: Sockets;
  let watchers: Sockets;

  before(async () => {
    app = await startApp();
    const { group, members } = await app.groupWith(2);
    groupId = group.id;
    const [actor, watcher] = members as [(typeof members)[0], (typeof members)[0]];
    sockets = {
      "/chat": await app.connect("/chat", actor.token),
      "/presence": await app.connect("/presence", actor.token),
      "/location": await app.connect("/location", actor.token),
    };
    watchers = {
      "/chat": await app.connect("/chat", watcher.token),
      "/presence": await app.connect("/presence", watcher.token),
      "/location": await app.connect("/location", watcher.token),
    };
    await ask(sockets["/chat"], "room:join", { groupId });
    await ask(watchers["/chat"], "room:join", { groupId });
    await ask(watchers["/presence"], "presence:subscribe", { groupId });
    await ask(watchers["/location"], "location:subscribe", { groupId });
    await ask(sockets["/location"], "location:share", { groupId, sharing: true });
  });
  after(() => app.close());

  const events: Target[] = [
    ["/chat", "room:join", () => ({ groupId })],
    ["/chat", "room:leave", () => ({ groupId })],
    ["/chat", "message:send", () => ({ groupId, text: "hi", clientMsgId: "c1" })],
    ["/chat", "messages:since", () => ({ groupId, afterId: "0", limit: 10 })],
    ["/presence", "presence:subscribe", () => ({ groupId })],
    ["/presence", "presence:unsubscribe", () => ({ groupId })],
    ["/presence", "presence:set", () => ({ status: "away" })],
    ["/location", "location:subscribe", () => ({ groupId })],
    ["/location", "location:unsubscribe", () => ({ groupId })],
    ["/location", "location:share", () => ({ groupId, sharing: false })],
    [
      "/location",
      "location:update",
      () => ({ groupId, lat: 1, lng: 2, accuracy: 3, heading: 4, speed: 5, ts: 6 }),
    ],
  ];

  for (const [nsp, event, makeValid] of events) {
    it(`${nsp} ${event}`, async () => {
      const socket = sockets[nsp];
      const heard = {
        chat: collect(watchers["/chat"], "message:new"),
        presence: collect(watchers["/presence"], "presence:update"),
        location: collect(watchers["/location"], "location:update"),
        stopped: collect(watchers["/location"], "location:stopped"),
      };
      for (const [label, payload] of badVariants(makeValid())) {
        // Some variants stay valid: an optional field left out, or the huge string of an id check.
        if (label === "no limit" || label === "no accuracy" || label === "no heading" || label === "no speed")
          continue;
        if (label === "accuracy null" || label === "heading null" || label === "speed null") continue;
        const res = await askRaw(socket, event, [payload]);
        assert.equal(res.ok, false, `${label}: ${JSON.stringify(res)}`);
        if (!res.ok) assert.equal(res.error.code, "VALIDATION_FAILED", label);
      }
      // Extra arguments, no payload, and an ack alone are malformed too.
      const extra = await askRaw(socket, event, [makeValid(), "surplus"]);
      assert.equal(extra.ok, false);
      const none = await askRaw(socket, event, []);
      assert.equal(!none.ok && none.error.code, "VALIDATION_FAILED");

      for (const listener of Object.values(heard)) listener.stop();
      assert.equal(heard.chat.seen.length, 0, "no chat broadcast");
      assert.equal(heard.presence.seen.length, 0, "no presence broadcast");
      assert.equal(heard.location.seen.length + heard.stopped.seen.length, 0, "no location broadcast");
      assert.equal(socket.connected, true);
    });
  }

  it("/chat typing (no ack): malformed notices reach nobody", async () => {
    const heard = collect(watchers["/chat"], "typing");
    for (const [, payload] of badVariants({ groupId, typing: true }))
      emitRaw(sockets["/chat"], "typing", [payload]);
    await expectSilence(watchers["/chat"], "typing", 200);
    heard.stop();
    assert.equal(heard.seen.length, 0);
  });

  it("an unknown event with an ack is answered VALIDATION_FAILED", async () => {
    const res = await askRaw(sockets["/chat"], "chat:delete-everything", [{ groupId }]);
    assert.equal(!res.ok && res.error.code, "VALIDATION_FAILED");
  });

  // Found by the fuzz suite: a number is a valid Socket.IO event name, and the
  // unknown-event listener threw on it outside any try, which ended the process.
  it("an event named by a number is answered VALIDATION_FAILED, on every namespace", async () => {
    for (const socket of Object.values(sockets)) {
      const res = await askRaw(socket, 0, [{ groupId }]);
      assert.equal(!res.ok && res.error.code, "VALIDATION_FAILED");
      assert.equal(socket.connected, true);
    }
  });

  it("nothing was stored by any of it", async () => {
    const page = await ask(sockets["/chat"], "messages:since", {
      groupId,
      afterId: "0",
    });
    assert.deepEqual(page.ok && page.data.messages, []);
    const riders = await ask(watchers["/location"], "location:subscribe", { groupId });
    assert.deepEqual(riders.ok && riders.data.riders, []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
