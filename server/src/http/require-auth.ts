// Bearer-token middleware for the authenticated routes.
import type { User } from "@convoy/shared";
import type { RequestHandler, Response } from "express";
import { AppError } from "../errors.ts";
import type { TokenService } from "../services/tokens.ts";

export function requireAuth(tokens: TokenService): RequestHandler {
  return async (req, res, next) => {
    const [scheme, token] = (req.headers.authorization ?? "").split(" ");
    if (scheme !== "Bearer" || !token)
      throw new AppError("UNAUTHORIZED", "send Authorization: Bearer <token>");
    res.locals.user = await tokens.verify(token);
    next();
  };
}

/** The user requireAuth put on the response. */
export const userOf = (res: Response): User => res.locals.user as User;
