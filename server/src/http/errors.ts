// The error middleware: every failure leaves as {error: {code, message}} with the
// status its code maps to.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, httpStatusOf } from "../errors.ts";
import type { Logger } from "../logger.ts";

/** Last in line: a request no route took (an unknown path, or a known one with another method). */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new AppError("NOT_FOUND", "no such route"));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const clientStatus = clientErrorStatus(err);
    let error: AppError;
    if (err instanceof AppError) error = err;
    else if (clientStatus !== null) {
      error = new AppError(clientStatus === 404 ? "NOT_FOUND" : "VALIDATION_FAILED", clientErrorMessage(err));
    } else {
      logger.error({ err }, "request failed");
      error = new AppError("INTERNAL", "internal error");
    }
    if (error.retryAfterMs !== undefined) {
      res.set("Retry-After", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    }
    res.status(clientStatus ?? httpStatusOf[error.code]).json({ error: error.toBody() });
  };
}

/**
 * The 4xx status that Express's own parts give a request they refuse: the body
 * parser (bad JSON, too large), the router (a malformed %-escape in the path),
 * the static files. Null for anything else, which is ours to log.
 */
function clientErrorStatus(err: unknown): number | null {
  if (typeof err !== "object" || err === null || err instanceof AppError) return null;
  const { status } = err as { status?: unknown };
  return typeof status === "number" && status >= 400 && status < 500 ? status : null;
}

function clientErrorMessage(err: unknown): string {
  const { type } = err as { type?: unknown };
  if (type === "entity.too.large") return "request body too large";
  if (typeof type === "string") return "request body is not valid JSON";
  if (err instanceof URIError) return "malformed URL";
  return "bad request";
}
