// Security headers on every HTTP answer, and who may read /metrics (SPEC §6),
// against a real node over real HTTP.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createApp } from "@convoy/server";
import type { ErrorResponse } from "@convoy/shared";
import { startApp, testConfig, type TestApp } from "./support/app.ts";
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
  it("img-src and connect-src (the service worker fetches tiles) add the tile server's origin, and no other", async () => {
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
      const host = new URL(app.url).host;
      assert.deepEqual(directive(res.headers.get("content-security-policy"), "connect-src"), [
        "'self'",
        `ws://${host}`,
        `wss://${host}`,
        "https://tile.example.org",
      ]);
    } finally {
      await app.close();
    }
  });
});

describe("[6 /metrics] with METRICS_TOKEN", () => {
  const token = randomBytes(24).toString("hex");
  let app: TestApp;
  before(async () => (app = await startApp({ config: { metricsToken: token } })));
  after(() => app.close());

  it("answers 401 UNAUTHORIZED without the token, with a wrong one, or in another scheme", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer " },
      { authorization: `Bearer ${token.slice(0, -1)}x` },
      { authorization: `Bearer ${token}x` },
      { authorization: `Basic ${token}` },
      { authorization: token },
    ];
    for (const headers of attempts) {
      const res = await app.http("GET", "/metrics", undefined, undefined, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.error?.code, "UNAUTHORIZED");
    }
    const res = await fetch(`${app.url}/metrics`);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.deepEqual(directive(res.headers.get("content-security-policy"), "frame-ancestors"), ["'none'"]);
  });

  it("answers 200 with the right token (from this machine too: the token is then the only way in)", async () => {
    const res = await app.http("GET", "/metrics", undefined, token);
    assert.equal(res.status, 200);
    assert.match(res.body, /convoy_connected_sockets/);
    const lowerCase = await app.http("GET", "/metrics", undefined, undefined, {
      authorization: `bearer ${token}`,
    });
    assert.equal(lowerCase.status, 200);
  });

  it("/healthz and /readyz need no token", async () => {
    assert.equal((await app.http("GET", "/healthz")).status, 200);
    assert.equal((await app.http("GET", "/readyz")).status, 200);
  });
});

describe("[6 /metrics] without METRICS_TOKEN: direct requests from this machine only", () => {
  let app: TestApp;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it("a direct request over loopback is answered", async () => {
    assert.equal((await app.http("GET", "/metrics")).status, 200);
  });

  it("a request a proxy on this machine relays (X-Forwarded-For, X-Real-IP, Forwarded) is refused", async () => {
    const relayed: Record<string, string>[] = [
      { "x-forwarded-for": "203.0.113.7" },
      { "x-real-ip": "203.0.113.7" },
      { forwarded: "for=203.0.113.7" },
    ];
    for (const headers of relayed) {
      const res = await app.http("GET", "/metrics", undefined, undefined, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.error?.code, "UNAUTHORIZED");
    }
  });

  it("a request from another address (HOST on a network interface) is refused; health is not", async (t) => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry?.family === "IPv4" && !entry.internal)?.address;
    if (!address) return t.skip("this machine has no non-loopback IPv4 address to listen on");
    const node = await createApp(testConfig());
    try {
      await new Promise<void>((resolve) => node.httpServer.listen(0, address, resolve));
      const { port } = node.httpServer.address() as { port: number };
      const url = `http://${address}:${port}`;
      const metrics = await fetch(`${url}/metrics`);
      assert.equal(metrics.status, 401);
      assert.equal(((await metrics.json()) as ErrorResponse).error.code, "UNAUTHORIZED");
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    } finally {
      await node.close();
    }
  });
});
