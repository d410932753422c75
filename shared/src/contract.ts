// Shapes every namespace and route reuses: error codes, the ack envelope, and the
// link between an event map and its runtime input schemas.
import type * as v from "valibot";

/** Every error code the server answers with, over HTTP and in acks. */
export const ErrorCode = {
  VALIDATION_FAILED: "VALIDATION_FAILED",
  UNAUTHORIZED: "UNAUTHORIZED",
  TOKEN_EXPIRED: "TOKEN_EXPIRED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  USERNAME_TAKEN: "USERNAME_TAKEN",
  /** The action does not fit the current state (a second ride at once, joining an ended ride). */
  CONFLICT: "CONFLICT",
  INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
  RATE_LIMITED: "RATE_LIMITED",
  QUOTA_EXCEEDED: "QUOTA_EXCEEDED",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  code: ErrorCode;
  /** Human-readable; clients and tests compare `code`, never this text. */
  message: string;
  /** RATE_LIMITED: ms until a retry can succeed (HTTP also sends Retry-After, in seconds). */
  retryAfterMs?: number;
}

/** What every ack callback receives, exactly once. */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type Ack<T> = (result: AckResult<T>) => void;

/** The payload type an event map gives an event (its first argument). */
export type InputOf<F> = F extends (input: infer I, ...rest: never[]) => void ? I : never;
/** The `data` type of an event's ack, or `void` for events without one. */
export type AckDataOf<F> = F extends (input: never, ack: Ack<infer T>) => void ? T : void;

/** One runtime schema per client event: leaving one out, or a mismatched one, is a type error. */
export type InputSchemas<E> = {
  [K in keyof E]-?: v.GenericSchema<unknown, InputOf<E[K]>>;
};

/** HTTP error response body. */
export interface ErrorResponse {
  error: ErrorBody;
}
