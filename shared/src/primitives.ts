// Field schemas several events and routes share.
import * as v from "valibot";
import { LIMITS } from "./limits.ts";

/** Opaque server-issued id (group, user, message). */
export const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.idMax));
export const GroupId = Id;
/** A message id (the group's sequence number, in digits); "0" stands before the first message. */
export const MessageId = v.pipe(v.string(), v.regex(/^\d{1,15}$/, "a message id (digits)"));

/** Milliseconds since the Unix epoch. */
export const EpochMs = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

export const Username = v.pipe(
  v.string(),
  v.minLength(LIMITS.usernameMin),
  v.maxLength(LIMITS.usernameMax),
  v.regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only"),
);
export const Password = v.pipe(v.string(), v.minLength(LIMITS.passwordMin), v.maxLength(LIMITS.passwordMax));

/** `{groupId}`: the payload of every subscribe/join/leave event. */
export const GroupRef = v.strictObject({ groupId: GroupId });
export type GroupRef = v.InferOutput<typeof GroupRef>;
