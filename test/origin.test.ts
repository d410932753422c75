import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import WebSocket from "ws";
import { startApp, type TestApp } from "./support/app.ts";
import { waitFor } from "./support/wait.ts";

const handshake = (app: TestApp, origin?: string) =>
  fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { origin } : {} });

/** Resolves "open" or "refused <status>" for a direct WebSocket handshake from `origin`. */
function websocketFrom(app: TestApp, origin: string): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/socket.io/?EIO=4&transport=websocket`, { origin });
  return new Promise((resolve) => {
    ws.once("open", () => {
      ws.close();
      resolve("open");
    });
    ws.once("unexpected-response", (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.once("error", () => resolve("refused"));
  });
}

describe("[4 origins] browser handshakes from other origins are refused", () => {
  let app: TestApp;
  afterEach(() => app.close());

  it("CORS_ORIGINS unset: same origin and no Origin are allowed, any other refused (polling and websocket)", async () => {
    app = await startApp();
    const own = `http://127.0.0.1:${app.port}`;
    assert.equal((await handshake(app)).status, 200);
    assert.equal((await handshake(app, own)).status, 200);
    assert.equal(await websocketFrom(app, own), "open");

    let sessions = 0;
    app.app.io.engine.on("connection", () => sessions++);
    for (const evil of [
      "http://evil.example",
      `https://127.0.0.1:${app.port}`,
      `http://127.0.0.1:${app.port + 1}`,
      "null",
    ]) {
      const res = await handshake(app, evil);
      assert.ok(res.status >= 400 && res.status < 500, `${evil}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /"sid"/);
      assert.match(await websocketFrom(app, evil), /^refused/);
    }
    assert.equal(sessions, 0, "no Engine.IO session for a refused origin");
  });

  it("behind a TLS proxy, X-Forwarded-Proto decides the scheme of the own origin", async () => {
    app = await startApp();
    const res = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: `https://127.0.0.1:${app.port}`, "x-forwarded-proto": "https" },
    });
    assert.equal(res.status, 200);
  });

  it("CORS_ORIGINS set: only the listed origins, with CORS headers for them", async () => {
    app = await startApp({ config: { corsOrigins: ["https://app.convoy.example"] } });
    const allowed = await handshake(app, "https://app.convoy.example");
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.convoy.example");
    assert.equal(await websocketFrom(app, "https://app.convoy.example"), "open");
    for (const other of ["https://evil.example", `http://127.0.0.1:${app.port}`]) {
      assert.equal((await handshake(app, other)).status, 403);
      assert.match(await websocketFrom(app, other), /^refused/);
    }
    const api = await fetch(`${app.url}/api/auth/login`, {
      method: "OPTIONS",
      headers: { origin: "https://app.convoy.example", "access-control-request-method": "POST" },
    });
    assert.equal(api.headers.get("access-control-allow-origin"), "https://app.convoy.example");
  });
});

describe("[4 shutdown] closing a node", () => {
  it("closes clients' transports so stock clients reconnect (not 'io server disconnect')", async () => {
    const app = await startApp();
    const { token } = await app.member();
    const client = await app.connect("/chat", token, {
      reconnection: true,
      reconnectionAttempts: 1,
      reconnectionDelay: 50,
    });
    const reason = waitFor<string>(client, "disconnect");
    await app.app.close();
    assert.equal(await reason, "transport close");
    // It tries to come back by itself: that is what a stock client does on "transport close".
    await waitFor(client.io as never, "reconnect_attempt");
    client.disconnect();
  });
});
