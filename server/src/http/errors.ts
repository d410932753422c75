// The error middleware: every failure leaves as {error: {code, message}} with the
// status its code maps to.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, httpStatusOf } from "../errors.ts";
import type { Logger } from "../logger.ts";

export const apiNotFound: RequestHandler = (_req, _res, next) => {
  next(new AppError("NOT_FOUND", "no such route"));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    let error: AppError;
    if (err instanceof AppError) error = err;
    else if (isBodyParserError(err)) error = new AppError("VALIDATION_FAILED", bodyErrorMessage(err));
    else {
      logger.error({ err }, "request failed");
      error = new AppError("INTERNAL", "internal error");
    }
    const status = isBodyParserError(err) ? err.status : httpStatusOf[error.code];
    res.status(status).json({ error: { code: error.code, message: error.message } });
  };
}

interface BodyParserError {
  status: number;
  type: string;
}
const isBodyParserError = (err: unknown): err is BodyParserError =>
  typeof err === "object" &&
  err !== null &&
  typeof (err as BodyParserError).type === "string" &&
  typeof (err as BodyParserError).status === "number" &&
  (err as BodyParserError).status < 500;

const bodyErrorMessage = (err: BodyParserError) =>
  err.type === "entity.too.large" ? "request body too large" : "request body is not valid JSON";
