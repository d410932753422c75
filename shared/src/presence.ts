// The /presence namespace: schemas and event maps.
import * as v from "valibot";
import type { Ack, InputSchemas } from "./contract.ts";
import { GroupRef } from "./primitives.ts";
import { sessionInputs, type SessionClientEvents, type SessionServerEvents } from "./session.ts";

export type PresenceStatus = "online" | "away" | "offline";

export interface PresenceMember {
  userId: string;
  username: string;
  status: PresenceStatus;
  /** ms since epoch the user last went offline; null if never. */
  lastSeen: number | null;
}

export interface PresenceUpdate extends PresenceMember {
  groupId: string;
}

export const SetPresence = v.strictObject({ status: v.picklist(["online", "away"]) });
export type SetPresence = v.InferOutput<typeof SetPresence>;

/** Sent by clients on /presence. */
export interface PresenceClientEvents extends SessionClientEvents {
  "presence:subscribe": (input: GroupRef, ack: Ack<{ groupId: string; members: PresenceMember[] }>) => void;
  "presence:unsubscribe": (input: GroupRef, ack: Ack<{ groupId: string }>) => void;
  /** Sets this socket's status; the ack carries the user's resulting aggregate status. */
  "presence:set": (input: SetPresence, ack: Ack<{ status: PresenceStatus }>) => void;
}

/** Sent by the server on /presence. */
export interface PresenceServerEvents extends SessionServerEvents {
  "presence:update": (update: PresenceUpdate) => void;
}

export const presenceInputs = {
  ...sessionInputs,
  "presence:subscribe": GroupRef,
  "presence:unsubscribe": GroupRef,
  "presence:set": SetPresence,
} satisfies InputSchemas<PresenceClientEvents>;
