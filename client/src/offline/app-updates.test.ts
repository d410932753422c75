import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../testing/fake-clock.ts";
import { FakeEventTarget } from "../testing/fake-event-target.ts";
import { settle } from "../testing/settle.ts";
import { createAppUpdates, UPDATE_CHECK_MS, type ServiceWorkerPort } from "./app-updates.ts";

class FakeWorker extends FakeEventTarget<"waiting" | "controlling"> implements ServiceWorkerPort {
  registered = 0;
  updates = 0;
  skipWaiting = 0;
  failRegister = false;
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
    worker.dispatch("waiting");
    assert.equal(updates.updateReady.value, true);
    assert.equal(reloads(), 0, "never without the user");
    updates.applyUpdate();
    assert.equal(worker.skipWaiting, 1);
    worker.dispatch("controlling");
    assert.equal(reloads(), 1);
  });

  it("another tab's switch does not reload this one", () => {
    const { worker, reloads } = setup();
    worker.dispatch("waiting");
    worker.dispatch("controlling");
    assert.equal(reloads(), 0);
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

  it("without service workers it offers nothing", () => {
    const clock = new FakeClock();
    const updates = createAppUpdates({ worker: undefined, clock, reload: () => {} });
    updates.start();
    updates.applyUpdate();
    assert.equal(updates.updateReady.value, false);
    assert.equal(clock.pending, 0);
  });
});
