// Field schemas several events and routes share.
import * as v from "valibot";
import { LIMITS } from "./limits.ts";

/** In a `u` regex a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;
/**
 * Refuses lone UTF-16 surrogates (SPEC §6): UTF-8 storage (SQLite) would turn
 * them into U+FFFD and Redis's cjson refuses their escapes.
 */
export const wellFormed = v.check<string, string>(
  (text) => !LONE_SURROGATE.test(text),
  "must be well-formed Unicode (no lone surrogates)",
);

/** Control characters and the bidi overrides and isolates that make a name read as another. */
const CONTROL_OR_BIDI = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
export const noControlOrBidi = v.check<string, string>(
  (text) => !CONTROL_OR_BIDI.test(text),
  "must not contain control or bidi-override characters",
);

/** Opaque server-issued id (group, user, message). */
export const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.idMax), wellFormed);
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
/**
 * Well-formed, and without NUL: the hash would take a lone surrogate for U+FFFD,
 * and scrypt's HMAC a trailing NUL for nothing, so two passwords would be one.
 */
export const Password = v.pipe(
  v.string(),
  wellFormed,
  v.check((password) => !password.includes("\0"), "must not contain NUL characters"),
  v.minLength(LIMITS.passwordMin),
  v.maxLength(LIMITS.passwordMax),
);

/** `{groupId}`: the payload of every subscribe/join/leave event. */
export const GroupRef = v.strictObject({ groupId: GroupId });
export type GroupRef = v.InferOutput<typeof GroupRef>;

/** `{}`: the payload of an event that needs none (it must still be a plain object, with nothing in it). */
export const NoInput = v.pipe(
  // A binary attachment arrives as a Buffer or typed array (or an array): no keys of its own, it would pass.
  v.custom<Record<string, never>>((input) => {
    if (typeof input !== "object" || input === null) return false;
    const prototype: unknown = Object.getPrototypeOf(input);
    return prototype === Object.prototype || prototype === null;
  }, "must be an empty object"),
  v.strictObject({}),
);
export type NoInput = v.InferOutput<typeof NoInput>;
