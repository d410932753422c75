// The targets table's verdicts on the ride, from made-up turns results: the
// figures are the bench's own arithmetic, so they are checked without a run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunResult } from "../scenarios/run-context.ts";
import type { TargetKind } from "../targets/targets.ts";
import { targetChecks } from "./report.ts";

const turn = (target: TargetKind, cpuUs: number, p99Ms: number, deliveredShare = 1): RunResult => ({
  scenario: "ride-turns",
  size: 2000,
  target,
  metrics: {
    turns: 6,
    deliveredShare,
    serverCpuUsPerDeliveryMedianTurn: cpuUs,
    latencyP99MedianTurnMs: p99Ms,
  },
});
const check = (results: RunResult[], goal: RegExp) => {
  const found = targetChecks(results).find((c) => goal.test(c.goal));
  assert.ok(found, `a check for ${goal}`);
  return found;
};
const CPU = /CPU per delivered position/;
const P99 = /end-to-end p99/;

describe("the ride targets", () => {
  it("average each kind's two servers, and quote each alone and each twin against its first", () => {
    // Convoy alone is 1.3× bare alone; with the twins, 24 against 22 µs.
    const results = [
      turn("convoy", 26, 60),
      turn("convoy-twin", 22, 50),
      turn("bare", 20, 40),
      turn("bare-twin", 24, 60),
    ];
    const cpu = check(results, CPU);
    assert.equal(cpu.met, true);
    assert.match(cpu.figure, /^1\.09× .*Convoy alone against bare alone: 1\.30×/);
    assert.match(cpu.figure, /a second bare server against the first: 1\.20×/);
    assert.match(cpu.figure, /a second Convoy server against the first: 0\.85×/);
    const p99 = check(results, P99);
    assert.equal(p99.met, true);
    assert.match(p99.figure, /^1\.10×: 55\.0 ms against 50\.0 ms .*Convoy alone against bare alone: 1\.50×/);
  });

  it("judge Convoy alone against bare alone when no twins rode", () => {
    const results = [turn("convoy", 26, 60), turn("bare", 20, 40)];
    assert.equal(check(results, CPU).met, false);
    assert.match(check(results, CPU).figure, /^1\.30× \(medians of 6 turns, servers taking turns\)$/);
    assert.equal(check(results, P99).met, false);
  });

  it("fail the p99 target when either Convoy server lost a position", () => {
    const results = [
      turn("convoy", 20, 40),
      turn("convoy-twin", 20, 40, 0.999),
      turn("bare", 20, 40),
      turn("bare-twin", 20, 40),
    ];
    assert.equal(check(results, CPU).met, true);
    assert.equal(check(results, P99).met, false);
  });
});
