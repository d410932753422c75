import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signal } from "@preact/signals";
import { FakeEventTarget } from "../../testing/fake-event-target.ts";
import { FakeWakeLock } from "../../testing/fake-wake-lock.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { settle } from "../../testing/settle.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { createScreenWake, type ScreenWake } from "./screen-wake.ts";

/** Read through a call: assert.equal would narrow a property read in place for the rest of the test. */
const kindOf = (wake: ScreenWake) => wake.state.value.kind;

function setup({ wakeLock = new FakeWakeLock(), noApi = false, storage = memoryStorage() } = {}) {
  const page = Object.assign(new FakeEventTarget<"visibilitychange">(), { hidden: false });
  const sharing = signal<Record<string, string>>({});
  const make = (store: JsonStorage = storage) =>
    createScreenWake({ wakeLock: noApi ? undefined : wakeLock, page, sharing, storage: store, userId: "u1" });
  const wake = make();
  wake.start();
  const setHidden = (hidden: boolean) => {
    page.hidden = hidden;
    page.dispatch("visibilitychange");
  };
  return { wakeLock, page, sharing, storage, wake, make, setHidden };
}

describe("screen wake lock (#15 item 3)", () => {
  it("asks for a screen lock when sharing starts in any group, and releases it when the last one stops", async () => {
    const { wakeLock, sharing, wake } = setup();
    await settle();
    assert.equal(wakeLock.requests, 0, "nothing to keep on before sharing");
    assert.equal(kindOf(wake), "waiting");

    sharing.value = { g1: "gps" };
    assert.equal(kindOf(wake), "asking");
    await settle();
    assert.equal(wakeLock.held, 1);
    assert.equal(kindOf(wake), "held");

    sharing.value = { g1: "gps", g2: "simulated" };
    await settle();
    assert.equal(wakeLock.requests, 1, "one lock for every group");

    sharing.value = { g2: "simulated" };
    await settle();
    assert.equal(wakeLock.held, 1, "still sharing in g2");
    sharing.value = {};
    await settle();
    assert.equal(wakeLock.held, 0);
    assert.equal(kindOf(wake), "waiting");
  });

  it("asks again when the page is visible after the browser released the lock on hiding it", async () => {
    const { wakeLock, sharing, wake, setHidden } = setup();
    sharing.value = { g1: "gps" };
    await settle();
    // As browsers do: the page is hidden, then the sentinel's release fires.
    setHidden(true);
    wakeLock.granted[0]!.drop();
    await settle();
    assert.equal(wakeLock.requests, 1, "not asked while hidden");
    assert.equal(kindOf(wake), "waiting");

    setHidden(false);
    await settle();
    assert.equal(wakeLock.requests, 2);
    assert.equal(wakeLock.held, 1);
    assert.equal(kindOf(wake), "held");
  });

  it("asks again once when the browser drops the lock while the page stays visible, but not in a loop", async () => {
    const { wakeLock, sharing, wake, setHidden } = setup();
    sharing.value = { g1: "gps" };
    await settle();
    wakeLock.granted[0]!.drop();
    await settle();
    assert.equal(wakeLock.held, 1, "asked again");
    wakeLock.granted[1]!.drop();
    await settle();
    assert.equal(wakeLock.requests, 2);
    assert.deepEqual(wake.state.value, { kind: "refused", reason: "it let the screen turn off again." });

    setHidden(true);
    setHidden(false);
    await settle();
    assert.equal(wakeLock.held, 1, "shown again: asked again");
  });

  it("the switch off releases the lock and is remembered for this user; on again asks again", async () => {
    const { wakeLock, sharing, wake, storage, make } = setup();
    sharing.value = { g1: "gps" };
    await settle();
    wake.setEnabled(false);
    await settle();
    assert.equal(wakeLock.held, 0);
    assert.equal(kindOf(wake), "off");
    sharing.value = { g1: "gps", g2: "gps" };
    await settle();
    assert.equal(wakeLock.requests, 1, "off: never asked");

    wake.stop();
    const reloaded = make(storage);
    reloaded.start();
    await settle();
    assert.equal(reloaded.enabled.value, false, "remembered after a reload");
    assert.equal(wakeLock.requests, 1);
    reloaded.setEnabled(true);
    await settle();
    assert.equal(wakeLock.held, 1);
    assert.equal(kindOf(reloaded), "held");
    reloaded.stop();
    assert.equal(wakeLock.held, 0, "stopped: nothing is held");
  });

  it("is on by default, and a stopped feature neither listens nor asks", async () => {
    const { page, wake, sharing, wakeLock } = setup();
    assert.equal(wake.enabled.value, true);
    wake.stop();
    assert.equal(page.listenerCount, 0);
    sharing.value = { g1: "gps" };
    await settle();
    assert.equal(wakeLock.requests, 0);
  });

  it("says so where the browser has no Screen Wake Lock API, and the switch changes nothing else", async () => {
    const { wake, sharing, wakeLock } = setup({ noApi: true });
    sharing.value = { g1: "gps" };
    wake.setEnabled(false);
    wake.setEnabled(true);
    await settle();
    assert.equal(kindOf(wake), "unsupported");
    assert.equal(wakeLock.requests, 0);
  });

  it("a refused request says why, never throws, and is asked again when the page is shown again", async () => {
    const wakeLock = new FakeWakeLock();
    wakeLock.refuseWith = "Wake Lock permission request denied";
    const { wake, sharing, setHidden } = setup({ wakeLock });
    sharing.value = { g1: "gps" };
    await settle();
    assert.deepEqual(wake.state.value, {
      kind: "refused",
      reason: "Wake Lock permission request denied",
    });
    setHidden(true);
    await settle();
    assert.equal(kindOf(wake), "refused", "still said while hidden");

    wakeLock.refuseWith = null;
    setHidden(false);
    await settle();
    assert.equal(wakeLock.held, 1);
    assert.equal(kindOf(wake), "held");
  });

  it("a lock granted after sharing stopped is released at once", async () => {
    const { wakeLock, sharing } = setup();
    sharing.value = { g1: "gps" };
    sharing.value = {};
    await settle();
    assert.equal(wakeLock.requests, 1);
    assert.equal(wakeLock.held, 0);
  });
});
