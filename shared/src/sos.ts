// SOS, on /location (issue #14): a rider raises an alert that reaches every
// device of every member of the group, again and again until someone answers
// "I'm coming", and stays until it is resolved. Receipts are per user (all of
// a user's devices count as one) and only move forward.
import * as v from "valibot";
import type { Ack } from "./contract.ts";
import { LIMITS } from "./limits.ts";
import { EpochMs, GroupId, Id, NoInput, noControlOrBidi, wellFormed } from "./primitives.ts";

/** How far a member has got with an SOS; each step includes the ones before it. */
export const SOS_RECEIPT_STATES = ["delivered", "seen", "acknowledged"] as const;
export type SosReceiptState = (typeof SOS_RECEIPT_STATES)[number];

export interface SosReceipt {
  userId: string;
  username: string;
  /** delivered: a device of the user received the alert; seen: the user saw it; acknowledged: "I'm coming". */
  state: SosReceiptState;
  /** Server time of the user's latest step, ms epoch. */
  at: number;
}

/** The raiser's last known position when they raised it. */
export interface SosFix {
  /** Degrees WGS84. */
  lat: number;
  lng: number;
  /** Metres, or null when unknown. */
  accuracy: number | null;
  /** Device time of the fix, ms epoch: rescuers see how old it is. */
  ts: number;
}

export interface Sos {
  id: string;
  groupId: string;
  /** The rider who raised it. */
  userId: string;
  username: string;
  /** The raiser's idempotency key for `sos:raise`. */
  clientSosId: string;
  note: string | null;
  fix: SosFix | null;
  /** Server time, ms epoch. */
  raisedAt: number;
  resolvedAt: number | null;
  /** The user who resolved it: the raiser or a member who acknowledged. */
  resolvedBy: string | null;
  /** How many times `sos:alert` went out for it: 1 when raised, +1 for each re-send. */
  sentCount: number;
  /** One per member who sent one (never the raiser), oldest step first. */
  receipts: SosReceipt[];
}

const Finite = v.pipe(v.number(), v.finite());

export const SosFixInput = v.strictObject({
  lat: v.pipe(Finite, v.minValue(-90), v.maxValue(90)),
  lng: v.pipe(Finite, v.minValue(-180), v.maxValue(180)),
  accuracy: v.optional(v.nullable(v.pipe(Finite, v.minValue(0))), null),
  ts: EpochMs,
});

/** Trimmed; an empty note is no note. One line: no control characters (line breaks included), no bidi overrides. */
const SosNote = v.pipe(
  v.string(),
  wellFormed,
  noControlOrBidi,
  v.trim(),
  v.maxLength(LIMITS.sosNote),
  v.transform((text): string | null => (text === "" ? null : text)),
);

export const RaiseSos = v.strictObject({
  groupId: GroupId,
  /** Chosen by the client; raising again with the same one answers the stored SOS. */
  clientSosId: v.pipe(v.string(), wellFormed, v.minLength(1), v.maxLength(LIMITS.clientMsgId)),
  note: v.optional(v.nullable(SosNote), null),
  /** The last fix; null (or absent) when the device has none. */
  fix: v.optional(v.nullable(SosFixInput), null),
});
export type RaiseSos = v.InferOutput<typeof RaiseSos>;

export const SosId = Id;

export const SosReceiptInput = v.strictObject({
  sosId: SosId,
  state: v.picklist(SOS_RECEIPT_STATES),
});
export type SosReceiptInput = v.InferOutput<typeof SosReceiptInput>;

export const SosRef = v.strictObject({ sosId: SosId });
export type SosRef = v.InferOutput<typeof SosRef>;

/** Sent by clients on /location (spread into its event map). */
export interface SosClientEvents {
  /**
   * Raises an SOS in the group, or answers the raiser's SOS that is still open
   * there (one open SOS per rider and group), or the one raised with this
   * clientSosId. Every member's devices get `sos:alert`.
   */
  "sos:raise": (input: RaiseSos, ack: Ack<{ sos: Sos }>) => void;
  /** A member's step; a step not ahead of the user's current one changes nothing. Not the raiser. */
  "sos:receipt": (input: SosReceiptInput, ack: Ack<{ sos: Sos }>) => void;
  /** The raiser, or a member who acknowledged; CONFLICT once resolved. */
  "sos:resolve": (input: SosRef, ack: Ack<{ sos: Sos }>) => void;
  /** The open SOSes of all the user's groups, oldest first: what a reconnected or reloaded client shows. */
  "sos:active": (input: NoInput, ack: Ack<{ alerts: Sos[] }>) => void;
}

/** Sent by the server on /location to every socket of every member of the group, the raiser's too. */
export interface SosServerEvents {
  /** Raised, or sent again (sentCount > 1) because nobody acknowledged. */
  "sos:alert": (sos: Sos) => void;
  /** A receipt moved forward. */
  "sos:update": (sos: Sos) => void;
  "sos:resolved": (sos: Sos) => void;
}

export const sosInputs = {
  "sos:raise": RaiseSos,
  "sos:receipt": SosReceiptInput,
  "sos:resolve": SosRef,
  "sos:active": NoInput,
};

/** The rank of a receipt state: receipts only move to a higher one. */
export const sosReceiptRank = (state: SosReceiptState): number => SOS_RECEIPT_STATES.indexOf(state) + 1;
