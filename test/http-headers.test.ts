// Security headers on every HTTP answer, against a real node over real HTTP.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startApp, type TestApp } from "./support/app.ts";
import { rawRequest } from "./support/raw-http.ts";

/** The sources of one CSP directive, e.g. `["'self'", "data:"]`; undefined when absent. */
function directive(csp: string | null | undefined, name: string): string[] | undefined {
  const entry = (csp ?? "")
    .split(";")
    .map((part) => part.trim().split(/\s+/))
    .find(([directiveName]) => directiveName === name);
  return entry?.slice(1);
}

describe("[headers] the app, the API and health answers carry the security headers", () => {
  let app: TestApp;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "convoy-client-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Convoy test page</title>");
    app = await startApp({ config: { clientDir: dir } });
  });
  after(() => app.close());

  it("CSP with frame-ancestors 'none', nosniff, a Referrer-Policy, X-Frame-Options, and no HSTS over http", async () => {
    // The page, a client route, the API (an answer, a 404, a 400), health, readiness, metrics.
    for (const path of [
      "/",
      "/groups/abc",
      "/api/config",
      "/api/nothing",
      "/%E0%A4%A",
      "/healthz",
      "/readyz",
      "/metrics",
    ]) {
      const res = await fetch(app.url + path);
      const csp = res.headers.get("content-security-policy");
      assert.deepEqual(directive(csp, "frame-ancestors"), ["'none'"], path);
      assert.deepEqual(directive(csp, "default-src"), ["'self'"], path);
      assert.deepEqual(directive(csp, "script-src"), ["'self'"], path);
      assert.deepEqual(directive(csp, "style-src"), ["'self'"], path);
      assert.deepEqual(directive(csp, "object-src"), ["'none'"], path);
      // It would send a plain-http deployment's own requests to https.
      assert.equal(directive(csp, "upgrade-insecure-requests"), undefined, path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("strict-transport-security"), null, path);
      assert.equal(res.headers.get("x-powered-by"), null, path);
    }
  });

  it("img-src without MAP_TILE_URL: the app's own images and data: only", async () => {
    const res = await fetch(`${app.url}/`);
    assert.deepEqual(directive(res.headers.get("content-security-policy"), "img-src"), ["'self'", "data:"]);
  });

  it("connect-src: the page's own origin, and its host over ws: and wss: for Socket.IO's WebSocket", async () => {
    const res = await fetch(`${app.url}/`);
    const host = new URL(app.url).host;
    assert.deepEqual(directive(res.headers.get("content-security-policy"), "connect-src"), [
      "'self'",
      `ws://${host}`,
      `wss://${host}`,
    ]);
  });

  it("a Host header that is not a plain host name adds nothing to the policy", async () => {
    const res = await rawRequest(`${app.url}/`, { headers: { host: "evil.example;script-src *" } });
    assert.equal(res.status, 200);
    const csp = res.headers["content-security-policy"] as string;
    assert.deepEqual(directive(csp, "connect-src"), ["'self'"]);
    assert.deepEqual(directive(csp, "script-src"), ["'self'"]);
  });

  it("HSTS only once the browser is on https (X-Forwarded-Proto from the TLS proxy), and never for localhost", async () => {
    const hsts = async (headers: Record<string, string>) =>
      (await rawRequest(`${app.url}/healthz`, { headers })).headers["strict-transport-security"];
    assert.equal(
      await hsts({ host: "convoy.example.org", "x-forwarded-proto": "https" }),
      "max-age=31536000",
    );
    assert.equal(await hsts({ host: "convoy.example.org" }), undefined);
    assert.equal(await hsts({ host: "convoy.example.org", "x-forwarded-proto": "http" }), undefined);
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"])
      assert.equal(await hsts({ host, "x-forwarded-proto": "https" }), undefined, host);
  });
});

describe("[headers] with a tile server configured (MAP_TILE_URL)", () => {
  it("img-src adds the tile server's origin, and no other", async () => {
    const app = await startApp({
      config: {
        client: { mapTileUrl: "https://tile.example.org/{z}/{x}/{y}.png", mapAttribution: "© test" },
      },
    });
    try {
      const res = await fetch(`${app.url}/api/config`);
      assert.deepEqual(directive(res.headers.get("content-security-policy"), "img-src"), [
        "'self'",
        "data:",
        "https://tile.example.org",
      ]);
    } finally {
      await app.close();
    }
  });
});
