import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { createWriteWindow } from "./write-window.ts";

describe("createWriteWindow", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  /** Lets promise reactions run, without moving the mocked clock. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("everyone who waits within one window resumes together, when it ends", async () => {
    const wait = createWriteWindow(4);
    const resumed: string[] = [];
    const first = wait().then(() => resumed.push("first"));
    mock.timers.tick(3);
    const second = wait().then(() => resumed.push("second"));
    await settle();
    assert.deepEqual(resumed, [], "nobody resumes before the window ends");
    mock.timers.tick(1);
    await Promise.all([first, second]);
    assert.deepEqual(resumed, ["first", "second"]);
  });

  it("a wait after a window ended opens the next one", async () => {
    const wait = createWriteWindow(4);
    const first = wait();
    mock.timers.tick(4);
    await first;
    let resumed = false;
    const next = wait().then(() => (resumed = true));
    assert.notEqual(next, first);
    await settle();
    assert.equal(resumed, false, "the next window is a new one, not the ended one");
    mock.timers.tick(4);
    await next;
    assert.equal(resumed, true);
  });

  it("0 ms: no window, each caller goes on at once", async () => {
    const wait = createWriteWindow(0);
    let resumed = false;
    const done = wait().then(() => (resumed = true));
    await settle();
    assert.equal(resumed, true);
    await done;
  });
});
