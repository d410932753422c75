// The fuzz suite once more against the Redis stores: the same cases, checks and
// model, a third as many by default (FUZZ_RUNS still overrides).
process.env.FUZZ_BACKEND = "redis";
process.env.FUZZ_RUNS ??= "3000";
await import("./fuzz.test.ts");

export {};
