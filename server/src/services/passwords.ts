// Password hashing with Node's scrypt: salted, slow, and compared in constant time.
// Format: scrypt$<N>$<r>$<p>$<salt>$<hash>, so the cost can be raised later.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** scrypt's N: memory and time per hash (16 MiB, tens of ms). The hash records it, so it can change later. */
export const DEFAULT_PASSWORD_COST = 16384;
const COST = { r: 8, p: 1 } as const;
const KEY_BYTES = 32;
/** The memory one hash may take; scrypt needs 128 × N × r bytes and throws beyond the bound. */
const MAX_MEMORY = 64 * 1024 * 1024;
/** The largest N that fits MAX_MEMORY (65536): a higher cost would fail every login. */
export const MAX_PASSWORD_COST = MAX_MEMORY / (128 * COST.r);

const derive = (password: string, salt: Buffer, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_BYTES,
      // scrypt also needs a little beyond 128 × N × r: the bound must not be met exactly.
      { ...options, maxmem: 2 * MAX_MEMORY },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );

export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { ...COST, N: cost });
  return ["scrypt", cost, COST.r, COST.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let decoy: Promise<string> | undefined;
/** A hash of nothing, checked against for unknown usernames so that timing does not reveal which exist. */
export const decoyHash = (cost = DEFAULT_PASSWORD_COST): Promise<string> =>
  (decoy ??= hashPassword(randomBytes(16).toString("hex"), cost));
