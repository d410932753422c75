import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tileServerSource } from "./security-headers.ts";

describe("tileServerSource", () => {
  it("is the template's origin, with Leaflet's {s} subdomains as a wildcard", () => {
    assert.equal(
      tileServerSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
      "https://tile.openstreetmap.org",
    );
    assert.equal(
      tileServerSource("https://{s}.tile.example.org/{z}/{x}/{y}.png"),
      "https://*.tile.example.org",
    );
    assert.equal(tileServerSource("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png"), "http://127.0.0.1:8081");
    assert.equal(
      tileServerSource("https://Tiles.Example.org:443/{z}/{x}/{y}.png?key=k"),
      "https://tiles.example.org",
    );
    assert.equal(
      tileServerSource("https://user:pw@tiles.example.org/{z}/{x}/{y}.png"),
      "https://tiles.example.org",
    );
  });

  it("is null for a host that would not be a plain CSP source", () => {
    for (const template of [
      "https://tile-{s}.example.org/{z}/{x}/{y}.png",
      "https://{z}.example.org/{x}/{y}.png",
      "https://a;b.example.org/{z}/{x}/{y}.png",
      "not a url",
    ])
      assert.equal(tileServerSource(template), null, template);
  });
});
