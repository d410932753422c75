// What the client does with each kind of thing the user sends while offline
// or before its ack, in one place (docs/protocol.md, "Client outbox", says the
// same). The queued kinds are kept in a DurableQueue per user; openOutbox()
// opens one, bringing along what an older version kept in localStorage.
import type { DurableQueue, QueueStore } from "../../net/durable-queue.ts";
import { withLegacyList } from "../../net/durable-queue.ts";
import type { JsonStorage } from "../../net/storage.ts";

export type OutboxPolicy =
  | {
      queued: true;
      /** Until when an entry is kept. */
      kept: string;
      /** Entries older than this when the app starts are dropped unsent (null: no limit). */
      maxAgeMs: number | null;
      /** Where an older version kept the list: `convoy.<userId>.<legacyKey>` in localStorage. */
      legacyKey: string | null;
    }
  | { queued: false; why: string };

export const OUTBOX_POLICY = {
  chat: {
    queued: true,
    kept: "until the server stores it, or the user discards it (a refused one waits, failed, for Retry)",
    maxAgeMs: null,
    legacyKey: "outbox",
  },
  direct: {
    queued: true,
    kept: "until the server stores it, or the user discards it (a refused one waits, failed, for Retry)",
    maxAgeMs: null,
    legacyKey: "dmOutbox",
  },
  sos: {
    queued: true,
    kept: "until the server answers; one still unanswered 30 minutes after it was raised is not sent any more",
    maxAgeMs: 30 * 60_000,
    legacyKey: "sosRaising",
  },
  ride: {
    queued: true,
    kept: "until the server answers; dropped, and the rider told, when it says the ride is over or unknown",
    maxAgeMs: null,
    legacyKey: null,
  },
  rideStart: { queued: false, why: "ride:start has no idempotency key: a resend could start a second ride" },
  position: { queued: false, why: "only the newest matters: the next fix replaces it" },
  typing: { queued: false, why: "stale as soon as it is late" },
} as const satisfies Record<string, OutboxPolicy>;

export type QueuedKind = {
  [K in keyof typeof OUTBOX_POLICY]: (typeof OUTBOX_POLICY)[K]["queued"] extends true ? K : never;
}[keyof typeof OUTBOX_POLICY];

/** Ride action refusals that time cannot cure: the ride is over, unknown, or not the user's to touch. */
export const RIDE_ACTION_DROPPED_ON = new Set(["CONFLICT", "NOT_FOUND", "FORBIDDEN", "VALIDATION_FAILED"]);

/** Whether an entry made at `createdAt` is still to be sent at `now`, by its kind's policy. */
export function stillKept(kind: QueuedKind, createdAt: number, now: number): boolean {
  const { maxAgeMs } = OUTBOX_POLICY[kind];
  return maxAgeMs === null || now - createdAt < maxAgeMs;
}

/** The user's queue of `kind`, with what an older version left in localStorage moved into it. */
export function openOutbox<T>(
  queues: QueueStore,
  storage: JsonStorage,
  userId: string,
  kind: QueuedKind,
  idOf: (value: T) => string,
): DurableQueue<T> {
  const queue = queues.queue<T>(userId, kind);
  const { legacyKey } = OUTBOX_POLICY[kind];
  return legacyKey ? withLegacyList(queue, storage, `convoy.${userId}.${legacyKey}`, idOf) : queue;
}

/** Signing out: nothing the user had not sent yet stays on the device (a shared phone, a lent laptop). */
export async function forgetOutboxes(queues: QueueStore, userId: string): Promise<void> {
  const kinds = Object.entries(OUTBOX_POLICY).filter(([, policy]) => policy.queued);
  await Promise.all(kinds.map(([kind]) => queues.queue(userId, kind).clear()));
}
