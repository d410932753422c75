// The docs and deployment files stay in step with the code (Fastify keeps its error list honest this way).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CONFIG_KEYS } from "@convoy/server";
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

describe("configuration docs", () => {
  const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

  it("README's table and .env.example name every variable the server reads", () => {
    const readme = read("README.md");
    const example = read(".env.example");
    for (const key of CONFIG_KEYS) {
      assert.match(readme, new RegExp(`^\\|\\s*\`${key}\`\\s*\\|`, "m"), `README: ${key}`);
      assert.match(example, new RegExp(`^#? ?${key}=`, "m"), `.env.example: ${key}`);
    }
  });
});

// Docker cannot run on the CI machine, so these files are checked against each other and the code.
describe("Dockerfile and docker-compose.yml", () => {
  const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
  const compose = read("docker-compose.yml");
  const dockerfile = read("Dockerfile");

  it("compose has a service for every upstream host in nginx/convoy.conf, and mounts that file", () => {
    const upstreams = [...read("nginx/convoy.conf").matchAll(/^\s*server (\w+):3000;$/gm)].map((m) => m[1]!);
    assert.ok(upstreams.length >= 2);
    for (const host of upstreams) assert.match(compose, new RegExp(`^  ${host}:`, "m"), host);
    assert.match(compose, /\.\/nginx\/convoy\.conf:\/etc\/nginx\/conf\.d\/default\.conf/);
  });

  it("compose runs Redis 7+ with the append-only file and gives every host the same REDIS_URL and JWT_SECRET", () => {
    assert.match(compose, /image: redis:(\d+)/);
    assert.ok(Number(/image: redis:(\d+)/.exec(compose)![1]) >= 7);
    assert.match(compose, /--appendonly", "yes"/);
    assert.match(compose, /REDIS_URL: redis:\/\/redis:6379/);
    assert.match(compose, /JWT_SECRET: \$\{JWT_SECRET:\?/);
  });

  it("the image listens on all interfaces and runs the bundle that `npm run build` writes", () => {
    assert.match(dockerfile, /HOST=0\.0\.0\.0/);
    assert.match(dockerfile, /CMD \["node", "server\/dist\/main\.js"\]/);
    assert.match(read("server/build.mjs"), /outfile: "dist\/main\.js"/);
    // Every file the build stage copies exists in the repository.
    for (const [, args] of dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      for (const source of args!.split(" ").slice(0, -1))
        assert.ok(existsSync(new URL(`../${source}`, import.meta.url)), source);
    }
  });
});
