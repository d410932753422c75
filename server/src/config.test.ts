import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "./config.ts";

describe("[1] configuration", () => {
  it("defaults: 127.0.0.1:3000, embedded in ./data with its kept key, one worker, same-origin only", () => {
    const config = loadConfig({}, null);
    assert.equal(config.port, 3000);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.redisUrl, null);
    assert.equal(config.workers, 1);
    assert.equal(config.corsOrigins, null);
    assert.equal(config.passwordCost, 16384);
    assert.equal(config.dataDir, "./data");
    assert.equal(config.jwtSecret, null, "embedded mode signs with the key kept in the database");
  });

  it("reads every variable", () => {
    const config = loadConfig(
      {
        PORT: "8080",
        HOST: "0.0.0.0",
        REDIS_URL: "redis://127.0.0.1:6379",
        WORKERS: "4",
        JWT_SECRET: "s".repeat(32),
        CORS_ORIGINS: "https://a.example, https://b.example/",
        PASSWORD_COST: "1024",
        DATA_DIR: "/var/lib/convoy",
      },
      null,
    );
    assert.equal(config.port, 8080);
    assert.equal(config.redisUrl, "redis://127.0.0.1:6379");
    assert.equal(config.workers, 4);
    assert.deepEqual(config.corsOrigins, ["https://a.example", "https://b.example"]);
    assert.equal(config.passwordCost, 1024);
    assert.equal(config.dataDir, "/var/lib/convoy");
    assert.equal(config.jwtSecret, "s".repeat(32));
  });

  it("PASSWORD_COST is a power of two, never below 1024", () => {
    // 131072 and up: scrypt would need more memory than a hash may take, and every login would fail.
    for (const bad of ["1000", "512", "0", "131072", "1048576", "3000000", "cheap"])
      assert.throws(() => loadConfig({ PASSWORD_COST: bad }, null), /PASSWORD_COST/, bad);
  });

  it("METRICS_TOKEN: unset is null; set, at least 16 printable characters without spaces", () => {
    assert.equal(loadConfig({}, null).metricsToken, null);
    const token = "a-Token_0123456789";
    assert.equal(loadConfig({ METRICS_TOKEN: token }, null).metricsToken, token);
    for (const bad of [
      "",
      "short",
      "with a space inside it",
      "tab\tinside-the-token",
      "nön-ascii-tokenvalue",
    ])
      assert.throws(() => loadConfig({ METRICS_TOKEN: bad }, null), /METRICS_TOKEN/, bad);
  });

  it("MAP_TILE_URL needs a host the Content Security Policy can name (optionally {s}. first)", () => {
    const ok = "https://{s}.tile.example.org/{z}/{x}/{y}.png";
    assert.equal(loadConfig({ MAP_TILE_URL: ok }, null).client.mapTileUrl, ok);
    assert.throws(
      () => loadConfig({ MAP_TILE_URL: "https://tile-{s}.example.org/{z}/{x}/{y}.png" }, null),
      /MAP_TILE_URL/,
    );
  });

  it("SOS_WEBHOOK_URL: unset is no webhook; set, an http(s) URL, called after SOS_WEBHOOK_AFTER_MS (default 2 minutes)", () => {
    assert.equal(loadConfig({}, null).sosWebhook, null);
    assert.equal(loadConfig({ SOS_WEBHOOK_AFTER_MS: "5000" }, null).sosWebhook, null);
    const url = "https://hooks.example.org/sos?token=abc";
    assert.deepEqual(loadConfig({ SOS_WEBHOOK_URL: url }, null).sosWebhook, { url, afterMs: 120_000 });
    assert.deepEqual(loadConfig({ SOS_WEBHOOK_URL: url, SOS_WEBHOOK_AFTER_MS: "30000" }, null).sosWebhook, {
      url,
      afterMs: 30_000,
    });
    for (const bad of ["hooks.example.org/sos", "ftp://hooks.example.org/", "javascript:alert(1)", ""])
      assert.throws(() => loadConfig({ SOS_WEBHOOK_URL: bad }, null), /SOS_WEBHOOK_URL/, bad);
    for (const bad of ["0", "-5", "2m", "1.5"])
      assert.throws(
        () => loadConfig({ SOS_WEBHOOK_URL: url, SOS_WEBHOOK_AFTER_MS: bad }, null),
        /SOS_WEBHOOK_AFTER_MS/,
        bad,
      );
  });

  it("one error lists every bad key", () => {
    assert.throws(
      () => loadConfig({ PORT: "eighty", WORKERS: "0", LOG_LEVEL: "loud", REDIS_URL: "not a url" }, null),
      (err: Error) => ["PORT", "WORKERS", "LOG_LEVEL", "REDIS_URL"].every((key) => err.message.includes(key)),
    );
  });

  it("REDIS_URL requires JWT_SECRET; WORKERS > 1 requires REDIS_URL", () => {
    assert.throws(() => loadConfig({ REDIS_URL: "redis://localhost:6379" }, null), /JWT_SECRET/);
    assert.throws(() => loadConfig({ WORKERS: "2" }, null), /WORKERS: more than 1 requires REDIS_URL/);
  });

  it("REDIS_CLUSTER_NODES: a comma-separated list of seed nodes, instead of REDIS_URL", () => {
    const secret = "s".repeat(32);
    const config = loadConfig(
      {
        REDIS_CLUSTER_NODES: " redis://10.0.0.1:7000, redis://10.0.0.2:7000 ,",
        JWT_SECRET: secret,
        WORKERS: "2",
      },
      null,
    );
    assert.deepEqual(config.redisClusterNodes, ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"]);
    assert.equal(config.redisUrl, null);
    assert.equal(config.redisClusterWaitReplicas, 1, "durable writes wait for one replica by default");
    assert.equal(loadConfig({ REDIS_CLUSTER_WAIT_REPLICAS: "0" }, null).redisClusterWaitReplicas, 0);
    assert.throws(
      () => loadConfig({ REDIS_CLUSTER_WAIT_REPLICAS: "-1" }, null),
      /REDIS_CLUSTER_WAIT_REPLICAS/,
    );
    assert.equal(loadConfig({}, null).redisClusterNodes, null);
    assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: "redis://a:7000" }, null), /JWT_SECRET/);
    for (const bad of ["", " , ", "redis://a:7000,10.0.0.2:7000", "http://a:7000"]) {
      assert.throws(
        () => loadConfig({ REDIS_CLUSTER_NODES: bad, JWT_SECRET: secret }, null),
        /REDIS_CLUSTER_NODES/,
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () =>
        loadConfig(
          { REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "redis://a:7000", JWT_SECRET: secret },
          null,
        ),
      /either REDIS_URL or REDIS_CLUSTER_NODES/,
    );
  });
});
