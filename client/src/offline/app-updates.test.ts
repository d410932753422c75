import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../testing/fake-clock.ts";
import { settle } from "../testing/settle.ts";
import { createAppUpdates, UPDATE_CHECK_MS, type ServiceWorkerPort } from "./app-updates.ts";

type Listener = (event: { isUpdate?: boolean }) => void;

/** workbox-window's Workbox as the app uses it: counts calls, fires events as it does. */
class FakeWorker implements ServiceWorkerPort {
  private readonly listeners = new Map<string, Set<Listener>>();
  registered = 0;
  updates = 0;
  skipWaiting = 0;
  failRegister = false;
  addEventListener(type: string, listener: Listener) {
    this.listeners.set(type, (this.listeners.get(type) ?? new Set()).add(listener));
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
  get listenerCount() {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
  /** Fires `type`, saying whether a worker controlled the page before. */
  fire(type: "waiting" | "controlling", isUpdate = true) {
    for (const listener of this.listeners.get(type) ?? []) listener({ isUpdate });
  }
  register() {
    this.registered++;
    return this.failRegister ? Promise.reject(new Error("SecurityError")) : Promise.resolve();
  }
  update() {
    this.updates++;
    return Promise.resolve();
  }
  messageSkipWaiting() {
    this.skipWaiting++;
  }
}

function setup() {
  const clock = new FakeClock();
  const worker = new FakeWorker();
  let reloads = 0;
  const updates = createAppUpdates({ worker, clock, reload: () => reloads++ });
  updates.start();
  return { clock, worker, updates, reloads: () => reloads };
}

describe("app updates", () => {
  it("registers the worker, and asks for a new build every hour", async () => {
    const { clock, worker } = setup();
    assert.equal(worker.registered, 1);
    await clock.advance(UPDATE_CHECK_MS * 2);
    assert.equal(worker.updates, 2);
  });

  it("a waiting build is offered; the user's choice switches to it and reloads once it has taken over", () => {
    const { worker, updates, reloads } = setup();
    updates.applyUpdate();
    assert.equal(worker.skipWaiting, 0, "nothing waits yet");
    worker.fire("waiting");
    assert.equal(updates.updateReady.value, true);
    assert.equal(reloads(), 0, "never without the user");
    updates.applyUpdate();
    assert.equal(worker.skipWaiting, 1);
    worker.fire("controlling");
    assert.equal(reloads(), 1);
  });

  it("another tab's switch does not reload this one, which offers the reload and does only that", () => {
    const { worker, updates, reloads } = setup();
    worker.fire("waiting");
    worker.fire("controlling");
    assert.equal(reloads(), 0);
    assert.equal(updates.updateReady.value, true);
    updates.applyUpdate();
    assert.equal(worker.skipWaiting, 0, "nothing waits any more");
    assert.equal(reloads(), 1);
  });

  it("a refused registration leaves the app working; stop() leaves no listener and no timer", async () => {
    const clock = new FakeClock();
    const worker = new FakeWorker();
    worker.failRegister = true;
    const updates = createAppUpdates({ worker, clock, reload: () => {} });
    updates.start();
    await settle();
    updates.stop();
    assert.equal(worker.listenerCount, 0);
    assert.equal(clock.pending, 0);
  });

  it("the first worker taking the page is no new version", () => {
    const { worker, updates, reloads } = setup();
    worker.fire("controlling", false);
    assert.equal(updates.updateReady.value, false);
    assert.equal(reloads(), 0);
  });

  it("without service workers it offers nothing", () => {
    const clock = new FakeClock();
    const updates = createAppUpdates({ worker: undefined, clock, reload: () => {} });
    updates.start();
    updates.applyUpdate();
    assert.equal(updates.updateReady.value, false);
    assert.equal(clock.pending, 0);
  });
});
