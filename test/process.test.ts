// The real entry point in a child process: start with no configuration, serve,
// and stop cleanly on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { LoginResponse } from "@convoy/shared";
import { io } from "socket.io-client";
import { waitFor } from "./support/wait.ts";

const main = fileURLToPath(new URL("../server/src/main.ts", import.meta.url));

/** Starts `server/src/main.ts` on a free port and resolves with its URL from the first log line. */
async function startProcess(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not log its URL within 15 s")), 15_000);
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { url?: string };
      if (entry.url) {
        clearTimeout(timer);
        resolve(entry.url.replace(/\/$/, ""));
      }
    });
    child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
  });
  return { child, url, lines };
}

describe("[1 running it] the process", () => {
  it("starts with no configuration in embedded mode and stops on SIGTERM: clients see 'transport close', exit 0 within 10 s", async () => {
    const { child, url, lines } = await startProcess();
    const logged: string[] = [];
    lines.on("line", (line) => logged.push(line));
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

    const client = io(`${url}/chat`, {
      auth: { token: login.token },
      transports: ["websocket"],
      reconnection: false,
    });
    await waitFor(client, "connect");
    const reason = waitFor<string>(client, "disconnect", { ms: 10_000 });
    const exited = once(child, "exit");
    const started = Date.now();
    child.kill("SIGTERM");
    assert.equal(await reason, "transport close");
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000);
    assert.ok(!logged.join("\n").includes(login.token), "the token is never logged");
    assert.ok(!logged.join("\n").includes(password), "the password is never logged");
  });

  it("refuses to start with a bad configuration and says which keys are wrong", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", main], {
      env: { ...process.env, PORT: "eighty", WORKERS: "2" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 1);
    assert.match(stderr, /PORT/);
  });
});
