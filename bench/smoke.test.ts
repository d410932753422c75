// The bench at toy sizes, end to end: every scenario and target runs, nothing
// is lost, and the report is written. It checks that `npm run bench` works,
// not how fast anything is (that is the bench's own job).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { RunRecord } from "./report/report.ts";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));

describe("npm run bench, at toy sizes", () => {
  it(
    "runs every scenario on every target, loses nothing, and writes the report",
    { timeout: 480_000 },
    async () => {
      const out = mkdtempSync(join(tmpdir(), "convoy-bench-"));
      // server/dist is built by `npm run check` before the tests (npm run bench builds it too).
      await run(
        process.execPath,
        [
          "--import",
          "tsx",
          "run.ts",
          ...["--connect", "30", "--chat", "20", "--ride", "20", "--hold", "30", "--hold-workers", "2"],
          ...["--flood", "20", "--flood-rate", "50", "--turns", "2", "--turns-riders", "20"],
          // Every scenario, renew too (not in the default run).
          ...["--only", "connect,chat,ride,cluster,turns,hold,flood,renew", "--renew", "20"],
          ...["--seconds", "2", "--stall-seconds", "2", "--hold-seconds", "1", "--out", out],
        ],
        { cwd: here, timeout: 460_000 },
      );
      const report = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as RunRecord;
      const ran = report.results.map((r) => `${r.scenario}/${r.target}`).sort();
      assert.deepEqual(ran, [
        "chat/bare",
        "chat/bare-cluster",
        "chat/convoy",
        "chat/convoy-cluster",
        "connect/bare",
        "connect/bare-1ns",
        "connect/convoy",
        "flood/convoy-flood",
        "hold/bare-hold",
        "hold/convoy-hold",
        "renew/convoy-cluster",
        "ride-turns/bare",
        "ride-turns/bare-cluster",
        "ride-turns/bare-twin",
        "ride-turns/convoy",
        "ride-turns/convoy-cluster",
        "ride-turns/convoy-twin",
        "ride/bare",
        "ride/convoy",
      ]);
      for (const { scenario, target, metrics } of report.results) {
        const where = `${scenario} on ${target}`;
        if (scenario === "connect" || scenario === "hold" || scenario === "flood") {
          assert.equal(metrics.failed, 0, where);
        }
        if (scenario === "hold") {
          assert.equal(metrics.droppedWhileHeld, 0, where);
          if (target === "convoy-hold") assert.equal(metrics.serverSockets, 3 * 30, where);
        }
        if (scenario === "chat") {
          assert.equal(metrics.lostDeliveries, 0, where);
          assert.equal(metrics.failedSends, 0, where);
        }
        if (scenario === "ride") {
          assert.equal(metrics.deliveredShare, 1, where);
          assert.equal(metrics.stalledSubscriberGroups, 2, where);
          assert.ok(metrics.stalledBacklogMb! > 0, `${where}: the stalled subscriber had a backlog`);
        }
        if (scenario === "renew") {
          for (const name of ["refreshesPerSecond", "renewalsOnePerSecond", "renewalsAllPerSecond"])
            assert.ok(metrics[name]! > 0, `${where}: ${name}`);
        }
        if (scenario === "ride-turns") {
          assert.equal(metrics.deliveredShare, 1, where);
          assert.equal(metrics.turns, 2, where);
          const steal = metrics.hostStealShareMedianTurn!;
          assert.ok(steal >= 0 && steal <= 1, `${where}: the host's steal is a share (${steal})`);
          const [p90, p99, p999] = [metrics.latencyP90Ms!, metrics.latencyP99Ms!, metrics.latencyP999Ms!];
          assert.ok(p90 > 0 && p90 <= p99 && p99 <= p999, `${where}: the tail's percentiles in order`);
        }
      }
      const markdown = readFileSync(join(out, "latest.md"), "utf8");
      assert.match(markdown, /## Targets/);
      assert.match(markdown, /## ride, 20 riders/);
      assert.match(markdown, /## ride-turns, 20 riders, every server up and riding in turns/);
      assert.match(markdown, /\| bare again ÷ bare \|/);
      assert.match(markdown, /\| Convoy again ÷ Convoy \|/);
      assert.match(readFileSync(join(out, "latest.svg"), "utf8"), /^<svg/);
    },
  );

  it(
    "--gc-log: both servers log their CPU, event-loop delay and GCs each second",
    { timeout: 120_000 },
    async () => {
      const out = mkdtempSync(join(tmpdir(), "convoy-bench-"));
      const flags = ["--only", "ride", "--ride", "20", "--seconds", "1", "--stall-seconds", "1", "--gc-log"];
      const { stderr } = await run(process.execPath, ["--import", "tsx", "run.ts", ...flags, "--out", out], {
        cwd: here,
        timeout: 100_000,
      });
      for (const target of ["convoy", "bare"]) {
        assert.match(stderr, new RegExp(`\\[${target} \\d+ \\d+s\\] cpu \\d+ ms · loop delay p99`), target);
      }
    },
  );
});
