// Events every namespace carries for the session behind its connection: the
// server warns before the token expires, and the client renews in place (a new
// token on the open socket), keeping its rooms (Centrifugo's connection refresh).
import * as v from "valibot";
import type { Ack } from "./contract.ts";

export const RenewSession = v.strictObject({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) });
export type RenewSession = v.InferOutput<typeof RenewSession>;

export interface SessionClientEvents {
  /** A fresh token for the same user; the socket keeps its rooms. */
  "session:renew": (input: RenewSession, ack: Ack<{ expiresAt: number }>) => void;
}

export interface SessionServerEvents {
  /** The socket's token expires at `expiresAt` (ms epoch); without a renewal the socket is closed then. */
  "session:expiring": (notice: { expiresAt: number }) => void;
}

export const sessionInputs = { "session:renew": RenewSession };
