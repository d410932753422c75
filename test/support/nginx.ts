// Debian's nginx, started on loopback with the project's nginx/convoy.conf in
// front of the given app nodes. Only the listen address and the upstream
// server lines differ from the file that ships.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./redis-server.ts";

const NGINX = "/usr/sbin/nginx";
export const projectConfigPath = fileURLToPath(new URL("../../nginx/convoy.conf", import.meta.url));

export interface TestNginx {
  url: string;
  stop(): Promise<void>;
}

/** The project's config with `listen` and the upstream servers replaced; throws if either is missing. */
export function configFor(listen: string, upstreams: string[]): string {
  const original = readFileSync(projectConfigPath, "utf8");
  const withListen = original.replace(/^(\s*)listen 80;$/m, `$1listen ${listen};`);
  const serverLines = /^(\s*)server app\d+:3000;\n/gm;
  let first = true;
  const config = withListen.replace(serverLines, (_line, indent: string) => {
    if (!first) return "";
    first = false;
    return upstreams.map((upstream) => `${indent}server ${upstream};\n`).join("");
  });
  if (withListen === original || first)
    throw new Error("nginx/convoy.conf: no `listen 80;` or upstream servers");
  return config;
}

export async function startNginx(upstreams: string[]): Promise<TestNginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install -y nginx (.ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), "convoy-nginx-"));
  const port = await freePort();
  writeFileSync(join(dir, "convoy.conf"), configFor(`127.0.0.1:${port}`, upstreams));
  writeFileSync(
    join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      "events { worker_connections 4096; }",
      "http {",
      "  access_log off;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
        (kind) => `  ${kind}_temp_path ${dir}/${kind}-temp;`,
      ),
      `  include ${dir}/convoy.conf;`,
      "}",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;

  // Up once it proxies /healthz (bounded: 10 s).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not proxy /healthz within 10 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM"); // fast stop: a graceful one would wait for open WebSockets
      await exited;
    },
  };
}
