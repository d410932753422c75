import assert from "node:assert/strict";
import { connect } from "node:net";
import { afterEach, describe, it } from "node:test";
import WebSocket from "ws";
import { startApp, type TestApp } from "./support/app.ts";
import { waitFor, waitForEvent } from "./support/wait.ts";

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
    const reason = waitFor(client, "disconnect");
    await app.app.close();
    assert.equal(await reason, "transport close");
    // It tries to come back by itself: that is what a stock client does on "transport close".
    await waitForEvent(client.io, "reconnect_attempt");
    client.disconnect();
  });

  it("a client that keeps asking over a kept-alive connection does not hold the close open", async () => {
    const app = await startApp();
    // A browser's kept-alive connection, busy with a request when the node closes:
    // Node closes only idle connections then, and keeps this one open as long as requests come.
    const tcp = connect(app.port, "127.0.0.1");
    let received = "";
    tcp.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => tcp.once("close", () => resolve()));
    await new Promise<void>((resolve) => tcp.once("connect", () => resolve()));
    // A reconnecting client's handshake (refused while closing), in two parts around close().
    const ask = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: convoy\r\n";
    tcp.write(ask);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let closed = false;
    const closing = app.app.close().then(() => (closed = true));
    tcp.write("\r\n");
    // It asks again and again, as a reconnecting client or the app's fetches would.
    for (let i = 0; i < 20 && !closed && !tcp.closed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!tcp.closed) tcp.write(`${ask}\r\n`);
    }
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1000))]);
    assert.ok(tcp.closed, "the node ended the connection after its answer");
    assert.match(received, /^HTTP\/1.1 4\d\d/);
    assert.match(received, /connection: close/i, "the answer said so");
    await closing;
    tcp.destroy();
  });
});
