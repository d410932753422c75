// npm run sqlite-commit -w bench: what storing one chat message costs in
// embedded mode, through the real message store on a file in this machine's
// temp folder: CPU (user + system) and wall time per append, with SQLite's
// synchronous=FULL (what Convoy runs) and NORMAL (for comparison).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedStores, openDatabase } from "@convoy/server/testing";

const APPENDS = 2000;

for (const sync of ["FULL", "NORMAL", "FULL", "NORMAL"]) {
  const dir = mkdtempSync(join(tmpdir(), "convoy-commit-"));
  const db = openDatabase(join(dir, "convoy.db"));
  db.sql.pragma(`synchronous = ${sync}`);
  const { messages } = createEmbeddedStores(db, { messagesPerGroup: 10_000 });
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < APPENDS; i++) {
    await messages.append({
      groupId: `g${i % 7}`,
      userId: "u",
      username: "rider",
      text: `message ${i} on the way to the pass`,
      clientMsgId: `c${i}`,
      ts: Date.now(),
    });
  }
  const wallUs = Number(process.hrtime.bigint() - started) / 1000 / APPENDS;
  const { user, system } = process.cpuUsage(cpu);
  console.log(
    `synchronous=${sync}: ${((user + system) / APPENDS).toFixed(0)} µs CPU (${(user / APPENDS).toFixed(0)} user, ${(system / APPENDS).toFixed(0)} system), ${wallUs.toFixed(0)} µs wall per message`,
  );
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
