// The one error type services throw; HTTP and acks both turn it into
// `{code, message}` with the status its code maps to.
import type { AckResult, ErrorBody, ErrorCode } from "@convoy/shared";

export class AppError extends Error {
  readonly code: ErrorCode;
  /** RATE_LIMITED: when trying again can succeed (HTTP sends it as Retry-After). */
  readonly retryAfterMs: number | undefined;
  constructor(code: ErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  /** What goes on the wire, in an ack or an HTTP body. */
  toBody(): ErrorBody {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfterMs: Math.ceil(this.retryAfterMs) };
  }
}

export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 403,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export function failure(code: ErrorCode, message: string): AckResult<never> {
  return { ok: false, error: { code, message } };
}

/** Stops the start with one line for the operator (bad configuration, unusable data directory); main exits 1. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** An AppError keeps its code; anything else is a bug and becomes INTERNAL. */
export function toFailure(err: unknown): AckResult<never> {
  if (err instanceof AppError) return { ok: false, error: err.toBody() };
  return failure("INTERNAL", "internal error");
}
