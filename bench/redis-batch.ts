// npm run redis-batch -w bench: what one Redis command costs the calling Node
// process in CPU, sent alone (its answer awaited before the next) or with
// others in the same tick (the client writes them together, Redis answers in
// one read). Why positions wait for REDIS_POSITION_WINDOW_MS: docs/scaling.md.
// REDIS_URL (default redis://127.0.0.1:6379); it writes one hash key.
import { createClient } from "redis";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const COMMANDS = 20_000;
const client = await createClient({ url }).connect();
const script = await client.scriptLoad("redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1");
const position = JSON.stringify({ lat: 59.3293, lng: 18.0686, speed: 12.5, heading: 180, ts: Date.now() });
const commands = {
  PING: () => client.ping(),
  "EVALSHA (an HSET)": () =>
    client.evalSha(script, { keys: ["convoy-bench:batch"], arguments: ["u1", position] }),
};

for (const together of [1, 10, 100]) {
  for (const [name, send] of Object.entries(commands)) {
    const before = process.cpuUsage();
    for (let sent = 0; sent < COMMANDS; sent += together)
      await Promise.all(Array.from({ length: together }, () => send()));
    const { user, system } = process.cpuUsage(before);
    console.log(`${name}, ${together} at a time: ${((user + system) / COMMANDS).toFixed(1)} µs of CPU each`);
  }
}
await client.del("convoy-bench:batch");
client.destroy();
