// The real entry point in a child process: start with no configuration, serve,
// and stop cleanly on SIGTERM.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import type { LoginResponse } from "@convoy/shared";
import { runMain, startNodeProcess } from "./support/process.ts";
import { openSocket } from "./support/sockets.ts";
import { waitFor } from "./support/wait.ts";

describe("[1 running it] the process", () => {
  it("starts with no configuration in embedded mode and stops on SIGTERM: clients see 'transport close', exit 0 within 10 s", async () => {
    const node = await startNodeProcess();
    const { url, child } = node;
    const password = "correct horse battery";
    const post = (path: string, body: unknown) =>
      fetch(url + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    assert.equal((await post("/api/auth/register", { username: "sigterm_rider", password })).status, 201);
    const login = (await (
      await post("/api/auth/login", { username: "sigterm_rider", password })
    ).json()) as LoginResponse;
    assert.equal((await fetch(`${url}/readyz`)).status, 200);

    const client = openSocket(url, "/chat", {
      auth: { token: login.token },
      transports: ["websocket"],
      reconnection: false,
    });
    await waitFor(client, "connect");
    const reason = waitFor(client, "disconnect", { ms: 10_000 });
    const exited = once(child, "exit");
    const started = Date.now();
    child.kill("SIGTERM");
    assert.equal(await reason, "transport close");
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000);
    assert.ok(!node.logs.join("\n").includes(login.token), "the token is never logged");
    assert.ok(!node.logs.join("\n").includes(password), "the password is never logged");
  });

  it("refuses to start with a bad configuration and says which keys are wrong", async () => {
    const { code, stderr } = await runMain([], { PORT: "eighty", WORKERS: "2" });
    assert.equal(code, 1);
    assert.match(stderr, /PORT/);
  });
});
