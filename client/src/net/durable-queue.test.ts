import assert from "node:assert/strict";
import { describe, it } from "node:test";
// idb checks what it wraps against the global IndexedDB classes: fake-indexeddb's here.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { memoryStorage } from "../testing/memory-storage.ts";
import { createStorageQueueStore, withLegacyList, type QueueStore } from "./durable-queue.ts";
import { createIdbQueueStore } from "./idb-queue-store.ts";
import type { JsonStorage } from "./storage.ts";

interface Entry {
  id: string;
  text: string;
}

/** A backend: `open()` is one page load; every call shares what the device keeps. */
type Backend = () => { open(): QueueStore };

const backends: Record<string, Backend> = {
  IndexedDB: () => {
    const indexedDB = new IDBFactory();
    return {
      open: () => createIdbQueueStore({ indexedDB, fallback: createStorageQueueStore(memoryStorage()) }),
    };
  },
  localStorage: () => {
    const storage = memoryStorage();
    return { open: () => createStorageQueueStore(storage) };
  },
};

const texts = async (store: QueueStore, owner = "me", kind = "chat") =>
  (await store.queue<Entry>(owner, kind).load()).map((e) => e.text);

for (const [name, backend] of Object.entries(backends)) {
  describe(`durable queue (${name})`, () => {
    it("keeps entries in the order first put; a put of a kept id replaces it in place", async () => {
      const queue = backend().open().queue<Entry>("me", "chat");
      for (const text of ["one", "two", "three"]) await queue.put(text, { id: text, text });
      await queue.put("two", { id: "two", text: "two (failed)" });
      await queue.remove("one");
      await queue.put("four", { id: "four", text: "four" });
      assert.deepEqual(
        (await queue.load()).map((e) => e.text),
        ["two (failed)", "three", "four"],
      );
    });

    it("writes made without waiting land in the order made", async () => {
      const queue = backend().open().queue<Entry>("me", "chat");
      const writes = [
        queue.put("a", { id: "a", text: "a" }),
        queue.put("b", { id: "b", text: "b" }),
        queue.remove("a"),
        queue.put("c", { id: "c", text: "c" }),
      ];
      await Promise.all(writes);
      assert.deepEqual(
        (await queue.load()).map((e) => e.text),
        ["b", "c"],
      );
    });

    it("survives a reload: a new store on the same device reads what the last one kept", async () => {
      const device = backend();
      const before = device.open().queue<Entry>("me", "chat");
      await before.put("m1", { id: "m1", text: "typed in a tunnel" });
      await before.put("m2", { id: "m2", text: "and another" });
      assert.deepEqual(await texts(device.open()), ["typed in a tunnel", "and another"]);
    });

    it("two users in one browser, and two kinds, never see each other's entries", async () => {
      const store = backend().open();
      await store.queue<Entry>("alice", "chat").put("x", { id: "x", text: "alice's" });
      await store.queue<Entry>("bob", "chat").put("x", { id: "x", text: "bob's" });
      await store.queue<Entry>("alice", "sos").put("y", { id: "y", text: "alice's sos" });
      await store.queue<Entry>("bob", "chat").remove("x");
      assert.deepEqual(await texts(store, "alice"), ["alice's"]);
      assert.deepEqual(await texts(store, "bob"), []);
      assert.deepEqual(await texts(store, "alice", "sos"), ["alice's sos"]);
    });

    it("an older version's list in localStorage is moved in once, ahead of what is new, and its key removed", async () => {
      const storage: JsonStorage = memoryStorage();
      const legacy = [
        { id: "old1", text: "from the old app" },
        { id: "old2", text: "and its second" },
      ];
      storage.saveJson("convoy.me.outbox", legacy);
      const device = backend();
      const opened = () =>
        withLegacyList(device.open().queue<Entry>("me", "chat"), storage, "convoy.me.outbox", (e) => e.id);
      const first = opened();
      await first.put("new", { id: "new", text: "typed now" });
      assert.deepEqual(
        (await first.load()).map((e) => e.text),
        ["from the old app", "and its second", "typed now"],
      );
      assert.equal(storage.loadJson("convoy.me.outbox", null), null, "the old key is gone");
      // The next load does not bring them twice, even if an old tab wrote the key again.
      storage.saveJson("convoy.me.outbox", legacy);
      assert.deepEqual(
        (await opened().load()).map((e) => e.text),
        ["from the old app", "and its second", "typed now"],
      );
    });
  });
}

describe("durable queue without IndexedDB", () => {
  /** A factory whose open fails, as in some private modes. */
  const refusing = () =>
    ({
      open() {
        throw new DOMException(
          "A mutation operation was attempted on a database that did not allow mutations.",
          "InvalidStateError",
        );
      },
    }) as unknown as IDBFactory;

  it("falls back to the other store and never rejects", async () => {
    const storage = memoryStorage();
    const store = createIdbQueueStore({ indexedDB: refusing(), fallback: createStorageQueueStore(storage) });
    const queue = store.queue<Entry>("me", "chat");
    await queue.put("m1", { id: "m1", text: "kept anyway" });
    assert.deepEqual(await texts(store), ["kept anyway"]);
    // The fallback is localStorage: still there after a reload.
    const reloaded = createIdbQueueStore({
      indexedDB: refusing(),
      fallback: createStorageQueueStore(storage),
    });
    assert.deepEqual(await texts(reloaded), ["kept anyway"]);
  });

  it("an entry the database did not take is read back from the fallback with the rest, and removed from both", async () => {
    const indexedDB = new IDBFactory();
    const storage = memoryStorage();
    const page = (factory: IDBFactory) =>
      createIdbQueueStore({ indexedDB: factory, fallback: createStorageQueueStore(storage) });
    await page(indexedDB).queue<Entry>("me", "chat").put("a", { id: "a", text: "in the database" });
    // The database fails for a moment (a dropped connection, a full disk): this one goes to the fallback.
    await page(refusing()).queue<Entry>("me", "chat").put("b", { id: "b", text: "in the fallback" });

    const next = page(indexedDB);
    assert.deepEqual(await texts(next), ["in the database", "in the fallback"]);
    await next.queue<Entry>("me", "chat").remove("b");
    await next.queue<Entry>("me", "chat").remove("a");
    assert.deepEqual(await texts(page(indexedDB)), [], "sent ones are gone from both: never sent twice");
  });

  it("with localStorage disabled too, entries live for the page and nothing throws", async () => {
    const broken: JsonStorage = {
      loadJson: <T>(_key: string, fallback: T) => fallback,
      saveJson: () => undefined,
      remove: () => undefined,
    };
    const queue = createIdbQueueStore({
      indexedDB: refusing(),
      fallback: createStorageQueueStore(broken),
    }).queue<Entry>("me", "chat");
    await queue.put("m1", { id: "m1", text: "gone on reload" });
    await queue.remove("m1");
    assert.deepEqual(await queue.load(), []);
  });
});
