// The protocol document stays in step with the contract (Fastify keeps its error list honest this way).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { chatInputs, DELIVERY, ErrorCode, locationInputs, presenceInputs } from "@convoy/shared";

const protocol = readFileSync(new URL("../docs/protocol.md", import.meta.url), "utf8");
const errorTable = protocol.slice(protocol.indexOf("## 3. Error codes"), protocol.indexOf("## 4. Acks"));

describe("docs/protocol.md", () => {
  it("lists every error code in its error table", () => {
    for (const code of Object.values(ErrorCode)) {
      assert.match(errorTable, new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`, "m"), code);
    }
  });

  it("names every client and server event", () => {
    const events = [
      ...Object.keys(chatInputs),
      ...Object.keys(presenceInputs),
      ...Object.keys(locationInputs),
      ...Object.values(DELIVERY).flatMap((table) => Object.keys(table)),
    ];
    for (const event of events) assert.ok(protocol.includes(`\`${event}\``), event);
  });
});
