import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHashingGate } from "./hashing-gate.ts";

/** Work that finishes when the test says so. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

describe("createHashingGate", () => {
  it("runs up to `running` at once, queues up to `waiting`, and refuses the rest at once", async () => {
    const gate = createHashingGate(2, 1);
    const started: number[] = [];
    const jobs = [held(), held(), held()];
    const runs = jobs.map((job, i) =>
      gate.run(async () => {
        started.push(i);
        await job.work();
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1], "the third waits");
    await assert.rejects(
      gate.run(async () => 99),
      (err: unknown) => {
        const { code, retryAfterMs } = err as { code: string; retryAfterMs?: number };
        return code === "RATE_LIMITED" && typeof retryAfterMs === "number";
      },
    );
    jobs[0]!.finish();
    assert.equal(await runs[0], 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1, 2], "a freed slot goes to the waiting one");
    jobs[1]!.finish();
    jobs[2]!.finish();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
    assert.equal(await gate.run(async () => "free again"), "free again");
  });

  it("a failing job frees its slot", async () => {
    const gate = createHashingGate(1, 0);
    await assert.rejects(
      gate.run(() => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await gate.run(async () => 1), 1);
  });
});
