import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_FRESH_S, freshForSeconds, isFresh, mayKeepTile } from "./tile-policy.ts";

const h = (entries: Record<string, string>) => new Headers(entries);

describe("the tile cache's policy", () => {
  it("keeps 200s the server lets it keep", () => {
    assert.equal(mayKeepTile(200, h({ "cache-control": "max-age=604800" })), true);
    assert.equal(mayKeepTile(200, h({})), true);
    assert.equal(mayKeepTile(404, h({})), false);
    assert.equal(mayKeepTile(200, h({ "cache-control": "no-store" })), false);
    assert.equal(mayKeepTile(200, h({ "cache-control": "private, max-age=60" })), false);
  });

  it("serves a kept tile without asking again for as long as max-age, Expires or a day say", () => {
    assert.equal(freshForSeconds(h({ "cache-control": "public, max-age=604800" })), 604_800);
    assert.equal(freshForSeconds(h({ "cache-control": "max-age=0" })), 0);
    assert.equal(freshForSeconds(h({ "cache-control": "no-cache, max-age=600" })), 0);
    assert.equal(
      freshForSeconds(h({ date: "Tue, 01 Dec 2026 10:00:00 GMT", expires: "Tue, 01 Dec 2026 11:00:00 GMT" })),
      3600,
    );
    assert.equal(freshForSeconds(h({})), DEFAULT_FRESH_S);
  });

  it("counts the age from when it arrived, plus the Age the server's caches gave it", () => {
    const headers = h({ "cache-control": "max-age=100", age: "40" });
    assert.equal(isFresh(headers, 0, 59_000), true);
    assert.equal(isFresh(headers, 0, 60_000), false);
    assert.equal(isFresh(h({ "cache-control": "max-age=100" }), 5000, 0), true, "a clock that went back");
  });
});
